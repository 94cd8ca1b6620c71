"""LP leaves (verify/lp_leaf.py, the ``lp`` leaf of docs/verification.md): a case the interval
bound cannot refute on a box but the LP relaxation can, checked exactly by the stdlib checker
and by FastNet; altered multipliers are rejected by both; every LP leaf the exact check accepts
is really infeasible (exact points sampled in the box never violate).

Expected verdicts come from hand arguments and exact Fraction evaluation (tests/verify/
reference.py), never from the engine or the checker under test."""

from __future__ import annotations

import copy
import random
from fractions import Fraction as F

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import realization, relu

from symresnet import ResNet
from symresnet.verify.checker import (
    LPDual,
    _bounds,
    check_certificate,
    check_leaf,
    load_network,
    lp_lower_bound,
)
from symresnet.verify.engine import verify
from symresnet.verify.fast_check import FastNet
from symresnet.verify.lp_leaf import lp_refute
from symresnet.verify.network_data import network_data
from symresnet.verify.property import Case, OutputConstraint, Property

P = 2**32


ABS_W = [[[F(1)], [F(-1)]], [[F(1), F(1)], [F(1), F(-1)]]]
ABS_B = [[F(0), F(0)], [F(0), F(0)]]


def _abs_and_identity() -> ResNet:
    """h_1 = relu(x), h_2 = relu(-x); y_0 = h_1 + h_2 = |x|, y_1 = h_1 - h_2 = x (by hand)."""
    return ResNet(W=ABS_W, B=ABS_B, activation="relu")


def _case() -> Case:
    # violation: |x| <= 1/4 and x >= 1/2 on [-1, 1]: impossible (x >= 1/2 gives |x| >= 1/2)
    return Case((F(-1),), (F(1),), (OutputConstraint((F(1), F(0)), F(1, 4)), OutputConstraint((F(0), F(-1)), F(-1, 2))))


def _same(cert):
    slow = check_certificate(cert)
    fast = check_certificate(cert, leaf_checker=FastNet)
    assert slow == fast
    return slow


def test_an_lp_leaf_refutes_a_box_no_interval_refutation_can():
    net = _abs_and_identity()
    case = _case()
    # independent: no point of a fine exact grid violates (and the hand argument above)
    grid = [F(i, 200) for i in range(-200, 201)]
    assert not any(case.violated_by(tuple(realization(ABS_W, ABS_B, {}, relu, (x,))[-1])) for x in grid)
    # by hand, on [-1, 1] both units are unstable (l = -1, u = 1) and the backward pass uses
    # h_2 >= -x; for mu = (m1, m2) the bound of m1 (y_0 - 1/4) + m2 (1/2 - y_1) at x = 1 is
    # -3 m2 / 2 - m1 / 4 (m1 < m2) or -3 m2 / 2 - m1 / 4 + ... < 0: no multipliers refute the root
    cn = load_network(network_data(net).to_json())
    cases = [([[F(1), F(0)], [F(0), F(-1)]], [F(1, 4), F(-1, 2)])]
    for m1 in range(6):
        for m2 in range(6):
            assert not check_leaf(cn, cases, [F(-1)], [F(1)], [(0, [F(m1), F(m2)])], P)
    res = verify(net, Property(1, 2, (case,)))
    assert res.status == "unsat" and res.checked and res.leaves == 1
    tree = res.certificate["proofs"][0]["tree"]
    assert "split" not in tree and tree["lp"][0][0] == 0 and "refute" not in tree
    assert res.extra["lp_leaves"] == 1
    assert _same(res.certificate).accepted
    # without LP leaves the same box needs splits
    plain = verify(net, Property(1, 2, (case,)), lp=False)
    assert plain.status == "unsat" and plain.leaves > 1


