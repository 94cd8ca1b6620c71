"""One's own templates are untrusted (docs/security.md, "Templates are untrusted input"): a
``--template DIR`` job cannot read a file outside its folder and TeX's tree, and a hostile
template ends in exit 2 with one line naming the template file, within seconds.

Each file-reading primitive of TeX and LaTeX is tried with an absolute path, a ``..`` path
and a symbolic link placed in the template folder.  Whatever the run ends in (a PDF, or a
clean error), the canary's secret must appear in none of what it leaves: the ``.tex``, the PDF
(its text and every decompressed stream), LaTeX's log, standard output and standard error.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
import zlib
from pathlib import Path

import pytest
from hostile_run import assert_clean_error, run_cli

from symresnet.base.errors import CompileError
from symresnet.examples import example_path
from symresnet.present import compile as latex_module
from symresnet.present.compile import compile_pdf, confined

SECRET = "CANARYxSECRETx4711"
EXAMPLE = example_path("example-1.5.6").read_bytes()
SECURITY_DOC = Path(__file__).parents[2] / "docs" / "security.md"


@pytest.fixture
def canary():
    """A secret file beside LaTeX's temporary folders (so that ``../NAME`` from the engine's
    folder names it), removed afterwards."""
    fd, name = tempfile.mkstemp(prefix="symresnet-canary-", suffix=".tex")
    with os.fdopen(fd, "w") as f:
        f.write(f"{SECRET}\n")
    path = Path(name)
    yield path
    path.unlink(missing_ok=True)


def _streams(pdf: bytes) -> bytes:
    """The PDF's bytes followed by every stream it holds, decompressed where it is deflated."""
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            out.append(m.group(1))
    return b"\n".join(out)


def _pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def _leaks(job: Path, run) -> list[str]:
    """Where the secret shows up after a run in ``job``."""
    found = [name for name, text in (("stdout", run.stdout), ("stderr", run.stderr)) if SECRET in text]
    for path in job.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if path.suffix == ".pdf":
            if SECRET.encode() in _streams(data) or SECRET in _pdf_text(path):
                found.append(path.name)
        elif SECRET.encode() in data:
            found.append(path.name)
    return found


# -- each primitive that reads a file, with three kinds of paths -------------------------------

#: how a template reads the file NAME (a path without ``.tex``), and what shows it succeeded
PRIMITIVES = {
    "input": r"\input{NAME}",
    "include": r"\include{NAME}",
    "openin": (
        r"\newread\canaryread\openin\canaryread=NAME.tex "
        r"\ifeof\canaryread NOFILE\else\read\canaryread to\canaryline OPENED\canaryline\fi"
    ),
    "IfFileExists": r"\IfFileExists{NAME.tex}{FOUND\input{NAME.tex}}{NOFILE}",
    "lstinputlisting": r"\lstinputlisting{NAME.tex}",
    "pdfobj": r"\immediate\pdfobj file {NAME.tex}\pdfrefobj\pdflastobj",
    "pdfximage": r"\pdfximage{NAME.tex}",
}


def _paths(canary: Path, folder: Path) -> dict[str, str]:
    """The canary named by an absolute path, by ``..`` from the engine's folder (a temporary
    folder beside it), and by a symbolic link in the template folder."""
    (folder / "leak.tex").symlink_to(canary)
    return {
        "absolute": str(canary.with_suffix("")),
        "dotdot": "../" + canary.stem,
        "symlink": "leak",
        "symlink-absolute": str(folder / "leak"),
    }


def _template_job(tmp_path: Path, body: str | None = None) -> Path:
    """A job folder with the spec ``s.toml`` and a template folder ``tpl`` (with ``body`` as
    ``derivation.tex.j2`` when given)."""
    job = tmp_path / "job"
    (job / "tpl").mkdir(parents=True)
    (job / "s.toml").write_bytes(EXAMPLE)
    if body is not None:
        _write_template(job, body)
    return job


