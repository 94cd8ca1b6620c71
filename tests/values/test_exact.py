"""Tests of symresnet.values.exact: exact(), exact_str and the fast path small_exact.

Expected values are built by hand (sympy objects constructed directly, or fractions.Fraction),
never by calling the parser itself.
"""

from __future__ import annotations

import decimal
import sys
import time
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet import ResNet, check, realize
from symresnet.base.errors import LimitError, ParseError
from symresnet.values.exact import SYMPY_RATIONAL_TYPES, exact, exact_str, small_bound, small_exact
from symresnet.values.limits import Limits

a = sympy.Symbol("a", real=True)
w1 = sympy.Symbol("w1", real=True)
NAMES = {"a": a, "w1": w1}
R = sympy.Rational
Z = sympy.Integer


# -- exact() --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, Z(3)),
        (-12, Z(-12)),
        (Fraction(3, 7), R(3, 7)),
        (Fraction(-6, 4), R(-3, 2)),
        (decimal.Decimal("0.1"), R(1, 10)),
        (decimal.Decimal("-1.5e-3"), R(-3, 2000)),
        (decimal.Decimal("2E+2"), Z(200)),
        (decimal.Decimal("-0"), Z(0)),
        ("3/7", R(3, 7)),
        (R(3, 7), R(3, 7)),
        (Z(5), Z(5)),
        (a, a),
        (a + 1, a + 1),
        (sympy.sqrt(2), sympy.Pow(2, R(1, 2))),
    ],
)
def test_exact_values(value, expected):
    result = exact(value, names=NAMES)
    assert result == expected
    assert isinstance(result, sympy.Expr)


def test_exact_string_uses_names():
    assert exact("2*a", names=NAMES) == 2 * a


def test_exact_rejects_bool():
    for value in (True, False):
        with pytest.raises(ParseError, match="boolean"):
            exact(value)


def test_exact_float_needs_permission():
    with pytest.raises(ParseError, match=r"'1/10' or Fraction\(1, 10\)"):
        exact(0.1)
    assert exact(0.1, allow_float=True) == R(1, 10)


_FLOAT_ADVICE = "is a float, and symresnet lets no float enter a result silently: write the exact "


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0.5, f"0.5 {_FLOAT_ADVICE}value as a string or a Fraction, e.g. '1/2' or Fraction(1, 2)"),
        (
            -2.5,
            f"-2.5 {_FLOAT_ADVICE}value as a string or a Fraction, e.g. '-5/2' or Fraction(-5, 2)",
        ),
        (3.0, f"3.0 {_FLOAT_ADVICE}value as a string or a Fraction, e.g. '3' or 3"),
        (1e300, f"1e+300 {_FLOAT_ADVICE}value as a string or a Fraction"),
        (
            sympy.Float("0.25"),
            f"'0.250000000000000' {_FLOAT_ADVICE}value as a string or a sympy.Rational, "
            "e.g. '1/4' or sympy.Rational(1, 4)",
        ),
        (
            sympy.Symbol("x") + sympy.Float("0.5"),
            f"'x + 0.5' contains 0.500000000000000, which {_FLOAT_ADVICE}value as a string or "
            "a sympy.Rational, e.g. '1/2' or sympy.Rational(1, 2)",
        ),
    ],
)
def test_float_message_says_what_works_where_it_is_raised(value, message):
    """0.5 is an exact binary float: refused as a float (it would enter results silently), not
    as "inexact"; the advice is a string or a Fraction, since ResNet, realize and check take no
    allow_float."""
    with pytest.raises(ParseError) as info:
        exact(value)
    assert info.value.message == message


