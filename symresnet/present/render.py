"""LaTeX derivations through Jinja2 templates (layer *present*).

A :class:`~symresnet.explain.derivation.Derivation` is turned into *views* -- small frozen dataclasses
whose fields are finished LaTeX strings (:class:`~symresnet.present.latex.Latex`) printed by
:class:`~symresnet.present.latex.TermPrinter` -- and laid out by the templates of the top-level
``templates/`` folder (shipped as the package ``symresnet.templates``): ``document.tex.j2``
(a standalone document), ``fragment.tex.j2`` (for ``\\input``), ``derivation.tex.j2`` (one
problem and its solution in the style of the book's proof of Example 1.5.6),
``macros.tex.j2`` and ``notebook.tex.j2`` (Jupyter's ``_repr_latex_``).

The Jinja2 environment is a ``SandboxedEnvironment`` with LaTeX-safe delimiters ``<< >>``
(values), ``<% %>`` (statements) and ``<# #>`` (comments), ``StrictUndefined`` and no HTML
escaping.  Templates receive only views: every string in them is finished LaTeX -- formulas
from the printer, and free text from a spec (titles, labels) already passed through
:func:`~symresnet.present.latex.escape` (the filter ``tex`` in templates, for text a template builds
itself).  So free text can never reach LaTeX unescaped, in our templates or in one's own
(``RenderOptions(template_dir=...)``, ``symresnet derive --template DIR``), whatever they do
with it.

The variables the templates receive are documented in ``docs/derivations.md``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias, cast

import jinja2
import sympy
from jinja2.sandbox import SandboxedEnvironment

from symresnet.base.errors import RenderError
from symresnet.claims.box import BoxVerdict
from symresnet.claims.verdict import Failure, Outcome, Verdict
from symresnet.compute.realization import Trace
from symresnet.explain.box import derive_box
from symresnet.explain.derivation import derive
from symresnet.explain.tree import DEFAULT_OPTIONS, Chain, Derivation, DerivationOptions
from symresnet.present.boxviews import BoxView, box_view
from symresnet.present.caseviews import CasesView, cases_view
from symresnet.present.latex import Latex, TermPrinter, escape, join

__all__ = [
    "ClaimView",
    "DerivationView",
    "EquationView",
    "ProblemView",
    "RenderOptions",
    "StepView",
    "TemplateOptions",
    "document",
    "environment",
    "fragment",
    "render",
    "trace_latex",
    "verdict_latex",
]

#: the package holding the shipped templates (the repository's top-level ``templates/``)
TEMPLATES_PACKAGE = "symresnet.templates"


@dataclasses.dataclass(frozen=True, kw_only=True)
class RenderOptions:
    """Notation and layout a lecturer may change (all keyword-only; ``replace`` makes a copy).

    * ``first_equation``: ``"1.151"`` numbers the equations ``(1.151), (1.152), ...`` as the
      book does; ``None`` lets LaTeX number them.  A claim's label always tags its statement.
    * ``label_prefix``: prefix of the ``\\label`` keys (letters; change it when two rendered
      fragments go into one document).
    * ``activation_symbol``: the hidden layers' activation written differently, e.g.
      ``"sigma"``, ``"\\sigma"`` or ``"\\mathfrak{s}"`` (see :func:`~symresnet.present.latex.safe_symbol`).
    * ``fraktur``: ``\\mathfrak{M}`` (the book) or a plain ``M``.
    * ``display``: displayed, numbered equations (the book) or inline formulas.
    * ``max_rows``, ``max_columns``: larger matrices are elided with ``\\vdots``/``\\cdots``.
    * ``line_width``: about how wide (in points; the text is 455pt, the number takes 30pt) a line
      of a formula may get before it breaks.
    * ``layers_per_line``: how many ``W_k, B_k`` pairs the problem statement puts on a line.
    * ``template_dir``: a folder of one's own templates, tried before the shipped ones.
    * ``derivation``: when values are abbreviated by names (:class:`DerivationOptions`).
    """

    first_equation: str | None = None
    label_prefix: str = "srn"
    activation_symbol: str | None = None
    fraktur: bool = True
    display: bool = True
    max_rows: int = 8
    max_columns: int = 8
    line_width: int = 425
    layers_per_line: int = 2
    template_dir: str | os.PathLike[str] | None = None
    derivation: DerivationOptions = DEFAULT_OPTIONS

    def __post_init__(self) -> None:
        if self.first_equation is not None and not re.fullmatch(
            r".{0,40}?\d{1,9}", self.first_equation
        ):
            raise RenderError(
                f"first equation number {self.first_equation!r} must end in digits",
                place="first_equation",
                hint='e.g. "1.151" or "7"',
            )
        if not re.fullmatch(r"[A-Za-z]{1,20}", self.label_prefix):
            raise RenderError("the label prefix must be 1 to 20 letters", place="label_prefix")
        for name in ("max_rows", "max_columns"):
            if not 3 <= getattr(self, name) <= 1000:
                raise RenderError(f"{name} must be between 3 and 1000", place=name)
        if not 100 <= self.line_width <= 100_000:
            raise RenderError("line_width must be between 100 and 100000", place="line_width")
        if not 1 <= self.layers_per_line <= 100:
            raise RenderError("layers_per_line must be between 1 and 100", place="layers_per_line")

    def replace(self, **changes: Any) -> RenderOptions:
        """A copy with some options changed."""
        return dataclasses.replace(self, **changes)


DEFAULT_RENDER = RenderOptions()


# -- views: what the templates receive ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EquationView:
    """One numbered formula.  ``key`` is its ``\\label``; ``tag`` its number when given
    (``1.151``, a claim's label), else LaTeX numbers it; ``ref`` refers to it (``\\eqref{...}``
    or ``(tag)``); ``number`` is what inline mode writes after it.  ``latex`` is the formula on
    one line, ``lines`` the same broken into ``&``-aligned lines for ``split``; ``rows`` the
    separate formulas of a data equation, line by line (``W_{1} = ...``, ``B_{1} = ...``)."""

    key: str
    tag: Latex | None
    ref: Latex
    number: Latex
    latex: Latex
    lines: tuple[Latex, ...]
    rows: tuple[tuple[Latex, ...], ...] = ()


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
    it names (``x_{2,1} := ...``)."""

    k: int
    equation: EquationView
    definitions: tuple[Latex, ...]


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


