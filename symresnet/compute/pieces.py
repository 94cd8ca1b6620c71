"""Symbolic realizations as exact pieces: ``R^R_a(Phi, V)(x_0)`` as a function of the symbols.

With Symbols in the weights, biases, skip matrices, activation parameters or the input, the
realization of Def. 1.5.4 is, for a piecewise-linear activation (ReLU, leaky ReLU, clipping,
Heaviside; also RePU, piecewise polynomial), a piecewise polynomial function of the symbols.
:func:`realization_pieces` computes it by a *case-splitting forward pass*: it carries branches
(a conjunction of polynomial conditions and the layer values ``x_0, ..., x_{k-1}`` on the branch)
through the layers, and splits a branch at a hidden neuron by the pieces of the activation
(``Activation.pieces``) only where the sign of the pre-activation is not already determined on
the branch -- decided exactly by :class:`~symresnet.solve.conditions.Solver` (rational LP for linear
conditions, root isolation in one variable, z3 for several).  The result is a list of
:class:`Piece` s ``(condition, value)`` such that

* every condition is a conjunction of polynomial (in)equalities in the symbols, without
  constraints implied by the others;
* the pieces partition the domain (the parameter bounds, and ``gamma >= 0`` / ``u < v`` for
  symbolic activation parameters): boundaries go to the side the activation's pieces say;
* no piece is empty (each carries an exact point of it), and neighbouring pieces with the same
  value are merged whenever their union is again one conjunction (docs/design.md: "merged only when
  the union stays a convex polyhedron").

When a question cannot be decided (closed-form coefficients, several variables with nonlinear
conditions and no z3) the affected pieces are kept and :attr:`Pieces.decided` is ``False``.
Smooth activations give one piece, the closed-form value of :func:`~symresnet.realize`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy

from symresnet.base.errors import LimitError
from symresnet.base.printing import Printable
from symresnet.compute.realization import as_input, realize
from symresnet.model.activations import IDENTITY, Activation
from symresnet.model.network import Matrix, ResNet
from symresnet.solve.conditions import (
    Constraint,
    Solver,
    conjunction_relational,
    conjunction_text,
    constraint,
)
from symresnet.solve.realsets import RealSet
from symresnet.values.exact import exact
from symresnet.values.limits import active_limits

__all__ = [
    "Piece",
    "Pieces",
    "activation_domain",
    "bound_constraints",
    "bound_pair",
    "realization_pieces",
]

Conjunction = tuple[Constraint, ...]
Point = Mapping[sympy.Symbol, sympy.Expr]


@dataclasses.dataclass(frozen=True)
class Piece:
    """One piece of a symbolic realization: on ``condition`` (a conjunction) the realization
    is ``value`` (``x_L``, polynomial in the symbols).

    ``layers`` are ``x_1, ..., x_L`` on the piece and ``pattern`` the index of the activation's
    piece taken by each hidden neuron, layer by layer (both ``None`` after a merge); ``point``
    is an exact point of the piece (``None`` when its non-emptiness is undecided).
    """

    condition: Conjunction
    value: Matrix
    layers: tuple[Matrix, ...] | None = None
    pattern: tuple[tuple[int, ...], ...] | None = None
    point: Point | None = None

    def relational(self) -> sympy.Basic:
        """The condition as a sympy Boolean (``True`` for the whole domain)."""
        return conjunction_relational(self.condition)

    def text(self) -> str:
        """Readable condition: ``-3 < x <= -2``, ``a <= -2 and b > 1``, ``always``."""
        return conjunction_text(self.condition)

    def contains(self, point: Point) -> bool | None:
        """Whether ``point`` (a value for every symbol) lies in the piece (exact)."""
        answers = [c.holds_at(point) for c in self.condition]
        if all(a is True for a in answers):
            return True
        if any(a is False for a in answers):
            return False
        return None


@dataclasses.dataclass(frozen=True)
class Pieces(Printable):
    """A symbolic realization as exact pieces (see the module docstring).

    ``symbols`` are the free symbols, sorted by name; ``domain`` the conjunction the pieces
    partition; ``decided`` whether every feasibility question was decided exactly;
    ``closed_form`` is ``True`` for smooth activations (one piece, no case analysis).
    ``str()`` is the terminal's table (``eval --at x``), ``_repr_latex_`` a ``cases`` display
    for Jupyter (the printing protocol, :mod:`symresnet.base.printing`).
    """

    symbols: tuple[sympy.Symbol, ...]
    domain: Conjunction
    pieces: tuple[Piece, ...]
    decided: bool = True
    closed_form: bool = False

    def __len__(self) -> int:
        return len(self.pieces)

    def __iter__(self):
        return iter(self.pieces)

    def piecewise(self) -> Matrix:
        """The realization as one sympy ``Piecewise`` per output coordinate."""
        if len(self.pieces) == 1 and not self.pieces[0].condition:
            return self.pieces[0].value
        rows = self.pieces[0].value.rows
        return Matrix(
            [
                sympy.Piecewise(*((p.value[i], p.relational()) for p in self.pieces))
                for i in range(rows)
            ]
        )

    def piece_at(self, point: Point) -> Piece | None:
        """The piece holding ``point`` (a value for every symbol), or ``None`` outside the domain."""
        for p in self.pieces:
            if p.contains(point):
                return p
        return None

    def value_at(self, point: Point) -> Matrix | None:
        """The exact value of the realization at ``point``."""
        p = self.piece_at(point)
        return None if p is None else p.value.xreplace(dict(point)).applyfunc(sympy.expand)


# -- domain ---------------------------------------------------------------------------------------


def bound_pair(value: Any) -> tuple[Any, Any]:
    """``(min, max)`` of a spec ``Parameter`` (or anything with ``min``/``max``) or a pair."""
    if hasattr(value, "min") and hasattr(value, "max"):  # spec.Parameter and the like
        return value.min, value.max
    lo, hi = value
    return lo, hi


def bound_constraints(
    bounds: Mapping[Any, Any] | None, symbols: Sequence[sympy.Symbol]
) -> Conjunction:
    """``min <= s`` and ``s <= max`` for the bounded ``symbols``.

    ``bounds`` maps a name or Symbol to an object with ``min`` and ``max`` (a spec's
    :class:`~symresnet.io.spec.Parameter`) or to a pair ``(min, max)``; ``None`` is unbounded.
    """
    out: list[Constraint] = []
    by_name = {s.name: s for s in symbols}
    for key, value in (bounds or {}).items():
        s = by_name.get(key.name if isinstance(key, sympy.Symbol) else str(key))
        if s is None:
            continue
        lo, hi = bound_pair(value)
        for c in (
            None if lo is None else constraint(exact(lo) - s, "<="),  # never sympify text
            None if hi is None else constraint(s - exact(hi), "<="),
        ):
            if isinstance(c, Constraint):
                out.append(c)
    return tuple(out)


def activation_domain(act: Activation) -> Conjunction:
    """Conditions of Section 1.2 on symbolic activation parameters: ``gamma >= 0`` (leaky
    ReLU), ``u < v`` (clipping)."""
    out: list[Constraint | bool] = []
    if act.name == "leaky_relu" and act.param("gamma").free_symbols:
        out.append(constraint(-act.param("gamma"), "<="))
    if act.name == "clip":
        u, v = act.param("u"), act.param("v")
        if (u.free_symbols or v.free_symbols) and u.is_finite and v.is_finite:
            out.append(constraint(u - v, "<"))
    return tuple(c for c in out if isinstance(c, Constraint))


# -- activation pieces ----------------------------------------------------------------------------

#: (conditions on z, value as a function of z) for each piece of an activation
Branches = tuple[tuple[Callable[[sympy.Expr], list], Callable[[sympy.Expr], sympy.Expr]], ...]


def _interval(lo, hi, lo_closed: bool, hi_closed: bool) -> Callable[[sympy.Expr], list]:
    def conditions(z: sympy.Expr) -> list:
        out = []
        if lo.is_finite:
            out.append(constraint(lo - z, "<=" if lo_closed else "<"))
        if hi.is_finite:
            out.append(constraint(z - hi, "<=" if hi_closed else "<"))
        return out

    return conditions


def _branches(act: Activation) -> Branches | None:
    """The pieces of ``act`` as (conditions, value) on a pre-activation ``z``; ``None`` for a
    smooth activation.  RePU ``max{z, 0}^p`` is piecewise polynomial: ``z <= 0`` gives ``0``,
    ``z > 0`` gives ``z^p``."""
    if act.name == "repu" and act.param("p") != 1:
        p = int(act.param("p"))
        zero, oo = sympy.Integer(0), sympy.oo
        return (
            (_interval(-oo, zero, False, True), lambda z: zero),
            (_interval(zero, oo, False, False), lambda z: sympy.expand(z**p)),
        )
    if not act.piecewise_linear:
        return None
    return tuple(
        (
            _interval(piece.lo, piece.hi, piece.lo_closed, piece.hi_closed),
            lambda z, piece=piece: sympy.expand(piece.slope * z + piece.intercept),
        )
        for piece in act.pieces
    )


# -- the case-splitting forward pass ------------------------------------------------------------


@dataclasses.dataclass
class _Branch:
    """Work state of the forward pass (local to :func:`realization_pieces`)."""

    condition: Conjunction
    xs: list[list[sympy.Expr]]
    pattern: list[tuple[int, ...]]
    decided: bool = True


class _Pass:
    def __init__(self, network: ResNet, solver: Solver, domain: Conjunction):
        self.net, self.solver, self.domain = network, solver, domain
        self.decided = True
        self.max_pieces = active_limits().max_pieces

    def count(self, pieces: int, k: int) -> None:
        """Refuse before the case split outgrows ``Limits.max_pieces`` (each piece costs exact
        feasibility checks: an unbounded split would run for hours)."""
        if pieces > self.max_pieces:
            raise LimitError(
                f"the realization splits into more than {self.max_pieces} pieces by layer {k} "
                f"(Limits.max_pieces = {self.max_pieces}): the number of exact pieces grew, "
                "each costing exact feasibility checks",
                place=f"layers[{k}]",
                hint="bound the parameters under [parameters], or make fewer entries symbolic, "
                "or raise the limit in the API: with using_limits(Limits(max_pieces=...))",
            )

    def preactivation(self, br: _Branch, k: int) -> list[sympy.Expr]:
        """``W_k x_{k-1} + B_k + sum_r V_{r,k} x_r`` on the branch, expanded."""
        W, B = self.net.W[k - 1], self.net.B[k - 1]
        x = br.xs[k - 1]
        out = []
        for i in range(W.rows):
            total = B[i] + sum((W[i, j] * x[j] for j in range(W.cols)), sympy.Integer(0))
            for r, V in self.net.skips_into(k):
                total += sum((V[i, j] * br.xs[r][j] for j in range(V.cols)), sympy.Integer(0))
            out.append(sympy.expand(total))
        return out

    def split(
        self, condition: Conjunction, z: sympy.Expr, branches: Branches
    ) -> list[tuple[Conjunction, int, sympy.Expr, bool]]:
        """The pieces of the activation that ``z`` can fall in on ``condition``: (new
        condition, piece index, value, decided)."""
        options = []
        for j, (conditions, value) in enumerate(branches):
            new = conditions(z)
            if any(c is False for c in new):
                continue
            new = [c for c in new if c is not True]
            if not new:  # this piece holds for every point of the branch
                return [(condition, j, value(z), True)]
            decision = self.solver.feasible([*condition, *new])
            if decision.feasible is False:
                continue
            options.append((tuple(new), j, value(z), decision.feasible is True))
        if len(options) == 1:  # the others are empty: the branch lies in this piece
            _, j, v, _ = options[0]
            return [(condition, j, v, True)]
        return [(condition + new, j, v, ok) for new, j, v, ok in options]

    def layer(self, branches: list[_Branch], k: int, act: Activation) -> list[_Branch]:
        pieces = _branches(act) if act != IDENTITY else None
        out: list[_Branch] = []
        for br in branches:
            z = self.preactivation(br, k)
            if pieces is None:
                out.append(_Branch(br.condition, [*br.xs, z], [*br.pattern, ()], br.decided))
                continue
            partial: list[tuple[Conjunction, list[sympy.Expr], list[int], bool]] = [
                (br.condition, [], [], br.decided)
            ]
            for zi in z:
                partial = [
                    (cond2, [*vals, v], [*pat, j], ok and ok2)
                    for cond, vals, pat, ok in partial
                    for cond2, j, v, ok2 in self.split(cond, zi, pieces)
                ]
                self.count(len(out) + len(partial), k)
            out += [
                _Branch(cond, [*br.xs, vals], [*br.pattern, tuple(pat)], ok)
                for cond, vals, pat, ok in partial
            ]
        return out


def realization_pieces(
    network: ResNet,
    x0: Sequence[sympy.Expr] | sympy.MatrixBase,
    *,
    bounds: Mapping[Any, Any] | None = None,
    extra_symbols: Sequence[sympy.Symbol] = (),
    solver: Solver | None = None,
    merge: bool = True,
) -> Pieces:
    """The realization ``(R^R_a(Phi, V))(x_0)`` (Def. 1.5.4) as exact pieces over the symbols.

    ``x0`` is an exact input (sympy entries, possibly symbolic); ``bounds`` bounds parameters
    (see :func:`bound_constraints`); ``extra_symbols`` are further symbols of the domain
    (e.g. those of a claimed value).  ``merge=False`` keeps one piece per activation pattern.
    """
    solver = solver or Solver()
    x0 = list(as_input(list(x0), network.dims[0]))
    symbols = tuple(
        sorted(
            set(network.free_symbols)
            | {s for e in x0 for s in e.free_symbols}
            | set(extra_symbols),
            key=lambda s: s.name,
        )
    )
    domain = bound_constraints(bounds, symbols) + activation_domain(network.activation)
    if _branches(network.activation) is None:
        value = realize(network, Matrix(x0)).output
        return Pieces(symbols, domain, (Piece(domain, value),), decided=True, closed_form=True)
    work = _Pass(network, solver, domain)
    start = solver.feasible(domain)
    if start.feasible is False:
        return Pieces(symbols, domain, (), decided=True)
    branches = [_Branch(domain, [x0], [], start.feasible is True)]
    for k in range(1, network.L + 1):
        act = network.activation if k < network.L else IDENTITY
        branches = work.layer(branches, k, act)
    pieces = []
    decided = True
    for br in branches:
        condition = solver.irredundant(br.condition)
        decision = solver.feasible(condition)
        decided &= br.decided and decision.feasible is True
        pieces.append(
            Piece(
                condition,
                Matrix(br.xs[-1]),
                tuple(Matrix(x) for x in br.xs[1:]),
                tuple(br.pattern[:-1]),
                decision.point,
            )
        )
    if merge:
        pieces = _merged(pieces, solver)
    if len(symbols) == 1:
        pieces = _sorted_1d(pieces, symbols[0], solver)
    return Pieces(symbols, domain, tuple(pieces), decided=decided)


def _common_value(a: Piece, b: Piece, solver: Solver) -> Matrix | None:
    """A value valid on both pieces: the same expression, or (on a lower-dimensional piece,
    one with an equation) the other piece's expression when it agrees there exactly."""
    if a.value == b.value:
        return a.value
    flat = [(p, q) for p, q in ((a, b), (b, a)) if any(c.rel == "==" for c in p.condition)]
    if not flat:  # full-dimensional pieces: different polynomials differ somewhere on them
        return None
    diffs = [sympy.expand(u - v) for u, v in zip(a.value, b.value, strict=True)]
    for p, q in flat:
        if all(solver.implies(p.condition, constraint(d, "==")) is True for d in diffs):
            return q.value
    return None