def test_float_advice_works_in_the_api():
    with pytest.raises(ParseError, match=r"e\.g\. '1/2' or Fraction") as info:
        ResNet(W=[[[0.5]]], B=[[0]])
    assert "allow_float" not in str(info.value)
    with pytest.raises(ParseError, match=r"^input\[1\]: 0\.5 is a float"):
        realize(ResNet(W=[[[1]]], B=[[0]]), [0.5])
    # the two spellings it suggests: R(x) = 2x + 1 at 1/2 is 2
    net = ResNet(W=[[["1/2"]], [[4]]], B=[[0], [1]])
    net2 = ResNet(W=[[[Fraction(1, 2)]], [[4]]], B=[[0], [1]])
    assert (
        realize(net, ["1/2"]).output == realize(net2, [Fraction(1, 2)]).output == sympy.Matrix([2])
    )
    assert check(net, input=Fraction(1, 2), equals="2").holds is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.1, R(1, 10)), (-2.5, R(-5, 2)), (1e-5, R(1, 100_000)), (1e16, Z(10**16)), (3.0, Z(3))],
)
def test_exact_float_allowed(value, expected):
    assert exact(value, allow_float=True) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_exact_float_nan_inf(value):
    with pytest.raises(ParseError, match="nan/inf"):
        exact(value, allow_float=True)
    with pytest.raises(ParseError):
        exact(value)


@pytest.mark.parametrize("text", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_exact_decimal_nan_inf(text):
    with pytest.raises(ParseError, match="nan/inf is not a number symresnet accepts"):
        exact(decimal.Decimal(text))


def test_exact_decimal_huge_exponent_is_fast():
    start = time.perf_counter()
    for text in ["1e999999999", "1e-999999999"]:
        with pytest.raises(LimitError):
            exact(decimal.Decimal(text))
    assert time.perf_counter() - start < 1


def test_exact_int_size():
    assert exact(10**5_000 - 1) == Z(10**5_000 - 1)  # 5,000 digits
    for value in (10**5_000, -(10**5_000), 2**100_000):
        with pytest.raises(LimitError, match="digits"):
            exact(value)
    with pytest.raises(LimitError):
        exact(Fraction(1, 10**6_000))


@pytest.mark.parametrize(
    "value", [[1], {"a": 1}, None, b"1", 1j, (1, 2), object(), sympy.Matrix([[1]])]
)
def test_exact_rejects_other_types(value):
    with pytest.raises(ParseError, match=type(value).__name__):
        exact(value)


@pytest.mark.parametrize(
    "value",
    [
        sympy.nan,
        sympy.oo,
        -sympy.oo,
        sympy.zoo,
        sympy.I,
        1 + sympy.I,
        a + sympy.oo,
        sympy.true,
        sympy.ImmutableMatrix([[1]]),
    ],
)
def test_exact_rejects_bad_sympy(value):
    with pytest.raises(ParseError):
        exact(value)


def test_exact_sympy_float():
    with pytest.raises(ParseError, match="float"):
        exact(sympy.Float("0.1"))
    assert exact(sympy.Float("0.25"), allow_float=True) == R(1, 4)


# -- exact_str ------------------------------------------------------------------------------


def test_exact_str_small():
    assert exact_str(Z(-7)) == "-7"
    assert exact_str(R(3, 7)) == "3/7"
    assert exact_str(a + 1) == "a + 1"
    assert exact_str(sympy.Pow(2, R(1, 2))) == "sqrt(2)"


def test_exact_str_huge_integer():
    limit = sys.get_int_max_str_digits()
    assert exact_str(Z(10**9_999)) == "1" + "0" * 9_999
    assert exact_str(Z(-(10**9_999))) == "-1" + "0" * 9_999
    assert sys.get_int_max_str_digits() == limit  # the global setting is untouched


def test_exact_str_huge_rational_and_expression():
    assert exact_str(R(3, 10**5_000)) == "3/1" + "0" * 5_000
    assert exact_str(R(-(10**5_000) - 1, 7)) == "-1" + "0" * 4_999 + "1/7"
    assert exact_str(Z(10**5_000) * a) == "1" + "0" * 5_000 + "*a"
    assert exact_str(a + Z(10**5_000)) == "a + 1" + "0" * 5_000
    assert exact_str(a / Z(10**5_000)) == "a/1" + "0" * 5_000


# -- small_exact: the fast path for many small numbers ---------------------------------------


def test_small_bound():
    assert small_bound() == 2**15_000  # 3 * max_digits bits: 8**5000 < 10**5000
    assert small_bound(Limits(max_digits=2)) == 2**6
    assert small_bound(Limits(max_result_bits=100)) == 2**100


def test_sympy_rational_types():
    assert {
        sympy.Integer,
        sympy.Rational,
        type(sympy.S.Zero),
        type(sympy.S.One),
        type(sympy.S.NegativeOne),
        type(sympy.S.Half),
    } == SYMPY_RATIONAL_TYPES


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, Z(0)),
        (-7, Z(-7)),
        (10**100, Z(10**100)),
        (Fraction(6, -4), R(-3, 2)),
        (Fraction(5), Z(5)),
        (Fraction(1, 2), sympy.S.Half),
        (R(-2, 3), R(-2, 3)),
        (sympy.S.Zero, Z(0)),
        (sympy.S.NegativeOne, Z(-1)),
    ],
)
def test_small_exact_values(value, expected):
    result = small_exact(value, small_bound())
    assert result == expected
    assert type(result) is type(expected)


