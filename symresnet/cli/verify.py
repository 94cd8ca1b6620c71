"""``symresnet verify NET PROP [--json] [--certificate FILE] [--timeout S] [--workers N]``.

Decides a VNN-LIB 1.0 property (docs/verification.md) for the ReLU network of a spec file.  The
first output line is the VNN-COMP result: ``sat`` (followed by the exact counterexample
``((X_0 v) ... (Y_0 v))``), ``unsat`` (after the independent checker accepted the certificate),
``unknown`` or ``timeout``.  NET is a spec file or an ``.onnx`` file (:mod:`symresnet.io.onnx`);
for an ONNX network a counterexample is also replayed in float32
(:mod:`symresnet.io.replay`), and the report says whether the float network agrees.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from symresnet.base.errors import InputError
from symresnet.cli.common import EXIT_OK, add_command, print_json, write_file
from symresnet.io.onnx import load_onnx_spec
from symresnet.io.replay import Replay, replay
from symresnet.io.spec import load_spec
from symresnet.io.vnnlib import load_vnnlib
from symresnet.verify.engine import VerifyResult, verify

__all__ = ["add_parser", "cmd_verify"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet verify``."""
    p = add_command(subparsers, "verify", cmd_verify, "decide a VNN-LIB property with exact evidence")
    p.add_argument("net", metavar="NET")
    p.add_argument("prop", metavar="PROP")
    p.add_argument("--json", action="store_true")
    p.add_argument("--certificate", metavar="FILE", default=None)
    p.add_argument("--timeout", type=float, default=None, metavar="S")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="N > 1: check leaves in N - 1 worker processes while the search goes on")
    p.add_argument("--check", choices=("fast", "stdlib"), default="fast",
                   help="check the certificate with flint matrices (fast) or the standard-library checker")


def _result_json(res: VerifyResult, replays: list[Replay]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "result": res.status,
        "leaves": res.leaves,
        "boxes": res.boxes,
        "proven": res.proven,
        "search_seconds": res.search_seconds,
        "check_seconds": res.check_seconds,
        "checked": res.checked,
        "detail": res.detail,
    }
    cx = res.counterexample
    if cx is not None:
        out["counterexample"] = {
            "case": cx.case,
            "x": [str(v) for v in cx.x],
            "y": [str(v) for v in cx.y],
            "x_approx": [float(v) for v in cx.x],
            "y_approx": [float(v) for v in cx.y],
            "float32_replay": [{"backend": r.backend, "y": list(r.y), "agrees": r.agrees} for r in replays],
        }
    return out


def cmd_verify(args: argparse.Namespace) -> int:
    """Print the VNN-COMP result of ``args.prop`` on ``args.net``."""
    is_onnx = str(args.net).endswith(".onnx")
    if args.timeout is not None and not args.timeout > 0:
        raise InputError("--timeout must be a positive number of seconds", place="--timeout")
    if args.workers < 1:
        raise InputError("--workers must be at least 1", place="--workers")
    net = (load_onnx_spec(args.net) if is_onnx else load_spec(args.net)).network
    prop = load_vnnlib(args.prop)
    if (prop.inputs, prop.outputs) != (net.dims[0], net.dims[-1]):
        raise InputError(
            f"the property has {prop.inputs} inputs and {prop.outputs} outputs, the network "
            f"l_0 = {net.dims[0]} and l_L = {net.dims[-1]}",
            file=str(args.prop), hint="use the property written for this network",
        )
    res = verify(net, prop, timeout=args.timeout, workers=args.workers, check=args.check)
    cx = res.counterexample
    replays = replay(args.net, cx.x, prop.cases[cx.case]) if is_onnx and cx is not None else []
    if args.certificate and res.certificate is not None:
        write_file(Path(args.certificate), json.dumps(res.certificate))
    if args.json:
        print_json(_result_json(res, replays))
        return EXIT_OK
    print(res.status)
    if cx is not None:
        pairs = [f"(X_{i} {v})" for i, v in enumerate(cx.x)] + [f"(Y_{j} {v})" for j, v in enumerate(cx.y)]
        print("(" + "\n ".join(pairs) + ")")
        for r in replays:
            verdict = "violates too" if r.agrees else "does NOT violate (rounding)"
            print(f"; float32 replay ({r.backend}): the float network {verdict}")
    elif res.detail:
        print(f"; {res.detail}; proven: {res.proven:.1%} of the input volume")
    return EXIT_OK
