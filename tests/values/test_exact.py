"""Tests of symresnet.values.exact: the whitelisted parser of exact entries.

Expected values are built by hand (sympy objects constructed directly, or fractions.Fraction),
never by calling the parser itself.
"""

from __future__ import annotations

import decimal
import importlib
import sys
import time
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.base.errors import InputError, LimitError, ParseError

# the module, not the function ``symresnet.values.exact`` that the package exports under that name
ex = importlib.import_module("symresnet.values.exact")

a = sympy.Symbol("a", real=True)
w1 = sympy.Symbol("w1", real=True)
NAMES = {"a": a, "w1": w1}
R = sympy.Rational
Z = sympy.Integer


# -- valid entries --------------------------------------------------------------------------

VALID = [
    # integers and signs
    ("0", Z(0)),
    ("7", Z(7)),
    ("-7", Z(-7)),
    ("+7", Z(7)),
    ("--7", Z(7)),
    ("007", Z(7)),
    ("123456789012345678901234567890", Z(123456789012345678901234567890)),
    # fractions
    ("3/7", R(3, 7)),
    ("-3/7", R(-3, 7)),
    ("6/4", R(3, 2)),
    ("1/2+1/3", R(5, 6)),
    # decimals: '.5' and '5.' are numbers (as in Python)
    ("0.1", R(1, 10)),
    ("-0.25", R(-1, 4)),
    (".5", R(1, 2)),
    ("-.5", R(-1, 2)),
    ("5.", Z(5)),
    ("1e3", Z(1000)),
    ("1.5e-3", R(3, 2000)),
    ("2E+2", Z(200)),
    ("2.5E2", Z(250)),
    ("1e0", Z(1)),
    ("0.000", Z(0)),
    ("0e5", Z(0)),
    ("0.1 + 0.2", R(3, 10)),
    # precedence and associativity
    ("-2^2", Z(-4)),
    ("(-2)^2", Z(4)),
    ("2^3^2", Z(512)),
    ("2**3**2", Z(512)),
    ("2*3+4", Z(10)),
    ("2+3*4", Z(14)),
    ("(1+2)*3", Z(9)),
    ("1/2/3", R(1, 6)),
    ("8-3-2", Z(3)),
    ("2^-1", R(1, 2)),
    ("2*-3", Z(-6)),
    ("-2^-2", R(-1, 4)),
    ("0^0", Z(1)),
    ("(2/3)^3", R(8, 27)),
    ("  1 +\t2\n", Z(3)),
    # names
    ("a", a),
    ("2*a - 1/3", 2 * a - R(1, 3)),
    ("(a+1)^2", sympy.Pow(a + 1, 2)),
    ("a**2", sympy.Pow(a, 2)),
    ("a/2", sympy.Mul(R(1, 2), a)),
    ("w1*a", sympy.Mul(w1, a)),
    ("2^a", sympy.Pow(2, a)),
    ("a - a", Z(0)),
    # functions and constants
    ("sqrt(2)", sympy.Pow(2, R(1, 2))),
    ("2^(1/2)", sympy.Pow(2, R(1, 2))),
    ("sqrt(8)", 2 * sympy.Pow(2, R(1, 2))),
    ("sqrt(4/9)", R(2, 3)),
    ("4^(3/2)", Z(8)),
    ("exp(1)", sympy.E),
    ("exp(0)", Z(1)),
    ("log(1)", Z(0)),
    ("ln(exp(2))", Z(2)),
    ("sin(pi)", Z(0)),
    ("cos(0)", Z(1)),
    ("tan(pi/4)", Z(1)),
    ("tanh(0)", Z(0)),
    ("erf(0)", Z(0)),
    ("abs(-3/2)", R(3, 2)),
    ("max(1, 5/2, 2)", R(5, 2)),
    ("min(1, -5/2)", R(-5, 2)),
    ("max(a, 1)", sympy.Max(a, 1)),
    ("pi", sympy.pi),
    ("2*pi", 2 * sympy.pi),
    ("exp(a)", sympy.exp(a)),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[t for t, _ in VALID])
def test_parse_valid(text, expected):
    result = ex.parse(text, names=NAMES)
    assert result == expected
    assert isinstance(result, sympy.Expr)


