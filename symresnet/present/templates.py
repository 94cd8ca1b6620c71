"""The Jinja2 environment of the LaTeX templates (layer *present*).

The templates live in the top-level ``templates/`` folder (shipped as the package
``symresnet.templates``): ``document.tex.j2`` (a standalone document), ``fragment.tex.j2`` (for
``\\input``), ``derivation.tex.j2`` (one problem and its solution in the style of the book's
proof of Example 1.5.6), ``macros.tex.j2`` and ``notebook.tex.j2`` (Jupyter's
``_repr_latex_``).

The Jinja2 environment is an ``ImmutableSandboxedEnvironment`` with LaTeX-safe delimiters
``<< >>`` (values), ``<% %>`` (statements) and ``<# #>`` (comments), ``StrictUndefined`` and no
HTML escaping.  Templates receive only views (:mod:`symresnet.present.views`): every string in
them is finished LaTeX -- formulas from the printer, and free text from a spec (titles, labels)
already passed through :func:`~symresnet.present.latex.escape` (the filter ``tex`` in templates,
for text a template builds itself).  So free text can never reach LaTeX unescaped, in our
templates or in one's own (``RenderOptions(template_dir=...)``, ``symresnet derive --template
DIR``), whatever they do with it.

**One's own templates are untrusted input**, like specs (a lecturer shares a template folder as
they share exercise sheets).  Besides Jinja2's sandbox (no attribute starting with ``_``, no
modifying lists and dicts, ranges of at most 100,000), this module makes sure that a template
cannot

* read other files: a template file is read only if it is a regular UTF-8 text file of at most
  :data:`MAX_TEMPLATE_BYTES` inside the folder (a symbolic link whose target lies outside the
  folder is refused; one rendering compiles at most :data:`MAX_TEMPLATE_SOURCE` bytes of them),
  and LaTeX that reads files behind kpathsea's back (``\\pdfobj file``,
  ``\\pdfmapfile``, names built by ``\\csname`` or ``^^``, see :data:`FORBIDDEN_TEX`) is refused in
  template files and in what they render.  That scan is only a first layer: TeX can assemble
  any command from characters while it runs (write ``\\string\\pdf obj`` to a file and
  ``\\input`` it, ``\\lowercase`` with changed ``\\lccode``, ``\\ExpandArgs{Nc}``, ...), so
  what closes the file system is :mod:`symresnet.present.compile` confining the engine
  (Landlock, see :func:`~symresnet.present.compile.confined`);
* exhaust memory or time: every value a template computes (``'x' * n``, ``~``, ``+``, ``%``,
  a filter, a method call) is checked *before* it is built against :data:`MAX_TEMPLATE_VALUE`
  characters or items, integers against :data:`MAX_TEMPLATE_INT_BITS` bits, text converted to
  a number against :data:`MAX_NUMBER_TEXT` characters (Python's ``int()`` of a long string is
  quadratic and cannot be interrupted); every loop iteration counts against
  :data:`MAX_TEMPLATE_STEPS`, the output against :data:`MAX_TEMPLATE_OUTPUT`, what ``<< >>``
  prints (also into blocks and macros, before it is kept) against :data:`MAX_TEMPLATE_PRINTED`,
  the characters and items every operation builds or walks through against
  :data:`MAX_TEMPLATE_WORK`, nested macro calls and includes against :data:`MAX_TEMPLATE_CALLS`
  and :data:`MAX_TEMPLATE_NESTING`, and a rendering of one's own templates against
  :data:`MAX_TEMPLATE_SECONDS`;
* crash the program: every error of a template (not found, syntax, nested too deeply to
  compile, undefined, not allowed by the sandbox, over a limit, any exception of its
  expressions) becomes a
  :class:`~symresnet.base.errors.RenderError` naming the template file and line.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import inspect
import math
import os
import re
import stat
import string
import sys
import time
import types
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from symresnet.base.errors import InputError, InternalError, RenderError
from symresnet.present.latex import escape

if TYPE_CHECKING:  # pragma: no cover (render imports this module)
    from symresnet.present.render import RenderOptions

__all__ = [
    "FORBIDDEN_TEX",
    "MAX_NUMBER_TEXT",
    "MAX_TEMPLATE_BYTES",
    "MAX_TEMPLATE_CALLS",
    "MAX_TEMPLATE_INT_BITS",
    "MAX_TEMPLATE_NESTING",
    "MAX_TEMPLATE_OUTPUT",
    "MAX_TEMPLATE_PRINTED",
    "MAX_TEMPLATE_SECONDS",
    "MAX_TEMPLATE_SOURCE",
    "MAX_TEMPLATE_STEPS",
    "MAX_TEMPLATE_VALUE",
    "MAX_TEMPLATE_WORK",
    "TEMPLATES_PACKAGE",
    "TemplateOptions",
    "environment",
    "render_template",
]

#: the package holding the shipped templates (the repository's top-level ``templates/``)
TEMPLATES_PACKAGE = "symresnet.templates"

#: bytes of one template file (compiling 100 kB of the densest template takes Jinja2 and
#: Python about 2 s and 270 MB; the shipped templates have at most 5 kB)
MAX_TEMPLATE_BYTES = 100_000
#: bytes of one's own template files compiled for one rendering (included, imported, extended)
MAX_TEMPLATE_SOURCE = 300_000
#: characters of one string, items of one list (with the characters of its strings) that a
#: template computes; a line of TeX longer than 200,000 characters does not compile anyway
MAX_TEMPLATE_VALUE = 2_000_000
#: characters a rendering writes
MAX_TEMPLATE_OUTPUT = 20_000_000
#: characters the ``<< ... >>`` of one rendering print, also into what is captured and not yet
#: written (``<% set x %>...<% endset %>``, ``<% filter %>`` blocks, macro bodies, imports)
MAX_TEMPLATE_PRINTED = 100_000_000
#: characters of all the values one rendering builds or walks through (``~``, ``*``, ``+``,
#: ``%``, filters, methods, slices, comparisons), an item of a list counting as
#: :data:`_ITEM_COST` characters: bounds the time of a loop whose every step copies a long text
#: or walks a long list, at about a second
MAX_TEMPLATE_WORK = 1_000_000_000
#: the work of one item of a list, tuple, dict or set, in characters (Python walks an item in
#: about the time C copies or compares a thousand characters)
_ITEM_COST = 1_000
#: seconds one rendering of one's own templates may take (the last guard, for work that no
#: count sees, such as sorting long lists or comparing long texts)
MAX_TEMPLATE_SECONDS = 20.0
#: loop iterations of one rendering (the shipped templates need a few thousand)
MAX_TEMPLATE_STEPS = 2_000_000
#: bits of an integer a template computes (about 4,300 digits)
MAX_TEMPLATE_INT_BITS = 14_300
#: characters of a text a template turns into a number (``|int``, ``|float``)
MAX_NUMBER_TEXT = 4_300
#: macro calls inside macro calls
MAX_TEMPLATE_CALLS = 64
#: templates included (or extended, imported) inside each other
MAX_TEMPLATE_NESTING = 24

#: LaTeX a template may not write: primitives that read any file past kpathsea's
#: ``openin_any=p`` (``\pdfobj file``, map files, ``\pdffiledump``, ...), file attachments, and
#: the means to build a control sequence's name from letters (``\csname``, ``^^5c``,
#: ``\catcode``, ``\scantokens``, expl3's ``\tex_...:D`` copies of the primitives).  A second
#: layer: :mod:`symresnet.present.compile` confines the engine itself where it can.
FORBIDDEN_TEX = re.compile(
    r"\\(?:pdfobj|pdfrefobj|pdfmapfile|pdfmapline|pdffiledump|pdfmdfivesum|pdffilesize"
    r"|pdffilemoddate|pdfximage|pdfprimitive|primitive|embedfile|attachfile|textattachfile"
    r"|noattachfile|csname|ifcsname|scantokens|catcode|ExplSyntaxOn|UseName|@nameuse"
    r"|directlua|tex_[A-Za-z_]*:D)(?![A-Za-z])"
    r"|\^\^"
    r"|\{(?:pdfobj|pdfmapfile|pdfmapline|pdfximage|embedfile|attachfile)\}"
)

_T = Any  # a value computed by a template


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


class TemplateLimit(jinja2.exceptions.SecurityError):
    """A template went over one of the limits of this module (becomes a ``RenderError``)."""


class _CompileLimit(TemplateLimit):
    """A template nested too deeply to be compiled (it names the template, not its includer)."""

    def __init__(self, message: str, name: str | None, filename: str | None) -> None:
        super().__init__(message)
        self.name = name
        self.filename = filename


# -- the budget of one rendering -----------------------------------------------------------------


class _Budget:
    """What one rendering has used: loop iterations, output characters, characters printed
    (also into captures), work, nested calls, and its deadline (``None``: none)."""

    __slots__ = ("calls", "deadline", "output", "printed", "source", "steps", "work")

    def __init__(self, seconds: float | None = None) -> None:
        self.steps = 0
        self.output = 0
        self.printed = 0
        self.work = 0
        self.source = 0
        self.calls = 0
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_TEMPLATE_STEPS:
            raise TemplateLimit(f"more than {MAX_TEMPLATE_STEPS:,} loop iterations")
        if self.output > MAX_TEMPLATE_OUTPUT:
            raise TemplateLimit(f"more than {MAX_TEMPLATE_OUTPUT:,} characters of output")
        self.tick()

    def charge(self, amount: int) -> None:
        """Count ``amount`` characters or items of work."""
        self.work += amount
        if self.work > MAX_TEMPLATE_WORK:
            raise TemplateLimit(
                f"more than {MAX_TEMPLATE_WORK:,} characters of text built or walked through"
            )
        self.tick()

    def printing(self, amount: int) -> None:
        """Count ``amount`` characters printed by ``<< ... >>`` (before they are kept)."""
        self.printed += amount
        if self.printed > MAX_TEMPLATE_PRINTED:
            raise TemplateLimit(f"more than {MAX_TEMPLATE_PRINTED:,} characters printed")
        if self.output + amount > MAX_TEMPLATE_OUTPUT:
            raise TemplateLimit(f"more than {MAX_TEMPLATE_OUTPUT:,} characters of output")
        self.tick()

    def tick(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TemplateLimit(f"the rendering took more than {MAX_TEMPLATE_SECONDS:g} s")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "symresnet_template_budget", default=None
)


def _step() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.step()


def _charge(amount: int) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(amount)


def _tick() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick()


def _finalize(value: _T) -> _T:
    """Every value a ``<< ... >>`` prints, counted before it is kept (Jinja2's ``finalize``)."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.printing(len(value) if isinstance(value, str) else _size(value))
    return value


# -- sizes ---------------------------------------------------------------------------------------


def _size(value: _T, cap: int = MAX_TEMPLATE_VALUE) -> int:
    """About how many characters ``value`` prints as: the characters of its strings and one per
    item of its lists, tuples, sets and dicts, counted until ``cap`` is passed."""
    total = 0
    stack = [value]
    while stack and total <= cap:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item) + 1
            stack.extend(item)
        elif isinstance(item, dict):
            total += len(item) + 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, range):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        else:
            total += 1
    return total


