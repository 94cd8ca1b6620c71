"""Spreading work: :func:`map_chunks` over this process, idle cores or a Dask cluster.

The batches of :mod:`symresnet.compute.batch` evaluate the realization ``R^R_a(Phi, V)`` of
Def. 1.5.4 at many points (or under many parameter values) in chunks; this module runs the
chunks.  Small jobs stay in this process; when the estimated work (:func:`work`) exceeds
:data:`PARALLEL_WORK` they go over the idle cores of this machine
(``concurrent.futures.ProcessPoolExecutor``; docs/design.md: "parallel workers start only above
a work threshold"); given a scheduler address they go over a Dask cluster
(``pip install "symresnet[dask]"``).  A progress line (:class:`Progress`) goes to stderr when
asked for, or on a terminal once a run takes longer than a second.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TextIO

from symresnet.base.errors import InputError
from symresnet.model.network import ResNet

__all__ = [
    "DASK_TIMEOUT",
    "PARALLEL_WORK",
    "Progress",
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


# -- progress ------------------------------------------------------------------------------------


class Progress:
    """A dependency-free progress line on stderr: ``symresnet: 512/1000 points [####    ] 2s``.

    ``enabled=True`` always shows it; ``None`` shows it on a terminal once a run has taken
    longer than ``delay`` seconds; ``False`` never.
    """

    def __init__(
        self,
        total: int,
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
        width = 24
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + " " * (width - filled)
        self.stream.write(
            f"\rsymresnet: {self.done}/{self.total} {self.unit} [{bar}] {elapsed:.1f}s"
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


# -- spreading work ------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}  # per worker process: the shared argument (set by _init_worker)


def _init_worker(shared: Any) -> None:
    _WORKER["shared"] = shared


def _call_in_worker(func: Callable[[Any, Any], Any], chunk: Any) -> Any:
    return func(_WORKER["shared"], chunk)


def default_workers() -> int:
    """The cores this process may use that other work leaves idle (by the one-minute load
    average, which counts this process too), at least one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    try:
        others = max(0, round(os.getloadavg()[0]) - 1)
    except OSError:  # pragma: no cover - no load average
        others = 0
    return max(1, cores - others)


def processes(work: float, *, workers: int | None = None) -> int:
    """How many processes a job of estimated ``work`` gets: ``workers`` when given, else the
    idle cores (:func:`default_workers`) above :data:`PARALLEL_WORK` and one below it."""
    if workers is not None:
        return max(1, workers)
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
    :func:`processes` processes (at most one per chunk): ``workers`` if given, else the idle
    cores when ``work`` exceeds :data:`PARALLEL_WORK`, else this one.  With the ``fork`` start
    method (Linux) ``shared`` reaches the workers without being pickled.
    ``sizes[i]`` (default 1) is what chunk ``i`` adds to ``progress``.
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
    with ProcessPoolExecutor(max_workers=n, initializer=_init_worker, initargs=(shared,)) as pool:
        futures = [pool.submit(_call_in_worker, func, chunk) for chunk in chunks]
        out = []
        for future, size in zip(futures, sizes, strict=True):
            out.append(future.result())
            tick(size)
        return out


def _map_dask(
    func: Callable[[Any, Any], Any],
    shared: Any,
    chunks: Sequence[Any],
    sizes: Sequence[int],
    scheduler: Any,
    tick: Callable[[int], None],
) -> list[Any]:
    try:
        from distributed import Client, as_completed  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise InputError(
            "a Dask scheduler was given but dask.distributed is not installed",
            place="--scheduler",
            hint='pip install "symresnet[dask]"',
        ) from None
    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, timeout=DASK_TIMEOUT) if own else scheduler
    except OSError as err:
        raise InputError(
            f"cannot reach the Dask scheduler {scheduler!r}: {err}", place="--scheduler"
        ) from None
    except (ValueError, TypeError) as err:  # a malformed address, e.g. without a port
        raise InputError(
            f"not a Dask scheduler address {scheduler!r}: {err}",
            place="--scheduler",
            hint="write it like tcp://host:8786",
        ) from None
    try:
        [remote] = client.scatter([shared], broadcast=True)
        futures = client.map(func, [remote] * len(chunks), chunks, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            tick(sizes[index[future.key]])
        return client.gather(futures)
    finally:
        if own:
            client.close()


def work(network: ResNet, points: int) -> float:
    """Estimated cost of ``points`` inputs: multiply-adds of every layer times its depth ``k``
    (entries grow by about a layer's denominator per layer, and so does a product's cost)."""
    dims = network.dims
    total = sum(dims[k] * (dims[k - 1] + 1) * k for k in range(1, network.L + 1))
    total += sum(dims[k] * dims[r] * k for r, k in network.skips)
    return float(total) * points
