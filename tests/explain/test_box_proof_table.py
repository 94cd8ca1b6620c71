"""Long box proofs (symresnet.explain.box): the table of all regions and the one region derived
in full.  The table's affine forms, signs, regions and bounds are checked against the Fraction
reference of tests/regions_reference.py at grid points of each region (points whose reference
activation pattern is the region's); the region derived in full is derived layer by layer; the
PDF of varied long proofs compiles without an overfull box over 1 pt or a LaTeX warning."""

from __future__ import annotations

import re
from fractions import Fraction as F

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import matvec
from regions_reference import RandomNet, grid

from symresnet import ResNet
from symresnet.base.errors import ClaimError
from symresnet.claims.box import check_box
from symresnet.examples import example_path
from symresnet.explain.box import derive_box
from symresnet.explain.tree import Atom, Chain, DerivationOptions, ListTerm, TupleTerm, ValueTerm
from symresnet.io.spec import load_spec
from symresnet.present.compile import compile_pdf
from symresnet.present.render import RenderOptions, document

OVERFULL = re.compile(
    r"Overfull \\hbox \(([\d.]+)pt too wide\) (?:in paragraph at lines (\d+)--(\d+)|"
    r"detected at line (\d+))"
)

# -- an independent evaluation of the tree's chains -------------------------------------------------

COMPARE = {
    "equals": lambda a, b: a == b,
    "at_most": lambda a, b: a <= b,
    "less": lambda a, b: a < b,
    "at_least": lambda a, b: a >= b,
    "greater": lambda a, b: a > b,
}


def _value(term, env) -> F:
    assert isinstance(term, Atom), term
    v = sympy.sympify(term.value).xreplace(env)
    assert v.is_Rational, v
    return F(int(v.p), int(v.q))


def _holds(chain: Chain, env) -> bool:
    """Every link of ``chain`` (terms: Atoms, a ListTerm of Atoms first, ``in`` an Interval)."""
    firsts = chain.first.items if isinstance(chain.first, ListTerm) else (chain.first,)
    for first in firsts:
        left = _value(first, env)
        for link in chain.links:
            if link.relation == "in":
                span = link.term.value
                assert isinstance(span, sympy.Interval)
                if not span.contains(sympy.Rational(left.numerator, left.denominator)):
                    return False
                continue
            right = _value(link.term, env)
            if not COMPARE[link.relation](left, right):
                return False
            left = right
    return True


def _preactivations(rn: RandomNet, x) -> dict[sympy.Symbol, sympy.Rational]:
    """The reference's z_{k,i} of the hidden layers at ``x`` (Def. 1.5.4, by hand)."""
    xs, out = [list(x)], {}
    L = len(rn.W)
    for k in range(1, L):
        z = [a + b for a, b in zip(matvec(rn.W[k - 1], xs[k - 1]), rn.B[k - 1], strict=True)]
        for (r, kk), V in rn.skips.items():
            if kk == k:
                z = [a + b for a, b in zip(z, matvec(V, xs[r]), strict=True)]
        for i, v in enumerate(z, start=1):
            out[sympy.Symbol(f"z_{k}_{i}", real=True)] = sympy.Rational(v.numerator, v.denominator)
        xs.append([rn.f(v) for v in z])
    return out


def _symbols(n0: int) -> list[sympy.Symbol]:
    return [sympy.Symbol("xi" if n0 == 1 else f"xi_{i}", real=True) for i in range(1, n0 + 1)]


def _at(xs, point) -> dict:
    return {s: sympy.Rational(v.numerator, v.denominator) for s, v in zip(xs, point, strict=True)}


def _form(term, env) -> list[F]:
    if isinstance(term, ValueTerm):
        return [_value(Atom(e), env) for e in term.value]
    return [_value(term, env)]


def _point(term) -> tuple[F, ...]:
    items = term.items if isinstance(term, TupleTerm) else (term,)
    return tuple(_value(t, {}) for t in items)


