"""Floats for the certified float pass: float64 copies of exact values with rigorous error bounds.

The multi-modular batch path (:mod:`symresnet.compute.modular`) reads the sign of every hidden
pre-activation of a realization (Def. 1.5.4) from a float64 forward pass with a rigorous
componentwise error bound ``e`` on every pre-activation, so ``|z - z_hat| <= e`` (the
activations are Lipschitz, so the bound holds whatever sign the floats guess): where
``|z_hat| > e`` the sign of ``z`` is certain.  This module holds what the bound rests on: the
weights and the inputs correctly rounded to float64 (:func:`divided`, :func:`floats`, one
rounding each, refused beyond a safe range where the rounding would not be relative), the
check that numpy rounds as assumed (:func:`ieee`), integer bounds read from floats
(:func:`bound`), the leaky slope as a float (:func:`gamma`), and fresh floats with an error
bound from exact values given by their Garner digits (:func:`floats_of_digits`, see
:mod:`symresnet.compute.residues`).

Error bound (Higham, *Accuracy and Stability of Numerical Algorithms*, Sec. 3.1): with
``u = 2**-53`` (:data:`U`), ``m`` the number of terms of a pre-activation, weights rounded to
``W_hat = fl(W)`` (``|W_hat - W| <= u |W|``) and ``|x_hat - x| <= e``::

    |z_hat - z| <= (gamma_m + u') S + (1 + u') E,
    S = |W_hat| |x_hat| + |B_hat| + sum_r |V_hat| |x_hat_r|,   E = |W_hat| e + sum_r |V_hat| e_r

(``gamma_m = m u / (1 - m u)``, ``u' = u / (1 - u)``), with ``S`` and ``E`` themselves
computed in floating point: the constants of the float pass overestimate every factor, and an
absolute ``2**-1000`` per layer (:data:`ABS`) covers underflow.  The functions take the numpy
module as their argument ``np``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import weakref
from typing import Any

import flint

from symresnet.compute.core import Compiled
from symresnet.compute.residues import layer_entries

__all__ = [
    "ABS",
    "Floats",
    "U",
    "bound",
    "divided",
    "finite",
    "floats",
    "floats_of_digits",
    "gamma",
    "ieee",
]


#: the unit roundoff of float64 (round to nearest)
U = 2.0**-53
#: absolute slack per layer: underflow in any product
ABS = 2.0**-1000
_SAFE = 2.0**1000  # weights and inputs beyond this (or nonzero below 1/_SAFE): integer core


@functools.lru_cache(maxsize=1)
def ieee(np: Any) -> bool:
    """numpy's float64 rounds to nearest and keeps subnormals (no flush-to-zero), as the error
    bounds assume; a process that changed the floating-point mode gets the integer core."""
    one, tiny = np.ones(2), np.full(2, 2.0**-1074)
    half_ulp, more = 2.0**-53, 3 * 2.0**-54  # ties to even stay; above a half rounds away
    return bool(
        np.all(tiny * one > 0)
        and np.all(one + half_ulp == one)
        and np.all(-one - half_ulp == -one)
        and np.all(one + more > one)
        and np.all(-one - more < -one)
    )


# -- the network and the inputs as floats (cached per compiled network) -------------------------


@dataclasses.dataclass
class Floats:
    """Per layer ``W_hat, |W_hat|, B_hat, |B_hat|, ((r, V_hat, |V_hat|), ...)``."""

    layers: list[tuple[Any, Any, Any, Any, tuple[tuple[int, Any, Any], ...]]]


_FLOATS: weakref.WeakKeyDictionary[Compiled, Floats | None] = weakref.WeakKeyDictionary()


def divided(np: Any, values: Any, q: int, shape: tuple[int, int]) -> Any:
    """``values / q`` correctly rounded to float64 (one rounding), shaped; ``None`` unless every
    value is zero exactly where ``values`` is and otherwise between ``1/_SAFE`` and ``_SAFE`` in
    magnitude (so its rounding was relative, not absolute)."""
    exact = 1 << 53
    if isinstance(values, np.ndarray) and q < exact and np.all(np.abs(values) < exact):
        a = values.astype(np.float64) / q  # both exact as floats: one rounding
        zero = values == 0
    else:
        ints = values.tolist() if isinstance(values, np.ndarray) else values
        try:
            a = np.array([e / q for e in ints], dtype=np.float64)  # int / int: correctly rounded
        except OverflowError:
            return None
        zero = np.array([e == 0 for e in ints], dtype=bool)
    mags = np.abs(a)
    if not (np.all(zero == (mags == 0)) and np.all(zero | ((mags >= 1 / _SAFE) & (mags <= _SAFE)))):
        return None
    return a.reshape(shape)


def floats(np: Any, model: Compiled) -> Floats | None:
    """The weights as floats (:func:`divided`), ``None`` if one is beyond the safe range."""
    try:
        return _FLOATS[model]
    except KeyError:
        pass
    layers = []
    for lay, (W, B, Vs) in zip(model.layers, layer_entries(np, model), strict=True):
        q = int(lay.q)
        mats = [divided(np, W, q, _shape(lay.W)), divided(np, B, q, _shape(lay.B))]
        skips = [(r, divided(np, V, q, _shape(m))) for (r, m), V in zip(lay.skips, Vs, strict=True)]
        if any(m is None for m in mats) or any(V is None for _, V in skips):
            _FLOATS[model] = None
            return None
        W, B = mats
        layers.append((W, np.abs(W), B, np.abs(B), tuple((r, V, np.abs(V)) for r, V in skips)))
    out = _FLOATS[model] = Floats(layers)
    return out


def _shape(m: flint.fmpz_mat) -> tuple[int, int]:
    return m.nrows(), m.ncols()


# -- bounds ------------------------------------------------------------------------------------


def _int_bound(value: float) -> int:
    """An integer at least ``value`` (finite), with a margin for the rounding of the bound
    itself (computed in integers, so it cannot overflow)."""
    v = math.ceil(value)
    return v + (v >> 40) + 2


def bound(np: Any, values: Any, errors: Any, mask: Any = None) -> int:
    """An integer bound on ``|v| + e`` over the entries (those of ``mask`` if given)."""
    total = np.abs(values) + errors
    if mask is not None:
        total = np.where(mask, total, 0.0)
    return _int_bound(float(np.max(total))) if total.size else 0


def finite(np: Any, values: Any, errors: Any) -> bool:
    """``|v| + e`` is finite everywhere (so every bound taken from it is)."""
    return bool(np.all(np.isfinite(np.abs(values) + errors)))


def gamma(leaky: tuple[int, int]) -> float | None:
    """The leaky slope ``gp / gq`` as a float (correctly rounded), ``None`` unless it is zero
    or in the safe range, where its rounding error is relative."""
    gp, gq = leaky
    if gp == 0:
        return 0.0
    try:
        slope = gp / gq
    except OverflowError:
        return None
    return slope if 1 / _SAFE <= abs(slope) <= _SAFE else None


# -- fresh floats from exact values -------------------------------------------------------------


def floats_of_digits(
    np: Any, digits: list[Any], primes: tuple[int, ...], den: int, shape: tuple[int, int]
) -> tuple[Any, Any] | None:
    """``n / den`` in float64 with an error bound, from the digits of ``n``: the sum of
    ``v_i c_i`` with ``c_i = fl(p_0 ... p_{i-1} / den)``, largest terms first.  Balanced digits
    do not cancel much (the top digit dominates), so the bound is a few ulps of the value."""
    terms = []
    radix = 1
    for v, p in zip(digits, primes, strict=True):
        if np.any(v):
            try:
                terms.append((v, radix / den))  # correctly rounded
            except OverflowError:  # a nonzero digit of weight beyond float range
                return None
        radix *= p
    x = np.zeros(digits[0].shape)
    S = np.zeros(digits[0].shape)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for v, c in reversed(terms):
            x += v * c
            S += np.abs(v) * c
        e = (len(primes) + 4) * U * 1.01 * S + ABS
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(e))):
        return None
    return x.reshape(shape), e.reshape(shape)