def test_an_altered_lp_multiplier_is_rejected_by_both_checkers():
    net = _abs_and_identity()
    res = verify(net, Property(1, 2, (_case(),)))
    leaf = res.certificate["proofs"][0]["tree"]
    # the Lagrangian (y_0 - 1/4 + 1/2 - y_1) / 2 = h_2 + 1/8 >= 1/8 on the box h_2 in [0, 1]
    assert leaf["lp"][0][1]["y"] == ["1/2", "1/2"]
    for y, units in [
        (["1", "0"], []),  # |x| <= 1/4 alone holds at x = 0: min of |x| - 1/4 is -1/4
        (["0", "1"], []),  # x >= 1/2 alone holds at x = 1
        (["-1/2", "1/2"], []),  # a negative multiplier
        (["1/2", "1/2"], [[1, 1, "1", "0"]]),  # + (z - x) of h_2 = -x - h_2: min -1 - 1 + 1/8 < 0
        (["1/2", "1/2"], [[1, 0, "0", "-1"]]),  # a negative unit multiplier
        (["1/2", "1/2"], [[2, 0, "1", "0"]]),  # layer 2 is the output layer, not hidden
    ]:
        bad = copy.deepcopy(res.certificate)
        bad["proofs"][0]["tree"]["lp"][0][1] = {"y": y, "units": units}
        assert not _same(bad).accepted
    # a valid extra term keeps it accepted: t (x - a z - b) of h_1 with a = b = 1/2 (x <= (z+1)/2)
    # adds 1/100 (h_1 - x/2 - 1/2) whose min over h_1 >= 0, x <= 1 is -1/100: 1/8 - 1/100 > 0
    ok = copy.deepcopy(res.certificate)
    ok["proofs"][0]["tree"]["lp"][0][1] = {"y": ["1/2", "1/2"], "units": [[1, 0, "0", "1/100"]]}
    assert _same(ok).accepted


def _net(seed: int) -> tuple[ResNet, list, list, dict]:
    rng = random.Random(seed)

    def q():
        return F(rng.randint(-9, 9), rng.choice([1, 2, 4, 3]))

    dims = [2, 5, 4, 2]
    W = [[[q() for _ in range(dims[k - 1])] for _ in range(dims[k])] for k in range(1, 4)]
    B = [[q() for _ in range(dims[k])] for k in range(1, 4)]
    skips = {(0, 2): [[q(), q()] for _ in range(4)]}
    return ResNet(W=W, B=B, skips=skips, activation="relu"), W, B, skips


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(-4, 4), st.integers(-4, 4), st.integers(0, 3))
def test_every_accepted_lp_leaf_is_infeasible(seed, s0, s1, corner):
    net, W, B, skips = _net(seed)
    rng = random.Random(seed)
    lo = [F(rng.randint(-8, 0), 4), F(rng.randint(-8, 0), 4)]
    hi = [lo[0] + F(rng.randint(1, 8), 4), lo[1] + F(rng.randint(1, 8), 4)]
    pts = [(lo[0] + (hi[0] - lo[0]) * F(i, 12), lo[1] + (hi[1] - lo[1]) * F(j, 12)) for i in range(13) for j in range(13)]
    pts += [(lo[0] + (hi[0] - lo[0]) * F(rng.randint(0, 999), 999), lo[1] + (hi[1] - lo[1]) * F(rng.randint(0, 999), 999))
            for _ in range(100)]
    ys = [realization(W, B, skips, relu, p)[-1] for p in pts]
    # two constraints around the sampled outputs: y_0 <= d_0 and c_1 . y <= d_1, thresholds
    # shifted from the sampled minimum so that some cases are feasible and some are not
    c1 = [F(-1), F(1)] if corner % 2 else [F(1), F(-1)]
    v0 = [y[0] for y in ys]
    v1 = [c1[0] * y[0] + c1[1] * y[1] for y in ys]
    d0 = min(v0) + (max(v0) - min(v0)) * F(s0 + 4, 16)
    d1 = min(v1) + (max(v1) - min(v1)) * F(s1 + 4, 16)
    C = [[F(1), F(0)], c1]
    e = [d0, d1]
    data = network_data(net)
    res = lp_refute(data, np.array([float(v) for v in lo]), np.array([float(v) for v in hi]),
                    np.array([[float(v) for v in row] for row in C]), np.array([float(v) for v in e]))
    if res.dual is None:
        return
    dual = LPDual(tuple(F(v) for v in res.dual["y"]), tuple((k, j, F(s), F(t)) for k, j, s, t in res.dual["units"]))
    cn = load_network(data.to_json())
    slow = lp_lower_bound(cn, _bounds(cn, lo, hi, P), C, e, dual, lo, hi)
    fast = FastNet(cn)
    assert fast.lp_lower_bound(fast.bounds(lo, hi, P), C, e, dual, lo, hi) == slow
    if slow is not None and slow > 0:  # accepted: no exact point of the box may violate
        assert all(any(sum((c * v for c, v in zip(row, y, strict=True)), F(0)) > d for row, d in zip(C, e, strict=True))
                   for y in ys)
