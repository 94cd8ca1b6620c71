"""values.intervals and values.relations.sign: rigorous interval bounds for closed forms, and
exact zeros only by exact proofs (issue 16)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import pytest
import sympy
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet import compare
from symresnet.values.intervals import MAX_PRECISION, PRECISIONS, enclosure, interval_sign
from symresnet.values.relations import _algebraic_zero, _logs_expand_to_zero, sign

S = sympy.S
tanh_1000 = sympy.tanh(1000)
softplus_1000 = sympy.log(1 + sympy.exp(1000))
#: true identities sympy does not prove (the first: cos(pi/7) - cos(2pi/7) + cos(3pi/7) = 1/2)
UNPROVEN_ZEROS = [
    sympy.cos(sympy.pi / 7) - sympy.cos(2 * sympy.pi / 7) + sympy.cos(3 * sympy.pi / 7) - S.Half,
    sympy.atan(S(1) / 2) + sympy.atan(S(1) / 3) - sympy.pi / 4,
]


def test_precisions_double_up_to_the_maximum():
    assert PRECISIONS[0] == 64 and PRECISIONS[-1] == MAX_PRECISION
    assert all(b == 2 * a for a, b in itertools.pairwise(PRECISIONS))


# -- the comparisons ----------------------------------------------------------------------


def test_tanh_1000_is_below_one():
    assert compare("less", tanh_1000, 1) is True
    assert compare("at_most", tanh_1000, 1) is True
    assert compare("equals", tanh_1000, 1) is False
    assert compare("greater", tanh_1000, 1) is False
    # 1 - tanh(1000) = 2 / (e^2000 + 1), about 10^-868.6: needs some 2,900 bits
    assert compare("greater", tanh_1000, 1 - sympy.Rational(1, 10**800)) is True
    assert compare("less", tanh_1000, 1 - sympy.Rational(1, 10**900)) is True


def test_softplus_1000_is_above_1000():
    assert compare("greater", softplus_1000, 1000) is True
    assert compare("equals", softplus_1000, 1000) is False
    # softplus(1000) - 1000 = log(1 + e^-1000), about 5.1 * 10^-435
    assert compare("less", softplus_1000, 1000 + sympy.Rational(1, 10**434)) is True
    assert compare("greater", softplus_1000, 1000 + sympy.Rational(1, 10**435)) is True


def test_nonzero_signs_of_closed_forms():
    assert interval_sign(tanh_1000 - 1) == -1
    assert interval_sign(softplus_1000 - 1000) == 1
    assert interval_sign(sympy.pi - Fraction(22, 7)) == -1
    assert interval_sign(sympy.exp(sympy.pi * sympy.sqrt(163)) - 640320**3 - 744) == -1
    assert interval_sign(sympy.sqrt(2) - sympy.Rational(141421356237, 10**11)) == 1
    assert interval_sign(sympy.erf(sympy.Rational(1, 2)) - sympy.Rational(1, 2)) == 1


def test_interval_sign_never_claims_a_zero_or_a_symbol():
    assert interval_sign(sympy.log(6) - sympy.log(2) - sympy.log(3)) is None
    assert interval_sign(S.Zero) is None
    assert interval_sign(sympy.Symbol("a") + 1) is None
    for d in UNPROVEN_ZEROS:
        assert interval_sign(d) is None


def test_unsupported_nodes_give_no_bound():
    assert enclosure(sympy.zeta(3) + 1, 64) is None  # zeta: not in the table
    assert interval_sign(sympy.zeta(3) - 1) is None
    assert enclosure(sympy.Symbol("a"), 64) is None
    # a logarithm of a number not proven positive: no bound (arb's nan is never a proof)
    assert interval_sign(sympy.log(sympy.Add(S.Half, -S.Half, evaluate=False))) is None


def test_ball_contains_the_value():
    ball = enclosure(sympy.Rational(1, 3), 64)
    assert (ball * 3).contains(1) and ball.rad() < arb(2) ** -60
    ball = enclosure(sympy.sqrt(2), 128)
    assert (ball * ball).contains(2) and ball.rad() < arb(2) ** -120


# -- sign: nonzero by intervals, zero only by an exact proof ------------------------------------


@pytest.mark.parametrize(
    "d",
    [
        sympy.log(6) - sympy.log(2) - sympy.log(3),
        sympy.log(12) - 2 * sympy.log(2) - sympy.log(3),
        sympy.sqrt(2) + sympy.sqrt(3) - sympy.sqrt(5 + 2 * sympy.sqrt(6)),
        sympy.log(2 + sympy.sqrt(3)) + sympy.log(2 - sympy.sqrt(3)),
        sympy.tanh(sympy.log(2)) - sympy.Rational(3, 5),
    ],
)
def test_exact_zeros_are_proven(d):
    assert sign(d) == 0


@pytest.mark.parametrize("d", UNPROVEN_ZEROS)
def test_zeros_sympy_cannot_prove_stay_undecided(d):
    assert sign(d) is None


def test_log_expansion_only_for_positive_factors():
    assert _logs_expand_to_zero(sympy.log(6) - sympy.log(2) - sympy.log(3))
    assert _logs_expand_to_zero(sympy.log(3 * sympy.sqrt(2)) - sympy.log(3) - sympy.log(2) / 2)
    # log(xy) = log x + log y fails for x, y < 0; the guard must refuse before expanding
    u, v = 1 - sympy.sqrt(2), 1 - sympy.sqrt(3)
    product = sympy.Mul(u, v, evaluate=False)
    d = sympy.log(product) - sympy.log(-u) - sympy.log(-v)  # truly 0: uv = (-u)(-v)
    assert not _logs_expand_to_zero(d)  # a negative factor: no expansion, no claim


def test_minimal_polynomial_proves_algebraic_zeros():
    assert _algebraic_zero(sympy.sqrt(2) + sympy.sqrt(3) - sympy.sqrt(5 + 2 * sympy.sqrt(6)))
    assert not _algebraic_zero(sympy.sqrt(2) - 1)
    assert not _algebraic_zero(sympy.log(6) - sympy.log(2) - sympy.log(3))  # not algebraic


# -- properties against independent arithmetic --------------------------------------------------

fractions = st.fractions(min_value=-50, max_value=50, max_denominator=60)


@settings(max_examples=60, deadline=None)
@given(fractions, fractions)
def test_sign_of_rational_differences_matches_fractions(p, q):
    d = sympy.Rational(p.numerator, p.denominator) - sympy.Rational(q.numerator, q.denominator)
    expected = (p > q) - (p < q)
    assert sign(d) == expected
    if expected:
        assert interval_sign(d + sympy.Rational(0)) == expected


@settings(max_examples=60, deadline=None)
@given(fractions.filter(lambda f: f > 0), fractions)
def test_interval_sign_agrees_with_mpmath_far_from_zero(p, q):
    """``log(p) + exp(q / 10) - tanh(p)`` against 60-digit mpmath, where the value is far from
    0 (mpmath is only a cross-check here; the interval proof is Arb's)."""
    P, Q = sympy.Rational(p.numerator, p.denominator), sympy.Rational(q.numerator, q.denominator)
    d = sympy.log(P) + sympy.exp(Q / 10) - sympy.tanh(P) - 1
    with mpmath.workdps(60):
        mp = mpmath.log(mpmath.mpf(p.numerator) / p.denominator)
        mp += mpmath.exp(mpmath.mpf(q.numerator) / q.denominator / 10)
        mp -= mpmath.tanh(mpmath.mpf(p.numerator) / p.denominator) + 1
        if abs(mp) < mpmath.mpf(10) ** -40:
            return
        expected = 1 if mp > 0 else -1
    assert interval_sign(d) == expected
    assert sign(d) == expected
