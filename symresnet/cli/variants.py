"""``symresnet variants TEMPLATE --count N --seed S --out DIR`` and ``symresnet variants
--audit DIR``: seeded variants of a template, written as spec files with Moodle XML and QTI 1.2
exports, and their audit (docs/variants.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

from symresnet.base.errors import SpecError
from symresnet.base.files import write_atomic
from symresnet.claims.variant_audit import audit
from symresnet.claims.variants import VariantsError, draw_variant, draw_variants
from symresnet.cli.common import EXIT_OK, add_command, int_option
from symresnet.compute.workers import MAX_WORKERS, cores
from symresnet.io.sheet_files import SheetFiles, write_variant_sheets
from symresnet.io.variants import (
    load_template,
    template_from_data,
    variant_text,
    write_exports,
    write_variants,
)
from symresnet.present.variant_plot import save_audit_plot

__all__ = ["add_parser", "cmd_variants"]

MANIFEST = "variants.json"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``symresnet variants``."""
    p = add_command(
        subparsers,
        "variants",
        cmd_variants,
        "draw seeded variants of a template (spec files, Moodle XML, QTI zip)",
    )
    p.add_argument("template", metavar="TEMPLATE", nargs="?", help="variant template (.toml)")
    p.add_argument("--count", type=int_option(minimum=1, maximum=10_000, what="count"), default=10)
    p.add_argument("--seed", type=int_option(minimum=0, maximum=2**63, what="seed"), default=0)
    p.add_argument("--out", metavar="DIR", help="folder for the variants (default: variants)")
    p.add_argument("--audit", metavar="DIR", help="audit the variants written into DIR")
    p.add_argument(
        "--plot", metavar="FILE", help="with --audit: draw the audit into FILE (PNG, PDF, SVG)"
    )
    p.add_argument(
        "--sheets",
        action="store_true",
        help="also write each variant's exercise and solution sheets (.tex) and answer key",
    )
    p.add_argument(
        "--pdf", action="store_true", help="compile the sheets to PDF (implies --sheets)"
    )
    p.add_argument(
        "--workers",
        type=int_option(minimum=1, maximum=MAX_WORKERS, what="number of workers"),
        help="processes for the sheets (default: the cores)",
    )


def cmd_variants(args: argparse.Namespace) -> int:
    if args.audit:
        return _audit(Path(args.audit), args.plot)
    if args.plot:
        raise SpecError("--plot draws an audit: add --audit DIR", place="--plot")
    if args.audit is None and args.workers is not None and not (args.sheets or args.pdf):
        raise SpecError("--workers spreads the sheets: add --sheets or --pdf", place="--workers")
    if not args.template:
        raise SpecError("give a TEMPLATE (or --audit DIR)", place="variants")
    t = load_template(args.template)
    raw = Path(args.template).read_text(encoding="utf-8")
    out = Path(args.out or "variants")
    try:
        variants, dups = draw_variants(t, count=args.count, seed=args.seed)
    except VariantsError as err:
        raise err.located(file=args.template) from None
    write_variants(t, variants, out)
    moodle, qti = write_exports(t, variants, out)
    manifest = {
        "schema": 1,
        "template": raw,
        "seed": args.seed,
        "indices": [v.index for v in variants],
        "duplicates_skipped": dups,
    }
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    sheets = ""
    if args.sheets or args.pdf:
        files = SheetFiles(key=True, pdf=args.pdf)
        written = write_variant_sheets(t, variants, out, files, workers=args.workers or cores())
        sheets = f"; {len(written)} sheet files"
    true = sum(p.holds for v in variants for p in v.parts)
    parts = sum(len(v.parts) for v in variants)
    print(
        f"{len(variants)} variants (seed {args.seed}) in {out}: {true}/{parts} parts true, "
        f"{dups} duplicates skipped; {moodle.name}, {qti.name}{sheets}"
    )
    return EXIT_OK


def _audit(folder: Path, plot: str | None) -> int:
    place = str(folder / MANIFEST)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        t = template_from_data(tomllib.loads(manifest["template"]))
        seed, indices = int(manifest["seed"]), [int(i) for i in manifest["indices"]]
    except (OSError, ValueError, KeyError, TypeError, tomllib.TOMLDecodeError) as err:
        raise SpecError(
            f"not a variants folder ({err}): run symresnet variants first", file=place
        ) from None
    variants = [draw_variant(t, seed, i) for i in indices]
    changed = [
        v.index
        for v in variants
        if _read(folder / f"variant-{v.index:04d}.toml") != variant_text(t, v)
    ]
    report = audit(t, variants)
    sys.stdout.write(report.text())
    if plot:
        save_audit_plot(report, plot)
    print(
        f"spec files rebuilt identically from (seed, index): {len(variants) - len(changed)}"
        f"/{len(variants)}" + (f"; differ: {changed[:10]}" if changed else "")
    )
    return EXIT_OK if not changed else 1


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None
