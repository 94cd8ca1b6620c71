"""Our own tokenizer and recursive-descent parser of user-written entries: :func:`parse`.

The parser builds sympy objects directly: ``sympify``, ``parse_expr`` and ``eval`` never see
user text, and no float ever enters (``0.1`` is ``Rational(1, 10)``).

Grammar (whitespace between tokens is ignored)::

    entry   := sum END
    sum     := product (("+" | "-") product)*
    product := signed (("*" | "/") signed)*
    signed  := ("+" | "-") signed | power
    power   := atom (("^" | "**") signed)?          # right-associative: 2^3^2 == 2^9
    atom    := NUMBER | NAME | NAME "(" sum ("," sum)* ")" | "(" sum ")"
    NUMBER  := digits ["." [digits]] [exponent] | "." digits [exponent]
    exponent:= ("e" | "E") ["+" | "-"] digits

So ``-2^2 == -4`` (``^`` binds tighter than a sign), ``2^-1 == 1/2``, ``1/2/3 == 1/6``.
Both ``.5`` and ``5.`` are numbers (as in Python); ``1e3``, ``1.5e-3`` and ``2E+2`` are exact.
Implicit multiplication (``2a``, ``2(a+1)``) is refused: write ``2*a``.

What a NAME may be is in :mod:`symresnet.values.names`; the limits every step is held to (text,
nesting, digits, exponents and the size of every intermediate value) are in
:mod:`symresnet.values.limits`.
"""

from __future__ import annotations

import fractions
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import flint
import sympy

from symresnet.base.errors import LimitError, ParseError
from symresnet.values.limits import DEFAULT_LIMITS, Guard, Limits, quote, rational_bits
from symresnet.values.names import (
    CONSTANTS,
    FUNCTIONS,
    RESERVED_NAMES,
    WhitelistedFunction,
    reserved_reason,
)

__all__ = ["Parser", "Token", "digits_to_int", "has_complex_root", "parse"]

#: Python refuses int <-> str conversions beyond this many digits (sys.get_int_max_str_digits)
_SAFE_DIGITS = 4_000
#: log2(e) < 1443/1000: exp(x) has at most 1443*|x|/1000 + 2 bits of magnitude
_LOG2_E = fractions.Fraction(1443, 1000)


# -- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is number, name, op (+ - * / ^), (, ), ',' or end."""

    kind: str
    text: str
    pos: int


