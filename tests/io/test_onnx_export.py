"""ResNet -> float64 ONNX (symresnet.io.onnx_export): import(export(net)) == net for dyadic
weights, the rounding gap reported otherwise, and the model computing the realization."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import onnxruntime as ort
import pytest
import reference as ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx.reference import ReferenceEvaluator
from strategies import networks

from symresnet import ResNet
from symresnet.base.errors import NetworkError
from symresnet.io.onnx import import_model, read_onnx
from symresnet.io.onnx_export import export_onnx, write_onnx

# dyadic weights (denominators 1, 2, 4, 8): exact in float64
dyadic = st.builds(Fraction, st.integers(-12, 12), st.sampled_from([1, 2, 4, 8]))

#: activations whose ONNX operator imports back as the same activation
ROUND_TRIP = [
    ("relu", ref.relu),
    ({"name": "leaky_relu", "gamma": "1/4"}, ref.leaky(Fraction(1, 4))),  # float32-exact
    ({"name": "clip", "u": "-1/2", "v": "3/2"}, ref.clip(Fraction(-1, 2), Fraction(3, 2))),
    ("tanh", None),
    ("softsign", None),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(activations=ROUND_TRIP, entries=dyadic))
def test_import_of_export_is_the_network_for_dyadic_weights(drawn):
    net, _, _ = drawn
    exported = export_onnx(net)
    assert exported.exact and exported.largest == 0
    back = import_model(exported.model).network
    if net.L == 1:  # no hidden layer: the activation is not in the graph (it reads back as relu)
        net = net.replace(activation="relu")
    assert back == net


@settings(max_examples=30, deadline=None)
@given(networks(activations=ROUND_TRIP[:3], entries=dyadic))
def test_exported_model_computes_the_realization_in_float64(drawn):
    net, (W, B, skips, f), x0 = drawn
    model = export_onnx(net).model
    x = np.array([[float(v) for v in x0]], dtype=np.float64)
    got = ReferenceEvaluator(model).run(None, {"x": x})[0][0]
    want = ref.realization(W, B, skips, f, x0)[-1]
    # dyadic weights and inputs of a few bits: every float64 operation is exact
    assert [Fraction(float(v)) for v in got] == want


def test_onnxruntime_runs_the_exported_model():
    net = ResNet(
        W=[[[1, 2], [3, 4]], [["1/2", -1], [0, 1]], [[1, -1]]],
        B=[[0, "1/4"], [1, 0], [3]],
        skips={(0, 2): [[1, 0], [0, 1]], (0, 3): [["1/8", 2]]},
    )
    model = export_onnx(net).model
    session = ort.InferenceSession(model.SerializeToString())
    for x0 in ([1, 2], [-1, "1/2"], [0, -3]):
        xs = [Fraction(v) for v in x0]
        out = session.run(None, {"x": np.array([[float(v) for v in xs]])})[0][0]
        W = [
            [[Fraction(e) for e in row] for row in w]
            for w in ([[1, 2], [3, 4]], [["1/2", -1], [0, 1]], [[1, -1]])
        ]
        B = [[Fraction(e) for e in b] for b in ([0, "1/4"], [1, 0], [3])]
        V = {
            (0, 2): [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]],
            (0, 3): [[Fraction(1, 8), Fraction(2)]],
        }
        assert [Fraction(float(v)) for v in out] == ref.realization(W, B, V, ref.relu, xs)[-1]


def test_identity_skip_is_a_residual_add_and_others_a_matmul():
    net = ResNet(
        W=[[[1], [2]], [[1, 0], [0, 1]], [[1, 1]]],
        B=[[0, 0], [0, 0], [0]],
        skips={(0, 2): [[1], [-1]], (0, 3): [[1]]},
    )
    nodes = [(n.op_type, list(n.input)) for n in export_onnx(net).model.graph.node]
    assert ("MatMul", ["x", "V0_2"]) in nodes
    assert ("Add", ["g3", "x"]) in nodes  # V_{0,3} = I: x_0 added as it is


def test_rounding_gap_is_reported_per_matrix():
    net = ResNet(
        W=[[["1/3", 1]], [["1/10"]]],
        B=[[0], ["1/2"]],
        activation={"name": "leaky_relu", "gamma": "1/10"},
    )
    exported = export_onnx(net)
    gaps = {g.place: g for g in exported.gaps}
    third = abs(Fraction(float(Fraction(1, 3))) - Fraction(1, 3))
    tenth = abs(Fraction(float(Fraction(1, 10))) - Fraction(1, 10))
    assert gaps["W_1"].entries == 1 and gaps["W_1"].largest == third
    assert gaps["W_2"].largest == tenth
    assert gaps["B_1"].entries == 0 and gaps["B_2"].largest == 0
    # LeakyRelu's alpha is a float32 attribute
    f32 = Fraction(float(np.float32(0.1)))
    assert gaps["activation.gamma"].largest == abs(f32 - Fraction(1, 10))
    assert exported.largest == gaps["activation.gamma"].largest
    assert not exported.exact
    back = import_model(exported.model).network
    assert back.W[0][0, 0] != Fraction(1, 3)  # the double nearest 1/3, read back exactly
    assert abs(Fraction(int(back.W[0][0, 0].p), int(back.W[0][0, 0].q)) - Fraction(1, 3)) == third


def test_parameters_and_activations_without_an_operator_are_refused():
    with pytest.raises(NetworkError, match=r"parameters \(a\)"):
        export_onnx(ResNet(W=[[["a"]]], B=[[0]], names={"a": __import__("sympy").Symbol("a")}))
    with pytest.raises(NetworkError, match="heaviside has no operator"):
        export_onnx(ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="heaviside"))


def test_write_onnx_writes_a_file_that_reads_back(tmp_path):
    net = ResNet(W=[[[1], [2]], [[1, -1]]], B=[[0, 1], ["1/2"]], skips={(0, 2): [[3]]})
    path = tmp_path / "net.onnx"
    write_onnx(net, path)
    imported = read_onnx(path)
    assert imported.network == net
    assert imported.rewrites == ()
