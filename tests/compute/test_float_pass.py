"""The float copies with error bounds (symresnet.compute.float_pass), against exact Fractions."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.compute import float_pass, residues


def test_floats_of_digits_skip_zero_top_digits():
    # many primes (for a large magnitude elsewhere), small values, a tiny denominator: the
    # weights of the top digits overflow a float, but those digits are zero
    primes = residues.primes(residues.prime_bound(64), 2**1500)
    assert math.prod(primes[:-1]) > 2**1024
    values = [-7, 0, 5, 2**60 + 1]
    R = residues._int_residues(np, values, primes).reshape(len(primes), 1, 4)
    digits = residues.digits(np, R, primes)
    got = float_pass.floats_of_digits(np, digits, primes, 3, (1, 4))
    assert got is not None
    for v, x, err in zip(values, got[0].ravel(), got[1].ravel(), strict=True):
        assert abs(Fraction(x) - Fraction(v, 3)) <= Fraction(err)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(-(2**70), 2**70), min_size=1, max_size=12),
    st.integers(1, 2**60),
    st.booleans(),
)
def test_divided_rounds_once_correctly(values, q, small):
    if small:
        values = [v % 2**53 - 2**52 for v in values]
    expected = [float(Fraction(v, q)) for v in values]  # float(Fraction) rounds correctly
    for given_as in (values, np.array(values, dtype=np.int64) if small else values):
        got = float_pass.divided(np, given_as, q, (1, len(values)))
        assert got is not None and got.ravel().tolist() == expected


@pytest.mark.parametrize(
    ("values", "q"),
    [([10**400], 1), ([1, 0], 10**400), ([2**1001, 3], 1), ([1], 2**1001)],
)
def test_divided_declines_values_beyond_the_safe_range(values, q):
    assert float_pass.divided(np, values, q, (1, len(values))) is None
