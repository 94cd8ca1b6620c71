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
problems and parts first, ``(1), (2), ...``, then the solutions continue where they end; the
label keys are unique across the sheet (one :class:`~symresnet.present.views.Numbering` for all
three documents, so that they give a statement the same number and key).  A claim's own label (``(1.161)``) tags its statement and uses no
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


class _PartViewer(Viewer):
    """The viewer of one part: its statement is made once (cached, so that the statement and the
    solution refer to one equation); its problem view is the problem's (stated once)."""

    def __init__(
        self,
        d: Derivation,
        options: RenderOptions,
        *,
        numbering: Numbering,
        problem: ProblemView,
        letter: str,
    ) -> None:
        super().__init__(d, options, numbering)
        self._letter = letter
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
            self._statement = self.numbering.equation(self.P.chain(chain), lines, tag=tag)
        return self._statement

    def problem(self) -> ProblemView:
        return self._problem

    def claim(self) -> ClaimView | None:
        if self._claim is None:
            self._claim = (super().claim(),)
        return self._claim[0]

    def statement(self) -> tuple[EquationView, ClaimView | None, BoxView | None]:
        """The part's statement (numbered when the exercise sheet prints it)."""
        claim = self.claim()
        box = None if self.d.box is None else box_view(self, self.d.box)
        chain = self._statement_chain()
        assert chain is not None  # a part is a claim
        return self.equation(chain), claim, box


def _first(options: RenderOptions) -> RenderOptions:
    """The options with explicit numbers (``1`` unless ``first_equation`` is given)."""
    return options if options.first_equation is not None else options.replace(first_equation="1")


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
    return _numbered(sheet, _first(options), figure=figure, max_neurons=max_neurons)[0]


def _numbered(
    sheet: Sheet, options: RenderOptions, *, figure: bool, max_neurons: int
) -> tuple[SheetView, str]:
    """The views of ``sheet`` with its statements numbered, and the exercise sheet.

    One :class:`Numbering` gives every equation of the sheet its label key (unique across the
    three documents, which share the statements) and hands out the numbers on first use.  The
    exercise sheet is laid out here, first, so that the statements take the numbers
    ``1, 2, ...`` in the order it prints them; the solutions then take the next numbers as
    the solution sheet prints them (the combined document prints them in the same order).  An
    equation no document prints (the steps of a box claim proved region by region) takes none.
    """
    numbering = Numbering(options)
    problems = []
    for problem in sheet.problems:
        view = _problem_viewer(problem, options, numbering).problem()
        part_views = []
        for part in problem.parts:
            pv = _PartViewer(
                part.derivation, options, numbering=numbering, problem=view, letter=part.letter
            )
            statement, claim, box = pv.statement()
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
    unnumbered = SheetView(
        title=escape(sheet.title) if sheet.title else None,
        problems=tuple(problems),
        statements=0,
        first_solution="",
        figures=figure,
    )
    exercises = render_template(SHEET_TEMPLATE, options, sheet=unnumbered, mode="exercises")
    numbered = dataclasses.replace(
        unnumbered, statements=numbering.numbered, first_solution=numbering.upcoming()
    )
    return numbered, exercises


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
    options = _first(options)
    view, exercises = _numbered(sheet, options, figure=figure, max_neurons=max_neurons)
    # the solutions first (their numbers in the order the solution sheet prints them)
    solutions = render_template(SHEET_TEMPLATE, options, sheet=view, mode="solutions")
    combined = render_template(SHEET_TEMPLATE, options, sheet=view, mode="combined")
    return SheetTex(exercises=exercises, solutions=solutions, combined=combined)
