"""The verification engine and the independent checker on small ReLU ResNets built in code.

Expected verdicts come from a Fraction reference (tests/reference.py) on a grid and from bounds
worked out by hand, never from the engine.
"""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet import ResNet
from symresnet.verify import engine
from symresnet.verify.checker import CertificateError, check_certificate
from symresnet.verify.engine import verify
from symresnet.verify.lp_leaf import LPRefutation
from symresnet.verify.property import Case, OutputConstraint, Property


def _net(seed: int) -> ResNet:
    rng = random.Random(seed)

    def q():
        return F(rng.randint(-9, 9), rng.choice([1, 2, 4, 3]))

    dims = [2, 5, 4, 2]
    W = [[[q() for _ in range(dims[k - 1])] for _ in range(dims[k])] for k in range(1, 4)]
    B = [[q() for _ in range(dims[k])] for k in range(1, 4)]
    skips = {(0, 2): [[q() for _ in range(2)] for _ in range(4)]}
    return ResNet(W=W, B=B, skips=skips, activation="relu")


def _realize(net: ResNet, x):
    """Def. 1.5.4 in Fractions, independent of the package's realization."""
    xs = [list(x)]
    for k in range(1, net.L + 1):
        W = net.W[k - 1]
        z = [sum((F(str(W[j, i])) * xs[-1][i] for i in range(W.cols)), F(0)) + F(str(net.B[k - 1][j]))
             for j in range(W.rows)]
        for (r, kk), V in net.skips.items():
            if kk == k:
                z = [z[j] + sum((F(str(V[j, i])) * xs[r][i] for i in range(V.cols)), F(0)) for j in range(V.rows)]
        xs.append(z if k == net.L else [max(v, F(0)) for v in z])
    return xs[-1]


def _grid_min(net, n=21):
    pts = [(F(-1) + F(2 * i, n - 1), F(-1) + F(2 * j, n - 1)) for i in range(n) for j in range(n)]
    return min(_realize(net, p)[0] for p in pts)


BOX = ((F(-1), F(-1)), (F(1), F(1)))


def _prop(threshold):
    """Violation: y_0 <= threshold on the box [-1, 1]^2."""
    return Property(2, 2, (Case(BOX[0], BOX[1], (OutputConstraint((F(1), F(0)), threshold),)),))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_sat_counterexamples_are_exact_and_unsat_certificates_check(seed):
    net = _net(seed)
    # the grid point attaining the grid minimum violates y_0 <= low, and by continuity so does a
    # neighbourhood of it (the engine finds counterexamples at sampled points: a violation set of
    # measure zero may end in "unknown")
    low = _grid_min(net) + F(1, 100)
    sat = verify(net, _prop(low))
    assert sat.status == "sat"
    cx = sat.counterexample
    assert all(a <= v <= b for a, v, b in zip(BOX[0], cx.x, BOX[1], strict=True))
    assert _realize(net, cx.x) == list(cx.y) and cx.y[0] <= low
    # far below anything the box reaches (|y| <= sum of |weights| products): unsat
    res = verify(net, _prop(F(-10**6)))
    assert res.status == "unsat" and res.checked
    assert check_certificate(json.loads(json.dumps(res.certificate))).accepted


def _tight():
    """y_0 = relu(x_0) + relu(-x_0) = |x_0| and y_1 = -|x_0| on [-1, 1] (by hand)."""
    return ResNet(W=[[[1], [-1]], [[1, 1], [-1, -1]]], B=[[0, 0], [0, 0]], activation="relu")


def test_certificate_rejected_when_a_multiplier_is_altered():
    net = _tight()
    # violation: y_0 <= -1/4 (impossible: |x| >= 0) and y_1 <= 0 (always true)
    case = Case((F(-1),), (F(1),), (OutputConstraint((F(1), F(0)), F(-1, 4)), OutputConstraint((F(0), F(1)), F(0))))
    res = verify(net, Property(1, 2, (case,)))
    assert res.status == "unsat" and check_certificate(res.certificate).accepted
    assert res.certificate["version"] == 2  # the procedure with rounded forms
    bad = copy.deepcopy(res.certificate)

    def leaves(node):
        if "split" in node:
            return leaves(node["below"]) + leaves(node["above"])
        return [node]

    leaf = leaves(bad["proofs"][0]["tree"])[0]
    assert leaf["refute"][0][1] == ["1", "0"]
    leaf["refute"][0][1] = ["0", "1"]  # refute by y_1 <= 0, which can hold
    assert not check_certificate(bad).accepted
    leaf["refute"][0][1] = ["-1", "0"]  # a negative multiplier
    assert not check_certificate(bad).accepted


def test_certificate_rejected_when_the_tree_or_network_is_altered():
    net = _tight()
    case = Case((F(-1),), (F(1),), (OutputConstraint((F(1), F(0)), F(-1, 4)),))
    res = verify(net, Property(1, 2, (case,)))
    bad = copy.deepcopy(res.certificate)
    bad["network"]["layers"][1]["B"][0] = "-1"  # now y_0 = |x| - 1 can be <= -1/4
    assert not check_certificate(bad).accepted
    bad = copy.deepcopy(res.certificate)
    bad["proofs"][0]["tree"] = {"split": 0, "at": "2", "below": {"refute": []}, "above": {"refute": []}}
    with pytest.raises(CertificateError):
        check_certificate(bad)
    bad = copy.deepcopy(res.certificate)
    bad["result"] = "sat"
    with pytest.raises(CertificateError):
        check_certificate(bad)
    bad = copy.deepcopy(res.certificate)
    bad["version"] = 1  # the procedure without rounding is no longer accepted
    with pytest.raises(CertificateError, match="version 2"):
        check_certificate(bad)


