"""The realization of a fully-connected ResNet (Def. 1.5.4), recorded term by term.

For ``k = 1, ..., L``::

    x_k = M_{a 1_{(0,L)}(k) + id_R 1_{{L}}(k), l_k}( W_k x_{k-1} + B_k + sum_{(r,k) in S} V_{r,k} x_r )

:func:`realize` returns a :class:`Trace` holding, for every layer, the separate terms
``W_k x_{k-1}``, ``B_k``, each ``V_{r,k} x_r``, their sum (the pre-activation) and ``x_k``.
Rational networks run on the python-flint core (:mod:`symresnet.compute.core`); anything symbolic runs
on sympy.  Either way the Trace hands out sympy matrices, built on first access.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import sympy

from symresnet.base.errors import ClaimError, InputError, LimitError
from symresnet.base.printing import Printable
from symresnet.compute import core, scaled
from symresnet.compute.pl_function import PLConverter
from symresnet.model.activations import IDENTITY, Activation
from symresnet.model.network import Matrix, ResNet
from symresnet.values.exact import exact
from symresnet.values.limits import DEFAULT_LIMITS, Limits, using_limits

if TYPE_CHECKING:  # pragma: no cover
    import flint

__all__ = ["LayerTrace", "Trace", "as_input", "realize"]

_Raw: TypeAlias = "Matrix | scaled.Scaled | flint.fmpq_mat"  # as the flint core hands them out


def _sym(raw: _Raw) -> Matrix:
    return scaled.to_sympy(raw)


class LayerTrace:
    """Layer ``k`` of a realization: the terms of Def. 1.5.4 and the result ``x_k``.

    ``Wx`` is ``W_k x_{k-1}``, ``B`` is ``B_k``, ``skip_terms`` is ``((r, V_{r,k} x_r), ...)`` in
    increasing ``r``, ``preactivation`` their sum and ``output`` is ``x_k``; ``activation`` is
    the function applied (the identity on the output layer ``k = L``).  All are sympy matrices.
    """

    __slots__ = ("_raw", "activation", "k")

    def __init__(self, k: int, activation: Activation, raw: dict[str, Any]):
        self.k = k
        self.activation = activation
        self._raw = raw

    def _get(self, key: str) -> Matrix:
        value = self._raw[key]
        if not isinstance(value, sympy.MatrixBase):
            value = self._raw[key] = _sym(value)
        return value

    @property
    def Wx(self) -> Matrix:
        return self._get("Wx")

    @property
    def B(self) -> Matrix:
        return self._get("B")

    @property
    def skip_terms(self) -> tuple[tuple[int, Matrix], ...]:
        terms = self._raw["skips"]
        if terms and not isinstance(terms[0][1], sympy.MatrixBase):
            terms = self._raw["skips"] = tuple((r, _sym(v)) for r, v in terms)
        return terms

    @property
    def preactivation(self) -> Matrix:
        return self._get("z")

    @property
    def output(self) -> Matrix:
        return self._get("x")

    def __repr__(self) -> str:
        return f"LayerTrace(k={self.k}, output={list(self.output)})"


@dataclasses.dataclass(frozen=True)
class Trace(Printable):
    """The realization ``R^R_a(Phi, V)`` evaluated at ``x_0``, layer by layer (Def. 1.5.4)."""

    network: ResNet
    input: Matrix
    layers: tuple[LayerTrace, ...]

    @property
    def output(self) -> Matrix:
        """``x_L = (R^R_a(Phi, V))(x_0)``."""
        return self.layers[-1].output

    def layer(self, k: int) -> LayerTrace:
        """Layer ``k`` (``1 <= k <= L``, numbered as in the book)."""
        if not 1 <= k <= len(self.layers):
            raise IndexError(f"layers are numbered 1..{len(self.layers)}, got {k}")
        return self.layers[k - 1]

    def x(self, k: int) -> Matrix:
        """``x_k`` (``x_0`` is the input)."""
        return self.input if k == 0 else self.layer(k).output

    @property
    def free_symbols(self) -> frozenset[sympy.Symbol]:
        return frozenset(self.output.free_symbols | self.input.free_symbols)

    @property
    def is_exact_number(self) -> bool:
        """The output is a vector of Rationals."""
        return all(e.is_Rational for e in self.output)


def as_input(
    x0: object,
    dim: int,
    *,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    place: str = "input",
    dimension: str = "l_0",
) -> Matrix:
    """The input ``x_0`` as an exact column of length ``l_0`` (a bare number is a 1-vector);
    ``dimension`` names the length in errors (``"l_L"`` for a claimed output)."""
    return Matrix(
        input_entries(x0, dim, names=names, limits=limits, place=place, dimension=dimension)
    )


def input_entries(
    x0: object,
    dim: int,
    *,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    place: str = "input",
    entry_place: str = "{place}[{i}]",
    convert: Any = exact,
    dimension: str = "l_0",
) -> list[Any]:
    """The ``l_0`` entries of ``x_0``, each through ``convert(e, names=, limits=)``; errors
    name ``place`` (an entry: ``entry_place`` with ``{place}`` and ``{i}`` from 1 filled in)
    and the length as ``dimension`` (``expected 1 entry (l_0 = 1), got 2``)."""
    entries = list(x0) if isinstance(x0, (sympy.MatrixBase, list, tuple)) else [x0]
    if len(entries) != dim:
        raise ClaimError(
            f"expected {dim} entr{'ies' if dim != 1 else 'y'} ({dimension} = {dim}), "
            f"got {len(entries)}",
            place=place,
        )
    values = []
    for i, e in enumerate(entries, start=1):
        try:
            values.append(convert(e, names=names or {}, limits=limits))
        except InputError as err:
            raise err.located(prefix=entry_place.format(place=place, i=i)) from None
    return values


def realize(
    network: ResNet,
    x0: object,
    *,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Trace:
    """Evaluate the realization ``(R^R_a(Phi, V))(x_0)`` of Def. 1.5.4 exactly.

    ``x0`` is a list of ``l_0`` entries (ints, Fractions, exact strings, sympy numbers or
    Symbols) or a single entry when ``l_0 = 1``.
    """
    x = as_input(x0, network.dims[0], names=names, limits=limits)
    with using_limits(limits):  # the numeric core reads them (RePU growth)
        layers = _forward_rational(network, x)
    if len(layers) < network.L:  # symbolic entries from here on: sympy takes over
        layers = _forward_symbolic(network, x, layers, limits=limits)
    return Trace(network=network, input=x, layers=tuple(layers))


def _layer_activation(network: ResNet, k: int) -> Activation:
    """``a`` on the hidden layers ``k < L``, ``id_R`` on the output layer ``k = L``."""
    return network.activation if k < network.L else IDENTITY


def _forward_rational(network: ResNet, x0: Matrix) -> list[LayerTrace]:
    """The layers before the first symbolic one (all, for a rational network) on flint."""
    X = scaled.from_sympy(x0)
    if X is None:  # a symbolic input
        return []
    return [
        LayerTrace(
            s.k,
            _layer_activation(network, s.k),
            {"Wx": s.Wx, "B": network.B[s.k - 1], "skips": s.skips, "z": s.z, "x": s.x},
        )
        for s in core.forward(network, X)
    ]


def _size_exceeds(expr: sympy.Basic, bound: int) -> bool:
    """More than ``bound`` nodes in ``expr``'s tree (stops counting there)."""
    return any(count > bound for count, _ in enumerate(sympy.preorder_traversal(expr), start=1))


