"""Seeded variants (issue 14): reproducible from (seed, index), no duplicates, every part
re-decided by an independent Fraction computation (tests/reference.py and a 1-D splitter
written here)."""

from __future__ import annotations

import dataclasses
import itertools
import time
from fractions import Fraction

import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.claims.variants import (
    MISTAKES,
    Template,
    VariantsError,
    _output,
    compile_net,
    draw_variant,
    draw_variants,
)
from symresnet.model.activations import activation

POINTS = Template(dims=(2, 3, 3, 3, 1), skips=((0, 2), (1, 4)), parts=("point", "point", "point"))
ONE = Template(dims=(2, 3, 3, 3, 1), skips=((0, 2), (1, 4)), parts=("point",))
FULL = Template(dims=(2, 3, 3, 3, 1), skips=((0, 2), (1, 4)), parts=("point", "box", "parameter"))


def _lists(net):
    W, B, S = net
    return (
        [[list(r) for r in m] for m in W],
        [list(b) for b in B],
        {(r, k): [list(row) for row in V] for r, k, V in S},
    )


def R(net, x):
    W, B, S = _lists(net)
    return ref.realization(W, B, S, ref.relu, list(x))[-1][0]


def test_200_variants_rebuilt_identically_and_differently_from_another_seed():
    start = time.perf_counter()
    a, _ = draw_variants(ONE, count=200, seed=7)
    assert time.perf_counter() - start < 60  # a guard against a hang, not a speed figure
    b, _ = draw_variants(ONE, count=200, seed=7)
    c, _ = draw_variants(ONE, count=200, seed=8)
    assert [v.digest for v in a] == [v.digest for v in b]
    assert [v.net for v in a] == [v.net for v in b]
    assert len({v.digest for v in a}) == 200  # no duplicate
    assert len({v.digest for v in a} & {v.digest for v in c}) <= 2
    # one variant alone is rebuilt from (seed, index)
    v = a[137]
    assert draw_variant(ONE, 7, v.index).digest == v.digest


def test_every_point_part_is_redecided_by_fractions():
    variants, _ = draw_variants(POINTS, count=60, seed=11)
    true = 0
    for v in variants:
        for p in v.parts:
            value = R(v.net, p.input)
            assert value == p.value
            assert p.holds == (p.claimed == value)
            assert p.holds == (p.mistake is None)
            if p.mistake is not None:
                assert p.mistake in MISTAKES
            true += p.holds
    share = Fraction(true, 180)
    assert Fraction(1, 3) < share < Fraction(2, 3)


def test_rules_hold_at_the_point_inputs():
    variants, _ = draw_variants(POINTS, count=30, seed=5)
    for v in variants:
        W, B, S = _lists(v.net)
        entries = [e for m in W for r in m for e in r] + [e for b in B for e in b]
        entries += [e for V in S.values() for r in V for e in r]
        assert sum(e == 0 for e in entries) <= len(entries) / 4
        assert all(-3 <= e <= 3 and e.denominator == 1 for e in entries)
        for p in v.parts:
            xs = ref.realization(W, B, S, ref.relu, list(p.input))
            # pre-activations: recompute z_k without the activation
            for k in range(1, len(W)):
                z = _pre(W, B, S, xs, k)
                assert 0 not in z  # no kink
                assert any(e > 0 for e in z) and any(e < 0 for e in z)
                assert all(abs(e) <= 100 for e in z)
            for key in S:  # every skip changes the output or the pattern
                S2 = {kk: V for kk, V in S.items() if kk != key}
                xs2 = ref.realization(W, B, S2, ref.relu, list(p.input))
                patterns = [[e > 0 for e in _pre(W, B, S, xs, k)] for k in range(1, len(W))]
                patterns2 = [[e > 0 for e in _pre(W, B, S2, xs2, k)] for k in range(1, len(W))]
                assert xs[-1] != xs2[-1] or patterns != patterns2


def _pre(W, B, S, xs, k):
    z = [a + b for a, b in zip(ref.matvec(W[k - 1], xs[k - 1]), B[k - 1], strict=True)]
    for (r, kk), V in S.items():
        if kk == k:
            z = [a + b for a, b in zip(z, ref.matvec(V, xs[r]), strict=True)]
    return z


