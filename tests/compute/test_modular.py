"""The multi-modular batch path (symresnet.compute.modular) against the Fraction reference.

Expected values come from ``tests/reference.py`` (plain Fractions, no symresnet code) or, for
the arithmetic helpers, from Python's own integers.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import reference as ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import networks

from symresnet import ResNet, realize_many
from symresnet.compute import core, modular, scaled

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# the activations the modular path takes, with the reference's function
MODULAR = [
    ("relu", ref.relu),
    ({"name": "leaky_relu", "gamma": "1/3"}, ref.leaky(Fraction(1, 3))),
    ({"name": "leaky_relu", "gamma": "7/5"}, ref.leaky(Fraction(7, 5))),
    ({"name": "leaky_relu", "gamma": 0}, ref.leaky(Fraction(0))),
    ({"name": "leaky_relu", "gamma": 1}, ref.leaky(Fraction(1))),
    ({"name": "leaky_relu", "gamma": 2}, ref.leaky(Fraction(2))),
    ("heaviside", ref.heaviside),
    ("identity", lambda x: x),
]

# few distinct values, many of them integers: exact zeros (doubtful signs) are common
coarse = st.builds(Fraction, st.integers(-3, 3), st.sampled_from([1, 1, 1, 2]))


def _fractions(values) -> list[Fraction]:
    return [Fraction(int(v.p), int(v.q)) for v in values]


def _check(net: ResNet, data, points) -> scaled.Scaled:
    W, B, skips, f = data
    model = core.compiled(net)
    out = modular.outputs(model, scaled.columns(points))
    assert out is not None
    for j, p in enumerate(points):
        assert _fractions(out.column_values(j)) == ref.realization(W, B, skips, f, p)[-1]
    return out


@FAST
@given(
    networks(activations=MODULAR, max_width=5, max_depth=5),
    st.lists(st.lists(coarse, min_size=5, max_size=5), min_size=8, max_size=24),
)
def test_modular_outputs_match_reference(case, raw):
    net, data, _ = case
    _check(net, data, [p[: net.dims[0]] for p in raw])


def _doubtful_net() -> tuple[ResNet, tuple]:
    """Layer 1 computes ``x - y`` twice, and the points have ``x = y``: every hidden
    pre-activation of layer 2 is exactly zero, so the floats cannot tell its sign."""
    W = [[[Fraction(1), Fraction(-1)], [Fraction(-1), Fraction(1)]], [[Fraction(1), Fraction(1)]]]
    B = [[Fraction(0), Fraction(0)], [Fraction(0)]]
    return W, B


@pytest.mark.parametrize(
    ("act", "f", "expected"),
    [("relu", ref.relu, 0), ("heaviside", ref.heaviside, 2)],  # Heaviside(0) = 1, twice
)
def test_exact_zeros_are_settled_exactly(act, f, expected):
    W, B = _doubtful_net()
    net = ResNet(W=W, B=B, activation=act)
    points = [[Fraction(j, 7), Fraction(j, 7)] for j in range(-6, 7)]
    out = _check(net, (W, B, {}, f), points)
    assert all(v == expected for j in range(len(points)) for v in out.column_values(j))


def test_too_many_doubtful_signs_fall_back(monkeypatch):
    W, B = _doubtful_net()
    net = ResNet(W=W, B=B, activation="relu")
    points = [[Fraction(j), Fraction(j)] for j in range(10)]
    monkeypatch.setattr(modular, "DOUBTFUL_PER_POINT", 0)
    assert modular.outputs(core.compiled(net), scaled.columns(points)) is None
    batch = realize_many(net, points, workers=1)  # the integer core instead, same values
    assert all(batch.outputs.values(j) == [0] for j in range(10))


def _dense(rng: random.Random, width: int, depth: int, scale: int = 1):
    def q() -> Fraction:
        return Fraction(rng.randint(-9, 9) * scale, rng.randint(1, 9))

    W = [[[q() for _ in range(width)] for _ in range(width)] for _ in range(depth)]
    B = [[q() for _ in range(width)] for _ in range(depth)]
    skips = {
        (k - 2, k): [[q() for _ in range(width)] for _ in range(width)] for k in range(2, depth + 1)
    }
    return W, B, skips


def test_deep_dense_network_needs_many_primes():
    rng = random.Random(5)
    W, B, skips = _dense(rng, 12, 12)
    net = ResNet(W=W, B=B, skips=skips, activation="relu")
    points = [
        [Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(12)] for _ in range(40)
    ]
    out = _check(net, (W, B, skips, ref.relu), points)
    assert max(abs(int(e)) for e in out.num.entries()).bit_length() > 150  # several primes


@pytest.mark.parametrize(
    ("act", "f"),
    [
        ("relu", ref.relu),
        ({"name": "leaky_relu", "gamma": "1/3"}, ref.leaky(Fraction(1, 3))),
        ("heaviside", ref.heaviside),
    ],
)
def test_deep_networks_run_in_segments(monkeypatch, act, f):
    """Deep enough that the float error bounds outgrow the values: the exact values are handed
    on to a fresh float pass (a new segment), skips reaching back across the boundary."""
    segments = []
    real = modular._float_segment

    def spy(*args, **kwargs):
        seg = real(*args, **kwargs)
        segments.append(seg)
        return seg

    monkeypatch.setattr(modular, "_float_segment", spy)
    rng = random.Random(11)
    W, B, skips = _dense(rng, 6, 40)
    skips[(0, 40)] = [[Fraction(rng.randint(-3, 3)) for _ in range(6)] for _ in range(6)]
    net = ResNet(W=W, B=B, skips=skips, activation=act)
    points = [
        [Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(6)] for _ in range(12)
    ]
    _check(net, (W, B, skips, f), points)
    assert all(seg is not None for seg in segments)
    if act != "heaviside":  # Heaviside resets the values: its floats stay exact
        assert len(segments) >= 2
    assert segments[-1].stop == 40


def test_huge_input_entries_take_the_limb_path():
    W = [[[Fraction(1, 3), Fraction(-2)]], [[Fraction(5)]]]
    B = [[Fraction(1, 7)], [Fraction(-1)]]
    net = ResNet(W=W, B=B, activation={"name": "leaky_relu", "gamma": "1/4"})
    den = 2**80 + 1
    points = [[Fraction(j * 2**79 + 3, den), Fraction(-j, den)] for j in range(-5, 5)]
    _check(net, (W, B, {}, ref.leaky(Fraction(1, 4))), points)


def test_values_beyond_float_range_fall_back_to_the_integer_core():
    W = [[[Fraction(10**400)]], [[Fraction(1, 10**400)]]]
    B = [[Fraction(0)], [Fraction(0)]]
    net = ResNet(W=W, B=B, activation="relu")
    points = [[Fraction(j)] for j in range(-4, 8)]
    assert modular.outputs(core.compiled(net), scaled.columns(points)) is None
    batch = realize_many(net, points, workers=1)
    got = [_fractions(batch.outputs.values(j)) for j in range(len(points))]
    assert got == [[max(p[0], Fraction(0))] for p in points]


def _falls_back(net: ResNet, data, points) -> None:
    """The modular path declines (no exception), and realize_many, on the integer core, still
    gives the reference values."""
    W, B, skips, f = data
    assert modular.outputs(core.compiled(net), scaled.columns(points)) is None
    batch = realize_many(net, points, workers=1)
    for j, p in enumerate(points):
        assert _fractions(batch.outputs.values(j)) == ref.realization(W, B, skips, f, p)[-1]


@pytest.mark.parametrize(
    ("gamma", "points"),
    [
        (Fraction(10**400), [[Fraction(j)] for j in range(-5, 5)]),  # slope beyond float range
        (Fraction(2**1000), [[Fraction(-(2**40) - j)] for j in range(10)]),  # gamma z overflows
        (Fraction(1, 10**400), [[Fraction(j)] for j in range(-5, 5)]),  # slope below it
    ],
)
def test_extreme_leaky_slopes_fall_back(gamma, points):
    W = [[[Fraction(1)]], [[Fraction(1)]]]
    B = [[Fraction(0)], [Fraction(0)]]
    act = {"name": "leaky_relu", "gamma": f"{gamma.numerator}/{gamma.denominator}"}
    net = ResNet(W=W, B=B, activation=act)
    _falls_back(net, (W, B, {}, ref.leaky(gamma)), points)


def test_values_overflowing_in_a_later_layer_fall_back():
    # x_1 is finite, |x_1| + e (and then z_2) overflow: the bound must not crash
    W = [[[Fraction(2**53 - 1, 2**29)]], [[Fraction(2)]], [[Fraction(1)]]]
    B = [[Fraction(0)], [Fraction(0)], [Fraction(0)]]
    net = ResNet(W=W, B=B, activation="relu")
    points = [[Fraction(2**1000 - j)] for j in range(10)]
    _falls_back(net, (W, B, {}, ref.relu), points)


def test_unsupported_activations_and_small_batches_are_declined():
    clip = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation={"name": "clip", "u": 0, "v": 1})
    assert not modular.supports(core.compiled(clip))
    assert modular.outputs(core.compiled(clip), scaled.columns([[j] for j in range(20)])) is None
    relu = ResNet(W=[[[1]], [[1]]], B=[[0], [0]])
    few = scaled.columns([[j] for j in range(modular.MIN_COLUMNS - 1)])
    assert modular.outputs(core.compiled(relu), few) is None


def test_realize_many_uses_the_modular_path(monkeypatch):
    calls = []
    real = modular.outputs

    def spy(model, X):
        out = real(model, X)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(modular, "outputs", spy)
    rng = random.Random(9)
    W, B, skips = _dense(rng, 4, 3)
    net = ResNet(W=W, B=B, skips=skips, activation="relu")
    points = [
        [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(4)] for _ in range(30)
    ]
    batch = realize_many(net, points, workers=1)
    assert calls and all(calls)
    for j, p in enumerate(points):
        assert _fractions(batch.outputs.values(j)) == ref.realization(W, B, skips, ref.relu, p)[-1]


# -- the helpers of the segments ---------------------------------------------------------------


def test_last_readers_follow_the_skips():
    # L = 4, skips (0, 3) and (1, 4): x_0 is last read by layer 3, x_1 by layer 4
    W = [[[1]], [[1]], [[1]], [[1]]]
    B = [[0], [0], [0], [0]]
    net = ResNet(W=W, B=B, skips={(0, 3): [[1]], (1, 4): [[2]]})
    assert modular._last_readers(core.compiled(net)) == {0: 3, 1: 4, 2: 3, 3: 4}
    assert modular._needed(core.compiled(net), 2) == [0, 1, 2]


def test_values_needing_many_primes_are_left_to_the_integer_core(monkeypatch):
    # denominators up to 1000 through 30 layers with skips: outputs of thousands of bits, where
    # Garner's reconstruction (quadratic in the primes) loses to the core's big integers
    rng = random.Random(11)
    W, B, skips = [], [], {}
    for k in range(1, 31):
        W.append([[Fraction(rng.randint(-9, 9), rng.randint(1, 1000)) for _ in range(2)]] * 2)
        B.append([Fraction(rng.randint(-9, 9), rng.randint(1, 1000)) for _ in range(2)])
        if k >= 2:
            skips[(k - 2, k)] = [[Fraction(rng.randint(-9, 9), rng.randint(1, 1000))] * 2] * 2
    W[-1], B[-1] = W[-1][:1], B[-1][:1]
    skips[(28, 30)] = skips[(28, 30)][:1]
    net = ResNet(W=W, B=B, skips=skips, activation="relu")
    points = [[Fraction(j, 7), Fraction(1 - j, 3)] for j in range(10)]
    _falls_back(net, (W, B, skips, ref.relu), points)
    # declined for the number of primes alone: without the cap the path runs (and is exact)
    monkeypatch.setattr(modular, "MAX_PRIMES", 10**6)
    _check(net, (W, B, skips, ref.relu), points)
