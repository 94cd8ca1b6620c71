"""``symresnet derive SPEC [--at X [--piece N]] [--region N] [-o FILE.tex] [--pdf] [--figure]``.

The worked solution of every claim of the spec (or of the evaluation at ``--at X``) as a LaTeX
document: to standard output, or to ``-o FILE.tex`` and, with ``--pdf``, compiled next to it
(:mod:`symresnet.cli.common` writes the files).  ``--fragment`` leaves out the preamble, for
``\\input``; ``--figure`` puts the architecture picture after the network's data.  ``--region N``
derives region ``N`` of every box proof that goes region by region in full, after the table of
all regions (docs/derivations.md, "Box proofs").
"""

from __future__ import annotations

import argparse
import sys

from symresnet.base.errors import ClaimError
from symresnet.claims.box_verdict import BoxVerdict
from symresnet.claims.spec import decide
from symresnet.claims.verdict import Outcome
from symresnet.cli.common import (
    add_command,
    add_render_arguments,
    check_latex_outputs,
    int_option,
    parse_point,
    render_options,
    write_files,
)
from symresnet.compute.realization import Trace, as_input, realize
from symresnet.explain.piecewise import applies
from symresnet.io.spec import load_spec
from symresnet.present.architecture import architecture_tikz
from symresnet.present.printers import to_text
from symresnet.present.render import document, fragment
from symresnet.present.text import format_solution

__all__ = ["add_parser", "cmd_derive"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet derive``."""
    p = add_command(
        subparsers,
        "derive",
        cmd_derive,
        "the worked solution of every claim (or at X) in LaTeX/PDF",
    )
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml or .json; - for stdin)")
    p.add_argument("--at", metavar="X", help="derive the evaluation at X instead of the claims")
    p.add_argument("-o", "--output", metavar="FILE.tex", help="write the LaTeX to FILE.tex")
    p.add_argument("--pdf", action="store_true", help="compile to PDF (FILE.pdf, or SPEC.pdf)")
    p.add_argument("--fragment", action="store_true", help="LaTeX without preamble, for \\input")
    p.add_argument(
        "--figure", action="store_true", help="include the architecture picture (symresnet draw)"
    )
    p.add_argument(
        "--region",
        type=int_option(minimum=1, maximum=10**9, what="region number"),
        metavar="N",
        help="derive region N of a box proof in full (numbered as symresnet regions numbers them)",
    )
    p.add_argument(
        "--piece",
        type=_piece_number,
        metavar="N",
        help="with --at and a symbol: derive piece N of the realization (docs/derivations.md)",
    )
    p.add_argument(
        "--text",
        action="store_true",
        help="the solution as terminal text instead of LaTeX (with --at x: piece by piece)",
    )
    p.add_argument(
        "--plot",
        action="store_true",
        help="with --at and one symbol: the graph of the realization (pgfplots)",
    )
    add_render_arguments(p)


def _piece_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise argparse.ArgumentTypeError(f"a piece number 1, 2, ... is expected, got {text!r}")
    return int(text)


def cmd_derive(args: argparse.Namespace) -> int:
    """``symresnet derive SPEC [--at X [--piece N] [--plot]] [-o FILE.tex] [--pdf] [--figure]``."""
    options = render_options(args)
    check_latex_outputs(args.spec, tex=args.output, pdf=args.pdf, option="-o")
    spec = load_spec(args.spec)
    items: list[Trace | Outcome]
    if args.at is not None:
        entries, names = parse_point(args.at, spec.names)
        x = as_input(entries, spec.network.dims[0], names=names, place="--at")
        trace = realize(spec.network, x, names=names)
        items = [trace]
        if (args.piece is not None or args.plot) and not applies(trace):
            raise ClaimError(
                "--piece and --plot need a symbolic realization: a symbol in --at, numbers in "
                "the network and a piecewise-linear activation",
                place="--plot" if args.plot else "--piece",
                hint="give --at a symbol, e.g. --at x",
            )
    elif args.piece is not None or args.plot:
        option = "--plot" if args.plot else "--piece"
        raise ClaimError(f"{option} needs --at", place=option, hint="give --at x")
    elif spec.claims:
        items = [decide(c, spec.network, bounds=spec.parameters) for c in spec.claims]
    else:
        raise ClaimError(
            "the spec has no [[claims]] to derive",
            file=spec.source,
            place="claims",
            hint="give --at X",
        )
    if args.region is not None:
        _check_region(args.region, items, source=spec.source)
    figure = architecture_tikz(spec.network, options=options) if args.figure else None
    if args.text:
        if args.output is not None or args.pdf or args.fragment or args.figure:
            raise ClaimError(
                "--text prints to the terminal",
                place="--text",
                hint="leave out -o, --pdf, --fragment and --figure",
            )
        for item in items:
            text = (
                format_solution(item, title=spec.title, options=options.derivation)
                if isinstance(item, Trace)
                else to_text(item, title=spec.title)
            )
            print(text)
        return 0
    if args.output is None and not args.pdf:
        render = fragment if args.fragment else document
        sys.stdout.write(render(items, title=spec.title, options=options, figure=figure))
        return 0
    write_files(
        args,
        spec,
        items,
        tex=args.output,
        report=lambda path: print(f"wrote {path}"),
        figure=figure,
    )
    return 0


def _check_region(n: int, items: list[Trace | Outcome], *, source: str | None) -> None:
    """``--region N`` needs a box claim proven region by region with at least ``N`` regions."""
    proofs = [
        v
        for v in items
        if isinstance(v, BoxVerdict) and v.facts and v.counterexample is None and v.witness is None
    ]
    if not proofs:
        raise ClaimError(
            "no claim of the spec is proven region by region",
            file=source,
            place="--region",
            hint="--region N is for true forall (or false exists) box claims",
        )
    for v in proofs:
        count = len(v.decomposition.pieces)
        if n > count:
            raise ClaimError(
                f"there is no region {n}: the box of the claim has {count} region"
                f"{'s' * (count != 1)}",
                file=source,
                place="--region",
                hint=f"give N from 1 to {count}, as symresnet regions numbers them",
            )
