"""``symresnet regions SPEC --box "0..1, -1..1" [--json] [--plot FILE.png] [--tikz FILE.tex]``.

It lists the linear regions over the box with their patterns, inequalities and maps, the exact
extrema and, for ``l_0 = 1``, the breakpoints; ``--plot`` draws the regions and the realization
(matplotlib), ``--tikz`` writes the same picture as TikZ/pgfplots LaTeX.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from symresnet.base.files import check_outputs
from symresnet.claims.box_decide import extrema
from symresnet.cli.common import (
    EXIT_OK,
    add_command,
    print_json,
    progress_printer,
    spec_input,
    write_file,
)
from symresnet.compute.polyhedra import parse_box
from symresnet.compute.regions import breakpoints, decompose
from symresnet.io.spec import load_spec
from symresnet.present import plot
from symresnet.present.regions_text import format_regions, regions_json

__all__ = ["add_parser", "cmd_regions"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet regions``."""
    p = add_command(
        subparsers,
        "regions",
        cmd_regions,
        "the exact linear regions, extrema and breakpoints over a box",
    )
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml or .json; - for stdin)")
    p.add_argument(
        "--box", required=True, metavar="BOX", help='one interval per input, e.g. "0..1, -1..1"'
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--method", choices=("auto", "vertex", "lp"), default="auto", help="the engine")
    p.add_argument(
        "--plot", metavar="FILE", help="draw regions and realization (PNG/PDF; matplotlib)"
    )
    p.add_argument("--tikz", metavar="FILE", help="the same picture as TikZ/pgfplots LaTeX")
    p.add_argument("--progress", action="store_true", help="show progress on stderr")


def cmd_regions(args: argparse.Namespace) -> int:
    """Print the regions over ``--box`` (and draw them with ``--plot``/``--tikz``)."""
    check_outputs(
        [("the picture (--plot)", args.plot), ("the TikZ file (--tikz)", args.tikz)],
        inputs=[spec_input(args.spec)],
    )
    spec = load_spec(args.spec)
    box = parse_box(args.box, spec.network.dims[0])
    if args.plot or args.tikz:  # before the work: a box with no picture is refused
        plot.check_drawable(box, place="--plot" if args.plot else "--tikz")
    dec = decompose(
        spec.network, box, method=args.method, progress=progress_printer(always=args.progress)
    )
    mins, maxs, _ = extrema(dec)
    bps = breakpoints(dec) if box.n == 1 else None
    if args.plot or args.tikz:
        for path in [args.plot] if args.plot else []:
            plot.save_plot(dec, path, title=spec.title)
            print(f"symresnet: wrote {path}", file=sys.stderr)
        if args.tikz:
            write_file(Path(args.tikz), plot.tikz(dec, title=spec.title))
            print(f"symresnet: wrote {args.tikz}", file=sys.stderr)
    if args.json:
        print_json(regions_json(dec, extrema=(mins, maxs), breakpoints=bps))
    else:
        print(format_regions(dec, title=spec.title, extrema=(mins, maxs), breakpoints=bps))
    return EXIT_OK