def _refuse_size(estimate: int, what: str) -> None:
    if estimate > MAX_TEMPLATE_VALUE:
        raise TemplateLimit(
            f"{what} would have more than {MAX_TEMPLATE_VALUE:,} characters or items"
        )


def _count(value: _T, what: str) -> int:
    """An integer argument that says how many characters or items to make."""
    if isinstance(value, int) and value > MAX_TEMPLATE_VALUE:
        raise TemplateLimit(f"{what} {value} is larger than {MAX_TEMPLATE_VALUE:,}")
    return value if isinstance(value, int) else 0


def _collect(items: Iterator[_T], what: str) -> list[_T]:
    """A lazy result (a filter's generator) as a list, checked item by item."""
    out: list[_T] = []
    total = 0
    for item in items:
        _step()
        size = 1 + _size(item)
        total += size
        _refuse_size(total, what)
        _charge(_ITEM_COST + size)
        out.append(item)
    return out


def _checked(value: _T, what: str) -> _T:
    """``value`` if it is small enough (a generator is collected into a list first)."""
    if isinstance(value, Iterator) and not isinstance(value, str | bytes):
        return _collect(value, what)
    size = _size(value)
    _refuse_size(size, what)
    _charge(size if isinstance(value, str | bytes) else size + _cost(value))
    return value