def _merged(pieces: list[Piece], solver: Solver) -> list[Piece]:
    """Merge pieces with a common value while their union is one conjunction."""
    pieces = list(pieces)
    failed: set[tuple[Conjunction, Conjunction]] = set()  # pairs known not to merge
    changed = True
    while changed:
        changed = False
        for i in range(len(pieces)):
            for j in range(i + 1, len(pieces)):
                a, b = pieces[i], pieces[j]
                if (a.condition, b.condition) in failed:
                    continue
                value = _common_value(a, b, solver)
                union = None if value is None else solver.merge(a.condition, b.condition)
                if union is None:
                    failed.add((a.condition, b.condition))
                    continue
                pieces[i] = Piece(union, value, point=a.point)
                del pieces[j]
                changed = True
                break
            if changed:
                break
    return pieces


def _sorted_1d(pieces: list[Piece], t: sympy.Symbol, solver: Solver) -> list[Piece]:
    """Pieces over one symbol in increasing order of their leftmost points."""
    undecided = object()

    def start(p: Piece):
        polys = [(solver.univariate(c, t), c.rel) for c in p.condition]
        if any(q is None for q, _ in polys):
            return undecided
        spans = RealSet.from_dnf([polys]).spans
        return spans[0].lo if spans else undecided

    keys = [start(p) for p in pieces]
    if any(k is undecided for k in keys):
        return pieces

    def cmp(a, b) -> int:  # None is -oo
        ka, kb = a[0], b[0]
        if ka is None or kb is None:
            return (kb is None) - (ka is None)
        return -1 if ka < kb else (1 if kb < ka else 0)

    order = sorted(zip(keys, range(len(pieces)), strict=True), key=functools.cmp_to_key(cmp))
    return [pieces[i] for _, i in order]
