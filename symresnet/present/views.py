"""Template views of derivations (layer *present*): what the templates receive.

A :class:`~symresnet.explain.tree.Derivation` is turned into *views* -- small frozen dataclasses
whose fields are finished LaTeX strings (:class:`~symresnet.present.latex.Latex`) printed by
:class:`~symresnet.present.terms.TermPrinter`, free text from a spec (titles, labels) already
passed through :func:`~symresnet.present.latex.escape`.  :class:`Viewer` builds the view of one
derivation with one printer; :class:`Numbering` hands out the equation keys and numbers of a
whole document.  The views of a box claim and of a parameter study's cases are built by
:mod:`symresnet.present.boxviews` and :mod:`symresnet.present.caseviews` with the same viewer.

The fields are documented for template authors in ``docs/derivations.md``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sympy

from symresnet.explain.tree import Chain, Derivation
from symresnet.present.boxviews import BoxView, box_view
from symresnet.present.caseviews import CasesView, cases_view
from symresnet.present.latex import Latex, escape, join
from symresnet.present.notebook import plain_label
from symresnet.present.piecewiseviews import PiecewiseView, piecewise_view
from symresnet.present.terms import TermPrinter
from symresnet.present.widths import latex_width

if TYPE_CHECKING:  # pragma: no cover (render imports this module)
    from symresnet.present.render import RenderOptions

__all__ = [
    "ClaimView",
    "DerivationView",
    "EntryView",
    "EquationView",
    "Numbering",
    "ProblemView",
    "StepView",
    "Viewer",
]


@dataclasses.dataclass(frozen=True)
class EquationView:
    """One numbered formula.  ``key`` is its ``\\label``; ``tag`` its number when given
    (``1.151``, a claim's label), else LaTeX numbers it; ``ref`` refers to it (``\\eqref{...}``
    or ``(tag)``); ``number`` is what inline mode writes after it.  ``latex`` is the formula on
    one line, ``lines`` the same broken into ``&``-aligned lines for ``split``; ``rows`` the
    separate formulas of a data equation, line by line (``W_{1} = ...``, ``B_{1} = ...``).

    With ``first_equation`` the number is handed out when a template first uses ``tag``,
    ``ref`` or ``number``, so an equation a template does not print takes no number (no
    holes, whatever the template shows)."""

    key: str
    label: str | None
    latex: Latex
    lines: tuple[Latex, ...]
    rows: tuple[tuple[Latex, ...], ...] = ()
    numbering: Numbering | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def tag(self) -> Latex | None:
        if self.numbering is None:
            return None if self.label is None else escape(self.label)
        return self.numbering.tag(self.key, self.label)

    @property
    def ref(self) -> Latex:
        tagged = self.tag
        if tagged is not None and self.numbering is not None and not self.numbering.display:
            return join(["(", tagged, ")"])
        return Latex(rf"\eqref{{{self.key}}}")

    @property
    def number(self) -> Latex:
        tagged = self.tag
        if tagged is not None and self.numbering is not None and not self.numbering.display:
            return join(["(", tagged, ")"])
        return Latex(rf"\refstepcounter{{equation}}\label{{{self.key}}}(\theequation)")


@dataclasses.dataclass(frozen=True)
class ProblemView:
    """The data of the problem, (1.146)-(1.149): ``dims`` (``l_{0} = 1``, ...), ``skip_set``
    (``S = \\{(0, 4)\\}``), ``network`` (``\\Phi = ... \\in ...``), ``layers`` (data lines of
    ``W_k``, ``B_k``), ``skip_family`` (``V = (V_{r,k})_{(r,k) \\in S} \\in ...``), ``skips``
    (the data equations of the ``V_{r,k}``, one as in (1.149) unless there are many; empty
    when ``S`` is empty), ``plain`` (``S`` empty,
    Lemma 1.5.3), ``parameters`` (``a, b \\in \\mathbb{R}`` or ``None``), ``activation`` (its
    symbol) and ``activation_name`` (``"relu"``, ...)."""

    dims: tuple[Latex, ...]
    skip_set: Latex
    network: EquationView
    layers: tuple[EquationView, ...]
    skip_family: Latex
    skips: tuple[EquationView, ...]
    plain: bool
    parameters: Latex | None
    activation: Latex
    activation_name: str


@dataclasses.dataclass(frozen=True)
class StepView:
    """Layer ``k``, (1.153)-(1.156): its ``equation`` and the ``definitions`` of the values
    it names (``x_{2,1} := ...``).  ``where_lines`` are the same definitions as ``&``-aligned
    rows of an unnumbered display (each definition but the last ends in a comma) when they
    would take more than a line of text, else empty: then they go inline."""

    k: int
    equation: EquationView
    definitions: tuple[Latex, ...]
    where_lines: tuple[Latex, ...] = ()


@dataclasses.dataclass(frozen=True)
class EntryView:
    """Entry ``index`` (from 1) of a vector output where a claim fails."""

    index: int
    value: Latex
    expected: Latex


@dataclasses.dataclass(frozen=True)
class ClaimView:
    """A claim and its verdict.  ``label`` is free text (escaped when printed) or ``None``;
    ``status`` is ``holds``/``fails``/``depends``/``undecided``; ``relation`` is ``equals``,
    ``at_least``, ``at_most``, ``greater`` or ``less`` with LaTeX ``symbol``; ``statement`` is the
    claim's equation (tagged with its label); ``result`` is ``(R)(x_0) = value`` followed by the
    relation to the claimed value (``= -7 \\neq 0``) when decided; ``value``, ``expected``;
    ``vector`` (``l_L > 1``); ``failing`` the entries where it fails; ``when`` the condition on
    the parameters (``depends``) or ``None``, ``when_omitted`` when it is too long to print;
    ``note`` (text) and ``approx`` (the value to 30 digits) for ``undecided``."""

    label: Latex | None
    status: str
    relation: str
    symbol: Latex
    statement: EquationView
    result: Latex
    value: Latex
    expected: Latex
    vector: bool
    failing: tuple[EntryView, ...]
    when: Latex | None
    when_omitted: bool
    note: Latex
    approx: Latex | None
    #: ``label`` for the text of a Jupyter display (MathJax leaves it alone, notebook.py)
    notebook_label: Latex | None = None


@dataclasses.dataclass(frozen=True)
class DerivationView:
    """Everything ``derivation.tex.j2`` lays out (see ``docs/derivations.md``).

    ``title`` (free text or ``None``), ``L``, ``problem``, ``question`` (``(R)(5)``), ``claim``
    (or ``None`` for an evaluation), ``vectors`` (``x_{0} \\in \\mathbb{R}^{1}``, ...),
    ``indices`` (``k \\in \\{1, 2, 3, 4\\}``), ``start`` (``x_{0} = 5``), ``recursion`` (1.151),
    ``realization`` (1.152), ``steps`` (1.153)-(1.156), ``result`` (``(R)(5) = 28``),
    ``result_lines`` (the same, ``&``-aligned) and ``vector_output`` (``l_L > 1``: results are
    tall vectors, better displayed than inline)."""

    title: Latex | None
    L: int
    problem: ProblemView
    question: Latex
    claim: ClaimView | None
    vectors: tuple[Latex, ...]
    indices: Latex
    start: Latex
    recursion: EquationView
    realization: EquationView
    steps: tuple[StepView, ...]
    result: Latex
    result_lines: tuple[Latex, ...]
    vector_output: bool
    #: a parameter study's cases (:class:`symresnet.present.caseviews.CasesView`), else ``None``
    cases: CasesView | None = None
    #: a claim over a box (:class:`symresnet.present.boxviews.BoxView`), else ``None``
    box: BoxView | None = None
    #: ``l_0 > 1``: the input is a tall vector, displayed (inline it spreads the lines apart)
    vector_input: bool = False
    #: a symbolic input: the realization piece by piece (:mod:`symresnet.present.piecewiseviews`;
    #: ``steps`` then hold the closed form, unnumbered, for the notebook), else ``None``
    piecewise: PiecewiseView | None = None


#: the width of ``\text{and}\qquad`` before the last formula of a data equation, in points
_AND = 40.0


class Numbering:
    """Hands out equation keys and numbers in document order.

    Every equation gets a key of its own (``srn:1``, ``srn:2``, ...: unique in the document,
    whatever it prints).  With ``first_equation`` the numbers are handed out on first use
    (:attr:`EquationView.tag`), so the printed numbers are one sequence without holes.  An
    equation with a label of its own (a claim's ``1.161``) is tagged with it and takes no number,
    except when the sequence has reached it (the book's (1.150) after (1.149)); a number that
    such a label uses is never handed out to another equation (no two equations print it)."""

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        self.count = 0  # every equation, for the label keys
        self.numbered = 0  # numbers handed out (or skipped as some equation's label)
        self.prefix: str | None = None
        self.tags: dict[str, Latex | None] = {}
        self.labels: set[str] = set()  # the labels of the equations made so far
        if options.first_equation is not None:
            m = re.fullmatch(r"(.*?)([0-9]+)", options.first_equation)
            assert m is not None  # checked by RenderOptions
            self.prefix, self.digits, self.first = m.group(1), len(m.group(2)), int(m.group(2))

    @property
    def display(self) -> bool:
        return self.options.display

    def equation(
        self,
        latex: Latex,
        lines: Sequence[Latex],
        *,
        rows: Sequence[Sequence[Latex]] = (),
        tag: str | None = None,
    ) -> EquationView:
        self.count += 1
        key = f"{self.options.label_prefix}:{self.count}"
        if tag:
            self.labels.add(tag)
        return EquationView(
            key, tag or None, latex, tuple(lines), tuple(tuple(r) for r in rows), self
        )

    def _current(self) -> str:
        assert self.prefix is not None, "LaTeX numbers the equations"
        return f"{self.prefix}{self.first + self.numbered:0{self.digits}d}"

    def upcoming(self) -> str:
        """The number the next equation without a label takes (with ``first_equation``): the
        next of the sequence that no equation's label uses."""
        while self._current() in self.labels:
            self.numbered += 1
        return self._current()

    def tag(self, key: str, label: str | None) -> Latex | None:
        """The number of the equation ``key`` (its ``label``, or the next number with
        ``first_equation``), handed out on first use."""
        if key not in self.tags:
            text = label
            if self.prefix is not None:
                if label is not None and label == self._current():
                    self.numbered += 1  # a label like (1.150) takes its number
                elif label is None:
                    text = self.upcoming()
                    self.numbered += 1
            self.tags[key] = None if text is None else escape(text)
        return self.tags[key]


class Viewer:
    """Builds the view of one derivation with one printer."""

    def __init__(self, d: Derivation, options: RenderOptions, numbering: Numbering) -> None:
        self.d = d
        self.options = options
        self.numbering = numbering
        self.P = TermPrinter(
            names=d.names,
            fraktur=options.fraktur,
            activation_symbol=options.activation_symbol,
            max_rows=options.max_rows,
            max_columns=options.max_columns,
            inline=not options.display,
        )

    def equation(self, chain: Chain, *, tag: str | None = None) -> EquationView:
        lines = self.P.chain_lines(chain, self.options.line_width)
        return self.numbering.equation(self.P.chain(chain), lines, tag=tag)

    def displayed(self, chain: Chain) -> Latex:
        """A formula to display unnumbered: one line, or ``aligned`` rows when it is wider
        than ``line_width``."""
        one = self.P.chain(chain)
        tall = self.d.dims[0] > 1 or self.d.dims[-1] > 1  # else it goes inline
        if not tall or not self.options.display or latex_width(one) <= self.options.line_width:
            return one
        rows = self.P.chain_lines(chain, self.options.line_width)
        return join([r"\begin{aligned}", r" \\ ".join(rows), r"\end{aligned}"])

    def where_lines(self, definitions: Sequence[Chain]) -> tuple[Latex, ...]:
        """The definitions as rows of a display when inline they would take more than a line
        (the text is about ``line_width`` + 30 points wide), else ``()``."""
        if not self.options.display or not definitions:
            return ()
        inline = sum(self.P.width(t) for c in definitions for t in c.terms) + 25 * len(definitions)
        if inline <= self.options.line_width:
            return ()
        rows: list[Latex] = []
        for n, c in enumerate(definitions):
            lines = self.P.chain_lines(c, self.options.line_width)
            comma = "," if n < len(definitions) - 1 else ""
            rows += [*lines[:-1], Latex(lines[-1] + comma)]
        return tuple(rows)

    def data(self, groups: Sequence[Sequence[Chain]]) -> EquationView:
        r"""One numbered equation of data, a line per group: ``W_{1} = ...,\qquad B_{1} = ...``."""
        rows = [[self.P.chain(c) for c in group] for group in groups]
        lines = [join(row, r",\qquad ") for row in rows]
        return self.numbering.equation(join(lines, r",\qquad "), lines, rows=rows)

    def _groups(self, chains: Sequence[Chain], per_line: int) -> list[list[Chain]]:
        """Data lines of at most ``per_line`` formulas and about ``line_width`` characters."""
        groups: list[list[Chain]] = [[]]
        used: float = 0
        for c in chains:
            # the formula, its comma and the 2em \qquad after it; a line keeps room for the
            # "and" before the last formula
            w = latex_width(self.P.chain(c) + r",\qquad")
            room = self.options.line_width - _AND
            if groups[-1] and (len(groups[-1]) >= per_line or used + w > room):
                groups.append([])
                used = 0
            groups[-1].append(c)
            used += w
        return groups

    def problem(self) -> ProblemView:
        p, P = self.d.problem, self.P
        network = self.equation(p.network)
        layers = tuple(
            self.data([g]) for g in self._groups(p.layers, 2 * self.options.layers_per_line)
        )
        skip_family = P.chain(p.skip_family)
        # one numbered equation for the V_{r,k}, as (1.149) and (1.160), a line of four each
        skips = tuple(self.data([g]) for g in self._groups(p.skips, 4)) if p.skips else ()
        return ProblemView(
            dims=tuple(P.chain(c) for c in p.dims),
            skip_set=P.chain(p.skip_set),
            network=network,
            layers=layers,
            skip_family=skip_family,
            skips=skips,
            plain=not p.skips,
            parameters=None if p.parameters is None else P.chain(p.parameters),
            activation=P.activation(p.activation),
            activation_name=p.activation.name,
        )

    def claim(self) -> ClaimView | None:
        c = self.d.claim
        if c is None:
            return None
        P = self.P
        value, expected = c.value.value, c.expected.value
        return ClaimView(
            label=escape(c.label) if c.label else None,
            notebook_label=plain_label(c.label),
            status=c.status,
            relation=c.relation,
            symbol=P.relation(c.statement.links[0]),
            statement=self.equation(c.statement, tag=c.label or None),
            result=self.displayed(c.result),
            value=P.term(c.value),
            expected=P.term(c.expected),
            vector=value.rows > 1,
            failing=tuple(
                EntryView(i, P.atom(value[i - 1]), P.atom(expected[i - 1])) for i in c.failing
            ),
            when=None if c.when is None else P.term(c.when),
            when_omitted=c.when_omitted,
            note=escape(c.note),
            approx=(
                None
                if not c.approx
                else (P.atom(c.approx[0]) if len(c.approx) == 1 else P.matrix(_column(c.approx)))
            ),
        )

    def view(self) -> DerivationView:
        d, P = self.d, self.P
        tall = d.dims[-1] > 1 or d.dims[0] > 1  # the result is displayed, not inline
        problem = self.problem()
        claim = self.claim()
        box = None if d.box is None else box_view(self, d.box)  # numbered before the steps
        recursion = self.equation(d.recursion)
        realization = self.equation(d.realization)
        # a symbolic input is derived piece by piece; the steps in the closed form (max{...})
        # stay for the notebook display, unnumbered in the document (it does not print them)
        piecewise = None if d.piecewise is None else piecewise_view(self, d.piecewise)
        step_numbers = self.numbering if piecewise is None else Numbering(self.options)
        steps = tuple(
            StepView(
                s.k,
                step_numbers.equation(
                    P.chain(s.chain), P.chain_lines(s.chain, self.options.line_width)
                ),
                tuple(P.chain(c) for c in s.definitions),
                self.where_lines(s.definitions),
            )
            for s in d.steps
        )
        return DerivationView(
            title=escape(d.title) if d.title else None,
            L=d.L,
            problem=problem,
            question=P.term(d.question),
            claim=claim,
            vectors=tuple(P.chain(c) for c in d.vectors),
            indices=P.chain(d.indices),
            start=P.chain(d.start),
            recursion=recursion,
            realization=realization,
            steps=steps,
            result=self.displayed(d.result) if tall else P.chain(d.result),
            result_lines=tuple(P.chain_lines(d.result, self.options.line_width)),
            vector_output=d.dims[-1] > 1,
            cases=None if d.cases is None else cases_view(self, d.cases),
            box=box,
            vector_input=d.dims[0] > 1,
            piecewise=piecewise,
        )


def _column(values: Sequence[Any]) -> Any:
    return sympy.Matrix(len(values), 1, list(values))
