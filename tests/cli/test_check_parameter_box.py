"""`check` on box claims over networks with a parameter (claims/parameter_box.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import sympy

from symresnet.cli.main import main

SPEC = """
dims = [2, 2, 1]
[[layers]]
W = [[1, -1], [2, 1]]
B = [{b1}, 0]
[[layers]]
W = [[{w}, 1]]
B = [{b2}]
[parameters]
{params}
[[claims]]
label = "P"
{quant} = [[0, 1], [0, 2]]
{rel} = [{y}]
"""


def spec(
    tmp_path, *, b1='"b"', b2="1", w="1", params="b = {}", quant="forall", rel="at_most", y="10"
):
    p = tmp_path / "s.toml"
    p.write_text(SPEC.format(b1=b1, b2=b2, w=w, params=params, quant=quant, rel=rel, y=y))
    return str(p)


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def relu(v):
    return max(v, Fraction(0))


def reference_max(b1, b2, w=Fraction(1)):
    """The realization is convex in x for w >= 0: its maximum over the box is at a vertex."""
    return max(
        w * relu(x1 - x2 + b1) + relu(2 * x1 + x2) + b2
        for x1 in (Fraction(0), Fraction(1))
        for x2 in (Fraction(0), Fraction(2))
    )


def test_the_issue_example_exit_1_json_when_parses(tmp_path, capsys):
    code, out, _ = run(capsys, "check", spec(tmp_path), "--json")
    assert code == 1
    c = json.loads(out)["claims"][0]
    assert c["holds"] is None and c["decided"] is True
    b = sympy.Symbol("b", real=True)
    when = sympy.parse_expr(c["when"], local_dict={"b": b})
    for bv in (-5, 0, 6, Fraction(61, 10), 100):
        q = sympy.Rational(bv)
        assert bool(when.subs(b, q)) == (reference_max(Fraction(bv), Fraction(1)) <= 10)
    ce = c["counterexample"]
    bv = Fraction(ce["parameters"]["b"])
    assert reference_max(bv, Fraction(1)) > 10
    assert Fraction(ce["value"][0]) > 10


def test_parameter_in_the_last_bias_with_bounds(tmp_path, capsys):
    # R = relu(x1 - x2) + relu(2 x1 + x2) + b: max 4 + b over the box (at (1, 2))
    path = spec(tmp_path, b1="0", b2='"b"', params="b = { min = 0, max = 8 }")
    code, out, _ = run(capsys, "check", path, "--json")
    c = json.loads(out)["claims"][0]
    assert code == 1
    b = sympy.Symbol("b", real=True)
    when = sympy.parse_expr(c["when"], local_dict={"b": b})
    for bv in (0, 6, Fraction(61, 10), 8):
        assert bool(when.subs(b, sympy.Rational(bv))) == (
            reference_max(Fraction(0), Fraction(bv)) <= 10
        )


def test_holds_for_every_value_exits_0(tmp_path, capsys):
    code, out, _ = run(capsys, "check", spec(tmp_path, params="b = { max = 6 }"))
    assert code == 0, out


def test_exists_claim(tmp_path, capsys):
    # exists x: R >= 10 iff max R >= 10 iff b >= 6
    code, out, _ = run(capsys, "check", spec(tmp_path, quant="exists", rel="at_least"), "--json")
    c = json.loads(out)["claims"][0]
    assert code == 1 and c["when"] == "b >= 6"
    assert reference_max(Fraction(c["witness"]["parameters"]["b"]), Fraction(1)) >= 10


def test_parameter_in_a_weight_is_decided(tmp_path, capsys):
    # R = b relu(x1 - x2) + relu(2 x1 + x2) + 1: for b >= 0 convex, so its maximum over the box
    # is at a vertex, max(3 + b, 5); for b < 0 at most 5: R <= 10 iff b <= 7
    code, out, err = run(capsys, "check", spec(tmp_path, w='"b"', b1="0"), "--json")
    assert code == 1 and "Traceback" not in out + err
    c = json.loads(out)["claims"][0]
    b = sympy.Symbol("b", real=True)
    assert sympy.parse_expr(c["when"], local_dict={"b": b}) == (b <= 7)
    assert c["status"] == "depends" and c["decided"] is True


def test_two_parameters_are_decided_by_exact_lp(tmp_path, capsys):
    # R = relu(x1 - x2 + b) + relu(2 x1 + x2) + a: by hand its maximum over the box is
    # a + max(relu(b), relu(1 + b) + 2, relu(b - 2) + 2, relu(b - 1) + 4): <= 10 iff a <= 6
    # and a + b <= 7
    path = spec(tmp_path, b2='"a"', params="b = {}\na = {}")
    code, out, err = run(capsys, "check", path, "--json")
    assert code == 1 and "Traceback" not in out + err
    c = json.loads(out)["claims"][0]
    a, b = sympy.symbols("a b", real=True)
    assert sympy.parse_expr(c["when"], local_dict={"a": a, "b": b}) == sympy.And(a <= 6, a + b <= 7)
    assert c["method"] == "lp" and c["status"] == "depends"
    code, out, _ = run(capsys, "check", path)
    assert "holds exactly when a <= 6 and a + b <= 7" in out


def test_irrational_bias_in_a_box_claim_is_exit_2(tmp_path, capsys):
    code, out, err = run(capsys, "check", spec(tmp_path, b1='"sqrt(2)"', params=""))
    assert code == 2 and "rational" in out + err and "Traceback" not in out + err


def test_derive_does_not_fail(tmp_path, capsys):
    code, _, _ = run(capsys, "derive", spec(tmp_path), "-o", str(tmp_path / "d.tex"))
    assert code == 0
    tex = (tmp_path / "d.tex").read_text()
    # one proof per piece of the line: ends -1, 2, 6, 9 give 4 points and 5 open intervals
    lt = r"\textless{}"  # the title is escaped for LaTeX
    assert tex.count(f"(set: b {lt}= 6)") >= 9
    assert f"fails for 6 {lt} b {lt} 9" in tex
    assert f"holds for 2 {lt} b {lt} 6" in tex


def test_two_parameter_answer_is_the_same_in_every_run() -> None:
    """The witness and counterexample do not depend on Python's hash seed (the exact LP sees
    the constraints in one order)."""
    data = Path(__file__).parents[1] / "data" / "parameter-box-two.toml"
    outputs = set()
    for seed in ("1", "3", "7"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-m", "symresnet", "check", str(data), "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert run.returncode == 1, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1
