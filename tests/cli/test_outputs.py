"""Every file the command line writes: atomic, never through a link or onto a device, never
onto one of the command's inputs (docs/security.md, "outputs are never half-written", "inputs
are never modified").  The declarative cases are in tests/hostile_runs/files.toml."""

from __future__ import annotations

import errno
import os
import shutil

import pytest
from hostile_run import assert_clean_error, run_cli

from symresnet.base.errors import CompileError
from symresnet.cli.main import main
from symresnet.examples import example_path
from symresnet.present import compile as latex

#: Example 1.5.6: one input, so that every command (regions over "0..8", --points) can run it
EXAMPLE = example_path("example-1.5.6").read_bytes()

#: a command line per output option; OUT is the output, s.toml the spec, p.jsonl the points
WRITERS = {
    "derive -o": ["derive", "s.toml", "-o", "OUT"],
    "check --tex": ["check", "s.toml", "--tex", "OUT"],
    "eval -o": ["eval", "s.toml", "--points", "p.jsonl", "-o", "OUT"],
    "study -o": ["study", "s.toml", "-o", "OUT"],
    "regions --tikz": ["regions", "s.toml", "--box", "0..8", "--tikz", "OUT"],
    "regions --plot": ["regions", "s.toml", "--box", "0..8", "--plot", "OUT"],
    "fmt -o": ["fmt", "s.toml", "-o", "OUT"],
}


