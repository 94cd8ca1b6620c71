"""Float64 bounds of a ReLU network over many boxes at once: the search side of
docs/verification.md.

The procedure is the one the exact checker (:mod:`symresnet.verify.checker`) repeats in
rationals: symbolic intervals forward (every ``x_k`` between two affine maps of ``x_0``), then a
backward pass of each objective row ``c . y`` using the forward pre-activation bounds.  Here it
runs in float64 on a batch of boxes (numpy broadcasting over the first axis); floats only guide
the search, every answer is checked exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symresnet.verify.network_data import NetworkData

__all__ = ["Bounds", "objective_bounds", "unit_bounds"]


@dataclass(frozen=True)
class Bounds:
    """For a batch of ``N`` boxes and ``K`` objectives: ``lower[n, k]`` (a float lower bound of
    objective ``k`` over box ``n``), ``gradient[n, k]`` (the coefficients of ``x_0`` in the
    backward bound, for the split heuristic) and ``corner[n, k]`` (the box corner minimizing
    that affine bound: a candidate counterexample)."""

    lower: Any
    gradient: Any
    corner: Any


#: the certificate's grid 1/P (engine.ROUNDING = 32)
P = 2.0**32


def _round(form: Any, lo3: Any, grid: float, *, up: bool) -> Any:
    """The checker's rounding of the forms (version 2, step 1) as closely as floats allow:
    coefficients to the grid ``1/P`` (down for a lower form, up for an upper one), the
    constant moved by the rounding error at the box's lower corner and rounded likewise."""
    n0 = form.shape[-1] - 1
    c = form[:, :, :n0]
    r = (np.ceil(c * grid) if up else np.floor(c * grid)) / grid
    out = np.empty_like(form)
    out[:, :, :n0] = r
    const = form[:, :, n0] + ((c - r) * lo3).sum(-1)
    out[:, :, n0] = (np.ceil(const * grid) if up else np.floor(const * grid)) / grid
    return out


def _forward(net: NetworkData, lo: Any, hi: Any) -> list[tuple[Any, Any]]:
    N, n0 = lo.shape
    eye = np.zeros((N, n0, n0 + 1))
    eye[:, np.arange(n0), np.arange(n0)] = 1.0
    forms: list[tuple[Any, Any]] = [(eye, eye)]
    info: list[Any] = []
    lo3, hi3 = lo[:, None, :], hi[:, None, :]
    for k in range(1, net.L):
        zlo = 0.0
        zup = 0.0
        for r, M in net.sources(k):
            Mp, Mn = np.maximum(M, 0.0), np.minimum(M, 0.0)
            flo, fup = forms[r]
            zlo = zlo + Mp @ flo + Mn @ fup
            zup = zup + Mp @ fup + Mn @ flo
        assert isinstance(zlo, np.ndarray) and isinstance(zup, np.ndarray)
        zlo[:, :, n0] += net.Bf[k - 1]
        zup[:, :, n0] += net.Bf[k - 1]
        cl, cu = zlo[:, :, :n0], zup[:, :, :n0]
        low = zlo[:, :, n0] + np.where(cl >= 0, cl * lo3, cl * hi3).sum(-1)
        up = zup[:, :, n0] + np.where(cu >= 0, cu * hi3, cu * lo3).sum(-1)
        on = low >= 0
        unstable = (up > 0) & ~on
        ratio = np.where(unstable, up / np.where(unstable, up - low, 1.0), 0.0)
        slope = np.where(on, 1.0, ratio)
        xlo = zlo * slope[:, :, None]
        xup = zup * slope[:, :, None]
        xup[:, :, n0] += np.where(unstable, -ratio * low, 0.0)
        forms.append((_round(xlo, lo3, P, up=False), _round(xup, lo3, P, up=True)))
        info.append((low, up, unstable, on, ratio))
    return info


def unit_bounds(net: NetworkData, lo: Any, hi: Any, *, bounds: str = "forward") -> list[Any]:
    """Step 1 alone: per hidden layer ``(l, u, unstable, on, ratio)`` over each box (arrays of
    shape ``(N, l_k)``; ``ratio = u / (u - l)`` for an unstable unit), for the LP leaves."""
    return _backsub(net, lo, hi) if bounds == "backsub" else _forward(net, lo, hi)


def _backward(net: NetworkData, info: list[Any], top: int, G: Any, lo: Any, hi: Any) -> tuple[Any, Any, Any]:
    """Step 2 for a batch: lower bounds over each box of the rows of ``G`` (shape ``(N, K,
    l_top)``) times ``z_top``, with the relaxations ``info`` of the layers below ``top``;
    also the coefficients of ``x_0`` and the minimizing corners."""
    N, n0 = lo.shape
    K = G.shape[1]
    lam: dict[int, Any] = {}
    const = np.zeros((N, K))

    def push(k: int, nu: Any) -> Any:
        for r, M in net.sources(k):
            lam[r] = lam.get(r, 0.0) + nu @ M
        return nu @ net.Bf[k - 1]

    const = const + push(top, G)
    for k in range(top - 1, 0, -1):
        if k not in lam:
            continue
        g = lam.pop(k)
        low, up, unstable, on, ratio = (v[:, None, :] for v in info[k - 1])
        lower_slope = np.where(on, 1.0, np.where(unstable & (up >= -low), 1.0, 0.0))
        nu = np.where(g >= 0, g * lower_slope, g * np.where(on, 1.0, ratio))
        const = const + np.where(unstable & (g < 0), g * (-ratio * low), 0.0).sum(-1)
        const = const + push(k, nu)
    g0 = lam.get(0, np.zeros((N, K, n0)))
    lo3, hi3 = lo[:, None, :], hi[:, None, :]
    lower = const + np.where(g0 >= 0, g0 * lo3, g0 * hi3).sum(-1)
    corner = np.where(g0 >= 0, lo3, hi3)
    return lower, g0, corner


def _backsub(net: NetworkData, lo: Any, hi: Any) -> list[tuple[Any, Any, Any, Any, Any]]:
    """Step 1 by back-substitution (``"bounds": "backsub"``, the checker's
    ``backsub_bounds`` in float64): the bounds of every ``z_k`` are the backward pass of its
    rows ``+e_j`` and ``-e_j`` through the layers ``k-1..1``, all boxes and units at once."""
    N = lo.shape[0]
    info: list[Any] = []
    for k in range(1, net.L):
        rows = net.dims[k]
        eye = np.eye(rows)
        G = np.broadcast_to(np.concatenate([eye, -eye]), (N, 2 * rows, rows))
        lower = _backward(net, info, k, G, lo, hi)[0]
        low, up = lower[:, :rows], -lower[:, rows:]
        on = low >= 0
        unstable = (up > 0) & ~on
        ratio = np.where(unstable, up / np.where(unstable, up - low, 1.0), 0.0)
        info.append((low, up, unstable, on, ratio))
    return info


def objective_bounds(net: NetworkData, lo: Any, hi: Any, C: Any, *, bounds: str = "forward") -> Bounds:
    """Lower bounds of ``C y`` (``C`` of shape ``(K, l_L)``) over each box ``[lo[n], hi[n]]``,
    with step 1 ``bounds`` (``"forward"`` symbolic intervals or ``"backsub"``)."""
    N = lo.shape[0]
    info = _backsub(net, lo, hi) if bounds == "backsub" else _forward(net, lo, hi)
    return Bounds(*_backward(net, info, net.L, np.broadcast_to(C, (N, *C.shape)), lo, hi))
