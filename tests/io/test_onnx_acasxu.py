"""ACAS Xu network 1_1 (with its Sub(mean) -> Flatten prelude) read exactly: its outputs at
1,000 random points agree with onnxruntime's within a float32 error bound."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import onnxruntime as ort

from symresnet.compute.batch import realize_many
from symresnet.io.onnx import read_onnx

NET = Path(__file__).resolve().parents[3] / "shared" / "acasxu" / "ACASXU_run2a_1_1_batch_2000.onnx"


def test_acasxu_1_1_imports_with_its_prelude():
    imported = read_onnx(NET)
    net = imported.network
    assert net.dims == (5, 50, 50, 50, 50, 50, 50, 5)
    assert net.is_plain and net.activation.name == "relu"
    assert any("Sub" in r and "folded" in r for r in imported.rewrites)
    assert imported.input_names == ("input",)


def test_acasxu_1_1_agrees_with_onnxruntime_at_1000_points():
    net = read_onnx(NET).network
    rng = np.random.default_rng(1)
    X = rng.uniform(-0.5, 0.5, (1000, 5)).astype(np.float32)
    session = ort.InferenceSession(str(NET))
    Y = np.stack([session.run(None, {"input": x.reshape(1, 1, 1, 5)})[0][0] for x in X])
    exact = realize_many(net, [[Fraction(float(v)) for v in x] for x in X], workers=1).outputs
    # a float32 error bound: each layer's dot products of n terms err by at most
    # gamma |W| |x| (gamma = (n+2) u), carried through |W| of later layers (ReLU is 1-Lipschitz)
    u = 2.0**-24
    Ws = [np.array([[float(e) for e in w.row(i)] for i in range(w.rows)]) for w in net.W]
    Bs = [np.array([float(e) for e in b]) for b in net.B]
    for i in range(len(X)):
        x = np.abs(X[i].astype(np.float64))
        err = np.zeros(5)
        for w, b in zip(Ws, Bs, strict=True):
            gamma = (w.shape[1] + 3) * u
            mag = np.abs(w) @ x + np.abs(b)
            err = np.abs(w) @ err + gamma * mag + 1e-30
            x = mag  # |relu(z)| <= |W||x| + |B|
        value = np.array([float(v) for v in exact[i]])
        assert np.all(np.abs(value - Y[i]) <= 2 * err), i
    assert max(abs(float(exact[0][j]) - float(Y[0][j])) for j in range(5)) < 1e-3
