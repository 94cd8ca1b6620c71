"""Box claims (symresnet.claims.box): Exercise 1.5.1 by hand, the evidence checker, specs, the
command line and derivations (deciding against brute force: test_box_decide.py)."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction as F

import pytest

from symresnet import ResNet, loads_spec
from symresnet.base.errors import InputError, SpecError
from symresnet.claims.box import check_box
from symresnet.claims.evidence import EvidenceError, verify
from symresnet.cli.main import main

EXERCISE = "symresnet/examples/exercise-1.5.1.toml"

# -- Exercise 1.5.1 on [-2, 1] (pieces by hand in tests/compute/test_regions.py) -------------------------------
# R is -5x-10, -8x-15, -3x-8, -10x-17 on the four pieces: decreasing, so the maximum is
# R(-2) = 10 - 10 = 0 and the minimum R(1) = -10 - 17 = -27.


def test_exercise_forall_at_most_zero_is_proven(exercise):
    v = check_box(exercise, forall=[[-2, 1]], at_most=0)
    assert v.holds and v.counterexample is None
    assert (v.maximum[0].value, v.maximum[0].point) == (F(0), (F(-2),))
    assert (v.minimum[0].value, v.minimum[0].point) == (F(-27), (F(1),))
    # one bound per region, the largest being the maximum 0; the others by hand:
    # -8x-15 at -5/3 is -5/3, -3x-8 at -7/5 is -19/5, -10x-17 at -9/7 is -29/7
    assert sorted(f.value for f in v.facts) == sorted([F(0), F(-5, 3), F(-19, 5), F(-29, 7)])
    assert all(f.side == "max" for f in v.facts)


def test_exercise_forall_less_zero_is_refuted_at_minus_two(exercise):
    v = check_box(exercise, forall=[[-2, 1]], less=0)
    assert not v.holds
    assert (v.counterexample.input, v.counterexample.value) == ((F(-2),), (F(0),))


def test_exercise_exists(exercise):
    v = check_box(exercise, exists=[[-2, 1]], equals=-7)
    assert v.holds and v.witness.value == (F(-7),)
    # -10x - 17 = -7 at x = -1 only (the other pieces take values above -5)
    assert v.witness.input == (F(-1),)
    v = check_box(exercise, exists=[[-2, 1]], greater=0)
    assert not v.holds and v.witness is None
    assert len(v.facts) == 4  # per region: its maximum is <= 0


# -- the evidence checker catches wrong evidence ----------------------------------------------------


def test_evidence_checker_rejects_tampering(exercise):
    v = check_box(exercise, forall=[[-2, 1]], less=0)
    bad = dataclasses.replace(v.counterexample, value=(F(1),))
    with pytest.raises(EvidenceError, match="value at the counterexample"):
        verify(dataclasses.replace(v, counterexample=bad))
    proof = check_box(exercise, forall=[[-2, 1]], at_most=0)
    f0 = proof.facts[0]
    wrong = dataclasses.replace(f0, multipliers=tuple(m + 1 for m in f0.multipliers))
    with pytest.raises(EvidenceError, match="multipliers"):
        verify(dataclasses.replace(proof, facts=(wrong, *proof.facts[1:])))
    # drop a region: the rest no longer covers the box
    dec = proof.decomposition
    fewer = dataclasses.replace(dec, regions=dec.regions[1:], pieces=dec.pieces[1:])
    facts = tuple(dataclasses.replace(f, piece=f.piece - 1) for f in proof.facts if f.piece > 0)
    with pytest.raises(EvidenceError, match="measures add up"):
        verify(dataclasses.replace(proof, decomposition=fewer, facts=facts))
    top = dataclasses.replace(proof.maximum[0], value=F(1))
    with pytest.raises(EvidenceError, match="max of coordinate 1"):
        verify(dataclasses.replace(proof, maximum=(top,)))


# -- specs and the command line -------------------------------------------------------------------

SPEC = """
title = "Exercise 1.5.1"
[[layers]]
W = [[1], [2]]
B = [3, 4]
[[layers]]
W = [[-1, 2], [3, -4], [-5, 6]]
B = [0, 0, 0]
[[layers]]
W = [[-1, 1, -1]]
B = [-4]
[[skips]]
r = 0
k = 3
V = [[1]]
[[skips]]
r = 1
k = 3
V = [[3, -2]]
"""


def test_spec_box_claims(tmp_path):
    spec = loads_spec(
        SPEC + '[[claims]]\nlabel = "max"\nforall = [[-2, 1]]\nat_most = 0\n'
        '[[claims]]\nexists = [["-2", "1/2"]]\nequals = -7\n'
    )
    assert [c.quantifier for c in spec.claims] == ["forall", "exists"]
    assert spec.claims[1].bounds == ((F(-2), F(1, 2)),)


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        (
            "input = [1]\nforall = [[0, 1]]\nat_most = 0",
            r"claims\[1\]: a claim needs exactly one of input, forall, exists; got input, forall",
        ),
        (
            "forall = [[0, 1], [0, 1]]\nat_most = 0",
            r"claims\[1\]\.forall: expected 1 interval \(l_0 = 1\), got 2",
        ),
        (
            "forall = [[1, 0]]\nat_most = 0",
            r"claims\[1\]\.forall\[1\]: the interval is empty: 1 > 0",
        ),
        ("exists = [[0, 1]]\nat_most = [0, 1]", r"claims\[1\]\.at_most: expected 1 entry"),
        ("at_most = 0", r"exactly one of input, forall, exists$"),
    ],
)
def test_spec_box_claim_errors(claim, message):
    with pytest.raises((SpecError, InputError), match=message):
        loads_spec(SPEC + "[[claims]]\n" + claim + "\n", source="ex.toml")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_regions_json(capsys):
    code, out, _ = run(capsys, "regions", EXERCISE, "--box", "-2..1", "--json")
    data = json.loads(out)
    assert code == 0 and data["count"] == 4
    assert data["breakpoints"] == ["-5/3", "-7/5", "-9/7"]
    assert (data["min"], data["max"], data["argmin"], data["argmax"]) == (
        ["-27"],
        ["0"],
        [["1"]],
        [["-2"]],
    )
    assert data["regions"][0]["pattern"] == [[1, 1], [0, 1, 0]]
    assert data["regions"][0]["C"] == [["-5"]] and data["regions"][0]["d"] == ["-10"]


def test_cli_regions_text(capsys):
    code, out, _ = run(capsys, "regions", EXERCISE, "--box", "-2..1")
    assert code == 0
    assert "4 linear regions on [-2, 1]" in out
    assert "R_1(x) = -5 x_1 - 10" in out and "breakpoints: -5/3, -7/5, -9/7" in out


def test_cli_check_quantified_claims(capsys):
    code, out, _ = run(capsys, "check", EXERCISE, "--forall", "-2..1", "--at-most", "0", "--json")
    (c,) = json.loads(out)["claims"]
    assert code == 0 and c["holds"] is True and c["relation"] == "at_most"
    assert (c["min"], c["max"], c["argmax"], c["counterexample"]) == (
        ["-27"],
        ["0"],
        [["-2"]],
        None,
    )
    code, out, _ = run(capsys, "check", EXERCISE, "--forall", "-2..1", "--less", "0", "--json")
    (c,) = json.loads(out)["claims"]
    assert code == 1 and c["counterexample"] == {"input": ["-2"], "value": ["0"]}
    code, out, _ = run(capsys, "check", EXERCISE, "--exists", "-2..1", "--equals", "-7", "--json")
    (c,) = json.loads(out)["claims"]
    assert code == 0 and c["witness"] == {"input": ["-1"], "value": ["-7"]}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["regions", EXERCISE, "--box", "0..1, 0..1"],
            "--box: expected 1 interval (l_0 = 1), got 2",
        ),
        (["regions", EXERCISE, "--box", "1..-1"], "--box: interval 1 is empty: 1 > -1"),
        (["check", EXERCISE, "--forall", "0..1"], "--forall: give exactly one of"),
        (
            ["check", EXERCISE, "--forall", "0..1", "--at-most", "1, 2"],
            "--at-most: expected 1 entry (l_L = 1), got 2",
        ),
    ],
)
def test_cli_errors_exit_2(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


# -- derivations ------------------------------------------------------------------------------


def test_derivation_of_the_proof_region_by_region(exercise):
    from symresnet.explain.box import derive_box
    from symresnet.present.render import document

    v = check_box(exercise, forall=[[-2, 1]], at_most=0, label="A")
    proof = derive_box(v).box
    # R is decreasing: on each region the maximum is at the left end lo, from -x <= -lo
    # with the multiplier |slope|: 5, 8, 3, 10 (pieces by hand in tests/compute/test_regions.py)
    lefts = {F(-2): 5, F(-5, 3): 8, F(-7, 5): 3, F(-9, 7): 10}
    for r in proof.regions:
        region = v.decomposition.pieces[r.index - 1]
        ((i, lam),) = r.multipliers[0]
        assert region.A[i] == (F(-1),) and lefts[-region.b[i]] == lam
    tex = document(v, title="Exercise 1.5.1")
    assert r"Then it holds for all $x \in \left[-2, 1\right]$ that" in tex
    assert r"- 5 \xi - 10 = 5 \cdot (- \xi) + (-10) \leq 5 \cdot 2 + (-10) = 0 \leq 0" in tex
    assert r"This proves (A)." in tex or r"This proves \eqref" in tex


def test_derivation_of_the_disproof_at_the_counterexample(exercise):
    from symresnet.present.render import document

    tex = document(check_box(exercise, forall=[[-2, 1]], less=0), title="Exercise 1.5.1")
    # evaluated at x_0 = -2 as in Example 1.5.6: x_1 = r((1, 0)) = (1, 0), ..., x_3 = 0
    assert r"$x_{0} = -2$" in tex and r"x_{0} = -2 \in \left[-2, 1\right]" in tex
    assert r"(-2) = 0 \nless 0" in tex and "counterexample" in tex


def test_derivation_checks_its_equations(exercise):
    from symresnet.base.errors import DerivationCheckError
    from symresnet.explain.box import derive_box

    v = check_box(exercise, forall=[[-2, 1]], at_most=0)
    wrong = dataclasses.replace(v.facts[0], value=v.facts[0].value + 1)
    with pytest.raises(DerivationCheckError):
        derive_box(dataclasses.replace(v, facts=(wrong, *v.facts[1:])))


def test_box_derivation_pdf(tmp_path, exercise):
    import os
    import shutil
    import subprocess

    if not shutil.which("pdflatex"):
        if os.environ.get("SYMRESNET_REQUIRE_LATEX"):
            pytest.fail("pdflatex is required")
        pytest.skip("pdflatex not installed")
    from symresnet.present.render import document

    heaviside = ResNet(
        W=[[[1]], [[-2]]], B=[[0], [0]], skips={(0, 2): [[1]]}, activation="heaviside"
    )
    vector = ResNet(W=[[[1], [-1]], [[1, 0], [0, 1]]], B=[[0, 0], [0, 0]])
    verdicts = [
        check_box(exercise, forall=[[-2, 1]], at_most=0),
        check_box(exercise, forall=[[-2, 1]], less=0),
        check_box(exercise, exists=[[-2, 1]], equals=-7),
        check_box(exercise, exists=[[-2, 1]], greater=0),
        check_box(vector, forall=[[-1, 2]], at_least=[0, 0]),
        check_box(heaviside, forall=[[-1, 1]], less=0),
    ]
    tex = document(verdicts, title="Box claims")
    assert r"\xi < 0" in tex  # the strict row of the Heaviside piece [-1, 0) ...
    assert r"1 \cdot \xi < 1 \cdot 0" in tex  # ... keeps its bound strict
    (tmp_path / "box.tex").write_text(tex)
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "box.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]


def test_cli_derive_box_claims(tmp_path, capsys):
    spec = tmp_path / "box.toml"
    spec.write_text(SPEC + '[[claims]]\nlabel = "max"\nforall = [[-2, 1]]\nat_most = 0\n')
    code, out, _ = run(capsys, "derive", str(spec))
    # four regions on [-2, 1]: more than DerivationOptions.box_regions (3), so the proof lists
    # them in a table and derives the attaining one in full
    assert code == 0 and r"\begin{tabular}" in out and r"\tag{max}" in out
    assert "4 regions" in out and r"\begin{enumerate}" not in out


def test_proof_by_interval_bounds_when_they_suffice(exercise):
    from symresnet.present.render import document

    # by hand on [-2, 1]: x_1 = (r(x+3), r(2x+4)) in [1, 4] x [0, 6];
    # z_2 = (-a + 2b, 3a - 4b, -5a + 6b) in [-4, 11] x [-21, 12] x [-20, 31], x_2 = r(z_2);
    # R = -x_21 + x_22 - x_23 - 4 + x + 3a - 2b in [-11-31-4-2+3-12, 12-4+1+12] = [-57, 21]
    v = check_box(exercise, forall=[[-2, 1]], at_most=21)
    assert v.intervals == (
        ((F(-2), F(1)),),
        ((F(1), F(4)), (F(0), F(6))),
        ((F(0), F(11)), (F(0), F(12)), (F(0), F(31))),
        ((F(-57), F(21)),),
    )
    assert r"x_{3} \in \left[-57, 21\right]" in document(v)
    # R <= 0 is true but beyond the intervals: proven region by region instead
    assert check_box(exercise, forall=[[-2, 1]], at_most=0).intervals == ()
    bad = ((F(-2), F(1)),), ((F(1), F(4)), (F(0), F(5))), *v.intervals[2:]
    with pytest.raises(EvidenceError, match="interval"):
        verify(dataclasses.replace(v, intervals=bad))


def test_cli_regions_progress_on_stderr(capsys):
    code, out, err = run(capsys, "regions", EXERCISE, "--box", "-2..1", "--progress", "--json")
    assert code == 0 and json.loads(out)["count"] == 4
    # one line per hidden layer: 4 regions after layer 2 (by hand, tests/compute/test_regions.py)
    assert err.splitlines() == ["symresnet: layer 1/2: 1 region", "symresnet: layer 2/2: 4 regions"]


def test_package_exports():
    import symresnet

    assert symresnet.check_box is check_box
    assert symresnet.decompose.__module__ == "symresnet.compute.regions"
