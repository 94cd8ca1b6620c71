"""PDF from LaTeX: pdflatex or latexmk, without shell escape, in a temporary folder, time-limited.

The engine runs with ``-no-shell-escape -interaction=nonstopmode -halt-on-error`` and with
``openin_any=p`` and ``openout_any=p`` (paranoid: no reading or writing outside its folder, no
dot files) and ``parse_first_line=f`` (a ``%&`` first line chooses nothing) in its environment,
in a fresh temporary folder that is removed afterwards.  It is killed (its whole process group)
when it runs past the time limit.  Failures raise :class:`~symresnet.base.errors.CompileError`
carrying LaTeX's own error lines (``! ...`` and the ``l.NN ...`` line after it).

kpathsea's paranoid mode covers ``\\input``, ``\\openin``, ``\\openout`` and images, but not every
pdfTeX primitive: ``\\pdfobj file {/abs/path}``, ``\\pdfmapfile`` and ``\\pdfmapline`` open any
path.  So on Linux the engine also runs under Landlock (the kernel's unprivileged file-system
sandbox, called through ``ctypes``; no extra dependency): it may read only the TeX installation
(the trees kpathsea names), the system's program folders and ``/dev/null``, and read and write
only its temporary folder and kpathsea's font cache (``VARTEXFONTS``, where ``mktexpk``
stores the bitmap fonts it makes).
Where Landlock is not available (another system, an old kernel, a TeX installation that does not
start confined), the engine runs without it, and only kpathsea and the scan of
:mod:`symresnet.present.templates` stand between a template and the file system.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from symresnet.base.errors import CompileError
from symresnet.base.files import write_atomic

__all__ = [
    "ENGINES",
    "CompileResult",
    "compile_pdf",
    "confined",
    "find_engine",
    "latex_errors",
    "write_pdf",
]

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
        parse_first_line="f",  # a first line "%&fmt -translate-file=..." chooses nothing
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


# -- Landlock: the engine may read the TeX installation and write only its folder --------------

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446  # every Linux but alpha
_PR_SET_NO_NEW_PRIVS = 38
_RULE_PATH_BENEATH = 1
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
#: the rights an open file (not a folder) can be given: execute, write, read, truncate, ioctl
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | (1 << 14) | (1 << 15)
#: the rights a Landlock ABI version handles (v1: 13 rights; v2 refer, v3 truncate, v5 ioctl)
_ABI_RIGHTS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
_ALL_RIGHTS = (1 << 16) - 1
#: what the engine (and latexmk's perl) read and run besides the TeX trees
_SYSTEM_PATHS = (
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/bin",
    "/sbin",
    "/etc/texmf",
    "/etc/perl",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
)
#: the kpathsea variables whose folders the engine reads
_TEX_TREES = "$TEXMF:$TEXMFCNF:$TEXMFDBS:$VARTEXFONTS:$TEXMFSYSVAR:$TEXMFVAR:$TEXMFHOME"


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@functools.lru_cache(maxsize=1)
def _landlock() -> tuple[ctypes.CDLL, int] | None:
    """libc and the kernel's Landlock ABI version, or ``None`` where there is no Landlock."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        version = libc.syscall(
            ctypes.c_long(_SYS_CREATE_RULESET), None, ctypes.c_size_t(0), ctypes.c_uint32(1)
        )
        abi = int(version)
    except (OSError, AttributeError):
        return None
    return (libc, abi) if abi >= 1 else None


