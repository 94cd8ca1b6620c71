"""Step 1 by back-substitution (``"bounds": "backsub"``, docs/verification.md): the exact
bounds of the stdlib checker contain every pre-activation ``z_k`` at exact points of the box
(computed by the Fraction realization of tests/reference.py), FastNet computes the same lines,
the float search's bounds (verify/bounds.py) agree with the exact ones, and certificates using
it are checked alike by both checkers, altered ones rejected."""

from __future__ import annotations

import copy
import random
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import pre_activations, relu

from symresnet import ResNet
from symresnet.verify.bounds import _backsub, objective_bounds
from symresnet.verify.checker import (
    CertificateError,
    _bounds,
    backsub_bounds,
    check_certificate,
    load_network,
    lower_bound,
)
from symresnet.verify.engine import verify
from symresnet.verify.fast_check import ID_BELOW, OFF, ON, ZERO_BELOW, FastNet
from symresnet.verify.network_data import network_data
from symresnet.verify.property import Case, OutputConstraint, Property

P = 2**32


def _random_net(seed: int):
    rng = random.Random(seed)

    def q():
        return F(rng.randint(-9, 9), rng.choice([1, 2, 4, 3]))

    L = rng.randint(2, 4)
    dims = [rng.randint(1, 3)] + [rng.randint(1, 4) for _ in range(L - 1)] + [rng.randint(1, 2)]
    W = [[[q() for _ in range(dims[k - 1])] for _ in range(dims[k])] for k in range(1, L + 1)]
    B = [[q() for _ in range(dims[k])] for k in range(1, L + 1)]
    skips = {}
    for k in range(2, L + 1):
        for r in range(k - 1):
            if rng.random() < 0.5:
                skips[(r, k)] = [[q() for _ in range(dims[r])] for _ in range(dims[k])]
    return W, B, skips, rng


def _kind(low, u, a, b):
    if u <= 0:
        return (OFF, None, None)
    if low >= 0:
        return (ON, None, None)
    return (ID_BELOW if u >= -low else ZERO_BELOW, a, b)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6))
def test_backsub_bounds_contain_the_pre_activations(seed):
    W, B, skips, rng = _random_net(seed)
    net = ResNet(W=W, B=B, skips=skips, activation="relu")
    cn = load_network(network_data(net).to_json())
    n0 = len(W[0][0])
    lo = [F(rng.randint(-8, 0), rng.choice([1, 2, 3])) for _ in range(n0)]
    hi = [a + F(rng.randint(1, 8), rng.choice([1, 2, 5])) for a in lo]
    info = backsub_bounds(cn, lo, hi, P)
    for _ in range(20):
        x = [a + (b - a) * F(rng.randint(0, 16), 16) for a, b in zip(lo, hi, strict=True)]
        zs = pre_activations(W, B, skips, relu, x)
        for k, layer in enumerate(info):
            for z, (low, u, _, _) in zip(zs[k], layer, strict=True):
                assert low <= z <= u
                assert (low * P).denominator == 1 and (u * P).denominator == 1  # on the grid
    # FastNet: the same lines, unit for unit
    fast = FastNet(cn).backsub_bounds(lo, hi, P)
    def plain(v):
        return None if v is None else F(int(v.p), int(v.q))

    assert [[(k, plain(a), plain(b), plain(lw), plain(u)) for k, a, b, lw, u in layer] for layer in fast] == [
        [(*_kind(*row), row[0], row[1]) for row in layer] for layer in info
    ]
    # and the same step-2 bound of a random objective
    c = [F(rng.randint(-3, 3)) for _ in range(len(W[-1]))]
    assert FastNet(cn).lower_bound(fast, c, lo, hi) == lower_bound(cn, info, c, lo, hi)
    # the float search computes the same bounds (up to rounding), unless a float rounding can
    # break a tie of the rules (u = -l, l = 0, u = 0) the other way
    ties = any(abs(low + u) < F(1, 10**6) or abs(low) < F(1, 10**6) or abs(u) < F(1, 10**6)
               for layer in info for low, u, _, _ in layer)
    if ties:
        return
    data = network_data(net)
    fl = _backsub(data, np.array([[float(v) for v in lo]]), np.array([[float(v) for v in hi]]))
    for layer, (flow, fup, *_) in zip(info, fl, strict=True):
        for j, (low, u, _, _) in enumerate(layer):
            assert abs(flow[0, j] - float(low)) <= 1e-6 * (1 + abs(float(low)))
            assert abs(fup[0, j] - float(u)) <= 1e-6 * (1 + abs(float(u)))