@pytest.fixture
def job(tmp_path, monkeypatch):
    (tmp_path / "s.toml").write_bytes(EXAMPLE)
    (tmp_path / "p.jsonl").write_text("[5]\n[-1]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(folder):
    """Every entry of ``folder``: its kind, contents (or link target) and modification time."""
    out = {}
    for p in sorted(folder.iterdir()):
        st = os.lstat(p)
        body = os.readlink(p) if p.is_symlink() else p.read_bytes() if p.is_file() else None
        out[p.name] = (st.st_mode, body, st.st_mtime_ns, st.st_ino)
    return out


def argv(writer, out):
    return [out if a == "OUT" else a for a in WRITERS[writer]]


def one_error_line(capsys, code):
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    assert captured.err.startswith("symresnet: error: ")
    return captured.err.rstrip("\n")


# -- never through a link, never onto a device ------------------------------------------------


@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_that_is_a_symlink_is_refused(writer, job):
    (job / "victim").write_text("keep")
    (job / "out.txt").symlink_to(job / "victim")
    before = snapshot(job)
    run = run_cli(argv(writer, "out.txt"), cwd=job)
    assert_clean_error(
        run, r"^symresnet: error: out\.txt: .* is a symbolic link, .*remove it or choose another"
    )
    assert snapshot(job) == before


@pytest.mark.parametrize("writer", ["derive -o", "study -o", "regions --plot"])
def test_an_output_that_is_a_fifo_is_refused(writer, job):
    os.mkfifo(job / "pipe")
    before = snapshot(job)
    assert_clean_error(run_cli(argv(writer, "pipe"), cwd=job), r"pipe: .* is a FIFO")
    assert snapshot(job) == before


def test_demo_refuses_a_symlink_in_its_folder_before_writing_anything(job, capsys):
    (job / "demo").mkdir()
    (job / "victim").write_text("keep")
    (job / "demo" / "exercise-1.5.1.tex").symlink_to(job / "victim")
    code = main(["demo", "--out", "demo"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "demo/exercise-1.5.1.tex: an output file of --out is a symbolic link" in err
    assert (job / "victim").read_text() == "keep"
    assert sorted(p.name for p in (job / "demo").iterdir()) == ["exercise-1.5.1.tex"]


# -- never onto an input ----------------------------------------------------------------------


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("spelling", ["s.toml", "./s.toml", "hard.toml"])
def test_the_spec_is_never_an_output(writer, spelling, job, capsys):
    os.link(job / "s.toml", job / "hard.toml")
    before = snapshot(job)
    line = one_error_line(capsys, main(argv(writer, spelling)))
    assert line.startswith(f"symresnet: error: {spelling}: ")
    assert "is the spec, an input of this command" in line
    assert snapshot(job) == before


def test_the_points_file_is_never_the_output(job, capsys):
    (job / "pts").mkdir()
    (job / "linked").symlink_to(job / "pts")  # the same file through a linked folder
    shutil.move(job / "p.jsonl", job / "pts" / "p.jsonl")
    before = snapshot(job / "pts")
    args = ["eval", "s.toml", "--points", "pts/p.jsonl", "-o", "linked/p.jsonl"]
    line = one_error_line(capsys, main(args))
    assert "linked/p.jsonl: the output file (-o) is the points file (--points)" in line
    assert snapshot(job / "pts") == before


@pytest.mark.parametrize(
    ("spec", "args", "message"),
    [
        ("s.log", ["--pdf"], "s.log: LaTeX's log of a failed --pdf is the spec"),
        ("s.pdf", ["--pdf"], r"s.pdf: the PDF (--pdf) is the spec"),
        ("x.pdf", ["-o", "x.tex", "--pdf"], "x.pdf: the PDF (--pdf) is the spec"),
        ("x.log", ["-o", "x.tex", "--pdf"], "x.log: LaTeX's log of a failed --pdf is the spec"),
        ("s.toml", ["-o", "s.log", "--pdf"], "s.log: the LaTeX file (-o) and LaTeX's log"),
    ],
)
def test_the_pdf_and_its_log_never_replace_the_spec(spec, args, message, job, capsys):
    shutil.move(job / "s.toml", job / spec)
    before = snapshot(job)
    line = one_error_line(capsys, main(["derive", spec, *args]))
    assert message in line
    assert snapshot(job) == before


# -- a failing writer keeps the old file --------------------------------------------------------


def _full_disk(monkeypatch, *, when=lambda data: True):
    """``os.write`` writes a little, then fails with ENOSPC, for the data ``when`` selects."""
    real = os.write

    def write(fd, data):
        if not when(bytes(data[:8])):
            return real(fd, data)
        real(fd, bytes(data[:10]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("writer", [w for w in WRITERS if w != "regions --plot"])
def test_a_full_disk_keeps_the_old_output_whole(writer, job, capsys, monkeypatch):
    (job / "out.txt").write_text("old output\n")
    before = snapshot(job)
    _full_disk(monkeypatch)
    line = one_error_line(capsys, main(argv(writer, "out.txt")))
    assert line.startswith("symresnet: error: out.txt: ") and "No space left on device" in line
    assert snapshot(job) == before  # the old file, and no temporary file beside it


def test_a_full_disk_keeps_the_old_picture(job, capsys, monkeypatch):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed")
    (job / "out.png").write_bytes(b"old picture")
    before = snapshot(job)
    _full_disk(monkeypatch, when=lambda data: data.startswith(b"\x89PNG"))
    line = one_error_line(capsys, main(argv("regions --plot", "out.png")))
    assert "out.png" in line and "No space left on device" in line
    assert snapshot(job) == before


def _fake_compile(tex, **options):
    return latex.CompileResult(b"%PDF-1.5 new", "log", (), "pdflatex", 0.0)


def test_a_full_disk_keeps_the_old_pdf(job, capsys, monkeypatch):
    (job / "x.pdf").write_bytes(b"%PDF-1.5 old")
    monkeypatch.setattr(latex, "compile_pdf", _fake_compile)
    _full_disk(monkeypatch, when=lambda data: data.startswith(b"%PDF"))
    line = one_error_line(capsys, main(["derive", "s.toml", "-o", "x.tex", "--pdf"]))
    assert "x.pdf" in line and "No space left on device" in line
    assert (job / "x.pdf").read_bytes() == b"%PDF-1.5 old"
    assert sorted(p.name for p in job.iterdir()) == ["p.jsonl", "s.toml", "x.pdf", "x.tex"]


def test_a_failed_latex_run_leaves_only_the_tex_and_its_log(job, capsys, monkeypatch):
    def failing(tex, **options):
        raise CompileError("LaTeX failed: ! Emergency stop.", log="This is the log\n")

    monkeypatch.setattr(latex, "compile_pdf", failing)
    line = one_error_line(capsys, main(["derive", "s.toml", "-o", "x.tex", "--pdf"]))
    assert "(log: x.log)" in line
    assert (job / "x.log").read_text() == "This is the log\n"
    assert sorted(p.name for p in job.iterdir()) == ["p.jsonl", "s.toml", "x.log", "x.tex"]


@pytest.mark.skipif(latex.find_engine() is None, reason="no LaTeX engine installed")
def test_latex_by_products_stay_in_the_temporary_folder(job, capsys):
    assert main(["derive", "s.toml", "-o", "x.tex", "--pdf"]) == 0, capsys.readouterr().err
    assert sorted(p.name for p in job.iterdir()) == ["p.jsonl", "s.toml", "x.pdf", "x.tex"]
    assert (job / "x.pdf").read_bytes().startswith(b"%PDF")
