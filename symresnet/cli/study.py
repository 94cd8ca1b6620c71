"""``symresnet study``: exact parameter studies and sweeps on the command line.

``symresnet study SPEC [--claim LABEL] [--at X] [--param NAME=LO..HI | --param NAME=VALUE ...]
[--steps N] [--format table|csv|json] [--plot FILE.png] [--progress] [-o FILE]``

For each claim of the spec (or the one chosen with ``--claim``; or the realization at ``--at X``)
it prints the exact answer -- the set of parameter values for which the claim holds and the
realization as exact pieces -- and, when some ``--param`` is a range, the sweep: the exact value
and verdict at ``N + 1`` equally spaced values of each swept parameter (both ends included),
with the exact critical points.  ``--param NAME=VALUE`` fixes a parameter first.  The exit
status is 0 whenever the study was made (it reports; ``check`` judges), 2 for bad input.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sympy

from symresnet.base.errors import StudyError
from symresnet.base.files import check_outputs
from symresnet.claims.point import PointClaim, verdict_at
from symresnet.claims.spec import Spec
from symresnet.claims.sweep import Sweep, check_grid, parse_param, sweep
from symresnet.cli.common import add_command, parse_point, spec_input, write_file
from symresnet.cli.study_box import study_boxes
from symresnet.compute.pieces import realization_pieces
from symresnet.compute.realization import as_input, realize
from symresnet.io.spec import load_spec
from symresnet.model.parameters import substitute
from symresnet.present.json_objects import study_output_json
from symresnet.present.study_text import format_study_text, plot_sweep, sweep_csv

__all__ = ["add_parser", "cmd_study"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet study``."""
    p = add_command(
        subparsers,
        "study",
        cmd_study,
        "for which parameter values does a claim hold? exact sets and sweeps",
    )
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml or .json; - for stdin)")
    p.add_argument(
        "--claim", metavar="LABEL", help="the claim to study: its label or number (from 1)"
    )
    p.add_argument(
        "--at", metavar="X", help="study the realization at X (e.g. x) instead of claims"
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=LO..HI",
        help="sweep NAME over LO..HI, or fix it with NAME=VALUE (repeatable)",
    )
    p.add_argument(
        "--steps",
        type=int,
        default=10,
        metavar="N",
        help="N steps: N+1 equally spaced values per swept parameter, both ends included "
        "(10; the grid may have at most Limits.max_grid_points = 200000 points)",
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--plot", metavar="FILE.png", help="plot the value against the parameter")
    p.add_argument("--progress", action="store_true", help="show progress on stderr")
    p.add_argument("-o", "--output", metavar="FILE", help="write the table/CSV/JSON to FILE")


def _targets(
    spec: Spec, args: argparse.Namespace, names: dict[str, sympy.Symbol]
) -> list[tuple[PointClaim | None, Any]]:
    """(claim or None, input) pairs to study."""
    if args.at is not None:
        entries, more = parse_point(args.at, names)
        names.update(more)
        return [(None, as_input(entries, spec.network.dims[0], names=names, place="--at"))]
    claims = [c for c in spec.claims if isinstance(c, PointClaim)]
    if not claims:
        raise StudyError(
            "the spec has no point [[claims]]: give --at X", place="claims", file=spec.source
        )
    if args.claim is not None:
        chosen = [c for c in claims if c.label == args.claim]
        number = args.claim.isascii() and args.claim.isdigit()  # int("²") fails, int("৪") is 4
        if not chosen and number and 1 <= int(args.claim) <= len(claims):
            chosen = [claims[int(args.claim) - 1]]
        if not chosen:
            labels = ", ".join(c.label or str(i) for i, c in enumerate(claims, 1))
            raise StudyError(f"no claim {args.claim!r}: the claims are {labels}", place="--claim")
        claims = chosen
    return [(c, c.input) for c in claims]


def cmd_study(args: argparse.Namespace) -> int:
    """Print (or write to ``-o``) the study of the chosen claims; exit status 0 once made."""
    check_outputs(
        [("the output file (-o)", args.output), ("the plot (--plot)", args.plot)],
        inputs=[spec_input(args.spec)],
    )
    spec = load_spec(args.spec)
    names = dict(spec.names)
    if study_boxes(spec, args, names):  # box claims over a parameter (docs/parameters.md)
        return 0
    targets = _targets(spec, args, names)
    options = [parse_param(t, names, bounds=spec.parameters) for t in args.param]
    swept = [o for o in options if o.is_range]
    fixed = {o.symbol: o.lo for o in options if not o.is_range}
    if swept:  # before any work: the grid's size is known from --steps alone
        check_grid(args.steps, len(swept))
    if swept and len(targets) > 1:
        raise StudyError(
            f"the spec has {len(targets)} claims: choose the one to sweep with --claim LABEL",
            place="--claim",
        )
    if args.plot and len(swept) != 1:
        raise StudyError(
            "--plot needs exactly one swept parameter (--param NAME=LO..HI)", place="--plot"
        )
    if args.format == "csv" and not swept:
        raise StudyError(
            "--format csv tabulates a sweep: give --param NAME=LO..HI", place="--format"
        )
    network = substitute(spec.network, fixed)
    results = []
    for claim, x0 in targets:
        x_fixed = sympy.ImmutableMatrix(x0.xreplace(fixed))
        verdict = pieces = None
        if claim is not None:
            pc = dataclasses.replace(
                claim, input=x_fixed, expected=sympy.ImmutableMatrix(claim.expected.xreplace(fixed))
            )
            verdict = verdict_at(pc, realize(network, x_fixed), bounds=spec.parameters)
            pieces = verdict.study.pieces if verdict.study is not None else None
        if pieces is None and (x_fixed.free_symbols or network.free_symbols):
            pieces = realization_pieces(network, x_fixed, bounds=spec.parameters)
        swept_result = None
        if swept:
            swept_result = sweep(
                spec.network,
                input=x0,
                ranges={o.symbol: o for o in swept},
                steps=args.steps,
                fixed=fixed,
                relation=None if claim is None else claim.relation,
                expected=None if claim is None else claim.expected,
                label=None if claim is None else claim.label,
                bounds=spec.parameters,
                progress=True if args.progress else None,
            )
        results.append((claim, x_fixed, verdict, pieces, swept_result))
    if args.format == "json":
        text = json.dumps({"schema": 1, **study_output_json(spec, results)}, indent=2)
    elif args.format == "csv":
        text = sweep_csv(_only_sweep(results))
    else:
        text = format_study_text(spec, results)
    if args.output:
        write_file(Path(args.output), text if text.endswith("\n") else text + "\n")
        print(f"symresnet: wrote {args.output}", file=sys.stderr)
    else:
        print(text, end="" if text.endswith("\n") else "\n")
    if args.plot:
        plot_sweep(_only_sweep(results), args.plot)
        print(f"symresnet: wrote {args.plot}", file=sys.stderr)
    return 0


def _only_sweep(results: Sequence[tuple[Any, Any, Any, Any, Sweep | None]]) -> Sweep:
    """The sweep of the one target (``--format csv`` and ``--plot`` are refused without it)."""
    swept = results[0][4]
    assert swept is not None, "checked by cmd_study before computing"
    return swept