def test_numbers_are_exact_rationals_not_floats():
    result = ex.parse("0.1")
    assert isinstance(result, sympy.Rational)
    assert (result.p, result.q) == (1, 10)
    assert not ex.parse("0.1*a + 1.5", names=NAMES).atoms(sympy.Float)


# -- invalid entries ------------------------------------------------------------------------

P, L = ParseError, LimitError
ERRORS = [
    ("", P, r"^empty entry"),
    ("   ", P, r"^empty entry"),
    ("1+", P, r"unexpected end of entry at column 3"),
    ("(1", P, r"missing '\)' at column 3.*'\(' at column 1"),
    ("1)", P, r"unexpected '\)' at column 2"),
    ("()", P, r"unexpected '\)' at column 2"),
    ("2a", P, r"implicit multiplication is not allowed at column 2: write 2\*a"),
    ("2 3", P, r"implicit multiplication .* write 2\*3"),
    ("a(2)", P, r"implicit multiplication"),
    ("(1)(2)", P, r"implicit multiplication"),
    ("1..2", P, r"malformed number '1\.\.'"),
    ("1e", P, r"malformed number '1e'.*exponent needs digits"),
    ("1e+", P, r"malformed number"),
    ("1_000", P, r"malformed number"),
    ("1.2.3", P, r"malformed number"),
    (".", P, r"unexpected '\.' at column 1"),
    ("b", P, r"unknown name 'b' at column 1: declare it under \[parameters\]"),
    ("a + b", P, r"unknown name 'b' at column 5"),
    ("exec", P, r"unknown name 'exec'"),
    ("__import__('os').system('ls')", P, r"unknown function '__import__'.*known functions are abs"),
    ("a.b", P, r"unexpected '\.' at column 2"),
    ("lambda: 1", P, r"'lambda' is a Python keyword|unexpected character ':'"),
    ("[x for x in y]", P, r"unexpected character '\['"),
    ("foo(1)", P, r"unknown function 'foo' at column 1: known functions are abs, cos"),
    ("sqrt 2", P, r"'sqrt' at column 1 is a function: write sqrt\(\.\.\.\)"),
    ("sqrt()", P, r"unexpected '\)'"),
    ("sqrt(1, 2)", P, r"sqrt at column 1 takes 1 argument, got 2"),
    ("max(1)", P, r"max at column 1 takes 2 or more arguments, got 1"),
    ("1;2", P, r"unexpected character ';' at column 2"),
    ("1,2", P, r"unexpected ','"),
    ("2^^3", P, r"unexpected '\^'"),
    ("2***3", P, r"unexpected '\*'"),
    ("1/0", P, r"division by zero at column 2"),
    ("a/(1-1)", P, r"division by zero"),
    ("0^-1", P, r"division by zero"),
    ("1/(sqrt(2)*sqrt(2)-2)", P, r"division by zero"),
    ("sqrt(-1)", P, r"not a real number"),
    ("(-8)^(1/3)", P, r"not a real number"),
    ("log(-1)", P, r"not a real number"),
    ("log(0)", P, r"infinite"),
    ("tan(pi/2)", P, r"infinite"),
    ("nan", P, r"'nan' is reserved"),
    ("inf", P, r"'inf' is reserved"),
    ("oo", P, r"'oo' is reserved"),
    ("zoo", P, r"'zoo' is reserved"),
    ("I", P, r"'I' is reserved .*imaginary"),
    ("e", P, r"'e' is reserved .*exp\(1\)"),
    ("E", P, r"'E' is reserved"),
    ("S", P, r"'S' is reserved by sympy"),
    ("1\u00a0+1", P, r"unexpected character '\\xa0'"),
    ("\uff11", P, r"unexpected character"),
    ("2^2^2^2^2^2", L, r"exponent at column \d+ is larger than 10000"),
    ("10^10^10", L, r"exponent at column 3 is larger than 10000"),
    ("1e999999999", L, r"exponent .* larger than 10000"),
    ("1e-999999999", L, r"exponent .* larger than 10000"),
    ("9" * 5001, L, r"5001 digits, more than the limit of 5000"),
    ("2^10001", L, r"Limits.max_exponent"),
    ("(2^9999)^200", L, r"Limits.max_result_bits"),
    ("exp(exp(exp(10)))", L, r"exp .* too large"),
    ("exp(10^6)", L, r"Limits.max_result_bits"),
    ("sqrt(2^9999+1)", L, r"base of a root .* too large"),
    ("sin(10^1000)", L, r"argument of sin .* too large"),
    ("x" * 100, L, r"longer than 64 characters"),
    ("1+" * 10_000 + "1", L, r"longer than the limit of 10000"),
    ("(" * 500 + "1" + ")" * 500, L, r"nesting deeper than 100"),
    ("-" * 500 + "1", L, r"nesting deeper than 100"),
    ("sqrt(" * 200 + "2" + ")" * 200, L, r"nesting deeper than 100"),
]


