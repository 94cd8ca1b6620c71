"""LP leaves: the float side (docs/verification.md, "LP leaves").

On a box where the interval bound of step 1 (:mod:`symresnet.verify.bounds`) leaves a case
open, the LP relaxation of the same step 1 may still refute it: the variables are the inputs
``x_0`` (in the box) and the outputs ``x_{k,j}`` of the hidden units that are not off (each in
``[max(l, 0), u]``); ``z_k`` is the affine map of Def. 1.5.4 (``W_k x_{k-1} + B_k + sum_r V_{r,k}
x_r``); a unit that is on has ``x = z``, an unstable one ``x >= z`` and ``x <= a z + b`` (its
upper line); the case adds ``c_i . y <= d_i``.  HiGHS (``scipy.optimize.linprog``) minimizes
``t`` subject to ``c_i . y - d_i <= t``: an optimum ``> 0`` means the relaxation, hence the
case, is infeasible on the box, and the LP's dual multipliers (rounded to dyadic rationals) are
the leaf's certificate.  Floats only propose the multipliers: the checker
(:func:`symresnet.verify.checker.lp_lower_bound`) recomputes the Lagrangian's minimum exactly
over the exact step-1 bounds, and accepts the leaf only when it is ``> 0``.

scipy is an optional dependency (the ``verify`` extra): without it :func:`available` is false
and the engine splits as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from symresnet.verify.bounds import unit_bounds
from symresnet.verify.network_data import NetworkData

__all__ = ["DUAL_BITS", "LPRefutation", "available", "lp_refute"]

#: the multipliers are rounded to multiples of 2^-DUAL_BITS (the exact check absorbs the error)
DUAL_BITS = 40
#: the LP optimum must clear this (absolute, plus relative to the constraints' size)
LP_MARGIN = 1e-7


def available() -> bool:
    """Whether scipy's HiGHS is installed."""
    try:
        import scipy.optimize  # noqa: F401, PLC0415 (optional dependency)
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class LPRefutation:
    """A float LP's answer on one box for one case: its optimum ``value`` (``> 0``: refuted in
    floats) and, when refuted, the dual ``{"y": [...], "units": [[k, j, s, t], ...]}`` as
    exact rational strings."""

    value: float
    dual: dict[str, Any] | None


def _dyadic(v: float) -> str:
    n = round(v * 2.0**DUAL_BITS)
    if n <= 0:
        return "0"
    return str(Fraction(n, 2**DUAL_BITS))


def lp_refute(data: NetworkData, lo: Any, hi: Any, C: Any, d: Any, *, step1: str = "forward") -> LPRefutation:
    """The LP of the module docstring for the box ``[lo, hi]`` (float arrays) and the case's
    rows ``C y <= d``."""
    from scipy.optimize import linprog  # noqa: PLC0415 (optional dependency)

    info = unit_bounds(data, lo[None, :], hi[None, :], bounds=step1)
    n0 = len(lo)
    L = data.L
    active = [np.arange(n0)]
    starts = [0]
    nvar = n0
    layers = []
    for k in range(1, L):
        low, up, unstable, on, ratio = (v[0] for v in info[k - 1])
        act = np.flatnonzero(on | unstable)
        starts.append(nvar)
        nvar += len(act)
        active.append(act)
        layers.append((low, up, on, ratio, act))
    width = nvar + 1  # the last column is t

    def zexpr(k: int) -> tuple[Any, Any]:
        A = np.zeros((data.dims[k], width))
        for r, M in data.sources(k):
            A[:, starts[r] : starts[r] + len(active[r])] += M[:, active[r]]
        return A, data.Bf[k - 1].copy()

    rows: list[Any] = []
    rhs: list[Any] = []
    bounds: list[tuple[float | None, float | None]] = [(float(a), float(b)) for a, b in zip(lo, hi, strict=True)]
    for k, (low, up, on, ratio, act) in enumerate(layers, start=1):
        A, c = zexpr(k)
        Z, zc = A[act], c[act]
        X = np.zeros((len(act), width))
        X[np.arange(len(act)), starts[k] + np.arange(len(act))] = 1.0
        a = np.where(on[act], 1.0, ratio[act])
        b = np.where(on[act], 0.0, -ratio[act] * low[act])
        rows += [Z - X, X - a[:, None] * Z]  # z - x <= 0, x - a z - b <= 0
        rhs += [-zc, b + a * zc]
        bounds += [(max(float(lo_), 0.0), float(up_)) for lo_, up_ in zip(low[act], up[act], strict=True)]
    A, c = zexpr(L)
    case = C @ A
    case[:, -1] = -1.0
    rows.append(case)
    rhs.append(d - C @ c)
    bounds.append((None, None))
    objective = np.zeros(width)
    objective[-1] = 1.0
    res = linprog(objective, A_ub=np.vstack(rows), b_ub=np.concatenate(rhs), bounds=bounds, method="highs")
    if res.status != 0:
        return LPRefutation(-np.inf, None)
    value = float(res.fun)
    if not value > LP_MARGIN * (1.0 + float(np.abs(d).max(initial=0.0))):
        return LPRefutation(value, None)
    mult = -np.asarray(res.ineqlin.marginals)
    units = []
    pos = 0
    for k, (_, _, _, _, act) in enumerate(layers, start=1):
        s = mult[pos : pos + len(act)]
        t = mult[pos + len(act) : pos + 2 * len(act)]
        pos += 2 * len(act)
        for j, sv, tv in zip(act, s, t, strict=True):
            ss, ts = _dyadic(float(sv)), _dyadic(float(tv))
            if ss != "0" or ts != "0":
                units.append([k, int(j), ss, ts])
    y = [_dyadic(float(v)) for v in mult[pos:]]
    return LPRefutation(value, {"y": y, "units": units})
