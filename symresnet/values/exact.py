"""Layer 1, *exact*: turn user-written numbers and expressions into exact sympy values.

Entries are parsed by our own tokenizer and recursive-descent parser, which builds sympy
objects directly: ``sympify``, ``parse_expr`` and ``eval`` never see user text, and no float
ever enters (``0.1`` is ``Rational(1, 10)``).

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

Names: a NAME is either a whitelisted function followed by ``(`` (see :data:`FUNCTIONS`), the
constant ``pi``, or a key of the ``names`` mapping (the declared parameters).  Both ``e`` and
``E`` are reserved and *not* Euler's number (``e`` is too easily confused with ``1e5``):
write ``exp(1)``.  ``I``, ``nan``, ``inf``, ``oo`` and ``zoo`` are refused: entries are finite
real numbers.

Limits (:class:`Limits`) are checked before expensive work.  Besides the sizes of the text,
nesting, literals and exponents, every intermediate value carries a *size*: the exact bit size
of a rational number, and for other expressions an upper estimate of the bits of any number in
it (a power ``x^n`` has ``n`` times the size of ``x``; ``exp(x)`` about ``1.44 |x|``).  Sizes
above ``max_result_bits`` raise :class:`~symresnet.base.errors.LimitError` (this stops
``2^2^2^2^2^2``, ``10^10^10`` and ``exp(exp(exp(10)))``).  Arguments of functions and bases of
roots are held to the smaller ``max_function_bits``: sympy factors radicands and may run
primality tests on the numbers it is asked about, whose cost grows steeply with their size.
"""

from __future__ import annotations

import contextlib
import contextvars
import decimal
import fractions
import functools
import keyword
import math
import numbers
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import cast

import flint
import sympy
from sympy.matrices.expressions import MatrixExpr
from sympy.printing.str import StrPrinter

from symresnet.base.errors import LimitError, ParseError

__all__ = [
    "DEFAULT_LIMITS",
    "FUNCTIONS",
    "RESERVED_NAMES",
    "SYMPY_RATIONAL_TYPES",
    "Limits",
    "active_limits",
    "check_name",
    "exact",
    "exact_str",
    "parse",
    "small_bound",
    "small_exact",
    "using_limits",
]


