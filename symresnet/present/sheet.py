"""Exercise sheets in LaTeX (layer *present*): the exercises and the solutions, apart or together.

:func:`render_sheet` lays a :class:`~symresnet.explain.sheet.Sheet` out through the template
``sheet.tex.j2`` (docs/sheets.md):

* the **exercise sheet** states every problem's network once and its parts (a), (b), (c), each
  *neutrally*: a point or box part as "Prove or disprove that ...", a part with parameters as
  "Determine all ... for which it holds that ..." -- the wording depends on the kind of the
  part only, never on its truth, so the sheet gives nothing away;
* the **solution sheet** restates each problem (with the same equation numbers) and gives each
  part's worked solution (the derivation of ``symresnet derive``, :mod:`symresnet.explain`),
  where the verdict appears;
* the **combined** document is the exercise sheet followed by the solutions (not restated).

The equation numbers of a sheet are one sequence without holes: the statements of all
problems and parts first, ``(1), (2), ...``, then the solutions continue where they end
(:class:`~symresnet.present.views.Numbering`, with explicit tags so that both documents give a
statement the same number).  A claim's own label (``(1.161)``) tags its statement and uses no
number.  Free text (titles, labels) is escaped like everything templates see.
"""

from __future__ import annotations

import dataclasses

from symresnet.explain.sheet import Part, Sheet, SheetProblem
from symresnet.explain.tree import Chain, Derivation
from symresnet.present.architecture import DEFAULT_MAX_NEURONS, architecture_tikz
from symresnet.present.boxviews import BoxView, box_view
from symresnet.present.latex import Latex, escape, join
from symresnet.present.render import DEFAULT_RENDER, RenderOptions
from symresnet.present.templates import render_template
from symresnet.present.terms import TermPrinter
from symresnet.present.views import (
    ClaimView,
    DerivationView,
    EquationView,
    Numbering,
    ProblemView,
    Viewer,
)

__all__ = ["PartView", "ProblemSheetView", "SheetTex", "SheetView", "render_sheet", "sheet_views"]

#: the template of the three documents
SHEET_TEMPLATE = "sheet.tex.j2"


@dataclasses.dataclass(frozen=True)
class PartView:
    """Part ``letter`` as ``sheet.tex.j2`` lays it out: ``kind`` (``point``, ``parameter``,
    ``box``); ``statement`` (the numbered claim); ``names`` (``a \\in \\mathbb{R}``: the
    parameters a parameter part asks about, else ``None``); ``box`` (the box's view: its
    ``domain`` and ``quantifier``) or ``None``; ``claim`` (the claim's view) or ``None``;
    ``solution`` (the worked solution's view)."""

    letter: str
    kind: str
    statement: EquationView
    names: Latex | None
    box: BoxView | None
    claim: ClaimView | None
    solution: DerivationView
    #: after the solution: the mistake that gives a false variant part's claimed value
    remark: Latex | None = None


@dataclasses.dataclass(frozen=True)
class ProblemSheetView:
    """Problem ``number``: ``title`` (escaped text or ``None``), the ``problem`` data (stated
    once), ``activation_name``, its ``parts`` and the architecture ``figure`` (or ``None``)."""

    number: int
    title: Latex | None
    problem: ProblemView
    activation_name: str
    parts: tuple[PartView, ...]
    #: the architecture picture (a ``tikzpicture``) after the network's data, or ``None``
    figure: Latex | None = None


@dataclasses.dataclass(frozen=True)
class SheetView:
    """The sheet: ``title`` (escaped text or ``None``), ``problems``, ``statements`` (how many
    numbers the statements use) and ``first_solution`` (the number the solutions start at)."""

    title: Latex | None
    problems: tuple[ProblemSheetView, ...]
    statements: int
    first_solution: str
    #: some problem has a figure (the preamble loads TikZ)
    figures: bool = False


@dataclasses.dataclass(frozen=True)
class SheetTex:
    """The three LaTeX documents of a sheet: ``exercises``, ``solutions``, ``combined``."""

    exercises: str
    solutions: str
    combined: str


class _Counter(Numbering):
    """A :class:`Numbering` that always tags (``first`` given) and tells where it stands."""

    def upcoming(self) -> str:
        assert self.prefix is not None
        return f"{self.prefix}{self.first + self.numbered:0{self.digits}d}"


class _PartViewer(Viewer):
    """The viewer of one part: its statement is numbered by ``statements`` (once, cached), the
    rest of its solution by ``solutions``; its problem view is the problem's (stated once)."""

    def __init__(
        self,
        d: Derivation,
        options: RenderOptions,
        *,
        statements: Numbering,
        solutions: Numbering,
        problem: ProblemView,
        letter: str,
    ) -> None:
        super().__init__(d, options, solutions)
        self._letter = letter
        self._statements = statements
        self._problem = problem
        self._statement: EquationView | None = None
        self._claim: tuple[ClaimView | None] | None = None

    def _statement_chain(self) -> Chain | None:
        if self.d.box is not None:
            return self.d.box.statement
        return None if self.d.claim is None else self.d.claim.statement

    def equation(self, chain: Chain, *, tag: str | None = None) -> EquationView:
        if chain is not self._statement_chain():
            return super().equation(chain, tag=tag)
        if self._statement is None:
            tag = None if tag == self._letter else tag  # a label "a" on part (a) says nothing
            lines = self.P.chain_lines(chain, self.options.line_width)
            self._statement = self._statements.equation(self.P.chain(chain), lines, tag=tag)
        return self._statement

    def problem(self) -> ProblemView:
        return self._problem

    def claim(self) -> ClaimView | None:
        if self._claim is None:
            self._claim = (super().claim(),)
        return self._claim[0]

    def statement(self) -> tuple[EquationView, ClaimView | None, BoxView | None]:
        """The part's statement, numbered now (before any solution is)."""
        claim = self.claim()
        box = None if self.d.box is None else box_view(self, self.d.box)
        chain = self._statement_chain()
        assert chain is not None  # a part is a claim
        return self.equation(chain), claim, box


