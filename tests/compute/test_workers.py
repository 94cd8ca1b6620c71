"""Spreading work: map_chunks in this process, in worker processes, on Dask; the progress line."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import socket
import struct
import threading
import time

import pytest

from symresnet.base.errors import InputError
from symresnet.compute import workers
from symresnet.compute.workers import Progress, check_workers, map_chunks, processes


def _pid(shared, chunk):
    return (os.getpid(), shared + sum(chunk))


def test_map_chunks_stays_in_process_below_the_threshold():
    out = map_chunks(_pid, 10, [[1], [2, 3]], work=1.0)
    assert out == [(os.getpid(), 11), (os.getpid(), 15)]


def test_map_chunks_uses_processes_when_asked():
    out = map_chunks(_pid, 10, [[1], [2], [3], [4]], workers=2)
    assert [v for _, v in out] == [11, 12, 13, 14]
    assert all(pid != os.getpid() for pid, _ in out)


def test_unreachable_scheduler_is_an_input_error(monkeypatch):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    monkeypatch.setattr("symresnet.compute.workers.DASK_TIMEOUT", 0.5)
    with pytest.raises(
        InputError, match=r"could not talk to the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        map_chunks(_pid, 0, [[1]], scheduler="tcp://127.0.0.1:9")


def test_progress_line():
    stream = io.StringIO()
    bar = Progress(10, enabled=True, stream=stream)
    bar.advance(3)
    bar.close()
    assert "symresnet: 3/10 points [" in stream.getvalue()
    assert stream.getvalue().endswith("\n")
    quiet = io.StringIO()
    bar = Progress(10, stream=quiet)  # not a terminal, not asked for
    bar.advance(10)
    bar.close()
    assert quiet.getvalue() == ""


def test_progress_line_without_a_total():
    stream = io.StringIO()
    bar = Progress(None, enabled=True, stream=stream)
    bar.advance(5)
    bar.advance(7)
    bar.close()
    assert "symresnet: 12 points " in stream.getvalue() and "/" not in stream.getvalue()


# -- how many workers ------------------------------------------------------------------------


def test_workers_are_capped_at_the_cores(monkeypatch):
    monkeypatch.setattr(workers, "cores", lambda: 3)
    assert processes(0.0, workers=1000) == 3
    assert processes(0.0, workers=2) == 2
    assert processes(0.0, workers=None) == 1  # small work stays in this process


def test_a_thousand_workers_start_no_more_processes_than_cores():
    out = map_chunks(_pid, 0, [[i] for i in range(40)], workers=1000)
    assert [v for _, v in out] == list(range(40))
    assert len({pid for pid, _ in out}) <= len(os.sched_getaffinity(0))


@pytest.mark.parametrize("bad", [0, -1, -(10**30), 10_001, 10**30, True, 2.5, "3"])
def test_check_workers_refuses_what_is_no_number_of_processes(bad):
    with pytest.raises(InputError, match="--workers"):
        check_workers(bad)


def test_check_workers_accepts_more_than_the_cores():
    assert check_workers(None) is None
    assert check_workers(1) == 1
    assert check_workers(10_000) == 10_000  # accepted, capped later


# -- stopping a pool at once -----------------------------------------------------------------


def _sleep(shared, chunk):
    time.sleep(shared)
    return chunk


class _Alarm(Exception):
    pass


def _raise_alarm(signum, frame):
    raise _Alarm


def test_an_exception_while_waiting_kills_the_pool_at_once():
    """The time limit raises in the main thread while map_chunks waits: the workers (each
    sleeping 30 s) must be killed, not waited for."""
    previous = signal.signal(signal.SIGALRM, _raise_alarm)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    start = time.monotonic()
    try:
        with pytest.raises(_Alarm):
            map_chunks(_sleep, 30.0, [[1], [2], [3], [4]], workers=2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - start < 6.0
    time.sleep(0.2)
    assert multiprocessing.active_children() == []


# -- a fake Dask scheduler -------------------------------------------------------------------


class _FakeScheduler:
    """A TCP server on 127.0.0.1 that sends ``payload`` to whoever connects."""

    def __init__(self, payload: bytes):
        self.payload = payload
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            try:
                conn.sendall(self.payload)
                time.sleep(0.5)
            except OSError:
                pass
            finally:
                conn.close()

    def close(self):
        self.server.close()


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (b"\xde\xad\xbe\xef" * 256, "announced a first message of 17275436393656397278 bytes"),
        (struct.pack("<Q", 2**62) + b"x" * 64, "announced a first message of 4611686018427387904"),
        (struct.pack("<Q", 64) + b"\xc1" * 64, "could not talk"),  # a small frame of garbage
        (b"", "closed the connection without a handshake"),
    ],
    ids=["garbage", "huge-header", "garbage-frame", "closed"],
)
def test_a_peer_that_is_no_scheduler_is_an_input_error(payload, detail, monkeypatch):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    monkeypatch.setattr(workers, "DASK_TIMEOUT", 3.0)
    fake = _FakeScheduler(payload)
    start = time.monotonic()
    try:
        with pytest.raises(InputError) as info:
            map_chunks(_pid, 0, [[1]], scheduler=fake.address)
    finally:
        fake.close()
    message = str(info.value)
    assert message.startswith(
        f"--scheduler: could not talk to the Dask scheduler at {fake.address}: "
    )
    assert message.endswith("; check the address")
    assert detail in message
    assert time.monotonic() - start < 10.0


def test_a_silent_peer_times_out(monkeypatch):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    monkeypatch.setattr(workers, "DASK_TIMEOUT", 1.0)
    server = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never answers
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    start = time.monotonic()
    try:
        with pytest.raises(InputError, match=r"no handshake within 1 s; check the address"):
            map_chunks(_pid, 0, [[1]], scheduler=address)
    finally:
        server.close()
    assert time.monotonic() - start < 5.0


@pytest.mark.parametrize("address", ["foo", "tcp://127.0.0.1", "nope://x:1", 8786])
def test_a_malformed_address_is_an_input_error(address):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    with pytest.raises(InputError, match="not a Dask scheduler address"):
        map_chunks(_pid, 0, [[1]], scheduler=address)
