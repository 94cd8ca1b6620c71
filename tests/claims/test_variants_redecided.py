"""Every part of the three-part template (symresnet/examples/variants-1.5.toml: a point, a box
and a parameter part) re-decided by an independent exact computation (tests/variants_reference.py:
Fractions, polygons cut where a hidden unit changes sign, no symresnet): the verdict, the value
asked for, a point of the box where that value is attained (so a false bound is violated
there and a true one is sharp), and the value of the named mistake behind every false claim;
and the same again from each variant's spec file as written to disk (read back with tomllib)."""

from __future__ import annotations

import dataclasses
import itertools
import tomllib
from fractions import Fraction
from pathlib import Path

import pytest
import reference as ref
import variants_reference as vr
from hypothesis import given, settings
from hypothesis import strategies as st

import symresnet.examples
from symresnet.claims.variants import MISTAKES, draw_variant, draw_variants
from symresnet.io.variants import load_template, variant_text

TEMPLATE = Path(symresnet.examples.__file__).parent / "variants-1.5.toml"
T = load_template(TEMPLATE)
COUNT = 40
RELATIONS = ("equals", "at_most", "at_least")


@pytest.fixture(scope="module")
def variants():
    vs, _ = draw_variants(T, count=COUNT, seed=2026)
    return vs


def _in_box(x, box):
    return all(lo <= xi <= hi for xi, (lo, hi) in zip(x, box, strict=True))


def _full_box(p):
    return list(p.box) if p.kind == "box" else [p.box[0], *((x, x) for x in p.input)]


def _check_part(W, B, S, p):
    """One part against the reference; returns its independent verdict."""
    holds, value, witness = vr.part_decision(W, B, S, p.kind, p.input, p.box, p.relation, p.claimed)
    assert p.holds == holds
    assert p.value == value
    assert (p.mistake is None) == holds
    # the witness is a point of the claim where the value asked for is attained
    assert vr.realize(W, B, S, witness) == value
    if p.kind != "point":
        assert _in_box(witness, _full_box(p))
        assert p.relation in ("at_most", "at_least")
    else:
        assert p.relation == "equals"
    if holds:
        assert p.claimed == value  # a true part claims the exact (sharp) value
    else:
        # a false part is false at the witness, a point found here, not by symresnet
        r = vr.realize(W, B, S, witness)
        assert {"equals": r != p.claimed, "at_most": r > p.claimed, "at_least": r < p.claimed}[
            p.relation
        ]
        assert p.mistake in MISTAKES
        assert p.claimed in vr.mistake_values(W, B, S, p.mistake, _values_of(p))
    return holds


def _values_of(p):
    """``values_of(W, B, S, act, activated_output)``: what a student with a mistaken network
    computes for part ``p`` (its value; for a box or parameter part its minimum and maximum,
    either of which may be the bound claimed)."""

    def values_of(W, B, S, act, activated):
        if p.kind == "point":
            v = vr.realize(W, B, S, p.input, act)
            return (ref.relu(v) if activated else v,)
        if activated:  # no ResNet: the engine has no box value for it (docs/variants.md)
            return ()
        (mn, _), (mx, _) = vr.extrema(W, B, S, _full_box(p), act)
        return (mn, mx)  # the bound a student states: the maximum or the minimum

    return values_of


def test_every_part_of_the_three_part_template_is_redecided_exactly(variants):
    truths = []
    for v in variants:
        assert [p.kind for p in v.parts] == ["point", "box", "parameter"]
        W, B, S = vr.lists(v.net)
        truths.append([_check_part(W, B, S, p) for p in v.parts])
    # both verdicts occur in every position, and the share of true parts is near one half
    for position in zip(*truths, strict=True):
        assert any(position) and not all(position)
    share = Fraction(sum(map(sum, truths)), 3 * len(variants))
    assert Fraction(1, 3) < share < Fraction(2, 3)


