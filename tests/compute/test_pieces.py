"""Symbolic realizations as exact pieces, checked against the Fraction reference.

The pieces of Exercise 1.5.1 at a symbolic input x were worked out by hand (docs/math.md's network):
x_1 = (r(x + 3); r(2x + 4)); for x > -2 the second layer sees (3x + 5; -5x - 7; 7x + 9), so
the breakpoints are -3, -2, -5/3, -7/5, -9/7 and
R(x) = x - 4, 7x + 14, -5x - 10, -8x - 15, -3x - 8, -10x - 17 on the six pieces.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from conftest import EXAMPLE_B, EXAMPLE_W, EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import clip, heaviside, leaky, realization, relu

from symresnet import ResNet
from symresnet.compute.pieces import realization_pieces
from symresnet.solve.conditions import Solver, z3_available

x, y, a, b = sympy.symbols("x y a b", real=True)
F = Fraction

#: (condition text, value, rational points inside: ends and interior) by hand
EXERCISE_PIECES = [
    ("x <= -3", x - 4, [F(-3), F(-10), F(-7, 2)]),
    ("-3 < x <= -2", 7 * x + 14, [F(-2), F(-5, 2), F(-29, 10)]),
    ("-2 < x <= -5/3", -5 * x - 10, [F(-5, 3), F(-19, 10), F(-7, 4)]),
    ("-5/3 < x < -7/5", -8 * x - 15, [F(-3, 2), F(-8, 5), F(-29, 20)]),
    ("-7/5 <= x <= -9/7", -3 * x - 8, [F(-7, 5), F(-9, 7), F(-4, 3)]),
    ("x > -9/7", -10 * x - 17, [F(-1), F(0), F(5), F(-5, 4)]),
]


def fr(matrix):
    return [[F(e) for e in row] for row in matrix]


def exercise_reference(x0: Fraction) -> Fraction:
    W = [fr(w) for w in EXERCISE_W]
    B = [[F(v) for v in bias] for bias in EXERCISE_B]
    skips = {k: fr(v) for k, v in EXERCISE_SKIPS.items()}
    return realization(W, B, skips, relu, [x0])[-1][0]


@pytest.fixture(scope="module")
def exercise_pieces():
    net = ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS)
    return realization_pieces(net, [x])


def test_exercise_pieces_by_hand(exercise_pieces):
    assert exercise_pieces.symbols == (x,)
    assert exercise_pieces.decided
    got = [(p.text(), sympy.expand(p.value[0])) for p in exercise_pieces]
    assert got == [(text, value) for text, value, _ in EXERCISE_PIECES]


def test_exercise_pieces_agree_with_reference_in_every_piece(exercise_pieces):
    for (_, value, points), piece in zip(EXERCISE_PIECES, exercise_pieces, strict=True):
        for q in points:
            point = {x: sympy.Rational(q.numerator, q.denominator)}
            assert piece.contains(point) is True
            assert [p.contains(point) for p in exercise_pieces].count(True) == 1
            assert piece.value[0].xreplace(point) == exercise_reference(q)
            assert value.xreplace(point) == exercise_reference(q)
        assert piece.point is not None and piece.contains(piece.point)


@settings(max_examples=80, deadline=None)
@given(st.fractions(min_value=-8, max_value=6, max_denominator=40))
def test_exercise_pieces_property(exercise_pieces, q):
    point = {x: sympy.Rational(q.numerator, q.denominator)}
    inside = [p for p in exercise_pieces if p.contains(point)]
    assert len(inside) == 1  # a partition of the line
    assert exercise_pieces.value_at(point)[0] == exercise_reference(q)
    assert exercise_pieces.piecewise()[0].xreplace(point) == exercise_reference(q)


def test_piecewise_output(exercise_pieces):
    pw = exercise_pieces.piecewise()[0]
    assert isinstance(pw, sympy.Piecewise)
    assert pw.xreplace({x: -1}) == -7  # the book's value at -1
    assert pw.xreplace({x: -2}) == 0


def test_bounds_restrict_the_pieces():
    net = ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS)
    pieces = realization_pieces(net, [x], bounds={"x": (-2, 0)})
    # x = -2 alone would carry 7x + 14 = 0, which -5x - 10 also gives there: merged
    assert [p.text() for p in pieces] == [
        "-2 <= x <= -5/3",
        "-5/3 < x < -7/5",
        "-7/5 <= x <= -9/7",
        "-9/7 < x <= 0",
    ]


def test_parameter_in_weights_single_piece():
    v = sympy.Symbol("v", real=True)
    net = ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips={(0, 4): [[v]]})
    pieces = realization_pieces(net, [5])
    ((piece,),) = [tuple(pieces)]
    assert piece.condition == () and piece.value[0] == 5 * v + 33


def test_exercise_with_parameter_a():
    W = [EXERCISE_W[0], [[a, 2], [3, -4], [-5, 6]], EXERCISE_W[2]]
    pieces = realization_pieces(ResNet(W=W, B=EXERCISE_B, skips=EXERCISE_SKIPS), [-1])
    # R(-1) = -max(2a + 4, 0) - 5: -5 for a <= -2, -2a - 9 for a > -2
    assert [(p.text(), p.value[0]) for p in pieces] == [("a <= -2", -5), ("a > -2", -2 * a - 9)]


def test_neighbours_with_the_same_value_merge():
    # r(x) - r(-x) = x everywhere
    net = ResNet(W=[[[1], [-1]], [[1, -1]]], B=[[0, 0], [0]])
    merged = realization_pieces(net, [x])
    assert [(p.condition, p.value[0]) for p in merged] == [((), x)]
    split = realization_pieces(net, [x], merge=False)
    # by hand: the two neurons split the line at 0 twice: x < 0, x = 0 (value 0), x > 0
    assert [(p.text(), p.value[0]) for p in split] == [("x < 0", x), ("x = 0", 0), ("x > 0", x)]


def test_two_inputs_lp_pieces():
    # r(x + y) - r(x - y): four pieces decided by LP
    net = ResNet(W=[[[1, 1], [1, -1]], [[1, -1]]], B=[[0, 0], [0]])
    pieces = realization_pieces(net, [x, y])
    assert pieces.decided and len(pieces) == 4
    for qx in range(-3, 4):
        for qy in range(-3, 4):
            point = {x: sympy.Integer(qx), y: sympy.Integer(qy)}
            assert sum(bool(p.contains(point)) for p in pieces) == 1
            assert pieces.value_at(point)[0] == relu(F(qx + qy)) - relu(F(qx - qy))


def test_repu_is_piecewise_polynomial():
    net = ResNet(W=[[[a]], [[1]]], B=[[0], [0]], activation={"name": "repu", "p": 2})
    pieces = realization_pieces(net, [1])
    assert [(p.text(), p.value[0]) for p in pieces] == [("a <= 0", 0), ("a > 0", a**2)]


def test_smooth_activation_is_closed_form():
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="softplus")
    pieces = realization_pieces(net, [x])
    assert pieces.closed_form and len(pieces) == 1
    assert pieces.pieces[0].value[0] == sympy.log(1 + sympy.exp(x))


def test_nonlinear_conditions_need_z3():
    # z_1 = a, z_2 = b r(a): the split of the second neuron is on a*b, nonlinear in (a, b)
    net = ResNet(W=[[[a]], [[b]], [[1]]], B=[[0], [0], [0]])
    undecided = realization_pieces(net, [1], solver=Solver(use_z3=False))
    assert not undecided.decided
    if z3_available():
        decided = realization_pieces(net, [1])
        assert decided.decided
        # a <= 0: 0;  a > 0 and a b <= 0: 0;  a > 0 and a b > 0: a b.  The first two share
        # the value 0 but their union (a <= 0 or b <= 0) is not one conjunction: no merge
        assert [(p.text(), p.value[0]) for p in decided] == [
            ("a <= 0", 0),
            ("a > 0 and a*b <= 0", 0),
            ("a > 0 and a*b > 0", a * b),
        ]


ACTIVATIONS = {
    "relu": ("relu", relu),
    "leaky": ({"name": "leaky_relu", "gamma": "1/2"}, leaky(F(1, 2))),
    "clip": ({"name": "clip", "u": -1, "v": 1}, clip(F(-1), F(1))),
    "heaviside": ("heaviside", heaviside),
}


@st.composite
def networks(draw):
    hidden = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    dims = [1, *hidden, 1]
    entry = st.integers(-3, 3)
    W = [
        [[draw(entry) for _ in range(dims[k])] for _ in range(dims[k + 1])]
        for k in range(len(dims) - 1)
    ]
    B = [[draw(entry) for _ in range(dims[k + 1])] for k in range(len(dims) - 1)]
    skips = {}
    if draw(st.booleans()):
        skips[(0, len(dims) - 1)] = [[draw(entry)]]
    act = draw(st.sampled_from(sorted(ACTIVATIONS)))
    return W, B, skips, act


@settings(max_examples=25, deadline=None)
@given(networks(), st.lists(st.fractions(-5, 5, max_denominator=12), min_size=4, max_size=8))
def test_random_networks_against_reference(data, points):
    W, B, skips, act = data
    spec, fn = ACTIVATIONS[act]
    net = ResNet(W=W, B=B, skips=skips, activation=spec)
    pieces = realization_pieces(net, [x])
    Wf = [[[F(v) for v in row] for row in w] for w in W]
    Bf = [[F(v) for v in bias] for bias in B]
    Sf = {k: [[F(v) for v in row] for row in m] for k, m in skips.items()}
    for q in points:
        point = {x: sympy.Rational(q.numerator, q.denominator)}
        assert sum(bool(p.contains(point)) for p in pieces) == 1
        assert pieces.value_at(point)[0] == realization(Wf, Bf, Sf, fn, [q])[-1][0]
    for p in pieces:  # no empty piece: each has an exact point inside
        assert p.point is not None and p.contains(p.point)


def test_the_case_split_stops_at_max_pieces():
    from symresnet.base.errors import LimitError
    from symresnet.values.limits import Limits, using_limits

    # ReLU(a), ReLU(a - 1), ReLU(a - 2), ReLU(a - 3): breakpoints 0, 1, 2, 3, so five pieces
    net = ResNet(W=[[[1], [1], [1], [1]], [[1, 1, 1, 1]]], B=[[0, -1, -2, -3], [0]])
    a = sympy.Symbol("a", real=True)
    assert len(realization_pieces(net, [a]).pieces) == 5
    with using_limits(Limits(max_pieces=4)), pytest.raises(LimitError) as err:
        realization_pieces(net, [a])
    assert str(err.value).startswith("layers[1]: the realization splits into more than 4 pieces")
    with using_limits(Limits(max_pieces=5)):
        assert len(realization_pieces(net, [a]).pieces) == 5
