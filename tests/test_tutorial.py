"""docs/tutorial.ipynb runs with a real Jupyter kernel and shows the book's numbers.

The expected values are computed here with the Fraction reference of tests/reference.py, not by
the package: Example 1.5.6 at 5 is 28, Exercise 1.5.1 at -1 is -7, the exercise's maximum on
[-2, 1] is 0, and with V_{0,4} = v the value at 5 is affine in v with root -33/5.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from reference import realization, relu

ROOT = Path(__file__).parents[1]
F = Fraction

EXAMPLE = dict(
    W=[[[F(1)]], [[F(1)], [F(2)]], [[F(1), F(0)], [F(0), F(1)]], [[F(2), F(2)]]],
    B=[[F(0)], [F(0), F(1)], [F(0), F(0)], [F(1)]],
)
EXERCISE = dict(
    W=[[[F(1)], [F(2)]], [[F(-1), F(2)], [F(3), F(-4)], [F(-5), F(6)]], [[F(-1), F(1), F(-1)]]],
    B=[[F(3), F(4)], [F(0), F(0), F(0)], [F(-4)]],
    skips={(0, 3): [[F(1)]], (1, 3): [[F(3), F(-2)]]},
)


def _example(x: Fraction, v: Fraction) -> Fraction:
    return realization(EXAMPLE["W"], EXAMPLE["B"], {(0, 4): [[v]]}, relu, [x])[-1][0]


def _exercise(x: Fraction) -> Fraction:
    return realization(EXERCISE["W"], EXERCISE["B"], EXERCISE["skips"], relu, [x])[-1][0]


def test_the_tutorial_runs_in_a_kernel_and_shows_the_books_numbers():
    nb = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "docs")}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    # Example 1.5.6, (1.149): V_{0,4} = -1
    assert f"Matrix([[{_example(F(5), F(-1))}]])" in text
    # Exercise 1.5.1: (1.161) is false
    assert f"False Matrix([[{_exercise(F(-1))}]])" in text
    # the box claim: the maximum on [-2, 1] over a fine exact grid (the pieces are affine between
    # the kinks -2, -5/3, -7/5, -9/7 of the book's exercise, which the grid contains)
    grid_max = max(_exercise(F(-2) + F(k, 105)) for k in range(3 * 105 + 1))
    assert f"True {grid_max}" in text
    # the study: R(5) = c0 + c1 v, zero at -c0/c1
    c0, c1 = _example(F(5), F(0)), _example(F(5), F(1)) - _example(F(5), F(0))
    root = -c0 / c1
    assert f"depends Eq(v, {root.numerator}/{root.denominator})" in text
    # every verdict and trace shows as LaTeX, and the plot is an image
    latex = [o for o in outputs if o.output_type in ("execute_result", "display_data") and "text/latex" in o.data]
    assert len(latex) >= 4
    assert any("image/png" in o.get("data", {}) for o in outputs)
