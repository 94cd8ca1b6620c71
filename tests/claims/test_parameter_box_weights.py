"""Box claims over a parameter in the weights (symresnet.claims.parameter_weights), against
hand-derived sets, Fraction references and the fixed-parameter box decider."""

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet import check_box
from symresnet.claims import parameter_weights
from symresnet.claims.box import box_claim
from symresnet.claims.box_decide import decide_box
from symresnet.claims.parameter_box import decide_parameter_box
from symresnet.model.network import ResNet
from symresnet.model.parameters import Parameter, substitute
from symresnet.present.printers import to_json, to_text

b = sympy.Symbol("b", real=True)
SQRT2 = sympy.sqrt(2)
#: R(x) = b relu(b x): on [0, 1] its maximum is b^2 for b > 0 (at x = 1) and 0 for b <= 0
SQUARE = ResNet(W=[[[b]], [[b]]], B=[[0], [0]], activation="relu")


def relu(v: Fraction) -> Fraction:
    return max(v, Fraction(0))


def square_max(bv: Fraction) -> Fraction:
    """1-D piecewise linear: the maximum over [0, 1] is at an end or the breakpoint x = 0."""
    return max(bv * relu(bv * x) for x in (Fraction(0), Fraction(1)))


def claim(net, quantifier, box, relation, y):
    return box_claim(net, quantifier=quantifier, box=box, relation=relation, expected=y)


def test_the_end_is_sqrt_2_closed_for_at_most():
    v = decide_parameter_box(claim(SQUARE, "forall", [[0, 1]], "at_most", 2), SQUARE)
    assert v.when == (b <= SQRT2)
    (span,) = v.set.spans
    assert span.lo is None and span.hi is not None and span.hi.expr() == SQRT2 and span.hi_closed
    assert [e.expr() for e in v.ends] == [-SQRT2, 0, SQRT2]
    assert v.status == "depends" and v.counterexample is not None
    assert square_max(v.counterexample.value) > 2 and square_max(v.witness.value) <= 2
    # the irrational end was decided by z3, the rational cells by the box decider
    assert {c.method for c in v.cells} == {"box", "z3"}


def test_less_leaves_the_end_out_and_exists_equals_gets_the_other_side():
    less = decide_parameter_box(claim(SQUARE, "forall", [[0, 1]], "less", 2), SQUARE)
    assert less.when == (b < SQRT2)
    # b relu(b x) takes every value in [0, b^2] on [0, 1]: some x gives 2 iff b^2 >= 2, b > 0
    hit = decide_parameter_box(claim(SQUARE, "exists", [[0, 1]], "equals", 2), SQUARE)
    assert hit.when == (b >= SQRT2)


def test_declared_bounds_clip_the_set():
    c = claim(SQUARE, "forall", [[0, 1]], "at_most", 2)
    v = decide_parameter_box(c, SQUARE, bounds={"b": Parameter(b, sympy.Integer(-1), 3)})
    assert v.when == ((b >= -1) & (b <= SQRT2))


#: R = relu(b x1 - x2) + relu(2 x1 + x2) + 1 is convex in x: its maximum over [0,1] x [0,2]
#: is at a vertex, max(3 + relu(b), 5 + relu(b - 2)); so R <= 10 on the box iff b <= 7
PLANE = ResNet(W=[[[b, -1], [2, 1]], [[1, 1]]], B=[[0, 0], [1]], activation="relu")
PLANE_CLAIM = claim(PLANE, "forall", [[0, 1], [0, 2]], "at_most", 10)
PLANE_VERDICT = decide_parameter_box(PLANE_CLAIM, PLANE)


def plane_max(bv: Fraction) -> Fraction:
    return max(
        relu(bv * x1 - x2) + relu(2 * x1 + x2) + 1
        for x1 in (Fraction(0), Fraction(1))
        for x2 in (Fraction(0), Fraction(2))
    )


def test_a_weight_in_the_plane_is_b_at_most_7():
    assert PLANE_VERDICT.set.text("b") == "b <= 7"


@settings(max_examples=25, deadline=None)
@given(st.fractions(min_value=-20, max_value=20, max_denominator=30))
def test_the_plane_set_agrees_with_corner_enumeration(bv):
    assert PLANE_VERDICT.set.contains(bv) == (plane_max(bv) <= 10)


entries = st.integers(min_value=-2, max_value=2)


@st.composite
def weight_nets(draw):
    """A 1-2-1 ResNet with b (or b^2) in some weights and biases, and a skip 0 -> 2."""
    coeff = st.sampled_from([0, 0, 1, -1])
    entry = lambda: draw(entries) + draw(coeff) * b  # noqa: E731
    W1 = [[entry()] for _ in range(2)]
    W2 = [[entry(), draw(entries)]]
    B = [[draw(entries), entry()], [draw(entries) + draw(st.sampled_from([0, 1])) * b**2]]
    act = draw(st.sampled_from(["relu", {"name": "leaky_relu", "gamma": "1/2"}]))
    return ResNet(W=[W1, W2], B=B, skips={(0, 2): [[draw(entries)]]}, activation=act)


@settings(max_examples=15, deadline=None)
@given(
    weight_nets(),
    st.sampled_from(["forall", "exists"]),
    st.sampled_from(["at_most", "at_least", "less", "greater", "equals"]),
    st.integers(min_value=-3, max_value=3),
    st.lists(st.fractions(min_value=-5, max_value=5, max_denominator=6), min_size=3, max_size=3),
)
def test_random_weight_networks_agree_with_the_fixed_parameter_decider(
    net, quantifier, relation, y, values
):
    if not net.free_symbols:
        return
    c = claim(net, quantifier, [[-1, 2]], relation, y)
    verdict = decide_parameter_box(c, net)
    rational_ends = [e.value for e in verdict.ends if e.is_rational]
    for bv in [*values, *rational_ends]:
        fixed = substitute(net, {b: sympy.Rational(bv.numerator, bv.denominator)})
        assert bool(decide_box(c, fixed).holds) == verdict.set.contains(bv), (bv, verdict.set)


def test_without_z3_an_irrational_end_is_undecided(monkeypatch):
    monkeypatch.setattr(parameter_weights, "z3_available", lambda: False)
    v = decide_parameter_box(claim(SQUARE, "forall", [[0, 1]], "at_most", 2), SQUARE)
    assert v.status == "undecided" and v.holds is None
    assert v.undecided.relational(b) == sympy.Or(sympy.Eq(b, -SQRT2), sympy.Eq(b, SQRT2))
    # what is proven stays exact: the open cells and the rational end 0
    assert v.when == ((b < -SQRT2) | ((b > -SQRT2) & (b < SQRT2)))
    obj = to_json(v)
    assert obj["status"] == "undecided" and obj["decided"] is False
    assert sympy.parse_expr(obj["undecided"], local_dict={"b": b}) == v.undecided.relational(b)
    assert "undecided at b = -sqrt(2) or b = sqrt(2)" in to_text(v)


def test_too_many_patterns_is_a_claim_error():
    wide = ResNet(W=[[[b]] * 13, [[1] * 13]], B=[[0] * 13, [0]], activation="relu")
    with pytest.raises(Exception, match="activation patterns"):
        decide_parameter_box(claim(wide, "forall", [[0, 1]], "at_most", 1), wide)


def test_check_box_on_a_network_with_a_parameter_answers_the_set():
    v = check_box(SQUARE, forall=[[0, 1]], at_most=2, label="Q")
    assert v.when == (b <= SQRT2) and v.claim.label == "Q"
