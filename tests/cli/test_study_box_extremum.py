"""`study --param` and `derive` on a box claim over a parameter in the biases: the extremum
over the box as an exact piecewise function of the parameter (claims/parameter_extremum.py)."""

import json
import re
from pathlib import Path

import sympy

from symresnet.cli.main import main

SPEC = str(Path(__file__).parents[1] / "data" / "parameter-box.toml")


def test_study_prints_the_maximum_as_a_function(capsys):
    # by hand (docs/parameters.md): max over the box of R is 5 for b <= 1 and b + 4 for b >= 1
    assert main(["study", SPEC, "--param", "b=0..8", "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert "max R over the box: 5 for 0 <= b <= 1, b + 4 for 1 <= b <= 8" in out


def test_study_json_has_a_parse_expr_readable_function(capsys):
    assert main(["study", SPEC, "--param", "b=-4..8", "--steps", "2", "--format", "json"]) == 0
    (claim,) = json.loads(capsys.readouterr().out)["claims"]
    (e,) = claim["extrema"]
    b = sympy.Symbol("b", real=True)
    f = sympy.parse_expr(e["function"], local_dict={"b": b})
    assert e["side"] == "max" and e["coordinate"] == 1
    for t in (-4, 0, 1, sympy.Rational(5, 2), 8):
        assert f.subs(b, t) == max(5, t + 4)
    assert [p["value"] for p in e["pieces"]] == ["5", "b + 4"]


def test_the_derivation_states_the_function_once(tmp_path, capsys):
    tex = tmp_path / "d.tex"
    assert main(["derive", SPEC, "-o", str(tex)]) == 0
    text = tex.read_text()
    gt, lt = r"\textgreater{}", r"\textless{}"
    line = f"max R over the box: 5 for b {lt}= 1, b + 4 for b {gt}= 1"
    assert line in text and text.count(r"\section*{") >= 2
    assert text.count(line) == 3  # the first proof's title: section, proof line, closing line


TWO = str(Path(__file__).parents[1] / "data" / "parameter-box-two.toml")


def test_derive_of_two_parameters_proves_at_the_witness_and_the_counterexample(tmp_path):
    # R = relu(x1 - x2 + b) + relu(2 x1 + x2) + a: R <= 10 on the box iff a <= 6, a + b <= 7
    tex = tmp_path / "two.tex"
    assert main(["derive", TWO, "-o", str(tex)]) == 0
    text = tex.read_text()
    lt = r"\textless{}"
    cond = f"(it holds exactly when a {lt}= 6 and a + b {lt}= 7)"
    assert text.count(r"\section*{") == 2 and text.count(cond) >= 2
    # the witness and the counterexample satisfy / violate the condition (checked by hand)

    points = re.findall(r"a = (-?\d+), b = (-?\d+): (holds|fails)", text)
    assert points
    for av, bv, verb in points:
        assert (int(av) <= 6 and int(av) + int(bv) <= 7) == (verb == "holds")


def test_the_plot_draws_the_exact_kink(tmp_path, monkeypatch, capsys):
    # the grid -2, 0, 2, ... misses the kink of max R at b = 1; the exact line passes through it
    drawn = {}

    def fake_plot(name, rows, *, expected, ends, path, exact=()):
        drawn["exact"] = exact

    monkeypatch.setattr("symresnet.cli.study_box.plot_extremum", fake_plot)
    png = str(tmp_path / "e.png")
    assert main(["study", SPEC, "--param", "b=-2..8", "--steps", "5", "--plot", png]) == 0
    ((label, points),) = drawn["exact"]
    assert label.startswith("exact max") and points == [(-2, 5), (1, 5), (8, 12)]


def test_the_derivation_names_the_ends_z3_decided(tmp_path):
    # R = b relu(b x) on [0, 1]: R <= 2 iff b <= sqrt(2); the ends +-sqrt(2) are decided by z3
    spec = str(Path(__file__).parents[1] / "data" / "parameter-weights.toml")
    tex = tmp_path / "w.tex"
    assert main(["derive", spec, "-o", str(tex)]) == 0
    text = tex.read_text()
    assert "b = -sqrt(2) and b = sqrt(2) decided by z3 (nlsat)" in text
    assert r"(set: b \textless{}= sqrt(2)" in text
