"""Plain-text atoms: exact entries, vectors ``(5; 11)`` and matrices ``(1 0; 0 1)``."""

from __future__ import annotations

import sympy

from symresnet.values.exact import exact_str

__all__ = ["entry", "format_matrix", "format_vector"]


def entry(e: sympy.Expr) -> str:
    """An exact entry; bracketed when it has spaces (``[x + 1]``)."""
    s = exact_str(e)
    return f"[{s}]" if " " in s else s


def format_matrix(m: sympy.MatrixBase) -> str:
    """``(1 0; 0 1)``: entries separated by spaces, rows by ``;``."""
    return "(" + "; ".join(" ".join(entry(e) for e in m.row(i)) for i in range(m.rows)) + ")"


def format_vector(v: sympy.MatrixBase) -> str:
    """A column vector as ``(5; 11)``."""
    return "(" + "; ".join(entry(e) for e in v) + ")"
