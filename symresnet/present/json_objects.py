"""JSON objects of the command line (docs/design.md, "Command line and JSON"): exact numbers as strings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from symresnet.claims.spec import Spec
from symresnet.claims.verdict import Verdict
from symresnet.compute.realization import Trace
from symresnet.present.study_text import StudyResult, pieces_json, study_json, sweep_json
from symresnet.solve.readable import when_text
from symresnet.values.exact import exact_str

__all__ = ["SCHEMA", "info_json", "strings", "study_output_json", "trace_json", "verdict_json"]

SCHEMA = 1


def strings(m: sympy.MatrixBase) -> list[str]:
    """Entries as exact strings in sympy's form (``"-7"``, ``"3/7"``)."""
    return [exact_str(e) for e in m]


def trace_json(trace: Trace) -> dict[str, Any]:
    """``{"input", "output", "layers": [{"k", "preactivation", "output"}]}``."""
    return {
        "input": strings(trace.input),
        "output": strings(trace.output),
        "layers": [
            {
                "k": layer.k,
                "preactivation": strings(layer.preactivation),
                "output": strings(layer.output),
            }
            for layer in trace.layers
        ],
    }


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """A point claim: ``{"label", "input", "relation", "expected", "value", "holds"}`` (+ ``when``)."""
    c = verdict.claim
    out: dict[str, Any] = {
        "label": c.label,
        "input": strings(c.input),
        "relation": c.relation,
        "expected": strings(c.expected),
        "value": strings(verdict.value),
        "holds": verdict.holds,
        "status": verdict.status,
    }
    if verdict.study is not None:  # a parameter study (symresnet.present.study_text)
        out.update(study_json(verdict.study))
    elif verdict.status == "depends":
        out["when"] = exact_str(verdict.when)
        out["when_text"] = when_text(verdict.when)
    if verdict.status == "undecided":
        out["note"] = verdict.note
        if verdict.study is None:
            out["value_approx"] = [str(sympy.N(e, 30)) for e in verdict.value]
    return out


def info_json(spec: Spec) -> dict[str, Any]:
    """``info --json``: ``L``, ``dims``, ``skips``, ``parameter_count``, ``activation``, ``parameters``."""
    net = spec.network
    return {
        "title": spec.title,
        "L": net.L,
        "dims": list(net.dims),
        "skips": [[r, k] for r, k in net.skips],
        "parameter_count": net.parameter_count,
        "activation": net.activation.to_spec(),
        "parameters": {
            name: {
                "min": None if p.min is None else exact_str(p.min),
                "max": None if p.max is None else exact_str(p.max),
            }
            for name, p in spec.parameters.items()
        },
    }


def study_output_json(spec: Spec, results: Sequence[StudyResult]) -> dict[str, Any]:
    """``symresnet study --format json``: one object per studied claim (or ``--at`` point)."""
    studies = []
    for _claim, x0, verdict, pieces, swept in results:
        item: dict[str, Any] = (
            verdict_json(verdict) if verdict is not None else {"input": strings(x0)}
        )
        if pieces is not None:
            item["pieces"] = pieces_json(pieces)["pieces"]
            item["piecewise"] = pieces_json(pieces)["output"]
        if swept is not None:
            item["sweep"] = sweep_json(swept)
        studies.append(item)
    return {"title": spec.title, "studies": studies}
