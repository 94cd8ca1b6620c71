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
import math
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import sympy

from symresnet.base.errors import InputError, LimitError, ParseError, RenderError
from symresnet.base.files import Named, check_outputs, write_atomic
from symresnet.claims.spec import Spec
from symresnet.claims.verdict import Outcome
from symresnet.compute.realization import Trace
from symresnet.explain.tree import DerivationOptions
from symresnet.present import compile as latex
from symresnet.present.render import RenderOptions, document, fragment
from symresnet.values.limits import DEFAULT_LIMITS, Guard, quote
from symresnet.values.names import check_name

try:
    import resource
except ImportError:  # not POSIX: --memory-limit does nothing
    resource = None  # type: ignore[assignment]

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
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
    "check_latex_outputs",
    "check_name_count",
    "data_mib",
    "float_option",
    "int_option",
    "join_value_options",
    "megabytes_option",
    "memory_limit",
    "out_of_memory_message",
    "parse_point",
    "print_json",
    "progress_printer",
    "render_options",
    "seconds_option",
    "spec_input",
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
#: the largest --time-limit (seconds; about 11.6 days)
MAX_TIME_LIMIT = 1_000_000
#: MiB a command may use (``--memory-limit``; docs/security.md): ``Limits.max_memory_mb``
DEFAULT_MEMORY_LIMIT = DEFAULT_LIMITS.max_memory_mb
#: the largest --memory-limit (MiB; 1 TiB)
MAX_MEMORY_LIMIT = 1 << 20
#: MiB the default memory limit leaves at least above what the process holds when it starts
#: (numpy's OpenBLAS reserves some 40 MiB per core: 2.6 GiB on a machine of 64 cores)
DEFAULT_MEMORY_HEADROOM = 2_048
#: MiB an explicit --memory-limit must leave above what the process holds when it starts
MIN_MEMORY_HEADROOM = 64
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


