"""Box claims decided by the verification engine (symresnet/verify/box_claims.py).

The routed verdict must equal the region engine's (``decide_box``, exact extrema by LP on the
linear regions) on random 3-input networks, for claims that hold with room, tight claims
(``y`` = the exact maximum: never a counterexample) and false ones, whose counterexample is
re-checked here by the Fraction reference of tests/reference.py and must lie in the box.
"""

from __future__ import annotations

from fractions import Fraction

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings
from reference import realization, relu

from symresnet import ResNet
from symresnet.claims.box import box_claim
from symresnet.claims.box_decide import decide_box
from symresnet.claims.box_verdict import BoxVerdict
from symresnet.values.relations import Relation
from symresnet.verify.box_claims import (
    VerifiedBoxVerdict,
    box_property,
    decide_box_verified,
    decide_claim,
    routes,
)

BOX = [[-1, 1], [0, 2], [Fraction(-1, 2), 1]]

entry = st.integers(-6, 6).map(lambda v: Fraction(v, 4))


@st.composite
def networks(draw):
    """A ReLU network 3 -> h1 -> h2 -> m with small quarter-integer weights."""
    h1, h2, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    dims = [3, h1, h2, m]
    W = [[[draw(entry) for _ in range(dims[k - 1])] for _ in range(dims[k])] for k in range(1, 4)]
    B = [[draw(entry) for _ in range(dims[k])] for k in range(1, 4)]
    return W, B


def _net(W, B) -> ResNet:
    return ResNet(W=W, B=B, activation="relu")


def _check_point(W, B, point, claim):
    """The point is in the box and its value is the reference realization there."""
    assert all(
        Fraction(lo) <= v <= Fraction(hi) for v, (lo, hi) in zip(point.input, BOX, strict=True)
    )
    assert list(point.value) == realization(W, B, {}, relu, list(point.input))[-1]


def _claim(net, relation, y, quantifier="forall"):
    return box_claim(net, quantifier=quantifier, box=BOX, relation=relation, expected=list(y))


RELATIONS = [Relation.AT_MOST, Relation.LESS, Relation.AT_LEAST, Relation.GREATER]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    networks(),
    st.sampled_from(RELATIONS),
    st.sampled_from(["tight", "room", "false"]),
    st.sampled_from(["forall", "exists"]),
)
def test_routed_verdict_equals_the_region_engine(wb, relation, kind, quantifier):
    W, B = wb
    net = _net(W, B)
    upper = relation in (Relation.AT_MOST, Relation.LESS)
    probe = decide_box(_claim(net, "at_most", [Fraction(0)] * len(B[-1])), net)
    ext = probe.maximum if upper else probe.minimum
    shift = {"tight": Fraction(0), "room": Fraction(1, 3), "false": Fraction(-1, 3)}[kind]
    y = [e.value + (shift if upper else -shift) for e in ext]
    claim = _claim(net, relation, y, quantifier)
    old = decide_box(claim, net)
    new = decide_claim(claim, net, engine="verify", timeout=2.0)
    assert new.holds == old.holds
    if isinstance(new, VerifiedBoxVerdict):
        if new.counterexample is not None:
            _check_point(W, B, new.counterexample, claim)
            assert not all(
                relation.holds(v, t) for v, t in zip(new.counterexample.value, y, strict=True)
            )
        if new.witness is not None:
            _check_point(W, B, new.witness, claim)
            assert all(relation.holds(v, t) for v, t in zip(new.witness.value, y, strict=True))
    else:  # the region engine's verdict, unchanged
        assert isinstance(new, BoxVerdict)


def test_a_tight_claim_is_never_refuted_and_falls_back():
    # R(x) = relu(x_1) - 1 on the box: max = 0 at x_1 = 1, on a whole face
    net = _net([[[1, 0, 0]], [[1]]], [[0], [-1]])
    claim = _claim(net, "at_most", [0])
    assert decide_box_verified(claim, net, timeout=2.0) is None
    verdict = decide_claim(claim, net, engine="verify", timeout=2.0)
    assert isinstance(verdict, BoxVerdict) and verdict.holds


def test_a_false_claim_has_an_exact_counterexample_in_the_box():
    W, B = [[[1, 1, 1]], [[2]]], [[0], [Fraction(-1, 3)]]  # R = 2 relu(x1+x2+x3) - 1/3
    net = _net(W, B)
    claim = _claim(net, "at_most", [5])  # max = 2 * 4 - 1/3 = 23/3 > 5
    verdict = decide_box_verified(claim, net, timeout=2.0)
    assert isinstance(verdict, VerifiedBoxVerdict) and not verdict.holds
    ce = verdict.counterexample
    assert ce is not None
    _check_point(W, B, ce, claim)
    assert ce.value[0] > 5


def test_a_true_claim_carries_a_checked_certificate():
    W, B = [[[1, 1, 1]], [[2]]], [[0], [Fraction(-1, 3)]]  # max 23/3
    net = _net(W, B)
    verdict = decide_box_verified(_claim(net, "less", [8]), net, timeout=2.0)
    assert isinstance(verdict, VerifiedBoxVerdict) and verdict.holds
    assert verdict.certificate is not None and verdict.certificate["result"] == "unsat"
    assert verdict.leaves >= 1


def test_the_property_is_the_violation():
    net = _net([[[1, 0, 0]], [[1], [-1]]], [[0], [0, 0]])
    prop = box_property(_claim(net, "at_most", [1, 2]), 2)
    assert prop is not None and len(prop.cases) == 2  # some output above its bound
    (c1,), (c2,) = (case.constraints for case in prop.cases)
    assert (c1.coefficients, c1.rhs) == ((-1, 0), -1)  # -R_1 <= -1: R_1 >= 1
    assert (c2.coefficients, c2.rhs) == ((0, -1), -2)
    assert prop.cases[0].lo == (-1, 0, Fraction(-1, 2)) and prop.cases[0].hi == (1, 2, 1)
    (witness,) = box_property(_claim(net, "at_least", [1, 2], "exists"), 2).cases
    assert [(c.coefficients, c.rhs) for c in witness.constraints] == [((-1, 0), -1), ((0, -1), -2)]
    assert box_property(_claim(net, "equals", [1, 2]), 2) is None


def test_auto_routes_only_from_three_inputs_and_twelve_neurons():
    small = _net([[[1, 0, 0]], [[1]]], [[0], [0]])
    wide = _net([[[1, 0, 0]] * 12, [[1] * 12]], [[0] * 12, [0]])
    narrow = _net([[[1, 0, 0]] * 11, [[1] * 11]], [[0] * 11, [0]])
    two = _net([[[1, 0]] * 12, [[1] * 12]], [[0] * 12, [0]])
    assert not routes(_claim(small, "at_most", [1]), small)
    assert routes(_claim(wide, "at_most", [1]), wide)
    assert not routes(_claim(narrow, "at_most", [1]), narrow)
    assert not routes(_claim(wide, "equals", [1]), wide)
    claim2 = box_claim(
        two, quantifier="forall", box=[[0, 1], [0, 1]], relation="at_most", expected=[1]
    )
    assert not routes(claim2, two)
