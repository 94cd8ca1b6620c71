"""Piecewise activations at numbers sympy cannot order (issue 16): ``log(6) - log(2) -
log(3)`` is ``0`` exactly, so ReLU, clipping and RePU of it are decided, not an internal error
("The argument ... is not comparable"); a sign nobody can prove is an ActivationError (exit 2).
"""

from __future__ import annotations

import pytest
import sympy

from symresnet import ResNet, check
from symresnet.base.errors import ActivationError, InputError
from symresnet.compute.realization import realize
from symresnet.model.activations import activation

ZERO = sympy.log(6) - sympy.log(2) - sympy.log(3)  # 0, not simplified by sympy on its own
#: a true identity sympy does not prove: cos(pi/7) - cos(2 pi/7) + cos(3 pi/7) = 1/2
UNPROVEN = sympy.cos(sympy.pi / 7) - sympy.cos(2 * sympy.pi / 7) + sympy.cos(3 * sympy.pi / 7)
UNPROVEN_ZERO = UNPROVEN - sympy.S.Half
TEXT_ZERO = "log(6) - log(2) - log(3)"
TEXT_UNPROVEN_ZERO = "cos(pi/7) - cos(2*pi/7) + cos(3*pi/7) - 1/2"


def test_sympy_itself_refuses_this_number():
    with pytest.raises(ValueError, match="not comparable"):
        sympy.Max(ZERO, 0)


@pytest.mark.parametrize(
    ("spec", "point", "expected"),
    [
        ("relu", ZERO, 0),
        ("relu", ZERO + 1, 1),
        ("relu", ZERO - 1, 0),
        ("heaviside", ZERO, 1),  # 1 at 0 (the book's 1_[0, oo))
        ("heaviside", ZERO - sympy.Rational(1, 10**30), 0),
        ({"name": "leaky_relu", "gamma": "1/10"}, ZERO, 0),
        ({"name": "leaky_relu", "gamma": "1/10"}, ZERO - 5, sympy.Rational(-1, 2)),
        ({"name": "clip", "u": 0, "v": 1}, ZERO, 0),
        ({"name": "clip", "u": 0, "v": 1}, ZERO + 1, 1),
        ({"name": "clip", "u": 0, "v": 1}, ZERO + sympy.Rational(1, 2), sympy.Rational(1, 2)),
        ({"name": "clip", "u": -1, "v": 1}, ZERO + 3, 1),
        ({"name": "repu", "p": 2}, ZERO, 0),
        ({"name": "repu", "p": 3}, ZERO + 2, 8),
        ({"name": "repu", "p": 2}, ZERO - 2, 0),
    ],
)
def test_piecewise_activations_decide_an_unsimplified_number(spec, point, expected):
    value = activation(spec)(point)
    assert sympy.simplify(value - expected) == 0
    if point == ZERO:
        assert value == expected  # a proven breakpoint is replaced by the breakpoint itself


def test_irrational_numbers_still_follow_their_pieces():
    assert activation("relu")(sympy.sqrt(2) - 1) == sympy.sqrt(2) - 1
    assert activation({"name": "leaky_relu", "gamma": "1/10"})(1 - sympy.sqrt(2)) == (
        (1 - sympy.sqrt(2)) / 10
    )
    assert activation({"name": "clip", "u": 0, "v": 1})(sympy.pi) == 1
    assert activation({"name": "repu", "p": 2})(sympy.sqrt(3)) == 3
    # a number within 10^-800 of the breakpoint: decided by interval arithmetic
    tiny = sympy.tanh(1000) - 1
    assert activation("relu")(tiny) == 0
    assert activation("heaviside")(-tiny) == 1


def test_symbolic_gamma_at_numbers():
    g = sympy.Symbol("g", real=True)
    leaky = activation({"name": "leaky_relu", "gamma": "g"}, names={"g": g})
    assert leaky(ZERO - 1) == g * (ZERO - 1)
    assert leaky(sympy.sqrt(2)) == sympy.sqrt(2)


@pytest.mark.parametrize("spec", ["relu", "heaviside", {"name": "clip", "u": 0, "v": 1}])
def test_an_unprovable_sign_is_an_activation_error(spec):
    with pytest.raises(ActivationError, match="cannot decide exactly on which side") as err:
        activation(spec)(UNPROVEN_ZERO)
    assert isinstance(err.value, InputError)  # the command line's exit status 2


def test_a_network_with_such_a_bias_is_decided():
    net = ResNet(W=[[[1]], [[1]]], B=[[TEXT_ZERO], [0]], activation="relu")
    assert realize(net, [0]).output[0] == 0
    assert check(net, input=[0], equals=[0]).holds is True
    assert check(net, input=[-1], equals=[0]).holds is True
    assert check(net, input=[2], equals=[2]).holds is True


def test_a_network_with_an_unprovable_bias_names_the_layer():
    net = ResNet(W=[[[1]], [[1]]], B=[[TEXT_UNPROVEN_ZERO], [0]], activation="relu")
    with pytest.raises(ActivationError) as err:
        realize(net, [0])
    assert str(err.value).startswith("layers[1]: cannot decide exactly")


def test_leaky_symbolic_forms():
    t = sympy.Symbol("t", real=True)
    assert activation({"name": "leaky_relu", "gamma": "1/10"})(t) == sympy.Max(t, t / 10)
    assert activation({"name": "leaky_relu", "gamma": 3})(t) == sympy.Min(t, 3 * t)
    assert activation({"name": "leaky_relu", "gamma": 0})(t) == sympy.Max(t, 0)
    assert activation({"name": "leaky_relu", "gamma": 1})(t) == t
    g = sympy.Symbol("g", real=True)
    form = activation({"name": "leaky_relu", "gamma": "g"}, names={"g": g})(t)
    for tv in (-3, 0, sympy.Rational(5, 2)):
        for gv in (0, sympy.Rational(1, 3), 4):
            expected = tv if tv > 0 else gv * tv
            assert form.xreplace({t: tv, g: gv}) == expected
