"""``symresnet draw SPEC [--out FILE] [--pdf] [--picture] [--max-neurons N] [--title TEXT]``.

The architecture picture of the spec's network (:mod:`symresnet.present.architecture`): a
standalone LaTeX document to standard output or to ``--out FILE.tex``; ``--pdf`` compiles it
(to ``FILE.pdf`` beside ``--out``, else to ``SPEC-architecture.pdf``; ``--out FILE.pdf`` alone
asks for the PDF only).  ``--picture`` writes only the ``tikzpicture``, for ``\\input`` into a
document that loads ``tikz`` and ``amssymb``.  SPEC is a ``.toml``/``.json`` spec or an
``.onnx`` file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from symresnet.base.errors import InputError
from symresnet.base.files import check_outputs
from symresnet.cli.common import EXIT_OK, add_command, int_option, spec_input, write_file
from symresnet.io.spec import load_spec
from symresnet.present import compile as latex
from symresnet.present.architecture import (
    DEFAULT_MAX_NEURONS,
    MAX_NEURONS,
    MIN_NEURONS,
    architecture_document,
    architecture_tikz,
)
from symresnet.present.render import RenderOptions

__all__ = ["add_parser", "cmd_draw"]

_NEURONS = int_option(minimum=MIN_NEURONS, maximum=MAX_NEURONS, what="number of neurons")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet draw``."""
    p = add_command(
        subparsers,
        "draw",
        cmd_draw,
        "the architecture picture (layers, W_k, skip arcs V_{r,k}) in TikZ/PDF",
    )
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml, .json or .onnx; - for stdin)")
    p.add_argument(
        "--out", metavar="FILE", help="write the LaTeX to FILE.tex (or the PDF to FILE.pdf)"
    )
    p.add_argument("--pdf", action="store_true", help="compile to PDF")
    p.add_argument(
        "--picture", action="store_true", help="only the tikzpicture, for \\input (no preamble)"
    )
    p.add_argument(
        "--max-neurons",
        type=_NEURONS,
        default=DEFAULT_MAX_NEURONS,
        metavar="N",
        help=f"draw wider layers with dots for the middle neurons (default {DEFAULT_MAX_NEURONS})",
    )
    p.add_argument(
        "--title", metavar="TEXT", help="the title above the picture (default: the spec's)"
    )
    p.add_argument("--no-title", action="store_true", help="no title")
    p.add_argument("--template", metavar="DIR", help="a folder of one's own templates")


def _paths(args: argparse.Namespace) -> tuple[Path | None, Path | None]:
    """The LaTeX file and the PDF asked for (``None``: not asked for)."""
    out = None if args.out is None else Path(args.out)
    if out is not None and out.suffix.lower() == ".pdf":
        return None, out
    if not args.pdf:
        return out, None
    if out is not None:
        return out, out.with_suffix(".pdf")
    stem = Path(args.spec).stem if args.spec != "-" else "network"
    return None, Path(f"{stem}-architecture.pdf")


def cmd_draw(args: argparse.Namespace) -> int:
    """Write the architecture picture of ``args.spec``."""
    tex, pdf = _paths(args)
    if args.picture and pdf is not None:
        raise InputError(
            "--picture has no preamble, so it cannot be compiled: drop --picture or the PDF",
            place="--picture",
        )
    if args.title is not None and args.no_title:
        raise InputError("give --title or --no-title, not both", place="--no-title")
    log = None if pdf is None else pdf.with_suffix(".log")
    check_outputs(
        [("the LaTeX file (--out)", tex), ("the PDF", pdf), ("LaTeX's log of a failed PDF", log)],
        inputs=[spec_input(args.spec)],
    )
    options = RenderOptions(template_dir=args.template)
    spec = load_spec(args.spec)
    title = None if args.no_title else args.title if args.title is not None else spec.title
    draw = architecture_tikz if args.picture else architecture_document
    text = draw(spec.network, max_neurons=args.max_neurons, title=title, options=options)
    if tex is None and pdf is None:
        sys.stdout.write(text)
        return EXIT_OK
    if tex is not None:
        write_file(tex, text)
        print(f"wrote {tex}")
    if pdf is not None:
        latex.write_pdf(text, pdf)
        print(f"wrote {pdf}")
    return EXIT_OK
