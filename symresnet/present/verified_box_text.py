"""Text and JSON of a :class:`~symresnet.verify.box_claims.VerifiedBoxVerdict`: a box claim
decided by the verification engine (docs/verification.md, "Box claims").

The lines and keys are those of a region-engine verdict (:mod:`symresnet.present.regions_text`)
with the engine's evidence in place of the regions and extrema: the JSON keeps every key of
docs/design.md, with ``"min"``/``"max"``/``"argmin"``/``"argmax"``/``"regions"`` ``null`` (not
computed), and adds ``"engine": "verify"`` and ``"verify": {"leaves", "certificate_bytes"}``.
"""

from __future__ import annotations

import json
from typing import Any

from symresnet.present.regions_text import _pv, _vec, box_claim_heading, point_evidence
from symresnet.verify.box_claims import VerifiedBoxVerdict

__all__ = ["verified_box_json", "verified_box_text"]


def _certificate_bytes(verdict: VerifiedBoxVerdict) -> int | None:
    if verdict.certificate is None:
        return None
    return len(json.dumps(verdict.certificate, separators=(",", ":")))


def verified_box_json(verdict: VerifiedBoxVerdict) -> dict[str, Any]:
    """The keys of a box claim's JSON (module docstring)."""
    c = verdict.claim
    return {
        "label": c.label,
        "quantifier": c.quantifier,
        "box": [[str(lo), str(hi)] for lo, hi in c.bounds],
        "relation": c.relation,
        "expected": _vec(c.expected),
        "holds": verdict.holds,
        "status": verdict.status,
        "min": None,
        "max": None,
        "argmin": None,
        "argmax": None,
        "attained": None,
        "counterexample": _pv(verdict.counterexample),
        "witness": _pv(verdict.witness),
        "regions": None,
        "facts": [],
        "engine": verdict.engine,
        "verify": {"leaves": verdict.leaves, "certificate_bytes": _certificate_bytes(verdict)},
    }


def verified_box_text(verdict: VerifiedBoxVerdict, *, title: str | None = None) -> str:
    """The claim, the engine's evidence, HOLDS / FALSE (as :func:`format_box_verdict`)."""
    lines = box_claim_heading(verdict.claim, title)
    if verdict.counterexample is None and verdict.witness is None:
        lines.append(
            f"  verify engine: {verdict.leaves} box{'es' * (verdict.leaves != 1)} of the split "
            "tree, certificate checked exactly (extrema: --engine regions)"
        )
    else:
        lines.append("  verify engine: an exact point, re-checked (extrema: --engine regions)")
    if verdict.holds:
        if verdict.witness is not None:
            lines.append(point_evidence("HOLDS", "witness", verdict.witness))
        else:
            lines.append("  HOLDS: proven on every box of the split tree (certificate checked)")
    elif verdict.counterexample is not None:
        lines.append(point_evidence("FALSE", "counterexample", verdict.counterexample))
    else:
        lines.append(
            "  FALSE: no input in the box satisfies it (proven on every box of the split tree, "
            "certificate checked)"
        )
    return "\n".join(lines)