def _cost(value: _T) -> int:
    """The work of walking ``value`` once (see :data:`MAX_TEMPLATE_WORK`), found without
    walking it: its characters, or :data:`_ITEM_COST` per item; 0 for other values."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, list | tuple | dict | set | frozenset | range):
        return _ITEM_COST * len(value)
    return 0


def _filtered(args: tuple[Any, ...]) -> _T:
    """The value a filter is applied to (after the context or environment some filters get)."""
    for arg in args:
        if not isinstance(arg, jinja2.Environment | jinja2.runtime.Context | nodes.EvalContext):
            return arg
    return None


def _int_bits(value: _T) -> int:
    return value.bit_length() if isinstance(value, int) else 0


# -- format strings ------------------------------------------------------------------------------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[A-Za-z%]")


def _width(text: str | None, what: str) -> int:
    if not text:
        return 0
    if text == "*" or len(text) > 9:
        raise TemplateLimit(f"{what}: a width or precision must be a number up to 999,999,999")
    return _count(int(text), f"{what}: the width or precision")


def _printf_size(fmt: str, args: _T) -> int:
    """The size ``fmt % args`` can reach (widths and precisions included)."""
    widths = sum(
        _width(m.group(1), "a % format") + _width(m.group(2), "a % format")
        for m in _PRINTF.finditer(fmt)
    )
    return len(fmt) + widths + _size(args)


def _check_braces(fmt: str) -> None:
    """Refuse a ``str.format`` string whose fields ask for more than the limit."""
    total = len(fmt)
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError as err:
        raise TemplateLimit(f"bad format string: {err}") from None
    for _text, _name, spec, _conversion in fields:
        if not spec:
            continue
        if "{" in spec:
            raise TemplateLimit("a format field may not take its width from another field")
        total += sum(_width(n, "a format field") for n in re.findall(r"\d+", spec))
    _refuse_size(total, "the formatted text")


# -- filters and methods that can make big values from small ones --------------------------------


def _join_size(value: _T, separator: _T) -> int:
    items = value if isinstance(value, list | tuple) else [value]
    return _size(items) + max(len(items) - 1, 0) * len(str(separator))


def _replace_size(text: _T, old: _T, new: _T, count: _T = None) -> int:
    text, old, new = str(text), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(len(new) - len(old), 0)


def _lines(text: _T) -> int:
    return str(text).count("\n") + 1


def _indent_size(a: dict[str, Any]) -> int:
    width = a.get("width", 4)
    per_line = _count(width, "the indent width") if isinstance(width, int) else len(str(width))
    return len(str(a["s"])) + _lines(a["s"]) * per_line


def _wordwrap_size(a: dict[str, Any]) -> int:
    n = len(str(a["s"]))
    width = max(1, _count(a.get("width", 79), "the wrap width"))
    return n + (n // width + _lines(a["s"])) * len(str(a.get("wrapstring") or "\n"))


#: (filter, estimate of the result's size from the bound arguments) for the filters whose
#: result can be much larger than their arguments
_FILTER_SIZES: dict[str, Callable[[dict[str, Any]], int]] = {
    "center": lambda a: max(len(str(a["value"])), _count(a.get("width", 80), "the width")),
    "indent": _indent_size,
    "wordwrap": _wordwrap_size,
    "replace": lambda a: _replace_size(a["s"], a["old"], a["new"], a.get("count")),
    "join": lambda a: _join_size(a["value"], a.get("d", "")),
    "batch": lambda a: _size(a["value"]) + _count(a["linecount"], "the batch size"),
    "slice": lambda a: _size(a["value"]) + _count(a["slices"], "the number of slices"),
    "format": lambda a: _printf_size(str(a["value"]), (a.get("args"), a.get("kwargs"))),
    "truncate": lambda a: len(str(a["s"])) + len(str(a.get("end", "..."))),
}


def _number_text(value: _T, what: str) -> None:
    if isinstance(value, str | bytes) and len(value) > MAX_NUMBER_TEXT:
        raise TemplateLimit(
            f"{what} of a text of {len(value):,} characters (at most {MAX_NUMBER_TEXT:,})"
        )


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with its arguments checked before and its result after it runs."""
    estimate = _FILTER_SIZES.get(name)
    bind = name in ("int", "float") or estimate is not None
    signature = inspect.signature(func) if bind else None

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _charge(_cost(_filtered(args)))
        if signature is not None:
            bound = signature.bind(*args, **kwargs)
            if name in ("int", "float"):
                _number_text(bound.arguments.get("value"), f"|{name}")
            if name == "join" and not isinstance(bound.arguments["value"], list | tuple | str):
                bound.arguments["value"] = _collect(iter(bound.arguments["value"]), "|join")
            if estimate is not None:
                _refuse_size(estimate(bound.arguments), f"the result of |{name}")
            args, kwargs = bound.args, bound.kwargs
        return _checked(func(*args, **kwargs), f"the result of |{name}")

    return guarded


