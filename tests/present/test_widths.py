"""The width estimate of :mod:`symresnet.present.widths` and the line breaking that uses it
(:meth:`~symresnet.present.terms.TermPrinter.chain_lines`).

The estimate is checked against pdflatex itself (the widths of a few hundred printed terms,
measured with ``\\wd``), and by properties: it is monotone (a formula with more appended is
never narrower, a longer number is wider) and a chain broken for a width has no row wider than
that width by the estimate whenever its unbreakable pieces fit.
"""

from __future__ import annotations

import random
import re
import statistics
import subprocess
from pathlib import Path

import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symresnet.explain.tree import (
    Apply,
    Atom,
    Chain,
    Link,
    MatrixTerm,
    Product,
    Sum,
    ValueTerm,
    Var,
)
from symresnet.model.activations import activation
from symresnet.present.terms import TermPrinter
from symresnet.present.widths import latex_width

RELU = activation("relu")
P = TermPrinter()

entries = st.one_of(
    st.integers(-(10**6), 10**6).map(sympy.Integer),
    st.builds(sympy.Rational, st.integers(-999, 999), st.integers(1, 99)),
)


@st.composite
def matrices(draw, rows=None, cols=None):
    r = draw(st.integers(1, 8)) if rows is None else rows
    c = draw(st.integers(1, 8)) if cols is None else cols
    return sympy.Matrix(r, c, draw(st.lists(entries, min_size=r * c, max_size=r * c)))


@st.composite
def steps(draw):
    """``x_k = M(W_k x_{k-1} + B_k + V x_r) = M(substituted) = M(summed) = x_k``, of random
    sizes up to 8 and random exact entries."""
    k = draw(st.integers(1, 6))
    n, m = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    W, x, B = draw(matrices(n, m)), draw(matrices(m, 1)), draw(matrices(n, 1))
    skip = draw(st.booleans())
    symbolic = [Product((Var("W", (k,)), Var("x", (k - 1,)))), Var("B", (k,))]
    substituted = [Product((MatrixTerm(W), MatrixTerm(x))), MatrixTerm(B)]
    z = W * x + B
    if skip:
        r = draw(st.integers(1, 8))
        V, y = draw(matrices(n, r)), draw(matrices(r, 1))
        symbolic.append(Product((Var("V", (0, k)), Var("x", (0,)))))
        substituted.append(Product((MatrixTerm(V), MatrixTerm(y))))
        z = z + V * y
    dim = Atom(sympy.Integer(n))
    links = (
        Apply(RELU, dim, Sum(tuple(symbolic))),
        Apply(RELU, dim, Sum(tuple(substituted))),
        Apply(RELU, dim, ValueTerm(z)),
        ValueTerm(z.applyfunc(lambda e: sympy.Max(e, 0))),
    )
    return Chain(Var("x", (k,)), tuple(Link("equals", t) for t in links))


# -- the estimate against pdflatex ---------------------------------------------------------------


def _measured(formulas: list[str], folder: Path) -> list[float]:
    """The widths pdflatex gives ``formulas`` in a display of the document template's setup."""
    body = "\n".join(
        rf"\sbox0{{$\displaystyle {f}$}}\typeout{{WD {k} \the\wd0}}" for k, f in enumerate(formulas)
    )
    doc = (
        r"\documentclass[11pt]{article}\usepackage{amsmath}\usepackage{amssymb}"
        r"\renewcommand{\arraystretch}{1.15}\begin{document}" + "\n" + body + "\n\\end{document}\n"
    )
    (folder / "widths.tex").write_text(doc)
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "widths.tex"],
        capture_output=True,
        text=True,
        cwd=folder,
        check=False,
    )
    log = (folder / "widths.log").read_text()
    found = {int(k): float(v) for k, v in re.findall(r"WD (\d+) ([0-9.]+)pt", log)}
    assert len(found) == len(formulas), run.stdout[-2000:]
    return [found[k] for k in range(len(formulas))]


