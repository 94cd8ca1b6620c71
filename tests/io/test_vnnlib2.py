"""VNN-LIB 2.0 through the vnnlib package (symresnet.io.vnnlib2): numbers read exactly from
their text, the ACAS Xu properties the same in 1.0 and 2.0, write -> read round trips, and
refusals naming the line."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.base.errors import LimitError, PropertyError
from symresnet.io.vnnlib import load_vnnlib, parse_vnnlib
from symresnet.io.vnnlib2 import load_vnnlib2, parse_vnnlib2, write_vnnlib2
from symresnet.verify.property import Case, OutputConstraint, Property

ACAS = Path(__file__).resolve().parents[3] / "shared" / "acasxu"
F = Fraction

HEAD = """; a comment
(vnnlib-version <2.0>)
(declare-network acc (declare-input X real [1, 3]) (declare-output Y real [2]))
"""
BOX = """(assert (>= X[0, 0] 0.679857769))
(assert (<= X[0, 0] 0.7))
(assert (and (>= X[0, 1] -0.5) (<= X[0, 1] 0.001)))
(assert (<= (* -2.0 X[0, 2]) 0.0))
(assert (<= (* 4.0 X[0, 2]) 1.0))
"""


def test_numbers_are_read_exactly_from_their_text():
    prop = parse_vnnlib(HEAD + BOX + "(assert (<= (+ (* -1.5 Y[1]) Y[0]) (- 0.1 Y[1])))\n")
    assert (prop.inputs, prop.outputs) == (3, 2)
    (case,) = prop.cases
    assert case.lo == (F(679857769, 10**9), F(-1, 2), F(0))
    assert case.hi == (F(7, 10), F(1, 1000), F(1, 4))  # 4 X_2 <= 1
    # Y_0 - 3/2 Y_1 <= 1/10 - Y_1  <=>  Y_0 - 1/2 Y_1 <= 1/10
    assert case.constraints == (OutputConstraint((F(1), F(-1, 2)), F(1, 10)),)


def test_or_and_equality_give_the_cases_of_the_dnf():
    prop = parse_vnnlib2(HEAD + BOX + "(assert (or (>= Y[0] 3.0) (== Y[1] 2.0)))\n")
    assert [c.constraints for c in prop.cases] == [
        (OutputConstraint((F(-1), F(0)), F(-3)),),
        (OutputConstraint((F(0), F(1)), F(2)), OutputConstraint((F(0), F(-1)), F(-2))),
    ]


@pytest.mark.parametrize("n", range(1, 11))
def test_acas_xu_properties_are_the_same_in_1_0_and_2_0(n):
    prop = load_vnnlib(ACAS / f"prop_{n}.vnnlib")
    text = write_vnnlib2(prop, network="acasxu")
    assert text.startswith("(vnnlib-version <2.0>)")
    back = parse_vnnlib(text)  # dispatched to the 2.0 reader by its header
    assert back.cases == prop.cases and (back.inputs, back.outputs) == (5, 5)


def test_load_vnnlib2_reads_a_file(tmp_path):
    path = tmp_path / "p.vnnlib"
    path.write_text(HEAD + BOX + "(assert (<= Y[0] 0.0))\n")
    prop = load_vnnlib2(path)
    assert prop.source == str(path)
    assert prop.cases[0].constraints == (OutputConstraint((F(1), F(0)), F(0)),)


def test_non_decimal_numbers_are_written_exactly_by_scaling_the_atom():
    case = Case(
        lo=(F(-1, 3),), hi=(F(2, 7),), constraints=(OutputConstraint((F(1, 3), F(-2)), F(1, 6)),)
    )
    text = write_vnnlib2(Property(inputs=1, outputs=2, cases=(case,)))
    assert "(>= (* 3.0 X[0]) -1.0)" in text and "(<= (* 7.0 X[0]) 2.0)" in text
    (back,) = parse_vnnlib2(text).cases
    assert (back.lo, back.hi) == (case.lo, case.hi)
    # the constraint, multiplied by 6 (the lcm of 3 and 6): the same half-space
    (c,) = back.constraints
    assert c == OutputConstraint((F(2), F(-12)), F(1))


decimals = st.builds(lambda n, e: F(n, 10**e), st.integers(-999, 999), st.integers(0, 3))


@st.composite
def properties(draw):
    n, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    cases = []
    for _ in range(draw(st.integers(1, 3))):
        lo = [draw(decimals) for _ in range(n)]
        hi = [v + abs(draw(decimals)) for v in lo]
        cons = [
            OutputConstraint(tuple(draw(decimals) for _ in range(m)), draw(decimals))
            for _ in range(draw(st.integers(1, 2)))
        ]
        cons = [c for c in cons if any(c.coefficients)]
        cases.append(Case(tuple(lo), tuple(hi), tuple(cons)))
    return Property(inputs=n, outputs=m, cases=tuple(cases))


@settings(max_examples=60, deadline=None)
@given(properties())
def test_write_then_read_is_the_property_for_decimal_numbers(prop):
    back = parse_vnnlib2(write_vnnlib2(prop))
    assert (back.inputs, back.outputs, back.cases) == (prop.inputs, prop.outputs, prop.cases)


@pytest.mark.parametrize(
    "body,message",
    [
        ("(assert (< Y[0] 1.0))", "LessThan"),
        ("(assert (<= (* Y[0] Y[1]) 1.0))", "product of two variables"),
        ("(assert (<= (+ X[0, 0] Y[0]) 1.0))", "mixes inputs and outputs"),
        ("(assert (<= (+ X[0, 0] X[0, 1]) 1.0))", "several inputs"),
        ("(assert (<= Y[0] 1.0)", "line"),  # unbalanced: the package's parse error
        ("(assert (<= Y[99999999999999999999] 1.0))", "cannot read|index"),  # C++ stoi
    ],
)
def test_refusals_say_what_is_wrong(body, message):
    with pytest.raises(PropertyError, match=message):
        parse_vnnlib2(HEAD + BOX + body + "\n")


def test_missing_bound_two_networks_and_deep_nesting_are_refused():
    with pytest.raises(PropertyError, match=r"X\[2\] has no upper bound"):
        parse_vnnlib2(HEAD + BOX.replace("(assert (<= (* 4.0 X[0, 2]) 1.0))\n", ""))
    two = HEAD + "(declare-network b (declare-input U real [1]) (declare-output V real [1]))\n"
    with pytest.raises(PropertyError, match="2 networks"):
        parse_vnnlib2(two + BOX)
    deep = HEAD + "(assert " + "(and " * 500 + "(<= Y[0] 1.0)" + ")" * 501 + "\n"
    with pytest.raises(LimitError, match="nesting deeper"):
        parse_vnnlib2(deep)
