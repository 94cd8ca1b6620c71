"""Rational matrices over one denominator (symresnet.compute.scaled): pickling, equality and the
conversion to ordinary sympy matrices."""

from __future__ import annotations

import pickle

import flint
import sympy

from symresnet.compute import scaled


def test_scaled_pickles_and_compares():
    a = scaled.Scaled(flint.fmpz_mat([[2, -4], [6, 0]]), flint.fmpz(4))
    b = scaled.Scaled(flint.fmpz_mat([[1, -2], [3, 0]]), flint.fmpz(2))
    assert a == b
    assert pickle.loads(pickle.dumps(a)) == b
    assert a.to_fmpq_mat() == flint.fmpq_mat([[flint.fmpq(1, 2), -1], [flint.fmpq(3, 2), 0]])


def test_to_sympy_is_an_ordinary_sympy_matrix():
    m = scaled.Scaled(flint.fmpz_mat([[3], [0], [-8]]), flint.fmpz(6))
    expected = sympy.ImmutableMatrix([sympy.Rational(1, 2), 0, sympy.Rational(-4, 3)])
    got = scaled.to_sympy(m)
    assert got == expected and expected == got
    assert hash(got) == hash(expected)
    assert got + expected == 2 * expected
    assert [type(e) for e in got] == [type(e) for e in expected]
    integral = scaled.to_sympy(scaled.Scaled(flint.fmpz_mat([[4], [-2]]), flint.fmpz(2)))
    assert integral == sympy.ImmutableMatrix([2, -1])
    assert all(e.is_Integer for e in integral)
