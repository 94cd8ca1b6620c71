"""Activation patterns and the affine maps of their regions (symresnet.compute.patterns) against
the Fraction reference.

Expected values come from the book (by hand) or from ``tests/reference.py`` (plain Fractions,
no symresnet code).
"""

from __future__ import annotations

import doctest
from fractions import Fraction

import pytest
import reference as ref
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import ACTIVATIONS, networks, small

from symresnet import ResNet
from symresnet.base.errors import NetworkError
from symresnet.compute import patterns

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reference(data, x0):
    W, B, skips, f = data
    return ref.realization(W, B, skips, f, x0)


PL = [a for a in ACTIVATIONS if a[0] not in ("softsign",) and a[0] != {"name": "repu", "p": 2}]


@FAST
@given(networks(activations=PL), st.lists(small, min_size=4, max_size=4))
def test_affine_map_of_a_pattern_reproduces_the_realization(case, other):
    net, data, x0 = case
    [pattern] = patterns.patterns(net, [x0])
    maps = patterns.affine_maps(net, pattern)
    xs = _reference(data, x0)
    for layer in maps:
        got = [Fraction(int(q.p), int(q.q)) for q in layer.x(x0)]
        assert got == xs[layer.k]
    # the same maps hold at any other point with the same pattern
    y = other[: net.dims[0]]
    if patterns.patterns(net, [y]) == [pattern]:
        got = [Fraction(int(q.p), int(q.q)) for q in maps[-1].x(y)]
        assert got == _reference(data, y)[-1]


def test_patterns_by_hand(exercise):
    # Exercise 1.5.1 at -1: z_1 = (2; 2), z_2 = (2; -2; 2): relu pieces (-oo, 0] = 0, (0, oo) = 1
    assert patterns.patterns(exercise, [[-1]]) == [((1, 1), (1, 0, 1))]
    # at -3: z_1 = (0; -2): 0 belongs to the left piece
    assert patterns.patterns(exercise, [[-3]])[0][0] == (0, 0)


def test_heaviside_boundary_goes_right():
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="heaviside")
    assert patterns.patterns(net, [[0], [-1], [1]]) == [((1,),), ((0,),), ((1,),)]
    maps = patterns.affine_maps(net, ((1,),))
    assert maps[-1].x([0]) == [1]


def test_affine_maps_of_example_by_hand(example):
    # all neurons active: x_4 = 2 x + 2 (2 x + 1) + 1 - x = 5 x + 3
    maps = patterns.affine_maps(example, ((1,), (1, 1), (1, 1)))
    C, d = maps[-1].x.to_sympy()
    assert (C, d) == (sympy.Matrix([[5]]), sympy.Matrix([3]))
    C2, d2 = maps[1].pre.to_sympy()
    assert (C2, d2) == (sympy.Matrix([[1], [2]]), sympy.Matrix([0, 1]))


def test_affine_maps_reject_bad_patterns(example):
    with pytest.raises(NetworkError, match="one entry per hidden layer"):
        patterns.affine_maps(example, ((1,),))
    with pytest.raises(NetworkError, match="layer 2 has 2 neurons"):
        patterns.affine_maps(example, ((1,), (1,), (1, 1)))
    with pytest.raises(NetworkError, match="piece indices"):
        patterns.affine_maps(example, ((2,), (1, 1), (1, 1)))
    a = sympy.Symbol("a", real=True)
    with pytest.raises(NetworkError, match="layer 2"):
        patterns.affine_maps(ResNet(W=[[[1]], [[a]]], B=[[0], [0]]), ((1,),))


def test_module_examples():
    assert doctest.testmod(patterns).failed == 0