# -- the table against the reference ---------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10**6),
    st.sampled_from([1, 2]),
    st.sampled_from(["relu", "leaky", "clip"]),
    st.sampled_from(["max", "min"]),
)
def test_table_rows_match_the_reference(seed, n0, act, side):
    rn = RandomNet(seed, n0=n0, act=act, out=1)
    bounds = [(F(-2), F(1))] * n0
    net = rn.resnet()
    probe = check_box(net, forall=bounds, at_most=10**9)
    ext = probe.maximum[0] if side == "max" else probe.minimum[0]
    kw = {"at_most": ext.value} if side == "max" else {"at_least": ext.value}
    verdict = check_box(net, forall=bounds, **kw)
    pieces = verdict.decomposition.pieces
    options = DerivationOptions(box_regions=1) if len(pieces) > 1 else DerivationOptions(region=1)
    proof = derive_box(verdict, options=options).box
    assert proof is not None and len(proof.table) == len(pieces)
    xs = _symbols(n0)
    points = grid(bounds, 6)
    patterns = {x: rn.forward(x) for x in points}
    for i, row in enumerate(proof.table):
        region = pieces[i]
        assert row.index == i + 1
        inside = [x for x, (_, p) in patterns.items() if p == region.pattern] + [region.point]
        for x in inside:
            env = _at(xs, x)
            value = rn.forward(x)[0]
            assert _form(row.form, env) == value  # the affine form is the realization there
            assert all(_holds(c, env) for c in row.inequalities)  # x lies in the stated region
            z = _preactivations(rn, x)
            assert all(_holds(c, z) for c in row.signs)  # and has the stated signs
        named = {
            t.value for c in row.signs for t in getattr(c.first, "items", (c.first,))
        }  # every hidden neuron in exactly one group (no piece of these is all of R)
        assert named == set(_preactivations(rn, region.point))
        assert len(row.bounds) == 1
        b = row.bounds[0]
        assert b.side == side and b.coordinate == 1
        m, at = _value(b.value, {}), _point(b.point)
        assert rn.forward(at)[0][0] == m  # reached at its point
        assert all(_holds(c, _at(xs, at)) for c in row.inequalities)  # a point of the region
        values = [rn.forward(x)[0][0] for x in inside]
        assert (max(values) <= m) if side == "max" else (min(values) >= m)
    # the region derived in full is one where the extremum over the box is attained
    assert proof.full is not None and [r.index for r in proof.regions] == [proof.full]
    if options.region is None:
        assert _value(proof.table[proof.full - 1].bounds[0].value, {}) == ext.value
        assert proof.full_attains


def test_short_proofs_derive_every_region_and_have_no_table():
    net = ResNet(W=[[[1, -1], [1, 2]], [[1, 1]]], B=[[0, -1], [0]], activation="relu")
    v = check_box(net, forall=[[-1, 1], [-1, 1]], at_most=3)  # four regions
    short = derive_box(v, options=DerivationOptions(box_regions=4)).box
    assert short.table == () and [r.index for r in short.regions] == [1, 2, 3, 4]
    long = derive_box(v).box  # the default: more than three regions get a table
    assert len(long.table) == 4 and len(long.regions) == 1


def test_region_option_derives_that_region_layer_by_layer():
    """Exercise 1.5.1's network on [-2, 1] (docs/regions.md, by hand): R = -5 xi - 10, -8 xi - 15,
    -3 xi - 8, -10 xi - 17 on its four regions from left to right; x_1 = (xi + 3; 2 xi + 4)."""
    net = load_spec(example_path("exercise-1.5.1")).network
    v = check_box(net, forall=[[-2, 1]], at_most=0)
    xi = sympy.Symbol("xi", real=True)
    hand = [-5 * xi - 10, -8 * xi - 15, -3 * xi - 8, -10 * xi - 17]
    for n in range(1, 5):
        proof = derive_box(v, options=DerivationOptions(region=n)).box
        (r,) = proof.regions
        assert r.index == proof.full == n
        assert len(r.steps) == 3  # x_1, x_2, x_3 as in (1.153)-(1.156)
        assert list(r.steps[0].activated.value) == [xi + 3, 2 * xi + 4]
        assert sympy.expand(r.steps[-1].activated.value[0] - hand[n - 1]) == 0
        assert sympy.expand(r.formula.links[-1].term.value - hand[n - 1]) == 0
        assert [
            sympy.expand(row.form.value - h) for row, h in zip(proof.table, hand, strict=True)
        ] == [0] * 4
        # why each neuron of layer 2 uses its piece: z_{2,i} written out, e.g. 3 xi + 5 <= 0
        assert {c.links[0].term.value for c in r.since[1]} == {3 * xi + 5, -5 * xi - 7, 7 * xi + 9}
        assert r.since[-1] == ()  # the output layer has no activation
    with pytest.raises(ClaimError, match="there is no region 5: the box has 4 regions"):
        derive_box(v, options=DerivationOptions(region=5))
    with pytest.raises(ValueError, match="region"):
        DerivationOptions(region=0)


def test_default_full_region_attains_the_bound():
    # R = r(xi_1) - r(xi_1 + xi_2) >= -1 on [-1, 1]^2 (= -1 at (0, 1)); interval arithmetic
    # gives only [0, 1] - [0, 2] = [-2, 1], so the proof goes region by region
    net = ResNet(W=[[[1, 0], [1, 1]], [[1, -1]]], B=[[0, 0], [0]], activation="relu")
    v = check_box(net, forall=[[-1, 1], [-1, 1]], at_least=-1)
    assert v.holds and v.intervals == () and v.minimum[0].value == -1
    proof = derive_box(v).box
    assert proof.full == v.minimum[0].piece + 1
    text = " ".join(document(v).split())
    assert "a region where the realization attains its smallest value on the box" in text
    assert "smallest value, at" in text  # the table's header


# -- typesetting -----------------------------------------------------------------------------------


