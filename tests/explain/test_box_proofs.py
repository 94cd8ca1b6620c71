"""Box-claim proofs (symresnet.explain.box): every multiplier shown is nonnegative and the
combination identity holds exactly (re-checked here with Fractions from the region's rows, the
affine map itself against the Fraction reference), the input coordinates are xi (never a bare
x_1), no ``= 3 = 3``, regions introduced by the signs of their pre-activations, and the PDF
compiles without an overfull box over 1 pt."""

from __future__ import annotations

import re
from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regions_reference import RandomNet, grid

from symresnet import ResNet
from symresnet.claims.box import check_box
from symresnet.explain.box import derive_box
from symresnet.explain.tree import DerivationOptions
from symresnet.present.compile import compile_pdf
from symresnet.present.render import RenderOptions, document


def _linear(row, x):
    return sum((F(a) * F(v) for a, v in zip(row, x, strict=True)), F(0))


def _net():
    """R(xi) = relu(xi_1 - xi_2) + relu(xi_1 + 2 xi_2 - 1): max 2 on [-1, 1]^2 at (1, -1)."""
    return ResNet(W=[[[1, -1], [1, 2]], [[1, 1]]], B=[[0, -1], [0]], activation="relu")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.sampled_from([1, 2]), st.sampled_from(["relu", "leaky", "clip"]))
def test_multipliers_are_nonnegative_and_the_combination_is_exact(seed, n0, act):
    rn = RandomNet(seed, n0=n0, act=act, out=1)
    bounds = [(F(-2), F(1))] * n0
    net = rn.resnet()
    side = seed % 2
    probe = check_box(net, forall=bounds, at_most=10**9)
    ext = probe.maximum[0] if side else probe.minimum[0]
    if ext.attained:  # the extremum is the reference's value at its point, and beats a grid
        assert rn.forward(ext.point)[0][0] == ext.value
    grid_values = [rn.forward(x)[0][0] for x in grid(bounds, 6)]
    assert (max(grid_values) <= ext.value) if side else (min(grid_values) >= ext.value)
    kw = {"at_most": ext.value} if side else {"at_least": ext.value}
    verdict = check_box(net, forall=bounds, **kw)
    proof = derive_box(verdict).box
    assert verdict.holds
    if proof.intervals:  # proven by interval bounds, no regions
        return
    pieces = verdict.decomposition.pieces
    facts = {(f.piece, f.coordinate, f.side): f for f in verdict.facts}
    for r in proof.regions:
        region = pieces[r.index - 1]
        # the region's affine map is the realization at its point (independent reference)
        assert list(region.value(region.point)) == rn.forward(region.point)[0]
        for lam, j in zip(r.multipliers, r.coordinates, strict=True):
            fact = next(f for (p, c, _), f in facts.items() if p == r.index - 1 and c == j - 1)
            s = 1 if fact.side == "max" else -1
            assert all(v >= 0 for _, v in lam)
            for col in range(n0):  # s C_j = sum lambda_i a_i, exactly
                assert s * region.C[j - 1][col] == sum((v * region.A[i][col] for i, v in lam), F(0))
            bound = s * sum((v * region.b[i] for i, v in lam), F(0)) + region.d[j - 1]
            assert bound == fact.value
            y = F(kw.get("at_most", kw.get("at_least")))
            assert (bound <= y) if s > 0 else (bound >= y)


def _spec_text(verdict) -> str:
    return document(verdict)


def test_region_proof_reads_like_the_book():
    v = check_box(_net(), forall=[[-1, 1], [-1, 1]], at_most=3)
    # all four regions derived in full (above box_regions the proof has a table instead)
    text = document(v, options=RenderOptions(derivation=DerivationOptions(box_regions=4)))
    assert r"x_{0} = x = (\xi_{1}, \xi_{2})" in text
    assert "pattern" not in text
    proof = text.split("Proof")[-1]
    # the inputs are xi, never x_1: the x_k are the layers' outputs (x_1 = M(...)), not in forms
    assert re.search(r"\d x_\{[12]\}|x_\{[12]\} (?:\\leq|<)|[-+] x_\{[12]\}", proof) is None
    assert r"\xi_{1} - \xi_{2} \leq" in proof or r"- \xi_{1} + \xi_{2} \leq" in proof
    assert proof.count(r"\mathfrak{M}_{\mathfrak{r},2}(W_{1} x_{0} + B_{1})") == 4  # layers
    flat = " ".join(text.split())
    assert r"On the region where $z_{1,1} \leq 0$ and $z_{1,2} > 0$, i.e." in flat
    assert re.search(r"\(-\d+\) \\cdot", proof) is None  # the multipliers shown are >= 0
    assert "This proves" in text


def test_lower_bounds_show_nonnegative_multipliers():
    v = check_box(_net(), forall=[[-1, 1], [-1, 1]], at_least=-1)
    text = _spec_text(v)
    proof = text.split("Proof")[-1]
    if "regions" in proof:
        assert re.search(r"\(-\d+\) \\cdot", proof) is None


def test_true_exists_has_no_tautology():
    v = check_box(_net(), exists=[[-1, 1], [-1, 1]], equals=0)
    text = _spec_text(v)
    assert v.holds
    assert "witness" in text and "This is the claimed value." in text
    assert re.search(r"= 0 = 0(?!\d)", text) is None


def _proof_lines(tex: str) -> set[int]:
    """Source lines (from 1) of the box proofs: from "Write the input" to the end of the proof."""
    lines, inside, out = tex.split("\n"), False, set()
    for n, line in enumerate(lines, start=1):
        if "Write the input in coordinates" in line or "This and" in line:
            inside = True
        if inside:
            out.add(n)
        if "square" in line:
            inside = False
    return out


def test_box_proofs_compile_without_overfull_boxes(latex):
    """Region proofs of l_0 = 2 networks of width 3, 5 and 8 at their exact maximum (so that
    interval bounds do not suffice), a counterexample and a witness: no overfull box over 1 pt
    in the proofs (the problem's data, W_k and B_k, are the derivation template's)."""
    items = [
        check_box(_net(), forall=[[-1, 1], [-1, 1]], at_most=2),
        check_box(_net(), forall=[[-1, 1], [-1, 1]], at_most=F(3, 2)),
        check_box(_net(), exists=[[-1, 1], [-1, 1]], equals=0),
        check_box(_net(), exists=[[-1, 1], [-1, 1]], greater=5),
    ]
    for seed, width in [(0, 3), (2, 5), (3, 8), (1, 8)]:
        net = RandomNet(seed, n0=2, act="relu", out=1, width=width, depth=2).resnet()
        top = check_box(net, forall=[[0, 1], [0, 1]], at_most=10**6).maximum[0].value
        items.append(check_box(net, forall=[[0, 1], [0, 1]], at_most=top))
    tex = document(items)
    proof = _proof_lines(tex)
    assert len(proof) > 50
    result = compile_pdf(tex)
    bad = []
    for m in re.finditer(
        r"Overfull \\hbox \(([\d.]+)pt too wide\) (?:in paragraph at lines (\d+)--(\d+)|"
        r"detected at line (\d+))",
        result.log,
    ):
        lo, hi = (int(m[2]), int(m[3])) if m[2] else (int(m[4]), int(m[4]))
        if float(m[1]) > 1 and proof & set(range(lo, hi + 1)):
            bad.append(m[0])
    assert not bad, bad
