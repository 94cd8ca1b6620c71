"""Processes on the command line, run as a user would (tests/hostile_run.py): worker counts,
the time limit and Ctrl-C with worker processes, study grids, Dask schedulers that are not,
progress lines, and the memory of a long points file."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hostile_run import assert_clean_error, run_cli

from symresnet.cli import common
from symresnet.cli.main import main
from symresnet.examples import example_path

STUDY_V = str(Path(__file__).parents[2] / "symresnet" / "examples" / "study-1.5.6-v.toml")
EXAMPLE = str(example_path("example-1.5.6"))


def _slow_job(folder: Path, points: int = 12_000) -> tuple[Path, Path]:
    """A RePU_2 network 1-24-...-24-1 (11 hidden layers) and ``points`` rational inputs: the
    exact values double their bits per layer, so this is some 30 s of work on one core, in one
    block of ``eval --points``, spread over worker processes.  The spec is small and quick to
    read, so the workers are busy well before a limit of a few seconds."""
    rng = random.Random(3)
    dims = [1] + [24] * 11 + [1]

    def q() -> str:
        return f"{rng.randint(-3, 3)}/{rng.randint(1, 3)}"

    layers = [
        {
            "W": [[q() for _ in range(dims[k - 1])] for _ in range(dims[k])],
            "B": [q() for _ in range(dims[k])],
        }
        for k in range(1, len(dims))
    ]
    spec = folder / "slow.json"
    spec.write_text(
        json.dumps({"activation": {"name": "repu", "p": 2}, "dims": dims, "layers": layers})
    )
    pts = folder / "many.csv"
    pts.write_text(
        "".join(f"{rng.randint(-999, 999)}/{rng.randint(1, 97)}\n" for _ in range(points))
    )
    return spec, pts


# -- workers -----------------------------------------------------------------------------------


def test_a_thousand_workers_are_capped_at_the_cores(tmp_path):
    pts = tmp_path / "p.csv"
    pts.write_text("".join(f"{i}/7\n" for i in range(-300, 300)))
    one = run_cli(["eval", EXAMPLE, "--points", str(pts), "--workers", "1"], cwd=tmp_path)
    many = run_cli(["eval", EXAMPLE, "--points", str(pts), "--workers", "1000"], cwd=tmp_path)
    assert (one.returncode, many.returncode) == (0, 0)
    assert many.stdout == one.stdout and many.stderr == ""  # capped silently, same rows
    assert many.seconds < one.seconds + 10  # 1,001 processes took over a minute


@pytest.mark.parametrize("value", ["-1", "0", "10001", "1" + "0" * 40])
def test_workers_out_of_range_is_exit_2(tmp_path, value):
    pts = tmp_path / "p.csv"
    pts.write_text("1\n")
    run = run_cli(["eval", EXAMPLE, "--points", str(pts), "--workers", value], cwd=tmp_path)
    assert_clean_error(run, r"--workers: must be between 1 and 10000 processes")


def test_the_time_limit_kills_the_workers_at_once(tmp_path):
    spec, pts = _slow_job(tmp_path)
    limit = 3
    run = run_cli(
        ["--time-limit", str(limit), "eval", str(spec), "--points", str(pts), "--workers", "2"],
        cwd=tmp_path,
        timeout=120,
    )
    assert_clean_error(run, rf"gave up after {limit} seconds \(--time-limit\)")
    # start-up (~1 s) + the limit + killing; waiting for the workers took 15 s and more
    assert run.seconds < limit + 3.5, run.seconds


def test_ctrl_c_kills_the_workers_at_once(tmp_path):
    spec, pts = _slow_job(tmp_path)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "symresnet",
            "eval",
            str(spec),
            "--points",
            str(pts),
            "--workers",
            "2",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        time.sleep(3.0)  # the spec is read and the workers are busy
        assert proc.poll() is None
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole group
        _, err = proc.communicate(timeout=60)
        waited = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert err.decode() == "symresnet: interrupted\n"  # no traceback from the workers
    assert waited < 2.0, waited
    time.sleep(0.3)
    with pytest.raises(ProcessLookupError):  # no worker left behind
        os.killpg(proc.pid, 0)


# -- study grids -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--param", "v=-3..3", "--steps", "1000000"],
            r"--steps: 1000000 steps over 1 swept parameter make more than 200000 grid points \(Limits\.max_grid_points\)",
        ),
        (["--param", "v=-3..3", "--steps", "9" * 30], r"--steps: more than 2\^64 steps"),
    ],
)
def test_a_huge_grid_is_refused_before_it_is_built(tmp_path, args, message):
    run = run_cli(["study", STUDY_V, *args], cwd=tmp_path, timeout=60)
    assert_clean_error(run, message)
    assert run.seconds < 6.0, run.seconds  # building the grid took 7-36 s


# -- Dask schedulers that are not ---------------------------------------------------------------


def _serve(server: socket.socket, payload: bytes) -> None:
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        try:
            conn.sendall(payload)
            time.sleep(0.5)
        except OSError:
            pass
        finally:
            conn.close()


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (b"\xde\xad\xbe\xef" * 1000, "it announced a first message of 17275436393656397278 bytes"),
        (struct.pack("<Q", 2**62), "it announced a first message of 4611686018427387904 bytes"),
        (struct.pack("<Q", 64) + b"\xc1" * 64, ""),
    ],
    ids=["garbage", "huge-header", "garbage-frame"],
)
def test_a_fake_scheduler_is_exit_2_naming_the_address(tmp_path, payload, detail):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    server = socket.create_server(("127.0.0.1", 0))
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    threading.Thread(target=_serve, args=(server, payload), daemon=True).start()
    pts = tmp_path / "p.csv"
    pts.write_text("1\n2\n")
    try:
        run = run_cli(["eval", EXAMPLE, "--points", str(pts), "--scheduler", address], cwd=tmp_path)
    finally:
        server.close()
    line = assert_clean_error(
        run,
        rf"--scheduler: could not talk to the Dask scheduler at {address}: .*; check the address$",
    )
    assert detail in line
    assert run.seconds < 15


# -- progress ----------------------------------------------------------------------------------


class _Terminal:
    """A stderr that says it is a terminal."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def _regions(capsys, *extra: str) -> str:
    code = main(["regions", EXAMPLE, "--box", "-5..5", *extra])
    assert code == 0
    return capsys.readouterr().err


