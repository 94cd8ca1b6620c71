"""symresnet.present.latex: the escape filter, names in math, the atom printer and the term printer.

Expected strings are written by hand (tables in the style of latexify_py's tests).
"""

from __future__ import annotations

import re

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from symresnet.base.errors import RenderError
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
from symresnet.present.latex import AtomPrinter, Latex, TermPrinter, escape, math_name, safe_symbol

M = sympy.ImmutableMatrix
RELU = activation("relu")


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("Exercise 1.5.1", "Exercise 1.5.1"),
        (r"\input{/etc/passwd}", r"\textbackslash{}input\{/etc/passwd\}"),
        (r"\write18{rm -rf ~}", r"\textbackslash{}write18\{rm -rf \textasciitilde{}\}"),
        ("{unbalanced", r"\{unbalanced"),
        ("50% off", r"50\% off"),
        ("#1", r"\#1"),
        ("$x$", r"\$x\$"),
        ("a~b", r"a\textasciitilde{}b"),
        ("x^2", r"x\textasciicircum{}2"),
        (r"line\\break", r"line\textbackslash{}\textbackslash{}break"),
        ("A & B", r"A \& B"),
        ("a_1", r"a\_1"),
        ("<tag>|", r"\textless{}tag\textgreater{}\textbar{}"),
        ("two\nlines\ttab", "two lines tab"),
        ("Übung é", r"\"{U}bung \'{e}"),
        ("Straße", r"Stra\ss{}e"),
        ("x\u2013y", "x--y"),
        ("中文", "??"),
        ("\x00\x1b", "??"),
    ],
)
def test_escape(text, latex):
    assert escape(text) == latex
    assert isinstance(escape(text), Latex)


def test_escape_is_idempotent_on_latex():
    once = escape(r"\input{x}")
    assert escape(once) == once


#: what escaped text may contain: plain characters other than the specials, and our commands
_SAFE = re.compile(
    r"(?:[^\\{}$&#^_~%<>|\"\x00-\x1f]"
    r"|\\(?:textbackslash|textasciicircum|textasciitilde|textless|textgreater|textbar|ss|ae|AE|o|O|oe|OE|i)\{\}"
    r"|\\[{}$&#_%]"
    r"|\\[`'^~\"=.ruvHc]\{[A-Za-z]\}|\\[`'^~\"=.ruvHc]\{\\i\}"
    r")*"
)


@given(st.text(max_size=60))
def test_escaped_text_contains_no_live_latex(text):
    assert _SAFE.fullmatch(escape(text)), escape(text)


@pytest.mark.parametrize(
    ("name", "latex"),
    [
        ("a", "a"),
        ("a_1", "a_{1}"),
        ("w12", r"\mathit{w12}"),
        ("alpha", r"\alpha"),
        ("Omega_2", r"\Omega_{2}"),
        ("rate", r"\mathit{rate}"),
        ("w_in_2", r"w_{\mathit{in},2}"),
        ("a_", r"\mathit{a\_}"),
        ("a__b", r"\mathit{a\_\_b}"),
    ],
)
def test_math_name(name, latex):
    assert math_name(name) == latex


@pytest.mark.parametrize("name", [r"\input{x}", "1a", "a b", "", "a-b", "_a", "é", "a}"])
def test_math_name_refuses(name):
    with pytest.raises(RenderError, match="cannot be printed"):
        math_name(name)


@pytest.mark.parametrize(
    ("symbol", "latex"),
    [
        ("sigma", r"\sigma"),
        (r"\sigma", r"\sigma"),
        (r"\mathfrak{s}", r"\mathfrak{s}"),
        ("act", r"\mathit{act}"),
    ],
)
def test_safe_symbol(symbol, latex):
    assert safe_symbol(symbol) == latex


@pytest.mark.parametrize(
    "symbol", [r"\input{x}", r"\mathfrak{s}\input", r"\relax", "{", r"\sigma}"]
)
def test_safe_symbol_refuses(symbol):
    with pytest.raises(RenderError, match="not accepted"):
        safe_symbol(symbol)


x = sympy.Symbol("x", real=True)


@pytest.mark.parametrize(
    ("value", "latex"),
    [
        (sympy.Rational(3, 7), r"\frac{3}{7}"),
        (sympy.Rational(-3, 7), r"-\frac{3}{7}"),
        (sympy.Integer(-5), "-5"),
        (sympy.Integer(28), "28"),
        (sympy.Max(x, 0), r"\max\{0, x\}"),
        (sympy.Min(x, 1), r"\min\{1, x\}"),
        (sympy.log(1 + sympy.exp(x)), r"\ln{\left(e^{x} + 1 \right)}"),
        (sympy.Symbol("a_1") + 1, "a_{1} + 1"),
    ],
)
def test_atom_printer(value, latex):
    assert AtomPrinter().atom(value) == latex


def test_atom_printer_huge_integer_breaks_and_never_fails():
    n = 10**5000 + 7  # more digits than Python's int-to-str limit
    out = AtomPrinter().atom(sympy.Integer(n))
    assert out.startswith("1") and out.endswith("7")
    assert r"\allowbreak" in out
    assert out.replace(r"\allowbreak ", "") == "1" + "0" * 4999 + "7"


@pytest.mark.parametrize(
    "value",
    [
        sympy.Symbol(r"\input{x}"),
        sympy.Function(r"\write18")(x),
        sympy.MatrixSymbol(r"\input", 2, 2),
        sympy.core.symbol.Str(r"\z"),
        sympy.Dummy("a b"),
    ],
)
def test_atom_printer_refuses_unsafe_names(value):
    with pytest.raises(RenderError):
        AtomPrinter().atom(value)


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
    lines = TermPrinter().chain_lines(Chain(Var("x", (1,)), (Link("equals", term),)), 60)
    assert len(lines) >= 3
    assert lines[0].startswith(r"x_{1} &= \mathfrak{M}_{\mathfrak{r},12}\left(")
    assert lines[0].endswith(r"\right.")
    assert all(line.startswith(r"&\quad \left. + ") for line in lines[1:])
    assert lines[-1].endswith(r"\right)")
