"""Spreading work: map_chunks in this process, in worker processes, on Dask; the progress line."""

from __future__ import annotations

import io
import os

import pytest

from symresnet.base.errors import InputError
from symresnet.compute.workers import Progress, map_chunks


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
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
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