def test_leaves_checked_in_a_worker_while_the_search_goes_on():
    # workers=2: a worker process checks leaves during the search; the answer and the
    # certificate are those of workers=1, and the certificate checks on its own
    net = _net(7)
    one = verify(net, _prop(F(-10**6)))
    two = verify(net, _prop(F(-10**6)), workers=2)
    assert one.status == two.status == "unsat" and two.checked
    assert two.certificate == one.certificate and check_certificate(two.certificate).accepted


def test_sat_at_the_exact_boundary():
    # y_0 = |x| <= 0 only at x = 0 exactly: the counterexample must be exact
    net = _tight()
    case = Case((F(-1),), (F(1),), (OutputConstraint((F(1), F(0)), F(0)),))
    res = verify(net, Property(1, 2, (case,)))
    assert res.status == "sat" and res.counterexample.x == (F(0),) and res.counterexample.y == (F(0), F(0))


def test_a_sum_of_two_constraints_refutes_the_whole_box():
    # y_0 = relu(x) - relu(-x) = x, y_1 = -x on [-1, 1] (by hand). The violation x <= -1/4 and
    # -x <= -1/4 is impossible, but neither constraint alone fails on the whole box: their sum
    # 0 <= -1/2 does, so the root is one leaf with multipliers (1, 1)
    net = ResNet(W=[[[1], [-1]], [[1, -1], [-1, 1]]], B=[[0, 0], [0, 0]], activation="relu")
    q = F(-1, 4)
    case = Case((F(-1),), (F(1),), (OutputConstraint((F(1), F(0)), q), OutputConstraint((F(0), F(1)), q)))
    res = verify(net, Property(1, 2, (case,)))
    assert res.status == "unsat" and res.leaves == 1
    tree = res.certificate["proofs"][0]["tree"]
    assert tree["refute"] == [[0, ["1", "1"]]]
    bad = copy.deepcopy(res.certificate)
    bad["proofs"][0]["tree"]["refute"] = [[0, ["1", "0"]]]  # x > -1/4 fails at x = -1
    assert not check_certificate(bad).accepted


def test_a_leaf_the_exact_check_rejects_is_split_again(monkeypatch):
    # y_0 = |x|, y_1 = x on [-1, 1] (by hand); the violation |x| <= 1/4 and x >= 1/2 is
    # impossible. A float LP that "refutes" the root with y = (1, 0) is wrong (|x| <= 1/4 holds
    # at x = 0): the exact check rejects it, and the engine searches that leaf again without LPs
    net = ResNet(W=[[[1], [-1]], [[1, 1], [1, -1]]], B=[[0, 0], [0, 0]], activation="relu")
    case = Case((F(-1),), (F(1),), (OutputConstraint((F(1), F(0)), F(1, 4)), OutputConstraint((F(0), F(-1)), F(-1, 2))))
    calls = []

    def wrong(*args, **kwargs):
        calls.append(args)
        return LPRefutation(1.0, {"y": ["1", "0"], "units": []})

    monkeypatch.setattr(engine, "lp_refute", wrong)
    res = verify(net, Property(1, 2, (case,)))
    assert calls and res.extra["resplit"] == 1
    assert res.status == "unsat" and res.checked and res.leaves > 1
    tree = res.certificate["proofs"][0]["tree"]
    assert "split" in tree and "lp" not in json.dumps(tree)
    assert check_certificate(res.certificate).accepted


def _interval_low(net):
    """A naive lower bound of y_0 over BOX: plain interval arithmetic in Fractions (sound, loose)."""
    xs = [[(F(-1), F(1)), (F(-1), F(1))]]
    for k in range(1, net.L + 1):
        W = net.W[k - 1]

        def dot(row, ivs):
            lo = sum((min(c * a, c * b) for c, (a, b) in zip(row, ivs, strict=True)), F(0))
            hi = sum((max(c * a, c * b) for c, (a, b) in zip(row, ivs, strict=True)), F(0))
            return lo, hi

        z = []
        for j in range(W.rows):
            lo, hi = dot([F(str(W[j, i])) for i in range(W.cols)], xs[-1])
            for (r, kk), V in net.skips.items():
                if kk == k:
                    vlo, vhi = dot([F(str(V[j, i])) for i in range(V.cols)], xs[r])
                    lo, hi = lo + vlo, hi + vhi
            b = F(str(net.B[k - 1][j]))
            z.append((lo + b, hi + b))
        xs.append(z if k == net.L else [(max(a, F(0)), max(b, F(0))) for a, b in z])
    return xs[-1][0][0]


def test_with_a_timeout_an_undecided_first_step_1_hands_over_to_the_other(monkeypatch):
    # the first search (back-substitution) gets almost no time, so the answer must come from
    # the second one, with the forward step 1: an unsat certificate without the "bounds" field
    # that the reference checker accepts; the threshold lies below a naive interval bound, so
    # the violation y_0 <= threshold is impossible
    net = _net(3)
    prop = _prop(_interval_low(net) - 1)
    monkeypatch.setattr(engine, "AUTO_SHARE", 1e-9)
    res = verify(net, prop, timeout=120)
    assert res.status == "unsat", res.detail
    assert "bounds" not in res.certificate
    assert "then forward" in res.detail
    assert check_certificate(res.certificate).accepted
    monkeypatch.setattr(engine, "AUTO_SHARE", 0.3)
    again = verify(net, prop, timeout=120)
    assert again.status == "unsat" and again.certificate["bounds"] == "backsub"
    assert check_certificate(again.certificate).accepted
