"""Benchmark: box claims ``for all x in [-1, 1]^n: R(x) <= y`` decided by the region engine
(``decide_box``: every linear region, exact LPs) and by the verification engine
(``symresnet.verify.box_claims.decide_claim(engine="verify")``), in the same run, same claims.

    python benchmarks/box_verify_bench.py            # n = 3, 4, 5; widths 2..10; depth 2
    python benchmarks/box_verify_bench.py --quick    # a small grid (under a minute)
    python benchmarks/box_verify_bench.py --write    # also update the table in docs/verification.md
    python benchmarks/box_verify_bench.py --wide     # widths 20, 30, 50: the verification engine
                                                     # alone (the region engine takes too long)

Networks: ``n`` inputs, two hidden ReLU layers of ``width`` neurons, one output; weights
``N(0, 2/fan_in)``, biases ``N(0, 1/4)`` rounded to multiples of 1/1000 (seeded).  Claims: ``y``
a tenth above the largest of 2,000 sampled values (``above``: true unless the sample missed
the top), a tenth below it (``below``: false) and the exact maximum that the region engine
found (``tight``: true, never refuted with a margin, so the verification engine's try, with its
budget, comes on top of the region engine).  Both engines must give the same verdict.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import re
import sys
import time
from fractions import Fraction as F
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symresnet import ResNet  # noqa: E402
from symresnet.claims.box import box_claim  # noqa: E402
from symresnet.claims.box_decide import decide_box  # noqa: E402
from symresnet.verify.box_claims import (  # noqa: E402
    VerifiedBoxVerdict,
    decide_box_verified,
    decide_claim,
)
from symresnet.verify.network_data import network_data  # noqa: E402


def random_network(n: int, width: int, seed: int) -> ResNet:
    rng = random.Random(seed)
    dims = [n, width, width, 1]

    def gauss(sd: float) -> F:
        return F(round(rng.gauss(0, sd) * 1000), 1000)

    W = [
        [[gauss(math.sqrt(2 / dims[k - 1])) for _ in range(dims[k - 1])] for _ in range(dims[k])]
        for k in range(1, 4)
    ]
    B = [[gauss(0.5) for _ in range(dims[k])] for k in range(1, 4)]
    return ResNet(W=W, B=B, activation="relu")


def run(n: int, width: int, seed: int) -> list[dict]:
    net = random_network(n, width, seed)
    X = np.random.default_rng(seed).uniform(-1, 1, (2000, n))
    top = float(network_data(net).forward(X).max())
    rows = []
    exact_max = None
    for kind in ("above", "below", "tight"):
        if kind == "tight":
            y = exact_max
        else:
            s = 1 if kind == "above" else -1
            y = F(top + s * (0.1 * abs(top) + 0.01)).limit_denominator(1000)
        claim = box_claim(
            net, quantifier="forall", box=[[-1, 1]] * n, relation="at_most", expected=[y]
        )
        t = time.perf_counter()
        old = decide_box(claim, net)
        t_old = time.perf_counter() - t
        t = time.perf_counter()
        new = decide_claim(claim, net, engine="verify")
        t_new = time.perf_counter() - t
        assert new.holds == old.holds, (n, width, seed, kind)
        exact_max = old.maximum[0].value
        rows.append(
            {
                "n": n,
                "width": width,
                "seed": seed,
                "claim": kind,
                "holds": old.holds,
                "regions": len(old.decomposition.regions),
                "old": t_old,
                "new": t_new,
                "routed": isinstance(new, VerifiedBoxVerdict),
                "leaves": new.leaves if isinstance(new, VerifiedBoxVerdict) else None,
            }
        )
        print(rows[-1], flush=True)
    return rows


def run_wide(n: int, width: int, seed: int) -> list[dict]:
    """The verification engine alone: ``above`` / ``below`` claims as in :func:`run`."""
    net = random_network(n, width, seed)
    X = np.random.default_rng(seed).uniform(-1, 1, (2000, n))
    top = float(network_data(net).forward(X).max())
    rows = []
    for kind, s in (("above", 1), ("below", -1)):
        y = F(top + s * (0.1 * abs(top) + 0.01)).limit_denominator(1000)
        claim = box_claim(
            net, quantifier="forall", box=[[-1, 1]] * n, relation="at_most", expected=[y]
        )
        t = time.perf_counter()
        new = decide_box_verified(claim, net, timeout=300)
        t_new = time.perf_counter() - t
        rows.append(
            {
                "n": n,
                "width": width,
                "seed": seed,
                "claim": kind,
                "holds": None if new is None else new.holds,
                "new": t_new,
                "leaves": None if new is None else new.leaves,
            }
        )
        print(rows[-1], flush=True)
    return rows


def wide_table(rows: list[dict], command: str) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()} "
        "(2 cores shared with other work), the verification engine alone, by",
        "",
        "```",
        command,
        "```",
        "",
        "| inputs | width | seed | y | holds | verify engine s | leaves |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        holds = "undecided" if r["holds"] is None else str(r["holds"])
        leaves = "-" if r["leaves"] is None else str(r["leaves"])
        lines.append(
            f"| {r['n']} | {r['width']} | {r['seed']} | {r['claim']} | {holds} | "
            f"{r['new']:.2f} | {leaves} |"
        )
    return "\n".join(lines)


def table(rows: list[dict], command: str) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()} "
        "(2 cores shared with other work), by",
        "",
        "```",
        command,
        "```",
        "",
        "| inputs | width | seed | y | holds | regions | region engine s | verify engine s | leaves | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = r["old"] / max(r["new"], 1e-9)
        leaves = "-" if r["leaves"] is None else str(r["leaves"])
        routed = "" if r["routed"] else " (fell back)"
        lines.append(
            f"| {r['n']} | {r['width']} | {r['seed']} | {r['claim']} | {r['holds']} | {r['regions']} | "
            f"{r['old']:.2f} | {r['new']:.3f}{routed} | {leaves} | {ratio:.0f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a small grid")
    ap.add_argument("--write", action="store_true", help="update docs/verification.md")
    ap.add_argument("--wide", action="store_true", help="widths 20-50, verification engine alone")
    args = ap.parse_args()
    if args.wide:
        rows = [
            r for n, w in [(3, 20), (3, 30), (3, 50), (5, 20), (5, 50)] for r in run_wide(n, w, 0)
        ]
        text = wide_table(rows, "python benchmarks/box_verify_bench.py --wide")
        print(text)
        if args.write:
            _write("box-bench-wide", text)
        return
    if args.quick:
        grid = [(3, 2), (3, 4), (3, 6), (4, 4)]
    else:
        grid = [(3, 2), (3, 3), (3, 4), (3, 6), (3, 8), (3, 10), (4, 4), (4, 6), (5, 4), (5, 6)]
    rows = [r for n, w in grid for r in run(n, w, seed=0)]
    command = "python benchmarks/box_verify_bench.py" + (" --quick" if args.quick else "")
    text = table(rows, command)
    print(text)
    if args.write:
        _write("box-bench", text)


def _write(marker: str, text: str) -> None:
    doc = ROOT / "docs" / "verification.md"
    body = doc.read_text()
    new = re.sub(
        f"<!-- {marker} -->.*<!-- /{marker} -->",
        lambda _: f"<!-- {marker} -->\n{text}\n<!-- /{marker} -->",
        body,
        flags=re.S,
    )
    doc.write_text(new)


if __name__ == "__main__":
    main()
