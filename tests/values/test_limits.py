"""Tests of symresnet.values.limits: the resource limits of reading user input, seen through
the parser and exact().
"""

from __future__ import annotations

import time

import pytest
import sympy

from symresnet.base.errors import LimitError
from symresnet.values.exact import exact
from symresnet.values.limits import DEFAULT_LIMITS, Guard, Limits
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


# -- names, entries of a network, memory (issue 16) -----------------------------------------


def test_new_limits_have_their_documented_defaults():
    assert DEFAULT_LIMITS.max_names == 100
    assert DEFAULT_LIMITS.max_network_entries == 4_000_000
    assert DEFAULT_LIMITS.max_memory_mb == 4_096
    with pytest.raises(ValueError, match="max_names"):
        Limits(max_names=0)
    with pytest.raises(ValueError, match="max_memory_mb"):
        Limits(max_memory_mb=-1)


def test_guard_names_counts_against_max_names():
    guard = Guard(Limits(max_names=3))
    guard.names(3)  # at the limit: fine
    with pytest.raises(LimitError, match=r"^4 declared parameters, more than the limit of 3 "):
        guard.names(4)
    with pytest.raises(LimitError, match=r"4 input symbols, .*\(Limits\.max_names\)"):
        guard.names(4, "input symbols")


def test_guard_entries_and_network_entries():
    guard = Guard(Limits(max_entries=10, max_network_entries=25))
    guard.entries(10)
    guard.network_entries(25)
    with pytest.raises(
        LimitError, match=r"V would have 11 entries, .* of 10 \(Limits\.max_entries\)"
    ):
        guard.entries(11, "V")
    with pytest.raises(
        LimitError, match=r"would have 26 entries .* limit of 25 \(Limits\.max_network_entries\)"
    ):
        guard.network_entries(26)