#: methods of ``str`` whose result is about as long as the string or shorter
_SAFE_STR_METHODS = frozenset(
    [
        "capitalize",
        "casefold",
        "count",
        "encode",
        "decode",
        "endswith",
        "find",
        "index",
        "isalnum",
        "isalpha",
        "isascii",
        "isdecimal",
        "isdigit",
        "isidentifier",
        "islower",
        "isnumeric",
        "isprintable",
        "isspace",
        "istitle",
        "isupper",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "rfind",
        "rindex",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
        "hex",
    ]
)


def _check_str_method(text: str | bytes, name: str, args: tuple[Any, ...]) -> None:
    """Refuse a call of ``text.name(*args)`` that would make a huge string."""
    if name in _SAFE_STR_METHODS:
        return
    first = args[0] if args else 0
    if name in ("center", "ljust", "rjust", "zfill"):
        _count(first, f"the width of {name}()")
    elif name == "expandtabs":
        tab = text.count("\t") if isinstance(text, str) else text.count(b"\t")
        _refuse_size(len(text) + tab * _count(first if args else 8, "the tab size"), "expandtabs()")
    elif name == "replace" and len(args) >= 2:
        _refuse_size(
            _replace_size(text, args[0], args[1], args[2] if len(args) > 2 else None), "replace()"
        )
    elif name == "join" and args:
        items = args[0] if isinstance(args[0], list | tuple) else _collect(iter(args[0]), "join()")
        _refuse_size(_join_size(items, text), "join()")
    else:
        raise TemplateLimit(
            f"the method {type(text).__name__}.{name}() is not allowed in templates"
        )


