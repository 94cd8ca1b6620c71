"""Projected gradient descent for counterexamples (symresnet.verify.attack) and its use by the
engine: a thin violating region that uniform samples miss is found, and no point leaves its box."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet import ResNet
from symresnet.verify.attack import attack, worst_slack
from symresnet.verify.checker import check_certificate
from symresnet.verify.engine import verify
from symresnet.verify.network_data import network_data
from symresnet.verify.property import Case, OutputConstraint, Property

A, B, EPS = F(1, 3), F(-1, 5), F(1, 1000)


def _thin_net() -> ResNet:
    """y_0 = |x_0 - A| - EPS, y_1 = |x_1 - B| - EPS (two ReLUs each)."""
    W1 = [[1, 0], [-1, 0], [0, 1], [0, -1]]
    B1 = [-A, A, -B, B]
    W2 = [[1, 1, 0, 0], [0, 0, 1, 1]]
    return ResNet(W=[W1, W2], B=[B1, [-EPS, -EPS]], activation="relu")


def test_the_gradient_search_finds_a_thin_violating_region():
    # violation: y_0 <= 0 and y_1 <= 0, i.e. |x_0 - 1/3| <= 1/1000 and |x_1 + 1/5| <= 1/1000:
    # a square of side 2/1000 in [-1, 1]^2, a fraction 10^-6 of the box (256 uniform points
    # miss it with probability > 0.999)
    case = Case((F(-1), F(-1)), (F(1), F(1)),
                (OutputConstraint((F(1), F(0)), F(0)), OutputConstraint((F(0), F(1)), F(0))))
    res = verify(_thin_net(), Property(2, 2, (case,)), timeout=60)
    assert res.status == "sat"
    assert res.boxes == 0  # found before any box was split
    x = res.counterexample.x
    assert abs(x[0] - A) <= EPS and abs(x[1] - B) <= EPS and case.contains(x)
    assert res.counterexample.y == (abs(x[0] - A) - EPS, abs(x[1] - B) - EPS)
    assert check_certificate(res.certificate).accepted


def _net(seed: int) -> ResNet:
    rng = np.random.default_rng(seed)

    def m(r, c):
        return [[F(int(v), 4) for v in row] for row in rng.integers(-8, 9, (r, c))]

    return ResNet(W=[m(4, 3), m(3, 4), m(2, 3)], B=[m(1, 4)[0], m(1, 3)[0], m(1, 2)[0]],
                  skips={(0, 2): m(3, 3)}, activation="relu")


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.lists(st.floats(-3, 3), min_size=6, max_size=6),
       st.lists(st.floats(-2, 2), min_size=2, max_size=2))
def test_the_attack_stays_in_the_box_and_never_worsens(seed, ends, d):
    data = network_data(_net(seed))
    lo = np.minimum(ends[:3], ends[3:])
    hi = np.maximum(ends[:3], ends[3:])
    C = np.array([[1.0, -1.0], [0.5, 2.0]])
    starts = np.random.default_rng(seed).uniform(-4, 4, (16, 3))  # partly outside: clipped
    res = attack(data, lo, hi, C, np.array(d), starts=starts, steps=20)
    assert np.all(res.points >= lo) and np.all(res.points <= hi)
    assert np.allclose(res.slack, worst_slack(data, res.points, C, np.array(d)), atol=1e-9)
    assert np.all(res.slack <= worst_slack(data, np.clip(starts, lo, hi), C, np.array(d)) + 1e-12)
