"""Leaky ReLU, clipping and Heaviside on the symbolic paths (issue 16).

The symbolic trace (``realize`` at a symbolic input) writes leaky ReLU with ``Max``/``Min`` as
ReLU is written (it was a ``Piecewise`` that sympy folded for minutes) and Heaviside as a
``Piecewise`` whose nested conditions are not folded; the exact pieces
(``realization_pieces``) come from the same case-splitting engine as for ReLU.  Both are
checked here against a tiny Fraction evaluator written in this file, which shares nothing with
the package: ``max{x, gamma x}`` (``0 <= gamma <= 1``; the definition ``x`` if ``x > 0`` else
``gamma x`` for larger ``gamma``), ``min{max{x, u}, v}``, and ``1`` if ``x >= 0`` else ``0``
(Heaviside is ``1`` at ``0``, docs/design.md).
"""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symresnet import ResNet
from symresnet.base.errors import LimitError
from symresnet.compute.pieces import realization_pieces
from symresnet.compute.realization import realize
from symresnet.values.limits import Limits, using_limits

x, a = sympy.symbols("x a", real=True)
F = Fraction

# -- the independent reference ------------------------------------------------------------------


def reference_activation(spec: dict, t: Fraction) -> Fraction:
    name = spec["name"]
    if name == "leaky_relu":
        g = F(spec["gamma"])
        return max(t, g * t) if g <= 1 else (t if t > 0 else g * t)
    if name == "clip":
        u, v = spec.get("u"), spec.get("v")
        lo = t if u is None else max(t, F(u))
        return lo if v is None else min(lo, F(v))
    if name == "heaviside":
        return F(1) if t >= 0 else F(0)
    raise AssertionError(name)


def reference(W, B, skips, spec, x0: list[Fraction]) -> list[Fraction]:
    """``x_L`` of Def. 1.5.4 with Fractions: the activation on layers ``1..L-1``, the identity
    on layer ``L``."""
    xs = [x0]
    L = len(W)
    for k in range(1, L + 1):
        z = []
        for i, row in enumerate(W[k - 1]):
            total = F(B[k - 1][i]) + sum(
                (F(w) * v for w, v in zip(row, xs[k - 1], strict=True)), F(0)
            )
            for (r, kk), V in skips.items():
                if kk == k:
                    total += sum((F(w) * v for w, v in zip(V[i], xs[r], strict=True)), F(0))
            z.append(total)
        xs.append([reference_activation(spec, t) if k < L else t for t in z])
    return xs[-1]


def as_rational(q: Fraction) -> sympy.Rational:
    return sympy.Rational(q.numerator, q.denominator)


def boundary_points(pieces, t: sympy.Symbol) -> list[Fraction]:
    """The ends of the 1-D pieces (where a linear constraint in ``t`` is tight), and points
    just beside them: the places where a wrong side of a boundary would show."""
    out: list[Fraction] = []
    for p in pieces:
        for c in p.condition:
            poly = sympy.Poly(c.expr, t)
            if poly.degree() == 1:
                c1, c0 = poly.all_coeffs()
                root = -c0 / c1
                q = F(int(root.p), int(root.q))
                out += [q, q - F(1, 1000), q + F(1, 1000)]
    return out


def check_against_reference(net: ResNet, W, B, skips, spec, points) -> None:
    pieces = realization_pieces(net, [x])
    trace_value = realize(net, [x]).output
    assert pieces.decided
    for q in [*points, *boundary_points(pieces, x)]:
        expected = reference(W, B, skips, spec, [q])
        at = {x: as_rational(q)}
        got = pieces.value_at(at)
        assert got is not None, q
        assert list(got) == [as_rational(e) for e in expected], (q, list(got), expected)
        traced = [sympy.simplify(e.xreplace(at)) for e in trace_value]
        assert traced == [as_rational(e) for e in expected], (q, traced, expected)


# -- the issue's network: 1-3-3-1-1, leaky ReLU with gamma = 1/10 ------------------------------

W_ISSUE = [
    [[1], [-1], [2]],
    [[1, 1, -1], [-1, 2, 1], [2, -1, 1]],
    [[1, -2, 1]],
    [[2]],
]
B_ISSUE = [[0, 1, -3], [-1, 0, 2], [1], [-1]]
LEAKY = {"name": "leaky_relu", "gamma": "1/10"}


def issue_net(spec: dict = LEAKY, W=W_ISSUE, B=B_ISSUE) -> ResNet:
    return ResNet(W=W, B=B, activation=spec)


def test_issue_network_is_fast_and_exact():
    """Was 6 minutes for ``eval --at x`` (a nested ``Piecewise``); now well under a second.
    The nine pieces, with exact values, checked against the reference at and beside every
    breakpoint."""
    start = time.perf_counter()
    net = issue_net()
    pieces = realization_pieces(net, [x])
    realize(net, [x])
    elapsed = time.perf_counter() - start
    assert elapsed < 30, elapsed  # 0.5 s here; the old path took minutes
    assert len(pieces) == 9
    assert [p.text() for p in pieces][:2] == ["x <= -1/2", "-1/2 < x <= 0"]
    assert sympy.expand(pieces.pieces[0].value[0]) == sympy.Rational(71, 125) * x - sympy.Rational(
        703, 500
    )
    points = [F(n, 7) for n in range(-40, 41)]
    check_against_reference(net, W_ISSUE, B_ISSUE, {}, LEAKY, points)


def test_leaky_trace_uses_max_not_piecewise():
    out = realize(issue_net(), [x]).output[0]
    assert not out.has(sympy.Piecewise)
    assert out.has(sympy.Max)


