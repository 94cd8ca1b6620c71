"""What the commands of the command line share: exit statuses, parsing, output, LaTeX files.

Nothing here knows a particular command: :mod:`symresnet.cli.main` dispatches, one module per
command (``info``, ``evaluate``, ``check``, ``demo``, ``derive``, ``fmt``, ``regions``,
``study``) registers its options with :func:`add_command` and uses the helpers below.

Every file is written atomically (:func:`symresnet.base.files.write_atomic`).  A ``.tex`` file is
always written before its PDF is compiled, so a failed compilation leaves the LaTeX to look
at, with LaTeX's log next to it (``FILE.log``) and named in the error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import sympy

from symresnet.base.errors import InputError, LimitError, ParseError
from symresnet.base.files import write_atomic
from symresnet.claims.spec import Spec
from symresnet.claims.verdict import Outcome
from symresnet.compute.realization import Trace
from symresnet.present import compile as latex
from symresnet.present.render import RenderOptions, document, fragment
from symresnet.values.names import check_name

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "EXIT_BUG",
    "EXIT_FALSE",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_PIPE",
    "PROGRESS_AFTER",
    "VALUE_OPTIONS",
    "Parser",
    "UsageError",
    "add_command",
    "add_render_arguments",
    "join_value_options",
    "parse_point",
    "print_json",
    "progress_printer",
    "render_options",
    "split_point",
    "time_limit",
    "write_file",
    "write_files",
    "write_outputs",
]

# -- exit statuses and limits ---------------------------------------------------------------

EXIT_OK, EXIT_FALSE, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3
#: standard output was closed by the reader (``symresnet ... | head``): 128 + SIGPIPE
EXIT_PIPE = 141
#: seconds a command may run before it gives up (``--time-limit``; docs/security.md)
DEFAULT_TIME_LIMIT = 600.0
#: seconds after which progress lines appear on stderr without --progress
PROGRESS_AFTER = 2.0


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise LimitError in the main thread after ``seconds`` (0 or less: no limit).

    The last guard against inputs whose exact evaluation is slow for reasons no size limit
    sees (sympy deciding signs of deeply nested saturated functions).  It uses SIGALRM, so it
    acts only in the main thread of a POSIX process; elsewhere it does nothing.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not usable:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise LimitError(
            f"gave up after {seconds:g} seconds (--time-limit): the exact computation for "
            "this input takes too long",
            hint="use fewer layers or smaller weights, or raise --time-limit",
        )

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- parsing the command line ---------------------------------------------------------------

#: options whose values may start with "-" (negative numbers): joined as --opt=value before parsing
VALUE_OPTIONS = (
    "--at",
    "--box",
    "--param",
    "--forall",
    "--exists",
    "--equals",
    "--at-least",
    "--at-most",
    "--greater",
    "--less",
)


class UsageError(Exception):
    """A command line argparse rejects: the message is printed as is, the exit status is 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser that raises :class:`UsageError` instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def join_value_options(argv: Sequence[str]) -> list[str]:
    """``--at -1/2`` -> ``--at=-1/2`` so that argparse does not take ``-1/2`` for an option."""
    out: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg in VALUE_OPTIONS:
            value = next(it, None)
            out.append(arg if value is None else f"{arg}={value}")
        else:
            out.append(arg)
    return out


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    func: Callable[[argparse.Namespace], int],
    help: str,
) -> argparse.ArgumentParser:
    """Register the command ``name`` (run by ``func``); returns its parser for its options."""
    p = subparsers.add_parser(name, help=help, description=help)
    p.set_defaults(func=func)
    return p


def split_point(text: str) -> list[str]:
    """Split ``"1/2, 3"`` at top-level commas (commas inside parentheses stay)."""
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in text:
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts]


def parse_point(
    text: str, names: dict[str, sympy.Symbol], *, option: str = "--at"
) -> tuple[list[str], dict[str, sympy.Symbol]]:
    """Entries of ``--at``; a bare identifier not declared yet becomes a new input symbol."""
    entries = split_point(text)
    names = dict(names)
    for e in entries:
        if e.isidentifier() and e not in names:
            try:
                check_name(e)
            except ParseError as err:
                raise err.located(prefix=option) from None
            names[e] = sympy.Symbol(e, real=True)
    return entries, names


# -- deciding and printing ------------------------------------------------------------------


