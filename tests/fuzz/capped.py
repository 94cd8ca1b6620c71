"""Run a function in a forked child with its address space and time capped.

The fuzz tests call the command line's ``main`` thousands of times; a subprocess per call
would cost a second each, a fork costs milliseconds (every module is already imported).  The
child caps its address space at its current size plus ``memory_mb`` MiB
(``resource.setrlimit(RLIMIT_AS)``), so a ``MemoryError`` that symresnet does not turn into a
clear message shows up as exit 3 or a crash, and the parent kills it after ``timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
import resource
import signal
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

#: the one line of exit 2
USAGE = re.compile(r"symresnet( [a-z]+)?: ")
#: headroom of the child's address space over the parent's, in MiB
MEMORY_MB = 1024


@dataclass(frozen=True)
class Outcome:
    code: int | None  # None: killed (timeout) or crashed without reporting
    stdout: str
    stderr: str
    seconds: float
    killed: str = ""


def _virtual_size() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def capped(fn: Callable[[], int], *, memory_mb: int = MEMORY_MB, timeout: float = 20.0) -> Outcome:
    """``fn()`` (an exit status) in a forked child under the caps; its stdout and stderr."""
    read, write = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        code, out, err = 3, io.StringIO(), io.StringIO()
        try:
            size = _virtual_size() + memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
            with redirect_stdout(out), redirect_stderr(err):
                code = fn()
        except BaseException as exc:  # reported to the parent as a failure
            err.write(f"\nchild raised {type(exc).__name__}: {exc}\n")
            code = 99
        try:
            data = pickle.dumps((code, out.getvalue()[-20000:], err.getvalue()[-20000:]))
            with os.fdopen(write, "wb") as f:
                f.write(data)
        finally:
            os._exit(0)
    os.close(write)
    chunks: list[bytes] = []
    killed = ""
    os.set_blocking(read, False)
    while True:
        try:
            chunk = os.read(read, 1 << 16)
            if chunk == b"":
                break
            chunks.append(chunk)
            continue
        except BlockingIOError:
            pass
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done:
            try:
                while chunk := os.read(read, 1 << 16):
                    chunks.append(chunk)
            except BlockingIOError:
                pass
            break
        if time.monotonic() - start > timeout:
            os.kill(pid, signal.SIGKILL)
            killed = f"killed after {timeout} s"
            break
        time.sleep(0.002)
    os.close(read)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    seconds = time.monotonic() - start
    if not chunks:
        return Outcome(None, "", "", seconds, killed or "the child died without a report")
    code, out, err = pickle.loads(b"".join(chunks))
    return Outcome(code, out, err, seconds, killed)


def assert_result_or_clean_error(o: Outcome, what: str) -> None:
    """A result (exit 0 or 1) or one ``symresnet: error:`` line with exit 2; nothing else."""
    detail = f"{what}: exit {o.code} {o.killed} stderr={o.stderr[-1500:]!r}"
    assert o.code in (0, 1, 2), detail
    assert "Traceback" not in o.stderr and "internal error" not in o.stderr, detail
    if o.code == 2:
        # an input error ("symresnet: error: FILE: ...") or a usage error of the option parser
        # ("symresnet eval: argument --at: ..."): one line either way
        lines = o.stderr.splitlines()
        errors = [line for line in lines if USAGE.match(line)]
        assert len(errors) == 1 and lines[-1] == errors[0], detail


if __name__ == "__main__":  # pragma: no cover (a manual check of the caps)
    print(capped(lambda: len(bytearray(10**10)), memory_mb=100), file=sys.stderr)
