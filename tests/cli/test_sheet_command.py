"""``symresnet sheet``: the files it writes, the answer key against an independent Fraction
computation (tests/reference.py), the JSON, and bad input (exit 2, one line)."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from reference import realization, relu

from symresnet.cli.main import main

EXAMPLES = Path(__file__).parents[2] / "symresnet" / "examples"
SHEET = EXAMPLES / "sheet-1.5.1.toml"
EXAMPLE = EXAMPLES / "example-1.5.6.toml"

# Exercise 1.5.1, (1.158)-(1.160), written out by hand
W = [[[1], [2]], [[-1, 2], [3, -4], [-5, 6]], [[-1, 1, -1]]]
B = [[3, 4], [0, 0, 0], [-4]]
SKIPS = {(0, 3): [[1]], (1, 3): [[3, -2]]}


def R(x: Fraction) -> Fraction:
    F = [[[Fraction(e) for e in row] for row in w] for w in W]
    return realization(F, B, SKIPS, relu, [x])[-1][0]


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["sheet", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_writes_the_exercise_and_solution_sheets(tmp_path, capsys):
    code, out, _ = _run(capsys, str(SHEET), "--out", str(tmp_path))
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["sheet-1.5.1-exercises.tex", "sheet-1.5.1-solutions.tex"]
    assert out.splitlines() == [f"wrote {tmp_path / n}" for n in names]
    exercises = (tmp_path / names[0]).read_text()
    assert exercises.count(r"\textbf{(") == 3 and "Solution of" not in exercises
    assert "Solution of (c)" in (tmp_path / names[1]).read_text()


def test_combined_and_solutions_only(tmp_path, capsys):
    assert _run(capsys, str(SHEET), "--out", str(tmp_path / "c"), "--combined")[0] == 0
    assert [p.name for p in (tmp_path / "c").iterdir()] == ["sheet-1.5.1.tex"]
    combined = (tmp_path / "c" / "sheet-1.5.1.tex").read_text()
    assert combined.index(r"\textbf{(c)}") < combined.index("Solution of (a)")
    assert _run(capsys, str(SHEET), "--out", str(tmp_path / "s"), "--solutions-only")[0] == 0
    assert [p.name for p in (tmp_path / "s").iterdir()] == ["sheet-1.5.1-solutions.tex"]


def test_the_key_has_the_exact_values(tmp_path, capsys):
    code, out, _ = _run(capsys, str(SHEET), "--out", str(tmp_path), "--key", "--name", "s1")
    assert code == 0
    key = (tmp_path / "s1-key.txt").read_text()
    assert key in out
    lines = [line for line in key.splitlines() if line.startswith("1(")]
    assert len(lines) == 3
    # (a) R(-1), claimed 0 (the book's (1.161))
    assert R(Fraction(-1)) == -7
    assert lines[0] == f"1(a) (1.161) R(-1) = {R(Fraction(-1))}; claimed = 0: false"
    # (b) the maximum over [-2, 1], attained at -2 (R is piecewise affine: a grid of the kinks)
    grid = [Fraction(-2) + Fraction(i, 840) for i in range(3 * 840 + 1)]
    top = max(grid, key=R)
    assert lines[1] == (
        f"1(b) for all x in [-2, 1]: max R = {R(top)} at x = ({top}); claimed <= 0: "
        + ("true" if R(top) <= 0 else "false")
    )
    # (c) R(a) >= -10 exactly on [-6, -7/10]: the ends are on the level, outside is below
    m = re.fullmatch(
        r"1\(c\) R\(a\) >= -10 exactly when (\S+) <= a <= (\S+): depends on the parameters",
        lines[2],
    )
    assert m is not None
    lo, hi = Fraction(m.group(1)), Fraction(m.group(2))
    assert R(lo) == -10 and R(hi) == -10
    eps = Fraction(1, 1000)
    assert R(lo - eps) < -10 and R(hi + eps) < -10
    assert all(R(lo + (hi - lo) * Fraction(i, 50)) >= -10 for i in range(51))


def test_json_is_the_sheet(tmp_path, capsys):
    code, out, _ = _run(capsys, str(EXAMPLE), str(SHEET), "--out", str(tmp_path), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == 1
    assert [p["number"] for p in data["problems"]] == [1, 2]
    first, second = data["problems"]
    assert first["title"] == "Example 1.5.6" and first["dims"] == [1, 1, 2, 2, 1]
    assert [p["letter"] for p in second["parts"]] == ["a", "b", "c"]
    a, b, c = second["parts"]
    assert (a["kind"], a["value"], a["holds"]) == ("point", [str(R(Fraction(-1)))], False)
    assert (b["kind"], b["max"], b["holds"]) == ("box", ["0"], True)
    assert (c["kind"], c["status"]) == ("parameter", "depends")
    assert all(p["key"].startswith(f"2({p['letter']})") for p in second["parts"])
    assert data["files"] == [
        str(tmp_path / f"example-1.5.6-{w}.tex") for w in ("exercises", "solutions")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.toml"], "missing.toml"),
        (["{sheet}", "--combined", "--solutions-only"], "not allowed with"),
        (["{sheet}", "--name", "../x"], "--name"),
        (["{empty}"], "claims"),
        (["{bad}"], "layers"),
        (["{sheet}", "--first-equation", "x"], "first"),
        (["{sheet}", "--figure", "--max-neurons", "0"], "--max-neurons"),
    ],
)
def test_bad_input_is_exit_2_with_one_line(tmp_path, capsys, args, message):
    (tmp_path / "empty.toml").write_text("[[layers]]\nW = [[1]]\nB = [0]\n")
    (tmp_path / "bad.toml").write_text("[[layers]]\nW = [[1, 2]]\nB = [0, 1]\n")
    paths = {
        "sheet": str(SHEET),
        "empty": str(tmp_path / "empty.toml"),
        "bad": str(tmp_path / "bad.toml"),
    }
    args = [a.format(**paths) for a in args]
    code, out, err = _run(capsys, *args, "--out", str(tmp_path / "o"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and out == ""
    assert message in err
    assert not (tmp_path / "o").exists()  # nothing written


def test_pdf(tmp_path, capsys, latex):
    code, out, _ = _run(capsys, str(EXAMPLE), "--out", str(tmp_path), "--pdf")
    assert code == 0
    for what in ("exercises", "solutions"):
        pdf = tmp_path / f"example-1.5.6-{what}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        assert f"wrote {pdf}" in out


def test_figure(tmp_path, capsys):
    assert _run(capsys, str(SHEET), "--out", str(tmp_path), "--figure")[0] == 0
    exercises = (tmp_path / "sheet-1.5.1-exercises.tex").read_text()
    assert exercises.count(r"\begin{tikzpicture}") == 1 and r"\usepackage{tikz}" in exercises


HOSTILE = Path(__file__).parents[1] / "hostile"


def test_every_hostile_spec_is_exit_2_with_one_line_naming_it(tmp_path, capsys):
    specs = sorted(HOSTILE.glob("*.toml"))
    assert len(specs) >= 40
    for spec in specs:
        code = main(["--time-limit", "2", "sheet", str(spec), "--out", str(tmp_path / "o")])
        out, err = capsys.readouterr()
        assert code == 2, (spec.name, err)
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err, spec.name
        assert err.startswith(f"symresnet: error: {spec}: "), err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "spec", sorted((Path(__file__).parents[1] / "data").glob("*.toml")), ids=lambda p: p.name
)
def test_every_test_spec_makes_a_sheet_or_one_line_error(spec, tmp_path, capsys):
    """The specs of tests/data (parameters in biases and weights, boxes, studies) give a sheet
    or exit 2 with one line naming the file; never an internal error (exit 3)."""
    code = main(["sheet", str(spec), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and spec.name in err
    else:
        assert sorted(p.suffix for p in tmp_path.iterdir()) == [".tex", ".tex"]
