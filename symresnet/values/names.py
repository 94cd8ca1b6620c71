"""The names an entry may use: the whitelisted functions (:data:`FUNCTIONS`), the constant
``pi``, and the names no parameter may take (:data:`RESERVED_NAMES`, :func:`check_name`).

A NAME in an entry is either a whitelisted function followed by ``(`` (see :data:`FUNCTIONS`),
the constant ``pi``, or a key of the ``names`` mapping (the declared parameters).  Both ``e`` and
``E`` are reserved and *not* Euler's number (``e`` is too easily confused with ``1e5``):
write ``exp(1)``.  ``I``, ``nan``, ``inf``, ``oo`` and ``zoo`` are refused: entries are finite
real numbers.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy

from symresnet.base.errors import ParseError
from symresnet.values.limits import DEFAULT_LIMITS, Limits, quote

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "RESERVED_NAMES",
    "WhitelistedFunction",
    "check_name",
    "reserved_reason",
]


@dataclass(frozen=True)
class WhitelistedFunction:
    """A whitelisted function: its sympy counterpart and how many arguments it takes."""

    name: str
    apply: Callable[..., sympy.Expr]
    min_args: int = 1
    max_args: int | None = 1


def _functions() -> Mapping[str, WhitelistedFunction]:
    table = [
        WhitelistedFunction("sqrt", sympy.sqrt),
        WhitelistedFunction("exp", sympy.exp),
        WhitelistedFunction("log", sympy.log),
        WhitelistedFunction("ln", sympy.log),
        WhitelistedFunction("sin", sympy.sin),
        WhitelistedFunction("cos", sympy.cos),
        WhitelistedFunction("tan", sympy.tan),
        WhitelistedFunction("tanh", sympy.tanh),
        WhitelistedFunction("erf", sympy.erf),
        WhitelistedFunction("abs", sympy.Abs),
        WhitelistedFunction("max", sympy.Max, 2, None),
        WhitelistedFunction("min", sympy.Min, 2, None),
    ]
    return MappingProxyType({f.name: f for f in table})


#: whitelisted functions: name -> sympy function and arity; ``log``/``ln`` are natural logs,
#: ``max``/``min`` take two or more arguments
FUNCTIONS: Mapping[str, WhitelistedFunction] = _functions()

#: the constants an entry may name
CONSTANTS: Mapping[str, sympy.Expr] = MappingProxyType({"pi": sympy.pi})
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
    | set(CONSTANTS)
    | set(FUNCTIONS)
    | set(keyword.kwlist)
    | set(keyword.softkwlist)
)

_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z", re.ASCII)


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
            f"name {quote(name)} is longer than {limits.max_name_length} characters: "
            "choose a shorter name"
        )
    if not _NAME_PATTERN.match(name):
        raise ParseError(
            f"{quote(name)} is not a valid name: use an ASCII letter followed by letters, "
            "digits or '_', e.g. a, w1, theta_2"
        )
    if name in RESERVED_NAMES:
        raise ParseError(f"{reserved_reason(name)}: choose another parameter name")
    return name


def reserved_reason(name: str) -> str:
    if name in FUNCTIONS:
        return f"{quote(name)} is the name of a function"
    if name in CONSTANTS:
        return f"{quote(name)} is the constant {name}"
    if name in _EULER:
        return f"{quote(name)} is reserved (Euler's number is written exp(1))"
    if name in _IMAGINARY:
        return f"{quote(name)} is reserved (it suggests the imaginary unit)"
    if name in _NOT_FINITE:
        return f"{quote(name)} is reserved (it is not a finite real number)"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"{quote(name)} is a Python keyword"
    return f"{quote(name)} is reserved by sympy"