@dataclasses.dataclass(frozen=True)
class TemplateOptions:
    """The options templates see (as ``options``): ``display``, ``fraktur``, ``max_rows``,
    ``max_columns``, ``line_width``, ``layers_per_line``, ``numbered`` (``first_equation`` given)."""

    display: bool
    fraktur: bool
    max_rows: int
    max_columns: int
    line_width: int
    layers_per_line: int
    numbered: bool

    @classmethod
    def of(cls, options: RenderOptions) -> TemplateOptions:
        return cls(
            display=options.display,
            fraktur=options.fraktur,
            max_rows=options.max_rows,
            max_columns=options.max_columns,
            line_width=options.line_width,
            layers_per_line=options.layers_per_line,
            numbered=options.first_equation is not None,
        )


class _Numbering:
    """Hands out equation keys and numbers in document order."""

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        self.count = 0
        self.prefix: str | None = None
        if options.first_equation is not None:
            m = re.fullmatch(r"(.*?)(\d+)", options.first_equation)
            assert m is not None  # checked by RenderOptions
            self.prefix, self.digits, self.first = m.group(1), len(m.group(2)), int(m.group(2))

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
        text = tag or None
        if text is None and self.prefix is not None:
            text = f"{self.prefix}{self.first + self.count - 1:0{self.digits}d}"
        tagged = None if text is None else escape(text)
        if tagged is not None and not self.options.display:
            ref = number = join(["(", tagged, ")"])
        else:
            ref = Latex(rf"\eqref{{{key}}}")
            number = Latex(rf"\refstepcounter{{equation}}\label{{{key}}}(\theequation)")
        return EquationView(
            key, tagged, ref, number, latex, tuple(lines), tuple(tuple(r) for r in rows)
        )


class _Viewer:
    """Builds the view of one derivation with one printer."""

    def __init__(self, d: Derivation, options: RenderOptions, numbering: _Numbering) -> None:
        self.d = d
        self.options = options
        self.numbering = numbering
        self.P = TermPrinter(
            names=d.names,
            fraktur=options.fraktur,
            activation_symbol=options.activation_symbol,
            max_rows=options.max_rows,
            max_columns=options.max_columns,
        )

    def equation(self, chain: Chain, *, tag: str | None = None) -> EquationView:
        lines = self.P.chain_lines(chain, self.options.line_width)
        return self.numbering.equation(self.P.chain(chain), lines, tag=tag)

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
            w = sum(self.P.width(t) for t in c.terms) + 6
            if groups[-1] and (len(groups[-1]) >= per_line or used + w > self.options.line_width):
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
            status=c.status,
            relation=c.relation,
            symbol=P.relation(c.statement.links[0]),
            statement=self.equation(c.statement, tag=c.label or None),
            result=P.chain(c.result),
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
        problem = self.problem()
        claim = self.claim()
        box = None if d.box is None else box_view(self, d.box)  # numbered before the steps
        recursion = self.equation(d.recursion)
        realization = self.equation(d.realization)
        steps = tuple(
            StepView(s.k, self.equation(s.chain), tuple(P.chain(c) for c in s.definitions))
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
            result=P.chain(d.result),
            result_lines=tuple(P.chain_lines(d.result, self.options.line_width)),
            vector_output=d.dims[-1] > 1,
            cases=None if d.cases is None else cases_view(self, d.cases),
            box=box,
        )


def _column(values: Sequence[Any]) -> Any:
    return sympy.Matrix(len(values), 1, list(values))


# -- the Jinja2 environment ----------------------------------------------------------------------