# -- limits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """Resource bounds for reading user input (see docs/security.md).

    An ``int`` given to :func:`exact` (and each part of a ``Fraction``) may have at most
    ``max_digits`` decimal digits, exactly like a number literal in text; the check uses the
    bit length first, so it never converts a huge integer to a string.
    """

    max_text_length: int = 10_000  #: characters in one entry string
    max_depth: int = 100  #: nesting of parentheses, signs, calls and exponents
    max_digits: int = 5_000  #: digits of one number literal (or int / Fraction part)
    max_exponent: int = 10_000  #: |n| in x^n (also p and q of x^(p/q)), |e| in 1.5e-7
    max_result_bits: int = 1_000_000  #: size (bits) of any intermediate value
    max_name_length: int = 64  #: characters of one name
    max_entries: int = 1_000_000  #: entries of one matrix (used by other modules)
    max_function_bits: int = 2_048  #: size of a function argument or of a root's radicand
    max_expression_size: int = 20_000  #: nodes of one symbolic value in a realization
    max_file_bytes: int = 20_000_000  #: size of one spec file
    max_key_parts: int = 64  #: parts of one dotted TOML key (a.b.c): tomllib is quadratic in them
    max_pieces: int = 20_000  #: pieces of one symbolic realization (symresnet.compute.pieces)

    def __post_init__(self) -> None:
        for field, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{field} must be a positive integer, got {value!r}")


DEFAULT_LIMITS = Limits()

#: the Limits of the computation running in this context (see :func:`using_limits`)
_ACTIVE_LIMITS: contextvars.ContextVar[Limits] = contextvars.ContextVar("symresnet_limits")


def active_limits() -> Limits:
    """The :class:`Limits` set by :func:`using_limits` around this call, else the defaults.

    For code deep inside a computation (the numeric core) that is not handed the caller's
    limits.  Context-local: threads and asyncio tasks each see their own; worker processes
    see the defaults.
    """
    return _ACTIVE_LIMITS.get(DEFAULT_LIMITS)


@contextlib.contextmanager
def using_limits(limits: Limits) -> Iterator[Limits]:
    """Make ``limits`` the :func:`active_limits` inside the ``with`` block."""
    token = _ACTIVE_LIMITS.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE_LIMITS.reset(token)


#: Python refuses int <-> str conversions beyond this many digits (sys.get_int_max_str_digits)
_SAFE_DIGITS = 4_000
#: log2(e) < 1443/1000: exp(x) has at most 1443*|x|/1000 + 2 bits of magnitude
_LOG2_E = fractions.Fraction(1443, 1000)


def _at(pos: int | None) -> str:
    """' at column N' (1-based) for messages, or nothing when there is no column."""
    return "" if pos is None else f" at column {pos + 1}"


@functools.lru_cache(maxsize=8)
def _power_of_ten(exponent: int) -> int:
    return 10**exponent


def _rational_bits(value: sympy.Rational) -> int:
    """Bits of the larger of numerator and denominator."""
    return max(abs(int(value.p)).bit_length(), int(value.q).bit_length())


class _Guard:
    """Every limit check in one place; each raises LimitError naming the limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def text(self, text: str) -> None:
        if len(text) > self.limits.max_text_length:
            raise LimitError(
                f"entry of {len(text)} characters is longer than the limit of "
                f"{self.limits.max_text_length} (Limits.max_text_length)"
            )

    def depth(self, depth: int, pos: int | None) -> None:
        if depth > self.limits.max_depth:
            raise LimitError(
                f"nesting deeper than {self.limits.max_depth}{_at(pos)} "
                "(Limits.max_depth): simplify the entry"
            )

    def name(self, name: str, pos: int | None) -> None:
        if len(name) > self.limits.max_name_length:
            raise LimitError(
                f"name {_quote(name)}{_at(pos)} is longer than "
                f"{self.limits.max_name_length} characters (Limits.max_name_length)"
            )

    def digits(self, count: int, pos: int | None) -> None:
        if count > self.limits.max_digits:
            raise LimitError(
                f"number{_at(pos)} has {count} digits, more than the limit of "
                f"{self.limits.max_digits} (Limits.max_digits)"
            )

    def int_size(self, value: int, what: str = "integer") -> None:
        """At most ``max_digits`` decimal digits, decided without converting to a string."""
        size = abs(value)
        bound_bits = math.ceil(self.limits.max_digits * math.log2(10)) + 1
        if size.bit_length() > bound_bits or size >= _power_of_ten(self.limits.max_digits):
            raise LimitError(
                f"{what} of {size.bit_length()} bits has more than {self.limits.max_digits} "
                "digits (Limits.max_digits)"
            )

    def exponent(self, value: int, pos: int | None) -> None:
        if abs(value) > self.limits.max_exponent:
            raise LimitError(
                f"exponent{_at(pos)} is larger than {self.limits.max_exponent} "
                "in absolute value (Limits.max_exponent)"
            )

    def exponent_digits(self, digits: str, pos: int | None) -> int:
        """The value of an exponent's digit string, refused before conversion if too long."""
        digits = digits.lstrip("0") or "0"
        if len(digits) > len(str(self.limits.max_exponent)):
            self.exponent(self.limits.max_exponent + 1, pos)
        value = int(digits)
        self.exponent(value, pos)
        return value

    def bits(self, size: int, pos: int | None) -> None:
        if size > self.limits.max_result_bits:
            raise LimitError(
                f"the value{_at(pos)} would have about {size} bits, more than "
                f"{self.limits.max_result_bits} (Limits.max_result_bits): "
                "use smaller numbers or exponents"
            )

    def function_bits(self, size: int, what: str, pos: int | None) -> None:
        if size > self.limits.max_function_bits:
            raise LimitError(
                f"{what}{_at(pos)} is too large: about {size} bits, more than "
                f"{self.limits.max_function_bits} (Limits.max_function_bits)"
            )


# -- names ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Function:
    """A whitelisted function: its sympy counterpart and how many arguments it takes."""

    name: str
    apply: Callable[..., sympy.Expr]
    min_args: int = 1
    max_args: int | None = 1


def _functions() -> Mapping[str, _Function]:
    table = [
        _Function("sqrt", sympy.sqrt),
        _Function("exp", sympy.exp),
        _Function("log", sympy.log),
        _Function("ln", sympy.log),
        _Function("sin", sympy.sin),
        _Function("cos", sympy.cos),
        _Function("tan", sympy.tan),
        _Function("tanh", sympy.tanh),
        _Function("erf", sympy.erf),
        _Function("abs", sympy.Abs),
        _Function("max", sympy.Max, 2, None),
        _Function("min", sympy.Min, 2, None),
    ]
    return MappingProxyType({f.name: f for f in table})


