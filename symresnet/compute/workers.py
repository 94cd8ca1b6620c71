"""Spreading work: :func:`map_chunks` over this process, idle cores or a Dask cluster.

The batches of :mod:`symresnet.compute.batch` evaluate the realization ``R^R_a(Phi, V)`` of
Def. 1.5.4 at many points (or under many parameter values) in chunks; this module runs the
chunks.  Small jobs stay in this process; when the estimated work (:func:`work`) exceeds
:data:`PARALLEL_WORK` they go over the idle cores of this machine
(``concurrent.futures.ProcessPoolExecutor``; docs/design.md: "parallel workers start only above
a work threshold"); given a scheduler address they go over a Dask cluster
(``pip install "symresnet[dask]"``).  A progress line (:class:`Progress`) goes to stderr when
asked for, or on a terminal once a run takes longer than a second.

Worker processes are never more than the cores this process may use (:func:`cores`): asking
for more is silently capped, since more processes than cores only cost memory and start-up
time for CPU-bound work.  When the caller is interrupted (Ctrl-C, or the ``--time-limit``
alarm raising in the main thread) the pool is killed at once, not waited for.

A Dask cluster is **trusted**: Dask sends results as pickles, and unpickling runs code, so a
rogue worker or scheduler can run code in this process.  What is guarded is a wrong address:
before handing a ``tcp://`` address to Dask, :func:`_probe_scheduler` reads the first frame
header of the scheduler's handshake and refuses a peer that sends garbage or announces a huge
message (Dask would allocate it), and every connection or protocol error of the client ends
in an :class:`~symresnet.base.errors.InputError` naming the address.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TextIO

from symresnet.base.errors import InputError, shown
from symresnet.model.network import ResNet

__all__ = [
    "DASK_TIMEOUT",
    "MAX_WORKERS",
    "PARALLEL_WORK",
    "Progress",
    "check_workers",
    "cores",
    "default_workers",
    "map_chunks",
    "processes",
    "work",
]

#: estimated work (multiply-adds times layer depth, see :func:`work`) above which a batch is
#: spread over processes: about 0.2 s on one core here, where a fresh worker process costs
#: some 50 ms of CPU (fork, then page faults while its allocator warms up)
PARALLEL_WORK = 120_000_000
#: seconds to wait for a Dask scheduler to answer
DASK_TIMEOUT = 10.0
#: the largest ``workers`` accepted at all (a larger one is a typo); values above
#: :func:`cores` are accepted and capped
MAX_WORKERS = 10_000
#: bytes a Dask scheduler's handshake may announce in its first frame header (a real one
#: sends a few hundred)
MAX_HANDSHAKE_BYTES = 1 << 20


# -- progress ------------------------------------------------------------------------------------


class Progress:
    """A dependency-free progress line on stderr: ``symresnet: 512/1000 points [####    ] 2s``
    (``symresnet: 512 points 2.0s`` when the ``total`` is not known, as for a stream).

    ``enabled=True`` always shows it; ``None`` shows it on a terminal once a run has taken
    longer than ``delay`` seconds; ``False`` never.
    """

    def __init__(
        self,
        total: int | None,
        *,
        enabled: bool | None = None,
        unit: str = "points",
        stream: TextIO | None = None,
        delay: float = 1.0,
    ):
        self.total, self.unit, self.done = total, unit, 0
        self.stream = stream if stream is not None else sys.stderr
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled if enabled is not None else tty
        self.delay = 0.0 if enabled else delay
        self.start = time.monotonic()
        self.shown = False

    def advance(self, count: int) -> None:
        self.done += count
        elapsed = time.monotonic() - self.start
        if not self.enabled or elapsed < self.delay:
            return
        if self.total is None:
            line = f"{self.done} {self.unit}"
        else:
            width = 24
            filled = width * self.done // max(self.total, 1)
            bar = "#" * filled + " " * (width - filled)
            line = f"{self.done}/{self.total} {self.unit} [{bar}]"
        self.stream.write(f"\rsymresnet: {line} {elapsed:.1f}s")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


# -- spreading work ------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}  # per worker process: the shared argument (set by _init_worker)


def _init_worker(shared: Any) -> None:
    # Ctrl-C reaches the whole process group: the parent handles it (it kills the pool), so a
    # worker must not print a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["shared"] = shared


def _call_in_worker(func: Callable[[Any, Any], Any], chunk: Any) -> Any:
    return func(_WORKER["shared"], chunk)


def cores() -> int:
    """The cores this process may run on (its CPU affinity), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """The cores this process may use that other work leaves idle (by the one-minute load
    average, which counts this process too), at least one."""
    try:
        others = max(0, round(os.getloadavg()[0]) - 1)
    except OSError:  # pragma: no cover - no load average
        others = 0
    return max(1, cores() - others)


def check_workers(workers: int | None, *, place: str = "--workers") -> int | None:
    """``workers`` as given by a user: ``None`` (choose by the work) or ``1`` to
    :data:`MAX_WORKERS`; anything else is an :class:`InputError` naming ``place``.  Values
    above :func:`cores` are accepted (and capped by :func:`processes`)."""
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise InputError(f"expected a whole number of processes, got {workers!r}", place=place)
    if not 1 <= workers <= MAX_WORKERS:
        shown = str(workers) if workers.bit_length() < 64 else "a number that large"
        raise InputError(
            f"must be between 1 and {MAX_WORKERS} processes, got {shown}",
            place=place,
            hint=f"this machine has {cores()} cores; more workers than cores are capped",
        )
    return workers


def processes(work: float, *, workers: int | None = None) -> int:
    """How many processes a job of estimated ``work`` gets: ``workers`` when given (capped at
    :func:`cores`), else the idle cores (:func:`default_workers`) above :data:`PARALLEL_WORK`
    and one below it."""
    if workers is not None:
        return max(1, min(workers, cores()))
    return default_workers() if work > PARALLEL_WORK else 1


def map_chunks(
    func: Callable[[Any, Any], Any],
    shared: Any,
    chunks: Sequence[Any],
    *,
    sizes: Sequence[int] | None = None,
    work: float = 0.0,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress | None = None,
) -> list[Any]:
    """``[func(shared, chunk) for chunk in chunks]``, possibly in parallel, results in order.

    ``func`` must be a module-level function (it is pickled); ``shared`` is sent once per
    worker.  With ``scheduler`` (a Dask address like ``"tcp://host:8786"`` or a
    ``distributed.Client``) the chunks run on that cluster.  Otherwise they run in
    :func:`processes` processes (at most one per chunk, at most one per core): ``workers`` if
    given, else the idle cores when ``work`` exceeds :data:`PARALLEL_WORK`, else this one.
    With the ``fork`` start method (Linux) ``shared`` reaches the workers without being
    pickled.  ``sizes[i]`` (default 1) is what chunk ``i`` adds to ``progress``.  Any
    exception in the caller while it waits (``KeyboardInterrupt``, the time limit's
    ``LimitError``) kills the worker processes before it propagates.
    """
    sizes = list(sizes) if sizes is not None else [1] * len(chunks)
    tick = progress.advance if progress is not None else (lambda count: None)
    if scheduler is not None:
        return _map_dask(func, shared, chunks, sizes, scheduler, tick)
    n = min(processes(work, workers=workers), len(chunks))
    if n == 1:
        out = []
        for chunk, size in zip(chunks, sizes, strict=True):
            out.append(func(shared, chunk))
            tick(size)
        return out
    with _pool(n, shared) as pool:
        futures = [pool.submit(_call_in_worker, func, chunk) for chunk in chunks]
        return _results(futures, sizes, tick)


def _results(
    futures: list[Future[Any]], sizes: list[int], tick: Callable[[int], None]
) -> list[Any]:
    out = []
    for future, size in zip(futures, sizes, strict=True):
        out.append(future.result())
        tick(size)
    return out


@contextlib.contextmanager
def _pool(n: int, shared: Any) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``n`` worker processes: shut down normally after the block, killed at once
    when the block raises (a ``with ProcessPoolExecutor`` would wait for the running chunks,
    so a time limit of 15 s ended after more than a minute)."""
    pool = ProcessPoolExecutor(max_workers=n, initializer=_init_worker, initargs=(shared,))
    try:
        yield pool
    except BaseException:
        _kill(pool)
        raise
    pool.shutdown(wait=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and kill the worker processes now, then reap them."""
    children = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for child in children:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            child.kill()
    for child in children:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            child.join(1.0)
    # the pool's manager thread now tears down its pipes; let it finish, or the interpreter's
    # exit hook may write to a pipe it is closing ("Exception ignored ... Bad file descriptor")
    if manager is not None:
        manager.join(2.0)


def _talk_error(scheduler: Any, detail: str) -> InputError:
    """The one message for a scheduler we could not talk to."""
    detail = " ".join(detail.split())[:200] or "no answer"
    return InputError(
        f"could not talk to the Dask scheduler at {scheduler}: {detail}; check the address",
        place="--scheduler",
    )


def _address(scheduler: str) -> tuple[str, tuple[str, int] | None]:
    """Dask's reading of ``scheduler``: its scheme and, for ``tcp``, host and port."""
    from distributed.comm.addressing import (  # noqa: PLC0415 (optional dependency)
        parse_address,
        parse_host_port,
    )
    from distributed.comm.registry import get_backend  # noqa: PLC0415 (optional dependency)

    try:
        scheme, location = parse_address(scheduler)
        get_backend(scheme)
        where = parse_host_port(location) if scheme == "tcp" else None
    except (ValueError, TypeError) as err:
        raise InputError(
            f"not a Dask scheduler address {shown(scheduler)}: {err}",
            place="--scheduler",
            hint="write it like tcp://host:8786",
        ) from None
    return scheme, where


def _probe_scheduler(address: str, where: tuple[str, int], *, timeout: float) -> None:
    """Refuse a ``tcp://`` peer that is no Dask scheduler before Dask reads from it.

    A scheduler sends its handshake first: an 8-byte frame length, then the message.  Dask
    allocates that length before reading it (garbage, or a header of 2^62 bytes, would take
    all memory), so the length is checked here against :data:`MAX_HANDSHAKE_BYTES`.
    """
    header = b""
    try:
        with socket.create_connection(where, timeout=timeout) as conn:
            while len(header) < 8:
                part = conn.recv(8 - len(header))
                if not part:
                    break
                header += part
    except TimeoutError:
        raise _talk_error(address, f"no handshake within {timeout:g} s") from None
    except (OSError, ValueError, OverflowError) as err:  # refused, unreachable
        raise _talk_error(address, str(err) or type(err).__name__) from None
    if len(header) < 8:
        raise _talk_error(address, "it closed the connection without a handshake")
    (length,) = struct.unpack("<Q", header)
    if length > MAX_HANDSHAKE_BYTES:
        raise _talk_error(
            address,
            f"it announced a first message of {length} bytes, which no Dask scheduler sends",
        )


def _client(scheduler: Any) -> tuple[Any, bool]:
    """A ``distributed.Client`` for ``scheduler`` (an address or a Client) and whether we own
    it; every failure to connect is an :class:`InputError` naming the address."""
    try:
        from distributed import Client  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise InputError(
            "a Dask scheduler was given but dask.distributed is not installed",
            place="--scheduler",
            hint='pip install "symresnet[dask]"',
        ) from None
    if isinstance(scheduler, Client):
        return scheduler, False
    if not isinstance(scheduler, str):
        raise InputError(
            f"not a Dask scheduler address {shown(scheduler)}",
            place="--scheduler",
            hint="write it like tcp://host:8786",
        )
    _, where = _address(scheduler)
    if where is not None:
        _probe_scheduler(scheduler, where, timeout=DASK_TIMEOUT)
    try:
        return Client(scheduler, timeout=DASK_TIMEOUT), True
    except Exception as err:  # any protocol error of the client: OSError, CommClosedError,
        # TimeoutError, a msgpack error on garbage, MemoryError on a huge frame past the probe
        raise _talk_error(scheduler, f"{type(err).__name__}: {err}") from None


def _map_dask(
    func: Callable[[Any, Any], Any],
    shared: Any,
    chunks: Sequence[Any],
    sizes: Sequence[int],
    scheduler: Any,
    tick: Callable[[int], None],
) -> list[Any]:
    """The chunks on a Dask cluster (trusted: its results are unpickled here)."""
    from distributed import as_completed  # noqa: PLC0415 (optional dependency)

    client, own = _client(scheduler)
    futures: list[Any] = []
    try:
        [remote] = client.scatter([shared], broadcast=True)
        futures = client.map(func, [remote] * len(chunks), chunks, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            tick(sizes[index[future.key]])
        return client.gather(futures)
    except BaseException:
        if futures:  # interrupted or timed out: free the cluster's workers
            with contextlib.suppress(Exception):
                client.cancel(futures)
        raise
    finally:
        if own:
            with contextlib.suppress(Exception):
                client.close(timeout=2)


def work(network: ResNet, points: int) -> float:
    """Estimated cost of ``points`` inputs: multiply-adds of every layer times its depth ``k``
    (entries grow by about a layer's denominator per layer, and so does a product's cost)."""
    dims = network.dims
    total = sum(dims[k] * (dims[k - 1] + 1) * k for k in range(1, network.L + 1))
    total += sum(dims[k] * dims[r] * k for r, k in network.skips)
    return float(total) * points