@pytest.mark.parametrize(
    ("text", "error", "pattern"), ERRORS, ids=[repr(t[:20]) for t, _, _ in ERRORS]
)
def test_parse_errors(text, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        ex.parse(text, names=NAMES)
    message = str(info.value)
    assert "\n" not in message
    assert len(message) < 400


def test_errors_are_input_errors():
    assert issubclass(ParseError, InputError)
    assert issubclass(LimitError, InputError)


def test_position_is_zero_based_column():
    with pytest.raises(ParseError) as info:
        ex.parse("2a")
    assert info.value.position == 1
    with pytest.raises(ParseError) as info:
        ex.parse("a + b", names=NAMES)
    assert info.value.position == 4


def test_user_text_in_messages_is_shortened_and_escaped():
    name = "q" * 60
    with pytest.raises(ParseError) as info:
        ex.parse(f"1 + {name}\n")
    message = str(info.value)
    assert "q" * 37 + "..." in message
    assert "q" * 41 not in message
    with pytest.raises(ParseError) as info:
        ex.check_name("a\nb")
    assert "\n" not in str(info.value) and "\\n" in str(info.value)


def test_depth_boundary_and_custom_depth():
    assert ex.parse("(" * 100 + "1" + ")" * 100) == 1
    with pytest.raises(LimitError):
        ex.parse("(" * 101 + "1" + ")" * 101)
    deep = ex.Limits(max_depth=10_000, max_text_length=100_000)
    with pytest.raises(LimitError):  # Python's recursion limit: still a LimitError
        ex.parse("(" * 5_000 + "1" + ")" * 5_000, limits=deep)


def test_huge_literal_fast():
    start = time.perf_counter()
    with pytest.raises(LimitError):
        ex.parse("1e999999999")
    with pytest.raises(LimitError):
        ex.parse("9" * 9_999)
    assert time.perf_counter() - start < 1


def test_max_digits_above_python_str_limit():
    limits = ex.Limits(max_digits=7_000)
    value = ex.parse("9" * 6_000, limits=limits)
    assert value == Z(10**6_000 - 1)
    value = ex.parse("0." + "0" * 5_499 + "1", limits=limits)
    assert value == R(1, 10**5_500)
    assert ex.exact(10**6_000, limits=limits) == Z(10**6_000)


def test_reserved_name_is_not_a_parameter_even_when_mapped():
    assert ex.parse("pi", names={"pi": sympy.Symbol("pi")}) == sympy.pi
    with pytest.raises(ParseError, match="'I' is reserved"):
        ex.parse("I", names={"I": sympy.Symbol("I")})


def test_limits_validation():
    with pytest.raises(ValueError):
        ex.Limits(max_depth=0)
    with pytest.raises(ValueError):
        ex.Limits(max_digits=True)
    assert ex.Limits() == ex.DEFAULT_LIMITS
    assert ex.DEFAULT_LIMITS.max_entries == 1_000_000


def test_custom_limits_are_used():
    small = ex.Limits(max_exponent=3, max_result_bits=50)
    assert ex.parse("2^3", limits=small) == 8
    with pytest.raises(LimitError):
        ex.parse("2^4", limits=small)
    with pytest.raises(LimitError):
        ex.parse("1e4", limits=small)
    with pytest.raises(LimitError):
        ex.parse("(2^40)*(2^40)", limits=small)


# -- names and tables -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "w1", "theta_2", "A", "x" * 64, "alpha", "inflow"])
def test_check_name_valid(name):
    assert ex.check_name(name) == name


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("", r"empty name"),
        ("1a", r"not a valid name"),
        ("_a", r"not a valid name"),
        ("__import__", r"not a valid name"),
        ("a b", r"not a valid name"),
        ("a-b", r"not a valid name"),
        ("\u00e4", r"not a valid name"),
        ("x" * 65, r"longer than 64"),
        ("pi", r"constant"),
        ("e", r"reserved"),
        ("E", r"reserved"),
        ("I", r"reserved"),
        ("nan", r"reserved"),
        ("oo", r"reserved"),
        ("sqrt", r"function"),
        ("ln", r"function"),
        ("lambda", r"Python keyword"),
        ("gamma", r"reserved by sympy"),
        ("beta", r"reserved by sympy"),
        ("zeta", r"reserved by sympy"),
        ("S", r"reserved by sympy"),
        ("Q", r"reserved by sympy"),
    ],
)
def test_check_name_invalid(name, pattern):
    with pytest.raises(ParseError, match=pattern):
        ex.check_name(name)


