"""The Jinja2 environment of the LaTeX templates (layer *present*).

The templates live in the top-level ``templates/`` folder (shipped as the package
``symresnet.templates``): ``document.tex.j2`` (a standalone document), ``fragment.tex.j2`` (for
``\\input``), ``derivation.tex.j2`` (one problem and its solution in the style of the book's
proof of Example 1.5.6), ``macros.tex.j2`` and ``notebook.tex.j2`` (Jupyter's
``_repr_latex_``).

The Jinja2 environment is a ``SandboxedEnvironment`` with LaTeX-safe delimiters ``<< >>``
(values), ``<% %>`` (statements) and ``<# #>`` (comments), ``StrictUndefined`` and no HTML
escaping.  Templates receive only views (:mod:`symresnet.present.views`): every string in them
is finished LaTeX -- formulas from the printer, and free text from a spec (titles, labels)
already passed through :func:`~symresnet.present.latex.escape` (the filter ``tex`` in templates,
for text a template builds itself).  So free text can never reach LaTeX unescaped, in our
templates or in one's own (``RenderOptions(template_dir=...)``, ``symresnet derive --template
DIR``), whatever they do with it.  A template's errors (not found, syntax, undefined, not
allowed by the sandbox) become :class:`~symresnet.base.errors.RenderError`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from symresnet.base.errors import RenderError
from symresnet.present.latex import escape

if TYPE_CHECKING:  # pragma: no cover (render imports this module)
    from symresnet.present.render import RenderOptions

__all__ = ["TEMPLATES_PACKAGE", "TemplateOptions", "environment", "render_template"]

#: the package holding the shipped templates (the repository's top-level ``templates/``)
TEMPLATES_PACKAGE = "symresnet.templates"


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


def render_template(name: str, options: RenderOptions, **context: Any) -> str:
    """The template ``name`` rendered with ``context`` and ``options`` (as
    :class:`TemplateOptions`); a template's errors raise
    :class:`~symresnet.base.errors.RenderError`."""
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
