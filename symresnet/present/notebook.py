"""LaTeX for Jupyter's MathJax that the templates do not make: a symbolic realization's exact
pieces (``Pieces._repr_latex_``) and a claim that could not be decided (``Failure``).

The realization of Def. 1.5.4 with symbols in the input or the weights is piecewise polynomial
(:mod:`symresnet.compute.pieces`); in a notebook it is shown as one ``cases`` display, piece by
piece with its condition (a chain ``-3 < x \\leq -2`` for two bounds on one symbol, as the
terminal's ``eval --at x`` table), in what MathJax 3 knows (base and ams).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from symresnet.compute.pieces import Pieces
from symresnet.present.latex import AtomPrinter, Latex, join, math_name
from symresnet.solve.conditions import Constraint

__all__ = [
    "MAX_PIECES",
    "condition_latex",
    "failure_latex",
    "mathjax_plain",
    "pieces_latex",
    "plain_label",
]

#: pieces shown in one display; the rest are elided with ``\vdots`` (the JSON has them all)
MAX_PIECES = 40

_OPS = {"<": "<", "<=": r"\leq", ">": ">", ">=": r"\geq", "==": "="}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def condition_latex(conj: Sequence[Constraint], atoms: AtomPrinter | None = None) -> Latex:
    """``-3 < x \\leq -2``, ``x = -3``, ``a \\leq -2,\\ b > 1`` or ``\\text{always}``."""
    p = atoms or AtomPrinter()
    if not conj:
        return Latex(r"\text{always}")
    rels = [c.relational() for c in conj]
    if (
        len(rels) == 2
        and all(r.lhs.is_Symbol and r.rel_op != "==" for r in rels)
        and rels[0].lhs == rels[1].lhs
    ):
        lower = [r for r in rels if r.rel_op in (">", ">=")]
        upper = [r for r in rels if r.rel_op in ("<", "<=")]
        if len(lower) == 1 and len(upper) == 1:
            lo, hi = lower[0], upper[0]
            t = p.atom(lo.lhs)
            if lo.rhs == hi.rhs and lo.rel_op == ">=" and hi.rel_op == "<=":
                return Latex(f"{t} = {p.atom(lo.rhs)}")
            left = _OPS[_FLIP[lo.rel_op]]
            return Latex(f"{p.atom(lo.rhs)} {left} {t} {_OPS[hi.rel_op]} {p.atom(hi.rhs)}")
    return join((f"{p.atom(r.lhs)} {_OPS[r.rel_op]} {p.atom(r.rhs)}" for r in rels), r",\ ")


def _value(m: sympy.MatrixBase, p: AtomPrinter) -> str:
    if len(m) == 1:
        return p.atom(m[0])
    return r"\begin{pmatrix}" + r" \\ ".join(p.atom(e) for e in m) + r"\end{pmatrix}"


def pieces_latex(pieces: Pieces) -> Latex:
    """The realization piece by piece as a ``cases`` display, for MathJax."""
    p = AtomPrinter()
    names = join((math_name(s.name) for s in pieces.symbols), ", ")
    lhs = r"\bigl(\mathcal{R}(\Phi, V)\bigr)(x_{0})"
    shown = pieces.pieces[:MAX_PIECES]
    head = f"As a function of ${names}$:\n" if pieces.symbols else ""
    if len(pieces.pieces) == 1 and not pieces.pieces[0].condition:
        body = f"$${lhs} = {_value(pieces.pieces[0].value, p)}$$"
    else:
        rows = [
            f"{_value(q.value, p)} & \\text{{if }} {condition_latex(q.condition, p)}" for q in shown
        ]
        if len(pieces.pieces) > MAX_PIECES:
            rows.append(rf"\vdots & \text{{({len(pieces.pieces) - MAX_PIECES} more pieces)}}")
        body = f"$${lhs} = \\begin{{cases}}\n" + " \\\\\n".join(rows) + "\n\\end{cases}$$"
    tail = (
        "\n(Some pieces may be empty: their conditions were not decided exactly.)"
        if not pieces.decided
        else ""
    )
    return Latex(head + body + tail)


#: a zero-width space: splits what MathJax or an HTML parser would read as markup
_ZWSP = "\u200b"


def mathjax_plain(text: str) -> str:
    """Free text for the text around the formulas of a Jupyter display, shown as itself.

    MathJax looks there for ``$`` (written ``\\$``: ``processEscapes`` is on in Jupyter) and
    for ``\\(`` ``\\[`` and other backslash commands; the classic notebook inserts the string
    as HTML, where ``<b`` opens a tag and ``&amp;`` is an entity.  A zero-width space after
    every backslash, ``<`` and ``&`` keeps each of them a plain character in both readers (a
    user label ``a_b & 5% \\x`` shows as itself).
    """
    out = text
    for ch in ("\\", "<", "&"):
        out = out.replace(ch, ch + _ZWSP)
    out = out.replace("$", r"\$")
    return " ".join(out.split())


def plain_label(label: str | None) -> Latex | None:
    """A claim's label for the text of a Jupyter display (:func:`mathjax_plain`)."""
    return None if not label else Latex(mathjax_plain(label))


def failure_latex(name: str, message: str) -> str:
    """``(1.161) could not be decided: <the error, what to do>`` as plain text."""
    return mathjax_plain(f"{name[:1].upper()}{name[1:]} could not be decided: {message}")
