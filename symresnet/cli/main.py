"""The ``symresnet`` command line (DESIGN.md, "The command line"): the dispatcher.

It builds the parser from the command modules (one per command), runs the chosen command under
the time limit and turns every error into an exit status.

Exit status: 0 success (``check``: every claim holds); 1 some claim is false, depends on the
parameters or is undecided; 2 bad input or usage (one line on stderr); 3 an internal error
(a bug: ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from symresnet import __version__
from symresnet.base.errors import CompileError, InputError, SymresnetError
from symresnet.cli import check, demo, derive, evaluate, fmt, info, regions, study, variants
from symresnet.cli import draw as draw_command
from symresnet.cli import export as export_command
from symresnet.cli import sheet as sheet_command
from symresnet.cli import verify as verify_command
from symresnet.cli.common import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT,
    EXIT_BUG,
    EXIT_INPUT,
    EXIT_PIPE,
    Parser,
    UsageError,
    join_value_options,
    megabytes_option,
    memory_limit,
    out_of_memory_message,
    seconds_option,
    time_limit,
)

__all__ = ["build_parser", "main", "run"]

#: the command modules, in the order ``--help`` lists them
COMMANDS = (
    demo,
    check,
    derive,
    evaluate,
    regions,
    study,
    fmt,
    info,
    variants,
    verify_command,
    draw_command,
    export_command,
    sheet_command,
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``symresnet``: the global options and one subparser per command."""
    parser = Parser(
        prog="symresnet",
        description="Exact computation with the fully-connected ResNets of Def. 1.5.1-1.5.4.",
    )
    parser.add_argument("--version", action="version", version=f"symresnet {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument(
        "--time-limit",
        type=seconds_option,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=f"give up after SECONDS (default {DEFAULT_TIME_LIMIT:g}; 0: no limit)",
    )
    parser.add_argument(
        "--memory-limit",
        type=megabytes_option,
        default=None,
        metavar="MB",
        help=f"give up when the memory in use reaches MB MiB (default {DEFAULT_MEMORY_LIMIT}; "
        "0: no limit)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    spec_file = None  # the spec being worked on: named in errors found while computing
    oom = ""  # the line for a MemoryError, made before the command runs (allocation-free)
    sys.set_int_max_str_digits(0)  # exact outputs of deep networks exceed 4,300 digits
    try:
        args = build_parser().parse_args(join_value_options(argv))
        if not getattr(args, "command", None):
            raise UsageError(
                "symresnet: error: choose a command: demo, check, derive, eval, regions, study, info, variants (see --help)"
            )
        spec_file = getattr(args, "spec", None)
        shown_spec = None if spec_file is None else "<stdin>" if spec_file == "-" else spec_file
        default = args.memory_limit is None
        megabytes = DEFAULT_MEMORY_LIMIT if default else args.memory_limit
        with memory_limit(megabytes, default=default) as cap:
            oom = out_of_memory_message(cap, args.command, shown_spec)
            with time_limit(args.time_limit):
                code: int = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handlers below
        return code
    except MemoryError:  # the limit is lifted by now; the frames go when this clause ends
        if debug:
            traceback.print_exc()
    except UsageError as err:
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
    return _out_of_memory(oom)


def _out_of_memory(line: str) -> int:
    """Print ``line`` (made before the command ran) for a ``MemoryError``: exit 2."""
    try:
        sys.stderr.write(line or "symresnet: error: out of memory\n")
        sys.stderr.flush()
    except (MemoryError, OSError):
        pass
    return EXIT_INPUT


def _silence_stdout() -> None:
    """Point standard output at /dev/null so that Python's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (e.g. captured in tests)
        pass


def run() -> NoReturn:
    """Run the command line and exit with its status (``python -m symresnet.cli``)."""
    sys.exit(main())


if __name__ == "__main__":
    run()
