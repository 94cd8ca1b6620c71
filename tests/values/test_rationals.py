"""values.rationals: the one place where exact rationals change type."""

from __future__ import annotations

from fractions import Fraction

import flint
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from symresnet.values.rationals import to_fmpq, to_fraction, to_rational

fractions = st.fractions(max_denominator=10**30)


def _forms(q: Fraction) -> list[object]:
    """The same rational in each representation, built without the module under test."""
    forms: list[object] = [
        q,
        sympy.Rational(q.numerator, q.denominator),
        flint.fmpq(q.numerator, q.denominator),
    ]
    if q.denominator == 1:
        forms += [q.numerator, flint.fmpz(q.numerator), sympy.Integer(q.numerator)]
    return forms


@given(fractions)
def test_every_form_converts_to_every_other_exactly(q):
    for form in _forms(q):
        assert to_fraction(form) == q and type(to_fraction(form)) is Fraction
        f = to_fmpq(form)
        assert isinstance(f, flint.fmpq) and (int(f.p), int(f.q)) == (q.numerator, q.denominator)
        r = to_rational(form)
        assert isinstance(r, sympy.Rational)
        assert (int(r.p), int(r.q)) == (q.numerator, q.denominator)


@pytest.mark.parametrize("bad", [0.5, True, float("nan"), "1/2", sympy.sqrt(2), sympy.Symbol("a")])
def test_floats_booleans_and_non_rationals_are_refused(bad):
    for convert in (to_fmpq, to_fraction, to_rational):
        with pytest.raises(TypeError, match="exact"):
            convert(bad)
