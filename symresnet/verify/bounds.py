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

__all__ = ["Bounds", "objective_bounds"]


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


def objective_bounds(net: NetworkData, lo: Any, hi: Any, C: Any) -> Bounds:
    """Lower bounds of ``C y`` (``C`` of shape ``(K, l_L)``) over each box ``[lo[n], hi[n]]``."""
    N, n0 = lo.shape
    info = _forward(net, lo, hi)
    L = net.L
    lam: dict[int, Any] = {}
    const = np.zeros((N, C.shape[0]))

    def push(k: int, nu: Any) -> Any:
        for r, M in net.sources(k):
            lam[r] = lam.get(r, 0.0) + nu @ M
        return nu @ net.Bf[k - 1]

    const = const + push(L, np.broadcast_to(C, (N, *C.shape)))
    for k in range(L - 1, 0, -1):
        if k not in lam:
            continue
        g = lam.pop(k)
        low, up, unstable, on, ratio = (v[:, None, :] for v in info[k - 1])
        lower_slope = np.where(on, 1.0, np.where(unstable & (up >= -low), 1.0, 0.0))
        nu = np.where(g >= 0, g * lower_slope, g * np.where(on, 1.0, ratio))
        const = const + np.where(unstable & (g < 0), g * (-ratio * low), 0.0).sum(-1)
        const = const + push(k, nu)
    g0 = lam.get(0, np.zeros((N, C.shape[0], n0)))
    lo3, hi3 = lo[:, None, :], hi[:, None, :]
    lower = const + np.where(g0 >= 0, g0 * lo3, g0 * hi3).sum(-1)
    corner = np.where(g0 >= 0, lo3, hi3)
    return Bounds(lower, g0, corner)
