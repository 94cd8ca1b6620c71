"""The piecewise form of a symbolic realization, each piece derived (layer *explain*).

``symresnet derive SPEC --at x`` asks for ``(R^R_a(Phi, V))(x)`` as a function of the symbol
``x`` (or of ``x, y, ...``).  For rational weights and a piecewise-linear activation the answer
is a piecewise affine function: :func:`symresnet.compute.pieces.realization_pieces` gives its
exact pieces.  :func:`piecewise_form` turns them into a :class:`PiecewiseForm`, the end of the
worked solution:

* the statement ``R(x) = { 7x + 14 if -3 < x <= -2, ... }`` (one symbol: a ``cases`` block) or
  a table of the pieces with their polyhedra (two or more symbols);
* for each *region* (the inputs of one activation pattern, :mod:`symresnet.compute.patterns`)
  the derivation of its affine form layer by layer as in (1.153)-(1.156)
  (:func:`symresnet.explain.region_affine.derive_region`), introduced by the pieces of the
  activation its pre-activations lie in.  Usually each piece is one region; when regions with
  the same affine form are merged into one piece, the regions are derived one by one.

Which regions are written out: all of them when there are at most
:attr:`~symresnet.explain.tree.DerivationOptions.max_derived_pieces`, else the first one;
:attr:`~symresnet.explain.tree.DerivationOptions.piece` (``--piece N``) picks one.

Checked exactly while it is built (:class:`~symresnet.base.errors.DerivationCheckError`
otherwise): every ``=`` of the regions' steps (by ``derive_region``), that the region's condition
implies each neuron's piece (:class:`~symresnet.solve.conditions.Solver`), that the derived form
is the region's value of ``realization_pieces`` (two independent computations), and that the
piece of the statement holding the region's exact point has that value.
"""

from __future__ import annotations

import dataclasses

import sympy

from symresnet.base.errors import DerivationCheckError, LimitError, RenderError
from symresnet.compute.pieces import Piece, Pieces, realization_pieces
from symresnet.compute.realization import Trace, realize
from symresnet.explain.region_affine import RegionDerivation, derive_region
from symresnet.explain.tree import (
    Atom,
    Chain,
    Condition,
    DerivationOptions,
    Link,
    ListTerm,
    Realization,
    ValueTerm,
)
from symresnet.model.activations import Piece as ActivationPiece
from symresnet.solve.conditions import Constraint, Solver, constraint

__all__ = ["Graph", "PieceProof", "PiecewiseForm", "applies", "graph", "piecewise_form"]

Vertex = tuple[sympy.Rational, sympy.Rational]


@dataclasses.dataclass(frozen=True)
class PieceProof:
    """Piece (or region) ``index`` (from 1): ``condition`` (``-3 < x <= -2``), ``value`` (the
    affine form, a point :class:`~symresnet.explain.tree.ValueTerm`), ``result``
    (``R(x_0) = 7x + 14``) and, for a region written out, its ``region`` derivation."""

    index: int
    condition: Condition
    value: ValueTerm
    result: Chain
    region: RegionDerivation | None = None
    #: the condition is ``True``: the piece is the whole domain
    everywhere: bool = False


@dataclasses.dataclass(frozen=True)
class Graph:
    """The graph of a realization of one symbol with one output on ``[lo, hi]``, an interval
    that holds every breakpoint: ``segments`` join the exact vertices ``(t, R(t))`` at the ends of
    each piece (one-sided values at an open end, so a jump is two segments), ``breakpoints``
    the points ``(t, R(t))`` at the ends of the pieces, all exact Rationals."""

    lo: sympy.Rational
    hi: sympy.Rational
    segments: tuple[tuple[Vertex, Vertex], ...]
    breakpoints: tuple[Vertex, ...]


@dataclasses.dataclass(frozen=True)
class PiecewiseForm:
    """The realization as a function of the input's ``symbols`` (see the module docstring).

    ``pieces`` are the pieces of the statement (merged: neighbouring regions with one affine
    form are one piece), ``regions`` the regions of the activation patterns with the ``derived``
    ones (their indices, from 1) written out; ``merged`` says that the two differ;
    ``table`` that the statement is a table of polyhedra (two or more symbols) rather than a
    ``cases`` block; ``question`` is ``R(x_0)``.
    """

    symbols: tuple[Atom, ...]
    question: Realization
    pieces: tuple[PieceProof, ...]
    regions: tuple[PieceProof, ...]
    derived: tuple[int, ...]
    merged: bool
    table: bool
    #: the graph (``DerivationOptions.plot``, one symbol and one output), else ``None``
    graph: Graph | None = None

    @property
    def shown(self) -> tuple[PieceProof, ...]:
        """The regions written out."""
        return tuple(self.regions[i - 1] for i in self.derived)


