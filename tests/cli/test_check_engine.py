"""``symresnet check --forall BOX ... [--engine auto|regions|verify]``: box claims routed to the
verification engine give the verdict and exit status of the region engine.

The network (by hand): 3 inputs, 14 hidden ReLU neurons, R(x) = 2 (|x_1| + |x_2| + |x_3|) +
relu(x_1 + x_2) + relu(x_2 - x_3); on [-1, 1]^3 its maximum is 2 * 3 + 2 + 2 = 10, at
x = (1, 1, -1) only, its minimum 0 at x = 0.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from reference import realization, relu

from symresnet.cli.main import main

ABS = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [0, -1, 0], [0, 0, -1]]
W1 = [*ABS, *ABS, [1, 1, 0], [0, 1, -1]]
W2 = [[1] * 14]
SPEC = (
    "[[layers]]\nW = " + str(W1) + "\nB = " + str([0] * 14) + "\n\n"
    "[[layers]]\nW = " + str(W2) + "\nB = [0]\n"
)
BOX = "-1..1, -1..1, -1..1"
KEYS = ("kind", "label", "quantifier", "box", "relation", "expected", "holds", "status")


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(SPEC)
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, spec, y, *extra):
    code, out, err = run(capsys, "check", spec, "--forall", BOX, "--at-most", y, "--json", *extra)
    assert err == ""
    (claim,) = json.loads(out)["claims"]
    return code, claim


@pytest.mark.parametrize(("y", "code"), [("11", 0), ("9", 1), ("10", 0), ("99/10", 1)])
def test_auto_gives_the_verdict_and_exit_status_of_the_region_engine(capsys, spec, y, code):
    old_code, old = _json(capsys, spec, y, "--engine", "regions")
    new_code, new = _json(capsys, spec, y)
    assert old_code == new_code == code
    assert {k: new[k] for k in KEYS} == {k: old[k] for k in KEYS}
    assert old["max"] == ["10"]  # the region engine's exact maximum, by hand


def test_a_routed_true_claim_says_which_engine_and_carries_no_extrema(capsys, spec):
    code, claim = _json(capsys, spec, "11")
    assert code == 0
    assert claim["engine"] == "verify" and claim["verify"]["leaves"] >= 1
    assert claim["max"] is None and claim["regions"] is None and claim["counterexample"] is None


def test_a_routed_false_claim_has_an_exact_counterexample_in_the_box(capsys, spec):
    code, claim = _json(capsys, spec, "9")
    assert code == 1 and claim["engine"] == "verify"
    x = [Fraction(v) for v in claim["counterexample"]["input"]]
    assert all(-1 <= v <= 1 for v in x)
    value = realization([W1, W2], [[0] * 14, [0]], {}, relu, x)[-1]
    assert [str(v) for v in value] == claim["counterexample"]["value"]
    assert value[0] > 9


def test_a_tight_claim_is_decided_by_the_region_engine_with_unchanged_output(capsys, spec):
    args = ("check", spec, "--forall", BOX, "--at-most", "10")
    old = run(capsys, *args, "--engine", "regions")
    new = run(capsys, *args)
    assert new == old and old[0] == 0
    assert "max R_1 = 10 at x = (1, 1, -1)" in old[1]


def test_text_of_a_routed_claim(capsys, spec):
    code, out, err = run(capsys, "check", spec, "--forall", BOX, "--at-most", "9")
    assert (code, err) == (1, "")
    lines = out.strip().splitlines()
    assert lines[0] == "the claim for all x in [-1, 1] x [-1, 1] x [-1, 1]: R(Phi, V)(x) <= 9"
    assert lines[-1].startswith("  FALSE: counterexample x = (")


def test_below_the_threshold_auto_keeps_the_region_engine(capsys, tmp_path):
    path = tmp_path / "small.toml"
    path.write_text("[[layers]]\nW = [[1, 1, 1]]\nB = [0]\n\n[[layers]]\nW = [[1]]\nB = [0]\n")
    args = ("check", str(path), "--forall", BOX, "--at-most", "4")
    assert run(capsys, *args) == run(capsys, *args, "--engine", "regions")


def test_tex_decides_with_the_region_engine_whose_extrema_the_derivation_needs(
    capsys, spec, tmp_path
):
    tex = tmp_path / "claim.tex"
    code, out, _ = run(capsys, "check", spec, "--forall", BOX, "--at-most", "11", "--tex", str(tex))
    assert code == 0 and tex.exists()
    assert "max R_1 = 10 at x = (1, 1, -1)" in out and "verify engine" not in out
