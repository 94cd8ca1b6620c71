"""``symresnet check SPEC [--json] [--tex FILE] [--pdf]``: decide the claims of a spec.

It decides every claim of the spec's ``[[claims]]`` -- or the one claim given on the command
line instead: ``--at X`` (a point claim, decided and printed like a spec's) or ``--forall BOX``
(or ``--exists BOX``, a quantified claim), with one of ``--equals/--at-least/--at-most/
--greater/--less Y`` -- and prints the verdicts; ``--tex`` and ``--pdf`` write the derivation of
every claim too.  A relation without ``--at``/``--forall``/``--exists``, or one of these
without a relation, is a usage error.  ``--engine`` chooses the engine of box claims
(:func:`symresnet.verify.box_claims.decide_claim`; ``auto``: the verification engine first
from 3 inputs and 12 hidden neurons; ``--tex``/``--pdf`` always use the region engine, whose
extrema the derivation needs).  Each claim is decided on its own
(:func:`symresnet.claims.spec.check_spec`): one that cannot be decided is printed with status
``error`` and the reason, and the others still are.  Exit status 0 when every claim holds, 1
when some claim is false, depends on the parameters or is undecided, 2 when one could not be
decided.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys

from symresnet.base.errors import ClaimError, InputError
from symresnet.claims.box import box_claim
from symresnet.claims.point import claim as point_claim
from symresnet.claims.spec import Spec, check_spec
from symresnet.claims.verdict import Claim
from symresnet.cli.common import (
    EXIT_FALSE,
    EXIT_INPUT,
    EXIT_OK,
    add_command,
    add_render_arguments,
    check_latex_outputs,
    parse_point,
    print_json,
    progress_printer,
    split_point,
    write_files,
)
from symresnet.compute.polyhedra import parse_box
from symresnet.io.spec import load_spec
from symresnet.present.printers import to_json, to_text
from symresnet.values.relations import Relation
from symresnet.verify.box_claims import ENGINES, decide_claim

__all__ = [
    "CLAIM_OPTIONS",
    "add_claim_arguments",
    "add_parser",
    "claim_options",
    "cmd_check",
    "with_claim_from_options",
]

#: options whose values may start with "-" (for symresnet.cli.common.VALUE_OPTIONS)
CLAIM_OPTIONS = ("--at", "--forall", "--exists", *(r.option for r in Relation))


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet check``."""
    p = add_command(
        subparsers, "check", cmd_check, "decide every claim of a spec (exit 1 if one fails)"
    )
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml or .json; - for stdin)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--tex", metavar="FILE", help="write the derivation of every claim (LaTeX)")
    p.add_argument("--pdf", action="store_true", help="compile it to PDF (FILE.pdf)")
    add_render_arguments(p)
    add_claim_arguments(p)
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="box claims: 'regions' (exact extrema, every linear region), 'verify' (the "
        "verification engine first: verdict with a checked certificate or an exact "
        "counterexample), 'auto' (verify first from 3 inputs and 12 hidden neurons; "
        "docs/verification.md)",
    )


def add_claim_arguments(p: argparse.ArgumentParser) -> None:
    """``--at X`` / ``--forall BOX`` / ``--exists BOX`` and one relation, for ``check``."""
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--at", metavar="X", help='check the claim at the input X (e.g. "-1" or "1/2, 3")'
    )
    group.add_argument("--forall", metavar="BOX", help='check "for all x in BOX" (e.g. "-2..1")')
    group.add_argument("--exists", metavar="BOX", help='check "there is an x in BOX"')
    for r in Relation:
        p.add_argument(
            r.option,
            dest=f"rel_{r.value}",
            metavar="Y",
            help=f"the relation {r.text} Y (componentwise)",
        )
    p.add_argument("--label", help="a label for the command-line claim")
    p.add_argument("--progress", action="store_true", help="show progress on stderr")


