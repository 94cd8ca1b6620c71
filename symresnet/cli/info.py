"""``symresnet info SPEC [--json]``: what a spec describes, without computing anything.

It prints the title, the number of layers ``L``, the dimensions ``(l_0, ..., l_L)``, the skip
connections ``S``, the parameter count, the activation, the declared parameters and the number
of claims.
"""

from __future__ import annotations

import argparse

from symresnet.cli.common import EXIT_OK, add_command, print_json
from symresnet.io.spec import load_spec
from symresnet.present.json_objects import info_json

__all__ = ["add_parser", "cmd_info"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet info``."""
    p = add_command(
        subparsers, "info", cmd_info, "L, dims, skips, parameter count, activation, parameters"
    )
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--json", action="store_true")


def cmd_info(args: argparse.Namespace) -> int:
    """Print what the spec ``args.spec`` describes (one JSON object with ``--json``)."""
    spec = load_spec(args.spec)
    data = info_json(spec)
    if args.json:
        print_json(data)
        return EXIT_OK
    net = spec.network
    skips = ", ".join(f"({r}, {k})" for r, k in net.skips) or "none (a plain ANN, Lemma 1.5.3)"
    lines = [
        f"title:           {spec.title or '-'}",
        f"L:               {net.L}",
        f"dims:            {tuple(net.dims)}",
        f"skips S:         {skips}",
        f"parameter count: {net.parameter_count}",
        f"activation:      {net.activation.text}",
        f"parameters:      {', '.join(spec.parameters) or 'none'}",
        f"claims:          {len(spec.claims)}",
    ]
    print("\n".join(lines))
    return EXIT_OK
