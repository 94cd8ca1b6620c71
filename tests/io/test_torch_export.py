"""ResNet -> float64 nn.Module (symresnet.io.torch_export): forward is the realization,
import(export(net)) == net for dyadic weights, the rounding gap reported."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import reference as ref
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx.reference import ReferenceEvaluator
from strategies import networks

from symresnet import ResNet
from symresnet.io.onnx_export import export_onnx
from symresnet.io.torch_export import to_torch, write_torch
from symresnet.io.torch_import import from_torch

dyadic = st.builds(Fraction, st.integers(-12, 12), st.sampled_from([1, 2, 4, 8]))
ACTS = [
    ("relu", ref.relu),
    ({"name": "leaky_relu", "gamma": "1/4"}, ref.leaky(Fraction(1, 4))),
    ({"name": "clip", "u": "-1/2", "v": "3/2"}, ref.clip(Fraction(-1, 2), Fraction(3, 2))),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(activations=ACTS, entries=dyadic))
def test_forward_is_the_realization_in_float64(drawn):
    net, (W, B, skips, f), x0 = drawn
    exported = to_torch(net)
    assert exported.largest == 0
    x = torch.tensor([[float(v) for v in x0]], dtype=torch.float64)
    out = exported.module(x)[0].tolist()
    assert [Fraction(v) for v in out] == ref.realization(W, B, skips, f, x0)[-1]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(activations=ACTS, entries=dyadic, max_depth=3))
def test_import_of_torch_export_is_the_network(drawn):
    net, _, _ = drawn
    back = from_torch(to_torch(net).module, dynamo=False).network
    if net.L == 1:  # no hidden layer: the activation does not show in the graph
        net = net.replace(activation="relu")
    assert back == net


def test_dynamo_round_trip_of_a_resnet_with_skips():
    net = ResNet(
        W=[[[1, 2], [3, -4]], [["1/2", -1], [0, 1]], [[1, 0], [0, 1]], [[1, -1]]],
        B=[[0, "1/4"], [1, 0], [0, "-1/8"], [3]],
        skips={(1, 3): [[1, 0], [0, 1]], (0, 4): [["1/4", 2]]},
        activation={"name": "leaky_relu", "gamma": "1/4"},
    )
    exported = to_torch(net)
    names = [name for name, _ in exported.module.named_parameters()]
    assert "skips.V_0_4.weight" in names and not any(
        "V_1_3" in n for n in names
    )  # V = I: x_1 added
    assert from_torch(exported.module).network == net


def test_rounding_gap_and_torch_export_archive(tmp_path):
    net = ResNet(W=[[["1/3"]], [[2]]], B=[[0], ["1/10"]])
    exported = to_torch(net)
    gaps = {g.place: g for g in exported.gaps}
    assert gaps["W_1"].largest == abs(Fraction(1 / 3) - Fraction(1, 3)) > 0
    assert gaps["B_2"].largest == abs(Fraction(0.1) - Fraction(1, 10))
    assert gaps["W_2"].largest == 0
    path = tmp_path / "net.pt2"
    write_torch(net, path)
    module = torch.export.load(str(path)).module()
    out = module(torch.tensor([[3.0]], dtype=torch.float64))
    assert out.item() == 2 * (1 / 3 * 3) + 0.1  # float64, as computed by torch


def _by_hand(name, z):
    """The book's activations of Section 1.2, written out again (ELU: x, or gamma (1 - e^x))."""
    return {
        "sigmoid": lambda t: 1 / (1 + math.exp(-t)),
        "tanh": math.tanh,
        "softplus": lambda t: math.log(1 + math.exp(t)),
        "softsign": lambda t: t / (1 + abs(t)),
        "sin": math.sin,
        "elu": lambda t: t if t > 0 else -0.5 * (1 - math.exp(t)),
    }[name](z)


def test_smooth_activations_mean_the_same_in_torch_and_onnx():
    W1, W2 = [[1], [-2]], [[1, 1]]
    for name in ("sigmoid", "tanh", "softplus", "softsign", "sin", "elu"):
        act = {"name": "elu", "gamma": "-1/2"} if name == "elu" else name
        net = ResNet(W=[W1, W2], B=[[0, "1/2"], [0]], activation=act)
        x = 0.75
        want = _by_hand(name, x) + _by_hand(name, -2 * x + 0.5)
        got_torch = to_torch(net).module(torch.tensor([[x]], dtype=torch.float64)).item()
        model = export_onnx(net).model
        got_onnx = ReferenceEvaluator(model).run(None, {"x": np.array([[x]])})[0].item()
        assert abs(got_torch - want) < 1e-12, name
        assert abs(got_onnx - want) < 1e-6, (
            name
        )  # ReferenceEvaluator's Elu/Softplus: float32 inside
