"""Benchmark: exact linear regions of 2-D-input ReLU ResNets, symresnet against a simple exact
reference written here (plain Fractions, the box polygon split by every neuron's zero line,
layer by layer), measured in the same run.  Both must find the same regions (same patterns).

    python benchmarks/regions_bench.py            # widths 8, 16, 32; depths 2..6; +- skips
    python benchmarks/regions_bench.py --quick    # a small grid (about a minute)
    python benchmarks/regions_bench.py --write    # also update the table in docs/regions.md

Networks: input dimension 2, ``depth`` hidden layers of ``width`` ReLU neurons, one output;
weights ``N(0, 2/fan_in)`` and biases ``N(0, 1/4)`` rounded to multiples of 1/1000 (seeded);
box ``[-2, 2]^2``.  With skips: ``V_{k-2,k} = I`` between hidden layers of equal width (He et
al.'s identity shortcuts), plus random ``V_{0,k}`` from the input into layer 2 and the output.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symresnet import ResNet  # noqa: E402
from symresnet.compute.polyhedra import Polyhedron  # noqa: E402
from symresnet.compute.regions import decompose  # noqa: E402

BOX = ((F(-2), F(2)), (F(-2), F(2)))


def random_network(width: int, depth: int, seed: int, *, skips: bool):
    """(dims, W, B, S) as nested lists of Fractions."""
    rng = random.Random(seed)
    dims = [2] + [width] * depth + [1]
    L = len(dims) - 1

    def gauss(sd: float) -> F:
        return F(round(rng.gauss(0, sd) * 1000), 1000)

    W = [
        [[gauss(math.sqrt(2 / dims[k - 1])) for _ in range(dims[k - 1])] for _ in range(dims[k])]
        for k in range(1, L + 1)
    ]
    B = [[gauss(0.5) for _ in range(dims[k])] for k in range(1, L + 1)]
    S: dict[tuple[int, int], list[list[F]]] = {}
    if skips:
        for k in range(3, L):
            S[(k - 2, k)] = [[F(int(i == j)) for j in range(width)] for i in range(width)]
        for k in sorted({min(2, L), L}):
            S[(0, k)] = [[gauss(0.5) for _ in range(2)] for _ in range(dims[k])]
    return dims, W, B, S


def reference(dims, W, B, S, box):
    """The simple exact reference: every polygon split by every neuron's zero line.

    Returns the sorted list of activation patterns of the regions."""
    (x0, x1), (y0, y1) = box
    zero = (F(0), F(0), F(0))
    ident = [(F(1), F(0), F(0)), (F(0), F(1), F(0))]
    polys = [([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], {0: ident}, ())]
    L = len(dims) - 1
    for k in range(1, L):
        out = []
        for verts, maps, pattern in polys:
            Z = []
            for i in range(dims[k]):
                form = [
                    sum((W[k - 1][i][j] * maps[k - 1][j][t] for j in range(dims[k - 1])), F(0))
                    for t in range(3)
                ]
                form[2] += B[k - 1][i]
                for (r, kk), V in S.items():
                    if kk == k:
                        for t in range(3):
                            form[t] += sum((V[i][j] * maps[r][j][t] for j in range(dims[r])), F(0))
                Z.append(tuple(form))
            pieces = [(verts, ())]
            for a, b, c in Z:
                nxt = []
                for pv, pat in pieces:
                    vals = [a * x + b * y + c for x, y in pv]
                    if any(v > 0 for v in vals) and any(v < 0 for v in vals):
                        neg, pos = [], []
                        m = len(pv)
                        for j in range(m):
                            u, su = pv[j], vals[j]
                            v, sv = pv[(j + 1) % m], vals[(j + 1) % m]
                            if su <= 0:
                                neg.append(u)
                            if su >= 0:
                                pos.append(u)
                            if (su < 0 < sv) or (sv < 0 < su):
                                t = su / (su - sv)
                                w = (u[0] + t * (v[0] - u[0]), u[1] + t * (v[1] - u[1]))
                                neg.append(w)
                                pos.append(w)
                        nxt += [(neg, (*pat, 0)), (pos, (*pat, 1))]
                    else:
                        nxt.append((pv, (*pat, int(any(v > 0 for v in vals)))))
                pieces = nxt
            for pv, pat in pieces:
                new = dict(maps)
                new[k] = [Z[i] if on else zero for i, on in enumerate(pat)]
                out.append((pv, new, (*pattern, pat)))
        polys = out
    return sorted(p for _, _, p in polys)


def run(width: int, depth: int, skips: bool, seed: int, *, with_reference: bool) -> dict:
    dims, W, B, S = random_network(width, depth, seed, skips=skips)
    text = lambda m: [[str(v) for v in row] for row in m]  # noqa: E731
    net = ResNet(
        W=[text(w) for w in W],
        B=[[str(v) for v in b] for b in B],
        skips={rk: text(v) for rk, v in S.items()},
    )
    t = time.perf_counter()
    dec = decompose(net, Polyhedron.box(BOX))
    ours = time.perf_counter() - t
    row = {
        "width": width,
        "depth": depth,
        "skips": skips,
        "regions": len(dec.regions),
        "ours": ours,
    }
    if with_reference:
        t = time.perf_counter()
        ref = reference(dims, W, B, S, BOX)
        row["reference"] = time.perf_counter() - t
        if ref != sorted(r.pattern for r in dec.regions):
            raise SystemExit(f"MISMATCH at width {width}, depth {depth}, skips {skips}")
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| width | depth | skips | regions | reference (s) | symresnet (s) | speed-up |",
        "|---:|---:|:---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ref = r.get("reference")
        lines.append(
            f"| {r['width']} | {r['depth']} | {'yes' if r['skips'] else 'no'} | {r['regions']} | "
            + (f"{ref:.2f} | " if ref is not None else "- | ")
            + f"{r['ours']:.3f} | "
            + (f"{ref / r['ours']:.0f}x |" if ref is not None else "- |")
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="widths 8, 16; depths 2..4")
    parser.add_argument("--write", action="store_true", help="update the table in docs/regions.md")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reference-up-to",
        type=int,
        default=32,
        metavar="WIDTH",
        help="run the reference only up to this width",
    )
    args = parser.parse_args()
    widths = (8, 16) if args.quick else (8, 16, 32)
    depths = range(2, 5) if args.quick else range(2, 7)
    rows = []
    for skips in (False, True):
        for width in widths:
            for depth in depths:
                row = run(
                    width, depth, skips, args.seed, with_reference=width <= args.reference_up_to
                )
                rows.append(row)
                print(table([row]).splitlines()[-1], flush=True)
    out = table(rows)
    stamp = (
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python "
        f"{platform.python_version()}, `python benchmarks/regions_bench.py"
        f"{' --quick' if args.quick else ''}` (seed {args.seed})."
    )
    print()
    print(out)
    if args.write:
        doc = ROOT / "docs" / "regions.md"
        text = doc.read_text(encoding="utf-8")
        block = f"<!-- bench:start -->\n{stamp}\n\n{out}\n<!-- bench:end -->"
        text = re.sub(
            r"<!-- bench:start -->.*?<!-- bench:end -->", lambda _: block, text, flags=re.S
        )
        doc.write_text(text, encoding="utf-8")
        print(f"wrote {doc}")


if __name__ == "__main__":
    main()
