"""Output of parameter studies and symbolic realizations: JSON objects and plain text.

JSON (docs/design.md, "Command line and JSON"): a parameter claim carries ``"holds"`` (``null`` when
it depends on the parameters), ``"when"`` (the exact condition, readable by ``sympy.parse_expr``
with the parameters as real Symbols), ``"witness": {"parameters": {"a": "-1"}}`` or ``null``,
``"counterexample"`` likewise, ``"decided"`` and, for one parameter, ``"set"``: the intervals
of the answer with exact ends.  A symbolic evaluation adds ``"pieces"``: ``[{"when", "value"}]``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import sympy

from symresnet.base.errors import StudyError
from symresnet.base.files import write_figure
from symresnet.claims.parameter import Study
from symresnet.claims.point import PointClaim
from symresnet.claims.spec import Spec
from symresnet.claims.sweep import Sweep, SweepRow
from symresnet.claims.verdict import Verdict
from symresnet.compute.pieces import Pieces
from symresnet.model.network import Matrix
from symresnet.present.plain import format_vector
from symresnet.solve.conditions import conjunction_text
from symresnet.solve.realsets import RealSet
from symresnet.values.exact import exact_str

__all__ = ["format_pieces", "pieces_json", "set_json", "study_json", "study_sentence"]

#: what ``symresnet study`` found for one target: the claim (``None`` for the realization at
#: ``--at``), the input, the verdict (``None`` without a claim), the exact pieces and the sweep
StudyResult: TypeAlias = tuple[
    PointClaim | None, Matrix, Verdict | None, Pieces | None, Sweep | None
]


def _strings(m: sympy.MatrixBase) -> list[str]:
    return [exact_str(e) for e in m]


def _point_json(point: Mapping[sympy.Symbol, sympy.Expr] | None) -> dict[str, Any] | None:
    if point is None:
        return None
    return {"parameters": {s.name: exact_str(v) for s, v in point.items()}}


def set_json(real_set: RealSet) -> list[dict[str, Any]]:
    """``[{"lo": "-oo", "hi": "-2", "lo_closed": false, "hi_closed": true}, ...]``."""
    return [
        {
            "lo": "-oo" if s.lo is None else exact_str(s.lo.expr()),
            "hi": "oo" if s.hi is None else exact_str(s.hi.expr()),
            "lo_closed": s.lo_closed,
            "hi_closed": s.hi_closed,
        }
        for s in real_set.spans
    ]


def study_json(study: Study) -> dict[str, Any]:
    """The keys a parameter study adds to a point claim's JSON object."""
    out: dict[str, Any] = {
        "parameters": [s.name for s in study.symbols],
        "when": exact_str(study.when),
        "when_text": study.text(),
        "witness": _point_json(study.witness),
        "counterexample": _point_json(study.counterexample),
        "decided": study.decided,
    }
    if study.set is not None:
        out["set"] = set_json(study.set)
    return out


def pieces_json(pieces: Pieces) -> dict[str, Any]:
    """``{"output": ["Piecewise(...)"], "pieces": [{"when", "value"}], "parameters", "decided"}``."""
    return {
        "output": _strings(pieces.piecewise()),
        "pieces": [{"when": exact_str(p.relational()), "value": _strings(p.value)} for p in pieces],
        "parameters": [s.name for s in pieces.symbols],
        "decided": pieces.decided,
    }


def _point_text(point: Mapping[sympy.Symbol, sympy.Expr]) -> str:
    return ", ".join(f"{s.name} = {exact_str(v)}" for s, v in point.items())


def study_sentence(name: str, statement: str, study: Study, value: str) -> str:
    """One sentence on a parameter claim: the exact set in readable form and examples."""
    names = ", ".join(s.name for s in study.symbols)
    domain = study.pieces.domain
    every = f"every value of {names}" + (f" with {conjunction_text(domain)}" if domain else "")
    if study.status == "holds":
        return f"{name} {statement}: HOLDS for {every} (the value is {value})"
    if study.status == "fails":
        return f"{name} {statement}: FALSE for {every}; the value is {value}"
    examples = []
    if study.witness is not None:
        examples.append(f"e.g. {_point_text(study.witness)}")
    if study.counterexample is not None:
        examples.append(f"false e.g. at {_point_text(study.counterexample)}")
    tail = f" ({'; '.join(examples)})" if examples else ""
    if study.status == "depends":
        return f"{name} {statement}: holds exactly when {study.text()}{tail}"
    return (
        f"{name} {statement}: UNDECIDED, holds exactly when {study.text()}{tail}; "
        "whether that can happen was not decided"
    )


def format_pieces(pieces: Pieces) -> str:
    """The realization piece by piece: ``  x <= -3:  x - 4``."""
    names = ", ".join(s.name for s in pieces.symbols)
    head = f"as a function of {names}:" if names else "value:"
    lines = [f"  {head}"]
    for p in pieces:
        value = _strings(p.value)
        shown = value[0] if len(value) == 1 else "(" + "; ".join(value) + ")"
        lines.append(f"    {p.text()}:  {shown}")
    if not pieces.decided:
        lines.append("    (some pieces may be empty: their conditions were not decided)")
    return "\n".join(lines)


# -- sweeps ---------------------------------------------------------------------------------------


def _value_text(m: sympy.MatrixBase) -> str:
    values = _strings(m)
    return values[0] if len(values) == 1 else "(" + "; ".join(values) + ")"


def _holds_text(holds: bool | None) -> str:
    return {True: "true", False: "false", None: "undecided"}[holds]


def _sweep_header(s: Sweep) -> list[str]:
    head = [o.symbol.name for o in s.swept]
    rows = s.rows[0].value.rows if s.rows else 1
    head += ["value"] if rows == 1 else [f"value[{i}]" for i in range(1, rows + 1)]
    if s.relation is not None:
        head.append("holds")
    return head


