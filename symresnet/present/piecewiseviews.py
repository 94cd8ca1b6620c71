"""Template views of the piecewise form of a symbolic realization (layer *present*), for
``piecewise.tex.j2``.

:func:`piecewise_view` is called by :class:`symresnet.present.views.Viewer` for a
:class:`~symresnet.explain.tree.Derivation` whose ``piecewise`` is a
:class:`~symresnet.explain.piecewise.PiecewiseForm`; like every view its fields are finished
LaTeX (formulas from the derivation's :class:`~symresnet.present.terms.TermPrinter`), and its
equations are numbered in document order by the viewer's numbering.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sympy

from symresnet.explain.piecewise import Graph, PiecewiseForm
from symresnet.explain.tree import Atom, Chain, MatrixTerm, Term, ValueTerm
from symresnet.present.latex import Latex, escape, join
from symresnet.present.terms import TermPrinter
from symresnet.values.exact import exact_str

if TYPE_CHECKING:  # pragma: no cover (views imports this module)
    from symresnet.present.views import EquationView, Viewer

__all__ = [
    "GraphView",
    "PieceRowView",
    "PiecewiseView",
    "RegionStepView",
    "RegionView",
    "piecewise_view",
]


@dataclasses.dataclass(frozen=True)
class PieceRowView:
    """A piece of the statement: ``index`` (from 1), ``condition`` (``-3 < x \\leq -2``; for a
    table each inequality of the polyhedron on its own, ``conditions``) and ``value``."""

    index: int
    condition: Latex
    conditions: tuple[Latex, ...]
    value: Latex


@dataclasses.dataclass(frozen=True)
class RegionStepView:
    """Layer ``k`` on a region: ``because`` (``$x + 3 > 0$ and $2 x + 4 \\leq 0$``, the pieces
    of the activation its pre-activations lie in; empty when none depends on the input) and
    the numbered ``equation`` ``x_k = ... = ...``."""

    k: int
    because: Latex
    equation: EquationView


@dataclasses.dataclass(frozen=True)
class RegionView:
    """A region written out: ``index``, ``condition``, ``steps`` and ``result``
    (``R(x) = 7 x + 14``); ``everywhere`` when the region is the whole domain."""

    index: int
    condition: Latex
    steps: tuple[RegionStepView, ...]
    result: Latex
    everywhere: bool


@dataclasses.dataclass(frozen=True)
class GraphView:
    """The graph for pgfplots: ``segments`` (each ``(a, b) (c, d)``) and ``marks`` (the
    breakpoints), coordinates as decimals for the drawing only (:func:`decimal`); ``xmin``,
    ``xmax`` the same; ``interval`` (``[-4, -\\frac{2}{7}]``) and ``breakpoints``
    (``-3, -2, -\\frac{5}{3}``) exact, for the text."""

    segments: tuple[str, ...]
    marks: str
    xmin: str
    xmax: str
    interval: Latex
    breakpoints: Latex


@dataclasses.dataclass(frozen=True)
class PiecewiseView:
    """The piecewise form: ``symbols`` (``x`` or ``(x, y)``), ``at`` (the same as text, for
    ``--at``), ``question`` (``R(x)``), the
    ``statement`` (the ``cases`` display, numbered; ``None`` for a table), ``rows`` (the
    pieces), ``table`` (two or more symbols: a table of polyhedra), ``single`` (one piece, the
    whole domain), ``regions`` (those written out), ``count`` (the number of regions),
    ``derived_all`` (every region written out), ``merged`` (regions with one affine form merged
    into one piece) and ``others`` (the regions not written out, for the note)."""

    symbols: Latex
    at: Latex
    question: Latex
    statement: EquationView | None
    rows: tuple[PieceRowView, ...]
    table: bool
    #: the table's sets are polyhedra of two or more symbols (else intervals of one)
    table_polyhedra: bool
    single: bool
    regions: tuple[RegionView, ...]
    #: ``rows`` in groups of at most :data:`TABLE_ROWS` (a table does not break across pages)
    groups: tuple[tuple[PieceRowView, ...], ...]
    count: int
    derived_all: bool
    merged: bool
    others: tuple[int, ...]
    graph: GraphView | None = None


#: more pieces than this are a table even for one symbol (a display cannot break across pages),
#: in tables of at most this many rows
TABLE_ROWS = 24


def and_list(items: Sequence[str]) -> Latex:
    """``$a$``, ``$a$ and $b$``, ``$a$, $b$, and $c$`` (formulas in text)."""
    parts = [f"${i}$" for i in items]
    if len(parts) <= 2:
        return join(parts, " and ")
    return join([", ".join(parts[:-1]), parts[-1]], ", and ")


def _cases(viewer: Viewer, form: PiecewiseForm, question: Latex) -> EquationView:
    P = viewer.P
    rows = [
        join([P.term(p.value), r" & \text{if } {", P.term(p.condition), "}"])
        + ("," if n < len(form.pieces) else "")
        for n, p in enumerate(form.pieces, start=1)
    ]
    body = join([question, r" = \begin{cases} ", r" \\ ".join(rows), r" \end{cases}"])
    return viewer.numbering.equation(body, (body,))


def piecewise_view(viewer: Viewer, form: PiecewiseForm) -> PiecewiseView:
    """The view of ``form``, printed with the derivation viewer's printer and numbering."""
    P = viewer.P
    question = P.term(form.question)
    single = len(form.pieces) == 1 and form.pieces[0].everywhere
    table = (form.table or len(form.pieces) > TABLE_ROWS) and not single
    statement = None
    if not table and not single:
        statement = _cases(viewer, form, question)
    elif single:
        statement = viewer.equation(form.pieces[0].result)
    rows = tuple(
        PieceRowView(
            index=p.index,
            condition=P.term(p.condition),
            conditions=_inequalities(viewer, p.condition.value),
            value=P.term(p.value),
        )
        for p in form.pieces
    )
    regions = []
    for r in form.shown:
        derivation = r.region
        assert derivation is not None  # the shown regions are derived
        steps = tuple(
            RegionStepView(
                k=step.k,
                because=and_list([P.chain(n.condition) for n in layer if not n.constant]),
                equation=_step_equation(viewer, step.chain),
            )
            for step, layer in zip(derivation.steps, derivation.neurons, strict=True)
        )
        regions.append(
            RegionView(
                index=r.index,
                condition=P.term(r.condition),
                steps=steps,
                result=P.chain(r.result),
                everywhere=r.everywhere,
            )
        )
    return PiecewiseView(
        symbols=_these(join([P.term(s) for s in form.symbols], ", "), len(form.symbols)),
        at=escape(", ".join(str(s.value) for s in form.symbols)),
        question=question,
        statement=statement,
        rows=rows,
        table=table,
        table_polyhedra=form.table,
        single=single,
        regions=tuple(regions),
        groups=tuple(rows[i : i + TABLE_ROWS] for i in range(0, len(rows), TABLE_ROWS)),
        count=len(form.regions),
        derived_all=len(form.derived) == len(form.regions),
        merged=form.merged,
        others=tuple(i for i in range(1, len(form.regions) + 1) if i not in form.derived),
        graph=None if form.graph is None else _graph(viewer, form.graph),
    )


