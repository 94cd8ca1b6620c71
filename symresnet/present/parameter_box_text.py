"""Text and JSON of a :class:`~symresnet.claims.parameter_box.ParameterBoxVerdict`."""

from __future__ import annotations

from typing import Any

import sympy

from symresnet.claims.parameter_box import ParameterBoxVerdict, Sample
from symresnet.claims.parameter_extremum import ExtremumFunction
from symresnet.present.latex import AtomPrinter, math_name
from symresnet.present.notebook import mathjax_plain
from symresnet.solve.readable import when_text
from symresnet.values.exact import exact_str
from symresnet.values.rationals import to_rational

__all__ = [
    "extremum_line",
    "parameter_box_json",
    "parameter_box_latex",
    "parameter_box_text",
]


def _values(v: ParameterBoxVerdict, s: Sample) -> list[tuple[str, str]]:
    """``[(name, value), ...]`` of the sample's parameter values."""
    if s.point:
        return [(t.name, exact_str(q)) for t, q in zip(v.symbols, s.point, strict=True)]
    return [(v.symbol.name, exact_str(s.value))]


def _at(v: ParameterBoxVerdict, s: Sample) -> str:
    """``b = 7`` or ``a = 9, b = 2``."""
    return ", ".join(f"{n} = {q}" for n, q in _values(v, s))


def _where(v: ParameterBoxVerdict) -> str:
    """The set where the claim holds, in words."""
    if v.several is not None:
        if v.when is None:
            return "some values, not all (the exact condition below)"
        return "no values" if v.when is sympy.false else when_text(v.when)
    return "no value" if v.set.is_empty else v.set.text(v.symbol.name)


def _sample_json(v: ParameterBoxVerdict, s: Sample | None, key: str) -> dict[str, Any] | None:
    if s is None:
        return None
    out: dict[str, Any] = {"parameters": dict(_values(v, s))}
    ev = getattr(s.verdict, key, None)
    if ev is not None:
        out["input"] = [exact_str(v) for v in ev.input]
        out["value"] = [exact_str(v) for v in ev.value]
    return out


def parameter_box_json(v: ParameterBoxVerdict) -> dict[str, Any]:
    return {
        "kind": "box",
        "label": v.claim.label,
        "quantifier": v.claim.quantifier,
        "relation": str(v.claim.relation),
        "expected": [exact_str(y) for y in v.claim.expected],
        "holds": v.holds,
        "status": v.status,
        "decided": v.status != "undecided",
        "when": None if v.when is None else str(v.when),
        "when_text": None if v.when is None else when_text(v.when),
        "breakpoints": _ends(v),
        "witness": _sample_json(v, v.witness, "witness"),
        "counterexample": _sample_json(v, v.counterexample, "counterexample"),
        **(
            {"undecided": str(v.undecided.relational(v.symbol))} if not v.undecided.is_empty else {}
        ),
        **({"extrema": [_extremum_json(e, v) for e in v.extrema]} if v.extrema else {}),
        **(_several_json(v) if v.several is not None else {}),
    }


def _several_json(v: ParameterBoxVerdict) -> dict[str, Any]:
    """Several parameters: their names, the method, and for a condition not reduced to the
    parameters the exact condition (``parse_expr``-readable, in ``x_1, ...``, for all / some
    ``x`` in the box)."""
    assert v.several is not None
    out: dict[str, Any] = {
        "parameters": [t.name for t in v.symbols],
        "method": v.several.method,
    }
    if v.several.condition is None:
        out["condition"] = {
            "quantifier": v.claim.quantifier,
            "box": [[exact_str(lo), exact_str(hi)] for lo, hi in v.claim.bounds],
            "inputs": [f"x_{i}" for i in range(1, len(v.claim.bounds) + 1)],
            "relation": v.several.note,
        }
    return out


def _extremum_json(e: ExtremumFunction, v: ParameterBoxVerdict) -> dict[str, Any]:
    """``{"side": "max", "coordinate": 1, "function": "Piecewise((5, b <= 1), (b + 4, True))",
    "pieces": [{"where": "b <= 1", "value": "5"}, ...]}`` (``parse_expr``-readable)."""
    b = v.symbol
    return {
        "side": e.side,
        "coordinate": e.coordinate + 1,
        "function": str(e.piecewise(b)),
        "pieces": [
            {"where": str(p.span().relational(b)), "value": exact_str(p.expr(b))} for p in e.pieces
        ],
    }


def extremum_line(e: ExtremumFunction, v: ParameterBoxVerdict) -> str:
    """``max R over the box: 5 for b <= 1, b + 4 for b >= 1`` (``R_2`` for coordinate 2)."""
    r = "R" if len(v.claim.expected) == 1 else f"R_{e.coordinate + 1}"
    return f"{e.side} {r} over the box: {e.text(v.symbol.name)}"


