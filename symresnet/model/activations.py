"""The activation value of the book's Section 1.2, exact, and its lookup by name.

Each activation is a scalar function ``a: R -> R``; a ResNet applies it componentwise through
``M_{a,d}`` (Def. 1.2.1) on its hidden layers and the identity ``id_R`` on its output layer
(Def. 1.5.4).  An :class:`Activation` is a frozen value (hashable, comparable) holding a
canonical name and its exact parameters; it evaluates exactly with sympy, has a fast
:class:`fractions.Fraction` path for the activations that map rationals to rationals, and, for
the piecewise linear ones, lists its :class:`Piece` s and breakpoints.  :func:`activation`
builds one from a spec value (a name or a table).  The names, parameters, conditions and
formulas are the table of :mod:`symresnet.model.activation_table`.

Decisions (see also ``docs`` and docs/design.md):

* Pieces form a partition of ``R`` in increasing order.  For the continuous ones every
  boundary point belongs to the piece on its *left* (pieces ``(-oo, b_1], (b_1, b_2], ...,
  (b_n, oo)``): ReLU ``(-oo, 0]`` slope 0 then ``(0, oo)`` slope 1, clipping ``(-oo, u]``
  value ``u``, ``(u, v]`` identity, ``(v, oo)`` value ``v``.  Heaviside, being discontinuous,
  follows its definition: ``(-oo, 0)`` value 0, ``[0, oo)`` value 1.
* LaTeX symbols: ``\\mathfrak{r}``, ``\\mathfrak{c}_{u,v}``, ``\\operatorname{softplus}``,
  ``\\operatorname{GELU}``, ``\\operatorname{sig}``, ``\\operatorname{swish}_{beta}``,
  ``\\tanh``, ``\\operatorname{softsign}``, ``\\operatorname{leaky}_{gamma}``,
  ``\\operatorname{ELU}_{gamma}``, ``\\operatorname{RePU}_{p}``, ``\\sin``,
  ``\\mathbf{1}_{[0,\\infty)}``, ``\\mathrm{id}_{\\mathbb{R}}``; parameter values filled in with
  ``sympy.latex``.
* Softmax ``A_d`` is vector-valued, not componentwise: it is offered as :func:`softmax` but
  refused as a ResNet activation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType

import sympy

from symresnet.base.errors import ActivationError, InputError, shown
from symresnet.model.activation_table import (
    CONDITIONS,
    EXAMPLE_SPEC,
    FRACTION,
    KNOWN,
    PARAMETERS,
    PIECEWISE_LINEAR,
    RATIONAL,
    SYMBOLIC,
    canonical_name,
    to_sympy,
    validate,
)
from symresnet.values.exact import exact, exact_str

__all__ = [
    "IDENTITY",
    "Activation",
    "Piece",
    "activation",
    "softmax",
]

_oo = sympy.oo
_NO_NAMES: Mapping[str, sympy.Symbol] = MappingProxyType({})


@dataclass(frozen=True)
class Piece:
    """One piece of a piecewise-linear scalar function: on the interval from ``lo`` to ``hi``
    (each end included iff its flag says so) the function is ``slope * x + intercept``.

    Entries are exact sympy values: Rationals (``lo``/``hi`` may be ``-oo``/``oo``) when the
    activation's parameters are rational, otherwise the parameter expressions themselves.
    """

    lo: sympy.Expr
    hi: sympy.Expr
    lo_closed: bool
    hi_closed: bool
    slope: sympy.Rational
    intercept: sympy.Rational

    def contains(self, x: sympy.Expr | Fraction | int) -> bool:
        """Whether the (numeric) point ``x`` lies in this piece's interval."""
        x = to_sympy(x)
        above = bool(x > self.lo) or (self.lo_closed and bool(sympy.Eq(x, self.lo)))
        below = bool(x < self.hi) or (self.hi_closed and bool(sympy.Eq(x, self.hi)))
        return above and below

    def __call__(self, x: sympy.Expr | Fraction | int) -> sympy.Expr:
        """``slope * x + intercept`` (whether or not ``x`` lies in the piece)."""
        return self.slope * to_sympy(x) + self.intercept