def _too_big(bound: int, place: str, what: str) -> LimitError:
    """The error for a symbolic expression over ``Limits.max_expression_size``: it says that
    the *expression* grew (its numbers may be small), which limit stopped it and how to raise
    it."""
    return LimitError(
        f"{what} more than {bound} nodes (Limits.max_expression_size = {bound}): the symbolic "
        "expression grows too fast with the depth (its size, not its numbers: the values may be "
        "small)",
        place=place,
        hint="use fewer layers or fewer symbols, or raise the limit in the API: "
        "realize(..., limits=Limits(max_expression_size=...))",
    )


def check_expression_size(
    values: sympy.MatrixBase, *, limits: Limits, place: str, name: str = "the values here"
) -> None:
    """Refuse symbolic values with more than ``limits.max_expression_size`` nodes in all;
    ``name`` says which values in the message (``"the symbolic expression of x_3"``)."""
    budget = limits.max_expression_size
    for e in values:
        if not e.is_Rational and _size_exceeds(e, budget):
            raise _too_big(budget, place, f"{name} has")


def _expanded_size(expr: sympy.Basic) -> tuple[float, float]:
    """Estimated ``(terms, nodes)`` of ``sympy.expand(expr)``: a product of sums has the
    product of their term counts, a power of a sum its multinomial count; the arguments of
    functions are expanded on their own.  Floats, so that estimates never become huge ints."""
    if expr.is_Atom:
        return 1.0, 1.0
    parts = [_expanded_size(a) for a in expr.args]
    if expr.is_Add:
        return sum(t for t, _ in parts), 1.0 + sum(n for _, n in parts)
    if expr.is_Mul:
        terms = math.prod(t for t, _ in parts)
        return terms, terms * (1.0 + sum(n / t for t, n in parts))
    if expr.is_Pow and expr.exp.is_Integer and expr.exp > 1:
        (t, n), m = parts[0], int(expr.exp)
        terms = float(math.comb(int(min(t, 1e6)) + m - 1, m)) if t > 1 else 1.0
        return terms, terms * (1.0 + m * n / t)
    return 1.0, 1.0 + sum(n for _, n in parts)  # a function, or a non-integer power


