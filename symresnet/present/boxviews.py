"""Template views of box-claim derivations (layer *present*), for ``boxclaim.tex.j2``.

:func:`box_view` is called by :class:`symresnet.present.views.Viewer` for a
:class:`~symresnet.explain.derivation.Derivation` whose ``box`` is a
:class:`~symresnet.explain.box.BoxProof`; like every view, its fields are finished LaTeX
(formulas from the derivation's :class:`~symresnet.present.terms.TermPrinter`, free text escaped).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from symresnet.explain.box import BoxProof, RegionRow
from symresnet.explain.tree import Chain, ListTerm
from symresnet.present.latex import Latex, escape
from symresnet.present.notebook import plain_label

if TYPE_CHECKING:  # pragma: no cover (views imports this module)
    from symresnet.present.views import EquationView, Viewer

__all__ = ["BoxView", "RegionView", "RowView", "box_view"]

#: rows of the table of regions per ``tabular`` (a page may break between two of them)
ROWS_PER_TABLE = 4


@dataclasses.dataclass(frozen=True)
class RegionView:
    """Region ``index`` (``pattern`` as text): ``inequalities`` (each ``a x \\leq b``), the
    ``formula`` ``R(x) = C x + d`` and the ``bounds`` chains (one per output coordinate used)."""

    index: int
    pattern: Latex
    inequalities: tuple[Latex, ...]
    formula: Latex
    bounds: tuple[Latex, ...]
    coordinates: tuple[int, ...]
    #: the signs of the pre-activations that define the region (``z_{1,1} <= 0``)
    signs: tuple[Latex, ...] = ()
    #: the layers on the region (numbered equations) and, per layer, why its neurons use their
    #: pieces there (``z_{1,1} = \xi + 3 > 0``)
    steps: tuple[EquationView, ...] = ()
    since: tuple[tuple[Latex, ...], ...] = ()


@dataclasses.dataclass(frozen=True)
class RowView:
    """A row of the table of regions: ``index``, and the cells as LaTeX text (formulas in
    ``$...$``): ``signs`` (``$z_{1,1}, z_{1,2} > 0$, $z_{2,1} \\leq 0$``), ``where`` (the
    region in the input coordinates), ``form`` (the affine form, math) and ``bounds``."""

    index: int
    signs: Latex
    where: Latex
    form: Latex
    bounds: Latex


@dataclasses.dataclass(frozen=True)
class BoxView:
    """A box claim (see ``boxclaim.tex.j2``): ``quantifier`` (``forall``/``exists``),
    ``relation``, ``holds``, ``label`` (escaped text or ``None``); ``domain``
    (``x \\in [-2, 1]``); ``statement`` (the numbered claim ``R(x) \\leq 0``); ``point``
    (``x_0 = -2 \\in [-2, 1]``) and ``result`` (``R(-2) = 0 \\not< 0``) when settled at a
    point, else ``regions``; ``count``; ``extrema`` (``R(-2) = 0``); ``vector``; ``intervals``
    (``x_k \\in [lo, hi] \\times ...``, ``k = 0..L``) when interval bounds prove the claim."""

    quantifier: str
    relation: str
    holds: bool
    label: Latex | None
    domain: Latex
    statement: EquationView
    point: Latex | None
    result: Latex | None
    regions: tuple[RegionView, ...]
    count: int
    extrema: tuple[Latex, ...]
    vector: bool
    intervals: tuple[Latex, ...] = ()
    #: the input ``x = (xi_1, ...)`` in coordinates (``xi`` when ``l_0 = 1``)
    coordinates: Latex | None = None
    attains: bool = False
    #: a long proof: the table of all regions in chunks of :data:`ROWS_PER_TABLE` rows, the
    #: realization's symbol for its header (``R(x)``), the header of the bounds column and the
    #: region derived in full
    table: tuple[tuple[RowView, ...], ...] = ()
    realization: Latex | None = None
    bounds_header: str = ""
    full: int | None = None
    #: the number of rows of the table (the regions, as ``symresnet regions`` counts them)
    table_rows: int = 0
    #: the region derived in full attains the ``extreme`` (``largest``/``smallest``) value
    full_attains: bool = False
    extreme: str = ""
    #: the regions are closed (their rows include the boundary)
    closed: bool = True
    #: ``label`` for the text of a Jupyter display (MathJax leaves it alone, notebook.py)
    notebook_label: Latex | None = None


def box_view(viewer: Viewer, proof: BoxProof) -> BoxView:
    """The view of ``proof`` (a :class:`~symresnet.explain.box.BoxProof`), printed with the
    derivation viewer's printer and numbering."""
    P = viewer.P
    statement = viewer.equation(proof.statement, tag=proof.label or None)
    indented = not proof.table  # the regions of a short proof are items of a list
    return BoxView(
        quantifier=proof.quantifier,
        relation=proof.relation,
        holds=proof.holds,
        label=escape(proof.label) if proof.label else None,
        notebook_label=plain_label(proof.label),
        domain=P.chain(proof.domain),
        statement=statement,
        point=None if proof.point is None else P.chain(proof.point),
        result=None if proof.result is None else P.chain(proof.result),
        regions=tuple(
            RegionView(
                r.index,
                _pattern(r.pattern),
                tuple(P.chain(c) for c in r.inequalities),
                P.chain(r.formula),
                tuple(P.chain(c) for c in r.bounds),
                r.coordinates,
                tuple(P.chain(c) for c in r.signs),
                tuple(_step_equation(viewer, step.chain, indented) for step in r.steps),
                tuple(tuple(P.chain(c) for c in layer) for layer in r.since),
            )
            for r in proof.regions
        ),
        count=proof.count,
        extrema=tuple(P.chain(c) for c in proof.extrema),
        vector=proof.vector,
        intervals=tuple(P.chain(c) for c in proof.intervals),
        coordinates=_coordinates(P, proof),
        attains=proof.attains,
        table=_chunks(tuple(_row(P, proof, r) for r in proof.table)),
        realization=Latex(P.term(proof.statement.first)),
        bounds_header=_bounds_header(proof),
        full=proof.full,
        table_rows=len(proof.table),
        full_attains=proof.full_attains,
        extreme=_extreme(proof),
        closed=proof.closed,
    )


