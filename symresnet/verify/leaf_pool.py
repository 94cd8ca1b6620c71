"""Leaf checks overlapping the search: the exact check of the certificate's leaves
(:class:`~symresnet.verify.fast_check.FastNet`) in worker processes while the float search goes
on (docs/verification.md, "Exact check speed").

The engine hands every finished leaf (its box and its multipliers, exact Fractions) to
:class:`LeafPool`, which sends them in batches to a ``ProcessPoolExecutor`` (spawn context;
each worker builds its ``FastNet`` once, from the certificate's own network and property data).
Once the certificate is complete, the checker (:func:`~symresnet.verify.checker.check_certificate`)
runs its structure checks as ever and takes each leaf's verdict from :class:`CheckedLeaves`:
the verdict a worker computed for exactly that box, those multipliers and that ``P``, or, for a
leaf no worker checked, its own ``FastNet`` check.  Nothing is accepted that was not checked.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from fractions import Fraction
from typing import Any

from symresnet.verify.checker import CheckTimeout, LPDual, cases_of, load_network
from symresnet.verify.fast_check import FastNet

__all__ = ["BATCH", "CheckedLeaves", "LeafPool"]

#: leaves sent to a worker at a time
BATCH = 32

Key = tuple[tuple[Fraction, ...], tuple[Fraction, ...], tuple[tuple[int, tuple[Fraction, ...]], ...]]

_WORKER: dict[str, Any] = {}


def leaf_key(lo: Any, hi: Any, refutes: Any) -> Key:
    """A leaf as the checker sees it: box corners and ``(case, mu)`` pairs, exact."""
    return (tuple(Fraction(v) for v in lo), tuple(Fraction(v) for v in hi),
            tuple((int(c), tuple(Fraction(m) for m in mu)) for c, mu in refutes))


def _start(network: Any, prop: Any, P: int, bounds: str = "forward") -> None:
    net = load_network(network)
    _WORKER["fast"] = FastNet(net)
    _WORKER["cases"] = [(C, e) for _, _, C, e in cases_of(prop, net.dims[0], net.dims[-1])]
    _WORKER["P"] = P
    _WORKER["bounds"] = bounds


def _check(items: list[Key]) -> list[bool]:
    fast, cases, P = _WORKER["fast"], _WORKER["cases"], _WORKER["P"]
    bounds = _WORKER["bounds"]
    return [fast.check_leaf(cases, list(lo), list(hi), [(c, list(mu)) for c, mu in r], P, bounds)
            for lo, hi, r in items]


class LeafPool:
    """Worker processes checking leaves as the search finds them."""

    def __init__(self, network: Any, prop: Any, P: int, *, workers: int, batch: int = BATCH,
                 bounds: str = "forward"):
        self.P = P
        self.batch = batch
        self.pending: list[Key] = []
        self.futures: list[tuple[list[Key], Future[list[bool]]]] = []
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_start, initargs=(network, prop, P, bounds))

    def add(self, lo: Any, hi: Any, refutes: Any) -> None:
        self.pending.append(leaf_key(lo, hi, refutes))
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.futures.append((self.pending, self.pool.submit(_check, self.pending)))
            self.pending = []

    def results(self, deadline: float | None, local: Any) -> dict[Key, bool]:
        """Every leaf's verdict; :class:`CheckTimeout` at the deadline.  The batches no worker
        has started yet are checked here, by ``local(lo, hi, refutes)`` (this process's own
        ``FastNet``), while the workers finish theirs."""
        done: dict[Key, bool] = {}
        mine = list(self.pending)
        self.pending = []
        running = []
        for items, future in self.futures:
            if future.cancel():
                mine.extend(items)
            else:
                running.append((items, future))
        total = len(mine) + sum(len(i) for i, _ in running)
        for key in mine:
            if deadline is not None and time.monotonic() > deadline:
                raise CheckTimeout(f"{len(done)} of {total} leaves checked before the deadline")
            done[key] = local(*key)
        for items, future in running:
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:
                oks = future.result(timeout=left)
            except FutureTimeout:
                raise CheckTimeout(f"{len(done)} of {total} leaves checked before the deadline") from None
            done.update(zip(items, oks, strict=True))
        return done

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class CheckedLeaves:
    """A ``leaf_checker`` for :func:`~symresnet.verify.checker.check_certificate`: the workers'
    verdicts for the very cases and ``P`` they were computed with, and a check of its own for
    any other leaf."""

    def __init__(self, done: dict[Key, bool], prop: Any, P: int, bounds: str = "forward"):
        self.bounds = bounds
        self.done = done
        self.prop = prop
        self.P = P
        self.cases: Any = None
        self.fast: FastNet | None = None
        self.net: Any = None
        self.own = 0  #: leaves checked here

    def __call__(self, net: Any) -> CheckedLeaves:
        self.net = net
        self.cases = [(C, e) for _, _, C, e in cases_of(self.prop, net.dims[0], net.dims[-1])]
        return self

    def check_leaf(self, cases: Any, lo: Any, hi: Any, refutes: Any, P: int, bounds: str = "forward") -> bool:
        if P == self.P and bounds == self.bounds and cases == self.cases and not any(isinstance(mu, LPDual) for _, mu in refutes):
            key = leaf_key(lo, hi, refutes)
            if key in self.done:
                return self.done[key]
        if self.fast is None:
            self.fast = FastNet(self.net)
        self.own += 1
        return self.fast.check_leaf(cases, lo, hi, refutes, P, bounds)
