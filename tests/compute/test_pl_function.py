"""Exact piecewise-linear functions of one parameter (symresnet.compute.pl_function): every
form is checked against the expression evaluated with Fractions at its breakpoints, between
them and beyond them (the reference is the expression tree, walked here by hand)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import flint
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.compute.pl_function import PLConverter, PLFunction

T = sympy.Symbol("t", real=True)


def _value(e: sympy.Expr, t: Fraction) -> Fraction:
    """The expression at ``t``, with Fractions (the independent reference)."""
    if e.is_Rational:
        return Fraction(int(e.p), int(e.q))
    if e == T:
        return t
    vals = [_value(a, t) for a in e.args]
    if isinstance(e, sympy.Add):
        return sum(vals, Fraction(0))
    if isinstance(e, sympy.Mul):
        out = Fraction(1)
        for v in vals:
            out *= v
        return out
    if isinstance(e, sympy.Max):
        return max(vals)
    if isinstance(e, sympy.Min):
        return min(vals)
    if isinstance(e, sympy.Abs):
        return abs(vals[0])
    raise AssertionError(f"unexpected {e}")


def _at(f: PLFunction, t: Fraction) -> Fraction:
    q = flint.fmpq(t.numerator, t.denominator)
    s, c = f.pieces[sum(1 for b in f.breaks if b < q)]
    v = s * q + c
    return Fraction(int(v.p), int(v.q))


small = st.builds(sympy.Rational, st.integers(-4, 4), st.integers(1, 3))
leaves = st.one_of(small, st.just(T), st.builds(lambda a, b: a * T + b, small, small))


def _extend(children):
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: p[0] + p[1]),
        pair.map(lambda p: sympy.Max(0, p[0] - p[1])),
        pair.map(lambda p: sympy.Min(p[0], p[1])),
        children.map(sympy.Abs),
        st.tuples(small, children).map(lambda p: p[0] * p[1]),
    )


expressions = st.recursive(leaves, _extend, max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(expressions, st.lists(st.fractions(-20, 20, max_denominator=7), max_size=5))
def test_forms_agree_with_the_expression_everywhere(e, extra):
    f = PLConverter(T, {})(e)
    assert f is not None
    points = [Fraction(int(b.p), int(b.q)) for b in f.breaks]
    probes = set(extra) | set(points)
    for a, b in itertools.pairwise(points):
        probes.add((a + b) / 2)
    lo, hi = (points[0], points[-1]) if points else (Fraction(0), Fraction(0))
    probes |= {lo - 1, lo - 100, hi + 1, hi + 100}
    for x in probes:
        assert _at(f, x) == _value(e, x)
    # reduced: increasing breaks, no two neighbouring pieces equal
    assert list(f.breaks) == sorted(set(f.breaks))
    assert all(f.pieces[i] != f.pieces[i + 1] for i in range(len(f.breaks)))
    # takes_both_signs against the reference: its values at the probes (every breakpoint among
    # them) and its slopes beyond the outermost breakpoints (affine there)
    values = [_value(e, x) for x in probes]
    left = _value(e, lo - 1) - _value(e, lo - 2)  # slope towards -oo
    right = _value(e, hi + 2) - _value(e, hi + 1)  # slope towards +oo
    positive = any(v > 0 for v in values) or left < 0 or right > 0
    negative = any(v < 0 for v in values) or left > 0 or right < 0
    assert f.takes_both_signs == (positive and negative)
