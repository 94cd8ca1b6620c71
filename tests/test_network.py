"""Def. 1.5.1/1.5.2 validation, dims, parameter count, Lemma 1.5.3, Def. 1.5.5."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
import sympy
from conftest import EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W

from symresnet import NetworkError, ParseError, ResNet, identity, plain_ann
from symresnet.errors import ActivationError


def test_exercise_dims_and_count(exercise):
    assert exercise.L == 3
    assert exercise.dims == (1, 2, 3, 1)
    assert exercise.S == ((0, 3), (1, 3))
    # sum l_k (l_{k-1} + 1) = 2*2 + 3*3 + 1*4 = 17, skips l_3 l_0 + l_3 l_1 = 1 + 2 = 3
    assert exercise.parameter_count == 20
    assert not exercise.is_plain
    assert exercise.is_rational


def test_example_parameter_count(example):
    # 1*2 + 2*2 + 2*3 + 1*3 = 15, skip (0,4): 1*1
    assert example.parameter_count == 16


def test_entries_are_exact():
    net = ResNet(W=[[["0.1", Fraction(1, 3)]]], B=["-2/7"], activation="relu")
    assert net.W[0][0, 0] == sympy.Rational(1, 10)
    assert net.W[0][0, 1] == sympy.Rational(1, 3)
    assert net.B[0][0] == sympy.Rational(-2, 7)


def test_bare_numbers_are_1x1():
    net = ResNet(W=[2], B=[3])
    assert net.dims == (1, 1)
    assert net.W[0] == sympy.Matrix([[2]])


def test_plain_ann_is_resnet_without_skips():
    net = plain_ann(W=[[[1, 0], [0, -1], [-2, 2]], [[1, -2, 3]]], B=[[0, 2, -1], [1]])
    assert net.is_plain and net.S == ()
    assert net.parameter_count == 3 * 3 + 1 * 4
    assert net == ResNet(
        W=[[[1, 0], [0, -1], [-2, 2]], [[1, -2, 3]]], B=[[0, 2, -1], [1]], skips={}
    )


def test_identity_skip_marker():
    net = ResNet(
        W=[[[1, 2], [3, 4]], [[1, 1], [0, 1]]], B=[[0, 0], [0, 0]], skips={(0, 2): identity}
    )
    assert net.skips[(0, 2)] == sympy.eye(2)
    net2 = ResNet(W=net.W, B=net.B, skips={(0, 2): "I"})
    assert net2 == net
    assert identity(3) == sympy.eye(3)


@pytest.mark.parametrize(
    ("kwargs", "place", "message"),
    [
        (dict(W=[], B=[]), "layers", r"at least one layer"),
        (dict(W=[[[1]]], B=[[1], [2]]), "layers", r"1 weight matrices but 2 bias"),
        (
            dict(W=[[[1], [2]], [[-1, 2], [3, -4]], [[-1, 1, -1]]], B=EXERCISE_B),
            "layers[2].W",
            r"expected 3 rows of 2 entries \(l_2 x l_1\), got 2 rows",
        ),
        (dict(W=[[[1], [2]], [[1, 2, 3]]], B=[[0, 0], [0]]), "layers[2].W", r"row 1 has 3"),
        (dict(W=[[[1]]], B=[[1, 2]]), "layers[1].W", r"expected 2 rows of 1 entry"),
        (
            dict(W=[[[1]]], B=[[1]], dims=[1, 2]),
            "layers[1].B",
            r"expected 2 entries \(l_1\), got 1",
        ),
        (dict(W=[[[1]]], B=[[1]], dims=[1]), "dims", r"expected 2 dimensions"),
        (dict(W=[[[1]]], B=[[1]], dims=[1, 0]), "dims[1]", r"positive integer"),
        (dict(W=[[[1]]], B=[[1]], skips={(0, 2): [[1]]}), "skips[1]", r"need 0 <= r < k <= L = 1"),
        (dict(W=[[[1]], [[1]]], B=[[1], [1]], skips={(1, 1): [[1]]}), "skips[1]", r"\(1, 1\)"),
        (dict(W=[[[1]], [[1]]], B=[[1], [1]], skips={(-1, 2): [[1]]}), "skips[1]", r"\(-1, 2\)"),
        (
            dict(W=EXERCISE_W, B=EXERCISE_B, skips={(1, 3): [[3, -2, 1]]}),
            "skips[1].V",
            r"expected 1 row of 2 entries \(l_3 x l_1\)",
        ),
        (
            dict(W=EXERCISE_W, B=EXERCISE_B, skips={(0, 3): "I", (1, 2): "I"}),
            "skips[2].V",
            r"l_2 = l_1",
        ),
        (dict(W=[[[1]], [[1]]], B=[[1], [1]], skips={(0, 1.5): [[1]]}), "skips[1].k", r"integer"),
        (dict(W=[[["x"]]], B=[[1]]), "layers[1].W[1][1]", r"unknown name 'x'"),
        (dict(W=[[[1]]], B=[[None]]), "layers[1].B[1][1]", r"NoneType|None"),
    ],
)
def test_invalid_networks(kwargs, place, message):
    with pytest.raises((NetworkError, ParseError)) as info:
        ResNet(**kwargs)
    assert info.value.place == place
    assert re.search(message, info.value.message), info.value.message


def test_float_entries_are_refused():
    with pytest.raises(ParseError, match="Fraction"):
        ResNet(W=[[[0.5]]], B=[[0]])


def test_unknown_activation_lists_known():
    with pytest.raises(ActivationError, match="relu") as info:
        ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS, activation="swishy")
    assert info.value.place.startswith("activation")


def test_symbols_in_weights():
    v = sympy.Symbol("v", real=True)
    net = ResNet(W=[[[1]], [[2]]], B=[[0], [0]], skips={(0, 2): [[v]]})
    assert net.free_symbols == {v}
    assert not net.is_rational