def _write_template(job: Path, body: str) -> None:
    (job / "tpl" / "derivation.tex.j2").write_text(f"<< d.title | tex >>\n\n{body}\n")
    if "lstinputlisting" in body:  # the shipped document, loading listings
        shipped = (Path(__file__).parents[2] / "templates" / "document.tex.j2").read_text()
        (job / "tpl" / "document.tex.j2").write_text(
            shipped.replace(r"\usepackage{amssymb}", r"\usepackage{amssymb}\usepackage{listings}")
        )


@pytest.mark.parametrize("kind", ["absolute", "dotdot", "symlink", "symlink-absolute"])
@pytest.mark.parametrize("primitive", list(PRIMITIVES))
def test_a_template_cannot_read_a_file_outside(latex, tmp_path, canary, primitive, kind):
    job = _template_job(tmp_path)
    name = _paths(canary, job / "tpl")[kind]
    _write_template(job, PRIMITIVES[primitive].replace("NAME", name))
    run = run_cli(
        ["derive", "s.toml", "--template", "tpl", "-o", "out.tex", "--pdf"], cwd=job, timeout=120
    )
    assert run.returncode in (0, 2), run.stderr
    if run.returncode == 2:  # refused by the template scan, or LaTeX stopped: one clean line
        assert_clean_error(run, r"^symresnet: error: ")
    assert _leaks(job, run) == []
    if run.returncode == 0:  # the PDF was made: the primitive found nothing to read
        text = _pdf_text(job / "out.pdf")
        assert "FOUND" not in text and "OPENED" not in text
        if primitive in ("openin", "IfFileExists"):  # the primitive ran and found no file
            assert "NOFILE" in text


def test_the_scan_refuses_primitives_that_bypass_kpathsea(tmp_path, canary):
    # pdfTeX's \pdfobj file and \pdfximage open any path, paranoid kpathsea or not
    for primitive in ("pdfobj", "pdfximage"):
        body = PRIMITIVES[primitive].replace("NAME", str(canary.with_suffix("")))
        job = _template_job(tmp_path / primitive, body)
        run = run_cli(["derive", "s.toml", "--template", "tpl", "-o", "out.tex"], cwd=job)
        assert_clean_error(
            run,
            rf"^symresnet: error: tpl/derivation\.tex\.j2: line 3: .*\\{primitive} is not "
            r"allowed in templates",
        )
        assert not (job / "out.tex").exists()


def test_the_engine_is_confined_even_when_the_scan_is_bypassed(latex, canary):
    """LaTeX written by hand (what a template could assemble at run time from harmless
    characters) still cannot read the canary: the engine runs under Landlock."""
    if latex_module._landlock() is None:  # no Landlock in this kernel: the documented fallback
        assert not confined()
        assert "Where Landlock is not available" in SECURITY_DOC.read_text()
        return
    assert confined(), "this kernel has Landlock, so pdflatex must run confined"
    tex = (
        r"\documentclass{article}\begin{document}"
        rf"\immediate\pdfobj file {{{canary}}}\pdfrefobj\pdflastobj x"
        r"\end{document}"
    )
    try:
        result = compile_pdf(tex)
    except CompileError as err:  # the engine could not open it: an error, and no secret
        assert SECRET not in err.log and SECRET not in str(err)
    else:
        assert SECRET.encode() not in _streams(result.pdf)
        assert SECRET not in result.log


def test_without_confinement_pdfobj_would_read_the_file(latex, canary, monkeypatch):
    """The test above can fail: unconfined, pdfTeX's \\pdfobj file does put the file into the
    PDF (kpathsea's paranoid mode does not cover it)."""
    monkeypatch.setattr(latex_module, "_confinement_works", lambda name, path: False)
    tex = (
        r"\documentclass{article}\begin{document}"
        rf"\immediate\pdfobj file {{{canary}}}\pdfrefobj\pdflastobj x"
        r"\end{document}"
    )
    result = compile_pdf(tex)
    assert SECRET.encode() in _streams(result.pdf)


# -- hostile templates: exit 2, one line naming the template file, within seconds --------------