def guarded_expand(m: sympy.MatrixBase, *, limits: Limits, place: str) -> sympy.MatrixBase:
    """``sympy.expand`` on every entry, refused when it would exceed the size limit."""
    budget = limits.max_expression_size
    for e in m:
        if not e.is_Rational and _expanded_size(e)[1] > budget:
            raise _too_big(budget, place, "expanding the symbolic values here would give")
    return m.applyfunc(sympy.expand)


#: the assumptions of a parameter Symbol about which sympy knows nothing but that it is real
_REAL = sympy.Symbol("t", real=True).assumptions0


def _sign_changes(network: ResNet, x0: Matrix) -> Callable[[sympy.Expr], bool] | None:
    """For ReLU with one real parameter ``t`` (no other assumptions): a test whether an
    expression in ``t`` (sympy's ``Max(0, ...)`` of the earlier layers) takes both signs as a
    piecewise-linear function on ``R`` (:mod:`symresnet.compute.pl_function`); else ``None``.

    Then sympy cannot prove ``z >= 0`` or ``z <= 0`` (its assumptions are sound), and
    ``Max(0, z)`` of a ``z`` that is no ``Max``/``Min`` is left as it is: the same expression
    as built without evaluation, without sympy's slow search for a proof."""
    if network.activation.name != "relu":
        return None
    symbols = network.free_symbols | x0.free_symbols
    if len(symbols) != 1:
        return None
    (t,) = symbols
    if t.assumptions0 != _REAL:
        return None
    convert = PLConverter(t, {})

    def changes(e: sympy.Expr) -> bool:
        if isinstance(e, (sympy.Max, sympy.Min)) or e.is_number:
            return False
        f = convert(e)
        return f is not None and f.takes_both_signs

    return changes


def _apply_symbolic(
    act: Activation,
    z: Matrix,
    place: str,
    changes: Callable[[sympy.Expr], bool] | None = None,
) -> Matrix:
    """``M_{a,d}(z)``; an activation that cannot decide its case at a number (an
    :class:`~symresnet.base.errors.ActivationError`) names the layer.  ``changes`` (for ReLU,
    :func:`_sign_changes`) marks the entries whose ``Max(0, z)`` sympy leaves unevaluated."""
    try:
        if changes is not None and act.name == "relu":
            return Matrix([sympy.Max(e, 0, evaluate=False) if changes(e) else act(e) for e in z])
        return Matrix([act(e) for e in z])
    except InputError as err:
        raise err.located(prefix=place) from None


def _forward_symbolic(
    network: ResNet,
    x0: Matrix,
    done: list[LayerTrace] | tuple[()] = (),
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> list[LayerTrace]:
    """Layers ``len(done) + 1, ..., L`` with sympy, after the numeric ones in ``done``.

    Symbolic values can grow exponentially with the depth (GELU, softplus with large weights):
    each layer's values are held to ``limits.max_expression_size`` nodes, and a power of a sum
    is expanded only when the expansion stays within that size (LimitError otherwise).
    """
    xs: list[Matrix] = [x0, *(layer.output for layer in done)]
    layers: list[LayerTrace] = list(done)

    def expand(m: sympy.MatrixBase) -> Matrix:
        return Matrix(guarded_expand(m, limits=limits, place=f"layers[{k}]"))

    changes = _sign_changes(network, x0)

    for k in range(len(done) + 1, network.L + 1):
        act = _layer_activation(network, k)
        Wx = expand(network.W[k - 1] * xs[k - 1])
        b = network.B[k - 1]
        terms = tuple((r, expand(V * xs[r])) for r, V in network.skips_into(k))
        z = expand(Wx + b + sum((t for _, t in terms), sympy.zeros(b.rows, 1)))
        where = f"layers[{k}]"
        check_expression_size(
            z, limits=limits, place=where, name=f"the symbolic pre-activation of layer {k}"
        )
        x = _apply_symbolic(act, z, where, changes)
        check_expression_size(
            x, limits=limits, place=where, name=f"the symbolic expression of x_{k}"
        )
        xs.append(x)
        layers.append(LayerTrace(k, act, {"Wx": Wx, "B": b, "skips": terms, "z": z, "x": x}))
    return layers
