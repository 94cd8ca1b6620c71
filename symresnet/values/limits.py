"""Resource limits for reading user input: :class:`Limits`, the limits active in a
computation (:func:`active_limits`, :func:`using_limits`) and :class:`Guard`, every limit check
in one place.

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
import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import sympy

from symresnet.base.errors import LimitError

__all__ = [
    "DEFAULT_LIMITS",
    "Guard",
    "Limits",
    "active_limits",
    "quote",
    "rational_bits",
    "using_limits",
]


@dataclass(frozen=True)
class Limits:
    """Resource bounds for reading user input (see docs/security.md).

    An ``int`` given to :func:`~symresnet.values.exact.exact` (and each part of a ``Fraction``)
    may have at most ``max_digits`` decimal digits, exactly like a number literal in text; the
    check uses the bit length first, so it never converts a huge integer to a string.
    """

    max_text_length: int = 10_000  #: characters in one entry string
    max_depth: int = 100  #: nesting of parentheses, signs, calls and exponents
    max_digits: int = 5_000  #: digits of one number literal (or int / Fraction part)
    max_exponent: int = 10_000  #: |n| in x^n (also p and q of x^(p/q)), |e| in 1.5e-7
    max_result_bits: int = 1_000_000  #: size (bits) of any intermediate value
    max_name_length: int = 64  #: characters of one name
    max_entries: int = 1_000_000  #: entries of one matrix (used by other modules)
    #: entries of the whole network: every W_k, B_k and V_{r,k}, identity skips included
    max_network_entries: int = 4_000_000
    #: declared parameters of a spec, and the names of one computation (parameters and
    #: symbolic inputs): sympy's polynomials recurse once per variable
    max_names: int = 100
    max_function_bits: int = 2_048  #: size of a function argument or of a root's radicand
    max_expression_size: int = 20_000  #: nodes of one symbolic value in a realization
    max_file_bytes: int = 20_000_000  #: size of one spec file
    max_key_parts: int = 64  #: parts of one dotted TOML key (a.b.c): tomllib is quadratic in them
    max_pieces: int = 20_000  #: pieces of one symbolic realization (symresnet.compute.pieces)
    max_grid_points: int = 200_000  #: points of one parameter grid (``study --steps``)
    #: memory (MiB) of one command-line run (``symresnet --memory-limit``); the API does not
    #: enforce it: a service sets ``resource.setrlimit`` in its workers
    max_memory_mb: int = 4_096

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


def _at(pos: int | None) -> str:
    """' at column N' (1-based) for messages, or nothing when there is no column."""
    return "" if pos is None else f" at column {pos + 1}"


@functools.lru_cache(maxsize=8)
def _power_of_ten(exponent: int) -> int:
    return 10**exponent


def quote(text: str, width: int = 40) -> str:
    """User text for a message: shortened to ``width`` characters and repr-escaped."""
    if len(text) > width:
        text = text[: width - 3] + "..."
    return repr(text)


def rational_bits(value: sympy.Rational) -> int:
    """Bits of the larger of numerator and denominator."""
    return max(abs(int(value.p)).bit_length(), int(value.q).bit_length())


class Guard:
    """Every limit check in one place; each raises LimitError naming the limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def text(self, text: str) -> None:
        if len(text) > self.limits.max_text_length:
            raise LimitError(
                f"entry of {len(text)} characters is longer than the limit of "
                f"{self.limits.max_text_length} (Limits.max_text_length)"
            )

    def names(self, count: int, what: str = "declared parameters") -> None:
        """At most ``max_names`` names (checked before any of them is read)."""
        if count > self.limits.max_names:
            raise LimitError(
                f"{count} {what}, more than the limit of {self.limits.max_names} "
                "(Limits.max_names): use fewer (exact solving slows down steeply with each one)"
            )

    def entries(self, count: int, what: str = "the matrix") -> None:
        """At most ``max_entries`` entries in one matrix (checked before it is built)."""
        if count > self.limits.max_entries:
            raise LimitError(
                f"{what} would have {count} entries, more than the limit of "
                f"{self.limits.max_entries} (Limits.max_entries)"
            )

    def network_entries(self, count: int) -> None:
        """At most ``max_network_entries`` entries over all matrices of one network."""
        if count > self.limits.max_network_entries:
            raise LimitError(
                f"the network would have {count} entries in its matrices (W, B and V, "
                f"identity skips included), more than the limit of "
                f"{self.limits.max_network_entries} (Limits.max_network_entries)"
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
                f"name {quote(name)}{_at(pos)} is longer than "
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
