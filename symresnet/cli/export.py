"""``symresnet export SPEC [--onnx FILE] [--torch FILE] [--json]``: the network in float64.

``--onnx FILE`` writes an ONNX model (Gemm, residual Add/MatMul for skips, the activation's
operator; :mod:`symresnet.io.onnx_export`), ``--torch FILE`` a PyTorch ``torch.export``
archive (``.pt2``; :mod:`symresnet.io.torch_export`).  Both store the weights in float64:
the command prints the rounding gap, ``max |exact - float64|`` per matrix (``exact`` when
every weight is a dyadic rational that fits in a double).  SPEC may be an ``.onnx`` file.
"""

from __future__ import annotations

import argparse

from symresnet.base.files import check_outputs
from symresnet.cli.common import EXIT_OK, UsageError, add_command, print_json, spec_input
from symresnet.io.onnx_export import Gap, write_onnx
from symresnet.io.spec import load_spec
from symresnet.io.torch_export import write_torch

__all__ = ["add_parser", "cmd_export"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet export``."""
    p = add_command(
        subparsers,
        "export",
        cmd_export,
        "write the network as a float64 ONNX model or PyTorch archive, with the rounding gap",
    )
    p.add_argument("spec", metavar="SPEC", help="spec file (.toml, .json, .onnx; - for stdin)")
    p.add_argument("--onnx", metavar="FILE", help="write an ONNX model (float64) to FILE")
    p.add_argument(
        "--torch", metavar="FILE", help="write a torch.export archive (float64, .pt2) to FILE"
    )
    p.add_argument("--json", action="store_true", help="one JSON object")


def _gap_json(g: Gap) -> dict[str, object]:
    return {"place": g.place, "entries": g.entries, "largest": str(g.largest)}


def cmd_export(args: argparse.Namespace) -> int:
    """Write the spec's network to the files asked for, and report the rounding."""
    if not args.onnx and not args.torch:
        raise UsageError("symresnet export: error: give --onnx FILE, --torch FILE or both")
    check_outputs(
        [("the ONNX file (--onnx)", args.onnx), ("the PyTorch file (--torch)", args.torch)],
        inputs=[spec_input(args.spec)],
    )
    net = load_spec(args.spec).network
    written: list[tuple[str, str]] = []
    gaps: tuple[Gap, ...] = ()
    if args.onnx:
        gaps = write_onnx(net, args.onnx).gaps
        written.append(("onnx", args.onnx))
    if args.torch:
        gaps = write_torch(net, args.torch).gaps
        written.append(("torch", args.torch))
    rounded = [g for g in gaps if g.entries]
    largest = max((g.largest for g in gaps), default=0)
    if args.json:
        print_json(
            {
                "schema": 1,
                "files": [{"format": f, "path": p} for f, p in written],
                "dtype": "float64",
                "exact": not rounded,
                "largest_gap": str(largest),
                "largest_gap_approx": float(largest),
                "gaps": [_gap_json(g) for g in gaps],
            }
        )
        return EXIT_OK
    for fmt, path in written:
        print(f"wrote {path} ({fmt}, float64)")
    if not rounded:
        print("rounding gap: 0 (every weight is exact in float64)")
    else:
        print(f"rounding gap: max |exact - float| = {largest!s} (~{float(largest):.3g})")
        for g in rounded:
            print(f"  {g}")
    return EXIT_OK
