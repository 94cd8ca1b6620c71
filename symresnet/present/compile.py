"""PDF from LaTeX: pdflatex or latexmk, without shell escape, in a temporary folder, time-limited.

The engine runs with ``-no-shell-escape -interaction=nonstopmode -halt-on-error`` and with
``openin_any=p`` and ``openout_any=p`` (paranoid: no reading or writing outside its folder, no
dot files) in its environment, in a fresh temporary folder that is removed afterwards.  It is
killed (its whole process group) when it runs past the time limit.  Failures raise
:class:`~symresnet.base.errors.CompileError` carrying LaTeX's own error lines (``! ...`` and the
``l.NN ...`` line after it).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from symresnet.base.errors import CompileError
from symresnet.base.files import write_atomic

__all__ = ["ENGINES", "CompileResult", "compile_pdf", "find_engine", "latex_errors", "write_pdf"]

#: engines in the order ``"auto"`` tries them
ENGINES = ("latexmk", "pdflatex")
#: default time limit in seconds for one compilation
DEFAULT_TIMEOUT = 120.0
_JOB = "derivation"
_FLAGS = ("-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-recorder")


@dataclasses.dataclass(frozen=True)
class CompileResult:
    """A compiled PDF: its bytes, LaTeX's log, the files the engine read (from ``-recorder``),
    the engine used and the wall time in seconds."""

    pdf: bytes
    log: str
    files_read: tuple[str, ...]
    engine: str
    seconds: float


def find_engine(engine: str = "auto") -> tuple[str, str] | None:
    """``(name, path)`` of the LaTeX engine to use, or ``None`` if none is installed.

    ``engine`` is ``"auto"`` (latexmk, else pdflatex), ``"latexmk"`` or ``"pdflatex"``; latexmk
    needs pdflatex too.
    """
    if engine not in ("auto", *ENGINES):
        raise CompileError(f"unknown LaTeX engine {engine!r}: use auto, latexmk or pdflatex")
    if shutil.which("pdflatex") is None:
        return None
    for name in ENGINES if engine == "auto" else (engine,):
        path = shutil.which(name)
        if path is not None:
            return name, path
    return None


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        openin_any="p",
        openout_any="p",
        shell_escape="f",
        max_print_line="10000",  # one log line per message: easier to read back
        LC_ALL="C",
    )
    env.pop("TEXMFOUTPUT", None)
    return env


def latex_errors(log: str) -> tuple[str, ...]:
    """LaTeX's error lines from a log: each line starting with ``!`` and the ``l.NN`` line that
    follows it (where the error happened)."""
    lines = log.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if not line.startswith("!") or "==> Fatal error occurred" in line:
            continue
        out.append(line.rstrip())
        for follow in lines[i + 1 : i + 12]:
            if follow.startswith("!"):
                break
            if re.match(r"l\.\d+", follow):
                out.append(follow.rstrip())
                break
    return tuple(out)


def _run(cmd: list[str], cwd: str, deadline: float) -> int:
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, killed as a whole on timeout
    )
    try:
        return proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


def _commands(name: str, path: str) -> list[list[str]]:
    """The runs: latexmk once (it reruns pdflatex as needed), pdflatex up to three times."""
    if name == "latexmk":
        return [[path, "-norc", "-pdf", "-silent", *_FLAGS, f"{_JOB}.tex"]]
    return [[path, *_FLAGS, f"{_JOB}.tex"]] * 3


def _needs_rerun(log: str) -> bool:
    return "Rerun to get" in log or "There were undefined references" in log


def compile_pdf(
    tex: str, *, engine: str = "auto", timeout: float = DEFAULT_TIMEOUT
) -> CompileResult:
    """Compile a complete LaTeX document to PDF.

    Raises :class:`~symresnet.base.errors.CompileError` when no engine is installed, when LaTeX stops
    with an error (the message carries its error lines, ``err.log`` the whole log) or when it
    runs longer than ``timeout`` seconds.
    """
    found = find_engine(engine)
    if found is None:
        raise CompileError(
            "no LaTeX engine found (pdflatex, latexmk): install texlive-latex-base, "
            "texlive-latex-recommended and latexmk, or write the .tex file only"
        )
    name, path = found
    start = time.monotonic()
    deadline = start + timeout
    with tempfile.TemporaryDirectory(prefix="symresnet-latex-") as tmp:
        folder = Path(tmp)
        (folder / f"{_JOB}.tex").write_text(tex, encoding="utf-8")
        log = ""
        for cmd in _commands(name, path):
            try:
                code = _run(cmd, tmp, deadline)
            except subprocess.TimeoutExpired:
                raise CompileError(f"LaTeX ({name}) did not finish within {timeout:g} s") from None
            log_file = folder / f"{_JOB}.log"
            log = (
                log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
            )
            if code != 0:
                errors = latex_errors(log) or (f"{name} exited with status {code}",)
                raise CompileError("LaTeX failed: " + " ".join(errors), errors=errors, log=log)
            if name == "pdflatex" and not _needs_rerun(log):
                break
        pdf_file = folder / f"{_JOB}.pdf"
        if not pdf_file.exists():
            raise CompileError(f"LaTeX ({name}) wrote no PDF", log=log)
        fls = folder / f"{_JOB}.fls"
        read: tuple[str, ...] = ()
        if fls.exists():
            entries = fls.read_text(encoding="utf-8", errors="replace").splitlines()
            read = tuple(dict.fromkeys(line[6:] for line in entries if line.startswith("INPUT ")))
        return CompileResult(pdf_file.read_bytes(), log, read, name, time.monotonic() - start)


def write_pdf(
    tex: str,
    path: str | os.PathLike[str],
    *,
    engine: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
) -> CompileResult:
    """Compile ``tex`` and write the PDF to ``path`` atomically.

    When LaTeX fails, its log is written next to ``path`` (``FILE.log``) and the
    :class:`~symresnet.base.errors.CompileError` names it.
    """
    target = Path(path)
    try:
        result = compile_pdf(tex, engine=engine, timeout=timeout)
    except CompileError as err:
        if err.log:
            log_path = target.with_suffix(".log")
            write_atomic(log_path, err.log)
            raise CompileError(
                f"{err} (log: {log_path})", errors=err.errors, log=err.log, log_path=log_path
            ) from None
        raise
    write_atomic(target, result.pdf)
    return result