def _ends(v: ParameterBoxVerdict) -> list[str]:
    """The candidate ends, exact (``sqrt(2)``, ``CRootOf(...)``: readable by ``parse_expr``)."""
    if v.ends:
        return [str(e.expr()) for e in v.ends]
    return [exact_str(e) for e in v.breakpoints]


def parameter_box_text(v: ParameterBoxVerdict, *, title: str | None = None) -> str:
    name = v.symbol.name
    head = f"{title}: " if title else ""
    label = f"({v.claim.label})" if v.claim.label else "the claim"
    if v.status == "undecided" and v.several is not None:
        lines = [f"{head}{label}: {v.claim.quantifier} x in the box, UNDECIDED"]
    elif v.several is not None and v.when is None:
        names = ", ".join(t.name for t in v.symbols)
        lines = [
            f"{head}{label}: {v.claim.quantifier} x in the box, holds for some values of "
            f"{names}, not all"
        ]
    else:
        lines = [
            f"{head}{label}: {v.claim.quantifier} x in the box, holds exactly when {_where(v)}"
        ]
    if v.several is not None and v.several.condition is None:
        q = "every" if v.claim.quantifier == "forall" else "some"
        lines.append(f"  exact condition: for {q} x in the box, {v.several.note}")
    if v.several is not None:
        lines.append(
            f"  decided by: {'exact LP' if v.several.method == 'lp' else v.several.method}"
        )
    ends = _ends(v)
    if ends:
        lines.append("  candidate ends: " + ", ".join(ends))
    if not v.undecided.is_empty:
        lines.append(
            f"  undecided at {v.undecided.text(name)} (no z3, or z3 answered unknown there; "
            "pip install 'symresnet[z3]')"
        )
    lines += [f"  {extremum_line(e, v)}" for e in v.extrema]
    w, c = v.witness, v.counterexample
    if w is not None:
        lines.append(f"  holds at {_at(v, w)}")
    if c is not None:
        ev = getattr(c.verdict, "counterexample", None)
        tail = ""
        if ev is not None:
            xs = ", ".join(exact_str(x) for x in ev.input)
            ys = ", ".join(exact_str(y) for y in ev.value)
            tail = f": R({xs}) = {ys}"
        lines.append(f"  fails at {_at(v, c)}{tail}")
    return "\n".join(lines)


def parameter_box_latex(v: ParameterBoxVerdict) -> str:
    """The Jupyter display: the claim's answer as a sentence with the exact set in math
    (``... holds if and only if $b \\leq 6$``), then the parameter values where it was decided
    to hold and to fail."""
    P = AtomPrinter()
    name = math_name(v.symbol.name)
    label = mathjax_plain(f"({v.claim.label})" if v.claim.label else "The claim")
    quantifier = "for every" if v.claim.quantifier == "forall" else "for some"
    if v.several is not None:
        names = ", ".join(math_name(t.name) for t in v.symbols)
        when = v.when
        if when is None and v.status == "depends":
            answer = f"holds for some values of ${names}$ and fails for others"
        elif when is None:
            answer = "could not be decided exactly"
        elif when is sympy.false:
            answer = f"holds for no values of ${names}$"
        elif when is sympy.true:
            answer = f"holds for all values of ${names}$"
        else:
            answer = f"holds if and only if ${P.atom(when)}$"
    elif v.set.is_empty:
        answer = f"holds for no value of ${name}$"
    elif v.set.is_everything:
        answer = f"holds for every value of ${name}$"
    else:
        answer = f"holds if and only if ${P.atom(v.when)}$"
    parts = [f"{label} ({quantifier} input in the box) {answer}."]
    if not v.undecided.is_empty:
        parts.append(f"It is undecided at ${P.atom(v.undecided.relational(v.symbol))}$.")
    for e in v.extrema:
        r = (
            r"\mathcal{R}"
            if len(v.claim.expected) == 1
            else rf"\mathcal{{R}}_{{{e.coordinate + 1}}}"
        )
        rows = [
            rf"{P.atom(p.expr(v.symbol))} & \text{{if }} {P.atom(p.span().relational(v.symbol))}"
            if p.lo is not None or p.hi is not None
            else rf"{P.atom(p.expr(v.symbol))} & \text{{for every }} {name}"
            for p in e.pieces
        ]
        parts.append(
            f"$$\\{e.side}_{{x \\in \\text{{box}}}} {r}(x) = \\begin{{cases}}"
            + r" \\ ".join(rows)
            + r"\end{cases}$$"
        )
    if v.witness is not None:
        parts.append(f"It holds at ${_at_latex(v, v.witness, P)}$.")
    if v.counterexample is not None:
        parts.append(f"It fails at ${_at_latex(v, v.counterexample, P)}$.")
    return " ".join(parts)


def _at_latex(v: ParameterBoxVerdict, s: Sample, P: AtomPrinter) -> str:
    values = s.point or (s.value,)
    names = v.symbols if s.point else (v.symbol,)
    return ",\\ ".join(
        f"{math_name(t.name)} = {P.atom(to_rational(q))}"
        for t, q in zip(names, values, strict=True)
    )
