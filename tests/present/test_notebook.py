"""present.notebook and templates/notebook.tex.j2: what Jupyter shows (``_repr_latex_``).

The structure of every display is checked here without MathJax (one alignment point a row of
every ``aligned``); tests/present/test_mathjax.py typesets the same displays with MathJax.
Expected values come from the book (Exercise 1.5.1: -7) or the Fraction reference.
"""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
import sympy
from conftest import EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W
from displays import display_objects
from hypothesis import given
from hypothesis import strategies as st
from reference import realization, relu

from symresnet import check, check_box, realization_pieces, realize
from symresnet.present.notebook import condition_latex, mathjax_plain
from symresnet.solve.conditions import constraint

x = sympy.Symbol("x", real=True)


def _rows(aligned: str) -> list[str]:
    """The rows of an aligned body, split at ``\\\\`` outside nested environments and braces."""
    rows, depth, current, i = [], 0, "", 0
    while i < len(aligned):
        if aligned.startswith(r"\begin{", i):
            depth += 1
        elif aligned.startswith(r"\end{", i):
            depth -= 1
        elif aligned[i] in "{}":
            depth += 1 if aligned[i] == "{" else -1
        if depth == 0 and aligned.startswith(r"\\", i):
            rows.append(current)
            current, i = "", i + 2
            continue
        current += aligned[i]
        i += 1
    return [*rows, current]


def _top_level_ampersands(row: str) -> int:
    count, depth = 0, 0
    for m in re.finditer(r"\\begin\{\w+\*?\}|\\end\{\w+\*?\}|[{}]|\\&|&", row):
        tok = m.group()
        if tok == "{" or tok.startswith(r"\begin"):
            depth += 1
        elif tok == "}" or tok.startswith(r"\end"):
            depth -= 1
        elif tok == "&" and depth == 0:
            count += 1
    return count


def test_the_row_counter_sees_the_old_bug():
    old = r"x_{0} = 5 \\ x_{4} &= \begin{pmatrix}1 & 2\end{pmatrix} \\ &\quad &= 28"
    assert [_top_level_ampersands(r) for r in _rows(old)] == [0, 1, 2]


@pytest.mark.parametrize(("name", "obj"), display_objects(), ids=lambda v: str(v)[:40])
def test_every_aligned_row_has_one_alignment_point(name, obj):
    text = obj._repr_latex_()
    blocks = re.findall(r"\\begin\{aligned\}(.*?)\\end\{aligned\}", text, flags=re.S)
    for body in blocks:
        counts = [_top_level_ampersands(r) for r in _rows(body.strip())]
        assert counts == [1] * len(counts), (name, body)
    # math delimiters are balanced: display math in pairs, and no $ left open
    assert text.count("$$") % 2 == 0
    assert re.sub(r"\\\$", "", text.replace("$$", "")).count("$") % 2 == 0


def test_the_book_exercise_display_ends_in_minus_seven(exercise):
    v = check(exercise, input=[-1], equals=[0], label="1.161")
    text = v._repr_latex_()
    assert r"x_{0} &= -1 \\" in text
    assert text.rstrip().endswith(
        r"(1.161) is false: $\bigl(\mathcal{R}^{\mathbf{R}}_{\mathfrak{r}}(\Phi, V)\bigr)(-1) = -7 \neq 0$."
    )
    assert "&\\quad &=" not in text


def test_trace_and_verdict_show_the_same_layers(example):
    trace, verdict = realize(example, [5]), check(example, input=[5], equals=[28])
    assert verdict._repr_latex_().startswith(trace._repr_latex_().rstrip())


#: Exercise 1.5.1 at a symbolic input: the pieces worked out by hand from (1.158)-(1.160)
EXERCISE_PIECES = [
    ("x - 4", r"x \leq -3", lambda t: t - 4),
    ("7 x + 14", r"-3 < x \leq -2", lambda t: 7 * t + 14),
    ("- 5 x - 10", r"-2 < x \leq -\frac{5}{3}", lambda t: -5 * t - 10),
    ("- 8 x - 15", r"-\frac{5}{3} < x < -\frac{7}{5}", lambda t: -8 * t - 15),
    ("- 3 x - 8", r"-\frac{7}{5} \leq x \leq -\frac{9}{7}", lambda t: -3 * t - 8),
    ("- 10 x - 17", r"x > -\frac{9}{7}", lambda t: -10 * t - 17),
]