def _tex_folders(env: dict[str, str]) -> list[str]:
    """The folders kpathsea reads: the TeX trees and the ``TEXINPUTS`` search path."""
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        return []
    out: list[str] = []
    for arg in (f"--expand-path={_TEX_TREES}", "--show-path=tex"):
        try:
            done = subprocess.run(
                [kpsewhich, arg], env=env, capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            continue
        for entry in done.stdout.strip().split(os.pathsep):
            folder = entry.lstrip("!").rstrip("/")
            if os.path.isabs(folder):
                out.append(folder)
    return out


def _add_rule(libc: ctypes.CDLL, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # not on this system
    try:
        if not os.path.isdir(path):
            rights &= _FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        libc.syscall(
            ctypes.c_long(_SYS_ADD_RULE),
            ctypes.c_int(ruleset),
            ctypes.c_int(_RULE_PATH_BENEATH),
            ctypes.byref(rule),
            ctypes.c_uint32(0),
        )
    finally:
        os.close(fd)


def _ruleset(folder: str, engine: str, env: dict[str, str]) -> int | None:
    """A Landlock ruleset (a file descriptor) for a run in ``folder``: read and run the system's
    programs, read the TeX trees, read and write ``folder`` and ``/dev/null``."""
    found = _landlock()
    if found is None:
        return None
    libc, abi = found
    handled = _ABI_RIGHTS.get(abi, _ALL_RIGHTS)
    attr = _RulesetAttr(handled)
    ruleset = int(
        libc.syscall(
            ctypes.c_long(_SYS_CREATE_RULESET),
            ctypes.byref(attr),
            ctypes.c_size_t(ctypes.sizeof(attr)),
            ctypes.c_uint32(0),
        )
    )
    if ruleset < 0:
        return None
    read = _EXECUTE | _READ_FILE | _READ_DIR
    engine_home = str(Path(os.path.realpath(engine)).parent.parent)
    for path in (*_SYSTEM_PATHS, engine_home, *_tex_folders(env)):
        _add_rule(libc, ruleset, path, read & handled)
    for path in (folder, os.devnull, *_font_caches(env)):
        _add_rule(libc, ruleset, path, handled)
    return ruleset


def _font_caches(env: dict[str, str]) -> list[str]:
    """The folders where kpathsea's ``mktexpk`` stores the bitmap fonts it makes
    (``VARTEXFONTS``, usually ``/tmp/texfonts``; ``TEXMFVAR``): a document using a font that
    has no outline (``tcti1095`` for ``\\textasciitilde`` without cm-super) makes one there."""
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        return []
    out = []
    for var in ("VARTEXFONTS", "TEXMFVAR"):
        try:
            done = subprocess.run(
                [kpsewhich, f"-var-value={var}"],
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        folder = done.stdout.strip()
        if os.path.isabs(folder):
            with contextlib.suppress(OSError):
                os.makedirs(folder, exist_ok=True)
                out.append(folder)
    return out


def _restrict(ruleset: int) -> Callable[[], None]:
    """The ``preexec_fn`` that confines the child to ``ruleset`` before it runs the engine."""
    found = _landlock()
    assert found is not None  # _ruleset made one
    libc = found[0]

    def restrict() -> None:
        zero = ctypes.c_ulong(0)
        if libc.prctl(ctypes.c_int(_PR_SET_NO_NEW_PRIVS), ctypes.c_ulong(1), zero, zero, zero):
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        restricted = libc.syscall(
            ctypes.c_long(_SYS_RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)
        )
        if restricted:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")

    return restrict


#: the engine's standard error, kept in its folder: pdfTeX reports refused files only there
_STDERR = "engine.stderr"


def _run(cmd: list[str], cwd: str, deadline: float, *, confine: bool) -> int:
    env = _environment()
    if confine:
        env["TMPDIR"] = cwd  # mktexpk's scratch folder (/tmp itself is not writable)
    ruleset = _ruleset(cwd, cmd[0], env) if confine else None
    try:
        with open(Path(cwd) / _STDERR, "ab") as stderr:
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own process group, killed as a whole on timeout
                preexec_fn=None if ruleset is None else _restrict(ruleset),
            )
    finally:
        if ruleset is not None:
            os.close(ruleset)
    try:
        return proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


_PROBE = "\\documentclass{article}\\usepackage{amsmath}\\begin{document}x\\end{document}\n"


@functools.lru_cache(maxsize=4)
def _confinement_works(name: str, path: str) -> bool:
    """Whether the engine compiles a small document under Landlock (checked once a process)."""
    if _landlock() is None:
        return False
    with tempfile.TemporaryDirectory(prefix="symresnet-latex-") as tmp:
        (Path(tmp) / f"{_JOB}.tex").write_text(_PROBE, encoding="utf-8")
        try:
            for cmd in _commands(name, path)[:1]:
                if _run(cmd, tmp, time.monotonic() + 60, confine=True) != 0:
                    return False
        except (OSError, subprocess.SubprocessError):
            return False
        return (Path(tmp) / f"{_JOB}.pdf").exists()


def confined(engine: str = "auto") -> bool:
    """Whether :func:`compile_pdf` runs ``engine`` under Landlock on this machine (Linux 5.13
    or later, and a TeX installation that starts with only its own trees readable)."""
    found = find_engine(engine)
    return found is not None and _confinement_works(*found)


def _commands(name: str, path: str) -> list[list[str]]:
    """The runs: latexmk once (it reruns pdflatex as needed), pdflatex up to three times."""
    if name == "latexmk":
        return [[path, "-norc", "-pdf", "-silent", *_FLAGS, f"{_JOB}.tex"]]
    return [[path, *_FLAGS, f"{_JOB}.tex"]] * 3


def _refusals(stderr: Path) -> tuple[str, ...]:
    """The engine's own complaints about files it may not open (``pdflatex: /etc/passwd:
    Permission denied``), which pdfTeX writes to standard error only."""
    text = stderr.read_text(encoding="utf-8", errors="replace") if stderr.exists() else ""
    found = [line.strip() for line in text.splitlines() if "Permission denied" in line]
    return tuple(dict.fromkeys(found))[-3:]


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
    confine = _confinement_works(name, path)
    start = time.monotonic()
    deadline = start + timeout
    with tempfile.TemporaryDirectory(prefix="symresnet-latex-") as tmp:
        folder = Path(tmp)
        (folder / f"{_JOB}.tex").write_text(tex, encoding="utf-8")
        log = ""
        for cmd in _commands(name, path):
            try:
                code = _run(cmd, tmp, deadline, confine=confine)
            except subprocess.TimeoutExpired:
                raise CompileError(f"LaTeX ({name}) did not finish within {timeout:g} s") from None
            log_file = folder / f"{_JOB}.log"
            log = (
                log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
            )
            if code != 0:
                errors = (
                    latex_errors(log)
                    or _refusals(folder / _STDERR)
                    or (f"{name} exited with status {code}",)
                )
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
