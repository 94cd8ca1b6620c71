"""symresnet.explain.region_affine: the affine form on a region, derived layer by layer.

Expected values: by hand from Exercise 1.5.1 (the region -3 < x <= -2, where x + 3 > 0 and
2x + 4 <= 0) and from the independent Fraction realization of tests/reference.py.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import reference as ref
import sympy
from conftest import EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import ACTIVATIONS, networks

from symresnet import ResNet
from symresnet.base.errors import DerivationCheckError, NetworkError
from symresnet.compute.patterns import patterns
from symresnet.explain.region_affine import derive_region
from symresnet.explain.tree import Link, ValueTerm
from symresnet.model.activations import IDENTITY

x = sympy.Symbol("x", real=True)
xi1, xi2 = sympy.symbols("xi_1 xi_2", real=True)
M = sympy.ImmutableMatrix

EXERCISE = ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS)
#: -3 < x <= -2: x_{1,1} = x + 3 > 0, x_{1,2} = 2x + 4 <= 0 (so 0), then only x_{2,2} > 0
PATTERN = ((1, 0), (0, 1, 0))


def _ref_exercise(x0: Fraction) -> Fraction:
    W = [[[Fraction(w) for w in row] for row in layer] for layer in EXERCISE_W]
    B = [[Fraction(b) for b in layer] for layer in EXERCISE_B]
    skips = {rk: [[Fraction(v) for v in row] for row in V] for rk, V in EXERCISE_SKIPS.items()}
    return ref.realization(W, B, skips, ref.relu, [x0])[-1][0]


def test_exercise_region_by_hand():
    r = derive_region(EXERCISE, PATTERN, [x], point={x: sympy.Rational(-5, 2)})
    # x_1 = M_{r,2}((x + 3; 2x + 4)) = (x + 3; 0)
    s1 = r.steps[0]
    assert s1.summed.argument == ValueTerm(M([[x + 3], [2 * x + 4]]))
    assert s1.activated == ValueTerm(M([[x + 3], [0]]))
    # x_2 = M_{r,3}((-x - 3; 3x + 9; -5x - 15)) = (0; 3x + 9; 0)
    assert r.steps[1].activated == ValueTerm(M([[0], [3 * x + 9], [0]]))
    # x_3 = -(0) + (3x + 9) - 0 - 4 + x + 3(x + 3) - 2 * 0 = 7x + 14
    assert r.steps[2].symbolic.function == IDENTITY
    assert r.steps[2].activated == ValueTerm(M([[7 * x + 14]]))
    assert (r.A, r.c) == (M([[7]]), M([[14]]))
    assert r.formula.links == (Link("equals", ValueTerm(M([[7 * x + 14]]), point=True)),)
    # the region's conditions: x + 3 > 0, 2x + 4 <= 0, -x - 3 <= 0, 3x + 9 > 0, -5x - 15 <= 0
    got = [(n.k, n.i, n.condition.links[0].relation) for n in r.conditions]
    assert got == [
        (1, 1, "greater"),
        (1, 2, "at_most"),
        (2, 1, "at_most"),
        (2, 2, "greater"),
        (2, 3, "at_most"),
    ]
    assert [n.preactivation for n in r.neurons[0]] == [x + 3, 2 * x + 4]
    assert r.neurons[-1] == ()


@pytest.mark.parametrize("t", [Fraction(-3, 1) + Fraction(1, 10**6), Fraction(-5, 2), Fraction(-2)])
def test_exercise_region_against_the_reference(t):
    r = derive_region(EXERCISE, PATTERN, [x], point={x: sympy.Rational(t.numerator, t.denominator)})
    value = r.A[0, 0] * sympy.Rational(t.numerator, t.denominator) + r.c[0, 0]
    assert value == sympy.Rational(_ref_exercise(t).numerator, _ref_exercise(t).denominator)


def test_a_point_outside_the_region_is_refused():
    with pytest.raises(DerivationCheckError, match="pattern"):
        derive_region(EXERCISE, PATTERN, [x], point={x: sympy.Integer(-1)})


def test_two_inputs_named_xi():
    net = ResNet(W=[[[1, -1], [2, 1]], [[1, 1]]], B=[[0, -1], [3]], skips={})
    # on xi_1 - xi_2 > 0, 2 xi_1 + xi_2 - 1 <= 0: R = xi_1 - xi_2 + 3
    r = derive_region(net, ((1, 0),), [xi1, xi2], point={xi1: sympy.Integer(0), xi2: -1})
    assert r.symbols == (xi1, xi2)
    assert (r.A, r.c) == (M([[1, -1]]), M([[3]]))
    assert r.forms[0] == (M([[1, -1], [0, 0]]), M([[0], [0]]))


def test_parameters_and_smooth_activations_are_refused():
    a = sympy.Symbol("a", real=True)
    with pytest.raises(NetworkError, match="parameters a"):
        derive_region(ResNet(W=[[[a]], [[1]]], B=[[0], [0]]), ((1,),), [x])
    with pytest.raises(NetworkError, match="piecewise-linear"):
        derive_region(ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="tanh"), ((0,),), [x])


PIECEWISE = [
    (a, f) for a, f in ACTIVATIONS if a not in ("softsign",) and a != {"name": "repu", "p": 2}
]


@settings(max_examples=40, deadline=None)
@given(
    networks(activations=PIECEWISE, max_width=3, max_depth=3),
    st.lists(
        st.lists(st.fractions(-3, 3, max_denominator=4), min_size=3, max_size=3),
        min_size=3,
        max_size=6,
    ),
)
def test_affine_form_agrees_with_the_reference(drawn, points):
    """On the region of each random point's pattern, A p + c is the reference realization at
    every random point p with that pattern."""
    net, (W, B, skips, f), _ = drawn
    n = net.dims[0]
    pts = [p[:n] for p in points]
    syms = [sympy.Symbol(f"xi_{i}", real=True) for i in range(1, n + 1)]
    by_pattern: dict = {}
    for p, pat in zip(pts, patterns(net, pts), strict=True):
        by_pattern.setdefault(pat, []).append(p)
    for pat, members in by_pattern.items():
        first = {
            s: sympy.Rational(v.numerator, v.denominator)
            for s, v in zip(syms, members[0], strict=True)
        }
        r = derive_region(net, pat, syms, point=first)
        for p in members:
            col = sympy.Matrix([sympy.Rational(v.numerator, v.denominator) for v in p])
            got = list(r.A * col + r.c)
            want = ref.realization(W, B, skips, f, p)[-1]
            assert got == [sympy.Rational(w.numerator, w.denominator) for w in want]
