"""symresnet.present.terms: the term printer (derivation terms in the book's notation).

Expected strings are written by hand (tables in the style of latexify_py's tests).
"""

from __future__ import annotations

import pytest
import sympy

from symresnet.explain.tree import (
    Apply,
    Atom,
    Chain,
    LayerActivation,
    Link,
    MatrixTerm,
    Product,
    Realization,
    SetTerm,
    SkipSum,
    Sum,
    TupleTerm,
    ValueTerm,
    Var,
)
from symresnet.model.activations import IDENTITY, activation
from symresnet.present.terms import TermPrinter

M = sympy.ImmutableMatrix
RELU = activation("relu")

x = sympy.Symbol("x", real=True)


def test_named_values_print_their_names():
    n = sympy.Symbol("x_{2,1}", real=True)
    from symresnet.explain.tree import NameLabel

    printer = TermPrinter(names={n: NameLabel("x", 2, 1)})
    assert printer.atom(2 * n + 1) == "2 x_{2,1} + 1"


P = TermPrinter()
col = lambda *xs: M([[e] for e in xs])  # noqa: E731


@pytest.mark.parametrize(
    ("term", "latex"),
    [
        (Var("W", (1,)), "W_{1}"),
        (Var("V", (0, 4)), "V_{0,4}"),
        (Var("x", ("k-1",)), "x_{k-1}"),
        (Var("Phi"), r"\Phi"),
        (Product((Var("W", (2,)), Var("x", (1,)))), "W_{2} x_{1}"),
        # the nasty cases: negative numbers as factors and summands
        (Product((Atom(sympy.Integer(-1)), Atom(sympy.Integer(5)))), r"(-1) \cdot 5"),
        (Product((Atom(sympy.Integer(2)), Atom(sympy.Rational(-3, 7)))), r"2 \cdot (-\frac{3}{7})"),
        (Sum((Atom(sympy.Integer(5)), Atom(sympy.Integer(-3)))), "5 + (-3)"),
        (Product((Atom(x + 1), Atom(x))), r"(x + 1) \cdot x"),
        (
            Product((MatrixTerm(M([[-1]])), MatrixTerm(M([[5]])))),
            r"\begin{pmatrix}-1\end{pmatrix}\begin{pmatrix}5\end{pmatrix}",
        ),
        (MatrixTerm(M([[2, 2]])), r"\begin{pmatrix}2 & 2\end{pmatrix}"),
        (MatrixTerm(M([[1, 0], [0, 1]])), r"\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}"),
        (ValueTerm(col(28)), "28"),
        (ValueTerm(col(5, 11)), r"\begin{pmatrix}5 \\ 11\end{pmatrix}"),
        (
            Apply(RELU, Atom(sympy.Integer(3)), ValueTerm(col(2, -2, 2))),
            r"\mathfrak{M}_{\mathfrak{r},3}\left(\begin{pmatrix}2 \\ -2 \\ 2\end{pmatrix}\right)",
        ),
        (
            Apply(IDENTITY, Atom(sympy.Integer(1)), ValueTerm(col(28))),
            r"\mathfrak{M}_{\mathrm{id}_{\mathbb{R}},1}(28)",
        ),
        (
            Apply(LayerActivation(RELU, 4), Var("l", ("k",)), Var("x", ("k",))),
            r"\mathfrak{M}_{\mathfrak{r}\mathbf{1}_{(0,4)}(k) + \mathrm{id}_{\mathbb{R}}\mathbf{1}_{\{4\}}(k),l_{k}}(x_{k})",
        ),
        (SkipSum(), r"\sum_{r \in \mathbb{N}_0,\, (r,k) \in S} V_{r,k} x_{r}"),
        (
            Realization(RELU, ValueTerm(col(5), point=True)),
            r"\bigl(\mathcal{R}^{\mathbf{R}}_{\mathfrak{r}}(\Phi, V)\bigr)(5)",
        ),
        (SetTerm(()), r"\emptyset"),
        (SetTerm((TupleTerm((Atom(sympy.Integer(0)), Atom(sympy.Integer(4)))),)), r"\{(0, 4)\}"),
    ],
)
def test_term_printer(term, latex):
    assert P.term(term) == latex


