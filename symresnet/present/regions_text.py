"""Plain text and JSON for regions and box verdicts (docs/design.md, "Command line and JSON").

The engines build :class:`~symresnet.compute.regions.Decomposition` and
:class:`~symresnet.claims.box_verdict.BoxVerdict` data; this module only lays it out.  Exact numbers are
strings in sympy's form (``"-5/3"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, TypeAlias

from symresnet.claims.box_verdict import BoxVerdict, Extremum, PointValue
from symresnet.compute.linear_region import Region
from symresnet.compute.regions import Decomposition

#: the infima and the suprema of the output coordinates (:func:`symresnet.claims.box_decide.extrema`)
Extrema: TypeAlias = tuple[Sequence[Extremum], Sequence[Extremum]]

__all__ = [
    "affine_text",
    "box_verdict_json",
    "format_box_verdict",
    "format_regions",
    "inequality_text",
    "regions_json",
]


def _s(v: Fraction) -> str:
    return str(v)


def _vec(v: Sequence[Fraction]) -> list[str]:
    return [str(e) for e in v]


def _point_text(v: Sequence[Fraction]) -> str:
    return str(v[0]) if len(v) == 1 else "(" + ", ".join(map(str, v)) + ")"


def _linear(coeffs: Sequence[Fraction], var: str = "x") -> list[str]:
    """Signed terms ``["-5 x_1", "+ x_2"]`` of a linear form (zero terms left out)."""
    terms = []
    for i, c in enumerate(coeffs, start=1):
        if c == 0:
            continue
        mag = "" if abs(c) == 1 else f"{abs(c)} "
        sign = "-" if c < 0 else "+"
        terms.append(f"{sign} {mag}{var}_{i}")
    return terms


def _join(terms: list[str]) -> str:
    if not terms:
        return "0"
    first = terms[0]
    head = "-" + first[2:] if first.startswith("-") else first[2:]
    return " ".join([head, *terms[1:]])


def affine_text(coeffs: Sequence[Fraction], const: Fraction, var: str = "x") -> str:
    """``"-5 x_1 - 10"``."""
    terms = _linear(coeffs, var)
    if const != 0 or not terms:
        terms.append(f"{'-' if const < 0 else '+'} {abs(const)}")
    return _join(terms)


def inequality_text(row: Sequence[Fraction], rhs: Fraction, strict: bool = False) -> str:
    """``"-x_1 <= 2"`` (``<`` when strict)."""
    return f"{_join(_linear(row))} {'<' if strict else '<='} {rhs}"


def _box_text(bounds: Sequence[tuple[Fraction, Fraction]]) -> str:
    return " x ".join(f"[{lo}, {hi}]" for lo, hi in bounds)


def _extrema_lines(mins: Sequence[Extremum], maxs: Sequence[Extremum]) -> list[str]:
    lines = []
    for j, (lo, hi) in enumerate(zip(mins, maxs, strict=True), start=1):
        for word, ext, kind in (("min", lo, "an infimum"), ("max", hi, "a supremum")):
            where = (
                f"at x = {_point_text(ext.point)}"
                if ext.point is not None  # attained
                else f"(not attained: {kind})"
            )
            lines.append(f"{word} R_{j} = {ext.value} {where}")
    return lines


def format_regions(
    dec: Decomposition,
    *,
    title: str | None = None,
    extrema: Extrema | None = None,
    breakpoints: Sequence[Fraction] | None = None,
) -> str:
    """The regions one by one (pattern, inequalities, interior point, map), then the extrema
    and, for ``l_0 = 1``, the breakpoints."""
    head = f"{title}: " if title else ""
    where = _box_text(dec.domain.bounds) if dec.domain.bounds else "the polyhedron"
    lines = [
        f"{head}{len(dec.regions)} linear region{'s' * (len(dec.regions) != 1)} on {where} "
        f"({dec.method} engine)"
    ]
    shown = dec.pieces if dec.partition else dec.regions
    if dec.partition:
        lines.append(
            f"partition into {len(shown)} piece{'s' * (len(shown) != 1)} (every point in exactly one; "
            "rows with < are strict)"
        )
    for i, r in enumerate(shown, start=1):
        dim = "" if r.full_dimensional else " (lower-dimensional)"
        lines.append(f"region {i}: pattern {r.pattern_text}{dim}")
        lines += [
            f"  {inequality_text(row, bi, s)}"
            for row, bi, s in zip(r.A, r.b, r.strict, strict=True)
        ]
        lines.append(f"  point {_point_text(r.point)}")
        for j, (row, d) in enumerate(zip(r.C, r.d, strict=True), start=1):
            lines.append(f"  R_{j}(x) = {affine_text(row, d)}")
    if breakpoints is not None:
        lines.append("breakpoints: " + (", ".join(map(str, breakpoints)) or "none"))
    if extrema is not None:
        lines += _extrema_lines(*extrema)
    return "\n".join(lines)


def _ext_json(mins: Sequence[Extremum], maxs: Sequence[Extremum]) -> dict[str, Any]:
    return {
        "min": [_s(e.value) for e in mins],
        "max": [_s(e.value) for e in maxs],
        "argmin": [None if e.point is None else _vec(e.point) for e in mins],
        "argmax": [None if e.point is None else _vec(e.point) for e in maxs],
        "attained": all(e.attained for e in (*mins, *maxs)),
    }


def _region_json(r: Region) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pattern": [list(layer) for layer in r.pattern],
        "A": [_vec(row) for row in r.A],
        "b": _vec(r.b),
        "point": _vec(r.point),
        "C": [_vec(row) for row in r.C],
        "d": _vec(r.d),
    }
    if any(r.strict):
        out["strict"] = list(r.strict)
    if not r.full_dimensional:
        out["full_dimensional"] = False
    if r.vertices is not None:
        out["vertices"] = [_vec(v) for v in r.vertices]
    return out


def regions_json(
    dec: Decomposition,
    *,
    extrema: Extrema | None = None,
    breakpoints: Sequence[Fraction] | None = None,
) -> dict[str, Any]:
    """``{"count", "method", "box", "regions": [...], "min", "max", "argmin", "argmax",
    "attained", "breakpoints"}`` (``pieces``: the partition, with a discontinuous activation)."""
    out: dict[str, Any] = {
        "count": len(dec.regions),
        "method": dec.method,
        "box": [[_s(lo), _s(hi)] for lo, hi in dec.domain.bounds] if dec.domain.bounds else None,
        "regions": [_region_json(r) for r in dec.regions],
    }
    if dec.partition:
        out["pieces"] = [_region_json(r) for r in dec.pieces]
    if extrema is not None:
        out.update(_ext_json(*extrema))
    if breakpoints is not None:
        out["breakpoints"] = _vec(breakpoints)
    return out


def _pv(pv: PointValue | None) -> dict[str, list[str]] | None:
    return None if pv is None else {"input": _vec(pv.input), "value": _vec(pv.value)}


def box_verdict_json(verdict: BoxVerdict) -> dict[str, Any]:
    """A box claim: ``{"label", "quantifier", "box", "relation", "expected", "holds", "status",
    "min", "max", "argmin", "argmax", "attained", "counterexample", "witness", "regions",
    "facts"}``."""
    c = verdict.claim
    pieces = verdict.decomposition.pieces
    return {
        "label": c.label,
        "quantifier": c.quantifier,
        "box": [[_s(lo), _s(hi)] for lo, hi in c.bounds],
        "relation": c.relation,
        "expected": _vec(c.expected),
        "holds": verdict.holds,
        "status": verdict.status,
        **_ext_json(verdict.minimum, verdict.maximum),
        "counterexample": _pv(verdict.counterexample),
        "witness": _pv(verdict.witness),
        "regions": len(verdict.decomposition.regions),
        "facts": [
            {
                "region": f.piece + 1,
                "pattern": pieces[f.piece].pattern_text,
                "coordinate": f.coordinate + 1,
                "side": f.side,
                "bound": _s(f.value),
                "at": _vec(f.point),
                "multipliers": _vec(f.multipliers),
            }
            for f in verdict.facts
        ],
    }


def box_claim_heading(c: Any, title: str | None) -> list[str]:
    """The first lines of a box verdict: the title (if any) and the claim in words."""
    name = f"({c.label})" if c.label else "the claim"
    word = "for all" if c.quantifier == "forall" else "there is"
    statement = (
        f"{word} x in {_box_text(c.bounds)}: R(Phi, V)(x) {c.symbol} {_point_text(c.expected)}"
    )
    return [line for line in (title, f"{name} {statement}") if line]


def point_evidence(verdict_word: str, name: str, point: Any) -> str:
    """``HOLDS: witness x = ..., R(x) = ...`` (or ``FALSE: counterexample ...``), indented."""
    return f"  {verdict_word}: {name} x = {_point_text(point.input)}, R(x) = {_point_text(point.value)}"


def format_box_verdict(verdict: BoxVerdict, *, title: str | None = None) -> str:
    """A few lines: the claim, HOLDS / FALSE with the evidence, the extrema."""
    dec = verdict.decomposition
    lines = box_claim_heading(verdict.claim, title)
    lines.append(
        f"  {len(dec.regions)} linear region{'s' * (len(dec.regions) != 1)} ({dec.method} engine)"
    )
    lines += ["  " + line for line in _extrema_lines(verdict.minimum, verdict.maximum)]
    if verdict.holds:
        if verdict.witness is not None:
            lines.append(point_evidence("HOLDS", "witness", verdict.witness))
        else:
            lines.append(
                f"  HOLDS: proven region by region ({len(verdict.facts)} exact bounds, "
                "each re-checked)"
            )
    else:
        if verdict.counterexample is not None:
            lines.append(point_evidence("FALSE", "counterexample", verdict.counterexample))
        else:
            lines.append("  FALSE: no input in the box satisfies it")
    return "\n".join(lines)