def _piece(t: Fraction) -> int:
    """The index of the piece holding t, by the conditions written above."""
    if t <= -3:
        return 0
    if t <= -2:
        return 1
    if t <= Fraction(-5, 3):
        return 2
    if t < Fraction(-7, 5):
        return 3
    return 4 if t <= Fraction(-9, 7) else 5


def _reference(t: Fraction) -> Fraction:
    return realization(EXERCISE_W, EXERCISE_B, EXERCISE_SKIPS, relu, [t])[-1][0]


@given(st.fractions(min_value=-6, max_value=3, max_denominator=50))
def test_the_hand_worked_pieces_agree_with_the_reference(t):
    assert EXERCISE_PIECES[_piece(t)][2](t) == _reference(t)


def test_the_book_value_lies_on_its_piece():
    assert _reference(Fraction(-1)) == -7 == EXERCISE_PIECES[_piece(Fraction(-1))][2](-1)


def test_the_pieces_display_is_a_cases_block(exercise):
    text = realization_pieces(exercise, [x])._repr_latex_()
    rows = [f"{v} & \\text{{if }} {c}" for v, c, _ in EXERCISE_PIECES]
    assert text == (
        "As a function of $x$:\n$$\\bigl(\\mathcal{R}(\\Phi, V)\\bigr)(x_{0}) = \\begin{cases}\n"
        + " \\\\\n".join(rows)
        + "\n\\end{cases}$$"
    )


def test_pieces_print_as_the_eval_table(exercise):
    lines = str(realization_pieces(exercise, [x])).splitlines()
    assert lines[0] == "  as a function of x:"
    assert lines[1:] == [
        "    x <= -3:  x - 4",
        "    -3 < x <= -2:  7*x + 14",
        "    -2 < x <= -5/3:  -5*x - 10",
        "    -5/3 < x < -7/5:  -8*x - 15",
        "    -7/5 <= x <= -9/7:  -3*x - 8",
        "    x > -9/7:  -10*x - 17",
    ]


def test_conditions_read_as_chains():
    a, b = sympy.symbols("a b", real=True)
    lo = constraint(-3 - x, "<")  # x > -3
    hi = constraint(x + 2, "<=")  # x <= -2
    assert condition_latex((lo, hi)) == r"-3 < x \leq -2"
    assert condition_latex((constraint(-x - 3, "<="), constraint(x + 3, "<="))) == "x = -3"
    assert condition_latex(()) == r"\text{always}"
    both = (constraint(a + 2, "<="), constraint(1 - b, "<"))
    assert condition_latex(both) == r"a \leq -2,\ b > 1"


def test_a_box_display_names_its_evidence(exercise):
    holds = check_box(exercise, forall=[[-2, 1]], at_most=0)._repr_latex_()
    assert r"\text{for all } x \in \left[-2, 1\right]" in holds
    assert r"\begin{array}{rll}" in holds and r"\hline" in holds
    assert "holds on all 4 regions" in holds
    assert r"\bigl(\mathcal{R}^{\mathbf{R}}_{\mathfrak{r}}(\Phi, V)\bigr)(-2) = 0$." in holds
    false = check_box(exercise, forall=[[-2, 1]], less=0)._repr_latex_()
    assert r"is false: $x_{0} = -2 \in \left[-2, 1\right]$ is a counterexample" in false
    witness = check_box(exercise, exists=[[-4, 0]], equals=-7, label="w")._repr_latex_()
    assert r"(w) holds: $x_{0} = -3 \in \left[-4, 0\right]$ is a witness" in witness
    none = check_box(exercise, exists=[[-4, 0]], greater=0)._repr_latex_()
    assert "is false: no input in the box satisfies it (all 6 regions checked)" in none


def test_failures_are_plain_text_mathjax_leaves_alone():
    failure = dict(display_objects())["failure"]
    text = failure._repr_latex_()
    assert text.startswith("(e1) could not be decided: spec.toml: claims[1]: cost \\$5 {a}")
    assert "\\(" not in text and "\\)" not in text
    assert mathjax_plain("a $b$\n c") == r"a \$b\$ c"