def claim_options(args: argparse.Namespace) -> tuple[str, Relation] | None:
    """``(option, relation)`` of the claim given on the command line (``option`` is ``--at``,
    ``--forall`` or ``--exists``), ``None`` when none is; a relation without one of these
    options, or one of them without exactly one relation, is a :class:`ClaimError`."""
    given = [r for r in Relation if getattr(args, f"rel_{r.value}", None) is not None]
    option = next(
        (o for o in ("--at", "--forall", "--exists") if getattr(args, o[2:]) is not None), None
    )
    if option is None:
        if given:
            raise ClaimError(
                "a claim on the command line needs the input: add --at X for a point, or "
                "--forall BOX / --exists BOX for a box",
                place=given[0].option,
            )
        return None
    if option == "--at" and not given:
        raise ClaimError(
            "add the claimed value with one of " + ", ".join(r.option for r in Relation) + " Y",
            place=option,
        )
    if len(given) != 1:
        raise ClaimError(
            "give exactly one of " + ", ".join(r.option for r in Relation), place=option
        )
    return option, given[0]


def with_claim_from_options(spec: Spec, args: argparse.Namespace) -> Spec:
    """``spec`` with its claims replaced by the one given by ``--at``/``--forall``/``--exists``
    and a relation (:func:`claim_options`); ``spec`` itself when none is given."""
    chosen = claim_options(args)
    if chosen is None:
        return spec
    option, relation = chosen
    text = getattr(args, option[2:])
    expected = split_point(getattr(args, f"rel_{relation.value}"))
    claim: Claim
    try:
        if option == "--at":  # a point claim, as in a spec: input = X, relation = Y
            entries, names = parse_point(text, spec.names)
            claim = point_claim(
                spec.network,
                input=entries,
                relation=relation,
                expected=expected,
                label=args.label,
                names=names,
            )
        else:
            claim = box_claim(
                spec.network,
                quantifier=option[2:],
                box=parse_box(text, spec.network.dims[0], place=option),
                relation=relation,
                expected=expected,
                label=args.label,
                names=spec.names,
            )
    except InputError as err:  # the same error, at its place on the command line
        moved = err.located()
        moved.place = _option_place(err.place, option, relation)
        raise moved from None
    return dataclasses.replace(spec, claims=(claim,))


def _option_place(place: str, option: str, relation: Relation) -> str:
    """The place of a claim's error on the command line: ``equals[1]`` -> ``--equals[1]``,
    ``input[2]`` -> ``--at[2]``; any other place -> ``option``."""
    for name, shown in ((relation.value, relation.option), ("input", "--at")):
        if place.startswith(name):
            return shown + place[len(name) :]
    return place if place.startswith("-") else option


def cmd_check(args: argparse.Namespace) -> int:
    """Print the verdict on every claim (each decided on its own, :func:`check_spec`); exit
    status 0 if every claim holds, 2 if one could not be decided, else 1."""
    check_latex_outputs(args.spec, tex=args.tex, pdf=args.pdf, option="--tex")
    claim_options(args)  # a usage error shows before the spec is read
    spec = with_claim_from_options(load_spec(args.spec), args)  # a claim given on the command line
    # a derivation needs the regions' extrema: --tex/--pdf decide with the region engine
    engine = "regions" if args.tex is not None or args.pdf else args.engine
    report = check_spec(
        spec,
        progress=lambda: progress_printer(always=args.progress),
        decider=functools.partial(decide_claim, engine=engine),
    )
    if args.json:
        print_json({"claims": [to_json(v) for v in report.verdicts]})
    else:
        print("\n\n".join(to_text(v, title=spec.title) for v in report.verdicts))
    if args.tex is not None or args.pdf:  # the derivation of every claim that was decided
        write_files(
            args,
            spec,
            report.verdicts,
            tex=args.tex,
            report=lambda p: print(f"symresnet: wrote {p}", file=sys.stderr),
        )
    if report.status == "error":
        return EXIT_INPUT
    return EXIT_OK if report.holds else EXIT_FALSE
