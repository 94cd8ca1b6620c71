"""The printers of the printing protocol (:mod:`symresnet.base.printing`): text, LaTeX, JSON.

Each printer has one ``_print_<ClassName>`` method per engine type it lays out, and finds it by
the type of the object (``TextPrinter().doprint(verdict, title=...)``), so callers never ask a
verdict what kind it is.  The package facade registers these three for ``str()``,
``_repr_latex_`` and :func:`to_json`; the command line prints through them too.
"""

from __future__ import annotations

from typing import Any, ClassVar

from symresnet.base.printing import Printer
from symresnet.claims.box_verdict import BoxVerdict
from symresnet.claims.parameter_box import ParameterBoxVerdict
from symresnet.claims.verdict import Claim, Failure, Outcome, Verdict
from symresnet.compute.pieces import Pieces
from symresnet.compute.realization import Trace
from symresnet.present.json_objects import trace_json, verdict_json
from symresnet.present.notebook import failure_latex, mathjax_plain, pieces_latex
from symresnet.present.parameter_box_text import (
    parameter_box_json,
    parameter_box_latex,
    parameter_box_text,
)
from symresnet.present.regions_text import box_verdict_json, format_box_verdict
from symresnet.present.render import trace_latex, verdict_latex
from symresnet.present.study_text import format_pieces
from symresnet.present.text import format_trace, format_verdict
from symresnet.present.verified_box_text import verified_box_json, verified_box_text
from symresnet.verify.box_claims import VerifiedBoxVerdict

__all__ = ["JsonPrinter", "LatexPrinter", "TextPrinter", "to_json", "to_text"]


def _name(claim: Claim) -> str:
    return f"({claim.label})" if claim.label else "the claim"


class TextPrinter(Printer):
    """Plain text for terminals (``str()`` of traces and verdicts)."""

    kind: ClassVar[str] = "text"

    def _print_Trace(self, trace: Trace, *, title: str | None = None) -> str:
        return format_trace(trace, title=title)

    def _print_Verdict(self, verdict: Verdict, *, title: str | None = None) -> str:
        return format_verdict(verdict, title=title)

    def _print_BoxVerdict(self, verdict: BoxVerdict, *, title: str | None = None) -> str:
        return format_box_verdict(verdict, title=title)

    def _print_ParameterBoxVerdict(
        self, verdict: ParameterBoxVerdict, *, title: str | None = None
    ) -> str:
        return parameter_box_text(verdict, title=title)

    def _print_VerifiedBoxVerdict(
        self, verdict: VerifiedBoxVerdict, *, title: str | None = None
    ) -> str:
        return verified_box_text(verdict, title=title)

    def _print_Failure(self, failure: Failure, *, title: str | None = None) -> str:
        head = f"{title}: " if title else ""
        return f"{head}{_name(failure.claim)}: ERROR, not decided: {failure.message}"

    def _print_Pieces(self, pieces: Pieces, *, title: str | None = None) -> str:
        return (f"{title}\n" if title else "") + format_pieces(pieces)


class LatexPrinter(Printer):
    """LaTeX for Jupyter (``_repr_latex_``): the layers, and the verdict's solution."""

    kind: ClassVar[str] = "latex"

    def _print_Trace(self, trace: Trace) -> str:
        return trace_latex(trace)

    def _print_Verdict(self, verdict: Verdict) -> str:
        return verdict_latex(verdict)

    def _print_BoxVerdict(self, verdict: BoxVerdict) -> str:
        return verdict_latex(verdict)

    def _print_ParameterBoxVerdict(self, verdict: ParameterBoxVerdict) -> str:
        return parameter_box_latex(verdict)

    def _print_VerifiedBoxVerdict(self, verdict: VerifiedBoxVerdict) -> str:
        return mathjax_plain(verified_box_text(verdict))

    def _print_Failure(self, failure: Failure) -> str:
        return failure_latex(_name(failure.claim), failure.message)

    def _print_Pieces(self, pieces: Pieces) -> str:
        return pieces_latex(pieces)


class JsonPrinter(Printer):
    """The JSON objects of docs/design.md ("Command line and JSON"), as Python dicts."""

    kind: ClassVar[str] = "json"

    def _print_Trace(self, trace: Trace) -> dict[str, Any]:
        return trace_json(trace)

    def _print_Verdict(self, verdict: Verdict) -> dict[str, Any]:
        return {"kind": verdict.claim.kind, **verdict_json(verdict)}

    def _print_BoxVerdict(self, verdict: BoxVerdict) -> dict[str, Any]:
        return {"kind": verdict.claim.kind, **box_verdict_json(verdict)}

    def _print_ParameterBoxVerdict(self, verdict: ParameterBoxVerdict) -> dict[str, Any]:
        return parameter_box_json(verdict)

    def _print_VerifiedBoxVerdict(self, verdict: VerifiedBoxVerdict) -> dict[str, Any]:
        return {"kind": verdict.claim.kind, **verified_box_json(verdict)}

    def _print_Failure(self, failure: Failure) -> dict[str, Any]:
        return {
            "kind": failure.claim.kind,
            "label": failure.claim.label,
            "relation": str(failure.claim.relation),
            "holds": None,
            "status": failure.status,
            "error": failure.message,
        }


_TEXT = TextPrinter()
_JSON = JsonPrinter()


def to_text(obj: Trace | Outcome, *, title: str | None = None) -> str:
    """The plain text of a trace or a verdict of any kind."""
    return str(_TEXT.doprint(obj, title=title))


def to_json(obj: Trace | Outcome) -> dict[str, Any]:
    """The JSON object of a trace or a verdict of any kind."""
    result: dict[str, Any] = _JSON.doprint(obj)
    return result
