"""The extrema of drawn variant networks over boxes (claims/variants_extrema.py) against an
independent Fraction computation (tests/reference.py) and the box engine with its verified
evidence."""

from __future__ import annotations

import random
from fractions import Fraction

import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.claims.variants import Template, _draw_net, _extrema, _resnet
from symresnet.claims.variants_extrema import box_extrema
from symresnet.model.activations import IDENTITY, activation

RELU = activation("relu")
SHAPES = [
    Template(dims=(2, 3, 3, 3, 1), skips=((0, 2), (1, 4))),
    Template(dims=(1, 2, 2, 1), skips=((0, 2),)),
    Template(dims=(3, 2, 2, 1), skips=((0, 3),)),
]


def _lists(net):
    W, B, S = net
    return (
        [[list(r) for r in m] for m in W],
        [list(b) for b in B],
        {(r, k): [list(row) for row in V] for r, k, V in S},
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    shape=st.sampled_from(SHAPES),
    lo=st.integers(-2, 2),
    width=st.integers(1, 3),
    rest=st.lists(st.integers(-2, 2), min_size=2, max_size=2),
    forgotten=st.booleans(),
)
def test_parameter_range_matches_the_fraction_reference(seed, shape, lo, width, rest, forgotten):
    """``t in [lo, lo + width]``, the other inputs fixed (a parameter part): the same ``(min,
    max)`` as tests/reference.extrema_1d, with ReLU and without activation."""
    net = _draw_net(random.Random(seed), shape)
    act = IDENTITY if forgotten else RELU
    xs = tuple(Fraction(v) for v in rest[: shape.dims[0] - 1])
    box = [(Fraction(lo), Fraction(lo + width)), *((v, v) for v in xs)]
    W, B, S = _lists(net)
    hidden = (lambda e: e) if forgotten else ref.relu
    expected = ref.extrema_1d(W, B, S, hidden, lambda e: e, box[0][0], box[0][1], xs)
    assert box_extrema(*net, act, box) == expected


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    lo=st.lists(st.integers(-2, 2), min_size=2, max_size=2),
    width=st.integers(1, 2),
)
def test_two_dimensional_box_matches_the_box_engine_and_every_corner(seed, lo, width):
    """A box part (two free inputs): the same ``(min, max)`` as the box engine (whose evidence
    is verified), and every corner's and centre's value (tests/reference.realization) lies in
    between."""
    t = SHAPES[0]
    net = _draw_net(random.Random(seed), t)
    box = [(Fraction(a), Fraction(a + width)) for a in lo]
    got = box_extrema(*net, RELU, box)
    assert got == _extrema(_resnet(net, RELU), box)
    W, B, S = _lists(net)
    low, high = got
    for x in [(a, b) for a in box[0] for b in box[1]] + [tuple((a + b) / 2 for a, b in box)]:
        y = ref.realization(W, B, S, ref.relu, list(x))[-1][0]
        assert low <= y <= high


def test_not_applicable_is_none():
    """A discontinuous activation or more than two free inputs: the caller uses the box
    engine."""
    net = _draw_net(random.Random(1), SHAPES[0])
    box = [(Fraction(0), Fraction(1))] * 2
    assert box_extrema(*net, activation("heaviside"), box) is None
    net3 = _draw_net(random.Random(1), SHAPES[2])
    assert box_extrema(*net3, RELU, [(Fraction(0), Fraction(1))] * 3) is None
    assert box_extrema(*net3, RELU, [(Fraction(0), Fraction(1))] * 2 + [(Fraction(1),) * 2])