def _inequalities(viewer: Viewer, condition: sympy.Basic) -> tuple[Latex, ...]:
    """The inequalities of a polyhedron one by one (``x - y \\leq 0``, ``2 x + y > 1``)."""
    args = condition.args if isinstance(condition, sympy.And) else (condition,)
    return tuple(viewer.P.atom(a) for a in args)


def _these(names: Latex, count: int) -> Latex:
    return names if count == 1 else join(["(", names, ")"])


#: points per character that TermPrinter's width estimate (fitted to numbers) leaves out for an
#: affine expression such as ``2 x + 6`` (about 5.7pt a character printed, 3.2 estimated)
EXCESS_PER_CHAR = 2.5


def _excess(v: sympy.Expr) -> float:
    return 0.0 if v.is_Rational else EXCESS_PER_CHAR * len(exact_str(v))


class AffineWidths(TermPrinter):
    """The derivation's printer with widths that count affine entries at their printed size
    (``2 x + 6``), for breaking a region's steps; the LaTeX is the printer's own."""

    def __init__(self, base: TermPrinter) -> None:  # the same printer, other widths
        self.__dict__.update(base.__dict__)

    def width(self, t: Term) -> float:
        extra = 0.0
        match t:
            case Atom(value=v):
                extra = _excess(v)
            case MatrixTerm(value=m) | ValueTerm(value=m):
                extra = sum(
                    max((_excess(m[i, j]) for i in range(m.rows)), default=0.0)
                    for j in range(m.cols)
                )
        return super().width(t) + extra


def _step_equation(viewer: Viewer, chain: Chain) -> EquationView:
    """A region's step, broken into lines by the widths of :class:`AffineWidths`."""
    P = AffineWidths(viewer.P)
    return viewer.numbering.equation(
        P.chain(chain), P.chain_lines(chain, viewer.options.line_width)
    )


def decimal(q: sympy.Rational, places: int = 6) -> str:
    """``q`` rounded to ``places`` decimals, in integer arithmetic: a coordinate for drawing,
    never a result (the exact values are in the formulas)."""
    scale = 10**places
    n = int(sympy.floor(sympy.Rational(q) * scale + sympy.Rational(1, 2)))
    sign, n = ("-" if n < 0 else ""), abs(n)
    whole, frac = divmod(n, scale)
    return f"{sign}{whole}.{frac:0{places}d}".rstrip("0").rstrip(".")


def _vertex(v: tuple[sympy.Rational, sympy.Rational]) -> str:
    return f"({decimal(v[0])}, {decimal(v[1])})"


def _graph(viewer: Viewer, g: Graph) -> GraphView:
    P = viewer.P
    return GraphView(
        segments=tuple(f"{_vertex(a)} {_vertex(b)}" for a, b in g.segments),
        marks=" ".join(_vertex(p) for p in g.breakpoints),
        xmin=decimal(g.lo),
        xmax=decimal(g.hi),
        interval=join([r"\left[", P.atom(g.lo), ", ", P.atom(g.hi), r"\right]"]),
        breakpoints=join([P.atom(t) for t, _ in g.breakpoints], ", "),
    )