def _slice_extrema(net, lo, hi, rest):
    """min and max of t -> R(t, *rest) on [lo, hi], exactly: on an interval where layers
    1..k-1 keep their pattern, the pre-activations of layer k are affine in t, so their zeros
    are found exactly from the ends; split there and go on with layer k + 1."""
    W, B, S = _lists(net)
    L = len(W)

    def z(t, k):
        xs = ref.realization(W, B, S, ref.relu, [t, *rest])
        return _pre(W, B, S, xs, k)

    values = []
    pending = [(lo, hi, 1)]
    while pending:
        a, b, k = pending.pop()
        if k == L or a == b:
            values += [R(net, (a, *rest)), R(net, (b, *rest))]
            continue
        cuts = sorted(
            {a + (b - a) * x / (x - y) for x, y in zip(z(a, k), z(b, k), strict=True) if x * y < 0}
        )
        ends = [a, *cuts, b]
        pending += [(u, w, k + 1) for u, w in itertools.pairwise(ends)]
    return min(values), max(values)


def test_box_and_parameter_parts_are_redecided_exactly():
    variants, _ = draw_variants(FULL, count=12, seed=3)
    for v in variants:
        point, box, param = v.parts
        assert R(v.net, point.input) == point.value
        ((lo, hi),) = param.box
        mn, mx = _slice_extrema(v.net, lo, hi, param.input)
        if param.relation == "at_least":
            assert param.value == mn
            assert param.holds == (mn >= param.claimed)
        else:
            assert param.value == mx
            assert param.holds == (mx <= param.claimed)
        # the box: its extremum is the extremum over its segments x_2 = const at the grid;
        # on every such slice the exact value lies on the right side of it
        (a1, b1), (a2, b2) = box.box
        for x2 in (a2, (a2 + b2) / 2, b2):
            smin, smax = _slice_extrema(v.net, a1, b1, (x2,))
            if box.relation == "at_most":
                assert smax <= box.value
            else:
                assert smin >= box.value
        if not box.holds:
            assert box.claimed != box.value


def test_unmeetable_rules_name_the_rule():
    t = Template(dims=(1, 2, 1), entries=(0, 0), max_tries=50)
    with pytest.raises(VariantsError, match="'zeros' rejected 50"):
        draw_variant(t, 0, 0)


SMALL = Template(dims=(1, 3, 2, 1), skips=((0, 2),), parts=("point", "point"))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**63), index=st.integers(0, 10**6))
def test_any_seed_and_index_rebuild_the_same_exact_variant(seed, index):
    v = draw_variant(SMALL, seed, index)
    assert draw_variant(SMALL, seed, index) == v
    for p in v.parts:
        assert R(v.net, p.input) == p.value
        assert p.holds == (p.claimed == p.value)


def test_the_output_layer_activated_mistake_is_relu_of_the_output():
    # R(2) = 2 - 5 = -3 for W_1 = (1; -1), B_1 = 0, W_2 = (1 1), B_2 = -5; activated: 0
    one = Fraction(1)
    net = (((one,), (-one,)), ((one, one),)), ((0 * one, 0 * one), (-5 * one,)), ()
    act = activation("relu")
    assert _output(compile_net(net, act), [(2 * one,)]) == [(-3 * one,)]
    assert _output(compile_net(net, act, output_act=act), [(2 * one,)]) == [(0 * one,)]
    variants, _ = draw_variants(POINTS, count=40, seed=21)
    used = {p.mistake for v in variants for p in v.parts}
    assert "output layer activated" in used


@pytest.fixture(scope="module")
def course():
    """200 variants of the example template (seed 1): the audit's sample."""
    from symresnet.io.variants import load_template

    t = load_template("symresnet/examples/variants-1.5.toml")
    variants, _ = draw_variants(t, count=200, seed=1)
    return t, variants


