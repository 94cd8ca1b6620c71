"""solve.readable and its LaTeX: conditions written as a person writes them."""

import sympy

from symresnet.present.latex import AtomPrinter
from symresnet.solve.readable import readable, when_text

x, a, b = sympy.symbols("x a b", real=True)


def test_two_bounds_read_as_a_chain():
    cond = (x <= -2) & (x > -3)
    assert when_text(cond) == "-3 < x <= -2"
    assert AtomPrinter().atom(cond) == r"-3 < x \leq -2"


def test_points_read_as_a_set():
    cond = sympy.Eq(x, -1) | sympy.Eq(x, -3)
    assert when_text(cond) == "x in {-3, -1}"
    assert AtomPrinter().atom(cond) == r"x \in \{-3, -1\}"


def test_intervals_come_before_points_and_conjunctions_get_parentheses():
    cond = sympy.Eq(x, 3) | sympy.Eq(x, 5) | (x <= -2)
    assert when_text(cond) == "x <= -2 or x in {3, 5}"
    two = ((a >= 0) & (b < 1)) | sympy.Eq(a, 3)
    assert when_text(two) == "(a >= 0 and b < 1) or a = 3"


def test_the_readable_form_says_the_same_as_the_boolean():
    cond = ((x > -3) & (x <= -2)) | sympy.Eq(x, 0) | sympy.Eq(x, sympy.Rational(1, 2))
    shown = readable(cond)
    assert shown is not None
    for v in [sympy.Rational(n, 4) for n in range(-16, 8)]:
        direct = bool(cond.subs(x, v))
        text = shown.text()  # re-read the text by hand: chain and set
        lo_ok = -3 < v <= -2
        assert direct == (lo_ok or v in (0, sympy.Rational(1, 2)))
        assert "-3 < x <= -2" in text and "x in {0, 1/2}" in text


def test_always_never_and_other_shapes():
    assert when_text(sympy.true) == "always"
    assert when_text(sympy.false) == "never"
    assert readable(sympy.Not(x > 1, evaluate=False)) is None or when_text(x <= 1) == "x <= 1"
