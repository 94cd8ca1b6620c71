"""Tests of symresnet.values.limits: the resource limits of reading user input, seen through
the parser and exact().
"""

from __future__ import annotations

import time

import pytest
import sympy

from symresnet.base.errors import LimitError
from symresnet.values.exact import exact
from symresnet.values.limits import DEFAULT_LIMITS, Limits
from symresnet.values.parser import parse

R = sympy.Rational
Z = sympy.Integer


# -- limits ---------------------------------------------------------------------------------


def test_depth_boundary_and_custom_depth():
    assert parse("(" * 100 + "1" + ")" * 100) == 1
    with pytest.raises(LimitError):
        parse("(" * 101 + "1" + ")" * 101)
    deep = Limits(max_depth=10_000, max_text_length=100_000)
    with pytest.raises(LimitError):  # Python's recursion limit: still a LimitError
        parse("(" * 5_000 + "1" + ")" * 5_000, limits=deep)


def test_huge_literal_fast():
    start = time.perf_counter()
    with pytest.raises(LimitError):
        parse("1e999999999")
    with pytest.raises(LimitError):
        parse("9" * 9_999)
    assert time.perf_counter() - start < 1


def test_max_digits_above_python_str_limit():
    limits = Limits(max_digits=7_000)
    value = parse("9" * 6_000, limits=limits)
    assert value == Z(10**6_000 - 1)
    value = parse("0." + "0" * 5_499 + "1", limits=limits)
    assert value == R(1, 10**5_500)
    assert exact(10**6_000, limits=limits) == Z(10**6_000)


def test_limits_validation():
    with pytest.raises(ValueError):
        Limits(max_depth=0)
    with pytest.raises(ValueError):
        Limits(max_digits=True)
    assert Limits() == DEFAULT_LIMITS
    assert DEFAULT_LIMITS.max_entries == 1_000_000


def test_custom_limits_are_used():
    small = Limits(max_exponent=3, max_result_bits=50)
    assert parse("2^3", limits=small) == 8
    with pytest.raises(LimitError):
        parse("2^4", limits=small)
    with pytest.raises(LimitError):
        parse("1e4", limits=small)
    with pytest.raises(LimitError):
        parse("(2^40)*(2^40)", limits=small)