def data_mib() -> int | None:
    """MiB of this process's data segment (``VmData``: heap and private writable mappings,
    what ``RLIMIT_DATA`` counts), or ``None`` where ``/proc`` does not tell."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _mib(limit: int) -> int | None:
    """An rlimit in MiB, ``None`` for no limit."""
    return None if limit == resource.RLIM_INFINITY or limit < 0 else limit >> 20


def _memory_cap(megabytes: int, *, default: bool) -> int:
    """The cap (MiB) ``memory_limit`` sets for ``--memory-limit megabytes``."""
    used = data_mib()
    if used is None:
        return megabytes
    if default:  # the default must never break a normal run, however many cores numpy saw
        return max(megabytes, used + DEFAULT_MEMORY_HEADROOM)
    if megabytes < used + MIN_MEMORY_HEADROOM:
        raise LimitError(
            f"{megabytes} MiB is less than symresnet needs to start here (it holds "
            f"{used} MiB already): give at least {used + MIN_MEMORY_HEADROOM}, or 0 for no limit",
            place="--memory-limit",
        )
    return megabytes


@contextlib.contextmanager
def memory_limit(megabytes: int, *, default: bool = False) -> Iterator[int | None]:
    """Cap the memory of this process at ``megabytes`` MiB while the block runs (0: no cap);
    yields the cap in force in MiB (``None``: none), for the message of a ``MemoryError``.

    The cap is the soft ``RLIMIT_DATA`` (heap and private writable mappings; unlike
    ``RLIMIT_AS`` it ignores address space that is only reserved, such as shared libraries and
    malloc's per-thread arenas), never above an existing hard or soft limit, restored after
    the block.  Worker processes inherit it through ``fork``, each for itself.  Past it,
    allocations fail and Python raises ``MemoryError``.  With ``default`` (no
    ``--memory-limit`` given) the cap is raised to leave :data:`DEFAULT_MEMORY_HEADROOM` MiB
    above what the process holds already; an explicit cap below what it holds plus
    :data:`MIN_MEMORY_HEADROOM` is refused.  Without ``resource`` (not POSIX) nothing is capped.
    """
    if resource is None:
        yield None
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    outer = [m for m in (_mib(soft), _mib(hard)) if m is not None]
    outer += [m for m in (_mib(resource.getrlimit(resource.RLIMIT_AS)[0]),) if m is not None]
    if megabytes <= 0:
        yield min(outer, default=None)
        return
    cap = min([_memory_cap(megabytes, default=default), *outer])
    resource.setrlimit(resource.RLIMIT_DATA, (cap << 20, hard))  # cap <= soft, hard: see outer
    try:
        yield cap
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def out_of_memory_message(cap: int | None, command: str, spec: str | None) -> str:
    """The line printed when a command ran out of memory (made before the command runs)."""
    where = f"running {command}" + ("" if spec is None else f" on {spec}")
    if cap is None:
        return (
            f"symresnet: error: out of memory while {where}: simplify the input, or set "
            "--memory-limit below the memory of this machine\n"
        )
    return (
        f"symresnet: error: out of memory: the memory limit of {cap} MiB was reached while "
        f"{where}; raise it with --memory-limit or simplify the input\n"
    )


# -- option values: every number a user types ------------------------------------------------

_INTEGER = re.compile(r"[+-]?[0-9]{1,30}", re.ASCII)
_DECIMAL = re.compile(
    r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,4})?", re.ASCII
)


def int_option(*, minimum: int, maximum: int, what: str = "number", zero: str = ""):
    """An argparse ``type``: ASCII digits only (``int()`` reads ``"৪"`` and fails on ``"²"``),
    ``minimum <= value <= maximum`` (or ``0`` when ``zero`` says what it means)."""
    allowed = (f"0 ({zero}) or " if zero else "") + f"a whole number from {minimum} to {maximum}"

    def parse(text: str) -> int:
        value = int(text) if _INTEGER.fullmatch(text.strip()) else None
        if value is None or not (minimum <= value <= maximum or (zero and value == 0)):
            raise argparse.ArgumentTypeError(f"{quote(text)} is not a valid {what}: give {allowed}")
        return value

    parse.__name__ = what  # argparse names the type in some messages
    return parse


def float_option(*, maximum: float, what: str, zero: str = ""):
    """An argparse ``type``: a finite decimal number (ASCII, no ``nan``/``inf``),
    ``0 < value <= maximum``, or ``0`` when ``zero`` says what it means."""
    top = int(maximum) if maximum == int(maximum) else maximum
    allowed = (f"0 ({zero}) or " if zero else "") + f"a number up to {top}"

    def parse(text: str) -> float:
        value = float(text) if _DECIMAL.fullmatch(text.strip()) else math.nan
        ok = 0 < value <= maximum or (zero and value == 0)
        if not ok:
            raise argparse.ArgumentTypeError(f"{quote(text)} is not a valid {what}: give {allowed}")
        return value

    parse.__name__ = what
    return parse


#: ``--time-limit SECONDS``
seconds_option = float_option(maximum=MAX_TIME_LIMIT, what="number of seconds", zero="no limit")
#: ``--memory-limit MB``
megabytes_option = int_option(
    minimum=1, maximum=MAX_MEMORY_LIMIT, what="number of MiB", zero="no limit"
)


def check_name_count(count: int, *, option: str) -> None:
    """Refuse more than ``Limits.max_names`` names in one computation, naming ``option``."""
    try:
        Guard(DEFAULT_LIMITS).names(count, "names (parameters and input symbols)")
    except InputError as err:
        raise err.located(prefix=option) from None


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
        command = self.prog.partition(" ")[2]
        where = f" (see symresnet {command} --help)" if command else ""
        raise UsageError(f"symresnet: error: {' '.join(message.split())}{where}")


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
            check_name_count(len(names), option=option)
    return entries, names


# -- deciding and printing ------------------------------------------------------------------


def print_json(obj: dict[str, Any]) -> None:
    """Print ``obj`` as one indented JSON object, with ``"schema": 1`` first."""
    print(json.dumps({"schema": 1, **obj}, indent=2))


def progress_printer(*, always: bool = False) -> Callable[[str], None]:
    """A progress callback writing ``symresnet: layer 2/3: 1234 regions`` to stderr, from the
    start with ``always`` (``--progress``), else only when stderr is a terminal and once the
    enumeration has run for :data:`PROGRESS_AFTER` s (a log file or a pipe gets no progress
    lines unless asked for)."""
    start = time.monotonic()

    def report(message: str) -> None:
        if always or (
            time.monotonic() - start > PROGRESS_AFTER
            and bool(getattr(sys.stderr, "isatty", lambda: False)())
        ):
            print(f"symresnet: {message}", file=sys.stderr, flush=True)

    return report


# -- LaTeX and PDF files --------------------------------------------------------------------


#: ``--max-columns`` / ``--max-rows``: the range RenderOptions accepts
_SIZE = int_option(minimum=3, maximum=1000, what="number of rows or columns")


def add_render_arguments(p: argparse.ArgumentParser) -> None:
    """The notation options shared by ``derive`` and ``check --tex``."""
    p.add_argument(
        "--template", metavar="DIR", help="a folder of one's own templates (docs/derivations.md)"
    )
    p.add_argument(
        "--first-equation", metavar="N", help='number the equations from N, e.g. "1.151"'
    )
    p.add_argument(
        "--max-columns", type=_SIZE, metavar="N", help="elide wider matrices (default 8)"
    )
    p.add_argument("--max-rows", type=_SIZE, metavar="N", help="elide taller matrices (default 8)")
    p.add_argument(
        "--inline", action="store_true", help="inline formulas instead of displayed equations"
    )
    p.add_argument("--plain-m", action="store_true", help=r"write M instead of \mathfrak{M}")
    p.add_argument(
        "--activation-symbol",
        metavar="SYM",
        help=r"write the activation as SYM: a name, a Greek letter or a font command around "
        r"letters, e.g. sigma, \sigma, \mathfrak{s} (docs/derivations.md)",
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
    if getattr(args, "piece", None) is not None or getattr(args, "plot", False):
        # derive --at x --piece N --plot
        changes["derivation"] = DerivationOptions(
            piece=getattr(args, "piece", None),
            plot=getattr(args, "plot", False),
            region=getattr(args, "region", None),
        )
    elif getattr(args, "region", None) is not None:  # derive --region N: a box proof's region
        changes["derivation"] = DerivationOptions(region=args.region)
    try:
        return RenderOptions(**changes)  # type: ignore[arg-type]
    except RenderError as err:  # name the option, not the field of RenderOptions
        option = "--" + (err.place or "").replace("_", "-")
        if err.place in changes and option in _RENDER_FLAGS:
            err.place = option
        raise


#: the command-line options that set a RenderOptions field of the same name
_RENDER_FLAGS = ("--first-equation", "--activation-symbol", "--max-columns", "--max-rows")


def write_file(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically; a failure is an :class:`InputError` naming it."""
    try:
        write_atomic(path, data)
    except OSError as err:
        raise InputError(f"cannot write the file: {err.strerror}", file=str(path)) from None


def spec_input(spec: str) -> Named:
    """The spec file as an input of the command (standard input ``-`` is no file)."""
    return ("the spec", None if spec == "-" else spec)


def check_latex_outputs(spec: str, *, tex: str | None, pdf: bool, option: str) -> None:
    """Before the work: refuse a ``tex`` (given as ``option``), its PDF or LaTeX's log of a
    failed ``--pdf`` (``FILE.log`` next to the PDF) that is a link, not a regular file, the
    spec itself, or the same file as another of them (:func:`check_outputs`)."""
    tex_path = None if tex is None else Path(tex)
    pdf_path = _pdf_path(tex_path, spec) if pdf else None
    log_path = None if pdf_path is None else pdf_path.with_suffix(".log")
    check_outputs(
        [
            (f"the LaTeX file ({option})", tex),  # as given: errors name it so
            ("the PDF (--pdf)", pdf_path),
            ("LaTeX's log of a failed --pdf", log_path),
        ],
        inputs=[spec_input(spec)],
    )


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
    figure: str | None = None,
) -> list[Path]:
    """Write the derivations of ``items`` to ``tex`` and, with ``pdf``, compile them next to it
    (or to ``<spec>.pdf`` without ``tex``); ``figure`` (a ``tikzpicture``) goes into the first
    derivation.  Returns the paths written."""
    tex_path = None if tex is None else Path(tex)
    if tex_path is not None and tex_path.suffix.lower() == ".pdf":
        raise InputError("names the .tex file; add --pdf for the PDF", place="-o/--tex", file=tex)
    if as_fragment and pdf:
        raise InputError(
            "--fragment has no preamble, so it cannot be compiled: drop --pdf or --fragment"
        )
    render = fragment if as_fragment else document
    text = render(list(items), title=title, options=options, figure=figure)
    written = []
    if tex_path is not None:
        write_file(tex_path, text)
        written.append(tex_path)
    if pdf:
        pdf_path = _pdf_path(tex_path, source)
        full = (
            text
            if not as_fragment
            else document(list(items), title=title, options=options, figure=figure)
        )
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
    figure: str | None = None,
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
        figure=figure,
    ):
        report(path)
