"""Benchmark: box claims over parameters (docs/parameters.md), each timed against a same-run
baseline, the exact box decider at one fixed value of the parameters (the unit of work the
parametric engines repeat per cell or per check).

    python benchmarks/parameter_bench.py          # prints a Markdown table

Networks: input dimension ``l_0``, one or two hidden ReLU layers, entries small integers
(seeded); the parameter ``b`` in some weights (``weights``), in the biases (``bias``: also the
extremum as a function), or ``a, b`` in the biases (``two``).  Claim: ``forall x in [0, 1]^l_0:
R(x) <= 3``.  Every answer is also re-checked here at 5 rational values against the fixed
decider (the run fails on a disagreement).
"""

from __future__ import annotations

import platform
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sympy  # noqa: E402

from symresnet import ResNet  # noqa: E402
from symresnet.claims.box import box_claim  # noqa: E402
from symresnet.claims.box_decide import decide_box  # noqa: E402

a, b = sympy.symbols("a b", real=True)


def network(kind: str, dims: list[int], seed: int) -> ResNet:
    rng = random.Random(seed)
    L = len(dims) - 1
    W = [
        [[rng.randint(-2, 2) for _ in range(dims[k - 1])] for _ in range(dims[k])]
        for k in range(1, L + 1)
    ]
    B = [[rng.randint(-1, 1) for _ in range(dims[k])] for k in range(1, L + 1)]
    if kind == "weights":
        W[0][0][0] = b
        W[-1][0][0] = b + W[-1][0][0]
    elif kind == "bias":
        B[0][0] = b
        B[-1][0] = B[-1][0] - b
    else:
        B[0][0] = b
        B[-1][0] = a
    return ResNet(W=W, B=B, activation="relu")


def substitute(net: ResNet, values: dict) -> ResNet:
    sub = {s: sympy.Rational(v.numerator, v.denominator) for s, v in values.items()}
    return net.replace(
        W=[w.subs(sub) for w in net.W],
        B=[v.subs(sub) for v in net.B],
        skips={k: v.subs(sub) for k, v in net.skips.items()},
    )


def run(kind: str, dims: list[int], seed: int) -> str:
    net = network(kind, dims, seed)
    box = [[0, 1]] * dims[0]
    claim = box_claim(net, quantifier="forall", box=box, relation="at_most", expected=3)
    syms = sorted(net.free_symbols, key=lambda s: s.name)
    t0 = time.perf_counter()
    decide_box(claim, substitute(net, {s: Fraction(1, 3) for s in syms}))
    unit = time.perf_counter() - t0
    t0 = time.perf_counter()
    v = claim.decide(net)
    took = time.perf_counter() - t0
    rng = random.Random(seed + 1)
    for _ in range(5):
        point = {s: Fraction(rng.randint(-40, 40), rng.randint(1, 5)) for s in syms}
        fixed = bool(decide_box(claim, substitute(net, point)).holds)
        when = v.when
        mine = bool(
            when.subs({s: sympy.Rational(q.numerator, q.denominator) for s, q in point.items()})
        )
        assert fixed == mine, (kind, dims, seed, point)
    detail = (
        f"{len(v.ends)} ends, {len(v.cells)} cells"
        if v.cells
        else (f"{len(v.breakpoints)} ends" if v.several is None else f"method {v.several.method}")
    )
    answer = str(v.when) if v.when is not None else v.status
    if len(answer) > 40:
        answer = answer[:37] + "..."
    return (
        f"| {kind} | {'-'.join(map(str, dims))} | {seed} | {detail} | `{answer}` | "
        f"{took:.2f} s | {unit:.3f} s | {took / unit:.0f} |"
    )


def main() -> None:
    print(f"{platform.machine()}, Python {platform.python_version()}")
    print("| parameters | dims | seed | work | answer | time | fixed decider | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, dims in [
        ("bias", [2, 3, 1]),
        ("bias", [2, 4, 3, 1]),
        ("weights", [1, 3, 1]),
        ("weights", [2, 3, 1]),
        ("weights", [2, 3, 2, 1]),
        ("two", [2, 3, 1]),
        ("two", [2, 4, 3, 1]),
    ]:
        print(run(kind, dims, 1), flush=True)


if __name__ == "__main__":
    main()
