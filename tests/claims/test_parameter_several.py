"""Box claims over several parameters (symresnet.claims.parameter_several): exact linear
conditions against hand-derived ones, a Fraction reference and the fixed-parameter box decider;
z3 for parameters in the weights; undecided with the exact condition without z3."""

from fractions import Fraction

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.claims import parameter_several
from symresnet.claims.box import box_claim
from symresnet.claims.box_decide import decide_box
from symresnet.model.network import ResNet
from symresnet.model.parameters import Parameter
from symresnet.present.printers import to_json, to_text

a, b = sympy.symbols("a b", real=True)
#: R = relu(x1 - x2 + b) + relu(2 x1 + x2) + a, convex in x
NET = ResNet(W=[[[1, -1], [2, 1]], [[1, 1]]], B=[[b, 0], [a]], activation="relu")
BOX = [[0, 1], [0, 2]]


def relu(v: Fraction) -> Fraction:
    return max(v, Fraction(0))


def corners(av: Fraction, bv: Fraction) -> list[Fraction]:
    return [
        relu(x1 - x2 + bv) + relu(2 * x1 + x2) + av
        for x1 in (Fraction(0), Fraction(1))
        for x2 in (Fraction(0), Fraction(2))
    ]


def fixed(net: ResNet, av: Fraction, bv: Fraction) -> ResNet:
    sub = {a: sympy.Rational(av.numerator, av.denominator)}
    sub[b] = sympy.Rational(bv.numerator, bv.denominator)
    return net.replace(
        W=[w.subs(sub) for w in net.W],
        B=[v.subs(sub) for v in net.B],
        skips={k: v.subs(sub) for k, v in net.skips.items()},
    )


def holds_at(when, av, bv) -> bool:
    r = when.subs({a: sympy.Rational(av.numerator, av.denominator)})
    return bool(r.subs({b: sympy.Rational(bv.numerator, bv.denominator)}))


FORALL = box_claim(NET, quantifier="forall", box=BOX, relation="at_most", expected=10)
FORALL_VERDICT = FORALL.decide(NET)


def test_the_two_parameter_condition_is_a_at_most_6_and_a_plus_b_at_most_7():
    # by hand: the max over the vertices is a + max(relu(b), relu(1 + b) + 2, relu(b - 2) + 2,
    # relu(b - 1) + 4), which is <= 10 iff a <= 6 and a + b <= 7
    assert FORALL_VERDICT.when == sympy.And(a <= 6, a + b <= 7)
    assert FORALL_VERDICT.status == "depends" and FORALL_VERDICT.several.method == "lp"
    w, c = FORALL_VERDICT.witness, FORALL_VERDICT.counterexample
    assert max(corners(*w.point)) <= 10 < max(corners(*c.point))
    assert (
        to_text(FORALL_VERDICT).splitlines()[0].endswith("holds exactly when a <= 6 and a + b <= 7")
    )
    obj = to_json(FORALL_VERDICT)
    assert sympy.parse_expr(obj["when"], local_dict={"a": a, "b": b}) == FORALL_VERDICT.when
    assert obj["parameters"] == ["a", "b"] and obj["decided"] is True


pairs = st.tuples(
    st.fractions(min_value=-12, max_value=12, max_denominator=5),
    st.fractions(min_value=-12, max_value=12, max_denominator=5),
)


@settings(max_examples=25, deadline=None)
@given(pairs)
def test_the_condition_agrees_with_corner_enumeration(p):
    assert holds_at(FORALL_VERDICT.when, *p) == (max(corners(*p)) <= 10)


EXISTS = box_claim(NET, quantifier="exists", box=BOX, relation="equals", expected=10)
EXISTS_VERDICT = EXISTS.decide(NET)


@settings(max_examples=12, deadline=None)
@given(pairs)
def test_an_exists_condition_agrees_with_the_box_decider(p):
    # R is continuous on the connected box: it takes the value 10 iff min <= 10 <= max
    assert holds_at(EXISTS_VERDICT.when, *p) == bool(decide_box(EXISTS, fixed(NET, *p)).holds)


