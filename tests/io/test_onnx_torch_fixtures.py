"""The ONNX files PyTorch's two exporters wrote (tests/data/onnx/, made by make_fixtures.py):
read without torch into the exact networks of their hand-set weights, with the parameter
names kept, and agreeing exactly with ReferenceEvaluator at dyadic inputs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import reference as ref
from onnx.reference import ReferenceEvaluator

from symresnet.io.onnx import read_onnx

DATA = Path(__file__).resolve().parents[1] / "data" / "onnx"
TAGS = ["dynamo", "torchscript"]
F = Fraction

# the weights make_fixtures.py sets, written out again: W_k = affine_k.weight (out, in)
RES_ANN_W = [
    [[1, -1], [F(1, 2), 2], [F(-1, 4), 1]],
    [[1, 0, -1], [-1, 1, F(1, 2)], [0, 2, 1]],
    [[2, 1, 0], [0, -1, 1], [F(1, 2), 0, -2]],
    [[1, -2, F(3, 4)]],
]
RES_ANN_B = [[0, 1, F(-1, 2)], [F(1, 4), 0, -1], [-1, F(1, 2), 0], [3]]
I3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]

POINTS = ([1, 2, -3], [-0.5, 0.25, 0.75], [3, -1, 0], [-2, -4, 0.5], [0.125, -0.375, 1.5])


def _rows(m):
    return [[Fraction(int(e.p), int(e.q)) for e in m.row(i)] for i in range(m.rows)]


def _agree(path, act, points, n):
    net = read_onnx(path).network
    evaluator = ReferenceEvaluator(str(path))
    name = evaluator.input_names[0]
    W = [_rows(w) for w in net.W]
    B = [[r[0] for r in _rows(b)] for b in net.B]
    V = {rk: _rows(v) for rk, v in net.skips.items()}
    for p in points:
        x = np.array([p[:n]], dtype=np.float32)
        want = evaluator.run(None, {name: x})[0].ravel()
        got = ref.realization(W, B, V, act, [Fraction(float(v)) for v in x[0]])[-1]
        assert [Fraction(float(v)) for v in want] == got, p


@pytest.mark.parametrize("tag", TAGS)
def test_res_ann_exported_by_torch_is_the_books_shape(tag):
    path = DATA / f"res_ann_{tag}.onnx"
    imported = read_onnx(path)
    net = imported.network
    assert net.dims == (2, 3, 3, 3, 1)
    assert set(net.skips) == {(1, 3)} and net.skips[(1, 3)].tolist() == I3  # V_{1,3} = I
    assert [w.tolist() for w in net.W] == RES_ANN_W
    assert [[r[0] for r in b.tolist()] for b in net.B] == RES_ANN_B
    assert imported.layer_names == tuple(
        (f"affine{k}.weight", f"affine{k}.bias") for k in range(1, 5)
    )
    assert imported.rewrites == ()
    _agree(path, ref.relu, POINTS, 2)


@pytest.mark.parametrize("tag", TAGS)
def test_prelude_leaky_relu_and_bias_free_skip_exported_by_torch(tag):
    path = DATA / f"prelude_{tag}.onnx"
    imported = read_onnx(path)
    net = imported.network
    gamma = Fraction(float(np.float32(0.01)))  # LeakyReLU(0.01): the float32 attribute
    g = net.activation.param("gamma")
    assert Fraction(int(g.p), int(g.q)) == gamma
    assert net.dims == (3, 2, 2) and set(net.skips) == {(0, 2)}
    # z = (x - mean) / range folded in: W_1 = fc1.weight / range, B_1 = fc1.bias - W_1 mean
    mean, rng = [F(1, 2), F(-1), F(2)], [F(2), F(4), F(1, 2)]
    fc1 = [[1, -1, F(1, 2)], [2, 0, -1]]
    W1 = [[w / r for w, r in zip(row, rng, strict=True)] for row in fc1]
    B1 = [
        b - sum(w * m for w, m in zip(row, mean, strict=True))
        for row, b in zip(W1, [F(1, 2), F(-1, 4)], strict=True)
    ]
    assert net.W[0].tolist() == W1
    assert [r[0] for r in net.B[0].tolist()] == B1
    proj = [[F(1, 4), 0, -1], [1, 1, 0]]
    V = [[w / r for w, r in zip(row, rng, strict=True)] for row in proj]
    assert net.skips[(0, 2)].tolist() == V
    assert net.W[1].tolist() == [[1, F(1, 2)], [-1, 2]]
    names = imported.layer_names
    assert names[0] == ("mean", "range", "fc1.weight", "fc1.bias")
    assert {"fc2.weight", "fc2.bias"} <= set(names[1])
    # inputs whose hidden pre-activations are >= 0: float32 is exact there (alpha * z summed
    # with other terms is not); the float32 alpha itself is checked above
    points = ([2.5, -1, 2], [4.5, 3, 2], [0.5, -1, 1.5], [2.5, 3, 2.5], [1.5, -1, 2])
    _agree(path, ref.leaky(gamma), points, 3)


def test_the_two_exporters_give_the_same_network():
    for name in ("res_ann", "prelude"):
        nets = [read_onnx(DATA / f"{name}_{tag}.onnx").network for tag in TAGS]
        assert nets[0] == nets[1]
