"""``symresnet fmt SPEC [-o FILE] [--json]``: a spec in its canonical form.

It reads the spec and writes it back in the canonical TOML (or, with ``--json``, JSON) form:
to standard output, or atomically to ``-o FILE``.
"""

from __future__ import annotations

import argparse
import sys

from symresnet.base.files import check_outputs
from symresnet.cli.common import EXIT_OK, add_command, spec_input
from symresnet.io.dump import dump, dump_spec
from symresnet.io.spec import load_spec

__all__ = ["add_parser", "cmd_fmt"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet fmt``."""
    p = add_command(
        subparsers, "fmt", cmd_fmt, "write a spec back in the canonical TOML (or JSON) form"
    )
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml or .json; - for stdin)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    p.add_argument("--json", action="store_true", help="JSON instead of TOML")


def cmd_fmt(args: argparse.Namespace) -> int:
    """Write the spec back in the canonical TOML (or JSON) form; ``-o FILE`` writes atomically
    (never onto the spec itself: write to another file and move it)."""
    check_outputs([("the output file (-o)", args.output)], inputs=[spec_input(args.spec)])
    spec = load_spec(args.spec)
    if args.output:
        dump_spec(spec, args.output, format="json" if args.json else None)
    else:
        sys.stdout.write(dump(spec, format="json" if args.json else "toml"))
    return EXIT_OK
