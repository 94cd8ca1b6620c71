"""Template views of box-claim derivations (layer *present*), for ``boxclaim.tex.j2``.

:func:`box_view` is called by :class:`symresnet.present.views.Viewer` for a
:class:`~symresnet.explain.derivation.Derivation` whose ``box`` is a
:class:`~symresnet.explain.box.BoxProof`; like every view, its fields are finished LaTeX
(formulas from the derivation's :class:`~symresnet.present.terms.TermPrinter`, free text escaped).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from symresnet.explain.box import BoxProof
from symresnet.present.latex import Latex, escape
from symresnet.present.notebook import plain_label

if TYPE_CHECKING:  # pragma: no cover (views imports this module)
    from symresnet.present.views import EquationView, Viewer

__all__ = ["BoxView", "RegionView", "box_view"]


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
    #: ``label`` for the text of a Jupyter display (MathJax leaves it alone, notebook.py)
    notebook_label: Latex | None = None


def box_view(viewer: Viewer, proof: BoxProof) -> BoxView:
    """The view of ``proof`` (a :class:`~symresnet.explain.box.BoxProof`), printed with the
    derivation viewer's printer and numbering."""
    P = viewer.P
    statement = viewer.equation(proof.statement, tag=proof.label or None)
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
            )
            for r in proof.regions
        ),
        count=proof.count,
        extrema=tuple(P.chain(c) for c in proof.extrema),
        vector=proof.vector,
        intervals=tuple(P.chain(c) for c in proof.intervals),
        coordinates=_coordinates(P, proof),
        attains=proof.attains,
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