def test_check_name_type():
    with pytest.raises(ParseError, match="got int"):
        ex.check_name(3)  # type: ignore[arg-type]


def test_tables():
    for name in ["I", "E", "S", "N", "O", "Q", "pi", "oo", "zoo", "nan", "gamma", "beta"]:
        assert name in ex.RESERVED_NAMES
    for name in ["zeta", "lambda", "e", "sqrt", "exp", "log", "ln", "abs", "max", "min"]:
        assert name in ex.RESERVED_NAMES
    assert {"sqrt", "exp", "log", "ln", "sin", "cos", "tan", "tanh", "erf", "abs"} <= set(
        ex.FUNCTIONS
    )
    assert "a" not in ex.RESERVED_NAMES
    with pytest.raises(TypeError):
        ex.FUNCTIONS["evil"] = None  # type: ignore[index]


def test_tokens():
    token = ex.Token("number", "1.5", 3)
    assert (token.kind, token.text, token.pos) == ("number", "1.5", 3)
    with pytest.raises(AttributeError):
        token.pos = 4  # type: ignore[misc]


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
    result = ex.exact(value, names=NAMES)
    assert result == expected
    assert isinstance(result, sympy.Expr)


def test_exact_string_uses_names():
    assert ex.exact("2*a", names=NAMES) == 2 * a


def test_exact_rejects_bool():
    for value in (True, False):
        with pytest.raises(ParseError, match="boolean"):
            ex.exact(value)


def test_exact_float_needs_permission():
    with pytest.raises(ParseError, match=r"Fraction.*allow_float=True|allow_float=True"):
        ex.exact(0.1)
    with pytest.raises(ParseError, match=r"'1/10'"):
        ex.exact(0.1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.1, R(1, 10)), (-2.5, R(-5, 2)), (1e-5, R(1, 100_000)), (1e16, Z(10**16)), (3.0, Z(3))],
)
def test_exact_float_allowed(value, expected):
    assert ex.exact(value, allow_float=True) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_exact_float_nan_inf(value):
    with pytest.raises(ParseError, match="nan/inf"):
        ex.exact(value, allow_float=True)
    with pytest.raises(ParseError):
        ex.exact(value)


