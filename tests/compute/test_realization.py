"""Def. 1.5.4: the book's example and exercise, the plain-ANN listing, and a Fraction reference."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import reference as ref
import sympy
from conftest import EXAMPLE_B, EXAMPLE_W
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet import ResNet, identity, plain_ann, realize
from symresnet.compute import realization


def col(*xs):
    return sympy.Matrix(xs)


def test_example_1_5_6(example):
    # (1.153)-(1.156), by hand from the book
    t = realize(example, [5])
    assert t.layer(1).output == col(5)
    assert t.layer(2).preactivation == col(5, 11)
    assert t.layer(2).output == col(5, 11)
    assert t.layer(3).output == col(5, 11)
    last = t.layer(4)
    assert last.Wx == col(32)  # (2 2)(5; 11)
    assert col(1) == last.B
    assert last.skip_terms == ((0, col(-5)),)  # (-1)(5)
    assert last.preactivation == col(28)
    assert t.output == col(28)
    assert last.activation.name == "identity"


def test_exercise_1_5_1(exercise):
    t = realize(exercise, [-1])
    assert t.layer(1).output == col(2, 2)
    assert t.layer(2).preactivation == col(2, -2, 2)
    assert t.layer(2).output == col(2, 0, 2)
    assert t.layer(3).Wx == col(-4)
    assert [r for r, _ in t.layer(3).skip_terms] == [0, 1]
    assert t.layer(3).skip_terms[0][1] == col(-1)
    assert t.layer(3).skip_terms[1][1] == col(2)  # (3 -2)(2; 2)
    assert t.output == col(-7)
    assert t.x(0) == col(-1)


def test_plain_ann_listing():
    net = plain_ann(W=[[[1, 0], [0, -1], [-2, 2]], [[1, -2, 3]]], B=[[0, 2, -1], [1]])
    assert realize(net, [1, 2]).output == col(5)
    assert realize(net, [0, 0]).output == col(-3)


def test_rational_and_symbolic_paths_agree(exercise):
    x = sympy.Symbol("x", real=True)
    symbolic = realize(exercise, [x]).output[0]
    for q in [Fraction(-3), Fraction(-1), Fraction(-1, 2), Fraction(0), Fraction(7, 3)]:
        numeric = realize(exercise, [q]).output[0]
        assert symbolic.subs(x, sympy.Rational(q.numerator, q.denominator)) == numeric


def test_symbolic_weight():
    v = sympy.Symbol("v", real=True)
    net = ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips={(0, 4): [[v]]})
    assert sympy.expand(realize(net, [5]).output[0] - (33 + 5 * v)) == 0


def test_identity_skip_adds_x_r():
    W = [[[1, -1], [2, 0]], [[1, 1], [-1, 3]], [[1, 2]]]
    B = [[0, 1], [-1, 0], [0]]
    with_i = ResNet(W=W, B=B, skips={(0, 2): identity})
    # V = I adds x_0 to the pre-activation of layer 2: compare with the reference adding x_0
    x0 = [Fraction(3), Fraction(-2)]
    Wf = [[[Fraction(e) for e in row] for row in w] for w in W]
    Bf = [[Fraction(e) for e in b] for b in B]
    expected = ref.realization(Wf, Bf, {(0, 2): [[1, 0], [0, 1]]}, ref.relu, x0)[-1]
    assert list(realize(with_i, x0).output) == expected


# -- property tests against the Fraction reference -----------------------------------------

ACTIVATIONS = {
    "relu": ("relu", ref.relu),
    "leaky": ({"name": "leaky_relu", "gamma": "1/10"}, ref.leaky(Fraction(1, 10))),
    "clip": ({"name": "clip", "u": -1, "v": "3/2"}, ref.clip(Fraction(-1), Fraction(3, 2))),
    "clip_v": ({"name": "clip", "v": 1}, ref.clip(None, Fraction(1))),
    "heaviside": ("heaviside", ref.heaviside),
    "repu": ({"name": "repu", "p": 2}, ref.repu(2)),
}

fractions_ = st.fractions(min_value=-5, max_value=5, max_denominator=7)


def entry_forms(q: Fraction):
    """Every way a user may write an exact entry."""
    text = f"{q.numerator}/{q.denominator}"
    forms = [q, text, sympy.Rational(q.numerator, q.denominator)]
    if q.denominator == 1:
        forms.append(q.numerator)
    return st.sampled_from(forms)


@st.composite
def networks(draw):
    L = draw(st.integers(1, 4))
    dims = draw(st.lists(st.integers(1, 4), min_size=L + 1, max_size=L + 1))
    W = [
        [[draw(fractions_) for _ in range(dims[k - 1])] for _ in range(dims[k])]
        for k in range(1, L + 1)
    ]
    B = [[draw(fractions_) for _ in range(dims[k])] for k in range(1, L + 1)]
    pairs = [(r, k) for k in range(1, L + 1) for r in range(k)]
    chosen = (
        draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    )
    skips = {
        (r, k): [[draw(fractions_) for _ in range(dims[r])] for _ in range(dims[k])]
        for r, k in chosen
    }
    act = draw(st.sampled_from(sorted(ACTIVATIONS)))
    x0 = [draw(fractions_) for _ in range(dims[0])]
    written = lambda m: [[draw(entry_forms(e)) for e in row] for row in m]  # noqa: E731
    return W, B, skips, act, x0, written


@settings(max_examples=150, deadline=None)
@given(networks())
def test_realization_matches_fraction_reference(data):
    W, B, skips, act, x0, written = data
    spec_act, ref_act = ACTIVATIONS[act]
    net = ResNet(
        W=[written(w) for w in W],
        B=[[row[0] for row in written([[b] for b in bias])] for bias in B],
        skips={key: written(V) for key, V in skips.items()},
        activation=spec_act,
    )
    expected = ref.realization(W, B, skips, ref_act, x0)
    trace = realize(net, x0)
    for k in range(1, net.L + 1):
        assert list(trace.x(k)) == expected[k]


@settings(max_examples=60, deadline=None)
@given(networks())
def test_lemma_1_5_3_no_skips_is_plain_ann(data):
    W, B, _skips, act, x0, _ = data
    spec_act, ref_act = ACTIVATIONS[act]
    net = plain_ann(W=W, B=B, activation=spec_act)
    as_resnet = ResNet(W=W, B=B, skips={}, activation=spec_act)
    assert realize(net, x0).output == realize(as_resnet, x0).output
    assert list(realize(net, x0).output) == ref.realization(W, B, {}, ref_act, x0)[-1]


@settings(max_examples=60, deadline=None)
@given(networks())
def test_symbolic_path_agrees_with_rational_path(data):
    """The same network with one weight made symbolic and then substituted back."""
    W, B, skips, act, x0, _ = data
    spec_act, _ = ACTIVATIONS[act]
    s = sympy.Symbol("s", real=True)
    value = B[0][0]
    B2 = [list(b) for b in B]
    B2[0][0] = s
    symbolic = realize(ResNet(W=W, B=B2, skips=skips, activation=spec_act), x0).output
    numeric = realize(ResNet(W=W, B=B, skips=skips, activation=spec_act), x0).output
    q = sympy.Rational(value.numerator, value.denominator)
    assert symbolic.subs(s, q) == numeric


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_relu_max_left_unevaluated_is_the_same_expression(seed, monkeypatch):
    """The fast path for ReLU with one parameter (Max(0, z) of a z that changes sign left
    unevaluated) gives the very expressions of sympy's evaluated Max, layer by layer."""
    rng = random.Random(seed)
    t = sympy.Symbol("t", real=True)
    dims = [2, 3, 3, 3, 1]
    W = [
        [[rng.randint(-3, 3) for _ in range(dims[k - 1])] for _ in range(dims[k])]
        for k in range(1, 5)
    ]
    B = [[rng.randint(-3, 3) for _ in range(dims[k])] for k in range(1, 5)]
    V = [[rng.randint(-3, 3) for _ in range(2)] for _ in range(3)]
    net = ResNet(W=W, B=B, skips={(0, 2): V}, activation="relu")
    fast = realize(net, [t, 2])
    monkeypatch.setattr(realization, "_sign_changes", lambda network, x0: None)
    slow = realize(net, [t, 2])
    for a, b in zip(fast.layers, slow.layers, strict=True):
        assert [sympy.srepr(e) for e in a.output] == [sympy.srepr(e) for e in b.output]
        assert [sympy.srepr(e) for e in a.preactivation] == [
            sympy.srepr(e) for e in b.preactivation
        ]
