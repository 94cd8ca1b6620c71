"""The table of the book's activations (Section 1.2): names, parameters, conditions, formulas.

Each activation is a scalar function ``a: R -> R``; a ResNet applies it componentwise through
``M_{a,d}`` (Def. 1.2.1).  This module holds, for each canonical name in :data:`KNOWN`, what
the book's table says: its parameters with their defaults (:data:`PARAMETERS`) and conditions
(:func:`validate`), its aliases (:data:`ALIASES`, read by :func:`canonical_name`), whether it
maps rationals to rationals (:data:`RATIONAL`) or is piecewise linear
(:data:`PIECEWISE_LINEAR`), and its exact formulas: :data:`SYMBOLIC` with sympy and
:data:`FRACTION` with :class:`fractions.Fraction`.  The value built on the table is
:class:`symresnet.model.activations.Activation`.

Decisions (see also ``docs`` and docs/design.md):

* Parameters: ``leaky_relu`` needs ``gamma`` (``>= 0``), ``elu`` needs ``gamma`` (``<= 0``),
  ``repu`` needs ``p`` (a positive integer, at most :data:`MAX_REPU_POWER`), ``swish`` has
  ``beta`` defaulting to ``1``, ``clip`` has ``u`` and ``v`` defaulting to ``-oo`` and ``oo``
  (an omitted bound is infinite) but at least one of them must be given.  A symbolic parameter
  (a declared name) skips the numeric checks, except ``p``, which must be a number.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import sympy

from symresnet.base.errors import ActivationError, shown

__all__ = [
    "ALIASES",
    "CONDITIONS",
    "EXAMPLE_SPEC",
    "FRACTION",
    "KNOWN",
    "MAX_REPU_POWER",
    "PARAMETERS",
    "PIECEWISE_LINEAR",
    "RATIONAL",
    "SYMBOLIC",
    "canonical_name",
    "to_sympy",
    "validate",
]

#: the largest RePU power accepted (bounds the size of exact values)
MAX_REPU_POWER = 64

_oo = sympy.oo

#: canonical name -> (parameter names in canonical order, defaults for the optional ones)
PARAMETERS: dict[str, tuple[tuple[str, ...], dict[str, sympy.Expr]]] = {
    "relu": ((), {}),
    "clip": (("u", "v"), {"u": -_oo, "v": _oo}),
    "softplus": ((), {}),
    "gelu": ((), {}),
    "sigmoid": ((), {}),
    "swish": (("beta",), {"beta": sympy.Integer(1)}),
    "tanh": ((), {}),
    "softsign": ((), {}),
    "leaky_relu": (("gamma",), {}),
    "elu": (("gamma",), {}),
    "repu": (("p",), {}),
    "sin": ((), {}),
    "heaviside": ((), {}),
    "identity": ((), {}),
}

#: canonical names accepted as ResNet activations
KNOWN: tuple[str, ...] = tuple(PARAMETERS)

ALIASES: dict[str, str] = {
    **{name: name for name in KNOWN},
    "r": "relu",
    "clipping": "clip",
    "logistic": "sigmoid",
    "standard_logistic": "sigmoid",
    "sig": "sigmoid",
    "leaky": "leaky_relu",
    "leakyrelu": "leaky_relu",
    "sine": "sin",
    "step": "heaviside",
    "id": "identity",
}

RATIONAL = frozenset({"relu", "leaky_relu", "clip", "heaviside", "repu", "identity", "softsign"})
PIECEWISE_LINEAR = frozenset({"relu", "leaky_relu", "clip", "heaviside", "identity"})

CONDITIONS = {
    "leaky_relu": "gamma >= 0",
    "elu": "gamma <= 0",
    "repu": f"a positive integer at most {MAX_REPU_POWER}",
}

EXAMPLE_SPEC = {
    "clip": '{ name = "clip", u = 0, v = 1 }',
    "leaky_relu": '{ name = "leaky_relu", gamma = "1/10" }',
    "elu": '{ name = "elu", gamma = -1 }',
    "repu": '{ name = "repu", p = 2 }',
    "swish": '{ name = "swish", beta = 2 }',
}


# -- names and parameters -------------------------------------------------------------------------


def to_sympy(value: object, *, place: str = "") -> sympy.Expr:
    """An exact sympy value from a sympy expression, an int or a Fraction."""
    if isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr):
            raise ActivationError(f"expected a number, got {value}", place=place)
        return value
    if isinstance(value, bool):
        raise ActivationError(f"expected a number, got {value!r}", place=place)
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    raise TypeError(f"expected an exact value (sympy, int or Fraction), got {value!r}")


def canonical_name(raw: object, place: str) -> str:
    """The canonical name of an activation name or alias (case-insensitive, ``-`` and blanks
    read as ``_``); softmax, being vector-valued, is refused."""
    if not isinstance(raw, str):
        raise ActivationError(f"an activation name must be a string, got {shown(raw)}", place=place)
    key = "_".join(raw.strip().lower().replace("-", " ").split())
    if key == "softmax":
        raise ActivationError(
            "softmax is vector-valued (A_d(x)_i = e^{x_i} / sum_j e^{x_j}), not componentwise, "
            "so it cannot be a ResNet activation",
            place=place,
            hint="use symresnet.softmax() as a function on the output instead",
        )
    if key in ALIASES:
        return ALIASES[key]
    close = difflib.get_close_matches(key, list(ALIASES), n=1)
    hint = f"did you mean {ALIASES[close[0]]!r}?" if close else ""
    raise ActivationError(
        f"unknown activation {raw!r}; known: {', '.join(KNOWN)}", place=place, hint=hint
    )


def _decide(relation: sympy.Basic) -> bool | None:
    """True/False when a numeric relation is decidable, else None."""
    if relation is sympy.true:
        return True
    if relation is sympy.false:
        return False
    return None


def validate(name: str, params: dict[str, sympy.Expr]) -> None:
    """Check the parameter conditions of Section 1.2 (numeric ones only; ``p`` always)."""
    for key, value in params.items():
        place = f"activation.{key}"
        if value.is_real is False and not value.is_infinite:
            raise ActivationError(f"{key} must be a real number, got {value}", place=place)
        if value.is_infinite and not (name == "clip" and value == (-_oo if key == "u" else _oo)):
            raise ActivationError(f"{key} must be finite, got {value}", place=place)
    if name == "clip":
        u, v = params["u"], params["v"]
        if u == -_oo and v == _oo:
            raise ActivationError(
                "clip needs at least one bound: u, v or both",
                place="activation",
                hint=f"e.g. {EXAMPLE_SPEC['clip']}; an omitted bound is infinite",
            )
        if u.is_number and v.is_number and _decide(u < v) is False:
            raise ActivationError(
                f"clip needs u < v, got u = {u}, v = {v}",
                place="activation.v",
                hint="c_{u,v}(x) = max{u, min{x, v}}, Section 1.2",
            )
    elif name == "leaky_relu":
        gamma = params["gamma"]
        if gamma.is_number and _decide(gamma >= 0) is False:
            raise ActivationError(
                f"leaky_relu needs gamma >= 0, got gamma = {gamma}", place="activation.gamma"
            )
    elif name == "elu":
        gamma = params["gamma"]
        if gamma.is_number and _decide(gamma <= 0) is False:
            raise ActivationError(
                f"elu needs gamma <= 0, got gamma = {gamma}",
                place="activation.gamma",
                hint="the book's ELU is x for x > 0 and gamma (1 - e^x) otherwise",
            )
    elif name == "repu":
        p = params["p"]
        if not (p.is_Integer and 1 <= p <= MAX_REPU_POWER):
            why = "" if p.is_number else " (a symbolic power is not supported)"
            raise ActivationError(
                f"repu needs p to be a positive integer at most {MAX_REPU_POWER}, got p = {p}{why}",
                place="activation.p",
                hint=f"the bound {MAX_REPU_POWER} keeps exact values of bounded size",
            )


# -- formulas -------------------------------------------------------------------------------------


def _clip_symbolic(p: Mapping[str, sympy.Expr], x: sympy.Expr) -> sympy.Expr:
    u, v = p["u"], p["v"]
    y = x if v == _oo else sympy.Min(x, v)
    return y if u == -_oo else sympy.Max(u, y)


def _leaky_symbolic(p: Mapping[str, sympy.Expr], x: sympy.Expr) -> sympy.Expr:
    gamma = p["gamma"]
    if gamma == 1:
        return x
    return sympy.Piecewise((x, x > 0), (gamma * x, True))


def _repu_symbolic(p: Mapping[str, sympy.Expr], x: sympy.Expr) -> sympy.Expr:
    return sympy.Max(x, 0) ** p["p"]


#: canonical name -> ``(parameters, x) -> a(x)``, exact with sympy
SYMBOLIC: dict[str, Any] = {
    "relu": lambda p, x: sympy.Max(x, 0),
    "clip": _clip_symbolic,
    "softplus": lambda p, x: sympy.log(1 + sympy.exp(x)),
    "gelu": lambda p, x: x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2,
    "sigmoid": lambda p, x: 1 / (1 + sympy.exp(-x)),
    "swish": lambda p, x: x / (1 + sympy.exp(-p["beta"] * x)),
    "tanh": lambda p, x: sympy.tanh(x),
    "softsign": lambda p, x: x / (sympy.Abs(x) + 1),
    "leaky_relu": _leaky_symbolic,
    "elu": lambda p, x: sympy.Piecewise((x, x > 0), (p["gamma"] * (1 - sympy.exp(x)), True)),
    "repu": _repu_symbolic,
    "sin": lambda p, x: sympy.sin(x),
    "heaviside": lambda p, x: sympy.Piecewise((1, x >= 0), (0, True)),
    "identity": lambda p, x: x,
}


def _clip_fraction(p: dict[str, Fraction | None], x: Fraction) -> Fraction:
    u, v = p["u"], p["v"]
    if v is not None and x > v:
        x = v
    if u is not None and x < u:
        x = u
    return x


_ZERO, _ONE = Fraction(0), Fraction(1)

#: ``(parameters as Fractions, x) -> a(x)``, for the activations in :data:`RATIONAL`
FRACTION: dict[str, Any] = {
    "relu": lambda p, x: x if x > 0 else _ZERO,
    "clip": _clip_fraction,
    "softsign": lambda p, x: x / (abs(x) + 1),
    "leaky_relu": lambda p, x: x if x > 0 else p["gamma"] * x,
    "repu": lambda p, x: x ** int(p["p"]) if x > 0 else _ZERO,
    "heaviside": lambda p, x: _ONE if x >= 0 else _ZERO,
    "identity": lambda p, x: x,
}