def _sweep_cells(s: Sweep, row: SweepRow) -> list[str]:
    cells = [exact_str(v) for _, v in row.parameters] + _strings(row.value)
    if s.relation is not None:
        cells.append(_holds_text(row.holds))
    return cells


def sweep_csv(s: Sweep) -> str:
    """The sweep as CSV: one row per grid point, exact values."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(_sweep_header(s))
    for row in s.rows:
        writer.writerow(_sweep_cells(s, row))
    return buf.getvalue()


def sweep_table(s: Sweep) -> str:
    """The sweep as an aligned text table, then its exact critical points."""
    grid = [_sweep_header(s)] + [_sweep_cells(s, row) for row in s.rows]
    widths = [max(len(r[i]) for r in grid) for i in range(len(grid[0]))]
    lines = [
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in grid
    ]
    ranges = ", ".join(f"{o.symbol.name} from {o.lo} to {o.hi}" for o in s.swept)
    fixed = ", ".join(f"{k.name} = {exact_str(v)}" for k, v in s.fixed.items())
    head = f"sweep of {ranges} in {s.steps} steps" + (f" ({fixed})" if fixed else "") + ":"
    out = [head, *lines]
    if len(s.swept) == 1:
        name = s.swept[0].symbol.name
        if s.critical:
            out.append("critical points:")
            for c in s.critical:
                value = "" if c.value is None else f", value {_value_text(c.value)}"
                out.append(f"  {name} = {exact_str(c.at)} ({' and '.join(c.kinds)}{value})")
        else:
            out.append("critical points: none in the range")
    return "\n".join(out)


def sweep_json(s: Sweep) -> dict[str, Any]:
    """``{"parameters", "fixed", "steps", "rows": [{"parameters", "value", "holds"}], "critical"}``."""
    name = s.swept[0].symbol.name if len(s.swept) == 1 else None
    return {
        "parameters": [o.symbol.name for o in s.swept],
        "ranges": {o.symbol.name: [exact_str(o.lo), exact_str(o.hi)] for o in s.swept},
        "fixed": {k.name: exact_str(v) for k, v in s.fixed.items()},
        "steps": s.steps,
        "rows": [
            {
                "parameters": {k.name: exact_str(v) for k, v in row.parameters},
                "value": _strings(row.value),
                **({"holds": row.holds} if s.relation is not None else {}),
            }
            for row in s.rows
        ],
        "critical": [
            {
                "parameters": {name: exact_str(c.at)},
                "kinds": list(c.kinds),
                "value": None if c.value is None else _strings(c.value),
            }
            for c in s.critical
        ],
    }


def format_study_text(spec: Spec, results: Sequence[StudyResult]) -> str:
    """``symresnet study`` as text: per claim the exact answer, the pieces, the sweep."""

    blocks = []
    for claim, x0, verdict, pieces, swept in results:
        lines = []
        point = _value_text(x0)
        if verdict is not None:
            assert claim is not None, "a verdict is on a claim"
            name = f"({claim.label})" if claim.label else "the claim"
            statement = f"R(Phi, V)({point}) {claim.symbol} {_value_text(verdict.claim.expected)}"
            value = _value_text(verdict.value)
            if verdict.study is not None:
                lines.append(study_sentence(name, statement, verdict.study, value))
            else:
                word = {"holds": "HOLDS", "fails": "FALSE"}.get(verdict.status, "UNDECIDED")
                lines.append(f"{name} {statement}: {word} (the value is {value})")
        else:
            lines.append(f"the realization R(Phi, V)(x_0) at x_0 = {format_vector(x0)}")
        if pieces is not None:
            lines.append(format_pieces(pieces))
        if swept is not None:
            lines.append(sweep_table(swept))
        blocks.append("\n".join(lines))
    head = f"{spec.title}\n" if spec.title else ""
    return head + "\n\n".join(blocks)


def plot_sweep(s: Sweep, path: str) -> None:
    """Plot the value against the swept parameter, exact critical points marked (matplotlib,
    ``pip install "symresnet[plot]"``; floats only here, for drawing)."""
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise StudyError(
            "--plot needs matplotlib: pip install 'symresnet[plot]'", place="--plot"
        ) from None
    name = s.swept[0].symbol.name
    points = [(row.parameters[0][1], row.value) for row in s.rows]
    points += [(c.at, c.value) for c in s.critical if c.value is not None]
    points.sort(key=lambda p: float(p[0]))
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    rows = s.rows[0].value.rows if s.rows else 1
    for i in range(rows):
        label = "value" if rows == 1 else f"value[{i + 1}]"
        ax.plot([float(p) for p, _ in points], [float(v[i]) for _, v in points], label=label)
    if s.relation is not None:
        good = [r for r in s.rows if r.holds]
        ax.scatter(
            [float(r.parameters[0][1]) for r in good],
            [float(r.value[0]) for r in good],
            color="tab:green",
            zorder=3,
            label="claim holds",
        )
    for c in s.critical:
        color = "tab:red" if "claim" in c.kinds else "0.4"
        ax.axvline(float(c.at), color=color, linestyle=":", linewidth=1)
        if c.value is not None:
            ax.plot([float(c.at)], [float(c.value[0])], marker="o", color=color, zorder=4)
        ax.annotate(
            f"{name} = {exact_str(c.at)}",
            (float(c.at), 0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=8,
            va="bottom",
            ha="right",
            color=color,
        )
    ax.set_xlabel(name)
    ax.set_ylabel("R(Phi, V)(x_0)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    write_figure(fig, path, dpi=120)