def test_the_reference_extrema_bound_a_rational_grid_and_are_attained(variants):
    """The reference itself, checked: no point of a 9 x 9 rational grid of a box (or of 17
    points of a parameter range) is above the maximum or below the minimum, and both are
    values of R at points of the box."""
    for v in variants[:12]:
        W, B, S = vr.lists(v.net)
        for p in v.parts[1:]:
            box = _full_box(p)
            (mn, argmin), (mx, argmax) = vr.extrema(W, B, S, box)
            n = 8 if p.kind == "box" else 16
            axes = [
                sorted({lo + (hi - lo) * Fraction(i, n) for i in range(n + 1)}) for lo, hi in box
            ]
            for x in itertools.product(*axes):
                assert mn <= vr.realize(W, B, S, x) <= mx
            assert _in_box(argmin, box) and _in_box(argmax, box)
            assert vr.realize(W, B, S, argmin) == mn and vr.realize(W, B, S, argmax) == mx


def _net_from_spec(data):
    W = [[[Fraction(e) for e in row] for row in layer["W"]] for layer in data["layers"]]
    B = [[Fraction(e) for e in layer["B"]] for layer in data["layers"]]
    S = {
        (s["r"], s["k"]): [[Fraction(e) for e in row] for row in s["V"]]
        for s in data.get("skips", [])
    }
    return W, B, S


def _decide_spec_claim(W, B, S, data, claim):
    """A claim of a spec file decided from the file's own entries."""
    ((relation, (bound,)),) = [(k, v) for k, v in claim.items() if k in RELATIONS]
    bound = Fraction(bound)
    if "forall" in claim:
        box = [(Fraction(a), Fraction(b)) for a, b in claim["forall"]]
        return vr.part_decision(W, B, S, "box", (), box, relation, bound)[0]
    if claim["input"][0] == "t":
        t = data["parameters"]["t"]
        rest = tuple(Fraction(x) for x in claim["input"][1:])
        span = ((Fraction(t["min"]), Fraction(t["max"])),)
        return vr.part_decision(W, B, S, "parameter", rest, span, relation, bound)[0]
    assert relation == "equals"
    x = tuple(Fraction(e) for e in claim["input"])
    return vr.part_decision(W, B, S, "point", x, (), relation, bound)[0]


def test_every_spec_file_is_redecided_from_its_own_text(variants):
    for v in variants[:20]:
        _check_spec_file(T, v)


def _check_spec_file(t, v):
    """The spec file of ``v``: its network is the variant's, and every claim, decided from
    the file's own entries, has the verdict its comment line gives."""
    text = variant_text(t, v)
    data = tomllib.loads(text)
    assert data["activation"] == "relu" and data["dims"] == [2, 3, 3, 3, 1]
    W, B, S = _net_from_spec(data)
    assert vr.lists(v.net) == (W, B, S)
    comments = [line for line in text.splitlines() if line.startswith("# part (")]
    assert len(comments) == len(data["claims"]) == 3
    for line, claim in zip(comments, data["claims"], strict=True):
        holds = _decide_spec_claim(W, B, S, data, claim)
        assert line.split(": ", 1)[1].startswith("true" if holds else "false, mistake: ")


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**63), index=st.integers(0, 10**6), fractions=st.booleans())
def test_any_seed_gives_parts_the_reference_agrees_with(seed, index, fractions):
    t = dataclasses.replace(T, fractions=fractions)  # fractions: halves among the entries
    v = draw_variant(t, seed, index)
    assert draw_variant(t, seed, index) == v
    W, B, S = vr.lists(v.net)
    for p in v.parts:
        _check_part(W, B, S, p)
    _check_spec_file(t, v)


def test_the_relation_of_a_box_or_parameter_part_does_not_tell_its_verdict(variants):
    both = {(r, h) for r in ("at_most", "at_least") for h in (True, False)}
    for kind in ("box", "parameter"):
        seen = {(p.relation, p.holds) for v in variants for p in v.parts if p.kind == kind}
        assert seen == both, (kind, sorted(both - seen))
