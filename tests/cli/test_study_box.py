"""`study` on a box claim over one parameter (cli/study_box.py)."""

from __future__ import annotations

import json
from fractions import Fraction

from symresnet.cli.main import main

SPEC = """
dims = [2, 2, 1]
[[layers]]
W = [[1, -1], [2, 1]]
B = ["b", 0]
[[layers]]
W = [[1, 1]]
B = [1]
[parameters]
b = {}
[[claims]]
forall = [[0, 1], [0, 2]]
at_most = [10]
"""


def relu(v):
    return max(v, Fraction(0))


def reference_max(b):
    """Convex in x: the maximum over the box is at a vertex."""
    return max(
        relu(x1 - x2 + b) + relu(2 * x1 + x2) + 1
        for x1 in (Fraction(0), Fraction(1))
        for x2 in (Fraction(0), Fraction(2))
    )


def test_study_sweeps_the_exact_maximum_and_plots(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC)
    png = tmp_path / "m.png"
    argv = ["study", str(spec), "--param", "b=-2..8", "--steps", "10", "--format", "json"]
    code = main([*argv, "--plot", str(png)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and png.stat().st_size > 1000
    c = out["claims"][0]
    assert c["when"] == "(b >= -2) & (b <= 6)"
    assert len(c["sweep"]) == 11
    for row in c["sweep"]:
        b = Fraction(row["parameters"]["b"])
        assert Fraction(row["max"]) == reference_max(b)
        assert row["holds"] == (reference_max(b) <= 10)


def test_study_of_a_box_claim_needs_one_param(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC)
    assert main(["study", str(spec)]) == 2
    assert "--param NAME=LO..HI" in capsys.readouterr().err