def _template_root() -> Any:
    """The shipped templates: the installed package, or ``templates/`` of a source checkout
    that was not installed (the package exists only through the install's mapping)."""
    try:
        return resources.files(TEMPLATES_PACKAGE)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "templates"


def _packaged(name: str) -> str | None:
    """A shipped template's text (``None`` when there is none by that name)."""
    try:
        parts = jinja2.loaders.split_template_path(name)
    except jinja2.TemplateNotFound:
        return None
    resource = _template_root().joinpath(*parts)
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str | None) -> SandboxedEnvironment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(template_dir, encoding="utf-8"))
    loaders.append(jinja2.FunctionLoader(_packaged))
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tex"] = escape
    return env


def environment(template_dir: str | os.PathLike[str] | None = None) -> SandboxedEnvironment:
    """The sandboxed Jinja2 environment: ``template_dir`` (if given) first, then the shipped
    templates.  Raises :class:`~symresnet.base.errors.RenderError` if ``template_dir`` is not a folder."""
    if template_dir is None:
        return _environment(None)
    path = Path(template_dir)
    if not path.is_dir():
        raise RenderError(
            "is not a folder of templates", place="--template", file=str(template_dir)
        )
    return _environment(str(path.resolve()))


def _render(name: str, options: RenderOptions, **context: Any) -> str:
    where = f" in {options.template_dir}" if options.template_dir is not None else ""
    try:
        template = environment(options.template_dir).get_template(name)
        return template.render(options=TemplateOptions.of(options), **context)
    except jinja2.TemplateNotFound as err:
        raise RenderError(f"template {err.name} not found{where}", place="templates") from None
    except jinja2.TemplateSyntaxError as err:
        raise RenderError(
            f"template syntax error: {err.message}", place=f"{err.name or name}:{err.lineno}"
        ) from None
    except jinja2.UndefinedError as err:
        raise RenderError(f"template {name}{where}: {err.message}", place="templates") from None
    except jinja2.exceptions.SecurityError as err:
        raise RenderError(
            f"template {name}{where} is not allowed to do that: {err}", place="templates"
        ) from None


# -- the public functions ------------------------------------------------------------------------

#: what can be rendered: a derivation, a trace, or a verdict of any kind
Renderable: TypeAlias = Derivation | Trace | Outcome


def _derivations(
    items: Renderable | Iterable[Renderable], title: str | None, options: RenderOptions
) -> list[Derivation]:
    """The derivations of ``items``; a claim that could not be decided (:class:`Failure`) has
    none."""
    many = (
        [items]
        if isinstance(items, Derivation | Trace | Verdict | BoxVerdict | Failure)
        else cast(Iterable[Renderable], items)
    )
    out = []
    for item in many:
        if isinstance(item, Derivation):
            out.append(item)
        elif isinstance(item, BoxVerdict):
            out.append(derive_box(item, title=title, options=options.derivation))
        elif isinstance(item, Trace | Verdict):
            out.append(derive(item, title=title, options=options.derivation))
    return out


def views(
    items: Renderable | Iterable[Renderable],
    *,
    title: str | None = None,
    options: RenderOptions = DEFAULT_RENDER,
) -> list[DerivationView]:
    """The template views of derivations (numbered in order, as one document)."""
    numbering = _Numbering(options)
    return [_Viewer(d, options, numbering).view() for d in _derivations(items, title, options)]


def render(
    template: str,
    items: Renderable | Iterable[Renderable],
    *,
    title: str | None = None,
    options: RenderOptions = DEFAULT_RENDER,
) -> str:
    """Render the template ``template`` with ``derivations`` (a list of views) and ``options``."""
    return _render(template, options, derivations=views(items, title=title, options=options))


def fragment(
    items: Renderable | Iterable[Renderable],
    *,
    title: str | None = None,
    options: RenderOptions = DEFAULT_RENDER,
) -> str:
    """LaTeX to ``\\input`` into a document that loads ``amsmath`` and ``amssymb``.

    ``items`` are traces, verdicts or derivations (one or several); ``title`` (free text) heads
    each one derived here.
    """
    return render("fragment.tex.j2", items, title=title, options=options)


def document(
    items: Renderable | Iterable[Renderable],
    *,
    title: str | None = None,
    options: RenderOptions = DEFAULT_RENDER,
) -> str:
    """A complete LaTeX document (``article``; ``amsmath``, ``amssymb``, ``geometry``)."""
    return render("document.tex.j2", items, title=title, options=options)


def trace_latex(trace: Trace, *, options: RenderOptions = DEFAULT_RENDER) -> str:
    """The layers of a realization for Jupyter (``Trace._repr_latex_``)."""
    return render("notebook.tex.j2", trace, options=options)


def verdict_latex(verdict: Verdict | BoxVerdict, *, options: RenderOptions = DEFAULT_RENDER) -> str:
    """The layers and the verdict for Jupyter (``Verdict._repr_latex_``)."""
    return render("notebook.tex.j2", verdict, options=options)