@pytest.mark.parametrize("text", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_exact_decimal_nan_inf(text):
    with pytest.raises(ParseError, match="nan/inf is not a number symresnet accepts"):
        ex.exact(decimal.Decimal(text))


def test_exact_decimal_huge_exponent_is_fast():
    start = time.perf_counter()
    for text in ["1e999999999", "1e-999999999"]:
        with pytest.raises(LimitError):
            ex.exact(decimal.Decimal(text))
    assert time.perf_counter() - start < 1


def test_exact_int_size():
    assert ex.exact(10**5_000 - 1) == Z(10**5_000 - 1)  # 5,000 digits
    for value in (10**5_000, -(10**5_000), 2**100_000):
        with pytest.raises(LimitError, match="digits"):
            ex.exact(value)
    with pytest.raises(LimitError):
        ex.exact(Fraction(1, 10**6_000))


@pytest.mark.parametrize(
    "value", [[1], {"a": 1}, None, b"1", 1j, (1, 2), object(), sympy.Matrix([[1]])]
)
def test_exact_rejects_other_types(value):
    with pytest.raises(ParseError, match=type(value).__name__):
        ex.exact(value)


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
        ex.exact(value)


def test_exact_sympy_float():
    with pytest.raises(ParseError, match="float"):
        ex.exact(sympy.Float("0.1"))
    assert ex.exact(sympy.Float("0.25"), allow_float=True) == R(1, 4)


# -- exact_str ------------------------------------------------------------------------------


def test_exact_str_small():
    assert ex.exact_str(Z(-7)) == "-7"
    assert ex.exact_str(R(3, 7)) == "3/7"
    assert ex.exact_str(a + 1) == "a + 1"
    assert ex.exact_str(sympy.Pow(2, R(1, 2))) == "sqrt(2)"


def test_exact_str_huge_integer():
    limit = sys.get_int_max_str_digits()
    assert ex.exact_str(Z(10**9_999)) == "1" + "0" * 9_999
    assert ex.exact_str(Z(-(10**9_999))) == "-1" + "0" * 9_999
    assert sys.get_int_max_str_digits() == limit  # the global setting is untouched


def test_exact_str_huge_rational_and_expression():
    assert ex.exact_str(R(3, 10**5_000)) == "3/1" + "0" * 5_000
    assert ex.exact_str(R(-(10**5_000) - 1, 7)) == "-1" + "0" * 4_999 + "1/7"
    assert ex.exact_str(Z(10**5_000) * a) == "1" + "0" * 5_000 + "*a"
    assert ex.exact_str(a + Z(10**5_000)) == "a + 1" + "0" * 5_000
    assert ex.exact_str(a / Z(10**5_000)) == "a/1" + "0" * 5_000


# -- hypothesis -----------------------------------------------------------------------------


def _decimal_text(n: int, scale: int) -> str:
    """``n / 10**scale`` written as a decimal, built digit by digit."""
    digits = str(abs(n)).rjust(scale + 1, "0")
    body = digits if scale == 0 else digits[:-scale] + "." + digits[-scale:]
    return ("-" if n < 0 else "") + body


_integers = st.integers(-(10**12), 10**12).map(lambda n: (f"({n})", Fraction(n)))
_fractions = st.tuples(st.integers(-1000, 1000), st.integers(1, 1000)).map(
    lambda pq: (f"({pq[0]}/{pq[1]})", Fraction(pq[0], pq[1]))
)
_decimals = st.tuples(st.integers(-(10**9), 10**9), st.integers(0, 12)).map(
    lambda ns: (f"({_decimal_text(*ns)})", Fraction(ns[0], 10 ** ns[1]))
)
_leaves = st.one_of(_integers, _fractions, _decimals)


def _combine(parts: tuple) -> tuple[str, Fraction]:
    (lt, lv), op, (rt, rv) = parts
    value = {"+": lv + rv, "-": lv - rv, "*": lv * rv, "/": lv / rv if rv else None}[op]
    return f"({lt} {op} {rt})", value


def _extend(children):
    binary = st.tuples(children, st.sampled_from("+-*/"), children).filter(
        lambda t: t[1] != "/" or t[2][1] != 0
    )
    power = st.tuples(children, st.integers(0, 3)).filter(lambda t: t[0][1] != 0 or t[1] > 0)
    return st.one_of(
        binary.map(_combine),
        power.map(lambda t: (f"({t[0][0]}^{t[1]})", t[0][1] ** t[1])),
        children.map(lambda c: (f"(-{c[0]})", -c[1])),
    )


_expressions = st.recursive(_leaves, _extend, max_leaves=8)


@settings(max_examples=250, deadline=None)
@given(_expressions)
def test_random_arithmetic(pair):
    text, value = pair
    result = ex.parse(text)
    assert result == sympy.Rational(value.numerator, value.denominator)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 10**30),
    st.integers(0, 30),
    st.sampled_from(["", "e", "E"]),
    st.sampled_from(["", "+", "-"]),
    st.integers(0, 40),
)
def test_random_decimals_match_decimal_module(n, scale, e, sign, power):
    text = _decimal_text(n, scale) + (f"{e}{sign}{power}" if e else "")
    expected = Fraction(decimal.Decimal(text))
    assert ex.parse(text) == sympy.Rational(expected.numerator, expected.denominator)