def _affine(trace: Trace) -> bool:
    """The input's entries are affine in its symbols (``x``, ``2x + 1``, ``3``)."""
    symbols = trace.input.free_symbols
    for e in trace.input:
        poly = sympy.Poly(e, *symbols) if symbols else None
        if poly is not None and poly.total_degree() > 1:
            return False
    return True


def applies(trace: Trace) -> bool:
    """Whether :func:`piecewise_form` applies: symbols in the input only, rational weights, a
    piecewise-linear activation, an input affine in its symbols."""
    net = trace.network
    return bool(
        trace.input.free_symbols
        and not net.free_symbols
        and net.activation.piecewise_linear
        and all(e.is_polynomial(*trace.input.free_symbols) for e in trace.input)
        and _affine(trace)
    )


def _constraints(piece: ActivationPiece, z: sympy.Expr) -> list[Constraint | bool]:
    out: list[Constraint | bool] = []
    if piece.lo.is_finite:
        out.append(constraint(piece.lo - z, "<=" if piece.lo_closed else "<"))
    if piece.hi.is_finite:
        out.append(constraint(z - piece.hi, "<=" if piece.hi_closed else "<"))
    return out


def _proof(index: int, piece: Piece, question: Realization) -> PieceProof:
    value = ValueTerm(piece.value, point=True)
    return PieceProof(
        index=index,
        condition=Condition(piece.relational()),
        value=value,
        result=Chain(question, (Link("equals", value),)),
        everywhere=not piece.condition,
    )


def _region(
    trace: Trace, index: int, piece: Piece, question: Realization, solver: Solver
) -> PieceProof:
    """Region ``index`` derived layer by layer, with the checks of the module docstring."""
    net = trace.network
    if piece.pattern is None or piece.point is None:
        raise DerivationCheckError(f"region {index} has no activation pattern or no exact point")
    # a piece without conditions on a symbol (the whole line) may leave it out of its point
    point = {s: piece.point.get(s, sympy.Integer(0)) for s in trace.input.free_symbols}
    # the pieces leave out the pattern of identity layers: their one piece, 0
    pattern = tuple(
        layer if layer or net.activation.name != "identity" else (0,) * net.dims[k]
        for k, layer in enumerate(piece.pattern, start=1)
    )
    region = derive_region(net, pattern, trace.input, point=point)
    for n in region.conditions:
        for c in _constraints(net.activation.pieces[n.piece], n.preactivation):
            if solver.implies(piece.condition, c) is not True:
                raise DerivationCheckError(
                    f"region {index}: its condition does not imply that z_{{{n.k},{n.i}}} = "
                    f"{n.preactivation} lies in piece {n.piece}"
                )
    derived = region.formula.links[0].term
    assert isinstance(derived, ValueTerm)
    if any(sympy.expand(a - b) != 0 for a, b in zip(derived.value, piece.value, strict=True)):
        raise DerivationCheckError(
            f"region {index}: derived {list(derived.value)}, the pieces {list(piece.value)}"
        )
    return dataclasses.replace(_proof(index, piece, question), region=region)


def _chosen(count: int, options: DerivationOptions) -> tuple[int, ...]:
    if options.piece is not None:
        if options.piece > count:
            raise RenderError(
                f"piece {options.piece} asked for, but the realization has "
                f"{count} piece{'s' if count != 1 else ''}",
                place="--piece",
                hint=f"give a number from 1 to {count}",
            )
        return (options.piece,)
    if count <= options.max_derived_pieces:
        return tuple(range(1, count + 1))
    return (1,)


