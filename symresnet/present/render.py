"""LaTeX derivations through Jinja2 templates (layer *present*): the public entry points.

:func:`fragment` (for ``\\input``), :func:`document` (a standalone document),
:func:`trace_latex` and :func:`verdict_latex` (Jupyter's ``_repr_latex_``) and :func:`render`
(any template) take derivations, traces or verdicts, derive what is not derived yet
(:func:`~symresnet.explain.derivation.derive`, :func:`~symresnet.explain.box.derive_box`), turn
each :class:`~symresnet.explain.tree.Derivation` into views (:func:`views`, built by
:mod:`symresnet.present.views`) and lay them out by the sandboxed templates of
:mod:`symresnet.present.templates`.  :class:`RenderOptions` holds the notation and layout a
lecturer may change.

The variables the templates receive are documented in ``docs/derivations.md``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from typing import Any, TypeAlias, cast

from symresnet.base.errors import RenderError
from symresnet.claims.box_verdict import BoxVerdict
from symresnet.claims.parameter_box import ParameterBoxVerdict
from symresnet.claims.verdict import Failure, Outcome, Verdict
from symresnet.compute.realization import Trace
from symresnet.explain.box import derive_box
from symresnet.explain.derivation import derive
from symresnet.explain.parameter_box import derive_parameter_box
from symresnet.explain.tree import DEFAULT_OPTIONS, Derivation, DerivationOptions
from symresnet.present.latex import Latex
from symresnet.present.templates import render_template
from symresnet.present.views import DerivationView, Numbering, Viewer

__all__ = [
    "DEFAULT_RENDER",
    "RenderOptions",
    "Renderable",
    "document",
    "fragment",
    "render",
    "trace_latex",
    "verdict_latex",
    "views",
]


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
            r".{0,40}?[0-9]{1,9}", self.first_equation
        ):
            raise RenderError(
                f"first equation number {self.first_equation!r} must end in the digits 0-9",
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
        if isinstance(
            items, Derivation | Trace | Verdict | BoxVerdict | ParameterBoxVerdict | Failure
        )
        else cast(Iterable[Renderable], items)
    )
    out = []
    for item in many:
        if isinstance(item, Derivation):
            out.append(item)
        elif isinstance(item, ParameterBoxVerdict):
            out += derive_parameter_box(item, title=title, options=options.derivation)
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
    numbering = Numbering(options)
    return [Viewer(d, options, numbering).view() for d in _derivations(items, title, options)]


def render(
    template: str,
    items: Renderable | Iterable[Renderable],
    *,
    title: str | None = None,
    options: RenderOptions = DEFAULT_RENDER,
    figure: str | None = None,
) -> str:
    """Render the template ``template`` with ``derivations`` (a list of views) and ``options``;
    ``figure`` (a finished ``tikzpicture``, e.g. the network's architecture) follows the
    network's data in the first derivation."""
    return render_template(
        template,
        options,
        derivations=views(items, title=title, options=options),
        figure=None if figure is None else Latex(figure),
    )


def fragment(
    items: Renderable | Iterable[Renderable],
    *,
    title: str | None = None,
    options: RenderOptions = DEFAULT_RENDER,
    figure: str | None = None,
) -> str:
    """LaTeX to ``\\input`` into a document that loads ``amsmath`` and ``amssymb``.

    ``items`` are traces, verdicts or derivations (one or several); ``title`` (free text) heads
    each one derived here.
    """
    return render("fragment.tex.j2", items, title=title, options=options, figure=figure)


def document(
    items: Renderable | Iterable[Renderable],
    *,
    title: str | None = None,
    options: RenderOptions = DEFAULT_RENDER,
    figure: str | None = None,
) -> str:
    """A complete LaTeX document (``article``; ``amsmath``, ``amssymb``, ``geometry``)."""
    return render("document.tex.j2", items, title=title, options=options, figure=figure)


def trace_latex(trace: Trace, *, options: RenderOptions = DEFAULT_RENDER) -> str:
    """The layers of a realization for Jupyter (``Trace._repr_latex_``)."""
    return render("notebook.tex.j2", trace, options=options)


def verdict_latex(verdict: Verdict | BoxVerdict, *, options: RenderOptions = DEFAULT_RENDER) -> str:
    """The layers and the verdict for Jupyter (``Verdict._repr_latex_``)."""
    return render("notebook.tex.j2", verdict, options=options)
