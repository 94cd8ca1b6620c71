"""Hypothesis strategies shared by the core and modular tests: random ResNets with small rational
weights, with the activation's reference function written out by hand in tests/reference.py."""

from __future__ import annotations

from fractions import Fraction

import reference as ref
from hypothesis import strategies as st

from symresnet import ResNet

small = st.builds(Fraction, st.integers(-4, 4), st.integers(1, 3))

# activation spec -> the reference's function (written out by hand in tests/reference.py)
ACTIVATIONS = [
    ("relu", ref.relu),
    ({"name": "leaky_relu", "gamma": "1/3"}, ref.leaky(Fraction(1, 3))),
    ({"name": "leaky_relu", "gamma": 0}, ref.leaky(Fraction(0))),
    ({"name": "leaky_relu", "gamma": 2}, ref.leaky(Fraction(2))),
    ({"name": "clip", "u": "-1/2", "v": "3/2"}, ref.clip(Fraction(-1, 2), Fraction(3, 2))),
    ({"name": "clip", "v": 1}, ref.clip(None, Fraction(1))),
    ({"name": "clip", "u": "1/3"}, ref.clip(Fraction(1, 3), None)),
    ("heaviside", ref.heaviside),
    ({"name": "repu", "p": 2}, ref.repu(2)),
    ({"name": "repu", "p": 1}, ref.repu(1)),
    ("identity", lambda x: x),
    ("softsign", lambda x: x / (abs(x) + 1)),
]


@st.composite
def networks(draw, *, activations=ACTIVATIONS, max_width=4, max_depth=4):
    """A random ResNet with small rational weights, its activation's reference, and an input."""
    L = draw(st.integers(1, max_depth))
    dims = draw(st.lists(st.integers(1, max_width), min_size=L + 1, max_size=L + 1))
    W = [
        [[draw(small) for _ in range(dims[k - 1])] for _ in range(dims[k])] for k in range(1, L + 1)
    ]
    B = [[draw(small) for _ in range(dims[k])] for k in range(1, L + 1)]
    pairs = [(r, k) for k in range(2, L + 1) for r in range(k - 1)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    skips = {
        (r, k): [[draw(small) for _ in range(dims[r])] for _ in range(dims[k])] for r, k in chosen
    }
    act, f = draw(st.sampled_from(activations))
    x0 = [draw(small) for _ in range(dims[0])]
    return ResNet(W=W, B=B, skips=skips, activation=act), (W, B, skips, f), x0


@st.composite
def architectures(draw, *, max_width=12, max_depth=8):
    """The shape of a ResNet for the architecture picture: ``(network, dims, skips,
    identities)`` with zero weights, any skip set ``S`` (``r = k - 1`` too) and some of its
    square skips given as ``"I"`` (``identities``, the set of those)."""
    L = draw(st.integers(1, max_depth))
    dims = draw(st.lists(st.integers(1, max_width), min_size=L + 1, max_size=L + 1))
    pairs = [(r, k) for k in range(1, L + 1) for r in range(k)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=12))
    skips: dict = {}
    identities = set()
    for r, k in chosen:
        if dims[r] == dims[k] and draw(st.booleans()):
            skips[(r, k)] = "I"
            identities.add((r, k))
        else:
            skips[(r, k)] = [[0] * dims[r] for _ in range(dims[k])]
    W = [[[0] * dims[k - 1] for _ in range(dims[k])] for k in range(1, L + 1)]
    B = [[0] * dims[k] for k in range(1, L + 1)]
    return ResNet(W=W, B=B, skips=skips), dims, set(chosen), identities
