"""Template views of a parameter study's case analysis (layer *present*), for
``studycases.tex.j2``.

:func:`cases_view` is called by :class:`symresnet.present.views.Viewer` for a
:class:`~symresnet.explain.derivation.Derivation` whose ``cases`` is a
:class:`~symresnet.explain.cases.CaseAnalysis`; like every view its fields are finished LaTeX
(formulas from the derivation's :class:`~symresnet.present.terms.TermPrinter`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from symresnet.explain.cases import CaseAnalysis
from symresnet.present.latex import Latex, join

if TYPE_CHECKING:  # pragma: no cover (views imports this module)
    from symresnet.present.views import Viewer

__all__ = ["CaseView", "CasesView", "NeuronView", "cases_view"]


@dataclasses.dataclass(frozen=True)
class NeuronView:
    """Neuron ``i`` of layer ``k`` on a case: ``piece`` (``2 a + 4 \\leq 0``) and ``output``
    (the value of ``x_{k,i}`` there)."""

    k: int
    i: int
    piece: Latex
    output: Latex


@dataclasses.dataclass(frozen=True)
class CaseView:
    """Case ``index`` (from 1): its ``condition``, ``neurons``, ``value`` (``R(x_0) = ...``),
    ``claim`` (the claim on the case), ``outcome`` (``always``/``never``/``when``) and
    ``when`` (the condition within the case, for ``when``)."""

    index: int
    condition: Latex
    neurons: tuple[NeuronView, ...]
    value: Latex
    claim: Latex
    outcome: str
    when: Latex | None


@dataclasses.dataclass(frozen=True)
class CasesView:
    """A parameter study's case analysis: ``parameters`` (``a, b``), ``cases``, ``status`` of
    the claim and its exact condition ``when``."""

    parameters: Latex
    cases: tuple[CaseView, ...]
    status: str
    when: Latex


def cases_view(viewer: Viewer, analysis: CaseAnalysis) -> CasesView:
    """The view of ``analysis`` (a :class:`~symresnet.explain.cases.CaseAnalysis`), printed
    with the derivation viewer's printer."""
    P = viewer.P
    return CasesView(
        parameters=join([P.term(p) for p in analysis.parameters], ", "),
        cases=tuple(
            CaseView(
                index=n,
                condition=P.term(c.condition),
                neurons=tuple(
                    NeuronView(u.k, u.i, P.chain(u.piece), P.term(u.output)) for u in c.neurons
                ),
                value=P.chain(c.value),
                claim=P.chain(c.claim),
                outcome=c.outcome,
                when=None if c.when is None else P.term(c.when),
            )
            for n, c in enumerate(analysis.cases, start=1)
        ),
        status=analysis.status,
        when=P.term(analysis.when),
    )
