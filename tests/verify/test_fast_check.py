"""The flint leaf check (verify/fast_check.py) decides every leaf as the standard-library
checker does: on certificates the engine wrote, and on the same certificates with one
multiplier, bias or split point altered (the reference is the stdlib checker; the expected
verdict of the altered ones is worked out by hand in tests/verify/test_engine.py)."""

from __future__ import annotations

import copy
import random
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet import ResNet
from symresnet.verify.checker import _bounds, check_certificate, load_network
from symresnet.verify.engine import verify
from symresnet.verify.fast_check import FastNet
from symresnet.verify.network_data import network_data
from symresnet.verify.property import Case, OutputConstraint, Property


def _net(seed: int) -> ResNet:
    rng = random.Random(seed)

    def q():
        return F(rng.randint(-9, 9), rng.choice([1, 2, 4, 3]))

    dims = [2, 4, 3, 2]
    W = [[[q() for _ in range(dims[k - 1])] for _ in range(dims[k])] for k in range(1, 4)]
    B = [[q() for _ in range(dims[k])] for k in range(1, 4)]
    return ResNet(W=W, B=B, skips={(0, 2): [[q(), q()] for _ in range(3)]}, activation="relu")


def _leaves(node):
    if "split" in node:
        return _leaves(node["below"]) + _leaves(node["above"])
    return [node]


def _same(cert):
    slow = check_certificate(cert)
    fast = check_certificate(cert, leaf_checker=FastNet)
    assert slow == fast
    return slow


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(-40, 10), st.integers(0, 3), st.booleans())
def test_fast_and_stdlib_checks_agree(seed, threshold, which, lp):
    net = _net(seed)
    box = ((F(-1), F(-1)), (F(1), F(1)))
    cons = (OutputConstraint((F(1), F(0)), F(threshold)), OutputConstraint((F(-1), F(1)), F(threshold)))
    res = verify(net, Property(2, 2, (Case(box[0], box[1], cons),)), check="stdlib", lp=lp)
    if res.status != "unsat":
        return
    assert _same(res.certificate).accepted
    bad = copy.deepcopy(res.certificate)
    leaf = _leaves(bad["proofs"][0]["tree"])[0]
    if "refute" not in leaf:  # an LP leaf (lp=True): its multipliers y on the case, units
        dual = leaf["lp"][0][1]
        if which == 0:
            dual["y"] = [str(F(v) / 2 + F(1, 3)) for v in dual["y"]]
            dual["units"] = [[k, j, str(F(s) * 3), t] for k, j, s, t in dual["units"]]
        elif which == 1:
            dual["y"] = ["0", "0"]  # a sum of terms <= 0 at every real point: rejected by both
            assert not _same(bad).accepted
    elif which == 0:
        leaf["refute"][0][1] = [str(F(v) / 2 + F(1, 3)) for v in leaf["refute"][0][1]]
    elif which == 1:
        leaf["refute"][0][1] = ["0", "0"]  # no refutation at all: rejected by both
        assert not _same(bad).accepted
    elif which == 2:
        bad["network"]["layers"][0]["B"][0] = str(F(bad["network"]["layers"][0]["B"][0]) + 3)
    else:
        bad["network"]["layers"][2]["B"][0] = str(F(bad["network"]["layers"][2]["B"][0]) - 7)
    _same(bad)


def test_fast_net_reproduces_the_checker_bound_by_hand():
    # y_0 = relu(x) + relu(-x) = |x| on [-1, 3]: the unstable units get the upper lines of the
    # checker (a = ceil(u/(u-l)), b = ceil(-a l)); the lower line x >= z (u >= -l) for the first
    # unit and x >= 0 for the second, so the bound of y_0 is min over the box of x = -1
    net = ResNet(W=[[[1], [-1]], [[1, 1]]], B=[[0, 0], [0]], activation="relu")
    fast = FastNet(load_network(network_data(net).to_json()))
    info = fast.bounds([F(-1)], [F(3)], 2**32)
    assert [row[0] for row in info[0]] == [2, 3]  # ID_BELOW for u=3 >= 1, ZERO_BELOW for u=1 < 3
    assert fast.lower_bound(info, [F(1)], [F(-1)], [F(3)]) == -1


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 8))
def test_fast_and_stdlib_step_1_agree_on_a_coarse_grid(seed, rounding):
    # with P = 2^1 .. 2^8 the rounding of the forms changes l and u a lot: FastNet must
    # round exactly as the reference does (the phase of every unit and its upper line)
    rng = random.Random(seed)
    net = load_network(network_data(_net(seed)).to_json())
    lo = [F(rng.randint(-20, 5), rng.choice([3, 10])) for _ in range(2)]
    hi = [a + F(rng.randint(1, 30), rng.choice([3, 7])) for a in lo]
    P = 2**rounding
    slow = _bounds(net, lo, hi, P)
    fast = FastNet(net).bounds(lo, hi, P)
    for rows_s, rows_f in zip(slow, fast, strict=True):
        for (low, u, a, b), (kind, fa, fb, *_) in zip(rows_s, rows_f, strict=True):
            expected = 0 if u <= 0 else 1 if low >= 0 else 2 if u >= -low else 3
            assert kind == expected
            if a is not None:
                assert (F(int(fa.p), int(fa.q)), F(int(fb.p), int(fb.q))) == (a, b)
