"""symresnet.present.latex: the escape filter, names in math and the atom printer.

Expected strings are written by hand (tables in the style of latexify_py's tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from symresnet.base.errors import RenderError
from symresnet.present.latex import (
    AtomPrinter,
    Latex,
    _cached_atom,
    escape,
    math_name,
    safe_symbol,
)


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


def test_docs_name_what_activation_symbol_accepts():
    """docs/derivations.md once said only sigma, \\sigma and \\mathfrak{s} were accepted: the
    forms it names as accepted are accepted, those it names as refused are refused."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "derivations.md").read_text("utf-8")
    sentence = text[text.index("`--activation-symbol SYM` writes") :]
    accepted_part, _, rest = sentence.partition("anything else")
    refused_part = rest[: rest.index(")")]
    accepted = re.findall(r"`([^`]+)`", accepted_part)[1:]  # [0] is the option itself
    refused = re.findall(r"`([^`]+)`", refused_part)
    assert {"sigma", "act", "a_1", r"\sigma", r"\Phi", r"\mathfrak{s}"} <= set(accepted)
    for symbol in accepted:
        safe_symbol(symbol)
    assert refused == [r"\varphi", r"\mathbb{s}", r"\mathrm{a1}"]
    for symbol in refused:
        with pytest.raises(RenderError, match="not accepted"):
            safe_symbol(symbol)
    (row,) = [line for line in text.splitlines() if line.startswith("| `activation_symbol`")]
    assert "only these" not in row and '`"act"`' in row


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


def test_atom_cache_is_keyed_on_the_names_and_the_type():
    """The atom cache (present/latex.py) must not hand one printer's LaTeX to another."""
    y = sympy.Symbol("y")
    value = sympy.Max(y, 0) + 1
    assert AtomPrinter().atom(value) == r"\max\{0, y\} + 1"
    assert AtomPrinter({y: "x_{2,1}"}).atom(value) == r"\max\{0, x_{2,1}\} + 1"
    assert AtomPrinter({y: "x_{3,1}"}).atom(value) == r"\max\{0, x_{3,1}\} + 1"
    assert AtomPrinter().atom(value) == r"\max\{0, y\} + 1"
    assert AtomPrinter().atom(sympy.true) == r"\text{True}"
    assert AtomPrinter().atom(sympy.Integer(1)) == "1"
    # an unsafe name raises every time, cached or not
    for _ in range(2):
        with pytest.raises(RenderError):
            AtomPrinter().atom(sympy.Symbol(r"\input{x}") + 1)


def test_atom_cache_is_bounded():
    assert _cached_atom.cache_info().maxsize is not None
    for n in range(_cached_atom.cache_info().maxsize + 10):
        AtomPrinter().atom(sympy.Integer(n) + x)
    assert _cached_atom.cache_info().currsize <= _cached_atom.cache_info().maxsize
