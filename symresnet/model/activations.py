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
* On symbolic input the piecewise-linear activations are written with ``Max``/``Min``, the
  same kind of closed form for all of them: ReLU ``Max(x, 0)``, leaky ReLU ``Max(x, gamma x)``
  (``Min`` for ``gamma > 1``), clipping ``Max(u, Min(x, v))``; Heaviside is
  ``Piecewise((1, x >= 0), (0, True))``, built without folding nested conditions.  The exact
  pieces of a symbolic realization are :mod:`symresnet.compute.pieces`' job, which reads
  :attr:`Activation.pieces`.  On a number that is not rational (``sqrt(2) - 1``,
  ``log(6) - log(2) - log(3)``) the piece is chosen by exact signs
  (:func:`symresnet.values.relations.sign`): an undecidable sign is an ``ActivationError``.
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
from sympy.functions.elementary.piecewise import ExprCondPair

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
from symresnet.values.relations import sign

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
        """Whether the (numeric) point ``x`` lies in this piece's interval, decided exactly
        (:func:`~symresnet.values.relations.sign`; :class:`ActivationError` when the sign of
        ``x - lo`` or ``x - hi`` cannot be proven)."""
        return self.side(to_sympy(x)) is not None

    def side(self, x: sympy.Expr) -> sympy.Expr | None:
        """``None`` when the number ``x`` is outside this piece, else ``x`` itself, or the end
        ``lo``/``hi`` when ``x`` is proven equal to it (so that an unsimplified zero such as
        ``log(6) - log(2) - log(3)`` becomes ``0``)."""
        for end, closed, outside in ((self.lo, self.lo_closed, -1), (self.hi, self.hi_closed, 1)):
            if end.is_infinite:
                continue
            s = _sign_of(x, end)
            if s == outside or (s == 0 and not closed):
                return None
            if s == 0:
                x = end
        return x

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
        else a sympy expression (``Max``, ``Min``, ``Piecewise``, ``exp``, ``erf``, ...).

        Raises :class:`ActivationError` when ``x`` is a number whose side of a breakpoint
        cannot be proven (neither interval arithmetic nor sympy decides the sign)."""
        x = to_sympy(x)
        if x.is_Rational and self.rational:
            y = self.apply_fraction(Fraction(int(x.p), int(x.q)))
            return sympy.Rational(y.numerator, y.denominator)
        if self.name in _CASES and x.is_number:
            return self._at_number(x)
        if self.name == "leaky_relu":
            return _leaky_closed_form(self.param("gamma"), x)
        if self.name == "heaviside":
            return _heaviside_closed_form(x)
        return SYMBOLIC[self.name](dict(self.params), x)

    def _at_number(self, x: sympy.Expr) -> sympy.Expr:
        """``a(x)`` for a number ``x`` that is not a Rational (``sqrt(2) - 1``, ``log(6) -
        log(2) - log(3)``, or any number with symbolic activation parameters): the piece is
        chosen by exact signs (:func:`~symresnet.values.relations.sign`), not by sympy's
        ``Max``, which refuses numbers it cannot order.  A number proven equal to a breakpoint
        is replaced by the breakpoint, so an unsimplified zero gives the exact ``a(0)``."""
        if self.name == "repu" and self.param("p") != 1:
            pieces, power = _RELU_PIECES, int(self.param("p"))
        else:
            pieces, power = self.pieces, 1
        if any(end.free_symbols for piece in pieces for end in (piece.lo, piece.hi)):
            # symbolic breakpoints (clipping at u): normalize a proven zero, then sympy
            if _sign_of(x, sympy.Integer(0)) == 0:
                x = sympy.Integer(0)
            return SYMBOLIC[self.name](dict(self.params), x)
        for piece in pieces:
            y = piece.side(x)
            if y is None:
                continue
            if power == 1:
                return piece(y)
            return sympy.Integer(0) if piece.slope == 0 else y**power
        raise AssertionError(f"the pieces of {self.text} do not cover {x}")  # pragma: no cover

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

#: activations whose value at a number is decided by exact signs (:meth:`Activation._at_number`)
_CASES = frozenset({"relu", "leaky_relu", "clip", "heaviside", "repu", "identity"})
_RELU_PIECES = Activation("relu").pieces


def _sign_of(x: sympy.Expr, end: sympy.Expr) -> int:
    """The exact sign of ``x - end`` for a number ``x`` and a breakpoint ``end``, or an
    :class:`ActivationError` (exit status 2) when it cannot be proven."""
    s = sign(x - end)
    if s is None:
        raise ActivationError(
            f"cannot decide exactly on which side of the breakpoint {end} the pre-activation "
            f"{shown(x, 80)} lies: interval arithmetic does not separate them (they may be "
            "equal) and sympy does not prove them equal",
            hint="write the number in a simpler exact form, e.g. with fewer functions",
        )
    return s


def _leaky_closed_form(gamma: sympy.Expr, x: sympy.Expr) -> sympy.Expr:
    """Leaky ReLU on a symbolic ``x`` with ``Max``/``Min``, as ReLU is ``Max(x, 0)``:
    ``max{x, gamma x}`` for ``gamma <= 1``, ``min{x, gamma x}`` for ``gamma > 1``, and
    ``max{x, 0} + gamma min{x, 0}`` for a symbolic ``gamma``.  All equal ``x`` for ``x > 0``
    and ``gamma x`` otherwise.  (A ``Piecewise`` here would nest its conditions layer by layer,
    and sympy's simplification of nested conditions takes minutes on small networks.)"""
    if gamma == 1:
        return x
    if not gamma.free_symbols:
        below_one = sign(gamma - 1)
        if below_one is not None:
            return sympy.Max(x, gamma * x) if below_one <= 0 else sympy.Min(x, gamma * x)
    return sympy.Max(x, 0) + gamma * sympy.Min(x, 0)


def _heaviside_closed_form(x: sympy.Expr) -> sympy.Expr:
    """``1_{[0, oo)}(x)`` on a symbolic ``x``: ``Piecewise((1, x >= 0), (0, True))``; ``1`` or
    ``0`` when sympy knows the sign of ``x``.

    When ``x`` itself holds a ``Piecewise`` (a Heaviside layer after a Heaviside layer) the
    pair ``(1, x >= 0)`` is built as it stands: sympy's ``ExprCondPair`` would first fold the
    inner ``Piecewise`` into the condition (:func:`sympy.piecewise_fold`, exponential in the
    number of inner pieces) and rewrite it with ``ITE`` -- the same function, written out case
    by case, minutes on small networks and unreadable.  Substituting numbers rebuilds it the
    ordinary way."""
    one, zero = sympy.Integer(1), sympy.Integer(0)
    condition = sympy.Ge(x, 0)
    if condition is sympy.true:
        return one
    if condition is sympy.false:
        return zero
    if not x.has(sympy.Piecewise):
        return sympy.Piecewise((one, condition), (zero, True))
    pairs = (
        sympy.Tuple.__new__(ExprCondPair, one, condition),
        sympy.Tuple.__new__(ExprCondPair, zero, sympy.true),
    )
    return sympy.Basic.__new__(sympy.Piecewise, *pairs)


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