_NUMBER = re.compile(
    r"(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:(?P<e>[eE])(?P<esign>[+-]?)(?P<edigits>[0-9]*))?",
    re.ASCII,
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_SPACE = frozenset(" \t\r\n")
_SINGLE = {"+": "op", "-": "op", "/": "op", "^": "op", "(": "(", ")": ")", ",": ","}


def _tokens(text: str, guard: Guard) -> Iterator[Token]:
    """Tokens of ``text``, lazily, so that errors come in reading order; ends with an end token."""
    pos, n = 0, len(text)
    while pos < n:
        ch = text[pos]
        if ch in _SPACE:
            pos += 1
        elif ch.isascii() and (ch.isdigit() or ch == "."):
            token = _number_token(text, pos)
            pos += len(token.text)
            yield token
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            match = _NAME.match(text, pos)
            assert match is not None
            guard.name(match.group(), pos)
            yield Token("name", match.group(), pos)
            pos = match.end()
        elif text.startswith("**", pos):
            yield Token("op", "^", pos)
            pos += 2
        elif ch == "*":
            yield Token("op", "*", pos)
            pos += 1
        elif ch in _SINGLE:
            yield Token(_SINGLE[ch], ch, pos)
            pos += 1
        elif ch.isnumeric():
            raise _foreign_digit(ch, pos)
        else:
            raise ParseError(
                f"unexpected character {quote(ch)} at column {pos + 1}: entries use numbers, "
                "names, + - * / ^ ( ) and functions like sqrt(2)",
                position=pos,
            )
    yield Token("end", "", n)


def _number_token(text: str, pos: int) -> Token:
    match = _NUMBER.match(text, pos)
    assert match is not None
    literal = match.group()
    end = match.end()
    if not (match.group("int") or match.group("frac")):
        raise ParseError(f"unexpected '.' at column {pos + 1}", position=pos)
    if match.group("e") and not match.group("edigits"):
        after = text[match.end("e") : match.end("e") + 1]
        if match.group("esign") or not (after.isascii() and (after.isalpha() or after == "_")):
            shown = quote(text[pos : end + 1])
            raise ParseError(
                f"malformed number {shown} at column {pos + 1}: an exponent needs digits, e.g. 1e5",
                position=pos,
            )
        end = match.start("e")  # '2ex': the number 2, then a name (refused as implicit *)
        literal = text[pos:end]
    if end < len(text) and (text[end] in "._" or (text[end].isascii() and text[end].isdigit())):
        shown = quote(text[pos : end + 1])
        raise ParseError(f"malformed number {shown} at column {pos + 1}", position=pos)
    return Token("number", literal, pos)


def _foreign_digit(ch: str, pos: int) -> ParseError:
    """A numeric character that is not an ASCII digit (``²``, ``৪``, ``４``, ``½``): refused,
    with what to write instead.  Python's ``int()`` would read some of them (``int("৪") ==
    4``) and fail on others (``int("²")``); entries read only ``0-9``."""
    name = unicodedata.name(ch, f"U+{ord(ch):04X}").lower()
    value = unicodedata.digit(ch, None)
    if "superscript" in name and value is not None:
        instead = f"write ^{value} for a power"
    elif value is not None:
        instead = f"write {value}"
    else:
        instead = "write it with the digits 0-9, e.g. 1/2"
    return ParseError(
        f"{quote(ch)} ({name}) at column {pos + 1} is not a digit symresnet reads: "
        f"numbers use the ASCII digits 0-9 ({instead})",
        position=pos,
    )


def digits_to_int(digits: str) -> int:
    """``int(digits)`` for any length: Python refuses more than 4,300 digits, flint does not."""
    if len(digits) <= _SAFE_DIGITS:
        return int(digits)
    return int(flint.fmpz(digits))


def _number_value(literal: str, pos: int, guard: Guard) -> sympy.Rational:
    """The exact value of a number literal, by integer arithmetic only."""
    match = _NUMBER.fullmatch(literal)
    assert match is not None
    whole, frac = match.group("int"), match.group("frac") or ""
    guard.digits(len(whole) + len(frac), pos)
    power = 0
    if match.group("e"):
        power = guard.exponent_digits(match.group("edigits"), pos)
        if match.group("esign") == "-":
            power = -power
    mantissa = digits_to_int(whole + frac or "0")
    power -= len(frac)
    if mantissa == 0:
        return sympy.Integer(0)
    guard.bits(mantissa.bit_length() + math.ceil(abs(power) * math.log2(10)), pos)
    if power >= 0:
        return sympy.Integer(mantissa * 10**power)
    return sympy.Rational(mantissa, 10**-power)


# -- parser ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    """A parsed value: the expression, its size estimate (bits) and its radicand size."""

    expr: sympy.Expr
    size: int
    radicand: int = 0


def _is_number(expr: sympy.Expr) -> bool:
    return not expr.free_symbols


def _rational(expr: sympy.Expr, size: int = 0, radicand: int = 0) -> _Value:
    if isinstance(expr, sympy.Rational):
        return _Value(expr, rational_bits(expr), radicand)
    return _Value(expr, size, radicand)


class Parser:
    """Recursive-descent parser of one entry; see the module docstring for the grammar."""

    def __init__(self, text: str, names: Mapping[str, sympy.Expr], limits: Limits) -> None:
        self.text = text
        self.names = names
        self.guard = Guard(limits)
        self.depth = 0
        self._tokens = _tokens(text, self.guard)
        self.token = next(self._tokens)
        self.previous: Token | None = None

    # -- token handling

    def advance(self) -> Token:
        self.previous, self.token = self.token, next(self._tokens)
        return self.previous

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.token.kind == kind and (text is None or self.token.text == text)

    def unexpected(self, expected: str = "") -> ParseError:
        tok = self.token
        what = "end of entry" if tok.kind == "end" else quote(tok.text)
        hint = f": expected {expected}" if expected else ""
        return ParseError(f"unexpected {what} at column {tok.pos + 1}{hint}", position=tok.pos)

    def enter(self, pos: int) -> None:
        self.depth += 1
        self.guard.depth(self.depth, pos)

    # -- grammar

    def parse(self) -> sympy.Expr:
        value = self.sum()
        if not self.at("end"):
            raise self.unexpected("an operator such as + or *")
        return value.expr

    def sum(self) -> _Value:
        value = self.product()
        while self.at("op", "+") or self.at("op", "-"):
            op = self.advance()
            value = self.add(value, self.product(), negate=op.text == "-", pos=op.pos)
        return value

    def product(self) -> _Value:
        value = self.signed()
        while True:
            self.refuse_implicit()
            if not (self.at("op", "*") or self.at("op", "/")):
                return value
            op = self.advance()
            right = self.signed()
            if op.text == "*":
                value = self.multiply(value, right, op.pos)
            else:
                value = self.divide(value, right, op.pos)

    def signed(self) -> _Value:
        if not (self.at("op", "+") or self.at("op", "-")):
            return self.power()
        op = self.advance()
        self.enter(op.pos)
        value = self.signed()
        self.depth -= 1
        if op.text == "-":
            value = _Value(-value.expr, value.size, value.radicand)
        return value

    def power(self) -> _Value:
        base = self.atom()
        if not self.at("op", "^"):
            return base
        op = self.advance()
        self.enter(op.pos)
        exponent = self.signed()
        self.depth -= 1
        return self.raise_to(base, exponent, op.pos)

    def atom(self) -> _Value:
        tok = self.token
        if tok.kind == "number":
            self.advance()
            return _rational(_number_value(tok.text, tok.pos, self.guard))
        if tok.kind == "name":
            self.advance()
            return self.name(tok)
        if tok.kind == "(":
            self.advance()
            self.enter(tok.pos)
            value = self.sum()
            self.close(tok)
            self.depth -= 1
            return value
        raise self.unexpected("a number, a name or '('")

    def close(self, opening: Token) -> None:
        if self.at(")"):
            self.advance()
            return
        if self.at("end"):
            raise ParseError(
                f"missing ')' at column {self.token.pos + 1}: the '(' at column "
                f"{opening.pos + 1} is not closed",
                position=self.token.pos,
            )
        raise self.unexpected("')'")

    def refuse_implicit(self) -> None:
        if self.token.kind not in ("number", "name", "("):
            return
        prev, tok = self.previous, self.token
        if prev is not None and prev.kind in ("number", "name") and tok.kind != "(":
            hint = f"write {prev.text[:20]}*{tok.text[:20]}"
        else:
            hint = "write '*' between the factors"
        raise ParseError(
            f"implicit multiplication is not allowed at column {tok.pos + 1}: {hint}",
            position=tok.pos,
        )

    # -- names and calls

    def name(self, tok: Token) -> _Value:
        name = tok.text
        if self.at("("):
            if name in FUNCTIONS:
                return self.call(FUNCTIONS[name], tok)
            if name not in self.names or name in RESERVED_NAMES:
                known = ", ".join(sorted(FUNCTIONS))
                raise ParseError(
                    f"unknown function {quote(name)} at column {tok.pos + 1}: "
                    f"known functions are {known}",
                    position=tok.pos,
                )
        if name in FUNCTIONS:
            raise ParseError(
                f"{quote(name)} at column {tok.pos + 1} is a function: write {name}(...)",
                position=tok.pos,
            )
        if name in CONSTANTS:
            return _Value(CONSTANTS[name], 2)
        if name in RESERVED_NAMES:
            raise ParseError(
                f"{reserved_reason(name)} at column {tok.pos + 1}: "
                "entries are finite real numbers and declared parameters",
                position=tok.pos,
            )
        if name in self.names:
            return _Value(self.names[name], 0)
        raise ParseError(
            f"unknown name {quote(name)} at column {tok.pos + 1}: declare it under [parameters]",
            position=tok.pos,
        )

    def call(self, function: WhitelistedFunction, tok: Token) -> _Value:
        opening = self.advance()
        self.enter(opening.pos)
        args = [self.sum()]
        while self.at(","):
            self.advance()
            args.append(self.sum())
        self.close(opening)
        self.depth -= 1
        count = len(args)
        if count < function.min_args or (
            function.max_args is not None and count > function.max_args
        ):
            wanted = "1 argument" if function.max_args == 1 else "2 or more arguments"
            raise ParseError(
                f"{function.name} at column {tok.pos + 1} takes {wanted}, got {count}",
                position=tok.pos,
            )
        return self.apply(function, args, tok.pos)

    # -- arithmetic with limits

    def add(self, left: _Value, right: _Value, *, negate: bool, pos: int) -> _Value:
        size = max(left.size, right.size) + 1
        if not isinstance(left.expr, sympy.Rational) or not isinstance(right.expr, sympy.Rational):
            self.guard.bits(size, pos)
        expr = left.expr - right.expr if negate else left.expr + right.expr
        return self.checked(expr, size, max(left.radicand, right.radicand), pos)

    def multiply(self, left: _Value, right: _Value, pos: int) -> _Value:
        size = left.size + right.size
        radicand = left.radicand + right.radicand
        if not isinstance(left.expr, sympy.Rational) or not isinstance(right.expr, sympy.Rational):
            self.guard.bits(size, pos)
            self.guard.function_bits(radicand, "the product of roots", pos)
        return self.checked(left.expr * right.expr, size, radicand, pos)

    def divide(self, left: _Value, right: _Value, pos: int) -> _Value:
        if right.expr is sympy.S.Zero:
            raise ParseError(f"division by zero at column {pos + 1}", position=pos)
        value = self.multiply(left, _Value(1 / right.expr, right.size, right.radicand), pos)
        return self.finite_real(value, pos, "division")

    def checked(self, expr: sympy.Expr, size: int, radicand: int, pos: int) -> _Value:
        """The value of ``expr``: exact size for rationals (checked), else the estimate."""
        value = _rational(expr, size, radicand)
        self.guard.bits(value.size, pos)
        return value

    def raise_to(self, base: _Value, exponent: _Value, pos: int) -> _Value:
        b, e = base.expr, exponent.expr
        if isinstance(e, sympy.Integer):
            self.guard.exponent(int(e.p), pos)
            size = base.size * max(abs(int(e.p)), 1)
            radicand = base.radicand
        elif isinstance(e, sympy.Rational):
            self.guard.exponent(int(e.p), pos)
            self.guard.exponent(int(e.q), pos)
            size = base.size * abs(int(e.p))
            radicand = self.root_radicand(base, pos)
        else:
            size, radicand = self.real_power_size(base, exponent, pos)
        self.guard.bits(size, pos)
        if b is sympy.S.Zero and _is_negative(e):
            raise ParseError(
                f"division by zero at column {pos + 1}: 0 to a negative power", position=pos
            )
        if not (isinstance(e, sympy.Integer)) and _is_number(b) and _is_negative(b):
            raise ParseError(
                f"not a real number at column {pos + 1}: a negative number to a non-integer power",
                position=pos,
            )
        value = self.checked(b**e, size, radicand, pos)
        return self.finite_real(value, pos, "power")

    def root_radicand(self, base: _Value, pos: int) -> int:
        """Size of what sympy factors when taking a root of ``base``; checked."""
        if not _is_number(base.expr):
            return base.radicand
        self.guard.function_bits(base.size, "the base of a root", pos)
        return base.size if isinstance(base.expr, sympy.Rational) else base.radicand

    def real_power_size(self, base: _Value, exponent: _Value, pos: int) -> tuple[int, int]:
        """Size and radicand of ``base^exponent`` for an irrational or symbolic exponent."""
        if not _is_number(exponent.expr):
            return base.size + exponent.size, max(base.radicand, exponent.radicand)
        # |exponent| <= 2^size: keep it within max_exponent
        self.guard.exponent(2 ** min(exponent.size, 64), pos)
        if _is_number(base.expr):
            self.guard.function_bits(base.size, "the base of a power", pos)
        size = base.size * 2**exponent.size
        return size, max(base.radicand, exponent.radicand)

    def apply(self, function: WhitelistedFunction, args: list[_Value], pos: int) -> _Value:
        if function.name == "sqrt":
            return self.raise_to(args[0], _Value(sympy.S.Half, 1), pos)
        for arg in args:
            self.guard.function_bits(arg.size, f"the argument of {function.name}", pos)
        size = max(arg.size for arg in args) + 1
        if function.name == "exp":
            size = _exp_size(args[0])
            self.guard.bits(size, pos)
        try:
            expr = function.apply(*(arg.expr for arg in args))
        except (TypeError, ValueError) as err:
            raise ParseError(
                f"cannot compute {function.name} at column {pos + 1}: {str(err)[:80]}",
                position=pos,
            ) from None
        radicand = max(arg.radicand for arg in args)
        return self.finite_real(self.checked(expr, size, radicand, pos), pos, function.name)

    def finite_real(self, value: _Value, pos: int, what: str) -> _Value:
        """Refuse nan, infinities and non-real numbers (structurally; no numerics)."""
        expr = value.expr
        if isinstance(expr, sympy.Rational):
            return value
        if expr.has(sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity):
            cause = "division by zero" if what in ("division", "power") else "infinite result"
            raise ParseError(f"{cause} at column {pos + 1} ({what})", position=pos)
        if expr.has(sympy.S.NaN):
            raise ParseError(f"undefined result (nan) at column {pos + 1} ({what})", position=pos)
        if expr.has(sympy.S.ImaginaryUnit) or has_complex_root(expr):
            raise ParseError(
                f"not a real number at column {pos + 1} ({what}): entries must be real",
                position=pos,
            )
        return value


def _is_negative(expr: sympy.Expr) -> bool:
    """Sign test that never asks sympy's assumptions about a big integer."""
    if isinstance(expr, sympy.Rational):
        return expr.p < 0
    if not _is_number(expr):
        return False
    return bool(expr.is_extended_negative)


def has_complex_root(expr: sympy.Expr) -> bool:
    """``(-1)^(1/3)`` and friends: a negative rational to a non-integer power."""
    return any(
        isinstance(p.base, sympy.Rational) and p.base.p < 0 and not p.exp.is_Integer
        for p in expr.atoms(sympy.Pow)
    )


def _exp_size(arg: _Value) -> int:
    """Bits of magnitude of exp(arg): about log2(e) * |arg| (an estimate when not rational)."""
    x = arg.expr
    if isinstance(x, sympy.Rational):
        bound = abs(fractions.Fraction(int(x.p), int(x.q))) * _LOG2_E
    else:
        bound = fractions.Fraction(2 ** min(arg.size, 64)) * _LOG2_E
    return math.ceil(bound) + 2


# -- the entry point ------------------------------------------------------------------------


def parse(
    text: str,
    *,
    names: Mapping[str, sympy.Symbol] = MappingProxyType({}),
    limits: Limits = DEFAULT_LIMITS,
) -> sympy.Expr:
    """Parse an entry like '3/7', '-0.25', '1.5e-3', '2*a - 1/3', 'sqrt(2)', '(a+1)^2', 'a**2'.

    Names must be keys of ``names`` (and not reserved).  Returns an exact sympy expression;
    numbers evaluate ('1/2+1/3' -> Rational(5, 6)).  Operators: + - * / ^ (``**`` is a
    synonym), unary +/-, parentheses; ``^`` is right-associative and binds tighter than a
    sign (-2^2 == -4).  Non-real (sqrt(-1)), infinite or undefined results (log(0), 1/0) raise
    ParseError, as does empty text ('empty entry'); exceeded :class:`Limits` raise LimitError.
    Columns in messages count from 1; ``ParseError.position`` counts from 0.
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}")
    guard = Guard(limits)
    guard.text(text)
    if not text.strip("".join(_SPACE)):
        raise ParseError("empty entry: write a number such as 0, 3/7 or 0.5")
    try:
        return Parser(text, names, limits).parse()
    except RecursionError:
        raise LimitError("entry nested too deeply to read (Limits.max_depth)") from None