def test_backsub_by_hand_a_skip_the_forward_intervals_lose():
    # z_1 = x on [-1, 1], x_1 = relu(x); z_2 = x_1 - x (the skip V_{0,2} = -1) = relu(-x) in [0, 1].
    # forward: x_1 in [x/2, x/2 + 1/2], so z_2 in [-x/2, -x/2 + 1/2]: [-1/2, 1].
    # backsub: z_2 >= (x_1 >= z_1 = x) - x = 0; -z_2 >= -(x/2 + 1/2) + x >= -1: [0, 1].
    net = ResNet(W=[[[1]], [[1]], [[1]]], B=[[0], [0], [0]], skips={(0, 2): [[-1]]}, activation="relu")
    cn = load_network(network_data(net).to_json())
    lo, hi = [F(-1)], [F(1)]
    fwd = _bounds(cn, lo, hi, P)
    back = backsub_bounds(cn, lo, hi, P)
    assert [r[:2] for r in fwd[1]] == [(F(-1, 2), F(1))]
    assert back == [[(F(-1), F(1), F(1, 2), F(1, 2))], [(F(0), F(1), None, None)]]
    # and backsub is not tighter everywhere: z_2 = relu(x) - relu(x) = 0 is [-1/2, 1/2]
    # forward (the same lines cancel) but [-1, 1] by back-substitution (x >= z against the upper line)
    net2 = ResNet(W=[[[1], [1]], [[1, -1]], [[1]]], B=[[0, 0], [0], [0]], activation="relu")
    cn2 = load_network(network_data(net2).to_json())
    assert [r[:2] for r in _bounds(cn2, lo, hi, P)[1]] == [(F(-1, 2), F(1, 2))]
    assert [r[:2] for r in backsub_bounds(cn2, lo, hi, P)[1]] == [(F(-1), F(1))]


def _leaves(node):
    if "split" in node:
        return _leaves(node["below"]) + _leaves(node["above"])
    return [node]


def _same(cert):
    slow = check_certificate(cert)
    fast = check_certificate(cert, leaf_checker=FastNet)
    assert slow == fast
    return slow


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(-40, 10), st.integers(0, 2))
def test_backsub_certificates_checked_alike_and_altered_ones_rejected(seed, threshold, which):
    W, B, skips, _ = _random_net(seed)
    net = ResNet(W=W, B=B, skips=skips, activation="relu")
    n0, m = len(W[0][0]), len(W[-1])
    cons = (OutputConstraint(tuple(F(int(j == 0)) for j in range(m)), F(threshold)),)
    prop = Property(n0, m, (Case(tuple([F(-1)] * n0), tuple([F(1)] * n0), cons),))
    res = verify(net, prop, check="stdlib", bounds="backsub", lp=False)
    if res.status != "unsat":
        return
    cert = res.certificate
    assert cert["bounds"] == "backsub"
    assert _same(cert).accepted
    bad = copy.deepcopy(cert)
    leaf = _leaves(bad["proofs"][0]["tree"])[0]
    if which == 0:  # no refutation at all
        leaf["refute"][0][1] = ["0"] * len(leaf["refute"][0][1])
        assert not _same(bad).accepted
    elif which == 1:  # a bias moved: both checkers decide alike
        bad["network"]["layers"][0]["B"][0] = str(F(bad["network"]["layers"][0]["B"][0]) + 3)
        _same(bad)
    else:  # the other step 1: decided alike (accepted or not)
        del bad["bounds"]
        _same(bad)


def test_unknown_bounds_procedure_is_refused():
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="relu")
    prop = Property(1, 1, (Case((F(-1),), (F(1),), (OutputConstraint((F(1),), F(-1)),)),))
    res = verify(net, prop)
    assert res.status == "unsat"
    assert res.certificate["bounds"] == "backsub"
    bad = dict(res.certificate, bounds="crown")
    with pytest.raises(CertificateError, match="bounds"):
        check_certificate(bad)


def test_objective_bounds_backsub_is_a_lower_bound_at_sampled_points():
    W, B, skips, _ = _random_net(7)
    net = ResNet(W=W, B=B, skips=skips, activation="relu")
    data = network_data(net)
    n0 = len(W[0][0])
    lo = -np.ones((3, n0))
    hi = np.ones((3, n0)) * np.array([[0.5], [1.0], [2.0]])
    C = np.eye(len(W[-1]))
    low = objective_bounds(data, lo, hi, C, bounds="backsub").lower
    pts = np.random.default_rng(0).random((200, n0))
    for n in range(3):
        X = lo[n] + pts * (hi[n] - lo[n])
        Y = data.forward(X)
        assert (low[n][None, :] - 1e-9 <= Y).all()
