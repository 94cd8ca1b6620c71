"""Run the command line as a user would, in a subprocess under a memory cap (docs/security.md).

``run_cli(args, cwd=...)`` starts ``python -m symresnet ARGS`` in ``cwd`` with the address space
capped (``resource.setrlimit(RLIMIT_AS)``), so that a ``MemoryError`` or a crash shows up as a
failure instead of swapping the machine.  ``assert_clean_error`` is what every hostile input must
give: exit 2, nothing on stdout, exactly one line on stderr that starts with ``symresnet: error:``
and matches a pattern, no traceback.

The declarative cases in ``tests/hostile_runs/*.toml`` (run by ``tests/test_hostile_runs.py``)
use the same two functions; a case that needs a generated file (a bomb) is a Python test that
calls them.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: default address-space cap of one run, in MiB (Python + sympy + numpy need about 600)
MEMORY_MB = 2500
#: default seconds one run may take before the test fails
TIMEOUT = 60.0


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def _cap(megabytes: int):
    def limit() -> None:
        size = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return limit


def run_cli(
    args: list[str],
    *,
    cwd: Path,
    memory_mb: int = MEMORY_MB,
    timeout: float = TIMEOUT,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """``python -m symresnet *args`` in ``cwd``, capped at ``memory_mb`` MiB and ``timeout`` s."""
    full_env = {**os.environ, "PYTHONHASHSEED": "0", **(env or {})}
    full_env.pop("COLUMNS", None)
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "symresnet", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        preexec_fn=_cap(memory_mb),
        env=full_env,
        check=False,
    )
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        time.monotonic() - start,
    )


def assert_clean_error(run: Run, pattern: str, *, code: int = 2) -> str:
    """Exit ``code``, no stdout, one ``symresnet: error:`` line on stderr matching ``pattern``."""
    detail = f"exit {run.returncode}, stderr: {run.stderr[-2000:]!r}"
    assert "Traceback" not in run.stderr, detail
    assert "MemoryError" not in run.stderr, detail
    assert "internal error" not in run.stderr, detail
    assert run.returncode == code, detail
    assert run.stdout == "", f"stdout: {run.stdout[:500]!r}"
    assert run.stderr.endswith("\n") and run.stderr.count("\n") == 1, detail
    line = run.stderr.rstrip("\n")
    assert line.startswith("symresnet: error: "), detail
    assert re.search(pattern, line), f"{pattern!r} not in {line!r}"
    return line
