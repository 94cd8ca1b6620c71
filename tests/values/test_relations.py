"""values.relations: the one Relation type and exact comparisons."""

from __future__ import annotations

import operator
from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from symresnet import ClaimError, Relation, compare
from symresnet.values.relations import relation, sign

#: the five relations by hand: spec key, text, LaTeX, Python operator
BY_HAND = [
    ("equals", "=", "=", operator.eq),
    ("at_least", ">=", r"\geq", operator.ge),
    ("at_most", "<=", r"\leq", operator.le),
    ("greater", ">", ">", operator.gt),
    ("less", "<", "<", operator.lt),
]

fractions = st.fractions(max_denominator=50).filter(lambda q: abs(q) < 1000)


@pytest.mark.parametrize(("key", "text", "latex", "_op"), BY_HAND)
def test_symbols_and_keys(key, text, latex, _op):
    r = Relation(key)
    assert r == key and str(r) == key and f"{r}" == key
    assert r.text == text and r.latex == latex
    assert r.option == "--" + key.replace("_", "-")


def test_the_five_in_the_order_of_the_spec_format():
    assert [r.value for r in Relation] == [k for k, *_ in BY_HAND]


@given(fractions, fractions, st.sampled_from(BY_HAND))
def test_holds_agrees_with_python_on_fractions(a, b, row):
    key, _, _, op = row
    assert Relation(key).holds(a, b) is op(a, b)


@given(fractions, fractions, st.sampled_from(BY_HAND))
def test_compare_agrees_with_python_on_rationals(a, b, row):
    key, _, _, op = row
    lhs = sympy.Rational(a.numerator, a.denominator)
    rhs = sympy.Rational(b.numerator, b.denominator)
    assert compare(key, lhs, rhs) is op(a, b)


def test_closed_forms_are_compared_exactly():
    # log(2) ~ 0.6931..., exp(-1) ~ 0.3679...
    assert compare("greater", sympy.log(2), sympy.exp(-1)) is True
    assert compare("equals", sympy.sqrt(8), 2 * sympy.sqrt(2)) is True
    assert sign(sympy.pi - Fraction(22, 7)) == -1
    assert compare("less", sympy.Symbol("a"), 1) is None


def test_an_unknown_relation_says_which_exist():
    with pytest.raises(ClaimError, match="unknown relation 'about': use one of equals, at_least"):
        relation("about")