# -- the environment ----------------------------------------------------------------------------


def _template_nesting() -> int:
    """How many templates are rendering inside each other (their ``root`` frames)."""
    depth = 0
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "root" and "__jinja_template__" in frame.f_globals:
            depth += 1
        frame = frame.f_back
    return depth


class _Guard(Extension):
    """The hooks the template code calls (through ``environment.extensions``, which no
    template can name): every ``for`` loop iterates through :meth:`iterate`, every ``~``
    goes through :meth:`concat`, the operands of comparisons and tests and every slice through
    :meth:`walked`."""

    def iterate(self, iterable: _T) -> Iterator[_T]:
        for item in iterable:
            _step()
            yield item

    def concat(self, *parts: _T) -> str:
        _refuse_size(sum(_size(part) for part in parts), "the joined text (~)")
        texts = [str(part) for part in parts]
        size = sum(map(len, texts))
        _refuse_size(size, "the joined text (~)")
        _charge(size)
        return "".join(texts)

    def walked(self, value: _T) -> _T:
        """``value``, charged as walked once (an operand of ``in`` or ``==``, a slice)."""
        _charge(_cost(value))
        return value


_GUARD = _Guard.identifier


class _Hooks(NodeTransformer):
    """Route loops, ``~``, comparisons, tests and slices through the :class:`_Guard`."""

    def _call(self, name: str, args: list[nodes.Expr], lineno: int) -> nodes.Call:
        hook = nodes.ExtensionAttribute(_GUARD, name, lineno=lineno)
        return nodes.Call(hook, args, [], None, None, lineno=lineno)

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        source = cast(nodes.Expr, node.iter)
        node.iter = self._call("iterate", [source], source.lineno or node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return self._call("concat", list(node.nodes), node.lineno)

    def _walked(self, node: nodes.Expr) -> nodes.Call:
        return self._call("walked", [node], node.lineno)

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        node.expr = self._walked(node.expr)
        for operand in node.ops:
            operand.expr = self._walked(operand.expr)
        return node

    def visit_Test(self, node: nodes.Test) -> nodes.Node:
        self.generic_visit(node)
        node.node = self._walked(node.node)
        node.args = [self._walked(arg) for arg in node.args]
        return node

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Node:
        self.generic_visit(node)  # (Jinja2 compiles slices to Python's, past getitem)
        return self._walked(node) if isinstance(node.arg, nodes.Slice) else node


def _source_line(source: str, position: int) -> int:
    return source.count("\n", 0, position) + 1


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, with the checks of this module."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        found = FORBIDDEN_TEX.search(source)
        if found is not None:
            raise jinja2.TemplateSyntaxError(
                f"{found.group(0)} is not allowed in templates (it can read files outside "
                "LaTeX's folder or build such commands)",
                _source_line(source, found.start()),
                name,
                filename,
            )
        digits = re.search(rf"\d{{{MAX_NUMBER_TEXT + 1}}}", source)
        if digits is not None:
            raise jinja2.TemplateSyntaxError(
                f"a number of more than {MAX_NUMBER_TEXT:,} digits",
                _source_line(source, digits.start()),
                name,
                filename,
            )
        tree = super()._parse(source, name, filename)
        tree = _Hooks().visit(tree)
        tree.set_environment(self)
        return tree

    def compile(
        self,
        source: str | nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        try:
            return cast(Any, super()).compile(source, name, filename, raw, defer_init)
        except RecursionError:
            raise _CompileLimit(
                "its expressions or blocks are nested too deeply to compile (parentheses, "
                "operators, filters or blocks inside each other)",
                name,
                filename,
            ) from None
        except SyntaxError as err:  # Python's, compiling the generated code
            raise _CompileLimit(
                f"its blocks are nested too deeply to compile ({err.msg})", name, filename
            ) from None

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: _T, right: _T) -> _T:
        if operator == "*":
            _charge(self._check_times(left, right))
        elif operator == "**":
            self._check_power(left, right)
        elif operator == "+" and not isinstance(left, int | float):
            size = _size(left) + _size(right)
            _refuse_size(size, "the sum (+)")
            _charge(size)
        elif operator == "%" and isinstance(left, str | bytes):
            size = _printf_size(str(left), right)
            _refuse_size(size, "the formatted text (%)")
            _charge(size)
        return self.binop_table[operator](left, right)

    @staticmethod
    def _check_times(left: _T, right: _T) -> int:
        """Refuse a product that is too large; the size of a repetition (0 for numbers)."""
        if isinstance(left, int) and isinstance(right, int):
            if _int_bits(left) + _int_bits(right) > MAX_TEMPLATE_INT_BITS:
                raise TemplateLimit(f"a product of more than {MAX_TEMPLATE_INT_BITS:,} bits")
            return 0
        for times, seq in ((left, right), (right, left)):
            if isinstance(times, int) and isinstance(seq, str | bytes | list | tuple):
                if times > MAX_TEMPLATE_VALUE:
                    raise TemplateLimit(f"repeating {times:,} times")
                size = _size(seq) * max(times, 0)
                _refuse_size(size, "the repetition (*)")
                return size
        return 0

    @staticmethod
    def _check_power(base: _T, exponent: _T) -> None:
        if (
            isinstance(base, int)
            and isinstance(exponent, int)
            and exponent > 0
            and abs(base) > 1
            and exponent * math.log2(abs(base)) > MAX_TEMPLATE_INT_BITS
        ):
            raise TemplateLimit(f"a power of more than {MAX_TEMPLATE_INT_BITS:,} bits")

    def concat(self, parts: _T) -> str:
        """The text of a captured block: ``<% set x %>``, ``<% filter %>``, a macro's body."""
        budget = _BUDGET.get()
        if budget is None:
            return "".join(parts)
        texts = parts if isinstance(parts, list) else list(parts)
        size = sum(map(len, texts))
        _refuse_size(size, "the text of a block (set, filter, macro or call)")
        budget.charge(size)
        return "".join(texts)

    def wrap_str_format(self, value: _T) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_braces(value.__self__)
        return wrapped

    def call(__self, __context: jinja2.runtime.Context, __obj: _T, *args: _T, **kwargs: _T) -> _T:
        if getattr(__obj, "__self__", None) is __self.extensions.get(_GUARD):
            return __obj(*args)  # (the code of a loop passes _loop_vars=..., not for us)
        if isinstance(__obj, types.BuiltinMethodType):
            if isinstance(__obj.__self__, str | bytes):
                _check_str_method(__obj.__self__, __obj.__name__, args)
            _charge(_cost(__obj.__self__))
        if isinstance(__obj, LoopContext) and args:  # a recursive loop: loop(children)
            args = (__self.extensions[_GUARD].iterate(args[0]), *args[1:])  # type: ignore[attr-defined]
        budget = _BUDGET.get()
        if budget is not None:
            if budget.calls >= MAX_TEMPLATE_CALLS:
                raise TemplateLimit(
                    f"more than {MAX_TEMPLATE_CALLS} macro calls (or recursive loops) inside each other"
                )
            budget.calls += 1
        try:
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            if budget is not None:
                budget.calls -= 1
        return _checked(result, "the result of a call")

    def get_template(
        self, name: Any, parent: str | None = None, globals: Any = None
    ) -> jinja2.Template:
        self._check_nesting()
        return super().get_template(name, parent, globals)

    def select_template(
        self, names: Any, parent: str | None = None, globals: Any = None
    ) -> jinja2.Template:
        self._check_nesting()
        return super().select_template(names, parent, globals)

    @staticmethod
    def _check_nesting() -> None:
        if _template_nesting() >= MAX_TEMPLATE_NESTING:
            raise TemplateLimit(
                f"templates included inside each other more than {MAX_TEMPLATE_NESTING} deep "
                "(does a template include or extend itself?)"
            )


# -- loading -------------------------------------------------------------------------------------


def _template_root() -> Any:
    """The shipped templates: the installed package, or ``templates/`` of a source checkout
    that was not installed (the package exists only through the install's mapping)."""
    try:
        return resources.files(TEMPLATES_PACKAGE)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "templates"


def _packaged(name: str) -> tuple[str, str, Callable[[], bool]] | None:
    """A shipped template's text and file name (``None`` when there is none by that name)."""
    try:
        parts = jinja2.loaders.split_template_path(name)
    except jinja2.TemplateNotFound:
        return None
    resource = _template_root().joinpath(*parts)
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8"), str(resource), lambda: True


def _text(data: bytes, shown: str) -> str:
    """A template file's bytes as text; binary or non-UTF-8 files are refused."""
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        raise RenderError(
            "is a binary file, not a template", file=shown, place=f"line {line}",
            hint="templates are UTF-8 text files",
        )  # fmt: skip
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise RenderError(
            f"is not UTF-8 text (byte {err.start + 1})", file=shown, place=f"line {line}",
            hint="save the template as UTF-8",
        ) from None  # fmt: skip


class _FolderLoader(jinja2.BaseLoader):
    """Templates from one folder: regular UTF-8 files of at most :data:`MAX_TEMPLATE_BYTES`
    whose real path lies inside the folder."""

    def __init__(self, root: str, shown: str) -> None:
        self.root = root  # resolved
        self.shown = shown  # as the user wrote it

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        parts = jinja2.loaders.split_template_path(template)
        path = os.path.join(self.root, *parts)
        shown = os.path.join(self.shown, *parts)
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        _tick()
        real = os.path.realpath(path)
        if os.path.commonpath([real, self.root]) != self.root:
            raise RenderError(
                f"is a symbolic link to a file outside the template folder {self.shown}",
                file=shown,
                hint="copy the file into the folder instead",
            )
        return self._read(real, shown)

    @staticmethod
    def _read(real: str, shown: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError as err:
            raise RenderError(f"cannot be read: {err.strerror}", file=shown) from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # (before fdopen, which refuses a folder itself)
            os.close(fd)
            raise RenderError("is not a regular file", file=shown)
        with os.fdopen(fd, "rb") as handle:
            if info.st_size > MAX_TEMPLATE_BYTES:
                raise RenderError(
                    f"is larger than {MAX_TEMPLATE_BYTES:,} bytes", file=shown,
                    hint="templates only lay out; split it or leave data out",
                )  # fmt: skip
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
        if len(data) > MAX_TEMPLATE_BYTES:
            raise RenderError(f"is larger than {MAX_TEMPLATE_BYTES:,} bytes", file=shown)
        budget = _BUDGET.get()
        if budget is not None:
            budget.source += len(data)
            if budget.source > MAX_TEMPLATE_SOURCE:
                raise RenderError(
                    f"would make the template files of one rendering larger than "
                    f"{MAX_TEMPLATE_SOURCE:,} bytes", file=shown,
                    hint="templates only lay out; include fewer or smaller files",
                )  # fmt: skip
        mtime = info.st_mtime_ns

        def uptodate() -> bool:
            try:
                return os.stat(real).st_mtime_ns == mtime
            except OSError:
                return False

        return _text(data, shown), real, uptodate


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str | None, shown: str | None) -> _Environment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(_FolderLoader(template_dir, shown or template_dir))
    loaders.append(jinja2.FunctionLoader(_packaged))
    env = _Environment(
        loader=jinja2.ChoiceLoader(loaders),
        extensions=[_Guard],
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tex"] = escape
    env.filters = {name: _guarded_filter(name, f) for name, f in env.filters.items()}
    env.globals.pop("lipsum", None)  # paragraphs of Latin on demand: nothing a derivation needs
    return env


def environment(template_dir: str | os.PathLike[str] | None = None) -> jinja2.Environment:
    """The sandboxed Jinja2 environment: ``template_dir`` (if given) first, then the shipped
    templates.  Raises :class:`~symresnet.base.errors.RenderError` if ``template_dir`` is not a folder."""
    if template_dir is None:
        return _environment(None, None)
    path = Path(template_dir)
    if not path.is_dir():
        raise RenderError(
            "is not a folder of templates", place="--template", file=str(template_dir)
        )
    return _environment(str(path.resolve()), str(template_dir))


# -- rendering and its errors --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Where:
    """How errors name templates: the user's folder as they wrote it, or the shipped ones."""

    root: str | None
    shown: str | None

    def file(self, filename: str | None, name: str) -> str:
        if filename and self.root and self.shown:
            real = os.path.realpath(filename)
            if os.path.commonpath([real, self.root]) == self.root:
                return os.path.join(self.shown, os.path.relpath(real, self.root))
        base = os.path.basename(filename) if filename and filename != "<unknown>" else name
        return f"{base} (shipped with symresnet)"

    def located(self, err: BaseException, name: str, top: str | None) -> tuple[str, str]:
        """(file, place) of the innermost template frame of ``err``'s traceback; without one,
        the template ``name`` (whose file is ``top``, if it was loaded)."""
        if isinstance(err, _CompileLimit):
            return self.file(err.filename, err.name or name), ""
        if isinstance(err, jinja2.TemplateSyntaxError):
            return self.file(err.filename, err.name or name), f"line {err.lineno}"
        found: tuple[str, int] | None = None
        tb = err.__traceback__
        while tb is not None:
            if "__jinja_exception__" in tb.tb_frame.f_globals:
                found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
            tb = tb.tb_next
        if found is None:
            return self.file(top, name), ""
        return self.file(found[0], name), f"line {found[1]}"


def _message(err: BaseException) -> str:
    if isinstance(err, jinja2.TemplateNotFound):
        return f"template {err.name} not found"
    if isinstance(err, jinja2.TemplateSyntaxError):
        return f"template syntax error: {err.message}"
    if isinstance(err, TemplateLimit):
        return f"template stopped: {err}"
    if isinstance(err, jinja2.UndefinedError):
        return f"undefined in the template: {err.message}"
    if isinstance(err, jinja2.exceptions.SecurityError):
        return f"the template is not allowed to do that: {err}"
    if isinstance(err, RecursionError):
        return (
            "templates nested too deeply (a recursive macro, or a template that includes itself?)"
        )
    if isinstance(err, MemoryError):
        return "the template needs more memory than there is"
    if isinstance(err, OverflowError) and "MAX_RANGE" in str(err):
        return "template stopped: a range of more than 100,000 numbers"
    return f"template error: {type(err).__name__}: {err}"


def _fail(err: BaseException, name: str, where: _Where, top: str | None) -> NoReturn:
    file, place = where.located(err, name, top)
    message = _message(err)
    if isinstance(err, jinja2.TemplateNotFound) and where.shown:
        message += f" in {where.shown} or among the shipped templates"
    raise RenderError(message, file=file, place=place) from None


def _scan_output(text: str, where: _Where, name: str) -> None:
    """The second look: LaTeX a template built at run time (``<< "\\pdf" ~ "obj" >>``)."""
    found = FORBIDDEN_TEX.search(text)
    if found is not None:
        raise RenderError(
            f"the rendered LaTeX uses {found.group(0)} (output line "
            f"{_source_line(text, found.start())}), which templates may not write: it can read "
            "files outside LaTeX's folder or build such commands",
            file=where.file(None, name) if where.shown is None else where.shown,
        )


def _render(template: jinja2.Template, context: dict[str, Any]) -> str:
    budget = _BUDGET.get()
    assert budget is not None
    chunks: list[str] = []
    for chunk in template.generate(**context):
        budget.output += len(chunk)
        if budget.output > MAX_TEMPLATE_OUTPUT:
            raise TemplateLimit(f"more than {MAX_TEMPLATE_OUTPUT:,} characters of output")
        chunks.append(chunk)
    return "".join(chunks)


def render_template(name: str, options: RenderOptions, **context: Any) -> str:
    """The template ``name`` rendered with ``context`` and ``options`` (as
    :class:`TemplateOptions`); a template's errors raise
    :class:`~symresnet.base.errors.RenderError` naming the template file and line."""
    env = environment(options.template_dir)
    shown = None if options.template_dir is None else str(options.template_dir)
    where = _Where(None if shown is None else str(Path(shown).resolve()), shown)
    token = _BUDGET.set(_Budget(None if shown is None else MAX_TEMPLATE_SECONDS))
    template: jinja2.Template | None = None
    try:
        template = env.get_template(name)
        text = _render(template, {"options": TemplateOptions.of(options), **context})
    except (InputError, InternalError):
        raise
    except Exception as err:
        _fail(err, name, where, None if template is None else template.filename)
    finally:
        with contextlib.suppress(ValueError):
            _BUDGET.reset(token)
    if shown is not None:
        _scan_output(text, where, name)
    return text
