"""solve.simplify: simpler conditions that describe the same set, checked at exact points."""

from fractions import Fraction

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.solve.conditions import Solver, constraint
from symresnet.solve.simplify import simplify

a, b = sympy.symbols("a b", real=True)


def _holds(dnf, point):
    """The disjunction at a rational point, by direct substitution (no solver)."""

    def one(c):
        v = sympy.Rational(c.expr.xreplace(point))
        return v < 0 if c.rel == "<" else (v <= 0 if c.rel == "<=" else v == 0)

    return any(all(one(c) for c in conj) for conj in dnf)


ISSUE = [(constraint(b + 2, "<="),), (constraint(-b - 2, "<"), constraint(a * b + 2 * a, "<="))]


def test_the_issues_two_parameter_answer_becomes_b_le_minus_2_or_a_le_0():
    out = simplify(ISSUE, Solver())
    assert set(out) == {(constraint(b + 2, "<="),), (constraint(a, "<="),)}


def test_a_disjunct_inside_another_is_dropped():
    dnf = [(constraint(a, "<="),), (constraint(a + 1, "<="),)]  # a <= -1 lies in a <= 0
    assert simplify(dnf, Solver()) == ((constraint(a, "<="),),)


def test_a_constraint_that_matters_stays():
    dnf = [(constraint(a, "<="), constraint(b, "<"))]
    assert simplify(dnf, Solver()) == tuple(dnf)


coeff = st.integers(-3, 3)
atom = st.tuples(coeff, coeff, coeff, st.sampled_from(["<", "<="]))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(atom, min_size=1, max_size=3), min_size=1, max_size=3),
    st.lists(
        st.tuples(st.fractions(-4, 4, max_denominator=3), st.fractions(-4, 4, max_denominator=3)),
        min_size=5,
        max_size=5,
    ),
)
def test_simplify_keeps_the_set(raw, points):
    dnf = []
    for conj in raw:
        cs = [constraint(p * a + q * b + r, rel) for p, q, r, rel in conj]
        if any(c is False for c in cs):
            continue
        dnf.append(tuple(c for c in cs if c is not True))
    out = simplify(dnf, Solver(use_z3=False))
    for x, y in [*points, (Fraction(0), Fraction(0)), (Fraction(-2), Fraction(1))]:
        pt = {a: sympy.Rational(x), b: sympy.Rational(y)}
        assert _holds(out, pt) == _holds(dnf, pt)
