"""The command line of regions and box claims (wired into :mod:`symresnet.cli.main`).

``symresnet regions SPEC --box "0..1, -1..1" [--json] [--plot FILE.png] [--tikz FILE.tex]``
lists the linear regions with their patterns, inequalities and maps, the exact extrema and,
for ``l_0 = 1``, the breakpoints.  ``symresnet check SPEC --forall BOX --at-most Y`` (or
``--exists``; ``--equals/--at-least/--at-most/--greater/--less``) decides one quantified claim
given on the command line instead of the spec's ``[[claims]]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable

from symresnet.claims.point import RELATIONS
from symresnet.base.errors import ClaimError

__all__ = [
    "CLAIM_OPTIONS",
    "add_claim_arguments",
    "add_regions_command",
    "cmd_regions",
    "progress_printer",
    "with_claim_from_options",
]

#: options whose values may start with "-" (for symresnet.cli.main.VALUE_OPTIONS)
CLAIM_OPTIONS = ("--forall", "--exists", *(f"--{r.replace('_', '-')}" for r in RELATIONS))
#: seconds after which progress lines appear on stderr without --progress
PROGRESS_AFTER = 2.0


def progress_printer(*, always: bool = False) -> Callable[[str], None]:
    """A progress callback writing ``symresnet: layer 2/3: 1234 regions`` to stderr, from the
    start with ``always``, else once the enumeration has run for :data:`PROGRESS_AFTER` s."""
    start = time.monotonic()

    def report(message: str) -> None:
        if always or time.monotonic() - start > PROGRESS_AFTER:
            print(f"symresnet: {message}", file=sys.stderr, flush=True)

    return report


def add_claim_arguments(p: argparse.ArgumentParser) -> None:
    """``--forall BOX`` / ``--exists BOX`` and one relation, for ``check``."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--forall", metavar="BOX", help='check "for all x in BOX" (e.g. "-2..1")')
    group.add_argument("--exists", metavar="BOX", help='check "there is an x in BOX"')
    for r in RELATIONS:
        p.add_argument(
            f"--{r.replace('_', '-')}",
            dest=f"rel_{r}",
            metavar="Y",
            help=f"the relation {RELATIONS[r][0]} Y (componentwise)",
        )
    p.add_argument("--label", help="a label for the command-line claim")
    p.add_argument("--progress", action="store_true", help="show progress on stderr")


def with_claim_from_options(spec, args: argparse.Namespace):
    """``spec`` with its claims replaced by the one given by ``--forall``/``--exists``."""
    from symresnet.claims.box import box_claim
    from symresnet.cli.main import split_point
    from symresnet.compute.regions import parse_box

    option = "--forall" if args.forall is not None else "--exists"
    text = args.forall if args.forall is not None else args.exists
    given = [r for r in RELATIONS if getattr(args, f"rel_{r}", None) is not None]
    if len(given) != 1:
        raise ClaimError(
            "give exactly one of " + ", ".join(f"--{r.replace('_', '-')}" for r in RELATIONS),
            place=option,
        )
    relation = given[0]
    box = parse_box(text, spec.network.dims[0], place=option)
    expected = split_point(getattr(args, f"rel_{relation}"))
    try:
        claim = box_claim(
            spec.network,
            quantifier=option[2:],
            box=box,
            relation=relation,
            expected=expected,
            label=args.label,
            names=spec.names,
        )
    except ClaimError as err:
        flag = "--" + relation.replace("_", "-")
        place = flag + err.place[len(relation) :] if err.place.startswith(relation) else option
        raise ClaimError(err.message, place=place, hint=err.hint) from None
    return dataclasses.replace(spec, claims=(claim,))


def add_regions_command(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Register ``symresnet regions`` through ``cli.build_parser``'s ``command`` helper."""
    p = command(
        "regions", cmd_regions, "the exact linear regions, extrema and breakpoints over a box"
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
    from symresnet.claims.box import extrema
    from symresnet.cli.main import EXIT_OK, _print_json
    from symresnet.compute.regions import breakpoints, decompose, parse_box
    from symresnet.present.regions_text import format_regions, regions_json
    from symresnet.io.spec import load_spec

    spec = load_spec(args.spec)
    box = parse_box(args.box, spec.network.dims[0])
    dec = decompose(
        spec.network, box, method=args.method, progress=progress_printer(always=args.progress)
    )
    mins, maxs, _ = extrema(dec)
    bps = breakpoints(dec) if box.n == 1 else None
    if args.plot or args.tikz:
        from symresnet.present import plot

        for path in [args.plot] if args.plot else []:
            plot.save_plot(dec, path, title=spec.title)
            print(f"symresnet: wrote {path}", file=sys.stderr)
        if args.tikz:
            from symresnet.base.files import write_atomic

            write_atomic(args.tikz, plot.tikz(dec, title=spec.title))
            print(f"symresnet: wrote {args.tikz}", file=sys.stderr)
    if args.json:
        _print_json(regions_json(dec, extrema=(mins, maxs), breakpoints=bps))
    else:
        print(format_regions(dec, title=spec.title, extrema=(mins, maxs), breakpoints=bps))
    return EXIT_OK