def test_the_form_of_a_part_does_not_give_its_verdict_away(course):
    _, variants = course
    cells: dict[tuple[str, str], list[bool]] = {}
    for v in variants:
        for p in v.parts:
            cells.setdefault((p.kind, p.relation), []).append(p.holds)
    # both relations occur for box and parameter parts, and in every cell both truths
    assert {("box", "at_most"), ("box", "at_least")} <= set(cells)
    assert {("parameter", "at_most"), ("parameter", "at_least")} <= set(cells)
    for cell, truths in cells.items():
        if len(truths) >= 10:
            share = Fraction(sum(truths), len(truths))
            assert Fraction(1, 5) <= share <= Fraction(4, 5), (cell, share)


def test_every_value_a_student_meets_is_bounded(course):
    from symresnet.claims.variant_audit import audit

    t, variants = course
    report = audit(t, variants)
    assert report.largest_value <= t.max_abs
    assert report.largest_intermediate <= t.max_abs
    assert f"largest |value| asked for or claimed: {report.largest_value}" in report.text()
    # again by the Fraction reference: every pre-activation at the point inputs, the box
    # corners and the ends of t, and R on slices of each box through its corners
    for v in variants:
        W, B, S = _lists(v.net)
        for p in v.parts:
            assert abs(p.value) <= t.max_abs and abs(p.claimed) <= t.max_abs
            if p.kind == "point":
                points = [list(p.input)]
            elif p.kind == "box":
                points = [list(c) for c in itertools.product(*p.box)]
                (a1, b1), (a2, b2) = p.box
                for x2 in (a2, b2):
                    low, high = ref.extrema_1d(W, B, S, ref.relu, lambda e: e, a1, b1, (x2,))
                    assert -t.max_abs <= low <= high <= t.max_abs
            else:
                ((lo, hi),) = p.box
                points = [[lo, *p.input], [hi, *p.input]]
            for x in points:
                zs = ref.pre_activations(W, B, S, ref.relu, x)
                assert all(abs(e) <= t.max_abs for z in zs for e in z)


def _reference_rule(t, net, points, centres):
    """The first rule of ``bounded``, ``kink``, ``integer`` (point by point), ``active and
    inactive``, ``skips matter`` that the rule points break, with tests/reference.py."""
    W, B, S = _lists(net)
    for x in points:
        zs = ref.pre_activations(W, B, S, ref.relu, list(x))
        if any(abs(v) > t.max_abs for z in zs for v in z):
            return "bounded"
        if any(v == 0 for z in zs[:-1] for v in z):
            return "kink"
        if any(v.denominator > (4 if t.fractions else 1) for v in zs[-1]):
            return "integer"
    for x in centres:
        zs = ref.pre_activations(W, B, S, ref.relu, list(x))
        if not all(any(v > 0 for v in z) and any(v < 0 for v in z) for z in zs[:-1]):
            return "active and inactive"
    for r, k in S:
        rest = {key: V for key, V in S.items() if key != (r, k)}
        for x in centres:
            z1 = ref.pre_activations(W, B, S, ref.relu, list(x))
            z2 = ref.pre_activations(W, B, rest, ref.relu, list(x))
            pattern = [[v > 0 for v in z] for z in z1[:-1]] == [[v > 0 for v in z] for z in z2[:-1]]
            if z1[-1] == z2[-1] and pattern:
                return "skips matter"
    return None


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 10**9), points=st.integers(1, 5), halves=st.booleans())
def test_rule_checks_agree_with_the_fraction_reference(seed, points, halves):
    """The fast rule checks (exact numerators on the flint core, the first point alone first)
    reject a random draw by the same first rule as a plain Fraction computation, or accept it
    when it does."""
    import random

    from symresnet.claims import variants as v

    t = dataclasses.replace(FULL, entries=(-2, 2), fractions=halves, max_abs=12)
    rng = random.Random(seed)
    net = v._draw_net(rng, t)
    pts = [v._point(rng, t, 2) for _ in range(points)]
    centres = [(j, pts[j]) for j in range(0, points, 2)]
    act = activation("relu")
    try:
        v._check_points(t, act, compile_net(net, act), net, pts, [], centres)
        got = None
    except v._Reject as r:
        got = r.rule
    assert got == _reference_rule(t, net, pts, [x for _, x in centres])