def piecewise_form(trace: Trace, options: DerivationOptions) -> PiecewiseForm | None:
    """The piecewise form of the symbolic realization ``trace`` (module docstring), or ``None``
    when it does not apply (:func:`applies`) or the pieces are too many to compute
    (``Limits.max_pieces``): the derivation then ends in the closed form."""
    if not options.piecewise or not applies(trace):
        return None
    net, x0 = trace.network, trace.input
    solver = Solver()
    try:
        merged = realization_pieces(net, x0, solver=solver)
        regions = realization_pieces(net, x0, solver=solver, merge=False)
    except LimitError:
        return None
    if not (merged.decided and regions.decided) or not len(regions):
        return None
    # R(x) for one input, R(x, y) for an input (x; y) of symbols (a column is tall in the text)
    argument = (
        ListTerm(tuple(Atom(e) for e in x0))
        if x0.rows > 1 and all(e.is_Symbol for e in x0)
        else ValueTerm(x0, point=True)
    )
    question = Realization(net.activation, argument)
    pieces = tuple(_proof(i, p, question) for i, p in enumerate(merged, start=1))
    chosen = _chosen(len(regions), options)
    proofs = tuple(
        _region(trace, i, p, question, solver) if i in chosen else _proof(i, p, question)
        for i, p in enumerate(regions, start=1)
    )
    _check_statement(merged, regions, solver)
    drawn = None
    if options.plot:
        if len(merged.symbols) != 1 or net.dims[-1] != 1:
            raise RenderError(
                "a plot draws a realization of one symbol with one output "
                f"(here {len(merged.symbols)} symbols and l_L = {net.dims[-1]})",
                place="--plot",
                hint="give --at one symbol, or leave out --plot",
            )
        drawn = graph(trace, merged)
    same = len(merged) == len(regions) and all(
        a.condition == b.condition for a, b in zip(merged, regions, strict=True)
    )
    return PiecewiseForm(
        symbols=tuple(Atom(s) for s in merged.symbols),
        question=question,
        pieces=pieces,
        regions=proofs,
        derived=chosen,
        merged=not same,
        table=len(merged.symbols) > 1,
        graph=drawn,
    )


def _check_statement(merged: Pieces, regions: Pieces, solver: Solver) -> None:
    """Each region's exact point lies in a piece of the statement whose value is the region's
    on the whole region (the same expression, or, on a lower-dimensional region, one that the
    region's condition makes equal)."""
    for n, r in enumerate(regions, start=1):
        assert r.point is not None  # decided pieces carry a point
        piece = merged.piece_at(r.point)
        if piece is None:
            raise DerivationCheckError(f"region {n}: its point {dict(r.point)} is in no piece")
        diff = [sympy.expand(a - b) for a, b in zip(piece.value, r.value, strict=True)]
        if any(solver.implies(r.condition, constraint(d, "==")) is not True for d in diff):
            raise DerivationCheckError(f"region {n}: the piece at its point has another value")


def _ends(s: sympy.Set) -> list[sympy.Expr]:
    if isinstance(s, sympy.Interval):
        return [e for e in (s.start, s.end) if e.is_finite]
    if isinstance(s, sympy.FiniteSet):
        return list(s.args)
    if isinstance(s, sympy.Union):
        return [e for part in s.args for e in _ends(part)]
    return []


def _boolean(condition: sympy.Basic | bool) -> sympy.Basic:
    """A piece's condition as a sympy Boolean (a whole-line piece's ``True`` too)."""
    if isinstance(condition, sympy.Basic):
        return condition
    return sympy.true if condition else sympy.false


def graph(trace: Trace, pieces: Pieces) -> Graph:
    """The graph of the realization of one symbol (``pieces`` its merged pieces) on an interval
    one fifth wider on each side than the breakpoints' span (at least 1): exact vertices, and
    each breakpoint's value checked against the realization (:func:`realize`) at that point."""
    (t,) = pieces.symbols
    sets = [_boolean(p.relational()).as_set() for p in pieces]
    ends = sorted({e for s in sets for e in _ends(s)})
    if any(not e.is_Rational for e in ends):
        raise DerivationCheckError(f"the breakpoints {ends} are not rational")
    first, last = (ends[0], ends[-1]) if ends else (sympy.Integer(0), sympy.Integer(0))
    margin = max((last - first) / 5, sympy.Integer(1))
    lo, hi = first - margin, last + margin
    window = sympy.Interval(lo, hi)
    segments = []
    for piece, s in zip(pieces, sets, strict=True):
        value = piece.value[0]
        for part in s.args if isinstance(s, sympy.Union) else (s,):
            part = sympy.Intersection(part, window)
            if isinstance(part, sympy.Interval) and part.start < part.end:
                a, b = part.start, part.end
                segments.append(((a, value.subs(t, a)), (b, value.subs(t, b))))
    points = []
    for e in ends:
        at = pieces.value_at({t: e})
        exact = realize(trace.network, trace.input.xreplace({t: e})).output
        if at is None or list(at) != list(exact):
            raise DerivationCheckError(f"the value at the breakpoint {e}: {at} != {list(exact)}")
        points.append((e, at[0]))
    return Graph(lo, hi, tuple(segments), tuple(points))
