"""ACAS Xu (../shared/acasxu) through ``verify``: network 2_1 violates property 2 (published:
sat), checked here with a Fraction forward pass written in the test from the ONNX weights;
network 1_1 satisfies property 4 (published: unsat), so does every sub-box of its input box:
the corner sixteenth-box is proven with a certificate that both checkers accept, and that is
rejected once a multiplier is zeroed."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from symresnet.cli.main import main
from symresnet.io.onnx import read_onnx
from symresnet.io.vnnlib import load_vnnlib
from symresnet.verify.checker import check_certificate
from symresnet.verify.engine import verify
from symresnet.verify.fast_check import FastNet
from symresnet.verify.property import Case, Property

DATA = Path(__file__).resolve().parents[3] / "shared" / "acasxu"


def _reference(name: str, x):
    """The ONNX graph of the ACAS Xu files by hand: Sub(mean), then MatMul/Add/Relu layers."""
    model = onnx.load(str(DATA / f"ACASXU_run2a_{name}_batch_2000.onnx"))
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    (name_in,) = [i.name for i in model.graph.input if i.name not in init]
    values = {name_in: [Fraction(v) for v in x]}
    for node in model.graph.node:
        a = values[node.input[0]]
        if node.op_type == "Sub":
            c = np.ravel(init[node.input[1]])
            values[node.output[0]] = [v - Fraction(float(m)) for v, m in zip(a, c.tolist() * len(a), strict=False)]
        elif node.op_type in ("Flatten", "Reshape", "Identity"):
            values[node.output[0]] = a
        elif node.op_type == "MatMul":
            W = init[node.input[1]]
            values[node.output[0]] = [sum((a[i] * Fraction(float(W[i, j])) for i in range(W.shape[0])), Fraction(0))
                                      for j in range(W.shape[1])]
        elif node.op_type == "Add":
            b = np.ravel(init[node.input[1]])
            values[node.output[0]] = [v + Fraction(float(c)) for v, c in zip(a, b.tolist(), strict=True)]
        elif node.op_type == "Relu":
            values[node.output[0]] = [max(v, Fraction(0)) for v in a]
        else:
            raise AssertionError(f"unexpected operator {node.op_type}")
    return values[model.graph.output[0].name]


def test_acasxu_2_1_property_2_counterexample_is_exact():
    net = read_onnx(DATA / "ACASXU_run2a_2_1_batch_2000.onnx").network
    prop = load_vnnlib(DATA / "prop_2.vnnlib")
    res = verify(net, prop, timeout=60)
    assert res.status == "sat"
    cx = res.counterexample
    case = prop.cases[cx.case]
    assert case.contains(cx.x)
    y = _reference("2_1", cx.x)
    assert list(cx.y) == y
    assert all(y[j] <= y[0] for j in range(1, 5))  # property 2's violation: COC is maximal
    # interior coordinates are float32 values: a float32 replay runs at exactly this input
    inner = [v for v, a, b in zip(cx.x, case.lo, case.hi, strict=True) if a < v < b]
    assert inner and all(Fraction(float(np.float32(float(v)))) == v for v in inner)


def test_acasxu_1_1_property_4_on_a_sixteenth_box_is_unsat_with_a_checked_certificate():
    net = read_onnx(DATA / "ACASXU_run2a_1_1_batch_2000.onnx").network
    case = load_vnnlib(DATA / "prop_4.vnnlib").cases[0]
    hi = tuple(a + (b - a) / 4 for a, b in zip(case.lo, case.hi, strict=True))
    prop = Property(5, 5, (Case(case.lo, hi, case.constraints),))
    # back-substituted step 1 (the default): decided and checked by both checkers
    back = verify(net, prop, timeout=120)
    assert back.status == "unsat" and back.checked and back.certificate["bounds"] == "backsub"
    assert check_certificate(json.loads(json.dumps(back.certificate))).accepted
    # forward intervals: a split tree
    res = verify(net, prop, timeout=120, bounds="forward")
    assert res.status == "unsat" and res.checked and res.leaves >= 2
    cert = json.loads(json.dumps(res.certificate))
    assert check_certificate(cert).accepted and check_certificate(cert, leaf_checker=FastNet).accepted
    bad = copy.deepcopy(cert)
    node = bad["proofs"][0]["tree"]
    while "split" in node:
        node = node["below"]
    if "refute" in node:
        node["refute"][0][1] = ["0"] * len(node["refute"][0][1])
    else:  # an LP leaf: with y = 0 the Lagrangian is a sum of terms <= 0 at any real point
        node["lp"][0][1]["y"] = ["0"] * len(node["lp"][0][1]["y"])
    assert not check_certificate(bad, leaf_checker=FastNet).accepted


def test_cli_verify_onnx_sat_replays_in_float32(capsys):
    assert main(["verify", str(DATA / "ACASXU_run2a_2_1_batch_2000.onnx"), str(DATA / "prop_2.vnnlib"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["result"] == "sat" and out["checked"]
    replays = out["counterexample"]["float32_replay"]
    assert [r["backend"] for r in replays] == ["onnx.reference", "onnxruntime"]
    y = [float(Fraction(v)) for v in out["counterexample"]["y"]]
    for r in replays:  # float32 outputs within float32 rounding of the exact ones
        assert np.allclose(r["y"], y, atol=1e-4)
