"""*exact*: turn user values into exact sympy values, and exact values into text.

:func:`exact` reads an ``int``, ``Fraction``, ``Decimal``, sympy value or string (the text goes
to :func:`symresnet.values.parser.parse`); no float ever enters unless asked for.  Network
matrices take the fast path for many small numbers, :func:`small_exact`.  :func:`exact_str`
writes an exact value in sympy's form without Python's limit on the digits of an ``int``.
"""

from __future__ import annotations

import decimal
import fractions
import math
import numbers
from collections.abc import Mapping
from types import MappingProxyType
from typing import cast

import flint
import sympy
from sympy.matrices.expressions import MatrixExpr
from sympy.printing.str import StrPrinter

from symresnet.base.errors import ParseError
from symresnet.values.limits import DEFAULT_LIMITS, Guard, Limits, quote, rational_bits
from symresnet.values.parser import digits_to_int, has_complex_root, parse

__all__ = [
    "SYMPY_RATIONAL_TYPES",
    "exact",
    "exact_str",
    "small_bound",
    "small_exact",
]


def exact(
    value: object,
    *,
    names: Mapping[str, sympy.Symbol] = MappingProxyType({}),
    limits: Limits = DEFAULT_LIMITS,
    allow_float: bool = False,
) -> sympy.Expr:
    """Turn a user value into an exact sympy value.

    - ``int`` (not ``bool``) -> Integer, at most ``limits.max_digits`` digits (LimitError);
    - ``fractions.Fraction`` -> Rational (each part at most ``max_digits`` digits);
    - ``decimal.Decimal`` -> Rational exactly; NaN/Infinity are refused, the exponent is
      checked against ``max_exponent`` before converting;
    - ``str`` -> :func:`parse`;
    - sympy numbers and expressions -> themselves when finite and real-looking (no nan, oo,
      zoo, I); sympy Floats are refused unless ``allow_float``;
    - ``float`` -> ParseError unless ``allow_float=True``; then its shortest repr is read
      exactly (0.1 -> 1/10) and nan/inf are refused;
    - anything else -> ParseError naming the type received.
    """
    if isinstance(value, bool):
        raise ParseError(f"{value} is a boolean, not a number: write 1 or 0 if you mean a number")
    if isinstance(value, sympy.Basic):
        return _from_sympy(value, names=names, limits=limits, allow_float=allow_float)
    if isinstance(value, numbers.Integral):
        number = int(value)
        Guard(limits).int_size(number)
        return sympy.Integer(number)
    if isinstance(value, fractions.Fraction):
        guard = Guard(limits)
        guard.int_size(value.numerator, "numerator")
        guard.int_size(value.denominator, "denominator")
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, decimal.Decimal):
        return _from_decimal(value, limits)
    if isinstance(value, str):
        return parse(value, names=names, limits=limits)
    if isinstance(value, float):
        return _from_float(value, limits, allow_float)
    raise ParseError(f"expected a number or a string such as '3/7', got {type(value).__name__}")


# -- the fast path for many small numbers (network matrices) --------------------------------

#: the exact types of sympy's rational numbers: Integer, Rational and their singletons
#: (Zero, One, NegativeOne, Half).  Subclasses are not in it: they take :func:`exact`.
SYMPY_RATIONAL_TYPES: frozenset[type] = frozenset(
    type(x)
    for x in (
        sympy.Integer(2),
        sympy.Rational(1, 3),
        sympy.S.Zero,
        sympy.S.One,
        sympy.S.NegativeOne,
        sympy.S.Half,
    )
)


def small_bound(limits: Limits = DEFAULT_LIMITS) -> int:
    """``2**b`` with ``b = min(3 * max_digits, max_result_bits)``: the bound of :func:`small_exact`.

    An integer of absolute value below it has at most ``max_digits`` decimal digits
    (``2**(3d) = 8**d < 10**d``) and at most ``max_result_bits`` bits, so it passes every size
    check :func:`exact` makes on an int, a Fraction part or a sympy Rational's ``p`` and ``q``.
    """
    return 1 << min(3 * limits.max_digits, limits.max_result_bits)


def small_exact(value: object, bound: int) -> sympy.Rational | None:
    """``exact(value)`` for a small exact number, without the general checks; else ``None``.

    Only a value of type exactly ``int``, ``fractions.Fraction`` or one of
    :data:`SYMPY_RATIONAL_TYPES` whose numerator and denominator are below ``bound`` in absolute
    value (``bound = small_bound(limits)``) is converted here; the result is the one
    :func:`exact` returns for it.  ``None`` means: ask :func:`exact`, which accepts or refuses
    the value with its usual message.  bools, floats, subclasses (``IntEnum``), other
    integer types (numpy, python-flint), strings, expressions and big numbers all get ``None``.
    """
    kind = type(value)  # (abs(p) < bound, not -bound < p: no new big int on each call)
    if kind in SYMPY_RATIONAL_TYPES:
        rational = cast(sympy.Rational, value)
        if abs(rational.p) < bound and rational.q < bound:
            return rational
    elif kind is int:
        integer = cast(int, value)
        if abs(integer) < bound:
            return sympy.Integer(integer)
    elif kind is fractions.Fraction:
        fraction = cast(fractions.Fraction, value)
        p, q = fraction.numerator, fraction.denominator
        if abs(p) < bound and q < bound:
            return sympy.Rational(p, q)
    return None