def _check_outcome(text: str) -> None:
    try:
        result = ex.parse(text, names=NAMES)
    except InputError as err:
        assert isinstance(err, (ParseError, LimitError))
        assert "\n" not in str(err)
        return
    assert isinstance(result, sympy.Expr)
    assert not result.has(sympy.nan, sympy.zoo, sympy.oo, sympy.I)
    ex.exact_str(result)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_text(text):
    _check_outcome(text)


_ALPHABET = "0123456789+-*/^().,eE a_xpisqrtlogexpmaxn;[]'\"\\:\n\t"


@settings(max_examples=300, deadline=None)
@given(_expressions, st.data())
def test_fuzz_mutations(pair, data):
    chars = list(pair[0].replace("(", "a*(", 1))
    for _ in range(data.draw(st.integers(1, 6))):
        kind = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        index = data.draw(st.integers(0, len(chars)))
        char = data.draw(st.one_of(st.sampled_from(_ALPHABET), st.characters()))
        if kind == "insert":
            chars.insert(index, char)
        elif chars and index < len(chars):
            if kind == "delete":
                del chars[index]
            else:
                chars[index] = char
    _check_outcome("".join(chars))


# -- small_exact: the fast path for many small numbers ---------------------------------------


def test_small_bound():
    assert ex.small_bound() == 2**15_000  # 3 * max_digits bits: 8**5000 < 10**5000
    assert ex.small_bound(ex.Limits(max_digits=2)) == 2**6
    assert ex.small_bound(ex.Limits(max_result_bits=100)) == 2**100


def test_sympy_rational_types():
    assert {
        sympy.Integer,
        sympy.Rational,
        type(sympy.S.Zero),
        type(sympy.S.One),
        type(sympy.S.NegativeOne),
        type(sympy.S.Half),
    } == ex.SYMPY_RATIONAL_TYPES


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
    result = ex.small_exact(value, ex.small_bound())
    assert result == expected
    assert type(result) is type(expected)


def test_small_exact_keeps_sympy_objects():
    value = R(22, 7)
    assert ex.small_exact(value, ex.small_bound()) is value


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
    assert ex.small_exact(value, ex.small_bound()) is None


def test_small_exact_leaves_flint_numbers_to_exact():
    flint = pytest.importorskip("flint")
    for value in (flint.fmpz(3), flint.fmpq(1, 3)):
        assert ex.small_exact(value, ex.small_bound()) is None
        with pytest.raises(ParseError, match=f"got {type(value).__name__}"):
            ex.exact(value)  # refused now as before: the fast path does not change that


def test_small_exact_leaves_big_numbers_to_exact():
    bound = ex.small_bound()
    big = 2**15_000  # 4,516 digits: exact() accepts it, but not on the fast path
    for value in (big, -big, Fraction(big, 3), Fraction(1, big), Z(big), R(1, big), R(-big, 7)):
        assert ex.small_exact(value, bound) is None
    for value in (big - 1, 1 - big, Fraction(big - 1, big - 2), Z(big - 1), R(1, big - 1)):
        assert ex.small_exact(value, bound) is not None
    # the refusals stay exact()'s, with its messages
    with pytest.raises(LimitError, match=r"integer of 16610 bits has more than 5000 digits"):
        ex.exact(10**5_000)
    with pytest.raises(LimitError, match=r"denominator of 16610 bits has more than 5000 digits"):
        ex.exact(Fraction(1, 10**5_000))
    with pytest.raises(LimitError, match=r"about 1000002 bits, more than 1000000"):
        ex.exact(Z(2) ** 1_000_001)


_limits = st.builds(ex.Limits, max_digits=st.integers(1, 40), max_result_bits=st.integers(1, 200))
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
    result = ex.small_exact(value, ex.small_bound(limits))
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
    general = ex.exact(value, limits=limits)
    assert general == result
    assert type(general) is type(result)