def _random_terms(n: int) -> list[str]:
    rng = random.Random(13)
    out = []
    for _ in range(n):
        r, c = rng.randint(1, 8), rng.randint(1, 8)
        values = [
            sympy.Rational(rng.randint(-9999, 9999), rng.choice([1, 1, 2, 7, 30, 101]))
            for _ in range(r * c)
        ]
        m = sympy.Matrix(r, c, values)
        x = sympy.Symbol("x")
        kind = rng.randrange(4)
        if kind == 0:
            out.append(P.matrix(m))
        elif kind == 1:
            out.append(P.term(Apply(RELU, Atom(sympy.Integer(r)), ValueTerm(m[:, 0]))))
        elif kind == 2:
            out.append(P.atom(sympy.Max(0, values[0] * x + values[-1])))
        else:
            out.append(P.term(Product((MatrixTerm(m), MatrixTerm(m[0, :].T)))))
    return out


def test_the_estimate_is_close_to_pdflatex(latex, tmp_path):
    formulas = _random_terms(120)
    real = _measured(formulas, tmp_path)
    ratios = [latex_width(f) / w for f, w in zip(formulas, real, strict=True)]
    assert all(0.85 <= q <= 1.3 for q in ratios), sorted(ratios)[:3] + sorted(ratios)[-3:]
    assert statistics.median(ratios) >= 1.0  # it errs on the wide side


# -- properties ----------------------------------------------------------------------------------


@given(matrices(), matrices())
@settings(max_examples=60, deadline=None)
def test_appending_never_narrows(a, b):
    left, right = P.matrix(a), P.matrix(b)
    for joined in (left + " + " + right, left + right, left + " = " + right):
        assert latex_width(joined) >= latex_width(left)
        assert latex_width(joined) >= latex_width(left) + latex_width(right) - 1e-9


@given(st.integers(-(10**30), 10**30), st.integers(0, 9))
def test_a_longer_number_is_wider(n, digit):
    assume(n != 0)
    longer = n * 10 + (digit if n >= 0 else -digit)
    assert latex_width(P.atom(sympy.Integer(longer))) > latex_width(P.atom(sympy.Integer(n)))


@given(st.integers(1, 10**6), st.integers(2, 10**6))
def test_a_fraction_is_as_wide_as_its_wider_part(p, q):
    assume(sympy.gcd(p, q) == 1)
    frac = latex_width(P.atom(sympy.Rational(p, q)))
    assert frac >= latex_width(str(p)) * 0.99 or frac >= latex_width(str(q)) * 0.99


def _pieces(chain: Chain) -> list[float]:
    """The widths of the parts no rule breaks: each factor of a product of the substituted
    stage, the summed and the activated values."""
    out = []
    for link in chain.links:
        t = link.term
        if isinstance(t, Apply) and isinstance(t.argument, Sum):
            out += [P.width(f) for s in t.argument.terms for f in getattr(s, "factors", (s,))]
        else:
            out.append(P.width(t))
    return out


@given(steps(), st.integers(300, 700))
@settings(max_examples=80, deadline=None)
def test_a_broken_row_never_exceeds_the_width(chain, width):
    indent = P.width(chain.first)
    # the rule can only keep rows within the width if each unbreakable piece fits a row
    assume(max(_pieces(chain)) + 30 + indent <= width - 30)
    rows = P.chain_lines(chain, width)
    assert rows[0].startswith(r"x_{")
    for n, row in enumerate(rows):
        shown = latex_width(row) + (indent if n else 0)
        assert shown <= width + 1e-6, (n, shown, row[:200])
    # nothing is lost: the rows are the one-line chain, cut and bracketed
    cut = [rows[0].replace(" &", "", 1), *(row.removeprefix("&") for row in rows[1:])]
    flat = re.sub(r"\\left\.|\\right\.|\\quad|\{\}|\s+", "", "".join(cut))
    assert flat.replace(r"\left(", "(").replace(r"\right)", ")") == re.sub(
        r"\s+", "", P.chain(chain)
    ).replace(r"\left(", "(").replace(r"\right)", ")")


def test_a_chain_that_fits_is_one_row():
    chain = Chain(Var("x", (1,)), (Link("equals", Atom(sympy.Integer(5))),))
    assert P.chain_lines(chain, 425) == [r"x_{1} &= 5"]
