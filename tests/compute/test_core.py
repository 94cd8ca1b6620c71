"""The flint core (symresnet.compute.core) against the sympy path and the Fraction reference.

Expected values come from the book (by hand), from ``tests/reference.py`` (plain Fractions,
no symresnet code), or from comparing the two independent paths of ``realization``.
"""

from __future__ import annotations

import doctest
import gc
import pickle
import subprocess
import sys
from fractions import Fraction

import pytest
import reference as ref
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import networks, small

from symresnet import ResNet, realize
from symresnet.base.errors import NetworkError
from symresnet.compute import core, scaled
from symresnet.compute.realization import _forward_symbolic, as_input

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reference(data, x0):
    W, B, skips, f = data
    return ref.realization(W, B, skips, f, x0)


def _fractions(m) -> list[Fraction]:
    return [Fraction(int(e.p), int(e.q)) for e in m]


@FAST
@given(networks())
def test_core_matches_sympy_path_and_reference(case):
    net, data, x0 = case
    fast = realize(net, x0)
    assert all(isinstance(layer._raw["z"], scaled.Scaled) for layer in fast.layers)
    slow = _forward_symbolic(net, as_input(x0, net.dims[0]))
    for a, b in zip(fast.layers, slow, strict=True):
        assert a.Wx == b.Wx
        assert a.B == b.B
        assert a.skip_terms == b.skip_terms
        assert a.preactivation == b.preactivation
        assert a.output == b.output
    xs = _reference(data, x0)
    assert [_fractions(layer.output) for layer in fast.layers] == xs[1:]


@FAST
@given(networks(), st.lists(st.lists(small, min_size=4, max_size=4), min_size=1, max_size=6))
def test_batch_columns_equal_single_points(case, raw):
    net, data, _ = case
    points = [p[: net.dims[0]] for p in raw]
    layers = core.forward(net, scaled.columns(points))
    for j, p in enumerate(points):
        expected = _reference(data, p)
        for layer in layers:
            got = [Fraction(int(q.p), int(q.q)) for q in layer.x.column_values(j)]
            assert got == expected[layer.k]


def test_example_1_5_6_by_hand(example):
    # (1.153)-(1.156): x_1 = 5, x_2 = (5; 11), x_3 = (5; 11), x_4 = 28
    layers = core.forward(example, scaled.columns([[5]]))
    assert [layer.x.to_fmpq_mat().entries() for layer in layers] == [[5], [5, 11], [5, 11], [28]]
    assert layers[3].skips[0][0] == 0
    assert layers[3].skips[0][1].to_fmpq_mat().entries() == [-5]


def test_compiled_layers_pickle(exercise):
    layer = core.compiled(exercise).layers[2]
    again = pickle.loads(pickle.dumps(layer))
    assert (again.q, again.W, again.B, again.skips) == (layer.q, layer.W, layer.B, layer.skips)
    model = core.Compiled(
        core.compiled(exercise).dims, (*core.compiled(exercise).layers[:2], again)
    )
    assert core.run(model, scaled.columns([[-1]]))[-1].x.to_fmpq_mat().entries() == [-7]
    whole = pickle.loads(pickle.dumps(core.compiled(exercise)))
    assert core.run(whole, scaled.columns([[-1]]))[-1].x.to_fmpq_mat().entries() == [-7]


def test_compiled_form_is_cached_per_network(exercise):
    first = core.compiled(exercise)
    assert core.compiled(exercise) is first
    net = ResNet(W=[[[1]]], B=[[2]])
    core.compiled(net)
    before = len(core._CACHE)
    del net
    gc.collect()
    assert len(core._CACHE) == before - 1


def test_mixed_network_runs_numeric_layers_on_flint():
    a = sympy.Symbol("a", real=True)
    W = [[[1, -1], [2, 1]], [[1, 1], [-1, 2]], [[a, 1]], [[2]]]
    B = [[0, 1], [1, -3], [0], [1]]
    net = ResNet(W=W, B=B, skips={(1, 4): [[1, -1]], (0, 3): [[1, 0]]})
    x0 = [Fraction(1, 2), -2]
    trace = realize(net, x0)
    raw = [layer._raw["z"] for layer in trace.layers]
    assert [isinstance(r, scaled.Scaled) for r in raw] == [True, True, False, False]
    assert core.compiled(net).prefix == 2
    symbolic = _forward_symbolic(net, as_input(x0, 2))
    assert sympy.simplify(trace.output[0] - symbolic[-1].output[0]) == 0
    # by hand: x_1 = r((5/2, -1)) = (5/2, 0), x_2 = r((7/2, -11/2)) = (7/2, 0),
    # x_3 = r(7/2 a + 1/2), x_4 = 2 x_3 + 1 + (5/2 - 0)
    assert trace.output[0].subs(a, 1) == 2 * 4 + 1 + Fraction(5, 2)


def test_symbolic_input_takes_the_sympy_path(exercise):
    x = sympy.Symbol("x", real=True)
    trace = realize(exercise, [x])
    assert trace.output[0].subs(x, -1) == -7


# -- parameter sweeps ----------------------------------------------------------------------------


def test_parametric_bind_matches_reference():
    a, g = sympy.symbols("a g", real=True)
    W = [[[1], [a]], [[1, -1]]]
    B = [[0, 1], [a]]
    net = ResNet(W=W, B=B, activation={"name": "leaky_relu", "gamma": g}, names={"a": a, "g": g})
    template = core.parametric(net)
    for av, gv, x in [
        (Fraction(1, 2), Fraction(1, 3), Fraction(-2)),
        (Fraction(-3), 0, Fraction(5)),
    ]:
        model = template.bind({a: av, g: gv})
        got = core.run(model, scaled.columns([[x]]))[-1].x.to_fmpq_mat().entries()
        Wf = [[[Fraction(1)], [av]], [[Fraction(1), Fraction(-1)]]]
        Bf = [[Fraction(0), Fraction(1)], [av]]
        expected = ref.realization(Wf, Bf, {}, ref.leaky(Fraction(gv)), [x])[-1]
        assert [Fraction(int(q.p), int(q.q)) for q in got] == expected
    assert template.bind({a: sympy.sqrt(2), g: 0}) is None
    with pytest.raises(NetworkError, match="no value given for the parameter"):
        template.bind({a: 1})


# -- housekeeping --------------------------------------------------------------------------------


def test_module_examples():
    assert doctest.testmod(core).failed == 0


def test_import_is_light():
    code = (
        "import sys, symresnet; "
        "print(sorted(m for m in ('sympy', 'flint', 'jinja2', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
