"""Box claims over a parameter (symresnet.claims.parameter_box) against a Fraction reference."""

from fractions import Fraction

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.claims.box import box_claim
from symresnet.claims.box_decide import decide_box
from symresnet.claims.parameter_box import decide_parameter_box
from symresnet.model.network import ResNet

b = sympy.Symbol("b", real=True)
NET = ResNet(W=[[[1, -1], [2, 1]], [[1, 1]]], B=[[b, 0], [1]], activation="relu")


def relu(v: Fraction) -> Fraction:
    return max(v, Fraction(0))


def reference_max(bv: Fraction) -> Fraction:
    """R = relu(x1 - x2 + b) + relu(2 x1 + x2) + 1 is convex: its max over the box is at a vertex."""
    return max(
        relu(x1 - x2 + bv) + relu(2 * x1 + x2) + 1
        for x1 in (Fraction(0), Fraction(1))
        for x2 in (Fraction(0), Fraction(2))
    )


CLAIM = box_claim(NET, quantifier="forall", box=[[0, 1], [0, 2]], relation="at_most", expected=10)
VERDICT = decide_parameter_box(CLAIM, NET)


def test_the_issue_example_is_b_at_most_6():
    assert VERDICT.set.text("b") == "b <= 6"
    for bv in (
        Fraction(-100),
        Fraction(0),
        Fraction(6),
        Fraction(6) + Fraction(1, 10**9),
        Fraction(50),
    ):
        assert VERDICT.set.contains(bv) == (reference_max(bv) <= 10)
    assert VERDICT.status == "depends" and VERDICT.holds is None
    c = VERDICT.counterexample
    assert c is not None and reference_max(c.value) > 10


@settings(max_examples=15, deadline=None)
@given(st.fractions(min_value=-20, max_value=20, max_denominator=50))
def test_membership_agrees_with_the_point_decision(bv):
    fixed = NET.replace(B=[[sympy.Rational(bv.numerator, bv.denominator), 0], [1]])
    assert bool(decide_box(CLAIM, fixed).holds) == VERDICT.set.contains(bv)
    assert VERDICT.set.contains(bv) == (reference_max(bv) <= 10)


entries = st.integers(min_value=-2, max_value=2)


@st.composite
def parametric_nets(draw):
    """A 1-2-2-1 ResNet with a skip from the input to the output and b in some biases."""
    W1 = [[draw(entries)] for _ in range(2)]
    W2 = [[draw(entries) for _ in range(2)] for _ in range(2)]
    W3 = [[draw(entries) for _ in range(2)]]
    coeff = st.sampled_from([0, 1, -1, 2])
    B = [
        [draw(entries) + draw(coeff) * b for _ in range(2)],
        [draw(entries) + draw(coeff) * b for _ in range(2)],
        [draw(entries) + draw(coeff) * b],
    ]
    net = ResNet(W=[W1, W2, W3], B=B, skips={(0, 3): [[draw(entries)]]}, activation="relu")
    return net


@settings(max_examples=20, deadline=None)
@given(
    parametric_nets(),
    st.sampled_from(["forall", "exists"]),
    st.sampled_from(["at_most", "at_least", "less", "greater", "equals"]),
    st.integers(min_value=-3, max_value=3),
    st.lists(st.fractions(min_value=-6, max_value=6, max_denominator=7), min_size=3, max_size=3),
)
def test_random_networks_agree_with_the_point_decider(net, quantifier, relation, y, values):
    if not net.free_symbols:
        return
    claim = box_claim(net, quantifier=quantifier, box=[[-1, 2]], relation=relation, expected=y)
    verdict = decide_parameter_box(claim, net)
    for bv in [*values, *verdict.breakpoints]:
        q = sympy.Rational(bv.numerator, bv.denominator)
        fixed = net.replace(B=[m.subs(b, q) for m in net.B])
        assert bool(decide_box(claim, fixed).holds) == verdict.set.contains(bv), (bv, verdict.set)
