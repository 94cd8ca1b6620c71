"""Benchmark: seeded variants of issue 14, in one process, on one core.

Run from the repository root::

    python benchmarks/variants_bench.py           # 200 variants of variants-1.5.toml
    python benchmarks/variants_bench.py --quick   # 20 variants

It draws ``--count`` variants of the example template ``symresnet/examples/variants-1.5.toml``
(dims 2-3-3-3-1, two skips, three parts: point, box, parameter), writes them as spec files and
both exports (Moodle XML, QTI zip) and one exercise and solution sheet (.tex) with its answer
key per variant (``--no-sheets`` leaves them out), and prints the time of each stage.  The same-run baseline
decides the same variants' point claims again through the sympy realization path
(``symresnet.compute.realization.realize`` on the loaded spec), entry by entry, against the
flint core that the generator uses (:func:`symresnet.claims.variants.evaluate`): the ratio is
printed.  The sheets have a same-run baseline too: the first ``--baseline-sheets`` variants'
sheets again with the sympy-only paths (the exact piecewise-linear checks of
:mod:`symresnet.compute.pl_function` switched off in the derivation and in the realization's
``Max(0, .)``); their ``.tex`` must be byte for byte the same.  Figures are in docs/variants.md.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

import sympy

from symresnet.claims.variants import compile_net, draw_variants, evaluate
from symresnet.compute import realization
from symresnet.compute.pl_function import PLConverter
from symresnet.compute.realization import realize
from symresnet.explain import derivation
from symresnet.io.sheet_files import SheetFiles, write_variant_sheets
from symresnet.io.variants import load_template, variant_spec, write_exports, write_variants
from symresnet.model.activations import activation
from symresnet.present import latex

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "symresnet" / "examples" / "variants-1.5.toml"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="20 variants instead of --count")
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--no-sheets", action="store_true", help="leave out the sheets (.tex)")
    p.add_argument(
        "--baseline-sheets", type=int, default=5, help="sheets again the sympy-only way (0: none)"
    )
    args = p.parse_args()
    count = 20 if args.quick else args.count
    t = load_template(TEMPLATE)
    start = time.perf_counter()
    variants, dups = draw_variants(t, count=count, seed=args.seed)
    drawn = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_variants(t, variants, Path(tmp))
        written = time.perf_counter()
        write_exports(t, variants, Path(tmp))
        exported = time.perf_counter()
        if not args.no_sheets:  # one sheet per variant, on one core (workers=1)
            write_variant_sheets(t, variants, Path(tmp), SheetFiles(key=True), workers=1)
        sheeted = time.perf_counter()
        few = [] if args.no_sheets else variants[: args.baseline_sheets]
        if few:  # the same few variants both ways, each after clearing sympy's cache
            sympy.core.cache.clear_cache()
            latex._cached_atom.cache_clear()  # and the atoms' LaTeX
            f0 = time.perf_counter()
            write_variant_sheets(t, few, Path(tmp) / "again", SheetFiles(key=True), workers=1)
            f1 = time.perf_counter()
            slow_dir = Path(tmp) / "sympy-only"
            with _sympy_only():
                sympy.core.cache.clear_cache()  # no head start from the first pass's cache
                latex._cached_atom.cache_clear()
                b0 = time.perf_counter()
                write_variant_sheets(t, few, slow_dir, SheetFiles(key=True), workers=1)
                b1 = time.perf_counter()
            for path in sorted(slow_dir.iterdir()):
                assert path.read_bytes() == (Path(tmp) / path.name).read_bytes(), path.name
    tries = sum(v.tries for v in variants)
    print(
        f"{count} variants of {TEMPLATE.name}, seed {args.seed}: {tries} draws, {dups} duplicates"
    )
    print(f"draw and decide      {drawn - start:7.2f} s")
    print(f"spec files           {written - drawn:7.2f} s")
    print(f"Moodle XML + QTI zip {exported - written:7.2f} s")
    print(f"total                {exported - start:7.2f} s")
    if not args.no_sheets:
        per = (sheeted - exported) / max(1, len(variants))
        print(f"sheets .tex + key    {sheeted - exported:7.2f} s ({per:.2f} s a variant)")
        print(f"total with sheets    {sheeted - start:7.2f} s")
    if few:
        fast, slow = (f1 - f0) / len(few), (b1 - b0) / len(few)
        print(
            f"same run, the first {len(few)} sheets again: {fast:.2f} s a variant; the "
            f"sympy-only way {slow:.2f} s a variant ({slow / fast:.1f}x), the same .tex byte "
            "for byte"
        )
    # same-run baseline: the point claims again, flint core against the sympy path
    act = activation(t.activation)
    points = [(v, p.input) for v in variants for p in v.parts if p.kind == "point"]
    specs = {v.index: variant_spec(t, v) for v in variants}
    a = time.perf_counter()
    fast = [evaluate(compile_net(v.net, act), [x])[0][-1] for v, x in points]
    b = time.perf_counter()
    traced = [list(realize(specs[v.index].network, list(x)).output) for v, x in points]
    c = time.perf_counter()
    plain = [_sympy_realization(specs[v.index].network, x) for v, x in points]
    d = time.perf_counter()
    assert [list(map(str, f)) for f in fast] == [list(map(str, s)) for s in traced]
    assert [list(map(str, f)) for f in fast] == [list(map(str, s)) for s in plain]
    n = len(points)
    print(
        f"{n} point claims: flint core {b - a:.3f} s; realize() with its Trace {c - b:.3f} s "
        f"({(c - b) / (b - a):.1f}x); sympy matrices entry by entry {d - c:.3f} s "
        f"({(d - c) / (b - a):.1f}x)"
    )


@contextlib.contextmanager
def _sympy_only():
    """The derivation's checks and the realization's ``Max(0, .)`` without the exact
    piecewise-linear shortcuts (symresnet.compute.pl_function): the sympy paths alone."""
    saved = derivation.PLConverter, realization._sign_changes

    class _Never(PLConverter):
        def __call__(self, e):
            return None

    derivation.PLConverter, realization._sign_changes = _Never, (lambda network, x0: None)
    try:
        yield
    finally:
        derivation.PLConverter, realization._sign_changes = saved


def _sympy_realization(net, x):
    """Def. 1.5.4 with sympy matrices and ``Max(0, .)`` per entry (the baseline)."""
    xs = [sympy.Matrix([sympy.Rational(e.numerator, e.denominator) for e in x])]
    for k in range(1, net.L + 1):
        z = sympy.Matrix(net.W[k - 1]) * xs[-1] + sympy.Matrix(net.B[k - 1])
        for r, V in net.skips_into(k):
            z += sympy.Matrix(V) * xs[r]
        xs.append(z if k == net.L else z.applyfunc(lambda e: sympy.Max(0, e)))
    return list(xs[-1])


if __name__ == "__main__":
    main()
