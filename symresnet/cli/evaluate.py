"""``symresnet eval SPEC --at X [--json]`` or ``--points FILE``: the realization, exactly.

With ``--at X`` it evaluates the realization (Def. 1.5.4) at the input ``x_0 = X`` layer by
layer; when the input or the network has free symbols it prints the exact pieces too
(:mod:`symresnet.compute.pieces`).  With ``--points FILE`` it evaluates many inputs at once, one
output row per input row (:mod:`symresnet.io.points`).
"""

from __future__ import annotations

import argparse

from symresnet.base.files import check_outputs
from symresnet.cli.common import EXIT_OK, add_command, parse_point, print_json, spec_input
from symresnet.compute.pieces import realization_pieces
from symresnet.compute.realization import as_input, realize
from symresnet.io.points import eval_points
from symresnet.io.spec import load_spec
from symresnet.present.json_objects import trace_json
from symresnet.present.study_text import format_pieces, pieces_json
from symresnet.present.text import format_trace

__all__ = ["add_parser", "cmd_eval"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet eval``."""
    p = add_command(
        subparsers, "eval", cmd_eval, "evaluate the realization at a point, layer by layer"
    )
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
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes for --points (1 to 10000; more than this machine's cores are capped "
        "at its cores; default: by the work)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler, tcp://host:8786, for --points.  The cluster must be trusted: "
        "its results are unpickled here, so a rogue worker can run code in this process",
    )
    p.add_argument("--progress", action="store_true", help="show progress on stderr")


def cmd_eval(args: argparse.Namespace) -> int:
    """Print the realization at ``--at`` (or write one row per ``--points`` input)."""
    check_outputs(
        [("the output file (-o)", args.output)],
        inputs=[spec_input(args.spec), ("the points file (--points)", args.points)],
    )
    spec = load_spec(args.spec)
    if args.points is not None:  # many inputs at once (symresnet.io.points)
        return eval_points(spec, args)
    entries, names = parse_point(args.at, spec.names)
    x = as_input(entries, spec.network.dims[0], names=names, place="--at")
    trace = realize(spec.network, x, names=names)
    pieces = None
    if trace.free_symbols:  # symbolic: the exact pieces too (symresnet.compute.pieces)
        pieces = realization_pieces(spec.network, trace.input, bounds=spec.parameters)
    if args.json:
        print_json({**trace_json(trace), **(pieces_json(pieces) if pieces else {})})
    else:
        print(format_trace(trace, title=spec.title))
        if pieces is not None:
            print(format_pieces(pieces))
    return EXIT_OK