def print_json(obj: dict[str, Any]) -> None:
    """Print ``obj`` as one indented JSON object, with ``"schema": 1`` first."""
    print(json.dumps({"schema": 1, **obj}, indent=2))


def progress_printer(*, always: bool = False) -> Callable[[str], None]:
    """A progress callback writing ``symresnet: layer 2/3: 1234 regions`` to stderr, from the
    start with ``always``, else once the enumeration has run for :data:`PROGRESS_AFTER` s."""
    start = time.monotonic()

    def report(message: str) -> None:
        if always or time.monotonic() - start > PROGRESS_AFTER:
            print(f"symresnet: {message}", file=sys.stderr, flush=True)

    return report


# -- LaTeX and PDF files --------------------------------------------------------------------


def add_render_arguments(p: argparse.ArgumentParser) -> None:
    """The notation options shared by ``derive`` and ``check --tex``."""
    p.add_argument(
        "--template", metavar="DIR", help="a folder of one's own templates (docs/derivations.md)"
    )
    p.add_argument(
        "--first-equation", metavar="N", help='number the equations from N, e.g. "1.151"'
    )
    p.add_argument("--max-columns", type=int, metavar="N", help="elide wider matrices (default 8)")
    p.add_argument("--max-rows", type=int, metavar="N", help="elide taller matrices (default 8)")
    p.add_argument(
        "--inline", action="store_true", help="inline formulas instead of displayed equations"
    )
    p.add_argument("--plain-m", action="store_true", help=r"write M instead of \mathfrak{M}")
    p.add_argument(
        "--activation-symbol",
        metavar="SYM",
        help=r"write the activation as SYM: sigma, \sigma, \mathfrak{s}",
    )


def render_options(args: argparse.Namespace) -> RenderOptions:
    """:class:`RenderOptions` from the command line's notation options."""
    changes: dict[str, object] = {
        "template_dir": args.template,
        "first_equation": args.first_equation,
        "display": not args.inline,
        "fraktur": not args.plain_m,
        "activation_symbol": args.activation_symbol,
    }
    if args.max_columns is not None:
        changes["max_columns"] = args.max_columns
    if args.max_rows is not None:
        changes["max_rows"] = args.max_rows
    return RenderOptions(**changes)  # type: ignore[arg-type]


def write_file(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically; a failure is an :class:`InputError` naming it."""
    try:
        write_atomic(path, data)
    except OSError as err:
        raise InputError(f"cannot write the file: {err.strerror}", file=str(path)) from None


def _pdf_path(tex: Path | None, source: str) -> Path:
    if tex is not None:
        return tex.with_suffix(".pdf")
    stem = Path(source).stem if source not in ("-", "<stdin>", "<spec>") else "derivation"
    return Path(f"{stem}.pdf")


def write_outputs(
    items: Sequence[Trace | Outcome],
    *,
    title: str | None,
    tex: str | None,
    pdf: bool,
    source: str,
    options: RenderOptions,
    as_fragment: bool = False,
) -> list[Path]:
    """Write the derivations of ``items`` to ``tex`` and, with ``pdf``, compile them next to it
    (or to ``<spec>.pdf`` without ``tex``).  Returns the paths written."""
    tex_path = None if tex is None else Path(tex)
    if tex_path is not None and tex_path.suffix.lower() == ".pdf":
        raise InputError("names the .tex file; add --pdf for the PDF", place="-o/--tex", file=tex)
    if as_fragment and pdf:
        raise InputError(
            "--fragment has no preamble, so it cannot be compiled: drop --pdf or --fragment"
        )
    render = fragment if as_fragment else document
    text = render(list(items), title=title, options=options)
    written = []
    if tex_path is not None:
        write_file(tex_path, text)
        written.append(tex_path)
    if pdf:
        pdf_path = _pdf_path(tex_path, source)
        full = text if not as_fragment else document(list(items), title=title, options=options)
        latex.write_pdf(full, pdf_path)
        written.append(pdf_path)
    return written


def write_files(
    args: argparse.Namespace,
    spec: Spec,
    items: Sequence[Trace | Outcome],
    *,
    tex: str | None,
    report: Callable[[Path], object],
) -> None:
    """:func:`write_outputs` with the command line's options; ``report`` each path written."""
    for path in write_outputs(
        items,
        title=spec.title,
        tex=tex,
        pdf=args.pdf,
        source=spec.source,
        options=render_options(args),
        as_fragment=getattr(args, "fragment", False),
    ):
        report(path)
