"""Many points at once by multi-modular arithmetic, the signs read from a certified float pass.

The realization of Def. 1.5.4 at a batch of rational points is exact integer arithmetic once
the activation pattern is known: with ReLU, leaky ReLU and Heaviside each hidden neuron only
needs the *sign* of its pre-activation.  :func:`outputs` therefore computes

1. a float64 forward pass (numpy) with a rigorous componentwise error bound ``e`` on every
   pre-activation, so ``|z - z_hat| <= e`` (the activations are Lipschitz, so the bound holds
   whatever sign the floats guess).  Where ``|z_hat| > e`` the sign of ``z`` is certain;
2. the same pass modulo word-sized primes ``p`` (float64 matrices of residues, products exact
   below ``2**52``), with the masks from step 1.  The few pre-activations whose sign the floats
   leave open are reconstructed exactly from their residues (Chinese remaindering, enough
   primes for the bound from step 1) and their exact sign used instead;
3. the outputs ``x_L`` reconstructed from their residues by Garner's algorithm.

The numerators and the common denominators are exactly those of :func:`symresnet.compute.core.run`
(the same integer recurrence, computed modulo each prime), so the result is the exact
:class:`~symresnet.compute.scaled.Scaled` output; the float pass only decides *which* exact branch each
neuron takes, and every doubtful decision is settled exactly.  When this path does not apply
(another activation, values beyond float range, numpy missing, too many doubtful signs,
values so large that the integer core is faster)
:func:`outputs` returns ``None`` and the caller runs the integer core.

The floats and their error bound (Higham) are in :mod:`symresnet.compute.float_pass`, the
arithmetic modulo the primes and the reconstructions in :mod:`symresnet.compute.residues`;
this module holds the segments that combine them, and :func:`outputs`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any

import flint
import numpy as np

from symresnet.compute import float_pass, residues
from symresnet.compute.core import Compiled, CompiledLayer
from symresnet.compute.scaled import Scaled

__all__ = ["MAX_PRIMES", "MIN_COLUMNS", "SPEEDUP", "outputs", "supports"]

#: batches with fewer points than this run on the integer core (numpy's overhead would win)
MIN_COLUMNS = 8
#: the modular path gives up (returns ``None``) when the float pass leaves more doubtful signs
#: than this many per point: each costs an exact reconstruction in Python
DOUBTFUL_PER_POINT = 16

#: the modular path gives up when a segment needs more primes than this (values of more than
#: about 900 bits): Garner's reconstruction is quadratic in the number of primes, and there the
#: integer core's big-integer products win (width 8, depth 30, denominators up to 1000:
#: 526 primes, 1 s against 0.02 s on the core)
MAX_PRIMES = 40
#: about how much faster than the integer core this path runs a batch (benchmarks/bench.py,
#: 1,000 points: 3.5x at width 32 depth 16, 4.4x at width 64 depth 32): scales the work
#: estimate that decides whether a batch is worth spreading over processes
SPEEDUP = 3.5

_SUPPORTED = frozenset({"relu", "leaky_relu", "heaviside", "identity"})


def supports(model: Compiled) -> bool:
    """The activation of every layer is one this path handles (ReLU, leaky ReLU, Heaviside,
    the identity) and the whole network is on the integer core."""
    return model.complete and all(lay.activation.name in _SUPPORTED for lay in model.layers)


# -- the denominators (the recurrence of core._step) ------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Step:
    """Layer ``k``'s integer recurrence: ``z = W N_{k-1} s + B g + sum_r V N_r s_r`` over
    ``den_z = g q``; the activation then gives ``x`` over ``den_x``."""

    s: int
    g: int
    skip_scales: tuple[int, ...]
    den_z: int
    den_x: int
    leaky: tuple[int, int] | None  # (gp, gq): x = z gq if z > 0 else z gp


def _leaky(lay: CompiledLayer) -> tuple[int, int] | None:
    if lay.activation.name != "leaky_relu":
        return None
    gamma = lay.activation.param("gamma")
    return int(gamma.p), int(gamma.q)


def _plan(model: Compiled, d0: int) -> list[_Step]:
    dens = [d0]
    steps = []
    for lay in model.layers:
        prev = dens[-1]
        g = prev
        for r, _ in lay.skips:
            if g % dens[r]:
                g = math.lcm(g, dens[r])
        den_z = g * int(lay.q)
        leaky = _leaky(lay)
        name = lay.activation.name
        if name == "heaviside":
            den_x = 1
        elif leaky is not None and leaky[0] != 0 and leaky[0] != leaky[1] and leaky[1] != 1:
            den_x = den_z * leaky[1]
        else:
            den_x = den_z
        steps.append(
            _Step(g // prev, g, tuple(g // dens[r] for r, _ in lay.skips), den_z, den_x, leaky)
        )
        dens.append(den_x)
    return steps


def _leaky_factors(leaky: tuple[int, int]) -> tuple[int, int]:
    """``(positive, negative)`` factors on the numerator, as core's leaky kernel applies them."""
    gp, gq = leaky
    if gp == 0:  # ReLU
        return 1, 0
    if gp == gq:  # the identity
        return 1, 1
    if gq == 1:
        return 1, gp
    return gq, gp


