"""The piecewise ending of ``derive --at x`` in LaTeX: the cases block, the table of polyhedra,
each piece derived, equation numbers without holes, and a clean compile (no overfull box over
1pt, no LaTeX warning)."""

from __future__ import annotations

import itertools
import re

import sympy
from conftest import EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W

from symresnet import ResNet, realize
from symresnet.explain.tree import DerivationOptions
from symresnet.present.compile import compile_pdf
from symresnet.present.piecewiseviews import decimal
from symresnet.present.render import RenderOptions, document

x, y = sympy.symbols("x y", real=True)
EXERCISE = ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS)
TWO = ResNet(W=[[[1, -1], [2, 1]], [[1, 1]]], B=[[0, -1], [3]])
MERGED = ResNet(W=[[[1], [1]], [[1, 0]]], B=[[-1, 0], [0]])
OVERFULL = re.compile(r"Overfull \\hbox \(([0-9.]+)pt too wide\)")


def _flaws(log: str) -> list[str]:
    flaws = [m.group(0) for m in OVERFULL.finditer(log) if float(m.group(1)) > 1.0]
    return flaws + [line for line in log.splitlines() if "LaTeX Warning" in line]


def test_exercise_ends_in_cases_with_every_piece_derived():
    tex = document(realize(EXERCISE, [x]), title="Exercise 1.5.1")
    assert r"\begin{cases}" in tex
    assert r"7 x + 14 & \text{if } {-3 < x \leq -2}," in tex
    assert r"- 10 x - 17 & \text{if } {x > -\frac{9}{7}}" in tex
    for n, cond in enumerate([r"x \leq -3", r"-3 < x \leq -2", r"x > -\frac{9}{7}"]):
        assert f"Piece {(1, 2, 6)[n]}: ${cond}$." in tex
    # piece 2: x + 3 > 0 and 2x + 4 <= 0, so x_1 = (x + 3; 0), then R = 7x + 14
    assert r"it holds that $x + 3 > 0$ and $2 x + 4 \leq 0$" in tex
    assert r"= 7 x + 14$ for every $x$ with $-3 < x \leq -2$." in tex
    # the closed form with nested max and its names is gone
    assert r"\max" not in tex and "z_{3,1}" not in tex


def test_numbers_without_holes():
    tex = document(realize(EXERCISE, [x]), options=RenderOptions(first_equation="1.146"))
    tags = [float(t) for t in re.findall(r"\\tag\{([0-9.]+)\}", tex)]
    # data (4), recursion, identity, the cases (1), 6 pieces of 3 layers
    assert len(tags) == 4 + 2 + 1 + 18
    assert [round((b - a) * 1000) for a, b in itertools.pairwise(tags)] == [1] * (len(tags) - 1)


def test_one_piece_derived_when_asked():
    options = RenderOptions(derivation=DerivationOptions(piece=4))
    tex = document(realize(EXERCISE, [x]), options=options)
    assert "Piece 4:" in tex and "Piece 1:" not in tex
    assert "--piece N" in tex


def test_two_inputs_table():
    tex = document(realize(TWO, [x, y]))
    assert r"\begin{tabular}" in tex and r"\begin{cases}" not in tex
    assert r"2 & $x - y \leq 0$, $2 x + y > 1$ & $2 x + y + 2$ \\" in tex
    assert r"\bigr)(x, y)" in tex  # R(x, y), not R of a tall column


def test_merged_regions_say_so():
    tex = document(realize(MERGED, [x]))
    assert "Region 3:" in tex and "make up one piece above" in tex


def test_compiles_clean(latex):
    items = [realize(EXERCISE, [x]), realize(TWO, [x, y]), realize(MERGED, [x])]
    log = compile_pdf(document(items)).log
    assert _flaws(log) == []


def test_decimals_are_for_drawing_only():
    assert [decimal(sympy.Rational(n, d)) for n, d in ((-2, 7), (1, 2), (-99, 7), (5, 1))] == [
        "-0.285714",
        "0.5",
        "-14.142857",
        "5",
    ]


def test_plot_compiles_clean(latex):
    tex = document(
        realize(EXERCISE, [x]), options=RenderOptions(derivation=DerivationOptions(plot=True))
    )
    assert r"\usepackage{pgfplots}" in tex
    assert r"\addplot[color=blue!70!black, mark=none] coordinates {(-4, -8) (-3, -7)};" in tex
    assert r"x \in \{-3, -2, -\frac{5}{3}, -\frac{7}{5}, -\frac{9}{7}\}" in tex
    assert r"\usepackage{pgfplots}" not in document(realize(EXERCISE, [x]))
    log = compile_pdf(tex).log
    assert _flaws(log) == [] and "Package pgfplots Warning" not in log


def test_many_pieces_make_tables_that_fit_a_page(latex):
    # R(x) = sum_i (-1)^i max{x + i, 0}, i = 1..30: breakpoints at -30, ..., -1, 31 pieces
    W1 = [[1] for _ in range(30)]
    net = ResNet(W=[W1, [[(-1) ** i for i in range(30)]]], B=[list(range(1, 31)), [0]])
    # one layer a line: four 30-entry matrices on one data line overflow (the problem
    # statement's layout, not the piecewise ending's)
    tex = document(realize(net, [x]), options=RenderOptions(layers_per_line=1))
    assert r"\begin{cases}" not in tex and tex.count(r"\begin{tabular}") == 2
    assert r"31 & $x > -1$ & $-15$ \\" in tex
    assert "Piece 1:" in tex and "Piece 2:" not in tex  # more than 6: the first one derived
    log = compile_pdf(tex).log
    assert _flaws(log) == []


def test_affine_entries_count_at_their_printed_width():
    from symresnet.explain.tree import Atom, ValueTerm
    from symresnet.present.piecewiseviews import AffineWidths
    from symresnet.present.terms import TermPrinter

    base = TermPrinter(names={})
    wide = AffineWidths(base)
    number = ValueTerm(sympy.ImmutableMatrix([[3], [-7]]))
    affine = ValueTerm(sympy.ImmutableMatrix([[2 * x + 6], [x]]))
    assert wide.width(number) == base.width(number)
    # "2*x + 6" has 7 characters: 2.5pt more each than the estimate fitted to numbers
    assert wide.width(affine) == base.width(affine) + 2.5 * 7
    assert wide.term(Atom(2 * x + 6)) == base.term(Atom(2 * x + 6))
