"""Sweeps: exact values and verdicts on a grid, exact critical points, the ``study`` command.

Expected values by hand: Example 1.5.6 with V_{0,4} = v gives R(5) = 33 + 5v; Exercise 1.5.1
with W_2's first row (a, 2) gives R(-1) = -max(2a + 4, 0) - 5 (see tests/claims/test_parameter.py); Exercise
1.5.1 at x is checked against the Fraction reference.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from conftest import EXAMPLE_B, EXAMPLE_W, EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W
from reference import realization, relu

import symresnet.examples
from symresnet import ResNet
from symresnet.base.errors import StudyError
from symresnet.claims.sweep import grid, parse_param, sweep
from symresnet.cli.main import main

a, v, x = sympy.symbols("a v x", real=True)
R = sympy.Rational
EXAMPLES = Path(symresnet.examples.__file__).parent
DATA = Path(__file__).parents[1] / "data"
#: the sweep of claim a1 (R(-1) = -7) over a = -4, -3, ..., 1
SWEEP_A1 = (
    "study",
    str(EXAMPLES / "study-1.5.1-a.toml"),
    "--claim",
    "a1",
    "--param",
    "a=-4..1",
    "--steps",
    "5",
)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def exercise_a() -> ResNet:
    return ResNet(
        W=[EXERCISE_W[0], [[a, 2], [3, -4], [-5, 6]], EXERCISE_W[2]],
        B=EXERCISE_B,
        skips=EXERCISE_SKIPS,
    )


def test_grid_has_steps_plus_one_points():
    assert grid(R(-3), R(3), 6) == tuple(R(k) for k in range(-3, 4))
    assert grid(R(0), R(1), 4) == (0, R(1, 4), R(1, 2), R(3, 4), 1)
    with pytest.raises(StudyError, match="at least 1"):
        grid(R(0), R(1), 0)


def test_example_v_sweep_and_critical_point():
    net = ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips={(0, 4): [[v]]})
    s = sweep(net, input=[5], ranges={"v": ("-8", "-5")}, steps=6, relation="equals", expected=[0])
    assert [row.parameters[0][1] for row in s.rows] == [
        -8,
        R(-15, 2),
        -7,
        R(-13, 2),
        -6,
        R(-11, 2),
        -5,
    ]
    assert [row.value[0] for row in s.rows] == [-7, R(-9, 2), -2, R(1, 2), 3, R(11, 2), 8]
    assert [row.holds for row in s.rows] == [False] * 7
    ((crit),) = s.critical
    assert crit.at == R(-33, 5) and crit.kinds == ("claim",) and crit.value[0] == 0


def test_exercise_a_sweep_with_breakpoint():
    s = sweep(
        exercise_a(), input=[-1], ranges={a: (-4, 1)}, steps=5, relation="equals", expected=[-7]
    )
    assert [row.value[0] for row in s.rows] == [-5, -5, -5, -7, -9, -11]
    assert [row.holds for row in s.rows] == [False, False, False, True, False, False]
    assert [(c.at, c.kinds, c.value[0]) for c in s.critical] == [
        (-2, ("breakpoint",), -5),
        (-1, ("claim",), -7),
    ]
    s5 = sweep(
        exercise_a(), input=[-1], ranges={a: (-4, 1)}, steps=5, relation="equals", expected=[-5]
    )
    assert [row.holds for row in s5.rows] == [True, True, True, False, False, False]
    assert [(c.at, c.kinds) for c in s5.critical] == [(-2, ("breakpoint", "claim"))]


def test_sweep_over_the_input_matches_reference():
    net = ResNet(W=EXERCISE_W, B=EXERCISE_B, skips=EXERCISE_SKIPS)
    s = sweep(net, input=[x], ranges={x: (-4, 0)}, steps=8)
    W = [[[Fraction(e) for e in row] for row in w] for w in EXERCISE_W]
    B = [[Fraction(e) for e in bias] for bias in EXERCISE_B]
    S = {k: [[Fraction(e) for e in row] for row in m] for k, m in EXERCISE_SKIPS.items()}
    for row in s.rows:
        q = row.parameters[0][1]
        assert row.value[0] == realization(W, B, S, relu, [Fraction(int(q.p), int(q.q))])[-1][0]
    assert [c.at for c in s.critical] == [-3, -2, R(-5, 3), R(-7, 5), R(-9, 7)]


def test_fixed_parameters_and_two_swept():
    b = sympy.Symbol("b", real=True)
    net = ResNet(W=EXAMPLE_W, B=[*EXAMPLE_B[:3], [b]], skips={(0, 4): [[v]]})
    s = sweep(net, input=[5], ranges={"v": (-8, -6)}, steps=2, fixed={"b": 1})
    assert [row.value[0] for row in s.rows] == [-7, -2, 3]  # 32 + 1 + 5v
    both = sweep(net, input=[5], ranges={"v": (0, 1), "b": (0, 2)}, steps=1)
    assert [(dict(r.parameters)[v], dict(r.parameters)[b], r.value[0]) for r in both.rows] == [
        (0, 0, 32),
        (0, 2, 34),
        (1, 0, 37),
        (1, 2, 39),
    ]
    assert both.critical == ()
    with pytest.raises(StudyError, match="parameter 'b' needs a value or a range"):
        sweep(net, input=[5], ranges={"v": (0, 1)}, steps=1)


def test_parse_param_errors():
    names = {"a": a, "b": sympy.Symbol("b", real=True)}
    assert parse_param("a=-3..3", names).hi == 3
    assert parse_param("a = 1/2", names).lo == R(1, 2) and not parse_param("a=1/2", names).is_range
    with pytest.raises(
        StudyError, match=r"^--param: unknown parameter 'w': the spec declares a, b$"
    ):
        parse_param("w=1..2", names)
    with pytest.raises(StudyError, match="is empty"):
        parse_param("a=3..-3", names)
    with pytest.raises(StudyError, match="rational ends"):
        parse_param("a=0..sqrt(2)", names)
    with pytest.raises(StudyError, match="outside its declared bounds"):
        parse_param("a=-5..0", names, bounds={"a": (-3, 0)})
    with pytest.raises(StudyError, match=r"expected NAME=LO\.\.HI"):
        parse_param("a", names)


def test_cli_table(capsys):
    code, out, _ = run(capsys, *SWEEP_A1)
    assert code == 0
    assert "(a1) R(Phi, V)(-1) = -7: holds exactly when a = -1" in out
    assert "  -1  -7     true" in out
    assert "a = -2 (breakpoint, value -5)" in out and "a = -1 (claim, value -7)" in out


def test_cli_csv_and_json(capsys):
    spec = str(EXAMPLES / "study-1.5.6-v.toml")
    code, out, _ = run(
        capsys, "study", spec, "--param", "v=-8..-5", "--steps", "3", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        ["v", "value", "holds"],
        ["-8", "-7", "false"],
        ["-7", "-2", "false"],
        ["-6", "3", "false"],
        ["-5", "8", "false"],
    ]
    code, out, _ = run(
        capsys, "study", spec, "--param", "v=-8..-5", "--steps", "3", "--format", "json"
    )
    data = json.loads(out)
    (item,) = data["studies"]
    assert data["schema"] == 1 and item["when"] == "Eq(v, -33/5)"
    assert item["sweep"]["rows"][0] == {"parameters": {"v": "-8"}, "value": ["-7"], "holds": False}
    assert item["sweep"]["critical"] == [
        {"parameters": {"v": "-33/5"}, "kinds": ["claim"], "value": ["0"]}
    ]
    assert item["piecewise"] == ["5*v + 33"]


def test_cli_errors(capsys):
    spec = str(EXAMPLES / "study-1.5.1-a.toml")
    code, _, err = run(capsys, "study", spec, "--claim", "a1", "--param", "w=1..2")
    assert code == 2 and err.strip() == (
        "symresnet: error: --param: unknown parameter 'w': the spec declares a"
    )
    code, _, err = run(capsys, "study", spec, "--param", "a=1..2")
    assert code == 2 and "choose the one to sweep with --claim" in err
    code, _, err = run(
        capsys, "study", str(DATA / "study-bounded.toml"), "--claim", "1", "--param", "a=-5..0"
    )
    assert code == 2 and "outside its declared bounds [-3, 0]" in err
    code, _, err = run(capsys, "study", spec, "--claim", "zz")
    assert code == 2 and "no claim 'zz'" in err


def test_cli_progress_goes_to_stderr(capsys):
    code, out, err = run(
        capsys,
        "study",
        str(EXAMPLES / "study-1.5.1-x.toml"),
        "--claim",
        "1",
        "--param",
        "x=-4..0",
        "--steps",
        "8",
        "--progress",
    )
    assert code == 0 and "symresnet:" in err and "9/9" in err
    assert "symresnet:" not in out


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="needs matplotlib")
def test_cli_plot(capsys, tmp_path):
    png = tmp_path / "a.png"
    code, _, err = run(capsys, *SWEEP_A1, "--plot", str(png))
    assert code == 0 and f"wrote {png}" in err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run(
        capsys, "study", str(EXAMPLES / "study-1.5.1-a.toml"), "--claim", "a1", "--plot", str(png)
    )
    assert code == 2 and "--plot needs exactly one swept parameter" in err
