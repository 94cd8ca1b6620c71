"""Benchmark: the symbolic path of issue 16, on the command line, end to end.

Run from the repository root::

    python benchmarks/symbolic_bench.py           # every case, prints a Markdown table (~30 s)
    python benchmarks/symbolic_bench.py --quick   # the issue's network, leaky ReLU and ReLU (~5 s)

Each case writes a spec file to a temporary folder and times ``python -m symresnet ...`` in a
subprocess (wall clock, best of ``--repeat``, with the interpreter's start-up, which is about
1 s of each number), with ``--time-limit`` as the guard.  The cases:

* the 1-3-3-1-1 network of issue 16 at a symbolic input, ``eval SPEC --at x``, with leaky ReLU
  (``gamma = 1/10``: nine pieces), ReLU, clipping and Heaviside;
* the same leaky ReLU network with two parameters (``a`` in ``W_1`` and the input ``x``),
  ``check`` of a claim ``>= -1`` (it stopped at the expression-size limit before);
* ``check`` of ``tanh(1000) < 1`` and ``softplus(1000) > 1000`` (undecided before), and of a
  ReLU network whose bias is ``log(6) - log(2) - log(3)`` (an internal error before).

Before issue 16 (same machine, 2 cores): leaky ``eval --at x`` over 120 s (timed out; the issue
measured 6 min), the two-parameter ``check`` 18 s ending in the expression-size error.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS = """
[[layers]]
W = [[{w11}], [-1], [2]]
B = [0, 1, -3]

[[layers]]
W = [[1, 1, -1], [-1, 2, 1], [2, -1, 1]]
B = [-1, 0, 2]

[[layers]]
W = [[1, -2, 1]]
B = [1]

[[layers]]
W = [[2]]
B = [-1]
"""

ACTIVATIONS = {
    "leaky ReLU 1/10": '{ name = "leaky_relu", gamma = "1/10" }',
    "ReLU": '"relu"',
    "clip -1..2": '{ name = "clip", u = -1, v = 2 }',
    "Heaviside": '"heaviside"',
}


def issue_spec(activation: str, *, two_parameters: bool = False) -> str:
    head = f"activation = {activation}\ndims = [1, 3, 3, 1, 1]\n"
    body = LAYERS.format(w11='"a"' if two_parameters else "1")
    if not two_parameters:
        return head + body + "\n[parameters]\nx = {}\n"
    return (
        head
        + body
        + "\n[parameters]\nx = { min = -4, max = 4 }\na = { min = -2, max = 2 }\n"
        + '\n[[claims]]\ninput = ["x"]\nat_least = [-1]\n'
    )


def smooth_spec(activation: str, relation: str, value: str) -> str:
    return (
        f'activation = "{activation}"\ndims = [1, 1, 1]\n'
        "[[layers]]\nW = [[1]]\nB = [0]\n[[layers]]\nW = [[1]]\nB = [0]\n"
        f"[[claims]]\ninput = [1000]\n{relation} = [{value}]\n"
    )


LOG_SPEC = (
    'activation = "relu"\ndims = [1, 1, 1]\n'
    '[[layers]]\nW = [[1]]\nB = ["log(6) - log(2) - log(3)"]\n[[layers]]\nW = [[1]]\nB = [0]\n'
    "[[claims]]\ninput = [0]\nequals = [0]\n"
)


def cases(quick: bool) -> list[tuple[str, str, list[str]]]:
    """(name, spec text, command arguments with SPEC for the file)."""
    out = [
        (
            f"eval --at x, {name}",
            issue_spec(act),
            ["eval", "SPEC", "--at", "x"],
        )
        for name, act in ACTIVATIONS.items()
        if not quick or name.startswith(("leaky", "ReLU"))
    ]
    if quick:
        return out
    out.append(
        (
            "check, leaky ReLU, parameters a and x",
            issue_spec(ACTIVATIONS["leaky ReLU 1/10"], two_parameters=True),
            ["check", "SPEC"],
        )
    )
    out.append(("check tanh(1000) < 1", smooth_spec("tanh", "less", "1"), ["check", "SPEC"]))
    out.append(
        (
            "check softplus(1000) > 1000",
            smooth_spec("softplus", "greater", "1000"),
            ["check", "SPEC"],
        )
    )
    out.append(("check relu(log(6) - log(2) - log(3)) = 0", LOG_SPEC, ["check", "SPEC"]))
    return out


def run(args: list[str], limit: float) -> tuple[float, int, str]:
    command = [sys.executable, "-m", "symresnet", "--time-limit", str(limit), *args]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    lines = (done.stdout + done.stderr).strip().splitlines()
    return elapsed, done.returncode, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="the issue's network only, leaky ReLU and ReLU"
    )
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="best of N runs")
    parser.add_argument(
        "--time-limit", type=float, default=300, metavar="S", help="per command (default 300)"
    )
    options = parser.parse_args()
    repeat = max(1, options.repeat)
    print("| case | command | seconds | / start-up | exit | last line |")
    print("|---|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        # the baseline, measured in this run: start-up and reading the spec (`info`)
        spec = Path(folder) / "baseline.toml"
        spec.write_text(issue_spec(ACTIVATIONS["ReLU"]), encoding="utf-8")
        base = min(run(["info", str(spec)], options.time_limit) for _ in range(repeat))[0]
        print(f"| baseline | `symresnet info SPEC` | {base:.2f} | 1.0 | 0 | |")
        for i, (name, text, args) in enumerate(cases(options.quick)):
            spec = Path(folder) / f"case{i}.toml"
            spec.write_text(text, encoding="utf-8")
            argv = [str(spec) if a == "SPEC" else a for a in args]
            best, code, last = min(run(argv, options.time_limit) for _ in range(repeat))
            shown = " ".join("SPEC" if a == str(spec) else a for a in argv)
            print(
                f"| {name} | `symresnet {shown}` | {best:.2f} | {best / base:.1f} | {code} "
                f"| {last[:90]} |"
            )


if __name__ == "__main__":
    main()