def test_regions_progress_only_when_asked_or_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(common, "PROGRESS_AFTER", -1.0)  # as if the run were slow
    assert _regions(capsys) == ""  # stderr is not a terminal here (captured)
    assert "symresnet: " in _regions(capsys, "--progress")
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    main(["regions", EXAMPLE, "--box", "-5..5"])
    assert "symresnet: " in terminal.text


# -- memory of a long points file ---------------------------------------------------------------

_PEAK = """
import resource, sys
from symresnet.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def _peak_kb(tmp_path: Path, lines: int) -> int:
    rng = random.Random(lines)
    pts = tmp_path / f"p{lines}.jsonl"
    pts.write_text("".join(f"[{rng.randint(-1000, 1000)}]\n" for _ in range(lines)))
    out = tmp_path / f"out{lines}.jsonl"
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, "eval", EXAMPLE, "--points", str(pts), "-o", str(out)],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-500:]
    assert sum(1 for _ in out.open()) == lines
    return int(proc.stderr.split()[-1])


def test_memory_stays_flat_for_a_long_points_file(tmp_path):
    """Read whole, 10^5 lines peaked at 135 MB and 10^6 at 515 MB (about 42 MB per 10^5
    lines); streamed in blocks the peak no longer grows with the file."""
    small = _peak_kb(tmp_path, 60_000)
    large = _peak_kb(tmp_path, 400_000)
    assert large - small < 30_000, (small, large)  # KiB; reading whole would add ~140 MB
