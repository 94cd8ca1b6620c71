"""Tests of symresnet.values.names: whitelisted functions, reserved names and check_name."""

from __future__ import annotations

import pytest
import sympy

from symresnet.base.errors import ParseError
from symresnet.values.names import FUNCTIONS, RESERVED_NAMES, check_name
from symresnet.values.parser import parse

# -- names and tables -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "w1", "theta_2", "A", "x" * 64, "alpha", "inflow"])
def test_check_name_valid(name):
    assert check_name(name) == name


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("", r"empty name"),
        ("1a", r"not a valid name"),
        ("_a", r"not a valid name"),
        ("__import__", r"not a valid name"),
        ("a b", r"not a valid name"),
        ("a-b", r"not a valid name"),
        ("\u00e4", r"not a valid name"),
        ("x" * 65, r"longer than 64"),
        ("pi", r"constant"),
        ("e", r"reserved"),
        ("E", r"reserved"),
        ("I", r"reserved"),
        ("nan", r"reserved"),
        ("oo", r"reserved"),
        ("sqrt", r"function"),
        ("ln", r"function"),
        ("lambda", r"Python keyword"),
        ("gamma", r"reserved by sympy"),
        ("beta", r"reserved by sympy"),
        ("zeta", r"reserved by sympy"),
        ("S", r"reserved by sympy"),
        ("Q", r"reserved by sympy"),
    ],
)
def test_check_name_invalid(name, pattern):
    with pytest.raises(ParseError, match=pattern):
        check_name(name)


def test_check_name_type():
    with pytest.raises(ParseError, match="got int"):
        check_name(3)  # type: ignore[arg-type]


def test_tables():
    for name in ["I", "E", "S", "N", "O", "Q", "pi", "oo", "zoo", "nan", "gamma", "beta"]:
        assert name in RESERVED_NAMES
    for name in ["zeta", "lambda", "e", "sqrt", "exp", "log", "ln", "abs", "max", "min"]:
        assert name in RESERVED_NAMES
    assert {"sqrt", "exp", "log", "ln", "sin", "cos", "tan", "tanh", "erf", "abs"} <= set(FUNCTIONS)
    assert "a" not in RESERVED_NAMES
    with pytest.raises(TypeError):
        FUNCTIONS["evil"] = None  # type: ignore[index]


def test_reserved_name_is_not_a_parameter_even_when_mapped():
    assert parse("pi", names={"pi": sympy.Symbol("pi")}) == sympy.pi
    with pytest.raises(ParseError, match="'I' is reserved"):
        parse("I", names={"I": sympy.Symbol("I")})