@dataclass(frozen=True)
class Activation:
    """A scalar activation function ``a: R -> R`` of Section 1.2 with exact parameters.

    Build one with :func:`activation`; constructing directly validates too, but takes only the
    canonical name and all parameters in canonical order, e.g.
    ``Activation("clip", (("u", -oo), ("v", 1)))``.
    """

    name: str
    params: tuple[tuple[str, sympy.Expr], ...] = ()

    def __post_init__(self) -> None:
        if self.name not in PARAMETERS:
            raise ActivationError(
                f"unknown activation {self.name!r}; known: {', '.join(KNOWN)}",
                place="activation",
                hint="Activation() takes canonical names; activation() also accepts aliases",
            )
        keys, _ = PARAMETERS[self.name]
        given = tuple(key for key, _ in self.params)
        if given != keys:
            raise ActivationError(
                f"{self.name} takes the parameters ({', '.join(keys)}) in this order, "
                f"got ({', '.join(map(str, given))})",
                place="activation",
                hint="use activation() to build one from a spec",
            )
        params = tuple(
            (key, to_sympy(value, place=f"activation.{key}")) for key, value in self.params
        )
        object.__setattr__(self, "params", params)
        validate(self.name, dict(params))

    def __repr__(self) -> str:
        inner = "".join(f", {key}={value}" for key, value in self.params)
        return f"Activation({self.name!r}{inner})"

    def param(self, key: str) -> sympy.Expr:
        """The value of parameter ``key`` (e.g. ``gamma``)."""
        for k, value in self.params:
            if k == key:
                return value
        keys = PARAMETERS[self.name][0]
        allowed = ", ".join(keys) if keys else "none"
        raise ActivationError(
            f"{self.name} has no parameter {key!r}; its parameters: {allowed}",
            place=f"activation.{key}",
        )

    # -- evaluation ---------------------------------------------------------------------------

    def __call__(self, x: sympy.Expr | Fraction | int) -> sympy.Expr:
        """The exact value ``a(x)``: a Rational for the rational activations on Rational input,
        else a sympy expression (``Max``, ``Min``, ``Piecewise``, ``exp``, ``erf``, ...)."""
        x = to_sympy(x)
        if x.is_Rational and self.rational:
            y = self.apply_fraction(Fraction(int(x.p), int(x.q)))
            return sympy.Rational(y.numerator, y.denominator)
        return SYMBOLIC[self.name](dict(self.params), x)

    def apply_fraction(self, x: Fraction | int) -> Fraction:
        """``a(x)`` on a Fraction, for the activations mapping rationals to rationals."""
        if not self.rational:
            why = "its parameters are not all rational" if self.name in RATIONAL else "smooth"
            raise ActivationError(
                f"{self.text} does not map rationals to rationals ({why})",
                place="activation",
                hint="evaluate it exactly with sympy by calling it",
            )
        x = Fraction(x)
        return FRACTION[self.name](self._fraction_params, x)

    @cached_property
    def _fraction_params(self) -> dict[str, Fraction | None]:
        """The parameters as Fractions (``None`` for an infinite clipping bound)."""
        out: dict[str, Fraction | None] = {}
        for key, value in self.params:
            out[key] = Fraction(int(value.p), int(value.q)) if value.is_Rational else None
        return out

    # -- properties -----------------------------------------------------------------------------

    @property
    def rational(self) -> bool:
        """Maps rationals to rationals exactly (relu, leaky_relu, clip, heaviside, repu,
        identity, softsign), with all parameters rational (clipping bounds may be infinite)."""
        if self.name not in RATIONAL:
            return False
        return all(
            value.is_Rational or (self.name == "clip" and value.is_infinite)
            for _, value in self.params
        )

    @property
    def piecewise_linear(self) -> bool:
        """relu, leaky_relu, clip, heaviside, identity, and repu with ``p == 1``."""
        if self.name == "repu":
            return self.param("p") == 1
        return self.name in PIECEWISE_LINEAR

    @property
    def continuous(self) -> bool:
        """False only for Heaviside."""
        return self.name != "heaviside"

    @property
    def pieces(self) -> tuple[Piece, ...]:
        """A partition of ``R`` into intervals, increasing, on each of which ``a`` is affine.

        Boundary points go to the piece on their left, except for Heaviside (``[0, oo)`` has
        the value 1).  Raises :class:`ActivationError` if ``a`` is not piecewise linear.
        """
        if not self.piecewise_linear:
            raise ActivationError(
                f"{self.text} is not piecewise linear, so it has no pieces",
                place="activation",
            )
        zero, one = sympy.Integer(0), sympy.Integer(1)
        name = self.name
        if name == "identity" or (name == "leaky_relu" and self.param("gamma") == 1):
            return (Piece(-_oo, _oo, False, False, one, zero),)
        if name in ("relu", "repu"):
            return (
                Piece(-_oo, zero, False, True, zero, zero),
                Piece(zero, _oo, False, False, one, zero),
            )
        if name == "leaky_relu":
            gamma = self.param("gamma")
            return (
                Piece(-_oo, zero, False, True, gamma, zero),
                Piece(zero, _oo, False, False, one, zero),
            )
        if name == "heaviside":
            return (
                Piece(-_oo, zero, False, False, zero, zero),
                Piece(zero, _oo, True, False, zero, one),
            )
        # clip: max{u, min{x, v}}
        u, v = self.param("u"), self.param("v")
        out = []
        if u != -_oo:
            out.append(Piece(-_oo, u, False, True, zero, u))
        out.append(Piece(u, v, False, v != _oo, one, zero))
        if v != _oo:
            out.append(Piece(v, _oo, False, False, zero, v))
        return tuple(out)

    @property
    def breakpoints(self) -> tuple[sympy.Expr, ...]:
        """The finite points where the piece changes, increasing (relu: ``(0,)``; clip: its
        finite bounds; identity and leaky_relu with ``gamma == 1``: ``()``)."""
        return tuple(piece.lo for piece in self.pieces[1:])

    # -- printing -------------------------------------------------------------------------------

    @property
    def latex(self) -> str:
        """The LaTeX symbol, as the book writes it, parameter values filled in."""
        p = {key: sympy.latex(value) for key, value in self.params}
        symbols = {
            "relu": r"\mathfrak{r}",
            "clip": rf"\mathfrak{{c}}_{{{p.get('u')},{p.get('v')}}}",
            "softplus": r"\operatorname{softplus}",
            "gelu": r"\operatorname{GELU}",
            "sigmoid": r"\operatorname{sig}",
            "swish": rf"\operatorname{{swish}}_{{{p.get('beta')}}}",
            "tanh": r"\tanh",
            "softsign": r"\operatorname{softsign}",
            "leaky_relu": rf"\operatorname{{leaky}}_{{{p.get('gamma')}}}",
            "elu": rf"\operatorname{{ELU}}_{{{p.get('gamma')}}}",
            "repu": rf"\operatorname{{RePU}}_{{{p.get('p')}}}",
            "sin": r"\sin",
            "heaviside": r"\mathbf{1}_{[0,\infty)}",
            "identity": r"\mathrm{id}_{\mathbb{R}}",
        }
        return symbols[self.name]

    @property
    def text(self) -> str:
        """A plain-text symbol for terminals: ``r``, ``c_{0,1}``, ``leaky_{1/10}``, ``id``, ..."""
        p = {key: str(value) for key, value in self.params}
        symbols = {
            "relu": "r",
            "clip": f"c_{{{p.get('u')},{p.get('v')}}}",
            "softplus": "softplus",
            "gelu": "GELU",
            "sigmoid": "sig",
            "swish": f"swish_{{{p.get('beta')}}}",
            "tanh": "tanh",
            "softsign": "softsign",
            "leaky_relu": f"leaky_{{{p.get('gamma')}}}",
            "elu": f"ELU_{{{p.get('gamma')}}}",
            "repu": f"RePU_{{{p.get('p')}}}",
            "sin": "sin",
            "heaviside": "1_[0,oo)",
            "identity": "id",
        }
        return symbols[self.name]

    def to_spec(self) -> str | dict[str, str]:
        """The spec value: ``"relu"``, or ``{"name": "leaky_relu", "gamma": "1/10"}`` (infinite
        clipping bounds are omitted).  ``activation(a.to_spec()) == a`` for rational and
        declared-symbol parameters."""
        if not self.params:
            return self.name

        out = {"name": self.name}
        for key, value in self.params:
            if not value.is_infinite:
                out[key] = exact_str(value)
        return out


