"""The ``symresnet`` command line (DESIGN.md, "The command line").

Exit status: 0 success (``check``: every claim holds); 1 some claim is false, depends on the
parameters or is undecided; 2 bad input or usage (one line on stderr); 3 an internal error
(a bug: ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

import sympy

from symresnet import __version__
from symresnet.base.errors import (
    ClaimError,
    CompileError,
    InputError,
    LimitError,
    ParseError,
    SymresnetError,
)
from symresnet.values.exact import check_name

EXIT_OK, EXIT_FALSE, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3
#: standard output was closed by the reader (``symresnet ... | head``): 128 + SIGPIPE
EXIT_PIPE = 141
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


#: seconds a command may run before it gives up (``--time-limit``; docs/security.md)
DEFAULT_TIME_LIMIT = 600.0


class _UsageError(Exception):
    pass


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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message}")


def _join_value_options(argv: Sequence[str]) -> list[str]:
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


def split_point(text: str) -> list[str]:
    """Split ``"1/2, 3"`` at top-level commas (commas inside parentheses stay)."""
    parts, depth, cur = [], 0, []
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
) -> tuple[list[str], dict]:
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


# -- commands -------------------------------------------------------------------------------


def _print_json(obj: dict[str, Any]) -> None:
    print(json.dumps({"schema": 1, **obj}, indent=2))


def cmd_info(args: argparse.Namespace) -> int:
    from symresnet.present.json_objects import info_json
    from symresnet.io.spec import load_spec

    spec = load_spec(args.spec)
    data = info_json(spec)
    if args.json:
        _print_json(data)
        return EXIT_OK
    net = spec.network
    skips = ", ".join(f"({r}, {k})" for r, k in net.skips) or "none (a plain ANN, Lemma 1.5.3)"
    lines = [
        f"title:           {spec.title or '-'}",
        f"L:               {net.L}",
        f"dims:            {tuple(net.dims)}",
        f"skips S:         {skips}",
        f"parameter count: {net.parameter_count}",
        f"activation:      {net.activation.text}",
        f"parameters:      {', '.join(spec.parameters) or 'none'}",
        f"claims:          {len(spec.claims)}",
    ]
    print("\n".join(lines))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from symresnet.present.json_objects import trace_json
    from symresnet.compute.realization import as_input, realize
    from symresnet.io.spec import load_spec
    from symresnet.present.text import format_trace

    spec = load_spec(args.spec)
    if args.points is not None:  # many inputs at once (symresnet.io.points)
        from symresnet.io.points import eval_points

        return eval_points(spec, args)
    entries, names = parse_point(args.at, spec.names)
    x = as_input(entries, spec.network.dims[0], names=names, place="--at")
    trace = realize(spec.network, x, names=names)
    pieces = None
    if trace.free_symbols:  # symbolic: the exact pieces too (symresnet.compute.pieces)
        from symresnet.compute.pieces import realization_pieces

        pieces = realization_pieces(spec.network, trace.input, bounds=spec.parameters)
    if args.json:
        from symresnet.present.study_text import pieces_json

        _print_json({**trace_json(trace), **(pieces_json(pieces) if pieces else {})})
    else:
        print(format_trace(trace, title=spec.title))
        if pieces is not None:
            from symresnet.present.study_text import format_pieces

            print(format_pieces(pieces))
    return EXIT_OK


def _verdicts(spec, *, progress: bool = False) -> list:
    from symresnet.claims.point import decide
    from symresnet.compute.realization import realize

    if not spec.claims:
        raise ClaimError("the spec has no [[claims]] to check", file=spec.source, place="claims")
    from symresnet.claims.box import BoxClaim, decide_box
    from symresnet.cli.regions import progress_printer

    return [
        decide_box(c, spec.network, progress=progress_printer(always=progress))
        if isinstance(c, BoxClaim)
        else decide(c, realize(spec.network, c.input), bounds=spec.parameters)
        for c in spec.claims
    ]


def cmd_check(args: argparse.Namespace) -> int:
    from symresnet.present.json_objects import verdict_json
    from symresnet.io.spec import load_spec
    from symresnet.present.text import format_verdict

    spec = load_spec(args.spec)
    if args.forall is not None or args.exists is not None:  # a claim given on the command line
        from symresnet.cli.regions import with_claim_from_options

        spec = with_claim_from_options(spec, args)
    verdicts = _verdicts(spec, progress=args.progress)
    if args.json:
        _print_json({"claims": [verdict_json(v) for v in verdicts]})
    else:
        print("\n\n".join(format_verdict(v, title=spec.title) for v in verdicts))
    if args.tex is not None or args.pdf:  # the derivation of every claim (symresnet.cli.derive)
        from symresnet.cli.derive import write_files

        write_files(
            args,
            spec,
            verdicts,
            tex=args.tex,
            report=lambda p: print(f"symresnet: wrote {p}", file=sys.stderr),
        )
    return EXIT_OK if all(v.holds is True for v in verdicts) else EXIT_FALSE


def cmd_demo(args: argparse.Namespace) -> int:
    from symresnet.examples import EXAMPLES, example_text
    from symresnet.io.spec import loads_spec
    from symresnet.present.text import format_verdict

    print(f"symresnet {__version__}: the book's Example 1.5.6 and Exercise 1.5.1, exactly.\n")
    for name, filename in EXAMPLES.items():
        spec = loads_spec(example_text(name), format="toml", source=filename)
        for verdict in _verdicts(spec):
            print(format_verdict(verdict, title=spec.title))
            print()
    from symresnet.cli.derive import write_demo  # the two derivations as LaTeX (and PDF)

    for line in write_demo(args.out):
        print(line)
    return EXIT_OK


def cmd_derive(args: argparse.Namespace) -> int:
    from symresnet.cli.derive import cmd_derive as derive

    return derive(args)


def cmd_fmt(args: argparse.Namespace) -> int:
    """Write the spec back in the canonical TOML (or JSON) form; ``-o FILE`` writes atomically."""
    from symresnet.io.dump import dump, dump_spec
    from symresnet.io.spec import load_spec

    spec = load_spec(args.spec)
    if args.output:
        dump_spec(spec, args.output, format="json" if args.json else None)
    else:
        sys.stdout.write(dump(spec, format="json" if args.json else "toml"))
    return EXIT_OK


# -- wiring ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="symresnet",
        description="Exact computation with the fully-connected ResNets of Def. 1.5.1-1.5.4.",
    )
    parser.add_argument("--version", action="version", version=f"symresnet {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=f"give up after SECONDS (default {DEFAULT_TIME_LIMIT:g}; 0: no limit)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = command("demo", cmd_demo, "run the book's Example 1.5.6 and Exercise 1.5.1")
    p.add_argument(
        "--out", metavar="DIR", default="symresnet-demo", help="folder for the derivations"
    )

    p = command("check", cmd_check, "decide every claim of a spec (exit 1 if one fails)")
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml or .json; - for stdin)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--tex", metavar="FILE", help="write the derivation of every claim (LaTeX)")
    p.add_argument("--pdf", action="store_true", help="compile it to PDF (FILE.pdf)")
    from symresnet.cli.derive import add_render_arguments

    add_render_arguments(p)
    from symresnet.cli.regions import add_claim_arguments, add_regions_command

    add_claim_arguments(p)

    p = command("derive", cmd_derive, "the worked solution of every claim (or at X) in LaTeX/PDF")
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml or .json; - for stdin)")
    p.add_argument("--at", metavar="X", help="derive the evaluation at X instead of the claims")
    p.add_argument("-o", "--output", metavar="FILE.tex", help="write the LaTeX to FILE.tex")
    p.add_argument("--pdf", action="store_true", help="compile to PDF (FILE.pdf, or SPEC.pdf)")
    p.add_argument("--fragment", action="store_true", help="LaTeX without preamble, for \\input")
    add_render_arguments(p)

    p = command("eval", cmd_eval, "evaluate the realization at a point, layer by layer")
    p.add_argument("spec", metavar="SPEC")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--at", metavar="X", help='the input x_0, e.g. "-1" or "1/2, 3"')
    where.add_argument(
        "--points",
        metavar="FILE",
        help="a CSV or JSON-lines file of inputs (- for stdin): one output row per input row",
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--format", choices=("csv", "jsonl"), help="format of the --points file")
    p.add_argument("-o", "--output", metavar="FILE", help="write --points results to FILE")
    p.add_argument("--workers", type=int, metavar="N", help="processes for --points")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, tcp://host:8786")
    p.add_argument("--progress", action="store_true", help="show progress on stderr")

    add_regions_command(command)
    from symresnet.cli.study import add_study_command

    add_study_command(command)

    p = command("fmt", cmd_fmt, "write a spec back in the canonical TOML (or JSON) form")
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml or .json; - for stdin)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    p.add_argument("--json", action="store_true", help="JSON instead of TOML")

    p = command("info", cmd_info, "L, dims, skips, parameter count, activation, parameters")
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    spec_file = None  # the spec being worked on: named in errors found while computing
    sys.set_int_max_str_digits(0)  # exact outputs of deep networks exceed 4,300 digits
    try:
        args = build_parser().parse_args(_join_value_options(argv))
        if not getattr(args, "command", None):
            raise _UsageError(
                "symresnet: choose a command: demo, check, derive, eval, regions, study, info (see --help)"
            )
        spec_file = getattr(args, "spec", None)
        with time_limit(args.time_limit):
            code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handlers below
        return code
    except _UsageError as err:
        print(str(err), file=sys.stderr)
        return EXIT_INPUT
    except InputError as err:
        if spec_file and err.file is None and not err.place.startswith("-"):
            err = err.located(file="<stdin>" if spec_file == "-" else str(spec_file))
        print(f"symresnet: error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except CompileError as err:  # no LaTeX engine, or LaTeX failed: not a bug in symresnet
        print(f"symresnet: error: {' '.join(str(err).split())}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("symresnet: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped to `head` and closed: stop quietly
        _silence_stdout()
        return EXIT_PIPE
    except OSError as err:  # writing an output file failed (missing folder, full disk, ...)
        where = f"{err.filename}: " if err.filename else ""
        print(f"symresnet: error: {where}{err.strerror or err}", file=sys.stderr)
        return EXIT_INPUT
    except (SymresnetError, Exception) as err:  # a bug: never a traceback unless --debug
        if debug:
            traceback.print_exc()
        else:
            print(
                f"symresnet: internal error ({type(err).__name__}: {' '.join(str(err).split())[:300]}); "
                "this is a bug, please report it with the output of --debug",
                file=sys.stderr,
            )
        return EXIT_BUG


def _silence_stdout() -> None:
    """Point standard output at /dev/null so that Python's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (e.g. captured in tests)
        pass


def run() -> NoReturn:
    sys.exit(main())


if __name__ == "__main__":
    run()
