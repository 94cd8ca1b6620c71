"""Claims whose truth depends on parameters: the exact condition on the parameters."""

from __future__ import annotations

import sympy

__all__ = ["condition", "relational"]

_OPS = {
    "equals": sympy.Eq,
    "at_least": sympy.Ge,
    "at_most": sympy.Le,
    "greater": sympy.Gt,
    "less": sympy.Lt,
}


def relational(relation: str, lhs: sympy.Expr, rhs: sympy.Expr) -> sympy.Basic:
    """``lhs <relation> rhs`` as a sympy relational (``Eq``, ``Ge``, ...)."""
    return _OPS[relation](lhs, rhs)


def condition(point_claim, trace) -> sympy.Basic:
    """The exact condition on the free symbols under which ``point_claim`` holds."""
    parts = [
        relational(point_claim.relation, v, e)
        for v, e in zip(trace.output, point_claim.expected, strict=True)
    ]
    return sympy.And(*parts)
