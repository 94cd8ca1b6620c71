"""Exact integers by their residues (symresnet.compute.residues): primes, reduction, Chinese
remaindering and Garner's digits, against Python's own integers.
"""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.compute import float_pass, residues


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(2**300), 2**300), min_size=1, max_size=30), st.booleans())
def test_residues_are_symmetric_and_correct(values, small):
    if small:
        values = [v % 2**40 - 2**39 for v in values]
    primes = residues._primes_below(residues.prime_bound(64), 5)
    R = residues._int_residues(np, values, primes)
    for i, p in enumerate(primes):
        for v, r in zip(values, R[i], strict=True):
            assert r == int(r) and abs(r) <= (p + 1) // 2
            assert (v - int(r)) % p == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(2**200), 2**200), min_size=6, max_size=6), st.integers(1, 4))
def test_digits_reconstruct_signed_integers(values, extra):
    bound = max(abs(v) for v in values)
    primes = residues.primes(residues.prime_bound(64), bound)
    assert math.prod(primes) > 2 * bound + 1
    R = residues._int_residues(np, values, primes).reshape(len(primes), 2, 3)
    digits = residues.digits(np, R, primes)
    for v, p in zip(digits, primes, strict=True):
        assert np.all(np.abs(v) <= (p - 1) // 2)
    got = residues.fmpz_of_digits(np, digits, primes, (2, 3))
    assert [int(e) for e in got.entries()] == values
    crt = residues.CRT.of(primes)
    assert [
        crt.signed([int(R[i].ravel()[j]) for i in range(len(primes))]) for j in range(6)
    ] == values
    # residues for further primes, from the digits alone
    more = residues._primes_below(residues.prime_bound(64), len(primes) + extra)[len(primes) :]
    again = residues.residues_of_digits(np, digits, primes, more, (2, 3))
    for i, q in enumerate(more):
        assert [(v - int(r)) % q for v, r in zip(values, again[i].ravel(), strict=True)] == [0] * 6
    # and as floats with a valid error bound, for a denominator
    den = 3**50
    xf, e = float_pass.floats_of_digits(np, digits, primes, den, (2, 3))
    for v, x, err in zip(values, xf.ravel(), e.ravel(), strict=True):
        assert abs(Fraction(x) - Fraction(v, den)) <= Fraction(err)
        assert err <= 1e-13 * abs(v / den) + 2.0**-900


@pytest.mark.parametrize("terms", [1, 2, 33, 65, 129, 4097])
def test_prime_bound_keeps_sums_exact(terms):
    p = residues.prime_bound(terms)
    half = p // 2 + 2  # what _reduce leaves
    assert terms * half * half + p < 2**52
    assert all(flint.fmpz(q).is_prime() and q < p for q in residues._primes_below(p, 3))


@settings(max_examples=60, deadline=None)
@given(st.integers(-(2**52) + 1, 2**52 - 1), st.integers(0, 4))
def test_reduce_is_exact(z, which):
    p = residues._primes_below(residues.prime_bound([1, 33, 65, 1000, 10**6][which]), 1)[0]
    a = np.array([[[float(z)]]])
    r = residues.reduce(np, a, np.array([[[float(p)]]]), np.array([[[1.0 / p]]]))
    got = float(r[0, 0, 0])
    assert got == int(got) and abs(got) <= p / 2 + 2 and (z - int(got)) % p == 0
