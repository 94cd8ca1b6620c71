"""Deciding box claims (symresnet.claims.box_decide): extrema, counterexamples and witnesses
against brute force on rational grids, Heaviside suprema that are not attained, vector outputs."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regions_reference import RandomNet, grid

from symresnet import ResNet
from symresnet.claims.box import check_box

# -- brute force on rational grids -----------------------------------------------------------------


def lipschitz(rn: RandomNet) -> F:
    """A Lipschitz bound of the realization (max-norms; every activation here is 1-Lipschitz)."""
    norm = lambda M: max(sum(abs(v) for v in row) for row in M)  # noqa: E731
    lip = [F(1)]
    for k in range(1, len(rn.W) + 1):
        z = norm(rn.W[k - 1]) * lip[k - 1]
        z += sum(norm(V) * lip[r] for (r, kk), V in rn.skips.items() if kk == k)
        lip.append(z)
    return lip[-1]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.sampled_from([1, 2]), st.sampled_from(["relu", "leaky", "clip"]))
def test_extrema_and_counterexamples_against_a_grid(seed, n0, act):
    rn = RandomNet(seed, n0=n0, act=act, out=1)
    net = rn.resnet()
    bounds = [(F(-2), F(1))] * n0
    steps = 24 if n0 == 1 else 8
    values = {x: rn.forward(x)[0][0] for x in grid(bounds, steps)}
    gmax, gmin = max(values.values()), min(values.values())
    v = check_box(net, forall=bounds, at_most=gmax)
    top, bottom = v.maximum[0], v.minimum[0]
    # the reference agrees at the arguments; the grid never beats the extrema, and misses them
    # by at most Lipschitz constant x half a grid step
    assert (
        rn.forward(top.point)[0][0] == top.value and rn.forward(bottom.point)[0][0] == bottom.value
    )
    assert gmax <= top.value and bottom.value <= gmin
    slack = lipschitz(rn) * F(3, steps) / 2
    assert top.value - gmax <= slack and gmin - bottom.value <= slack
    # "R <= grid max" holds iff the maximum is the grid's; a counterexample is checked by hand
    assert v.holds == (top.value == gmax)
    if not v.holds:
        x, y = v.counterexample.input, v.counterexample.value
        assert rn.forward(x)[0] == list(y) and y[0] > gmax
    # a threshold some grid point exceeds: the forall must fail there
    mid = sorted(values.values())[len(values) // 2]
    w = check_box(net, forall=bounds, at_most=mid)
    if gmax > mid:
        assert not w.holds and rn.forward(w.counterexample.input)[0][0] > mid
    # exists: the grid's best point is a witness of "R >= grid max"
    e = check_box(net, exists=bounds, at_least=gmax)
    assert e.holds and rn.forward(e.witness.input)[0][0] >= gmax
    assert not check_box(net, exists=bounds, greater=top.value).holds


# -- Heaviside: suprema that are not attained -------------------------------------------------------


def test_heaviside_supremum_not_attained():
    # R(x) = x - 2 h(x) on [-1, 1]: x on [-1, 0) (sup 0, not attained), x - 2 on [0, 1]
    # (from -2 at 0 to -1): sup 0 not attained, min -2 at 0
    net = ResNet(W=[[[1]], [[-2]]], B=[[0], [0]], skips={(0, 2): [[1]]}, activation="heaviside")
    v = check_box(net, forall=[[-1, 1]], less=0)
    assert v.holds
    assert v.maximum[0].value == 0 and v.maximum[0].point is None
    assert (v.minimum[0].value, v.minimum[0].point) == (F(-2), (F(0),))
    w = check_box(net, forall=[[-1, 1]], at_most="-1/2")
    assert not w.holds
    (x,), (y,) = w.counterexample.input, w.counterexample.value
    assert F(-1, 2) < x < 0 and y == x  # on [-1, 0) the value is x itself


def test_heaviside_isolated_maximum():
    net = ResNet(W=[[[1], [-1]], [[1, 1]]], B=[[0, 0], [0]], activation="heaviside")
    v = check_box(net, forall=[[-1, 1]], at_most=1)  # h(x) + h(-x) is 2 at 0
    assert not v.holds and v.counterexample.input == (F(0),) and v.counterexample.value == (F(2),)


def test_heaviside_attained_maximum_off_the_excluded_boundary():
    # issue 16's audit case: R(x) = -h(1 - 3 x_1 - 2 x_2) on [0, 6] x [0, 1] has max 0, attained
    # exactly where 3 x_1 + 2 x_2 > 1; the closed LP's vertex (1/3, 0) is not such a point
    net = ResNet(W=[[[-3, -2]], [[-1]]], B=[[1], [0]], activation="heaviside")
    box = [[0, 6], [0, 1]]
    v = check_box(net, forall=box, at_most=0)
    assert v.holds
    top = v.maximum[0]
    assert top.value == 0 and top.point is not None
    x1, x2 = top.point
    assert 3 * x1 + 2 * x2 > 1  # the point is in the region where R = 0
    assert not check_box(net, forall=box, less=0).holds


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.sampled_from([1, 2]))
def test_heaviside_printed_extrema_attain_their_values(seed, n0):
    # random Heaviside nets: every extremum reported as attained has a point whose value (by the
    # independent Fraction reference) is the extremum; true claims at the extremum are decided
    rn = RandomNet(seed, n0=n0, act="heaviside", out=1)
    net = rn.resnet()
    bounds = [(F(-2), F(1))] * n0
    v = check_box(net, forall=bounds, at_most=0)
    for ext in (*v.maximum, *v.minimum):
        if ext.attained:
            assert all(lo <= xi <= hi for xi, (lo, hi) in zip(ext.point, bounds, strict=True))
            assert rn.forward(ext.point)[0][0] == ext.value
    top, bottom = v.maximum[0], v.minimum[0]
    assert check_box(net, forall=bounds, at_most=top.value).holds
    assert check_box(net, forall=bounds, at_least=bottom.value).holds
    assert check_box(net, exists=bounds, at_least=top.value).holds == top.attained
    assert check_box(net, exists=bounds, at_most=bottom.value).holds == bottom.attained


# -- vector outputs ----------------------------------------------------------------------------


def test_vector_outputs_componentwise():
    # R(x) = (r(x), r(-x)) on [-1, 2]: min (0, 0), max (2, 1) at 2 and -1
    net = ResNet(W=[[[1], [-1]], [[1, 0], [0, 1]]], B=[[0, 0], [0, 0]])
    v = check_box(net, forall=[[-1, 2]], at_least=[0, 0])
    assert v.holds
    assert [e.value for e in v.maximum] == [2, 1]
    assert [e.point for e in v.maximum] == [(F(2),), (F(-1),)]
    # never both positive: no x with R(x) >= (1, 1), though each alone is reached
    assert not check_box(net, exists=[[-1, 2]], at_least=[1, 1]).holds
    w = check_box(net, exists=[[-1, 2]], at_least=[1, 0])
    assert w.holds and w.witness.input[0] >= 1
    c = check_box(net, forall=[[-1, 2]], less=[2, 2])
    assert not c.holds and c.counterexample.value[0] >= 2
