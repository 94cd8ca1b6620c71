"""The command line's LaTeX/PDF outputs: derive, check --tex/--pdf, demo, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from symresnet.base.errors import CompileError
from symresnet.cli.main import main
from symresnet.examples import example_path
from symresnet.present import compile as compile_module

EXERCISE = str(example_path("exercise-1.5.1"))


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_derive_prints_a_document(capsys):
    code, out, err = run(capsys, "derive", EXERCISE)
    assert code == 0, err
    assert out.startswith(r"\documentclass") and out.rstrip().endswith(r"\end{document}")
    assert r"the value is $-7$, not $0$." in out


def test_derive_at_a_point_as_fragment(capsys):
    code, out, _ = run(
        capsys, "derive", EXERCISE, "--at", "-1/2", "--fragment", "--first-equation", "3.1"
    )
    assert code == 0
    assert r"\documentclass" not in out
    assert (
        r"Compute $\bigl(\mathcal{R}^{\mathbf{R}}_{\mathfrak{r}}(\Phi, V)\bigr)"
        r"\left(-\frac{1}{2}\right)$"  # parentheses that fit the fraction (issue 13)
        in out
    )
    assert r"\tag{3.1}" in out


def test_derive_writes_the_file_atomically(capsys, tmp_path):
    target = tmp_path / "ex.tex"
    code, out, _ = run(
        capsys,
        "derive",
        EXERCISE,
        "-o",
        str(target),
        "--plain-m",
        "--inline",
        "--activation-symbol",
        "sigma",
    )
    assert code == 0 and out == f"wrote {target}\n"
    tex = target.read_text()
    assert r"M_{\sigma,3}" in tex and r"\begin{equation}" not in tex
    assert [p.name for p in tmp_path.iterdir()] == ["ex.tex"]  # no temporary file left


def test_derive_with_own_templates(capsys, tmp_path):
    (tmp_path / "document.tex.j2").write_text(
        "<% for d in derivations %>[<< d.claim.value >>]<% endfor %>\n"
    )
    code, out, _ = run(capsys, "derive", EXERCISE, "--template", str(tmp_path))
    assert code == 0 and out.strip() == "[-7]"


def test_check_writes_every_claim(capsys, tmp_path):
    target = tmp_path / "claims.tex"
    code, out, err = run(capsys, "check", EXERCISE, "--tex", str(target), "--json")
    assert code == 1  # the claim is false
    assert out.lstrip().startswith("{")  # stdout stays JSON
    assert f"symresnet: wrote {target}" in err
    assert r"\tag{1.161}" in target.read_text()


def test_demo_without_latex_writes_tex(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(compile_module, "find_engine", lambda engine="auto": None)
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path / "d"))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == [
        "example-1.5.6.tex",
        "exercise-1.5.1.tex",
    ]
    assert f"Exercise 1.5.1: wrote {tmp_path / 'd' / 'exercise-1.5.1.tex'}" in out
    assert "no LaTeX engine found" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["derive", EXERCISE, "--template", "/no/such/folder"],
            r"/no/such/folder: --template: is not a folder",
        ),
        (["derive", EXERCISE, "-o", "out.pdf"], r"names the \.tex file"),
        (["derive", EXERCISE, "--fragment", "--pdf"], r"--fragment has no preamble"),
        (["derive", EXERCISE, "--first-equation", "x"], r"must end in the digits 0-9"),
        (["derive", EXERCISE, "--max-columns", "1"], r"--max-columns: .1. is not a valid number of rows or columns: give a whole number from 3 to 1000"),
        (["derive", EXERCISE, "-o", "/no/such/folder/x.tex"], r"cannot write the file"),
        (["derive", EXERCISE, "--activation-symbol", r"\input{x}"], r"is not accepted"),
    ],
)
def test_bad_derive_exits_2(capsys, argv, message):
    import re

    code, _, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and re.search(message, lines[0]), err


def test_spec_without_claims_needs_at(capsys, tmp_path):
    spec = tmp_path / "net.toml"
    spec.write_text("[[layers]]\nW = [[1]]\nB = [0]\n")
    code, _, err = run(capsys, "derive", str(spec))
    assert code == 2 and "no [[claims]] to derive" in err and "--at" in err


def test_latex_failure_is_exit_2_naming_the_log(capsys, tmp_path, monkeypatch):
    def failing(tex, *, engine="auto", timeout=0):
        raise CompileError(
            "LaTeX failed: ! Undefined control sequence. l.4 \\x", log="This is pdfTeX\n! Undefined"
        )

    monkeypatch.setattr(compile_module, "compile_pdf", failing)
    code, _, err = run(capsys, "derive", EXERCISE, "-o", str(tmp_path / "e.tex"), "--pdf")
    assert code == 2
    assert err.strip() == (
        f"symresnet: error: LaTeX failed: ! Undefined control sequence. l.4 \\x (log: {tmp_path / 'e.log'})"
    )
    assert (tmp_path / "e.tex").exists() and (tmp_path / "e.log").exists()
    assert not (tmp_path / "e.pdf").exists()


def test_missing_engine_is_exit_2(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(compile_module, "find_engine", lambda engine="auto": None)
    code, _, err = run(capsys, "check", EXERCISE, "--pdf")
    assert code == 2 and "no LaTeX engine found" in err


def test_derive_decides_within_the_declared_parameter_bounds(capsys):
    # by hand from the spec: R(-1) = -max(2a + 4, 0) - 5 = -5 iff a <= -2; with a in [-3, 0]
    # the claim holds exactly for -3 <= a <= -2, as `check` says (it ignored the bounds before)
    spec = Path(__file__).parents[1] / "data" / "study-bounded.toml"
    assert main(["derive", str(spec)]) == 0
    tex = capsys.readouterr().out
    assert r"holds if and only if $-3 \leq a \leq -2$" in tex
    assert r"if and only if $a \leq -2$" not in tex


def test_derive_at_a_symbol_ends_piecewise(capsys):
    code, out, err = run(capsys, "derive", EXERCISE, "--at", "x")
    assert code == 0, err
    assert r"\begin{cases}" in out and "Piece 6:" in out
    assert r"\max" not in out  # the closed form with nested max is not the ending any more


def test_derive_piece_n(capsys):
    code, out, err = run(capsys, "derive", EXERCISE, "--at", "x", "--piece", "3")
    assert code == 0, err
    assert "Piece 3:" in out and "Piece 2:" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--at", "x", "--piece", "7"), "the realization has 6 pieces"),
        (("--at", "x", "--piece", "0"), "a piece number 1, 2, ... is expected"),
        (("--at", "1", "--piece", "1"), "--piece and --plot need a symbolic realization"),
        (("--piece", "1"), "--piece needs --at"),
    ],
)
def test_derive_piece_errors(capsys, argv, message):
    code, out, err = run(capsys, "derive", EXERCISE, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_derive_plot(capsys):
    code, out, err = run(capsys, "derive", EXERCISE, "--at", "x", "--plot", "--piece", "1")
    assert code == 0, err
    assert r"\begin{tikzpicture}" in out and r"\usepackage{pgfplots}" in out


def test_derive_plot_needs_a_symbol(capsys):
    code, out, err = run(capsys, "derive", EXERCISE, "--at", "1", "--plot")
    assert out == ""
    assert code == 2 and "--plot" in err


def test_derive_text_piece_by_piece(capsys):
    code, out, err = run(capsys, "derive", EXERCISE, "--at", "x", "--text", "--piece", "2")
    assert code == 0, err
    lines = out.splitlines()
    assert "  -3 < x <= -2:  7*x + 14" in lines and "  x > -9/7:  -10*x - 17" in lines
    assert "piece 2 (-3 < x <= -2):" in lines
    assert "  since x + 3 > 0 and 2*x + 4 <= 0:" in lines
    assert "  R(Phi, V)(x) = 7*x + 14" in lines
    assert "Max" not in out


def test_derive_text_of_claims_and_points(capsys):
    code, out, _ = run(capsys, "derive", EXERCISE, "--text")
    assert code == 0 and "FALSE, the value is -7" in out
    code, out, _ = run(capsys, "derive", EXERCISE, "--text", "--at", "-1")
    assert code == 0 and "R(Phi, V)(-1) = -7" in out
    code, out, err = run(capsys, "derive", EXERCISE, "--text", "--pdf")
    assert code == 2 and "--text" in err
