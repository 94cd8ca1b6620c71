"""symresnet.explain.piecewise: the piecewise form of a symbolic realization, each piece derived.

Expected values: Exercise 1.5.1's pieces computed by hand (the signs of x + 3 and 2x + 4, then
of the three neurons of layer 2), the independent Fraction realization of tests/reference.py at
rational points, and sympy's own set algebra for the cover of the line.
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

from symresnet import ResNet, realize
from symresnet.base.errors import RenderError
from symresnet.explain.derivation import derive
from symresnet.explain.piecewise import applies, piecewise_form
from symresnet.explain.tree import DEFAULT_OPTIONS, DerivationOptions

x, y = sympy.symbols("x y", real=True)
EXERCISE = ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS)
Q = sympy.Rational

# by hand: x <= -3 kills both neurons of layer 1 (R = x - 4); -3 < x <= -2 only the second;
# then the breakpoints of layer 2 at -5/3 (x_{2,1}), -7/5 (x_{2,2}) and -9/7 (x_{2,3})
BY_HAND = [x - 4, 7 * x + 14, -5 * x - 10, -8 * x - 15, -3 * x - 8, -10 * x - 17]


def _fractions(W, B, skips):
    return (
        [[[Fraction(w) for w in row] for row in layer] for layer in W],
        [[Fraction(b) for b in layer] for layer in B],
        {rk: [[Fraction(v) for v in row] for row in V] for rk, V in skips.items()},
    )


def _covers_the_line(conditions) -> None:
    """The pieces' sets are disjoint and their union is R (sympy's set algebra)."""
    sets = [sympy.sympify(c).as_set() if c is not sympy.true else sympy.Reals for c in conditions]
    assert sympy.Union(*sets) == sympy.Reals
    for i, a in enumerate(sets):
        for b in sets[i + 1 :]:
            assert sympy.Intersection(a, b) == sympy.EmptySet


def test_exercise_pieces_by_hand_and_derived():
    form = piecewise_form(realize(EXERCISE, [x]), DEFAULT_OPTIONS)
    assert form is not None and not form.table and not form.merged
    assert [p.value.value[0] for p in form.pieces] == BY_HAND
    assert form.derived == (1, 2, 3, 4, 5, 6)
    for p in form.regions:
        assert p.region is not None
        assert p.region.formula.links[0].term == p.value
    _covers_the_line([p.condition.value for p in form.pieces])


def test_exercise_pieces_against_the_reference():
    form = piecewise_form(realize(EXERCISE, [x]), DEFAULT_OPTIONS)
    assert form is not None
    W, B, skips = _fractions(EXERCISE_W, EXERCISE_B, EXERCISE_SKIPS)
    for n in range(-60, 21):
        t = Fraction(n, 12)
        inside = [p for p in form.pieces if p.condition.value.subs(x, Q(n, 12)) is sympy.true]
        assert len(inside) == 1, t
        want = ref.realization(W, B, skips, ref.relu, [t])[-1][0]
        assert inside[0].value.value[0].subs(x, Q(n, 12)) == Q(want.numerator, want.denominator)


def test_which_pieces_are_derived():
    trace = realize(EXERCISE, [x])
    form = piecewise_form(trace, DerivationOptions(piece=2))
    assert form is not None and form.derived == (2,) and [r.index for r in form.shown] == [2]
    assert form.regions[0].region is None
    form = piecewise_form(trace, DerivationOptions(max_derived_pieces=3))
    assert form is not None and form.derived == (1,)
    with pytest.raises(RenderError, match="6 pieces"):
        piecewise_form(trace, DerivationOptions(piece=7))


def test_two_inputs_give_a_table_of_polyhedra():
    net = ResNet(W=[[[1, -1], [2, 1]], [[1, 1]]], B=[[0, -1], [3]])
    form = piecewise_form(realize(net, [x, y]), DEFAULT_OPTIONS)
    assert form is not None and form.table
    # by hand: R = 3 + max{x - y, 0} + max{2x + y - 1, 0}
    got = {p.value.value[0] for p in form.pieces}
    assert got == {sympy.Integer(3), 2 * x + y + 2, x - y + 3, 3 * x + 2}
    for p in form.regions:
        assert p.region is not None and p.region.symbols == (x, y)


def test_merged_regions_are_derived_one_by_one():
    # x_{1,2} = max{x, 0} is multiplied by 0: the regions x <= 0 and x > 0 of neuron 2 have the
    # same affine form on each side of neuron 1's breakpoint at 1
    net = ResNet(W=[[[1], [1]], [[1, 0]]], B=[[-1, 0], [0]])
    form = piecewise_form(realize(net, [x]), DEFAULT_OPTIONS)
    assert form is not None
    assert [p.value.value[0] for p in form.pieces] == [0, x - 1]
    assert form.merged and len(form.regions) == 3
    _covers_the_line([p.condition.value for p in form.pieces])


def test_where_it_does_not_apply():
    a = sympy.Symbol("a", real=True)
    assert not applies(realize(EXERCISE, [-1]))
    assert not applies(realize(ResNet(W=[[[a]], [[1]]], B=[[0], [0]]), [x]))
    assert not applies(realize(ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="tanh"), [x]))
    assert not applies(realize(EXERCISE, [x**2]))
    assert derive(realize(EXERCISE, [-1])).piecewise is None
    assert derive(realize(EXERCISE, [x])).piecewise is not None


PIECEWISE = [(a, f) for a, f in ACTIVATIONS if a != "softsign" and a != {"name": "repu", "p": 2}]


@settings(max_examples=20, deadline=None)
@given(
    networks(activations=PIECEWISE, max_width=3, max_depth=3),
    st.lists(st.fractions(-4, 4, max_denominator=6), min_size=1, max_size=8),
)
def test_random_networks_pieces_agree_with_the_reference(drawn, points):
    """For random 1-input networks: the pieces cover the line, each point lies in exactly one,
    and the piece's value there is the reference realization."""
    net, (W, B, skips, f), _ = drawn
    if net.dims[0] != 1:
        net = ResNet(
            W=[[[row[0]] for row in W[0]], *W[1:]],
            B=B,
            skips={rk: V for rk, V in skips.items() if rk[0] != 0},
            activation=net.activation,
        )
        W = [[[row[0]] for row in W[0]], *W[1:]]
        skips = {rk: V for rk, V in skips.items() if rk[0] != 0}
    form = piecewise_form(realize(net, [x]), DEFAULT_OPTIONS)
    assert form is not None
    _covers_the_line([p.condition.value for p in form.pieces])
    for t in points:
        s = Q(t.numerator, t.denominator)
        inside = [p for p in form.pieces if p.condition.value.subs(x, s) is sympy.true]
        assert len(inside) == 1
        want = ref.realization(W, B, skips, f, [t])[-1]
        assert list(inside[0].value.value.subs(x, s)) == [
            Q(w.numerator, w.denominator) for w in want
        ]