# -- segments: a float pass, then the modular pass, then exact values handed on ---------------


@dataclasses.dataclass
class _Known:
    """An exact layer ``x_r`` that later layers read: its float value with an error bound
    (fresh from the exact value), and its residues for the primes so far."""

    xhat: Any
    e: Any
    residues: Any  # (len(primes), rows, cols)
    more: Callable[[tuple[int, ...]], Any]  # residues for further primes

    def residues_for(self, np: Any, primes: tuple[int, ...]) -> Any:
        """Residues for ``primes`` (which extend or truncate the primes so far)."""
        have = self.residues.shape[0]
        if len(primes) > have:
            self.residues = np.concatenate([self.residues, self.more(primes[have:])])
        return self.residues[: len(primes)]


@dataclasses.dataclass
class _Segment:
    """The float pass over layers ``start + 1 .. stop``."""

    start: int
    stop: int
    positive: dict[int, Any]  # per hidden layer: the floats' guess of z > 0 (Heaviside: >= 0)
    doubtful: dict[int, Any]  # per hidden layer: boolean array, sign not certain
    magnitude: int  # bound on every numerator that gets reconstructed


def _last_readers(model: Compiled) -> dict[int, int]:
    """For each layer ``r``, the last layer ``k`` that reads ``x_r`` (as ``x_{k-1}`` or a skip)."""
    out: dict[int, int] = {}
    for k, lay in enumerate(model.layers, start=1):
        for r in (k - 1, *(r for r, _ in lay.skips)):
            out[r] = max(out.get(r, 0), k)
    return out


def _needed(model: Compiled, k: int) -> list[int]:
    """The layers ``r <= k`` that layers after ``k`` read: ``x_k`` and skip sources."""
    later = (r for r, last in _last_readers(model).items() if r < k and last > k)
    return sorted({k, *later})


def _float_segment(
    np: Any,
    model: Compiled,
    floats: float_pass.Floats,
    plan: list[_Step],
    known: dict[int, _Known],
    start: int,
    cols: int,
) -> _Segment | None:
    """The float pass from the exact layers ``known`` on, as far as it decides nearly every sign:
    it stops before the first layer (after the first) with more doubtful signs than points.
    The error bounds are those of :mod:`symresnet.compute.float_pass` (Higham)."""
    xs = {r: (K.xhat, K.e) for r, K in known.items()}
    signs, doubts = {}, {}
    readers = _last_readers(model)
    stop = start
    magnitude = 0
    L = model.L
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for k in range(start + 1, L + 1):
            lay, step = model.layers[k - 1], plan[k - 1]
            W, Wa, B, Ba, skips = floats.layers[k - 1]
            terms = lay.W.ncols() + 1 + sum(V.ncols() for _, V in lay.skips)
            c1 = (terms + 4) * float_pass.U * 1.01
            c2 = 1.0 + (terms + 16) * float_pass.U * 1.01
            x_prev, e_prev = xs[k - 1]
            z = W @ x_prev + B
            S = Wa @ np.abs(x_prev) + Ba
            E = Wa @ e_prev
            for r, V, Va in skips:
                z += V @ xs[r][0]
                S += Va @ np.abs(xs[r][0])
                E += Va @ xs[r][1]
            e = c1 * S + c2 * E + float_pass.ABS
            if not float_pass.finite(np, z, e):
                if k == start + 1:
                    return None
                break
            name = lay.activation.name
            if k == L or name == "identity":
                x, ex = z, e
            else:
                doubt = ~(np.abs(z) > e)
                count = int(doubt.sum())
                if k > start + 1 and count > cols:
                    break  # hand the exact values on first: fresh floats decide more
                if count > DOUBTFUL_PER_POINT * cols:
                    return None
                if count:
                    doubts[k] = doubt
                    magnitude = max(magnitude, float_pass.bound(np, z, e, doubt) * step.den_z)
                if name == "heaviside":
                    x = np.where(z >= 0, 1.0, 0.0)
                    x[doubt] = 0.5
                    ex = np.where(doubt, 0.5, 0.0)
                elif name == "relu" or step.leaky is None:
                    x, ex = np.maximum(z, 0.0), e
                else:
                    gamma = float_pass.gamma(step.leaky)
                    if gamma is None:
                        return None
                    lip = max(1.0, abs(gamma))
                    x = np.where(z > 0, z, gamma * z)
                    grown = lip * e + 4 * float_pass.U * lip * (np.abs(z) + e)
                    ex = grown * (1 + 8 * float_pass.U) + float_pass.ABS
                if not float_pass.finite(np, x, ex):
                    if k == start + 1:
                        return None
                    break
            if k < L and name != "identity":
                signs[k] = z >= 0 if name == "heaviside" else z > 0
            xs[k] = (x, ex)
            stop = k
            for r in [r for r in xs if r < k and readers.get(r, 0) <= k]:
                del xs[r]  # no layer after k reads it
    for r in _needed(model, stop):
        if r > start:
            magnitude = max(magnitude, float_pass.bound(np, *xs[r]) * plan[r - 1].den_x)
    return _Segment(start, stop, signs, doubts, magnitude)