def _long_proofs():
    items = []
    for seed, width, depth in [(0, 4, 2), (2, 6, 2), (3, 8, 2), (5, 3, 3)]:
        net = RandomNet(seed, n0=2, act="relu", out=1, width=width, depth=depth).resnet()
        top = check_box(net, forall=[[0, 1], [0, 1]], at_most=10**6).maximum[0].value
        items.append(check_box(net, forall=[[0, 1], [0, 1]], at_most=top))
    clip = RandomNet(7, n0=2, act="clip", out=2, width=4, depth=2).resnet()  # intervals, vectors
    probe = check_box(clip, forall=[[-1, 1], [-1, 1]], at_most=[10**6, 10**6])
    items.append(
        check_box(clip, forall=[[-1, 1], [-1, 1]], at_most=[e.value for e in probe.maximum])
    )
    items.append(
        check_box(clip, forall=[[-1, 1], [-1, 1]], at_least=[e.value for e in probe.minimum])
    )
    one = RandomNet(4, n0=1, act="leaky", out=1, width=6, depth=3).resnet()
    top = check_box(one, forall=[[-2, 2]], at_most=10**6).maximum[0].value
    items.append(check_box(one, exists=[[-2, 2]], greater=top))  # a false exists, per region
    return [v for v in items if v.facts and v.counterexample is None and v.witness is None]


def test_long_proofs_compile_without_overfull_boxes_or_warnings(latex):
    items = _long_proofs()
    assert len(items) >= 6
    tex = document(items)
    assert tex.count(r"\begin{tabular}") >= len(items)
    result = compile_pdf(tex)
    # the proofs' lines: the problem's data (W_k, B_k) are the derivation template's
    lines, inside, proof = tex.split("\n"), False, set()
    for n, line in enumerate(lines, start=1):
        inside = inside or "Write the input in coordinates" in line
        if inside:
            proof.add(n)
        if "square" in line:
            inside = False
    bad = []
    for m in OVERFULL.finditer(result.log):
        lo, hi = (int(m[2]), int(m[3])) if m[2] else (int(m[4]), int(m[4]))
        if float(m[1]) > 1 and proof & set(range(lo, hi + 1)):
            bad.append(m[0])
    assert len(proof) > 200
    assert not bad, bad
    assert "LaTeX Warning" not in result.log


def test_derive_region_renders_with_first_equation(latex):
    """--first-equation numbers the statement and then the region's layers, with no hole."""
    net = ResNet(W=[[[1, -1], [1, 2]], [[1, 1]]], B=[[0, -1], [0]], activation="relu")
    v = check_box(net, forall=[[-1, 1], [-1, 1]], at_most=3)
    options = RenderOptions(first_equation="2.1", derivation=DerivationOptions(region=2))
    tex = document(v, options=options)
    proof = tex.split(r"\textit{Proof")[1]
    tags = re.findall(r"\\tag\{2\.(\d+)\}", proof)
    statement = re.findall(r"\\tag\{2\.(\d+)\}", tex.split(r"\textit{Proof")[0])
    assert [int(t) for t in tags] == list(range(int(statement[-1]) + 1, int(statement[-1]) + 3))
    assert "On region 2, where" in proof
    compile_pdf(tex)


def test_heaviside_pieces_are_rows_and_each_derives():
    """With Heaviside the rows are the exact partition (lower-dimensional pieces included),
    numbered as ``symresnet regions`` lists them; every piece derives layer by layer, and its
    strict and non-strict signs hold at its point (the reference's pre-activations)."""
    rn = RandomNet(11, n0=1, act="heaviside", out=1, width=2, depth=2)
    # R = h(xi) + h(-xi) + h(xi - 1): 1 below 0, 2 at 0 (a piece of one point), 1, then 2 from 1
    rn.W = [[[F(1)], [F(-1)], [F(1)]], [[F(1), F(1), F(1)]]]
    rn.B, rn.skips = [[F(0), F(0), F(-1)], [F(0)]], {}
    net = rn.resnet()
    probe = check_box(net, forall=[[-2, 2]], at_most=10**6)
    v = check_box(net, forall=[[-2, 2]], at_most=probe.maximum[0].value)
    pieces = v.decomposition.pieces
    assert v.decomposition.partition and len(pieces) == 4
    assert [r.full_dimensional for r in pieces].count(False) == 1
    point_piece = next(i for i, r in enumerate(pieces) if not r.full_dimensional)
    table = derive_box(v).box.table
    (where,) = table[point_piece].inequalities  # the piece {0} is written xi = 0
    assert (
        where.first == Atom(sympy.Symbol("xi", real=True)) and where.links[0].relation == "equals"
    )
    assert _value(where.links[0].term, {}) == 0
    xi = sympy.Symbol("xi", real=True)
    for n in range(1, len(pieces) + 1):
        proof = derive_box(v, options=DerivationOptions(region=n)).box
        assert len(proof.table) == len(pieces) and not proof.closed
        (r,) = proof.regions
        point = pieces[n - 1].point
        z = _preactivations(rn, point)
        assert all(_holds(c, z) for c in proof.table[n - 1].signs)
        since = [c for layer in r.since for c in layer]
        assert all(_holds(Chain(c.first, c.links[-1:]), z) for c in since if len(c.links) == 2)
        value = r.formula.links[-1].term.value
        assert (
            sympy.sympify(value).xreplace({xi: sympy.Rational(point[0])}) == rn.forward(point)[0][0]
        )