def test_graph_of_the_exercise_by_hand():
    form = piecewise_form(realize(EXERCISE, [x]), DerivationOptions(plot=True))
    assert form is not None and form.graph is not None
    g = form.graph
    # breakpoints -3, -2, -5/3, -7/5, -9/7 with the values of the pieces there (by hand)
    assert g.breakpoints == (
        (-3, -7),
        (-2, 0),
        (Q(-5, 3), Q(-5, 3)),
        (Q(-7, 5), Q(-19, 5)),
        (Q(-9, 7), Q(-29, 7)),
    )
    # the window is a fifth of the span wider on each side (the span 12/7 < 5: 1 each side)
    assert (g.lo, g.hi) == (-4, Q(-2, 7))
    assert g.segments[0] == ((-4, -8), (-3, -7)) and g.segments[-1][1] == (Q(-2, 7), Q(-99, 7))
    W, B, skips = _fractions(EXERCISE_W, EXERCISE_B, EXERCISE_SKIPS)
    for (a, fa), (b, fb) in g.segments:  # continuous: every vertex is the realization
        for t, v in ((a, fa), (b, fb)):
            want = ref.realization(W, B, skips, ref.relu, [Fraction(int(t.p), int(t.q))])[-1][0]
            assert v == Q(want.numerator, want.denominator)


def test_graph_of_a_jump():
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="heaviside")
    form = piecewise_form(realize(net, [x]), DerivationOptions(plot=True))
    assert form is not None and form.graph is not None
    assert form.graph.segments == (((-1, 0), (0, 0)), ((0, 1), (1, 1)))
    assert form.graph.breakpoints == ((0, 1),)  # heaviside(0) = 1


def test_a_graph_needs_one_symbol():
    net = ResNet(W=[[[1, -1], [2, 1]], [[1, 1]]], B=[[0, -1], [3]])
    with pytest.raises(RenderError, match="one symbol"):
        piecewise_form(realize(net, [x, y]), DerivationOptions(plot=True))