#: whitelisted functions: name -> sympy function and arity; ``log``/``ln`` are natural logs,
#: ``max``/``min`` take two or more arguments
FUNCTIONS: Mapping[str, _Function] = _functions()

_CONSTANTS: Mapping[str, sympy.Expr] = MappingProxyType({"pi": sympy.pi})
_NOT_FINITE = frozenset({"nan", "NaN", "inf", "Inf", "infinity", "Infinity", "oo", "zoo"})
_EULER = frozenset({"e", "E"})
_IMAGINARY = frozenset({"I", "i", "j"})
_SYMPY_NAMES = frozenset(
    {"S", "N", "O", "Q", "gamma", "beta", "zeta", "Abs", "Max", "Min", "Piecewise"}
    | {"Heaviside", "sign", "re", "im", "true", "false"}
)

#: names that cannot be parameters: sympy's constants and special names, Python keywords,
#: the whitelisted functions and ``pi``.  (Dunder names are excluded by the name pattern.)
RESERVED_NAMES: frozenset[str] = frozenset(
    _NOT_FINITE
    | _EULER
    | _IMAGINARY
    | _SYMPY_NAMES
    | set(_CONSTANTS)
    | set(FUNCTIONS)
    | set(keyword.kwlist)
    | set(keyword.softkwlist)
)

_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z", re.ASCII)


def _quote(text: str, width: int = 40) -> str:
    """User text for a message: shortened to ``width`` characters and repr-escaped."""
    if len(text) > width:
        text = text[: width - 3] + "..."
    return repr(text)


