"""Tests of symresnet.values.parser: the whitelisted parser of exact entries.

Expected values are built by hand (sympy objects constructed directly, or fractions.Fraction),
never by calling the parser itself.
"""

from __future__ import annotations

import decimal
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.base.errors import InputError, LimitError, ParseError
from symresnet.values.exact import exact_str
from symresnet.values.names import check_name
from symresnet.values.parser import Token, parse

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
    result = parse(text, names=NAMES)
    assert result == expected
    assert isinstance(result, sympy.Expr)


def test_numbers_are_exact_rationals_not_floats():
    result = parse("0.1")
    assert isinstance(result, sympy.Rational)
    assert (result.p, result.q) == (1, 10)
    assert not parse("0.1*a + 1.5", names=NAMES).atoms(sympy.Float)


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
    ("\uff11", P, r"'１' \(fullwidth digit one\) at column 1 is not a digit .*0-9 \(write 1\)"),
    # Unicode digits are not ours (Python's int() reads '৪' as 4 and fails on '²')
    ("4\u00b2", P, r"'²' \(superscript two\) at column 2 is not a digit .*write \^2 for a power"),
    ("\u00b2", P, r"'²' \(superscript two\) at column 1 is not a digit"),
    ("2^\u00b3", P, r"'³' \(superscript three\) at column 3"),
    ("\u09ea", P, r"'৪' \(bengali digit four\) at column 1 is not a digit .*\(write 4\)"),
    ("1.\u09ea", P, r"'৪' \(bengali digit four\) at column 3"),
    ("\u0663+1", P, r"arabic-indic digit three\) at column 1"),
    ("a*\u00bd", P, r"'½' \(vulgar fraction one half\) at column 3 .*e\.g\. 1/2"),
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
        parse(text, names=NAMES)
    message = str(info.value)
    assert "\n" not in message
    assert len(message) < 400


def test_errors_are_input_errors():
    assert issubclass(ParseError, InputError)
    assert issubclass(LimitError, InputError)


def test_position_is_zero_based_column():
    with pytest.raises(ParseError) as info:
        parse("2a")
    assert info.value.position == 1
    with pytest.raises(ParseError) as info:
        parse("a + b", names=NAMES)
    assert info.value.position == 4


def test_user_text_in_messages_is_shortened_and_escaped():
    name = "q" * 60
    with pytest.raises(ParseError) as info:
        parse(f"1 + {name}\n")
    message = str(info.value)
    assert "q" * 37 + "..." in message
    assert "q" * 41 not in message
    with pytest.raises(ParseError) as info:
        check_name("a\nb")
    assert "\n" not in str(info.value) and "\\n" in str(info.value)


def test_tokens():
    token = Token("number", "1.5", 3)
    assert (token.kind, token.text, token.pos) == ("number", "1.5", 3)
    with pytest.raises(AttributeError):
        token.pos = 4  # type: ignore[misc]


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
    result = parse(text)
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
    assert parse(text) == sympy.Rational(expected.numerator, expected.denominator)


def _check_outcome(text: str) -> None:
    try:
        result = parse(text, names=NAMES)
    except InputError as err:
        assert isinstance(err, (ParseError, LimitError))
        assert "\n" not in str(err)
        return
    assert isinstance(result, sympy.Expr)
    assert not result.has(sympy.nan, sympy.zoo, sympy.oo, sympy.I)
    exact_str(result)


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