def test_small_exact_keeps_sympy_objects():
    value = R(22, 7)
    assert small_exact(value, small_bound()) is value


class _IntSubclass(int):
    pass


class _FractionSubclass(Fraction):
    pass


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        0.5,
        1.0,
        "3/7",
        "1",
        decimal.Decimal("0.1"),
        _IntSubclass(3),
        _FractionSubclass(1, 3),
        sympy.Float("0.5"),
        a,
        a + 1,
        sympy.sqrt(2),
        sympy.nan,
        sympy.true,
        None,
        [1],
    ],
    ids=repr,
)
def test_small_exact_leaves_others_to_exact(value):
    assert small_exact(value, small_bound()) is None


def test_small_exact_leaves_flint_numbers_to_exact():
    flint = pytest.importorskip("flint")
    for value in (flint.fmpz(3), flint.fmpq(1, 3)):
        assert small_exact(value, small_bound()) is None
        with pytest.raises(ParseError, match=f"got {type(value).__name__}"):
            exact(value)  # refused now as before: the fast path does not change that


def test_small_exact_leaves_big_numbers_to_exact():
    bound = small_bound()
    big = 2**15_000  # 4,516 digits: exact() accepts it, but not on the fast path
    for value in (big, -big, Fraction(big, 3), Fraction(1, big), Z(big), R(1, big), R(-big, 7)):
        assert small_exact(value, bound) is None
    for value in (big - 1, 1 - big, Fraction(big - 1, big - 2), Z(big - 1), R(1, big - 1)):
        assert small_exact(value, bound) is not None
    # the refusals stay exact()'s, with its messages
    with pytest.raises(LimitError, match=r"integer of 16610 bits has more than 5000 digits"):
        exact(10**5_000)
    with pytest.raises(LimitError, match=r"denominator of 16610 bits has more than 5000 digits"):
        exact(Fraction(1, 10**5_000))
    with pytest.raises(LimitError, match=r"about 1000002 bits, more than 1000000"):
        exact(Z(2) ** 1_000_001)


_limits = st.builds(Limits, max_digits=st.integers(1, 40), max_result_bits=st.integers(1, 200))
_big_ints = st.one_of(st.integers(-(10**45), 10**45), st.integers(-(2**210), 2**210))


def _small_values():
    """Ints, Fractions and sympy Rationals, paired with the Fraction they stand for."""
    ints = _big_ints.map(lambda n: (n, Fraction(n)))
    fractions_ = st.tuples(_big_ints, _big_ints.filter(bool)).map(lambda t: Fraction(*t))
    as_fraction = fractions_.map(lambda f: (f, f))
    as_sympy = fractions_.map(lambda f: (R(f.numerator, f.denominator), f))
    as_integer = _big_ints.map(lambda n: (Z(n), Fraction(n)))
    return st.one_of(ints, as_fraction, as_sympy, as_integer)


@settings(max_examples=400, deadline=None)
@given(_small_values(), _limits)
def test_small_exact_is_exact_where_it_answers(pair, limits):
    value, fraction = pair
    result = small_exact(value, small_bound(limits))
    p, q = fraction.numerator, fraction.denominator
    bits = min(3 * limits.max_digits, limits.max_result_bits)
    if abs(p).bit_length() > bits or q.bit_length() > bits:
        assert result is None
        return
    expected = R(p, q)  # sympy's own constructor, from the Fraction built independently
    assert result == expected
    assert type(result) is type(expected)
    assert (result.p, result.q) == (p, q)
    # and exact(), the general path, accepts the value with the same result
    general = exact(value, limits=limits)
    assert general == result
    assert type(general) is type(result)