# -- building from a spec ------------------------------------------------------------------------


def _parse_value(value: object, place: str, names: Mapping[str, sympy.Symbol]) -> sympy.Expr:
    try:
        return exact(value, names=names)
    except InputError as err:
        raise err.located(prefix=place) from None


def activation(
    spec: str | Mapping[str, object] | Activation,
    *,
    names: Mapping[str, sympy.Symbol] = _NO_NAMES,
) -> Activation:
    """Build an :class:`Activation` from a spec value.

    ``spec`` is a name (case-insensitive; aliases ``logistic``, ``leaky``, ``clipping``,
    ``sine``, ``step``, ``id``, ...), a mapping ``{"name": "leaky_relu", "gamma": "1/10"}`` or an
    :class:`Activation` (returned as is).  Parameter values are ints, Fractions, sympy values or
    strings, all read by :func:`symresnet.values.exact.exact` (``names`` are the declared parameters;
    its limits apply).
    Raises :class:`ActivationError` (place ``activation...``) for unknown names, unknown,
    missing or invalid parameters, and for softmax; parse errors keep their own type.
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        name, given = canonical_name(spec, "activation"), {}
    elif isinstance(spec, Mapping):
        if "name" not in spec:
            raise ActivationError(
                "an activation table needs a 'name'",
                place="activation",
                hint='e.g. { name = "leaky_relu", gamma = "1/10" }',
            )
        name = canonical_name(spec["name"], "activation.name")
        given = {key: value for key, value in spec.items() if key != "name"}
    else:
        raise ActivationError(
            f"an activation is a name or a table with a 'name', got {shown(spec)}",
            place="activation",
            hint='e.g. "relu" or { name = "leaky_relu", gamma = "1/10" }',
        )
    keys, defaults = PARAMETERS[name]
    for key in given:
        if key not in keys:
            allowed = f"allowed: {', '.join(keys)}" if keys else "it takes no parameters"
            raise ActivationError(
                f"unknown parameter {key!r} for {name}; {allowed}", place=f"activation.{key}"
            )
    params = []
    for key in keys:
        if key in given:
            value = _parse_value(given[key], f"activation.{key}", names)
        elif key in defaults:
            value = defaults[key]
        else:
            raise ActivationError(
                f"{name} needs the parameter {key} ({CONDITIONS[name]})",
                place="activation",
                hint=f"write {EXAMPLE_SPEC[name]}",
            )
        params.append((key, value))
    return Activation(name, tuple(params))


#: the identity ``id_R`` (the output layer's activation, Def. 1.5.4)
IDENTITY = Activation("identity")


def softmax(x: Sequence[sympy.Expr | Fraction | int]) -> list[sympy.Expr]:
    """The softmax ``A_d(x)_i = e^{x_i} / sum_j e^{x_j}`` (Section 1.2), exact.

    Vector-valued, not componentwise: not a ResNet activation, but applicable to an output.
    """
    values = [to_sympy(v) for v in x]
    if not values:
        raise ActivationError("softmax needs at least one entry", place="softmax")
    exps = [sympy.exp(v) for v in values]
    total = sympy.Add(*exps)
    return [e / total for e in exps]