def _extreme(proof: BoxProof) -> str:
    sides = {b.side for r in proof.table for b in r.bounds}
    return {frozenset({"max"}): "largest", frozenset({"min"}): "smallest"}.get(
        frozenset(sides), "largest or smallest"
    )


#: points a list item takes from the line (its indent) and room for the equation number
ITEM_INDENT = 60


def _step_equation(viewer: Viewer, chain: Chain, indented: bool) -> EquationView:
    """A layer on a region, numbered; broken to fit a list item when ``indented`` (so that the
    equation number stays on the line)."""
    P = viewer.P
    width = viewer.options.line_width - (ITEM_INDENT if indented else 0)
    return viewer.numbering.equation(P.chain(chain), P.chain_lines(chain, width))


def _chunks(rows: tuple[RowView, ...]) -> tuple[tuple[RowView, ...], ...]:
    return tuple(rows[i : i + ROWS_PER_TABLE] for i in range(0, len(rows), ROWS_PER_TABLE))


def _bounds_header(proof: BoxProof) -> str:
    extreme = _extreme(proof)
    return "bounds, at" if " or " in extreme else f"{extreme} value, at"


def _cell_chain(P, chain: Chain) -> Latex:
    """A chain in a table cell, breakable after the commas of a list of names."""
    if isinstance(chain.first, ListTerm):
        head = r",\allowbreak ".join(P.term(t) for t in chain.first.items)
    else:
        head = P.term(chain.first)
    tail = " ".join(f"{P.relation(link)} {P.term(link.term)}" for link in chain.links)
    return Latex(f"${head} {tail}$")


def _row(P, proof: BoxProof, row: RegionRow) -> RowView:
    point_name = P.term(proof.coordinates[0]) if len(proof.coordinates) == 1 else "x"
    sides = {b.side for b in row.bounds}
    bounds = []
    for b in row.bounds:
        head = f"entry {b.coordinate}: " if proof.vector else ""
        if len(sides) > 1:
            head += f"{b.side} "
        where = "at" if b.attained else "not attained; approached at"
        bounds.append(f"{head}${P.term(b.value)}$ {where} ${point_name} = {P.term(b.point)}$")
    return RowView(
        index=row.index,
        signs=Latex(", ".join(_cell_chain(P, c) for c in row.signs) or "none"),
        where=Latex(", ".join(_cell_chain(P, c) for c in row.inequalities)),
        form=Latex(P.term(row.form)),
        bounds=Latex(";\\newline ".join(bounds)),
    )


def _coordinates(P, proof: BoxProof) -> Latex:
    """``xi`` or ``(xi_1, xi_2)`` (as LaTeX): the input written in its coordinates."""
    names = [P.term(c) for c in proof.coordinates]
    if len(names) == 1:
        return Latex(names[0])
    return Latex("(" + ", ".join(names) + ")")


def _pattern(text: str) -> Latex:
    """``11|010`` as math: the piece indices (digits) of each hidden layer, bars between."""
    layers = text.split("|")
    if not all(layer.isdigit() for layer in layers):
        return escape(text)
    return Latex("$" + r"\,|\,".join(layers) + "$")
