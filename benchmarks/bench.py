"""Benchmark: symresnet against a naive sympy.Matrix pass, direct python-flint, and numpy float64.

Run from the repository root (numpy is needed for the float baseline: ``pip install -e .[bench]``)::

    python benchmarks/bench.py            # the full table, writes docs/performance.md (~3 min)
    python benchmarks/bench.py --quick    # small networks only, prints the table (~20 s)

Every network is dense with random small fractions ``p/q`` (``|p| <= 9``, ``1 <= q <= 9``) as
weights, biases and skip matrices, skips ``(k-2, k)`` for ``k >= 2``, ReLU, and the inputs are
random small fractions too.  On the same networks and inputs it times

* **symresnet**: ``realize(net, x)`` for one point, ``realize_many(net, points)`` for a batch
  (the network's conversion to flint is cached per network and timed separately as *compile*);
* **sympy** / **sympy-Max**: the obvious ``sympy.Matrix`` forward pass, point by point, ReLU
  as ``e if e > 0 else 0`` / as ``sympy.Max(e, 0)`` (for large batches on a subset of the
  points, scaled up linearly: the table says so);
* **flint**: direct python-flint code, integer matrices over a common denominator, points as
  columns (weights converted beforehand, untimed);
* **numpy**: float64 (weights and inputs converted beforehand, untimed) -- not exact.

Each measurement runs in a forked child process, which reports its best time and its peak
resident memory above what it started with.  Every exact result is asserted equal to an
independent reference (``flint.fmpq_mat`` entry by entry); the run stops if one differs.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import platform
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # numpy single-threaded, like every other method here

import flint  # noqa: E402
import numpy as np  # noqa: E402
import sympy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symresnet import ResNet, realize, realize_many  # noqa: E402
from symresnet.compute import core, modular  # noqa: E402
from symresnet.compute.workers import PARALLEL_WORK, work  # noqa: E402
from symresnet.values.rationals import to_fmpq  # noqa: E402

CORES = len(os.sched_getaffinity(0))

# -- the networks ----------------------------------------------------------------------------------


@dataclass
class Net:
    """A random network as plain data (Fractions), plus the inputs."""

    width: int
    depth: int
    W: list[list[list[Fraction]]]
    B: list[list[Fraction]]
    V: dict[int, list[list[Fraction]]]  # k -> V_{k-2,k}
    points: list[list[Fraction]]
    resnet: ResNet | None = None
    build_seconds: float = 0.0
    prepared: dict[str, object] = field(default_factory=dict)


def random_net(width: int, depth: int, points: int, seed: int) -> Net:
    rng = random.Random(seed)

    def q() -> Fraction:
        return Fraction(rng.randint(-9, 9), rng.randint(1, 9))

    def mat(rows: int, cols: int) -> list[list[Fraction]]:
        return [[q() for _ in range(cols)] for _ in range(rows)]

    W = [mat(width, width) for _ in range(depth)]
    B = [[q() for _ in range(width)] for _ in range(depth)]
    V = {k: mat(width, width) for k in range(2, depth + 1)}
    xs = [[q() for _ in range(width)] for _ in range(points)]
    net = Net(width, depth, W, B, V, xs)

    def rat(m):
        return [[sympy.Rational(e.numerator, e.denominator) for e in row] for row in m]

    # the weights as a user hands them over (sympy Rationals); only ResNet(...) is timed
    Ws, Bs = [rat(w) for w in W], [rat([b])[0] for b in B]
    Vs = {(k - 2, k): rat(v) for k, v in V.items()}
    start = time.perf_counter()
    net.resnet = ResNet(W=Ws, B=Bs, skips=Vs, activation="relu")
    net.build_seconds = time.perf_counter() - start
    return net


# -- the exact reference: fmpq_mat, entry by entry (no common denominators) -------------------------


def fmpq_mat(rows: list[list[Fraction]]) -> flint.fmpq_mat:
    return flint.fmpq_mat([[flint.fmpq(e.numerator, e.denominator) for e in row] for row in rows])


def reference(net: Net, points: list[list[Fraction]]) -> list[list[flint.fmpq]]:
    n = len(points)
    X = fmpq_mat([list(col) for col in zip(*points, strict=True)])
    ones = flint.fmpq_mat(1, n, [1] * n)
    xs = [X]
    for k in range(1, net.depth + 1):
        z = fmpq_mat(net.W[k - 1]) * xs[-1] + fmpq_mat([[b] for b in net.B[k - 1]]) * ones
        if k in net.V:
            z = z + fmpq_mat(net.V[k]) * xs[k - 2]
        if k < net.depth:
            z = flint.fmpq_mat(z.nrows(), n, [e if e > 0 else 0 for e in z.entries()])
        xs.append(z)
    out = xs[-1]
    return [[out[i, j] for i in range(out.nrows())] for j in range(n)]


# -- the baselines ---------------------------------------------------------------------------------


def flint_prepare(net: Net) -> list[tuple[flint.fmpz, flint.fmpz_mat, flint.fmpz_mat, object]]:
    """Per layer: the common denominator q and q W_k, q B_k, q V_{k-2,k} as fmpz_mat."""
    layers = []
    for k in range(1, net.depth + 1):
        mats = [net.W[k - 1], [[b] for b in net.B[k - 1]]] + ([net.V[k]] if k in net.V else [])
        q = lcm(*(e.denominator for m in mats for row in m for e in row))
        ints = [flint.fmpz_mat([[int(e * q) for e in row] for row in m]) for m in mats]
        layers.append((flint.fmpz(q), ints[0], ints[1], ints[2] if k in net.V else None))
    return layers


def flint_forward(layers, points: list[list[Fraction]]) -> tuple[flint.fmpz_mat, flint.fmpz]:
    """Direct python-flint: x_k = N_k / d_k with integer N_k, the points as columns."""
    n = len(points)
    d = lcm(*(e.denominator for p in points for e in p))
    N = flint.fmpz_mat(
        [[e.numerator * (d // e.denominator) for e in col] for col in zip(*points, strict=True)]
    )
    xs = [(N, flint.fmpz(d))]
    ones = flint.fmpz_mat(1, n, [1] * n)
    zero = flint.fmpz(0)
    for k, (q, Wn, Bn, Vn) in enumerate(layers, start=1):
        N, d = xs[-1]
        z = Wn * N + (Bn * d if n == 1 else (Bn * d) * ones)
        if Vn is not None:
            Nr, dr = xs[k - 2]
            z = z + (Vn * Nr) * (d // dr)
        if k < len(layers):
            z = flint.fmpz_mat(z.nrows(), n, [e if e > zero else zero for e in z.entries()])
        xs.append((z, d * q))
    return xs[-1]


def sympy_prepare(net: Net):
    def m(rows):
        return sympy.Matrix([[sympy.Rational(e.numerator, e.denominator) for e in r] for r in rows])

    return (
        [m(w) for w in net.W],
        [m([[b] for b in bs]) for bs in net.B],
        {k: m(v) for k, v in net.V.items()},
    )


def _relu_if(e: sympy.Expr) -> sympy.Expr:
    return e if e > 0 else sympy.S.Zero


def _relu_max(e: sympy.Expr) -> sympy.Expr:
    return sympy.Max(e, 0)


#: the naive pass with ReLU as a Python comparison, and as sympy's Max (symresnet's symbolic ReLU)
SYMPY_RELU = {"sympy": _relu_if, "sympy-Max": _relu_max}


def sympy_forward(prepared, point: list[Fraction], relu=_relu_if) -> sympy.Matrix:
    """The naive pass: sympy.Matrix of Rationals, ReLU entry by entry."""
    W, B, V = prepared
    xs = [sympy.Matrix([sympy.Rational(e.numerator, e.denominator) for e in point])]
    for k in range(1, len(W) + 1):
        z = W[k - 1] * xs[-1] + B[k - 1]
        if k in V:
            z = z + V[k] * xs[k - 2]
        if k < len(W):
            z = z.applyfunc(relu)
        xs.append(z)
    return xs[-1]


def numpy_prepare(net: Net):
    W = [np.array(w, dtype=float) for w in net.W]
    B = [np.array(b, dtype=float)[:, None] for b in net.B]
    V = {k: np.array(v, dtype=float) for k, v in net.V.items()}
    X = np.array(net.points, dtype=float).T
    return W, B, V, X


def numpy_forward(prepared, X: np.ndarray) -> np.ndarray:
    W, B, V, _ = prepared
    xs = [X]
    for k in range(1, len(W) + 1):
        z = W[k - 1] @ xs[-1] + B[k - 1]
        if k in V:
            z += V[k] @ xs[k - 2]
        if k < len(W):
            np.maximum(z, 0, out=z)
        xs.append(z)
    return xs[-1]


# -- measuring -------------------------------------------------------------------------------------


def _status_kb(key: str) -> int:
    """A ``kB`` figure of /proc/self/status: VmRSS (resident now) or VmHWM (its peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def _reset_peak() -> None:
    """Forget the peak resident size inherited from the parent (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def busy_fraction(seconds: float = 0.5) -> float:
    """The fraction of all cores busy during ``seconds`` (from /proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_until_quiet(*, limit: float = 0.15, patience: float = 120.0) -> float:
    """Wait (at most ``patience`` s) until other processes leave the cores idle; returns the
    busy fraction seen last (the machine is shared: timings under load are not comparable)."""
    deadline = time.monotonic() + patience
    busy = busy_fraction()
    while busy > limit and time.monotonic() < deadline:
        busy = busy_fraction(1.0)
    return busy


#: how busy the machine was (other processes) just before each measurement
BUSY: list[float] = []
#: seconds to wait for an idle machine before each measurement (--patience)
PATIENCE = [120.0]


@dataclass
class Timing:
    seconds: float  # best CPU time of the repeats (this process and its workers)
    wall: float  # best wall-clock time of the repeats
    peak_mb: float  # peak resident memory above the start of the run
    check: str  # "exact", or the numpy error


def _child(conn, fn: Callable[[], object], check: Callable[[object], str], repeat: int) -> None:
    try:
        gc.collect()
        gc.freeze()  # the networks of all methods: no method pays for scanning them
        _reset_peak()
        start_rss = _status_kb("VmRSS")
        best_cpu, best_wall, result, spent = float("inf"), float("inf"), None, 0.0
        for _ in range(repeat):  # up to `repeat` runs, fewer once 2 s are spent
            cpu, wall = _cpu(), time.perf_counter()
            result = fn()
            cpu, wall = _cpu() - cpu, time.perf_counter() - wall
            best_cpu, best_wall, spent = min(best_cpu, cpu), min(best_wall, wall), spent + wall
            if spent > 2.0:
                break
        peak = _status_kb("VmHWM")
        mb = max(0, peak - start_rss) / 1024
        conn.send(("ok", (best_cpu, best_wall), mb, check(result)))
    except BaseException as err:  # report to the parent, which stops the run
        conn.send(("error", f"{type(err).__name__}: {err}", 0, ""))


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(fn: Callable[[], object], check: Callable[[object], str], *, repeat: int) -> Timing:
    """Run ``fn`` ``repeat`` times in a forked child; ``check`` asserts the result."""
    BUSY.append(wait_until_quiet(patience=PATIENCE[0]))
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(child, fn, check, repeat))
    proc.start()
    status, value, peak, verdict = parent.recv()
    proc.join()
    if status != "ok":
        raise SystemExit(f"benchmark failed: {value}")
    return Timing(value[0], value[1], peak, verdict)


def _same(got: list[list[flint.fmpq]], expected: list[list[flint.fmpq]], what: str) -> str:
    assert got == expected, f"{what}: the result differs from the exact reference"
    return "exact"


def _float_error(got: np.ndarray, expected: list[list[flint.fmpq]]) -> str:
    worst = 0.0
    for j, col in enumerate(expected):
        for i, q in enumerate(col):
            exact = Fraction(int(q.p), int(q.q))
            worst = max(worst, abs(float(exact) - got[i, j]) / max(1.0, abs(float(exact))))
    return f"rel. error {worst:.1e}"


def _scaled_columns(N: flint.fmpz_mat, d: flint.fmpz) -> list[list[flint.fmpq]]:
    return [[flint.fmpq(N[i, j], d) for i in range(N.nrows())] for j in range(N.ncols())]


# -- one configuration -----------------------------------------------------------------------------


@dataclass
class Row:
    width: int
    depth: int
    points: int
    sympy_points: int
    times: dict[str, Timing]
    compile_seconds: float
    above: bool  # the batch's estimated work is above symresnet's parallel threshold
    bits: tuple[int, int]
    build_seconds: float


def run_config(width: int, depth: int, points: int, sympy_points: int, *, seed: int) -> Row:
    net = random_net(width, depth, points, seed)
    print(
        f"  w={width} L={depth} n={points}: built the ResNet in {net.build_seconds:.1f}s",
        flush=True,
    )
    ref = reference(net, net.points)
    bits = (
        max(int(q.p).bit_length() for col in ref for q in col),
        max(int(q.q).bit_length() for col in ref for q in col),
    )
    resnet = net.resnet
    start = time.perf_counter()
    core.compiled(resnet)
    compile_seconds = time.perf_counter() - start
    repeat = 7

    if points == 1:

        def ours():
            return realize(resnet, net.points[0])

        def ours_check(trace):
            return _same([[to_fmpq(e) for e in trace.output]], ref, "symresnet")

        times = {"symresnet": measure(ours, ours_check, repeat=repeat)}
    else:

        def ours_check(batch):
            return _same([batch.outputs.values(j) for j in range(len(batch))], ref, "symresnet")

        times = {
            "symresnet": measure(
                lambda: realize_many(resnet, net.points, workers=1), ours_check, repeat=repeat
            )
        }

        def integer_core():  # the batch without the modular path (in the forked child only)
            modular.MIN_COLUMNS = 1 << 62
            return realize_many(resnet, net.points, workers=1)

        times["core"] = measure(integer_core, ours_check, repeat=repeat)
        times["parallel"] = measure(
            lambda: realize_many(resnet, net.points, workers=CORES), ours_check, repeat=repeat
        )

    layers = flint_prepare(net)
    times["flint"] = measure(
        lambda: flint_forward(layers, net.points),
        lambda r: _same(_scaled_columns(*r), ref, "flint"),
        repeat=repeat,
    )

    prepared = sympy_prepare(net)
    subset = net.points[:sympy_points]

    def sympy_check(outs):
        got = [[flint.fmpq(int(e.p), int(e.q)) for e in out] for out in outs]
        return _same(got, ref[: len(subset)], "sympy")

    for name, relu in SYMPY_RELU.items():
        t = measure(
            lambda relu=relu: [sympy_forward(prepared, p, relu) for p in subset],
            sympy_check,
            repeat=1,
        )
        scale = points / len(subset)
        times[name] = Timing(t.seconds * scale, t.wall * scale, t.peak_mb, t.check)

    npdata = numpy_prepare(net)
    times["numpy"] = measure(
        lambda: numpy_forward(npdata, npdata[3]),
        lambda r: _float_error(r, ref),
        repeat=repeat,
    )
    estimate = work(resnet, points)
    if modular.supports(core.compiled(resnet)):
        estimate /= modular.SPEEDUP
    above = points > 1 and estimate > PARALLEL_WORK
    return Row(
        width, depth, points, len(subset), times, compile_seconds, above, bits, net.build_seconds
    )


# -- whole-program figures -------------------------------------------------------------------------


def _best_of(argv: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
        best = min(best, time.perf_counter() - t)
    return best


def startup_figures() -> dict[str, float]:
    python = sys.executable
    bare = _best_of([python, "-c", "pass"])
    return {
        "python -c pass": bare,
        "python -c 'import symresnet'": _best_of([python, "-c", "import symresnet"]),
        "symresnet demo": _best_of(
            [python, "-m", "symresnet", "demo", "--out", "/tmp/symresnet-bench-demo"], 2
        ),
    }


# -- reporting -------------------------------------------------------------------------------------

METHODS = ("symresnet", "flint", "sympy", "sympy-Max", "numpy")


def _ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:,.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.3g} ms"


def table(rows: list[Row]) -> str:
    head = (
        "| width | depth | points | symresnet | integer core | flint | sympy | sympy-Max | numpy "
        "| sympy / symresnet | sympy-Max / symresnet | symresnet / flint | symresnet / numpy "
        f"| symresnet on {CORES} cores (wall) | above threshold "
        "| peak MB (sr / fl / sy / np) | output bits (num / den) "
        "| compile |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        t = {m: r.times[m].seconds for m in METHODS}
        scaled = "" if r.sympy_points == r.points else f" ({r.sympy_points} pts scaled)"
        peaks = " / ".join(
            f"{r.times[m].peak_mb:.0f}" for m in ("symresnet", "flint", "sympy", "numpy")
        )
        par = r.times.get("parallel")
        own = r.times.get("core")
        integer = _ms(own.seconds) if own else "-"
        spread = f"{_ms(par.wall)} (CPU {_ms(par.seconds)})" if par else "-"
        above = ("yes" if r.above else "no") if par else "-"
        lines.append(
            f"| {r.width} | {r.depth} | {r.points:,} | {_ms(t['symresnet'])} | {integer} "
            f"| {_ms(t['flint'])} "
            f"| {_ms(t['sympy'])}{scaled} | {_ms(t['sympy-Max'])}{scaled} | {_ms(t['numpy'])} "
            f"| {t['sympy'] / t['symresnet']:,.0f}x | {t['sympy-Max'] / t['symresnet']:,.0f}x "
            f"| {t['symresnet'] / t['flint']:.2f} | {t['symresnet'] / t['numpy']:,.0f}x "
            f"| {spread} | {above} | {peaks} "
            f"| {r.bits[0]:,} / {r.bits[1]:,} | {_ms(r.compile_seconds)} |"
        )
    return "\n".join(lines)


def targets(rows: list[Row]) -> list[str]:
    """The issue's acceptance ratios, where this run has the configuration."""
    out = []
    for r in rows:
        t = {m: r.times[m].seconds for m in METHODS}
        goals = {
            (128, 64, 1): ("width 128, depth 64, one point", 60),
            (32, 16, 1000): ("1,000 points, width 32, depth 16", 100),
        }
        if (r.width, r.depth, r.points) in goals:
            what, speedup = goals[r.width, r.depth, r.points]
            for naive in SYMPY_RELU:
                fast = t[naive] / t["symresnet"]
                out.append(
                    _verdict(f"{what}: {naive} / symresnet >= {speedup}", fast >= speedup, fast)
                )
            near = t["symresnet"] / t["flint"]
            out.append(_verdict(f"{what}: symresnet / flint <= 1.5", near <= 1.5, near))
            out.append(
                f"- for scale: the direct flint code itself is {t['sympy'] / t['flint']:,.0f}x "
                f"faster than sympy and {t['sympy-Max'] / t['flint']:,.0f}x faster than "
                f"sympy-Max here ({what})"
            )
    return out


def _verdict(text: str, ok: bool, ratio: float) -> str:
    return f"- {'PASS' if ok else 'FAIL'}: {text} (measured {ratio:,.2f})"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        info = ""
    for line in info.splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"python-flint {flint.__version__}, sympy {sympy.__version__}, numpy {np.__version__}"
    )


def write_doc(
    path: Path, rows: list[Row], checks: list[str], startup: dict[str, float], seconds: float
) -> None:
    build = max(rows, key=lambda r: r.width * r.width * r.depth)
    text = DOC.format(
        build_note=f"{build.build_seconds:.1f} s at width {build.width}, depth {build.depth}",
        date=time.strftime("%Y-%m-%d"),
        machine=machine(),
        table=table(rows),
        targets="\n".join(checks),
        seconds=seconds,
        busy=max(BUSY, default=0.0),
        startup="\n".join(f"| `{k}` | {_ms(v)} |" for k, v in startup.items()),
        import_cost=_ms(startup["python -c 'import symresnet'"] - startup["python -c pass"]),
    )
    path.write_text(text)


DOC = """# Performance

Measured by `python benchmarks/bench.py` on {date} ({machine}); the run took {seconds:.0f} s.
Rerun it the same way (it rewrites this page; `--quick` runs small networks only and prints the
table without writing; `--config W,D,N,M` runs one network of width W, depth D with N points, M
of them for sympy, and prints it).

## What is measured

Dense networks with random small fractions `p/q` (`|p| <= 9`, `1 <= q <= 9`) as every weight,
bias and skip entry, skips `(k-2, k)` for every `k >= 2`, ReLU; inputs random small fractions.
On the same networks and inputs:

* **symresnet** -- `realize(net, x)` for one point (the integer core, every layer kept for
  the trace), `realize_many(net, points, workers=1)` for batches (the multi-modular path of
  `symresnet.compute.modular`, see below). The conversion of the network's sympy matrices to flint
  happens once per network and is cached: "compile". **integer core** is the same batch with
  the modular path switched off (`symresnet.compute.core`, what `realize_many` falls back to for other
  activations). For batches "symresnet on N cores" is
  `realize_many(net, points, workers=N)` with all N cores: its wall-clock time, and its CPU
  time summed over the processes. By default `realize_many` spreads a batch over the *idle*
  cores only when its estimated work is above `symresnet.compute.workers.PARALLEL_WORK` ("above
  threshold"), and keeps it in one process otherwise.
* **flint** -- direct python-flint code: integer matrices over a common denominator, the
  points stacked as columns (weights converted before timing).
* **sympy** -- the obvious `sympy.Matrix` forward pass of Rationals, point by point, ReLU as a
  Python comparison (`e if e > 0 else 0`); **sympy-Max** -- the same with ReLU as sympy's
  `Max(e, 0)` (how symresnet's own symbolic path writes it). With flint as sympy's ground types
  a `Matrix` of Rationals multiplies through `DomainMatrix`, so the first is a strong baseline.
  For the big batches both run on the first points only ("N pts scaled") and the time is scaled
  linearly to all points: each point costs the same.
* **numpy** -- float64 on one thread, weights and inputs converted before timing. Not exact:
  shown for scale.

Each measurement runs in a forked child process; the time is the best of up to 7 runs (fewer
once 2 s are spent) in **CPU seconds** of that process (and of its worker processes, if any):
the machine is shared with other work, and CPU time is what one method costs regardless of
what else runs. Except in the "symresnet on N cores" column all methods run on one core, so
there CPU time and wall-clock time agree on an idle machine. Before each measurement the
benchmark waits (up to `--patience` seconds) until other processes leave the cores idle; the busiest moment at a
measurement's start was {busy:.0%} of the machine. In the child, the objects that exist before
the timed call (all the networks) are frozen out of the garbage collector (`gc.freeze()`), so
no method pays for the collector scanning the networks of the others. "peak MB" is the growth
of the child's resident memory (its peak `VmHWM`, reset at the start, minus its size then;
python-flint allocates outside Python's allocator, so tracemalloc would not see it).

Every exact result is asserted equal to an independent exact reference (`flint.fmpq_mat`,
entry by entry) inside the benchmark, which stops if one differs; "output bits" are the largest
numerator and denominator of the outputs, reduced.

## Results

{table}

Ratios (one run, one machine), for the issue's targets:

{targets}

The lean sympy pass is a strong baseline: sympy 1.14 on python-flint ground types multiplies a
`Matrix` of Rationals through `DomainMatrix` with flint's `fmpq`, so it pays Python overhead
per entry but not sympy's expression machinery (the issue measured the naive pass at 54 s for
1,000 points of width 32 and depth 16, about twice this lean pass). The "for scale" lines show
that hand-written flint code on integer matrices is not 100 times faster than it: for batches
symresnet gets there by not doing all the big-integer work (below).

## Start-up

| command | time |
|---|---|
{startup}

Importing symresnet costs {import_cost} over a bare interpreter: `symresnet/__init__.py` imports
nothing heavy (names load on first use; a test checks that `import symresnet` loads none of
sympy, python-flint, jinja2, numpy). `symresnet demo` includes writing the two derivations.

## Why it is fast

* A rational matrix is an integer matrix over one common denominator (`scaled.Scaled`), so a
  layer is one `fmpz_mat` product plus a few scalar rescalings -- no gcd per entry, no sympy
  objects. ReLU, leaky ReLU, clipping, Heaviside and RePU act on the numerators directly.
* A network is converted to flint once and cached per network object; a rational sympy matrix
  is taken over from its internal `DomainMatrix` without touching its entries.
* **Batches need only the signs.** With ReLU, leaky ReLU or Heaviside the exact computation
  is integer linear algebra once each hidden neuron's sign is known. `symresnet.compute.modular` runs
  a float64 pass with a rigorous error bound on every pre-activation (where `|z_hat| > e` the
  sign is certain), then the same integer recurrence as the core modulo word-sized primes
  (float64 BLAS products of residues, exact below `2**52`), using those signs; the few signs
  the floats leave open are settled exactly from their residues by Chinese remaindering, and
  the outputs are reconstructed by Garner's algorithm. When the error bounds outgrow the
  values (deep networks) the exact values are handed on to a fresh float pass ("segments").
  The result is the same exact `Scaled` output as the core's (asserted here against `fmpq`,
  and in `tests/compute/test_modular.py` against a Fraction reference). Values needing more than
  `modular.MAX_PRIMES` primes (about 900 bits) go to the integer core, which is faster there.
* A batch is one matrix with the points as columns; above a work threshold
  (`symresnet.compute.workers.PARALLEL_WORK`) the columns are split over processes, and over a Dask
  cluster with `--scheduler`.
* sympy matrices are built only when asked for (`Trace` converts a layer on first access, from
  reduced fmpq entries straight into sympy's own representation).

What stays slow: building a `ResNet` checks and converts every entry ({build_note} from sympy
Rationals; ints, Fractions and Rationals take a fast path, strings and decimals go through the
exact parser), and the first realization converts the weights (the "compile" column).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small networks, print only")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument(
        "--patience",
        type=float,
        help="seconds to wait for idle cores before each measurement (default 120; --quick: 0)",
    )
    parser.add_argument(
        "--config",
        action="append",
        metavar="W,D,N,M",
        help="only this network: width W, depth D, N points (M of them for sympy); print only",
    )
    args = parser.parse_args()
    if args.config:
        args.quick = True  # print, don't write the page
    PATIENCE[0] = args.patience if args.patience is not None else (0.0 if args.quick else 120.0)
    sys.set_int_max_str_digits(0)
    if args.config:
        configs = [tuple(int(v) for v in c.split(",")) for c in args.config]
    elif args.quick:
        configs = [(8, 8, 1, 1), (32, 16, 1, 1), (8, 8, 200, 200), (32, 16, 200, 20)]
    else:
        configs = [
            (8, 8, 1, 1),
            (32, 16, 1, 1),
            (64, 32, 1, 1),
            (128, 64, 1, 1),
            (8, 8, 1000, 1000),
            (32, 16, 1000, 50),
            (64, 32, 1000, 10),
        ]
    start = time.perf_counter()
    rows = []
    for i, (w, d, n, m) in enumerate(configs):
        rows.append(run_config(w, d, n, m, seed=i))
    print()
    print(table(rows))
    checks = targets(rows)
    print("\n".join(checks))
    if not args.quick:
        startup = startup_figures()
        for k, v in startup.items():
            print(f"{k}: {_ms(v)}")
        write_doc(Path(args.out), rows, checks, startup, time.perf_counter() - start)
        print(f"wrote {args.out}")
    if any(c.startswith("- FAIL") for c in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