HOSTILE = {
    "binary": (b"\xff\xfe\x00\x01binary", r"derivation\.tex\.j2: line 1: is a binary file"),
    "extends-itself": (
        b'<% extends "derivation.tex.j2" %>',
        r"derivation\.tex\.j2: line 1: .*included inside each other more than \d+ deep",
    ),
    "recursive-macro": (
        b"<% macro f(n) %><< f(n + 1) >><% endmacro %><< f(0) >>",
        r"derivation\.tex\.j2: line 1: .*more than \d+ macro calls",
    ),
    "range-10-6": (
        b"<% for i in range(10**6) %>x<% endfor %>",
        r"derivation\.tex\.j2: line 1: .*a range of more than 100,000 numbers",
    ),
    "repeat-10-9": (b"<< 'x' * 10**9 >>", r"derivation\.tex\.j2: line 1: .*repeating"),
    "triple-loop": (
        b"<% for i in range(1000) %><% for j in range(1000) %><% for k in range(1000) %>"
        b"<% endfor %><% endfor %><% endfor %>",
        r"derivation\.tex\.j2: line 1: template stopped: ",
    ),
    "int-of-huge-text": (
        b"<< ('9' * 10**6) | int >>",
        r"derivation\.tex\.j2: line 1: .*\|int of a text of 1,000,000 characters",
    ),
    "too-big": (b"%" * 2_000_000, r"derivation\.tex\.j2: is larger than 100,000 bytes"),
    "csname": (
        b"\\csname input\\endcsname{/etc/passwd}",
        r"derivation\.tex\.j2: line 1: .*\\csname is not allowed in templates",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_template_is_exit_2_naming_the_file(tmp_path, name):
    body, message = HOSTILE[name]
    job = tmp_path / "job"
    (job / "tpl").mkdir(parents=True)
    (job / "s.toml").write_bytes(EXAMPLE)
    (job / "tpl" / "derivation.tex.j2").write_bytes(body)
    start = time.monotonic()
    run = run_cli(["derive", "s.toml", "--template", "tpl", "-o", "out.tex"], cwd=job, timeout=60)
    assert_clean_error(run, rf"^symresnet: error: tpl/{message}")
    assert time.monotonic() - start < 20
    assert not (job / "out.tex").exists()


def test_a_template_linked_to_a_file_outside_is_refused(tmp_path, canary):
    job = tmp_path / "job"
    (job / "tpl").mkdir(parents=True)
    (job / "s.toml").write_bytes(EXAMPLE)
    (job / "tpl" / "derivation.tex.j2").symlink_to(canary)
    run = run_cli(["derive", "s.toml", "--template", "tpl", "-o", "out.tex"], cwd=job)
    assert_clean_error(
        run,
        r"^symresnet: error: tpl/derivation\.tex\.j2: is a symbolic link to a file outside the "
        r"template folder",
    )
    assert _leaks(job, run) == [] and not (job / "out.tex").exists()


def test_a_link_inside_the_folder_is_followed(tmp_path):
    # the check is about where a link leads, not that it is one
    job = tmp_path / "job"
    (job / "tpl").mkdir(parents=True)
    (job / "s.toml").write_bytes(EXAMPLE)
    (job / "tpl" / "mine.tex.j2").write_text("MINE << d.title | tex >>\n")
    (job / "tpl" / "derivation.tex.j2").symlink_to("mine.tex.j2")
    run = run_cli(["derive", "s.toml", "--template", "tpl", "-o", "out.tex"], cwd=job)
    assert run.returncode == 0, run.stderr
    assert "MINE " in (job / "out.tex").read_text()


def test_jinja2_has_the_sandbox_fix():
    # CVE-2025-27516: in Jinja2 3.1.5 and older a template could escape the sandbox through
    # the |attr filter and str.format; pyproject.toml requires 3.1.6
    from importlib.metadata import version

    installed = tuple(int(p) for p in version("jinja2").split(".")[:3])
    assert installed >= (3, 1, 6)
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '"jinja2>=3.1.6"' in pyproject