def check_name(name: str, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """Validate a parameter name: an ASCII identifier ``[A-Za-z][A-Za-z0-9_]*``, not reserved,
    at most ``limits.max_name_length`` characters.  Returns it, or raises ParseError saying why.
    """
    if not isinstance(name, str):
        raise ParseError(f"a name must be a string, got {type(name).__name__}")
    if not name:
        raise ParseError("empty name: a parameter name starts with a letter, e.g. a or w1")
    if len(name) > limits.max_name_length:
        raise ParseError(
            f"name {_quote(name)} is longer than {limits.max_name_length} characters: "
            "choose a shorter name"
        )
    if not _NAME_PATTERN.match(name):
        raise ParseError(
            f"{_quote(name)} is not a valid name: use an ASCII letter followed by letters, "
            "digits or '_', e.g. a, w1, theta_2"
        )
    if name in RESERVED_NAMES:
        raise ParseError(f"{_reserved_reason(name)}: choose another parameter name")
    return name


def _reserved_reason(name: str) -> str:
    if name in FUNCTIONS:
        return f"{_quote(name)} is the name of a function"
    if name in _CONSTANTS:
        return f"{_quote(name)} is the constant {name}"
    if name in _EULER:
        return f"{_quote(name)} is reserved (Euler's number is written exp(1))"
    if name in _IMAGINARY:
        return f"{_quote(name)} is reserved (it suggests the imaginary unit)"
    if name in _NOT_FINITE:
        return f"{_quote(name)} is reserved (it is not a finite real number)"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"{_quote(name)} is a Python keyword"
    return f"{_quote(name)} is reserved by sympy"


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


def _tokens(text: str, guard: _Guard) -> Iterator[Token]:
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
        else:
            raise ParseError(
                f"unexpected character {_quote(ch)} at column {pos + 1}: entries use numbers, "
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
            shown = _quote(text[pos : end + 1])
            raise ParseError(
                f"malformed number {shown} at column {pos + 1}: an exponent needs digits, e.g. 1e5",
                position=pos,
            )
        end = match.start("e")  # '2ex': the number 2, then a name (refused as implicit *)
        literal = text[pos:end]
    if end < len(text) and (text[end] == "." or text[end] == "_" or text[end].isdigit()):
        shown = _quote(text[pos : end + 1])
        raise ParseError(f"malformed number {shown} at column {pos + 1}", position=pos)
    return Token("number", literal, pos)


def _digits_to_int(digits: str) -> int:
    """``int(digits)`` for any length: Python refuses more than 4,300 digits, flint does not."""
    if len(digits) <= _SAFE_DIGITS:
        return int(digits)
    return int(flint.fmpz(digits))


def _number_value(literal: str, pos: int, guard: _Guard) -> sympy.Rational:
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
    mantissa = _digits_to_int(whole + frac or "0")
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
        return _Value(expr, _rational_bits(expr), radicand)
    return _Value(expr, size, radicand)


class Parser:
    """Recursive-descent parser of one entry; see the module docstring for the grammar."""

    def __init__(self, text: str, names: Mapping[str, sympy.Expr], limits: Limits) -> None:
        self.text = text
        self.names = names
        self.guard = _Guard(limits)
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
        what = "end of entry" if tok.kind == "end" else _quote(tok.text)
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
                    f"unknown function {_quote(name)} at column {tok.pos + 1}: "
                    f"known functions are {known}",
                    position=tok.pos,
                )
        if name in FUNCTIONS:
            raise ParseError(
                f"{_quote(name)} at column {tok.pos + 1} is a function: write {name}(...)",
                position=tok.pos,
            )
        if name in _CONSTANTS:
            return _Value(_CONSTANTS[name], 2)
        if name in RESERVED_NAMES:
            raise ParseError(
                f"{_reserved_reason(name)} at column {tok.pos + 1}: "
                "entries are finite real numbers and declared parameters",
                position=tok.pos,
            )
        if name in self.names:
            return _Value(self.names[name], 0)
        raise ParseError(
            f"unknown name {_quote(name)} at column {tok.pos + 1}: declare it under [parameters]",
            position=tok.pos,
        )

    def call(self, function: _Function, tok: Token) -> _Value:
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

    def apply(self, function: _Function, args: list[_Value], pos: int) -> _Value:
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
        if expr.has(sympy.S.ImaginaryUnit) or _has_complex_root(expr):
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


def _has_complex_root(expr: sympy.Expr) -> bool:
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


# -- public entry points --------------------------------------------------------------------


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
    guard = _Guard(limits)
    guard.text(text)
    if not text.strip("".join(_SPACE)):
        raise ParseError("empty entry: write a number such as 0, 3/7 or 0.5")
    try:
        return Parser(text, names, limits).parse()
    except RecursionError:
        raise LimitError("entry nested too deeply to read (Limits.max_depth)") from None


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
        _Guard(limits).int_size(number)
        return sympy.Integer(number)
    if isinstance(value, fractions.Fraction):
        guard = _Guard(limits)
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
        raise ParseError(f"{_quote(str(value))}: nan/inf is not a number symresnet accepts")
    sign, digits, power = value.as_tuple()
    assert isinstance(power, int)
    guard = _Guard(limits)
    guard.digits(len(digits), None)
    guard.exponent(power, None)
    mantissa = _digits_to_int("".join(map(str, digits)) or "0")
    if sign:
        mantissa = -mantissa
    if mantissa == 0:
        return sympy.Integer(0)
    if power >= 0:
        return sympy.Integer(mantissa * 10**power)
    return sympy.Rational(mantissa, 10**-power)


def _from_float(value: float, limits: Limits, allow_float: bool) -> sympy.Rational:
    if not allow_float:
        raise ParseError(
            f"the float {value!r} is inexact: write a fraction like '1/10', a decimal string "
            "like '0.1', use fractions.Fraction, or pass allow_float=True"
        )
    if not math.isfinite(value):
        raise ParseError(f"{value!r}: nan/inf is not a number symresnet accepts")
    result = parse(repr(value), limits=limits)
    assert isinstance(result, sympy.Rational)
    return result


def _from_sympy(
    value: sympy.Basic, *, names: Mapping[str, sympy.Symbol], limits: Limits, allow_float: bool
) -> sympy.Expr:
    if not isinstance(value, sympy.Expr) or isinstance(value, (sympy.MatrixBase, MatrixExpr)):
        raise ParseError(f"expected a number or an expression, got sympy {type(value).__name__}")
    if isinstance(value, sympy.Rational):
        _Guard(limits).bits(_rational_bits(value), None)
        return value
    if value.has(sympy.S.NaN, sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity):
        raise ParseError(f"{_quote(str(value))} is not finite: entries are finite real numbers")
    if value.has(sympy.S.ImaginaryUnit) or _has_complex_root(value):
        raise ParseError(f"{_quote(str(value))} is not real: entries are finite real numbers")
    floats = value.atoms(sympy.Float)
    if floats:
        if not allow_float:
            raise ParseError(
                f"{_quote(str(value))} contains the inexact float {floats.pop()}: use "
                "sympy.Rational, or pass allow_float=True"
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
