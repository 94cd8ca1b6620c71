"""``symresnet study`` on box claims over one parameter (docs/parameters.md).

The exact set of values where each box claim holds (:mod:`symresnet.claims.parameter_box`),
over the range of ``--param NAME=LO..HI``, and a sweep: the exact minimum and maximum of the
realization over the box at each grid value (each decided by the exact box decider);
``--plot FILE`` draws them against the parameter.
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction
from typing import Any

import sympy

from symresnet.base.errors import StudyError
from symresnet.claims.box import BoxClaim
from symresnet.claims.box_decide import decide_box
from symresnet.claims.parameter_box import decide_parameter_box
from symresnet.claims.parameter_extremum import ExtremumFunction
from symresnet.claims.point import PointClaim
from symresnet.claims.spec import Spec
from symresnet.claims.sweep import check_grid, grid, parse_param
from symresnet.model.parameters import Parameter, substitute
from symresnet.present.parameter_box_plot import plot_extremum
from symresnet.present.printers import to_json, to_text
from symresnet.values.exact import exact_str

__all__ = ["study_boxes"]


def _fraction(q: Any) -> Fraction:
    return Fraction(int(q.p), int(q.q))


def _corners(e: ExtremumFunction, lo: Fraction, hi: Fraction) -> list[tuple[Fraction, Fraction]]:
    """The exact function at the ends of ``[lo, hi]`` and at its breakpoints inside."""
    ts = {lo, hi} | {t for p in e.pieces for t in (p.lo, p.hi) if t is not None and lo < t < hi}
    return [(t, e.at(t)) for t in sorted(ts)]


def study_boxes(spec: Spec, args: argparse.Namespace, names: dict[str, sympy.Symbol]) -> bool:
    """Study the spec's box claims if it has only box claims (and no ``--at``); ``False`` if
    the spec is not such a study."""
    boxes = [c for c in spec.claims if isinstance(c, BoxClaim)]
    if not boxes or any(isinstance(c, PointClaim) for c in spec.claims) or args.at is not None:
        return False
    options = [parse_param(t, names, bounds=spec.parameters) for t in args.param]
    swept = [o for o in options if o.is_range]
    if len(swept) != 1 or len(options) != 1:
        raise StudyError(
            "a box claim is studied over one parameter: give --param NAME=LO..HI", place="--param"
        )
    o = swept[0]
    check_grid(args.steps, 1)
    assert o.hi is not None
    lo, hi = sympy.Rational(o.lo), sympy.Rational(o.hi)
    bounds = {o.symbol.name: Parameter(o.symbol, lo, hi)}
    out: list[Any] = []
    texts: list[str] = []
    for claim in boxes:
        verdict = decide_parameter_box(claim, spec.network, bounds=bounds)
        rows = []
        for v in grid(lo, hi, args.steps):
            bv = decide_box(claim, substitute(spec.network, {o.symbol: v}))
            rows.append((_fraction(v), bv.minimum[0].value, bv.maximum[0].value, bv.holds))
        if args.format == "json":
            obj = to_json(verdict)
            obj["sweep"] = [
                {
                    "parameters": {o.symbol.name: exact_str(p)},
                    "min": exact_str(mn),
                    "max": exact_str(mx),
                    "holds": ok,
                }
                for p, mn, mx, ok in rows
            ]
            out.append(obj)
        else:
            table = [f"  {o.symbol.name:>10}  {'min R':>12}  {'max R':>12}  holds"]
            table += [
                f"  {exact_str(p):>10}  {exact_str(mn):>12}  {exact_str(mx):>12}  "
                f"{'yes' if ok else 'no'}"
                for p, mn, mx, ok in rows
            ]
            texts.append(to_text(verdict, title=spec.title) + "\n" + "\n".join(table))
        if args.plot:
            plot_extremum(
                o.symbol.name,
                [(p, mn, mx) for p, mn, mx, _ in rows],
                expected=claim.expected[0],
                ends=verdict.breakpoints,
                path=args.plot,
                exact=[
                    (
                        f"exact {e.side} (piecewise affine)",
                        _corners(e, _fraction(lo), _fraction(hi)),
                    )
                    for e in verdict.extrema
                    if e.coordinate == 0
                ],
            )
    if args.format == "json":
        print(json.dumps({"schema": 1, "claims": out}, indent=2))
    else:
        print("\n\n".join(texts))
    return True
