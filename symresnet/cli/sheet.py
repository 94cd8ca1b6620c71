"""``symresnet sheet SPEC... [--out DIR] [--name NAME] [--title TEXT] [--pdf] [--combined]
[--solutions-only] [--key] [--json] [--figure [--max-neurons N]]``: an exercise sheet and its solutions (docs/sheets.md).

Each SPEC is one problem of the sheet, its claims the parts (a), (b), (c).  Writes
``NAME-exercises.tex`` and ``NAME-solutions.tex`` into ``DIR`` (``NAME`` is the first SPEC's
stem unless given), ``NAME.tex`` with ``--combined``, only the solutions with
``--solutions-only``; ``--pdf`` compiles them; ``--key`` prints the answer key and writes it to
``NAME-key.txt``; ``--json`` prints the sheet as one JSON object instead of the file lines;
``--figure`` draws each problem's architecture in its statement.
The exit status is 0 once the files are written (a sheet's false parts are no failure), 2 for
bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from symresnet.base.errors import SpecError
from symresnet.cli.common import (
    EXIT_OK,
    add_command,
    add_render_arguments,
    int_option,
    print_json,
    render_options,
    spec_input,
)
from symresnet.compute.workers import cores
from symresnet.explain.sheet import build_sheet
from symresnet.io.sheet_files import SheetFiles, compile_pdfs, write_sheet
from symresnet.io.spec import load_spec
from symresnet.present.architecture import DEFAULT_MAX_NEURONS, MAX_NEURONS, MIN_NEURONS
from symresnet.present.sheet import render_sheet
from symresnet.present.sheet_key import key_text, sheet_json
from symresnet.values.limits import DEFAULT_LIMITS

__all__ = ["add_parser", "cmd_sheet"]

#: problems on one sheet
MAX_PROBLEMS = 100
#: characters of a sheet's title
MAX_TITLE = 200


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``symresnet sheet``."""
    p = add_command(
        subparsers,
        "sheet",
        cmd_sheet,
        "an exercise sheet (one problem per SPEC, its claims the parts) and its solutions",
    )
    p.add_argument("specs", metavar="SPEC", nargs="+", help="spec files, one problem each")
    p.add_argument("--out", metavar="DIR", default=".", help="folder for the files (default .)")
    p.add_argument("--name", metavar="NAME", help="file names NAME-...; default: the first SPEC")
    p.add_argument("--title", metavar="TEXT", help="the sheet's title (free text)")
    p.add_argument("--pdf", action="store_true", help="compile each .tex file to PDF")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--combined", action="store_true", help="one file NAME.tex: exercises, then solutions"
    )
    which.add_argument("--solutions-only", action="store_true", help="only NAME-solutions.tex")
    p.add_argument("--key", action="store_true", help="print the answer key and write NAME-key.txt")
    p.add_argument("--json", action="store_true", help="print the sheet as JSON")
    p.add_argument(
        "--figure",
        action="store_true",
        help="draw each problem's architecture in its statement (symresnet draw)",
    )
    p.add_argument(
        "--max-neurons",
        type=int_option(minimum=MIN_NEURONS, maximum=MAX_NEURONS, what="number of neurons"),
        default=DEFAULT_MAX_NEURONS,
        metavar="N",
        help=f"with --figure: wider layers get dots (default {DEFAULT_MAX_NEURONS})",
    )
    add_render_arguments(p)


def _name(args: argparse.Namespace) -> str:
    name = args.name
    if name is None:
        first = args.specs[0]
        name = "sheet" if first == "-" else Path(first).stem
    if not name or "/" in name or name.startswith(".") or len(name) > 100:
        raise SpecError(
            f"{name!r} is not a file name for the sheet", place="--name",
            hint="give a name without '/' that does not start with '.'",
        )  # fmt: skip
    return name


def cmd_sheet(args: argparse.Namespace) -> int:
    """``symresnet sheet SPEC...`` (module docstring)."""
    if len(args.specs) > MAX_PROBLEMS:
        raise SpecError(
            f"more than {MAX_PROBLEMS} spec files", place="SPEC", hint="split the sheet"
        )
    if args.specs.count("-") > 1:
        raise SpecError("standard input (-) can be read once", place="SPEC")
    if args.title is not None and len(args.title) > MAX_TITLE:
        raise SpecError(f"a title of more than {MAX_TITLE} characters", place="--title")
    options = render_options(args)
    files = SheetFiles(
        combined=args.combined, solutions_only=args.solutions_only, key=args.key, pdf=args.pdf
    )
    folder, name = Path(args.out), _name(args)
    files.check(folder, name, inputs=[spec_input(s) for s in args.specs])
    specs = [load_spec(s) for s in args.specs]
    sheet = build_sheet(specs, title=args.title, limits=DEFAULT_LIMITS, options=options.derivation)
    tex = render_sheet(sheet, options=options, figure=args.figure, max_neurons=args.max_neurons)
    written = write_sheet(sheet, folder, name, files, options=options, tex=tex)
    if args.pdf:
        sources = [p for p in written if p.suffix == ".tex"]
        written += compile_pdfs(sources, workers=cores())
    if args.json:
        print_json({**sheet_json(sheet), "files": [str(p) for p in written]})
        return EXIT_OK
    if args.key:
        sys.stdout.write(key_text(sheet))
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK
