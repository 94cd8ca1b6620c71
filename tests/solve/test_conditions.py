"""Exact decisions on polynomial conditions: LP, root isolation, z3, exact real sets.

Expected sets and points are worked out by hand (roots of small polynomials)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.solve.conditions import Solver, constraint, negation, z3_available
from symresnet.solve.realsets import RealNumber, RealSet, simplest_rational

a, b, t = sympy.symbols("a b t", real=True)
needs_z3 = pytest.mark.skipif(not z3_available(), reason="z3-solver not installed")


def poly(expr):
    return sympy.Poly(expr, t, domain=sympy.QQ)


def test_constraint_normal_form_and_text():
    assert constraint(2 * a + 4, "<=").text() == "a <= -2"
    assert constraint(-a - 3, "<").text() == "a > -3"
    assert constraint(-2 * a + 6, "==").text() == "a = 3"
    assert constraint(-b - 5 * a - 32, "<=").text() == "5*a + b >= -32"
    assert constraint(sympy.Integer(-1), "<") is True
    assert constraint(sympy.Integer(0), "<") is False
    assert constraint(sympy.sqrt(2) - 1, "<=") is False  # closed-form constants: certified sign
    assert [n.text() for n in negation(constraint(a - 1, "=="))] == ["a < 1", "a > 1"]


def test_lp_in_several_variables():
    s = Solver(use_z3=False)
    # a + b < 1, a > 0, b > 0: the open triangle
    d = s.feasible([constraint(a + b - 1, "<"), constraint(-a, "<"), constraint(-b, "<")])
    assert d.feasible is True and d.method == "lp"
    pa, pb = d.point[a], d.point[b]
    assert pa > 0 and pb > 0 and pa + pb < 1
    # a + b <= 0, a > 0, b >= 0: empty
    assert (
        s.feasible([constraint(a + b, "<="), constraint(-a, "<"), constraint(-b, "<=")]).feasible
        is False
    )
    # equalities: a = 2b and a + b = 3 -> (2, 1)
    d = s.feasible([constraint(a - 2 * b, "=="), constraint(a + b - 3, "==")])
    assert d.point == {a: 2, b: 1}


def test_univariate_roots_exact():
    s = Solver(use_z3=False)
    d = s.feasible([constraint(a**2 - 2, "=="), constraint(-a, "<")])
    assert d.feasible is True and d.method == "roots" and d.point[a] == sympy.sqrt(2)
    # a^2 < 2 and a > 7/5: sqrt(2) = 1.41421... > 1.4, so nonempty; and a > 3/2: empty
    assert s.feasible(
        [constraint(a**2 - 2, "<"), constraint(sympy.Rational(7, 5) - a, "<")]
    ).feasible
    assert (
        s.feasible([constraint(a**2 - 2, "<"), constraint(sympy.Rational(3, 2) - a, "<")]).feasible
        is False
    )
    # (a - 1)^2 <= 0 only at 1
    assert s.feasible([constraint((a - 1) ** 2, "<=")]).point == {a: 1}


@needs_z3
def test_z3_nonlinear_several_variables():
    s = Solver()
    d = s.feasible([constraint(a * b - 2, "=="), constraint(a - b, "=="), constraint(-a, "<")])
    assert d.feasible is True and d.method == "z3"
    assert d.point[a] == sympy.sqrt(2) and d.point[b] == sympy.sqrt(2)
    assert (
        s.feasible(
            [constraint(a * b - 2, "<"), constraint(a - 3, "<"), constraint(3 - a, "<")]
        ).feasible
        is False
    )


def test_without_z3_nonlinear_is_undecided():
    s = Solver(use_z3=False)
    assert s.feasible([constraint(a * b - 2, "==")]).feasible is None
    assert s.feasible([constraint(sympy.sqrt(2) * a - 1, "<")]).feasible is None


def test_implies_irredundant_merge():
    s = Solver(use_z3=False)
    c1, c2 = constraint(a + 2, "<="), constraint(a, "<")
    assert s.implies([c1], c2) is True and s.implies([c2], c1) is False
    assert s.irredundant([c1, c2, c1]) == (c1,)
    # (a <= -2) union (-2 < a <= 5) is a <= 5; (a <= -2) union (a > 0) is not one interval
    merged = s.merge([c1], [constraint(-a - 2, "<"), constraint(a - 5, "<=")])
    assert merged == (constraint(a - 5, "<="),)
    assert s.merge([c1], [constraint(-a, "<")]) is None
    # a = 1 together with a < 1 gives a <= 1
    assert s.merge([constraint(a - 1, "==")], [constraint(a - 1, "<")]) == (
        constraint(a - 1, "<="),
    )


def test_real_set_with_algebraic_ends():
    # t^2 - 2 <= 0 or t = 3: [-sqrt 2, sqrt 2] and {3}
    rs = RealSet.from_dnf([[(poly(t**2 - 2), "<=")], [(poly(t - 3), "==")]])
    assert rs.sympy_set() == sympy.Union(
        sympy.Interval(-sympy.sqrt(2), sympy.sqrt(2)), sympy.FiniteSet(3)
    )
    assert rs.text("t") == "-sqrt(2) <= t <= sqrt(2) or t = 3"
    assert rs.witness() == 0
    # its complement: (-oo, -sqrt2) u (sqrt2, 3) u (3, oo)
    co = RealSet.from_dnf([[(poly(t**2 - 2), "<=")], [(poly(t - 3), "==")]], negate=True)
    assert len(co.spans) == 3 and not co.contains(0) and co.contains(Fraction(3, 2))


def test_cubic_root_is_exact():
    rs = RealSet.from_dnf([[(poly(t**3 - 2), "==")]])
    (span,) = rs.spans
    r = span.lo.expr()
    assert sympy.simplify(r**3 - 2) == 0 and r.is_real
    # close roots are told apart: t^2 - 2 and t - 99/70 (= 1.41428...) and t - 140/99 (1.41414...)
    rs = RealSet.from_dnf(
        [[(poly(t**2 - 2), "<"), (poly(99 * t - 140), "<=")]],
    )
    assert rs.contains(Fraction(140, 99)) and not rs.contains(Fraction(99, 70))


def test_real_number_order():
    r2 = RealNumber(Fraction(1), Fraction(2), (-2, 0, 1), 1)  # sqrt 2
    assert RealNumber.rational(Fraction(7, 5)) < r2 < RealNumber.rational(Fraction(99, 70))
    assert r2 == RealNumber(Fraction(1, 2), Fraction(3, 2), (-2, 0, 1), 1)


@pytest.mark.parametrize(
    ("lo", "hi", "lc", "hc", "want"),
    [
        (None, None, False, False, 0),
        (Fraction(-5), Fraction(-2), False, True, -2),
        (Fraction(-5), Fraction(-2), False, False, -3),
        (None, Fraction(-2), False, True, -2),
        (Fraction(1, 3), Fraction(1, 2), False, False, Fraction(2, 5)),
        (Fraction(1, 3), Fraction(1, 2), False, True, Fraction(1, 2)),
        (Fraction(7, 5), Fraction(99, 70), False, False, Fraction(24, 17)),
    ],
)
def test_simplest_rational(lo, hi, lc, hc, want):
    assert simplest_rational(lo, hi, lo_closed=lc, hi_closed=hc) == want


@settings(max_examples=60, deadline=None)
@given(
    st.fractions(min_value=-20, max_value=20, max_denominator=50),
    st.fractions(min_value=-20, max_value=20, max_denominator=50),
)
def test_simplest_rational_lies_inside(x, y):
    lo, hi = min(x, y), max(x, y)
    if lo == hi:
        return
    q = simplest_rational(lo, hi)
    assert lo < q < hi


def test_constraint_text_is_computed_once_and_stays_the_same():
    """``Constraint.text`` is cached (it is the solver's sort key): asked again, it gives the
    same string, written out by hand, and the cache does not touch equality or hashing."""
    a = sympy.Symbol("a", real=True)
    c = constraint(2 * a + 4, "<=")
    assert c.text() == "a <= -2"
    assert c.text() == "a <= -2" and str(c) == "a <= -2"
    d = constraint(2 * a + 4, "<=")
    assert c == d and hash(c) == hash(d) and len({c, d}) == 1
