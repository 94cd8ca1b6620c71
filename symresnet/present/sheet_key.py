"""The lecturer's answer key of a sheet and the sheet as JSON (layer *present*; docs/sheets.md).

:func:`key_lines` gives one line per part, from its :class:`~symresnet.explain.sheet.Answer`:
the exact value (point parts), the extremum over the box with a point attaining it (box parts)
or the exact condition on the parameters (parameter parts), the claimed value and the verdict::

    1(a) (1.161) R(-1) = -7; claimed = 0: false
    1(b) for all x in [-2, 1]: max R = 0 at x = (-2); claimed <= 0: true
    1(c) R(a) >= -10 exactly when -6 <= a <= -7/10: depends on the parameters

A variant's part (``Part.origin``, ``symresnet variants``) adds what the variant asks: a
parameter part the extremum over ``t`` (``; max_t R(t, -2) = -60``), a false part the mistake
that gives its claimed value (``; the claimed value -7 is what one gets when ...``).

:func:`sheet_json` is the sheet as one JSON object (the schema in docs/sheets.md): every part
carries the claim object of ``check --json`` (docs/design.md) with its ``letter`` and ``key``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy

from symresnet.claims.box_verdict import Extremum
from symresnet.explain.sheet import Answer, Part, Sheet, SheetProblem
from symresnet.present.printers import to_json
from symresnet.solve.readable import when_text
from symresnet.values.exact import exact_str

__all__ = ["VERDICT_WORDS", "key_line", "key_lines", "key_text", "sheet_json"]

#: the verdict of a part in the key, by status
VERDICT_WORDS = {
    "holds": "true",
    "fails": "false",
    "depends": "depends on the parameters",
    "undecided": "undecided",
}


def _vector(values: Sequence[sympy.Expr | Fraction]) -> str:
    texts = [exact_str(v) if not isinstance(v, Fraction) else str(v) for v in values]
    return texts[0] if len(texts) == 1 else "(" + ", ".join(texts) + ")"


def _output(i: int, n: int) -> str:
    return "R" if n == 1 else f"R_{i}"


def _extremum(side: str, name: str, e: Extremum) -> str:
    where = f" at x = ({', '.join(str(v) for v in e.point)})" if e.point is not None else ""
    if e.point is None:
        side = {"max": "sup", "min": "inf"}[side]
    return f"{side} {name} = {e.value}{where}"


def _box(a: Answer) -> str:
    box = " x ".join(f"[{lo}, {hi}]" for lo, hi in a.box)
    head = f"for all x in {box}" if a.quantifier == "forall" else f"exists x in {box}"
    sides = {
        "at_most": ("max",),
        "less": ("max",),
        "at_least": ("min",),
        "greater": ("min",),
        "equals": ("min", "max"),
    }[a.relation]
    n = len(a.maximum)
    found = []
    for i in range(n):
        for side in sides:
            e = (a.minimum if side == "min" else a.maximum)[i]
            found.append(_extremum(side, _output(i + 1, n), e))
    text = f"{head}: {', '.join(found)}"
    if a.point is not None:
        what = "counterexample" if a.quantifier == "forall" else "witness"
        text += f" ({what} x = {_vector(a.point.input)}, R = {_vector(a.point.value)})"
    return text


def _point(a: Answer) -> str:
    return f"R({', '.join(exact_str(e) for e in a.input)}) = {_vector(a.value)}"


def _parameter(a: Answer, problem: SheetProblem, part: Part) -> str:
    claim = f"R({', '.join(exact_str(e) for e in a.input)}) {a.relation.text} {_vector(a.expected)}"
    if a.status == "depends" and a.when is not None:
        return f"{claim} exactly when {when_text(a.when)}"
    ranges = _ranges(problem, part)
    if a.status == "holds":
        return f"{claim} for every {ranges}"
    if a.status == "fails":
        return f"{claim} for no {ranges}"
    return claim


def _ranges(problem: SheetProblem, part: Part) -> str:
    """``t in [0, 2]``, ``a, b in R``: the parameters of a part with their declared bounds."""
    names = sorted(s.name for s in problem.network.free_symbols | set(part.parameters))
    texts = []
    for name in names:
        p = problem.parameters.get(name)
        lo, hi = (None, None) if p is None else (p.min, p.max)
        if lo is not None and hi is not None:
            texts.append(f"{name} in [{exact_str(lo)}, {exact_str(hi)}]")
        elif lo is not None:
            texts.append(f"{name} >= {exact_str(lo)}")
        elif hi is not None:
            texts.append(f"{name} <= {exact_str(hi)}")
        else:
            texts.append(f"{name} in R")
    return ", ".join(texts) or "value of the parameters"


def _asked(part: Part) -> str:
    """``; max_t R(t, -2) = -60``: the extremum over ``t`` a variant's parameter part asks
    for (``Part.origin``, decided exactly when the variant was drawn), or nothing."""
    p = part.origin
    if p is None or p.kind != "parameter":
        return ""
    side = "max" if p.relation == "at_most" else "min"
    args = ", ".join(["t", *(str(x) for x in p.input)])
    return f"; {side}_t R({args}) = {p.value}"


def key_line(problem: SheetProblem, part: Part) -> str:
    """The key's line of one part (module docstring)."""
    a = part.answer
    label = part.label if part.label and part.label != part.letter else None
    head = f"{problem.number}({part.letter})" + (f" ({label})" if label else "")
    verdict = VERDICT_WORDS.get(a.status, a.status)
    if a.kind == "box":
        body = _box(a) + f"; claimed {a.relation.text} {_vector(a.expected)}"
    elif a.kind == "parameter":
        body = _parameter(a, problem, part) + _asked(part)
    else:
        body = _point(a) + f"; claimed {a.relation.text} {_vector(a.expected)}"
    line = f"{head} {body}: {verdict}"
    mistake = None if part.origin is None else part.origin.mistake_text()
    return line if mistake is None else f"{line}; {mistake}"


def key_lines(sheet: Sheet) -> list[str]:
    """One line per part of ``sheet``, in order."""
    return [key_line(problem, part) for problem, part in sheet.parts]


def key_text(sheet: Sheet) -> str:
    """The answer key as a text file: a heading, then a line per part."""
    head = "Answer key" + (f": {sheet.title}" if sheet.title else "")
    problems = []
    for problem in sheet.problems:
        title = f"Problem {problem.number}" + (f": {problem.title}" if problem.title else "")
        lines = [key_line(problem, part) for part in problem.parts]
        problems.append("\n".join([title, *lines]))
    return "\n\n".join([head, *problems]) + "\n"


def sheet_json(sheet: Sheet) -> dict[str, Any]:
    """The sheet as JSON (without ``schema``, which the command line adds): ``title`` and
    ``problems``, each ``{"number", "title", "source", "dims", "skips", "parts"}``; a part is the
    claim object of ``check --json`` with ``letter`` and ``key`` (its line of the answer key)."""
    return {
        "title": sheet.title,
        "problems": [
            {
                "number": problem.number,
                "title": problem.title,
                "source": problem.source,
                "dims": list(problem.network.dims),
                "skips": [[r, k] for r, k in problem.network.skips],
                "parts": [
                    {"letter": part.letter, **to_json(part.outcome), "key": key_line(problem, part)}
                    for part in problem.parts
                ],
            }
            for problem in sheet.problems
        ],
    }