def _first(options: RenderOptions) -> RenderOptions:
    """The options with explicit numbers (``1`` unless ``first_equation`` is given)."""
    return options if options.first_equation is not None else options.replace(first_equation="1")


def _solution_options(options: RenderOptions, first: str) -> RenderOptions:
    """Numbers from ``first`` and label keys of their own (both documents may be combined)."""
    prefix = (options.label_prefix + "sol")[-20:]
    return options.replace(first_equation=first, label_prefix=prefix)


def _problem_viewer(problem: SheetProblem, options: RenderOptions, numbering: Numbering) -> Viewer:
    d = dataclasses.replace(problem.parts[0].derivation, problem=problem.statement)
    return Viewer(d, options, numbering)


def _names(P: TermPrinter, problem: SheetProblem, part: Part) -> Latex | None:
    """``a \\in \\mathbb{R}`` or ``t \\in [0, 2]``: the parameters a parameter part asks
    about (the network's and its own), with their declared bounds."""
    symbols = sorted(problem.network.free_symbols | set(part.parameters), key=lambda s: s.name)
    if not symbols:
        return None
    declared = [problem.parameters.get(s.name) for s in symbols]
    if all(p is None or (p.min is None and p.max is None) for p in declared):
        return join([join([P.atom(s) for s in symbols], ", "), Latex(r" \in \mathbb{R}")])
    items = []
    for s, p in zip(symbols, declared, strict=True):
        lo, hi = (None, None) if p is None else (p.min, p.max)
        if lo is not None and hi is not None:
            where = join([Latex(r" \in ["), P.atom(lo), Latex(", "), P.atom(hi), Latex("]")])
        elif lo is not None:
            where = join([Latex(r" \geq "), P.atom(lo)])
        elif hi is not None:
            where = join([Latex(r" \leq "), P.atom(hi)])
        else:
            where = Latex(r" \in \mathbb{R}")
        items.append(join([P.atom(s), where]))
    return join(items, ", ")


def _remark(part: Part) -> Latex | None:
    """``The claimed value $-7$ is what one gets when the skip $V_{1,3}$ is dropped.``"""
    text = None if part.origin is None else part.origin.mistake_text(lambda s: f"${s}$")
    return None if text is None else Latex(text[0].upper() + text[1:] + ".")


def sheet_views(
    sheet: Sheet,
    *,
    options: RenderOptions = DEFAULT_RENDER,
    figure: bool = False,
    max_neurons: int = DEFAULT_MAX_NEURONS,
) -> SheetView:
    """The views of ``sheet``: the statements numbered first, then the solutions; with
    ``figure`` each problem's architecture picture (:mod:`symresnet.present.architecture`,
    layers wider than ``max_neurons`` elided) after its network's data."""
    options = _first(options)
    statements = _Counter(options)
    placeholder = _Counter(options)  # numbers of equations no document prints
    pending: list[tuple[SheetProblem, ProblemView, list[tuple[Part, _PartViewer, tuple]]]] = []
    for problem in sheet.problems:
        view = _problem_viewer(problem, options, statements).problem()
        parts = []
        for part in problem.parts:
            pv = _PartViewer(
                part.derivation,
                options,
                statements=statements,
                solutions=placeholder,
                problem=view,
                letter=part.letter,
            )
            parts.append((part, pv, pv.statement()))
        pending.append((problem, view, parts))
    first = statements.upcoming()
    solutions = Numbering(_solution_options(options, first))
    problems = []
    for problem, view, parts in pending:
        part_views = []
        for part, pv, (statement, claim, box) in parts:
            # a box claim proved region by region prints none of the steps: they take no number
            d = part.derivation
            pv.numbering = placeholder if d.box is not None and d.box.regions else solutions
            names = _names(pv.P, problem, part) if part.answer.kind == "parameter" else None
            part_views.append(
                PartView(
                    part.letter,
                    part.answer.kind,
                    statement,
                    names,
                    box,
                    claim,
                    pv.view(),
                    _remark(part),
                )
            )
        problems.append(
            ProblemSheetView(
                number=problem.number,
                title=escape(problem.title) if problem.title else None,
                problem=view,
                activation_name=view.activation_name,
                parts=tuple(part_views),
                figure=(
                    Latex(
                        architecture_tikz(problem.network, max_neurons=max_neurons, options=options)
                    )
                    if figure
                    else None
                ),
            )
        )
    return SheetView(
        title=escape(sheet.title) if sheet.title else None,
        problems=tuple(problems),
        statements=statements.numbered,
        first_solution=first,
        figures=figure,
    )


def render_sheet(
    sheet: Sheet,
    *,
    options: RenderOptions = DEFAULT_RENDER,
    figure: bool = False,
    max_neurons: int = DEFAULT_MAX_NEURONS,
) -> SheetTex:
    """The exercise sheet, the solution sheet and the combined document of ``sheet`` as complete
    LaTeX documents (module docstring); ``figure`` draws each problem's architecture in its
    statement."""
    view = sheet_views(sheet, options=options, figure=figure, max_neurons=max_neurons)
    options = _first(options)
    texts = {
        mode: render_template(SHEET_TEMPLATE, options, sheet=view, mode=mode)
        for mode in ("exercises", "solutions", "combined")
    }
    return SheetTex(**texts)