def test_bounds_where_it_always_holds():
    bounds = {"a": Parameter(a, sympy.Integer(0), 5), "b": Parameter(b, sympy.Integer(0), 1)}
    v = FORALL.decide(NET, bounds=bounds)
    assert v.status == "holds" and v.holds is True and v.counterexample is None


entries = st.integers(min_value=-2, max_value=2)


@st.composite
def two_parameter_nets(draw):
    coeff = st.sampled_from([0, 1, -1])
    W1 = [[draw(entries)] for _ in range(2)]
    W2 = [[draw(entries), draw(entries)]]
    B = [
        [draw(entries) + draw(coeff) * a + draw(coeff) * b for _ in range(2)],
        [draw(entries) + draw(coeff) * a + draw(coeff) * b],
    ]
    return ResNet(W=[W1, W2], B=B, skips={(0, 2): [[draw(entries)]]}, activation="relu")


@settings(max_examples=12, deadline=None)
@given(
    two_parameter_nets(),
    st.sampled_from(["forall", "exists"]),
    st.sampled_from(["at_most", "greater", "equals"]),
    st.integers(min_value=-2, max_value=2),
    st.lists(pairs, min_size=3, max_size=3),
)
def test_random_two_parameter_networks_agree_with_the_box_decider(net, q, rel, y, points):
    if len(net.free_symbols) != 2:
        return
    claim = box_claim(net, quantifier=q, box=[[-1, 2]], relation=rel, expected=y)
    v = claim.decide(net)
    for p in points:
        assert holds_at(v.when, *p) == bool(decide_box(claim, fixed(net, *p)).holds), p


#: a parameter in a weight: R = b relu(2 x1 + x2) + relu(a x1 - x2) + 1
WEIGHTS = ResNet(W=[[[a, -1], [2, 1]], [[1, b]]], B=[[0, 0], [1]], activation="relu")
WCLAIM = box_claim(WEIGHTS, quantifier="forall", box=BOX, relation="at_most", expected=10)


def test_weights_are_decided_by_z3_with_checked_points():
    v = WCLAIM.decide(WEIGHTS)
    assert v.status == "depends" and v.several.method == "z3"
    w, c = v.witness, v.counterexample
    assert w is not None and c is not None  # both re-decided by the box decider
    assert bool(decide_box(WCLAIM, fixed(WEIGHTS, *w.point)).holds)
    assert not decide_box(WCLAIM, fixed(WEIGHTS, *c.point)).holds
    # at a = 0, b = 0: R = 1 everywhere, so the claim cannot fail for every value
    bounds = {"a": Parameter(a, sympy.Integer(0), 1), "b": Parameter(b, sympy.Integer(0), 1)}
    assert WCLAIM.decide(WEIGHTS, bounds=bounds).status == "holds"


def test_without_z3_the_exact_condition_is_reported(monkeypatch):
    monkeypatch.setattr(parameter_several, "z3_available", lambda: False)
    v = WCLAIM.decide(WEIGHTS)
    assert v.status == "undecided" and v.holds is None and v.when is None
    obj = to_json(v)
    assert obj["status"] == "undecided" and obj["decided"] is False
    cond = obj["condition"]
    assert cond["quantifier"] == "forall" and cond["box"] == [["0", "1"], ["0", "2"]]
    x1, x2 = sympy.symbols("x_1 x_2", real=True)
    rel = sympy.parse_expr(cond["relation"], local_dict={"a": a, "b": b, "x_1": x1, "x_2": x2})
    # the condition is the realization, checked at points against a Fraction reference
    for av, bv, u, v2 in [(1, 2, 1, 0), (-3, 1, Fraction(1, 2), 2), (5, -1, 1, 1)]:
        R = bv * relu(2 * Fraction(u) + v2) + relu(av * Fraction(u) - v2) + 1
        at = {a: av, b: bv, x1: sympy.Rational(u), x2: v2}
        assert bool(rel.subs(at)) == (R <= 10)
    assert "UNDECIDED" in to_text(v) and "exact condition: for every x in the box" in to_text(v)
