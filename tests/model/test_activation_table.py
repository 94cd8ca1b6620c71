"""Tests of symresnet.model.activation_table: the formulas of Section 1.2 (sympy and Fraction),
at hand values, on numbers and on symbols, through the Activation built on them."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy

from symresnet.model.activations import activation

R = sympy.Rational
x = sympy.Symbol("x", real=True)


# -- hand values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "t", "expected"),
    [
        ("relu", R(0), R(0)),
        ("relu", R(-3, 2), R(0)),
        ("relu", R(7, 3), R(7, 3)),
        ("ReLU", R(5), R(5)),
        ("heaviside", R(0), R(1)),
        ("heaviside", R(-1, 3), R(0)),
        ("step", R(1, 1000), R(1)),
        ({"name": "clip", "u": 0, "v": 1}, R(-1), R(0)),
        ({"name": "clip", "u": 0, "v": 1}, R(1, 2), R(1, 2)),
        ({"name": "clip", "u": 0, "v": 1}, R(2), R(1)),
        ({"name": "clip", "u": 0, "v": 1}, R(0), R(0)),
        ({"name": "clip", "u": 0, "v": 1}, R(1), R(1)),
        ({"name": "clipping", "v": 1}, R(-100), R(-100)),
        ({"name": "clip", "v": 1}, R(5, 2), R(1)),
        ({"name": "clip", "u": R(-1, 2)}, R(-7), R(-1, 2)),
        ({"name": "clip", "u": R(-1, 2)}, R(9), R(9)),
        ({"name": "leaky_relu", "gamma": F(1, 10)}, R(-5), R(-1, 2)),
        ({"name": "leaky", "gamma": F(1, 10)}, R(0), R(0)),
        ({"name": "leaky_relu", "gamma": F(1, 10)}, R(4, 7), R(4, 7)),
        ({"name": "repu", "p": 3}, R(-2), R(0)),
        ({"name": "repu", "p": 3}, R(2, 3), R(8, 27)),
        ({"name": "repu", "p": 2}, R(0), R(0)),
        ("softsign", R(-3), R(-3, 4)),
        ("softsign", R(1, 2), R(1, 3)),
        ("softsign", R(0), R(0)),
        ("identity", R(-5, 9), R(-5, 9)),
        ("id", R(2), R(2)),
    ],
)
def test_rational_values(spec, t, expected):
    value = activation(spec)(t)
    assert value == expected
    assert isinstance(value, sympy.Rational)
    assert activation(spec).apply_fraction(F(int(t.p), int(t.q))) == F(
        int(expected.p), int(expected.q)
    )


e = sympy.E
SMOOTH_AT_NUMBERS = [
    ("sigmoid", 0, R(1, 2)),
    ("logistic", 1, 1 / (1 + sympy.exp(-1))),
    ("tanh", 0, sympy.Integer(0)),
    ("tanh", 1, sympy.tanh(1)),
    ("gelu", 0, sympy.Integer(0)),
    ("gelu", 2, 2 * (1 + sympy.erf(sympy.sqrt(2))) / 2),
    ("softplus", 0, sympy.log(2)),
    ("softplus", 1, sympy.log(1 + e)),
    ("sin", 0, sympy.Integer(0)),
    ("sine", R(1, 2), sympy.sin(R(1, 2))),
    ({"name": "swish", "beta": 2}, 1, 1 / (1 + sympy.exp(-2))),
    ("swish", 1, 1 / (1 + sympy.exp(-1))),
    ({"name": "swish", "beta": R(1, 3)}, -3, -3 / (1 + e)),
    # ELU (docs/math.md): x if x > 0, gamma (1 - e^x) otherwise, gamma <= 0
    ({"name": "elu", "gamma": -1}, -1, -(1 - sympy.exp(-1))),
    ({"name": "elu", "gamma": -2}, 0, sympy.Integer(0)),
    ({"name": "elu", "gamma": R(-1, 2)}, R(3, 4), R(3, 4)),
    ({"name": "elu", "gamma": -2}, -3, -2 * (1 - sympy.exp(-3))),
]


@pytest.mark.parametrize(("spec", "t", "expected"), SMOOTH_AT_NUMBERS)
def test_smooth_values_exact(spec, t, expected):
    value = activation(spec)(sympy.Integer(t) if isinstance(t, int) else t)
    assert sympy.expand(value - expected) == 0
    assert value.free_symbols == set()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("softplus", sympy.log(1 + sympy.exp(x))),
        ("gelu", x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2),
        ("sigmoid", 1 / (1 + sympy.exp(-x))),
        ({"name": "swish", "beta": 3}, x / (1 + sympy.exp(-3 * x))),
        ("tanh", sympy.tanh(x)),
        ("softsign", x / (sympy.Abs(x) + 1)),
        ("sin", sympy.sin(x)),
        ("identity", x),
    ],
)
def test_smooth_symbolic(spec, expected):
    assert sympy.simplify(activation(spec)(x) - expected) == 0


def test_tanh_is_the_books_quotient():
    value = activation("tanh")(R(1, 3))
    book = (sympy.exp(R(1, 3)) - sympy.exp(R(-1, 3))) / (sympy.exp(R(1, 3)) + sympy.exp(R(-1, 3)))
    assert sympy.simplify((value - book).rewrite(sympy.exp)) == 0


def test_call_accepts_int_and_fraction():
    assert activation("relu")(-3) == 0
    assert activation("relu")(F(5, 2)) == R(5, 2)
    assert activation("sigmoid")(0) == R(1, 2)


def test_call_rejects_floats():
    with pytest.raises(TypeError):
        activation("relu")(0.5)


# -- piecewise functions on symbolic input ------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "point", "expected"),
    [
        ("relu", -2, 0),
        ("relu", 0, 0),
        ("relu", R(3, 2), R(3, 2)),
        ("heaviside", 0, 1),
        ("heaviside", R(-1, 5), 0),
        ("heaviside", 4, 1),
        ({"name": "leaky_relu", "gamma": F(1, 4)}, -8, -2),
        ({"name": "leaky_relu", "gamma": F(1, 4)}, 8, 8),
        ({"name": "clip", "u": 0, "v": 1}, -1, 0),
        ({"name": "clip", "u": 0, "v": 1}, R(1, 3), R(1, 3)),
        ({"name": "clip", "u": 0, "v": 1}, 7, 1),
        ({"name": "clip", "v": 1}, -7, -7),
        ({"name": "repu", "p": 2}, -3, 0),
        ({"name": "repu", "p": 2}, 3, 9),
        ("identity", -4, -4),
    ],
)
def test_piecewise_symbolic_then_substituted(spec, point, expected):
    expr = activation(spec)(x)
    assert x in expr.free_symbols
    assert expr.subs(x, point) == expected


def test_heaviside_symbolic_form_is_one_at_zero():
    expr = activation("heaviside")(x)
    assert expr == sympy.Piecewise((1, x >= 0), (0, True))
    assert expr.subs(x, 0) == 1  # not sympy's Heaviside(0) == 1/2


def test_irrational_input_to_piecewise():
    assert activation("relu")(-sympy.sqrt(2)) == 0
    assert activation("heaviside")(sympy.sqrt(2) - 1) == 1
    assert activation({"name": "clip", "u": 0, "v": 1})(sympy.pi) == 1
