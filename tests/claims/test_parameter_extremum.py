"""The extremum over the box as an exact function of a parameter in the biases
(symresnet.claims.parameter_extremum), against a Fraction reference and the box decider."""

from fractions import Fraction

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.claims.box import box_claim
from symresnet.claims.box_decide import decide_box
from symresnet.claims.parameter_box import decide_parameter_box
from symresnet.model.network import ResNet
from symresnet.model.parameters import Parameter

b = sympy.Symbol("b", real=True)
NET = ResNet(W=[[[1, -1], [2, 1]], [[1, 1]]], B=[[b, 0], [1]], activation="relu")


def relu(v: Fraction) -> Fraction:
    return max(v, Fraction(0))


def reference_max(bv: Fraction) -> Fraction:
    """R = relu(x1 - x2 + b) + relu(2 x1 + x2) + 1 is convex in x: the max is at a vertex."""
    return max(
        relu(x1 - x2 + bv) + relu(2 * x1 + x2) + 1
        for x1 in (Fraction(0), Fraction(1))
        for x2 in (Fraction(0), Fraction(2))
    )


VERDICT = decide_parameter_box(
    box_claim(NET, quantifier="forall", box=[[0, 1], [0, 2]], relation="at_most", expected=10),
    NET,
)


def test_the_issue_example_max_is_5_then_b_plus_4():
    (e,) = VERDICT.extrema
    assert e.side == "max"
    assert e.piecewise(b) == sympy.Piecewise((5, b <= 1), (b + 4, True))
    assert e.text("b") == "5 for b <= 1, b + 4 for b >= 1"


@settings(max_examples=30, deadline=None)
@given(st.fractions(min_value=-30, max_value=30, max_denominator=40))
def test_the_function_agrees_with_corner_enumeration(bv):
    assert VERDICT.extrema[0].at(bv) == reference_max(bv)


def test_bounds_restrict_the_function():
    claim = box_claim(NET, quantifier="exists", box=[[0, 1], [0, 2]], relation="equals", expected=4)
    v = decide_parameter_box(claim, NET, bounds={"b": Parameter(b, sympy.Integer(0), 3)})
    lo, hi = v.extrema
    # min over the box: at x = 0, R = relu(b) + 1 = b + 1 for b >= 0
    assert (lo.side, [(p.lo, p.hi, p.slope, p.intercept) for p in lo.pieces]) == (
        "min",
        [(0, 3, 1, 1)],
    )
    assert [(p.lo, p.hi, p.slope, p.intercept) for p in hi.pieces] == [(0, 1, 0, 5), (1, 3, 1, 4)]


entries = st.integers(min_value=-2, max_value=2)


@st.composite
def bias_nets(draw):
    """A 1-2-2-1 ResNet with b in some biases and a skip from the input to the output."""
    W1 = [[draw(entries)] for _ in range(2)]
    W2 = [[draw(entries) for _ in range(2)] for _ in range(2)]
    W3 = [[draw(entries) for _ in range(2)]]
    coeff = st.sampled_from([0, 1, -1, 2])
    B = [
        [draw(entries) + draw(coeff) * b for _ in range(2)],
        [draw(entries) + draw(coeff) * b for _ in range(2)],
        [draw(entries) + draw(coeff) * b],
    ]
    return ResNet(W=[W1, W2, W3], B=B, skips={(0, 3): [[draw(entries)]]}, activation="relu")


@settings(max_examples=15, deadline=None)
@given(
    bias_nets(),
    st.lists(st.fractions(min_value=-6, max_value=6, max_denominator=7), min_size=4, max_size=4),
)
def test_random_networks_min_and_max_agree_with_the_box_decider(net, values):
    if not net.free_symbols:
        return
    claim = box_claim(net, quantifier="forall", box=[[-1, 2]], relation="equals", expected=0)
    lo, hi = decide_parameter_box(claim, net).extrema
    ends = [p.lo for p in hi.pieces if p.lo is not None]
    for bv in [*values, *ends]:
        q = sympy.Rational(bv.numerator, bv.denominator)
        fixed = decide_box(claim, net.replace(B=[m.subs(b, q) for m in net.B]))
        assert lo.at(bv) == fixed.minimum[0].value and hi.at(bv) == fixed.maximum[0].value
