"""The multi-modular batch path (symresnet.compute.modular) against the Fraction reference.

Expected values come from ``tests/reference.py`` (plain Fractions, no symresnet code) or, for
the arithmetic helpers, from Python's own integers.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import flint
import numpy as np
import pytest
import reference as ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import networks

from symresnet import ResNet, realize_many
from symresnet.compute import core, modular

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


def _check(net: ResNet, data, points) -> core.Scaled:
    W, B, skips, f = data
    model = core.compiled(net)
    out = modular.outputs(model, core.columns(points))
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
    assert modular.outputs(core.compiled(net), core.columns(points)) is None
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
    assert modular.outputs(core.compiled(net), core.columns(points)) is None
    batch = realize_many(net, points, workers=1)
    got = [_fractions(batch.outputs.values(j)) for j in range(len(points))]
    assert got == [[max(p[0], Fraction(0))] for p in points]


def _falls_back(net: ResNet, data, points) -> None:
    """The modular path declines (no exception), and realize_many, on the integer core, still
    gives the reference values."""
    W, B, skips, f = data
    assert modular.outputs(core.compiled(net), core.columns(points)) is None
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


def test_floats_of_digits_skip_zero_top_digits():
    # many primes (for a large magnitude elsewhere), small values, a tiny denominator: the
    # weights of the top digits overflow a float, but those digits are zero
    primes = modular._primes(modular._prime_bound(64), 2**1500)
    assert math.prod(primes[:-1]) > 2**1024
    values = [-7, 0, 5, 2**60 + 1]
    R = modular._int_residues(np, values, primes).reshape(len(primes), 1, 4)
    digits = modular._digits(np, R, primes)
    got = modular._floats_of_digits(np, digits, primes, 3, (1, 4))
    assert got is not None
    for v, x, err in zip(values, got[0].ravel(), got[1].ravel(), strict=True):
        assert abs(Fraction(x) - Fraction(v, 3)) <= Fraction(err)


def test_unsupported_activations_and_small_batches_are_declined():
    clip = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation={"name": "clip", "u": 0, "v": 1})
    assert not modular.supports(core.compiled(clip))
    assert modular.outputs(core.compiled(clip), core.columns([[j] for j in range(20)])) is None
    relu = ResNet(W=[[[1]], [[1]]], B=[[0], [0]])
    few = core.columns([[j] for j in range(modular.MIN_COLUMNS - 1)])
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


# -- the arithmetic helpers, against Python integers --------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(2**300), 2**300), min_size=1, max_size=30), st.booleans())
def test_residues_are_symmetric_and_correct(values, small):
    if small:
        values = [v % 2**40 - 2**39 for v in values]
    primes = modular._primes_below(modular._prime_bound(64), 5)
    R = modular._int_residues(np, values, primes)
    for i, p in enumerate(primes):
        for v, r in zip(values, R[i], strict=True):
            assert r == int(r) and abs(r) <= (p + 1) // 2
            assert (v - int(r)) % p == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(2**200), 2**200), min_size=6, max_size=6), st.integers(1, 4))
def test_digits_reconstruct_signed_integers(values, extra):
    bound = max(abs(v) for v in values)
    primes = modular._primes(modular._prime_bound(64), bound)
    assert math.prod(primes) > 2 * bound + 1
    R = modular._int_residues(np, values, primes).reshape(len(primes), 2, 3)
    digits = modular._digits(np, R, primes)
    for v, p in zip(digits, primes, strict=True):
        assert np.all(np.abs(v) <= (p - 1) // 2)
    got = modular._fmpz_of_digits(np, digits, primes, (2, 3))
    assert [int(e) for e in got.entries()] == values
    crt = modular._CRT.of(primes)
    assert [
        crt.signed([int(R[i].ravel()[j]) for i in range(len(primes))]) for j in range(6)
    ] == values
    # residues for further primes, from the digits alone
    more = modular._primes_below(modular._prime_bound(64), len(primes) + extra)[len(primes) :]
    again = modular._residues_of_digits(np, digits, primes, more, (2, 3))
    for i, q in enumerate(more):
        assert [(v - int(r)) % q for v, r in zip(values, again[i].ravel(), strict=True)] == [0] * 6
    # and as floats with a valid error bound, for a denominator
    den = 3**50
    xf, e = modular._floats_of_digits(np, digits, primes, den, (2, 3))
    for v, x, err in zip(values, xf.ravel(), e.ravel(), strict=True):
        assert abs(Fraction(x) - Fraction(v, den)) <= Fraction(err)
        assert err <= 1e-13 * abs(v / den) + 2.0**-900


@pytest.mark.parametrize("terms", [1, 2, 33, 65, 129, 4097])
def test_prime_bound_keeps_sums_exact(terms):
    p = modular._prime_bound(terms)
    half = p // 2 + 2  # what _reduce leaves
    assert terms * half * half + p < 2**52
    assert all(flint.fmpz(q).is_prime() and q < p for q in modular._primes_below(p, 3))


@settings(max_examples=60, deadline=None)
@given(st.integers(-(2**52) + 1, 2**52 - 1), st.integers(0, 4))
def test_reduce_is_exact(z, which):
    p = modular._primes_below(modular._prime_bound([1, 33, 65, 1000, 10**6][which]), 1)[0]
    a = np.array([[[float(z)]]])
    r = modular._reduce(np, a, np.array([[[float(p)]]]), np.array([[[1.0 / p]]]))
    got = float(r[0, 0, 0])
    assert got == int(got) and abs(got) <= p / 2 + 2 and (z - int(got)) % p == 0


def test_last_readers_follow_the_skips():
    # L = 4, skips (0, 3) and (1, 4): x_0 is last read by layer 3, x_1 by layer 4
    W = [[[1]], [[1]], [[1]], [[1]]]
    B = [[0], [0], [0], [0]]
    net = ResNet(W=W, B=B, skips={(0, 3): [[1]], (1, 4): [[2]]})
    assert modular._last_readers(core.compiled(net)) == {0: 3, 1: 4, 2: 3, 3: 4}
    assert modular._needed(core.compiled(net), 2) == [0, 1, 2]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(-(2**70), 2**70), min_size=1, max_size=12),
    st.integers(1, 2**60),
    st.booleans(),
)
def test_divided_rounds_once_correctly(values, q, small):
    if small:
        values = [v % 2**53 - 2**52 for v in values]
    expected = [float(Fraction(v, q)) for v in values]  # float(Fraction) rounds correctly
    for given_as in (values, np.array(values, dtype=np.int64) if small else values):
        got = modular._divided(np, given_as, q, (1, len(values)))
        assert got is not None and got.ravel().tolist() == expected


@pytest.mark.parametrize(
    ("values", "q"),
    [([10**400], 1), ([1, 0], 10**400), ([2**1001, 3], 1), ([1], 2**1001)],
)
def test_divided_declines_values_beyond_the_safe_range(values, q):
    assert modular._divided(np, values, q, (1, len(values))) is None


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