def test_chain_relations_and_negation():
    chain = Chain(
        Realization(RELU, ValueTerm(col(-1), point=True)),
        (
            Link("equals", ValueTerm(col(-7), point=True)),
            Link("equals", ValueTerm(col(0), point=True), negated=True),
        ),
    )
    assert (
        P.chain(chain)
        == r"\bigl(\mathcal{R}^{\mathbf{R}}_{\mathfrak{r}}(\Phi, V)\bigr)(-1) = -7 \neq 0"
    )
    assert (
        P.chain(Chain(Atom(x), (Link("at_most", Atom(sympy.Integer(1)), negated=True),)))
        == r"x \nleq 1"
    )
    assert P.chain(Chain(Atom(x), (Link("at_least", Atom(sympy.Integer(1))),))) == r"x \geq 1"


def test_wide_matrices_are_elided():
    big = M(12, 12, lambda i, j: i * 12 + j)
    out = TermPrinter(max_rows=8, max_columns=8).term(MatrixTerm(big))
    rows = out.removeprefix(r"\begin{pmatrix}").removesuffix(r"\end{pmatrix}").split(r" \\ ")
    assert len(rows) == 8
    assert rows[0] == r"0 & 1 & 2 & 3 & 4 & 5 & \cdots & 11"
    assert rows[6] == r"\vdots & \vdots & \vdots & \vdots & \vdots & \vdots & \ddots & \vdots"
    assert rows[7] == r"132 & 133 & 134 & 135 & 136 & 137 & \cdots & 143"
    assert TermPrinter(max_rows=20, max_columns=20).term(MatrixTerm(big)).count(r"\cdots") == 0


def test_notation_options():
    term = Apply(RELU, Atom(sympy.Integer(2)), Var("x", (1,)))
    assert TermPrinter(fraktur=False).term(term) == r"M_{\mathfrak{r},2}(x_{1})"
    assert TermPrinter(activation_symbol="sigma").term(term) == r"\mathfrak{M}_{\sigma,2}(x_{1})"
    # the output layer keeps id_R whatever the hidden activation is called
    ident = Apply(IDENTITY, Atom(sympy.Integer(1)), Var("x", (1,)))
    assert (
        TermPrinter(activation_symbol="sigma").term(ident)
        == r"\mathfrak{M}_{\mathrm{id}_{\mathbb{R}},1}(x_{1})"
    )


def test_long_sums_break_between_summands():
    v = col(*range(1, 13))
    term = Apply(
        RELU,
        Atom(sympy.Integer(12)),
        Sum(tuple(Product((MatrixTerm(M.eye(12)), MatrixTerm(v))) for _ in range(4))),
    )
    # each summand (about 170pt) fits a row of 300pt, two do not
    lines = TermPrinter().chain_lines(Chain(Var("x", (1,)), (Link("equals", term),)), 300)
    assert len(lines) >= 3
    assert lines[0].startswith(r"x_{1} &= \mathfrak{M}_{\mathfrak{r},12}\left(")
    assert lines[0].endswith(r"\right.")
    assert all(line.startswith(r"&\quad \left. + ") for line in lines[1:])
    assert lines[-1].endswith(r"\right)")
    # a row too narrow for one summand puts its factors (the wide matrix) on rows of their own
    narrow = TermPrinter().chain_lines(Chain(Var("x", (1,)), (Link("equals", term),)), 150)
    assert len(narrow) == 8
    assert narrow[1] == r"&\quad \left. " + TermPrinter().matrix(v) + r"\right."


def test_a_long_value_breaks_before_a_sign_outside_brackets():
    x = sympy.Symbol("x")
    value = sum(
        (sympy.Rational(k, 7) * sympy.Max(0, k * x - 1) for k in range(1, 12)), sympy.Integer(5)
    )
    chain = Chain(Var("x", (1,)), (Link("equals", Atom(value)),))
    P = TermPrinter()
    rows = P.chain_lines(chain, 300)
    assert len(rows) >= 3
    assert rows[0].startswith(r"x_{1} &= ")
    for row in rows[1:]:
        assert row.startswith((r"&\quad {} + ", r"&\quad {} - "))
        assert row.count(r"\{") == row.count(r"\}")  # never inside max{...}
    joined = rows[0].removeprefix(r"x_{1} &= ") + "".join(
        " " + row.removeprefix(r"&\quad {} ") for row in rows[1:]
    )
    assert joined == P.atom(value)
