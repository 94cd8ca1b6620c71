"""PDFs with the real LaTeX engine: the book's derivations, many random networks in one
document, injection attempts, LaTeX's own error lines, the time limit.

Without pdflatex these tests are skipped (the ``latex`` fixture of ``tests/conftest.py``),
unless ``SYMRESNET_REQUIRE_LATEX=1`` (``.ci/run`` sets it) or ``CI`` is set: then a missing
engine fails them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from random_networks import networks

from symresnet import check, realize
from symresnet.base.errors import CompileError
from symresnet.present.compile import compile_pdf, find_engine, latex_errors, write_pdf
from symresnet.present.render import document

GOLDEN = Path(__file__).parents[1] / "golden"


def _text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        return ""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("example-1.5.6", "This and (1.152) establish (1.150)."),
        ("exercise-1.5.1", "This disproves (1.161): the value is \u22127, not 0."),
    ],
)
def test_book_derivations_compile(latex, tmp_path, name, sentence):
    pdf = tmp_path / f"{name}.pdf"
    result = write_pdf((GOLDEN / f"{name}.tex").read_text(encoding="utf-8"), pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "undefined references" not in result.log  # every \eqref resolved
    text = _text(pdf)
    if text:
        assert sentence in text


def test_random_networks_compile_in_one_document(latex):
    items = [realize(net, x0) for net, x0 in networks()]
    items += [
        check(net, input=x0, at_most=[0] * net.dims[-1], label="rnd")
        for net, x0 in networks(6, seed=7)
        if net.is_rational  # closed forms make the verdicts slow, not the derivations
    ]
    result = compile_pdf(document(items))
    assert result.pdf.startswith(b"%PDF")
    assert "Overfull" not in "".join(latex_errors(result.log))


EVIL = r"\input{/etc/passwd} \write18{touch pwned} {unbalanced % # $ ~ ^ \\ & _ \end{document}"


def test_injection_is_harmless(latex, tmp_path, exercise):
    tex = document(check(exercise, input=[-1], equals=[0], label=EVIL), title=EVIL)
    result = compile_pdf(tex)
    assert result.pdf.startswith(b"%PDF")
    assert not any("passwd" in f for f in result.files_read)
    assert "(/etc/passwd" not in result.log  # what TeX writes when it opens a file
    assert not Path("pwned").exists()


def test_engine_is_confined(latex, tmp_path):
    """Even LaTeX written by hand cannot run commands or read files outside its folder."""
    secret = tmp_path / "secret.tex"
    secret.write_text("SECRET")
    marker = tmp_path / "pwned"
    tex = (
        r"\documentclass{article}\begin{document}"
        rf"\immediate\write18{{touch {marker}}}"
        rf"\input{{{secret}}}"
        r"\end{document}"
    )
    with pytest.raises(CompileError) as info:
        compile_pdf(tex)
    assert not marker.exists()
    assert "SECRET" not in info.value.log
    assert any(line.startswith("!") for line in info.value.errors)


def test_latex_errors_are_reported_with_the_log(latex, tmp_path):
    tex = (
        "\\documentclass{article}\n\\begin{document}\nHello\n\\undefinedcommand\n\\end{document}\n"
    )
    with pytest.raises(CompileError) as info:
        write_pdf(tex, tmp_path / "out.pdf")
    err = info.value
    assert err.errors[0] == "! Undefined control sequence."
    assert err.errors[1].startswith("l.4 \\undefinedcommand")
    assert str(tmp_path / "out.log") in str(err)
    assert (tmp_path / "out.log").read_text().startswith("This is pdfTeX")
    assert not (tmp_path / "out.pdf").exists()


def test_time_limit_kills_latex(latex):
    tex = "\\documentclass{article}\n\\begin{document}\n\\def\\x{\\x}\\x\n\\end{document}\n"
    with pytest.raises(CompileError, match=r"did not finish within 1\.5 s"):
        compile_pdf(tex, timeout=1.5)


def test_missing_engine(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert find_engine() is None
    with pytest.raises(CompileError, match="no LaTeX engine found"):
        compile_pdf(r"\documentclass{article}\begin{document}x\end{document}")


def test_latex_errors_parsing():
    log = "\n".join(
        [
            "(./derivation.tex",
            "! Missing $ inserted.",
            "<inserted text> ",
            "                $",
            "l.62 ",
            "! Emergency stop.",
            "!  ==> Fatal error occurred, no output PDF file produced!",
        ]
    )
    assert latex_errors(log) == ("! Missing $ inserted.", "l.62", "! Emergency stop.")
