"""VNN-LIB 1.0 reading: exact constants, DNF of and/or, hostile files (exit-2 errors)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from symresnet.base.errors import InputError, LimitError
from symresnet.io.vnnlib import parse_vnnlib

HEAD = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n"
BOX = "(assert (<= X_0 0.679857769))\n(assert (>= X_0 -0.5))\n(assert (<= X_1 1e-3))\n(assert (>= X_1 -3))\n"


def test_constants_are_read_exactly_from_their_text():
    prop = parse_vnnlib(HEAD + BOX + "(assert (>= Y_0 3.991125645861615))\n")
    (case,) = prop.cases
    assert case.lo == (Fraction(-1, 2), Fraction(-3))
    assert case.hi == (Fraction(679857769, 10**9), Fraction(1, 1000))
    (con,) = case.constraints
    # Y_0 >= c is -Y_0 <= -c
    assert con.coefficients == (Fraction(-1), Fraction(0))
    assert con.rhs == -Fraction(3991125645861615, 10**15)


def test_or_of_and_becomes_cases_and_terms_are_linear():
    text = HEAD + BOX + "(assert (or (and (<= Y_0 Y_1)) (and (<= (+ Y_0 (* 2 Y_1)) (- 1)) (>= Y_1 0))))\n"
    prop = parse_vnnlib(text)
    assert len(prop.cases) == 2
    assert [c.coefficients for c in prop.cases[0].constraints] == [(1, -1)]
    second = prop.cases[1].constraints
    assert (second[0].coefficients, second[0].rhs) == ((1, 2), -1)
    assert (second[1].coefficients, second[1].rhs) == ((0, -1), 0)


def test_input_disjunction_times_output_disjunction():
    text = HEAD + "(assert (or (and (<= X_0 1) (>= X_0 0) (<= X_1 1) (>= X_1 0)) (and (<= X_0 3) (>= X_0 2) (<= X_1 1) (>= X_1 0))))\n"
    text += "(assert (or (<= Y_0 0) (<= Y_1 0)))\n"
    prop = parse_vnnlib(text)
    assert len(prop.cases) == 4
    assert {c.lo[0] for c in prop.cases} == {0, 2}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (HEAD + "(assert (<= X_0 1))", "line"),  # no lower bound
        (HEAD + BOX + "(assert (<= Y_0 X_0))", "mixes"),
        (HEAD + BOX + "(assert (< Y_0 1))", "strict"),
        (HEAD + BOX + "(assert (<= Y_0 (* Y_1 Y_0)))", "linear"),
        (HEAD + BOX + "(assert (<= Y_0 Z))", "unknown name"),
        (HEAD + BOX + "(assert (<= Y_0 1)", "never closed"),
        ("(declare-const X_0 Real)(declare-const Y_1 Real)", "Y_0 is not declared"),
        (HEAD + BOX + "(check-sat)", "unsupported command"),
        ("(declare-const foo Real)", "not X_i"),
    ],
)
def test_bad_files_are_one_line_input_errors(text, words):
    with pytest.raises(InputError) as err:
        parse_vnnlib(text, file="p.vnnlib")
    msg = str(err.value)
    assert msg.startswith("p.vnnlib") and words in msg and "\n" not in msg


def test_the_line_is_named():
    with pytest.raises(InputError, match="line 7"):
        parse_vnnlib(HEAD + "\n\n(assert (< X_0 1))\n", file="p.vnnlib")


def test_limits_before_work():
    with pytest.raises(LimitError):
        parse_vnnlib(HEAD + BOX + "(assert (<= Y_0 " + "1" * 6000 + "))")
    deep = "(and " * 200 + "(<= Y_0 1)" + ")" * 200
    with pytest.raises(InputError, match="nesting"):
        parse_vnnlib(HEAD + BOX + f"(assert {deep})")
    many = "(assert (or " + "(<= Y_0 1) " * 400 + "))\n"
    with pytest.raises(LimitError, match="cases"):
        parse_vnnlib(HEAD + BOX + many * 3)