def _from_decimal(value: decimal.Decimal, limits: Limits) -> sympy.Rational:
    if not value.is_finite():
        raise ParseError(f"{quote(str(value))}: nan/inf is not a number symresnet accepts")
    sign, digits, power = value.as_tuple()
    assert isinstance(power, int)
    guard = Guard(limits)
    guard.digits(len(digits), None)
    guard.exponent(power, None)
    mantissa = digits_to_int("".join(map(str, digits)) or "0")
    if sign:
        mantissa = -mantissa
    if mantissa == 0:
        return sympy.Integer(0)
    if power >= 0:
        return sympy.Integer(mantissa * 10**power)
    return sympy.Rational(mantissa, 10**-power)


#: the longest exact value a float's error message spells out as an example (``'1/2'``)
_MAX_SPELLING = 24


def _float_refused(what: str, decimal_text: str, exact_type: str) -> ParseError:
    """The error for a float (``what``, whose decimal text is ``decimal_text``): floats are
    refused so that none enters a result silently; the message spells the exact number the
    text shows (``'1/2' or Fraction(1, 2)`` for ``0.5``) when it is short."""
    shown = decimal.Decimal(decimal_text)  # sympy Floats may have huge exponents: check first
    value = fractions.Fraction(shown) if abs(shown.adjusted()) <= _MAX_SPELLING else None
    example = ""
    if value is not None and len(str(value)) <= _MAX_SPELLING:
        typed = (
            str(value)
            if value.denominator == 1
            else f"{exact_type}({value.numerator}, {value.denominator})"
        )
        example = f", e.g. '{value}' or {typed}"
    return ParseError(
        f"{what} is a float, and symresnet lets no float enter a result silently: write the "
        f"exact value as a string or a {exact_type}{example}"
    )


def _from_float(value: float, limits: Limits, allow_float: bool) -> sympy.Rational:
    if not math.isfinite(value):
        raise ParseError(f"{value!r}: nan/inf is not a number symresnet accepts")
    if not allow_float:
        raise _float_refused(f"{value!r}", repr(value), "Fraction")
    result = parse(repr(value), limits=limits)
    assert isinstance(result, sympy.Rational)
    return result


def _from_sympy(
    value: sympy.Basic, *, names: Mapping[str, sympy.Symbol], limits: Limits, allow_float: bool
) -> sympy.Expr:
    if not isinstance(value, sympy.Expr) or isinstance(value, (sympy.MatrixBase, MatrixExpr)):
        raise ParseError(f"expected a number or an expression, got sympy {type(value).__name__}")
    if isinstance(value, sympy.Rational):
        Guard(limits).bits(rational_bits(value), None)
        return value
    if value.has(sympy.S.NaN, sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity):
        raise ParseError(f"{quote(str(value))} is not finite: entries are finite real numbers")
    if value.has(sympy.S.ImaginaryUnit) or has_complex_root(value):
        raise ParseError(f"{quote(str(value))} is not real: entries are finite real numbers")
    floats = value.atoms(sympy.Float)
    if floats:
        if not allow_float:
            first = min(floats, key=sympy.default_sort_key)
            raise _float_refused(
                f"{quote(str(value))}" + ("" if first == value else f" contains {first}, which"),
                str(first),
                "sympy.Rational",
            )
        exact_floats = {f: parse(str(f), limits=limits) for f in floats}
        value = value.xreplace(exact_floats)
    return value


# -- printing -------------------------------------------------------------------------------


def _int_str(n: int) -> str:
    """``str(n)`` without Python's 4,300-digit limit."""
    if n.bit_length() < 10_000:
        return str(n)
    return str(flint.fmpz(n))


class _ExactStrPrinter(StrPrinter):
    """sympy's str form, with integers of any size."""

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return _int_str(int(expr.p))

    def _print_Rational(self, expr: sympy.Rational) -> str:
        if expr.q == 1:
            return _int_str(int(expr.p))
        return f"{_int_str(int(expr.p))}/{_int_str(int(expr.q))}"

    def _print_int(self, expr: int) -> str:
        return _int_str(expr)

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        # ``E`` is reserved in our grammar (and in sympy's): write Euler's number as exp(1)
        return "exp(1)"


def exact_str(value: sympy.Expr) -> str:
    """Exact string in sympy's form ('-7', '3/7', 'a + 1') that never fails on huge integers.

    Python 3.11 refuses ``str(int)`` beyond 4,300 digits; big numbers go through
    ``flint.fmpz``, which has no such limit.  The interpreter's global setting is not touched.
    """
    if isinstance(value, bool):
        raise TypeError("exact_str needs a number or a sympy expression, not a bool")
    if isinstance(value, int):
        return _int_str(value)
    if isinstance(value, sympy.Rational):
        return _ExactStrPrinter()._print_Rational(value)
    return _ExactStrPrinter(dict(order=None)).doprint(value)
