"""Counterexample search by projected gradient descent on the float network.

A case of a :class:`~symresnet.verify.property.Property` is violated at ``x`` in its box when
every constraint row holds: ``max_r (c_r . R(x) - d_r) <= 0`` (the realization ``R`` of
Def. 1.5.4).  :func:`attack` minimizes that worst slack over a box from many starting points
at once, in float64 with numpy only:

* the ReLU ResNet (Def. 1.5.1) is piecewise affine, so at a point its gradient is a product of
  the weight matrices masked by the activation pattern; the backward pass follows
  :meth:`~symresnet.verify.network_data.NetworkData.sources` (``W_k`` and every skip
  ``V_{r,k}``), for each start through the row ``c_r`` attaining the maximum (a subgradient);
* a step moves each input by a fraction of its box width against the gradient's sign (inputs
  of very different scales move alike), the fraction shrinking geometrically from ``first``
  to ``last``; after each step the point is projected back onto its box (clipped), so no point
  ever leaves it;
* the result is, per start, the best point seen and its worst slack.

:func:`lattice_starts` gives the starting points: half uniform in the box, half with each
coordinate, by a coin toss, at the box's lower end, midpoint or upper end (thin violating
regions of ACAS Xu lie on faces of the box or on the midplanes where the search splits).
:func:`hunt` runs the attack for every case of a group on one box or on many boxes at once.

Floats only guide: the engine (:mod:`symresnet.verify.engine`) re-checks every candidate with
the exact realization at the exact rational point, so no answer rests on this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from symresnet.verify.network_data import NetworkData
from symresnet.verify.property import Case

__all__ = ["Attack", "attack", "case_rows", "hunt", "lattice_starts", "worst_slack"]


@dataclass(frozen=True)
class Attack:
    """The best point of each start (``points``, shape ``(N, l_0)``, inside its box) and its
    float worst slack ``slack`` (``<= 0``: a float violation)."""

    points: Any
    slack: Any


def case_rows(case: Case) -> tuple[Any, Any]:
    """The case's constraints ``c . y <= d`` as float arrays ``C`` (rows ``c``) and ``d``."""
    C = np.array([[float(v) for v in k.coefficients] for k in case.constraints], dtype=np.float64)
    d = np.array([float(k.rhs) for k in case.constraints], dtype=np.float64)
    return C.reshape(len(d), -1), d


def worst_slack(data: NetworkData, X: Any, C: Any, d: Any) -> Any:
    """``max_r (C R(X_n) - d)_r`` for every row ``X_n`` of ``X``: ``<= 0`` where every row holds."""
    return (data.forward(X) @ C.T - d[None, :]).max(axis=1)


def _gradient(data: NetworkData, X: Any, C: Any, d: Any) -> tuple[Any, Any]:
    """The worst slack at each row of ``X`` and its gradient in ``x_0`` through the row
    attaining the maximum (the chain rule through the masks of the active ReLUs)."""
    xs = [X]
    masks = []
    L = data.L
    for k in range(1, L + 1):
        z = data.Bf[k - 1][None, :] + sum(xs[r] @ M.T for r, M in data.sources(k))
        if k < L:
            masks.append(z > 0)
            z = np.maximum(z, 0.0)
        xs.append(z)
    slack = xs[-1] @ C.T - d[None, :]
    lam: dict[int, Any] = {L: C[slack.argmax(axis=1)]}
    for k in range(L, 0, -1):
        nu = lam.pop(k)
        if k < L:
            nu = nu * masks[k - 1]
        for r, M in data.sources(k):
            lam[r] = lam[r] + nu @ M if r in lam else nu @ M
    return slack.max(axis=1), lam[0]


def lattice_starts(lo: Any, hi: Any, count: int, rng: Any) -> Any:
    """``count`` points of the box (``lo``, ``hi`` of shape ``(l_0,)`` or ``(count, l_0)``):
    the even rows uniform, the odd ones with each coordinate at ``lo``, the midpoint or
    ``hi`` with probability 1/2 (a third each), else uniform."""
    lo = np.broadcast_to(np.asarray(lo, dtype=np.float64), (count, np.shape(lo)[-1]))
    hi = np.broadcast_to(np.asarray(hi, dtype=np.float64), lo.shape)
    U = rng.random(lo.shape)
    snap = (rng.random(lo.shape) < 0.5) & (np.arange(count) % 2 == 1)[:, None]
    U = np.where(snap, rng.integers(0, 3, lo.shape) / 2.0, U)
    return np.clip(lo + U * (hi - lo), lo, hi)


def attack(
    data: NetworkData,
    lo: Any,
    hi: Any,
    C: Any,
    d: Any,
    *,
    starts: Any | None = None,
    count: int = 64,
    steps: int = 50,
    first: float = 0.05,
    last: float = 1e-4,
    seed: int = 0,
) -> Attack:
    """Minimize the worst slack ``max_r (C R(x) - d)_r`` over the box ``lo <= x <= hi`` (one
    box of shape ``(l_0,)``, or one box per start, shape ``(N, l_0)``) by projected
    signed-gradient steps from ``starts`` (rows, clipped into the box) or, without them,
    ``count`` :func:`lattice_starts`; ``steps`` steps whose size goes geometrically from
    ``first`` to ``last`` times the box width.  Stops early once some start has a float
    violation with room to spare."""
    C = np.asarray(C, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64).reshape(-1)
    C = C.reshape(len(d), -1)
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    if starts is None:
        X = lattice_starts(lo, hi, count if lo.ndim == 1 else len(lo), np.random.default_rng(seed))
    else:
        X = np.clip(np.asarray(starts, dtype=np.float64).reshape(-1, lo.shape[-1]), lo, hi)
    width = hi - lo
    best = X.copy()
    best_slack = np.full(len(X), np.inf)
    room = -1e-6 * (1.0 + float(np.abs(d).max(initial=0.0)))
    sizes = first * (last / first) ** (np.arange(steps) / max(steps - 1, 1))
    for size in sizes:
        slack, g = _gradient(data, X, C, d)
        better = slack < best_slack
        best[better] = X[better]
        best_slack[better] = slack[better]
        if best_slack.min() < room:
            return Attack(best, best_slack)
        X = np.clip(X - size * width * np.sign(g), lo, hi)
    slack = worst_slack(data, X, C, d)
    better = slack < best_slack
    best[better] = X[better]
    best_slack[better] = slack[better]
    return Attack(best, best_slack)


def hunt(
    data: NetworkData,
    cases: Sequence[Case],
    lo: Any,
    hi: Any,
    *,
    count: int = 256,
    steps: int = 50,
    keep: int = 4,
    seed: int = 0,
) -> Any:
    """Candidate counterexamples for the ``cases`` (sharing one box) in the box ``lo, hi``
    (shape ``(l_0,)``: ``count`` starts in it; or ``(N, l_0)``: several sub-boxes of it, with
    ``count`` starts spread over them): for each case the ``keep`` best points of
    :func:`attack`, as rows."""
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    rng = np.random.default_rng(seed)
    if lo.ndim == 2:
        pick = rng.integers(0, len(lo), count)
        pick[: min(count, len(lo))] = np.arange(min(count, len(lo)))
        lo, hi = lo[pick], hi[pick]
    found = []
    for case in cases:
        C, d = case_rows(case)
        if not len(d):
            continue
        result = attack(data, lo, hi, C, d, starts=lattice_starts(lo, hi, count, rng), steps=steps)
        found.append(result.points[np.argsort(result.slack)[:keep]])
    return np.concatenate(found) if found else np.zeros((0, lo.shape[-1]))
