"""Sheets as data (symresnet.explain.sheet): parts lettered in order, answers exact.

Expected values are computed independently with the Fraction reference of tests/reference.py.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from reference import realization, relu

from symresnet.base.errors import ClaimError
from symresnet.explain.sheet import build_sheet
from symresnet.io.spec import load_spec, loads_spec

W = [[[1], [2]], [[-1, 2], [3, -4], [-5, 6]], [[-1, 1, -1]]]
B = [[3, 4], [0, 0, 0], [-4]]
SHEET = Path(__file__).parents[2] / "symresnet" / "examples" / "sheet-1.5.1.toml"
SKIPS = {(0, 3): [[1]], (1, 3): [[3, -2]]}


def reference(x: Fraction) -> Fraction:
    F = [[[Fraction(e) for e in row] for row in w] for w in W]
    return realization(F, B, SKIPS, relu, [x])[-1][0]


def test_sheet_of_exercise_151_has_three_parts_with_exact_answers():
    sheet = build_sheet([load_spec(SHEET)])
    (problem,) = sheet.problems
    assert [p.letter for p in problem.parts] == ["a", "b", "c"]
    a, b, c = (p.answer for p in problem.parts)
    assert a.kind == "point" and a.value == (reference(Fraction(-1)),) and a.holds is False
    grid = [Fraction(-2) + Fraction(i, 120) for i in range(361)]  # [-2, 1] in steps of 1/120
    assert b.kind == "box" and b.holds is True
    assert b.maximum[0].value == max(reference(x) for x in grid)
    assert c.kind == "parameter" and c.status == "depends"
    symbol = problem.parts[2].parameters[0]
    for x in grid[::7]:
        assert bool(c.when.subs(symbol, x)) == (reference(x) >= -10)


def test_a_spec_without_claims_is_refused():
    spec = loads_spec("[[layers]]\nW = [[1]]\nB = [0]\n", source="none.toml")
    with pytest.raises(ClaimError, match=r"none\.toml: claims"):
        build_sheet([spec])