@pytest.mark.parametrize(
    "spec",
    [
        {"name": "leaky_relu", "gamma": 0},
        {"name": "leaky_relu", "gamma": "1/2"},
        {"name": "leaky_relu", "gamma": 1},
        {"name": "leaky_relu", "gamma": 3},
        {"name": "clip", "u": -1, "v": 2},
        {"name": "clip", "v": "1/2"},
        {"name": "clip", "u": 0},
        {"name": "heaviside"},
    ],
)
def test_issue_network_other_activations(spec):
    points = [F(n, 5) for n in range(-25, 26)]
    check_against_reference(issue_net(spec), W_ISSUE, B_ISSUE, {}, spec, points)


def test_heaviside_after_heaviside_is_not_folded():
    """Nested Heaviside layers: the condition of the outer Piecewise keeps the inner ones
    (sympy would fold them into ``ITE`` cases, exponentially many)."""
    out = realize(issue_net({"name": "heaviside"}), [x]).layers[1].output[0]
    assert out.has(sympy.Piecewise)
    assert not out.has(sympy.ITE)


def test_heaviside_trace_is_one_at_zero():
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="heaviside")
    out = realize(net, [x]).output[0]
    assert out.xreplace({x: 0}) == 1
    assert out.xreplace({x: sympy.Rational(-1, 10**9)}) == 0


# -- two symbols: the check of issue 16 that gave up on the expression size ----------------------


def test_two_symbols_leaky_stays_small():
    """``a`` in ``W_1`` and a symbolic input: the old trace exceeded
    ``Limits.max_expression_size`` at layer 3 (after 18 s); the Max form stays small."""
    W = [[["a"], [-1], [2]], *W_ISSUE[1:]]
    net = ResNet(W=W, B=B_ISSUE, activation=LEAKY, names={"a": a})
    trace = realize(net, [x])  # raised LimitError before
    assert trace.output.free_symbols == {a, x}
    assert sum(1 for _ in sympy.preorder_traversal(trace.output[0])) < 2_000
    pieces = realization_pieces(net, [x], bounds={"a": (-2, 2), "x": (-4, 4)})
    for av in (F(-2), F(-1, 3), F(1, 2), F(2)):
        for xv in (F(-4), F(-1, 2), F(0), F(5, 4), F(3)):
            Wn = [[[av], [-1], [2]], *W_ISSUE[1:]]
            expected = reference(Wn, B_ISSUE, {}, LEAKY, [xv])
            at = {a: as_rational(av), x: as_rational(xv)}
            assert list(pieces.value_at(at)) == [as_rational(e) for e in expected]
            assert [sympy.simplify(e.xreplace(at)) for e in trace.output] == [
                as_rational(e) for e in expected
            ]


# -- the size limit's message says what grew -----------------------------------------------------


def test_expression_size_message_names_what_grew_and_the_limit():
    with pytest.raises(LimitError) as err:
        realize(issue_net(), [x], limits=Limits(max_expression_size=40))
    text = str(err.value)
    assert text.startswith("layers[")
    assert "the symbolic" in text and "nodes" in text
    assert "Limits.max_expression_size = 40" in text
    assert "not its numbers" in text
    assert "realize(..., limits=Limits(max_expression_size=...))" in text
    assert "values of this network grow too fast" not in text  # the old, misleading wording


def test_pieces_limit_message_names_the_limit_and_how_to_raise_it():
    with using_limits(Limits(max_pieces=3)), pytest.raises(LimitError) as err:
        realization_pieces(issue_net(), [x])
    text = str(err.value)
    assert "more than 3 pieces" in text and "Limits.max_pieces = 3" in text
    assert "number of exact pieces grew" in text
    assert "using_limits(Limits(max_pieces=...))" in text


# -- a property test over random small networks ---------------------------------------------------

small = st.integers(-3, 3)
gammas = st.sampled_from(["0", "1/10", "1/2", "1", "2"])
bounds = st.sampled_from([(-1, 1), (0, 1), (-2, "1/2"), (None, 1), (-1, None), ("-1/3", 3)])


@st.composite
def activations(draw) -> dict:
    kind = draw(st.sampled_from(["leaky_relu", "clip", "heaviside"]))
    if kind == "leaky_relu":
        return {"name": kind, "gamma": draw(gammas)}
    if kind == "clip":
        u, v = draw(bounds)
        spec: dict = {"name": kind}
        if u is not None:
            spec["u"] = u
        if v is not None:
            spec["v"] = v
        return spec
    return {"name": kind}


@st.composite
def networks(draw):
    L = draw(st.integers(2, 4))
    dims = [1, *(draw(st.integers(1, 3)) for _ in range(L - 1)), 1]
    W = [
        [[draw(small) for _ in range(dims[k - 1])] for _ in range(dims[k])] for k in range(1, L + 1)
    ]
    B = [[draw(small) for _ in range(dims[k])] for k in range(1, L + 1)]
    skips = {}
    if L >= 3 and draw(st.booleans()):
        k = draw(st.integers(3, L))
        r = draw(st.integers(0, k - 2))
        skips[(r, k)] = [[draw(small) for _ in range(dims[r])] for _ in range(dims[k])]
    return W, B, skips, draw(activations())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    networks(), st.lists(st.fractions(min_value=-6, max_value=6, max_denominator=12), max_size=8)
)
def test_random_networks_agree_with_the_reference(drawn, extra):
    W, B, skips, spec = drawn
    net = ResNet(W=W, B=B, skips=skips, activation=spec)
    points = [F(n, 3) for n in range(-12, 13)] + extra
    check_against_reference(net, W, B, skips, spec, points)