def _modular_segment(
    np: Any,
    model: Compiled,
    plan: list[_Step],
    seg: _Segment,
    known: dict[int, Any],
    primes: tuple[int, ...],
) -> dict[int, Any]:
    """Layers ``seg.start + 1 .. seg.stop`` modulo each prime (``known``: residues of the layers
    read from before), signs from the floats, doubtful ones settled by Chinese remaindering."""
    P = np.array(primes, dtype=np.float64)[:, None, None]
    Pinv = 1.0 / P
    weights = residues.weight_residues(np, model, primes)
    xs = dict(known)
    readers = _last_readers(model)
    for k in range(seg.start + 1, seg.stop + 1):
        lay, step = model.layers[k - 1], plan[k - 1]
        W, B, skips = weights(k - 1)
        Wk = (
            W
            if step.s == 1
            else residues.reduce(np, W * residues.scalar(np, step.s, primes), P, Pinv)
        )
        z = np.matmul(Wk, xs[k - 1])
        z += residues.reduce(np, B * residues.scalar(np, step.g, primes), P, Pinv)
        for (r, V), scale in zip(skips, step.skip_scales, strict=True):
            Vk = (
                V
                if scale == 1
                else residues.reduce(np, V * residues.scalar(np, scale, primes), P, Pinv)
            )
            z += np.matmul(Vk, xs[r])
        residues.reduce(np, z, P, Pinv)
        for r in [r for r in xs if r < k and readers.get(r, 0) <= k]:
            del xs[r]  # no layer after k reads it: free its residues
        name = lay.activation.name
        if k == model.L or name == "identity":
            xs[k] = z
            continue
        positive = seg.positive[k].copy()
        if k in seg.doubtful:
            crt = residues.crt(primes)
            for i, j in zip(*np.nonzero(seg.doubtful[k]), strict=True):
                exact = crt.signed([int(v) for v in z[:, i, j]])
                positive[i, j] = exact > 0 if name != "heaviside" else exact >= 0
        if name == "heaviside":
            xs[k] = np.broadcast_to(positive.astype(np.float64), z.shape)
        elif name == "relu" or step.leaky is None:
            z *= positive
            xs[k] = z
        else:
            up, down = _leaky_factors(step.leaky)
            factor = np.where(
                positive, residues.scalar(np, up, primes), residues.scalar(np, down, primes)
            )
            xs[k] = residues.reduce(np, z * factor, P, Pinv)
    return xs


def outputs(model: Compiled, X: Scaled) -> Scaled | None:
    """``x_L`` (Def. 1.5.4) at every column of ``X``, exactly, by the modular path; ``None``
    where it does not apply (then use :func:`symresnet.compute.core.run`).  Same value as
    ``core.run(model, X)[-1].x``."""
    if X.shape[1] < MIN_COLUMNS or X.shape[0] != model.dims[0] or not supports(model):
        return None
    if not float_pass.ieee(np):  # pragma: no cover - only under a changed floating-point mode
        return None
    floats = float_pass.floats(np, model)
    if floats is None:
        return None
    terms = max(lay.W.ncols() + 1 + sum(V.ncols() for _, V in lay.skips) for lay in model.layers)
    bound = residues.prime_bound(terms)
    if bound < 1 << 12:
        return None
    plan = _plan(model, int(X.den))
    entries = residues.entries(np, X.num)
    xh = float_pass.divided(np, entries, int(X.den), X.shape)
    if xh is None:
        return None
    rows, cols = X.shape
    known = {
        0: _Known(
            xh,
            np.abs(xh) * (2 * float_pass.U),  # one rounding
            np.zeros((0, rows, cols)),
            lambda new: residues.matrix_residues(np, X.num, entries, new),
        )
    }
    start = 0
    while True:
        seg = _float_segment(np, model, floats, plan, known, start, cols)
        if seg is None:
            return None
        primes = residues.primes(bound, seg.magnitude)
        if len(primes) > MAX_PRIMES:
            return None
        known_residues = {r: K.residues_for(np, primes) for r, K in known.items()}
        xs = _modular_segment(np, model, plan, seg, known_residues, primes)
        later: dict[int, _Known] = {}
        for r in _needed(model, seg.stop):
            if r in known:
                later[r] = known[r]
                continue
            shape = xs[r].shape[1:]
            digits = residues.digits(np, xs[r], primes)
            if r == model.L:
                num = residues.fmpz_of_digits(np, digits, primes, shape)
                return Scaled(num, flint.fmpz(plan[-1].den_x))
            fl = float_pass.floats_of_digits(np, digits, primes, plan[r - 1].den_x, shape)
            if fl is None:
                return None
            later[r] = _Known(
                *fl,
                np.ascontiguousarray(xs[r]),
                functools.partial(residues.residues_of_digits, np, digits, primes, shape=shape),
            )
        known, start = later, seg.stop
