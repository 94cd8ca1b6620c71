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
:class:`~symresnet.compute.core.Scaled` output; the float pass only decides *which* exact branch each
neuron takes, and every doubtful decision is settled exactly.  When this path does not apply
(another activation, values beyond float range, numpy missing, too many doubtful signs,
values so large that the integer core is faster)
:func:`outputs` returns ``None`` and the caller runs the integer core.

Error bound (Higham, *Accuracy and Stability of Numerical Algorithms*, Sec. 3.1): with
``u = 2**-53``, ``m`` the number of terms of a pre-activation, weights rounded to
``W_hat = fl(W)`` (``|W_hat - W| <= u |W|``) and ``|x_hat - x| <= e``::

    |z_hat - z| <= (gamma_m + u') S + (1 + u') E,
    S = |W_hat| |x_hat| + |B_hat| + sum_r |V_hat| |x_hat_r|,   E = |W_hat| e + sum_r |V_hat| e_r

(``gamma_m = m u / (1 - m u)``, ``u' = u / (1 - u)``), with ``S`` and ``E`` themselves
computed in floating point: the constants below overestimate every factor, and an absolute
``2**-1000`` per layer covers underflow.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import weakref
from collections.abc import Callable
from typing import Any

import flint
import numpy as np

from symresnet.compute.core import Compiled, CompiledLayer, Scaled

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

_U = 2.0**-53
_ABS = 2.0**-1000  # absolute slack per layer: underflow in any product
_SAFE = 2.0**1000  # weights and inputs beyond this (or nonzero below 1/_SAFE): integer core
_SUPPORTED = frozenset({"relu", "leaky_relu", "heaviside", "identity"})


def supports(model: Compiled) -> bool:
    """The activation of every layer is one this path handles (ReLU, leaky ReLU, Heaviside,
    the identity) and the whole network is on the integer core."""
    return model.complete and all(lay.activation.name in _SUPPORTED for lay in model.layers)


# -- primes -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _primes_below(bound: int, count: int) -> tuple[int, ...]:
    """The ``count`` largest primes below ``bound`` (descending)."""
    out: list[int] = []
    p = bound
    while len(out) < count:
        p -= 1
        if p < 3:
            raise ValueError("not enough word-sized primes")
        if flint.fmpz(p).is_prime():
            out.append(p)
    return tuple(out)


def _prime_bound(terms: int) -> int:
    """A bound on the primes such that ``terms`` products of nearly symmetric residues
    (``|r| <= p/2 + 2``, what :func:`_reduce` leaves) plus one more residue stay below ``2**52``
    in magnitude: every float64 sum of them is an exact integer, and so is :func:`_reduce`."""
    return 2 * (math.isqrt((1 << 52) // (terms + 1)) - 3) + 1


def _primes(bound: int, magnitude: int) -> tuple[int, ...]:
    """Enough primes below ``bound`` that their product exceeds ``2 * magnitude + 1``."""
    need = (2 * magnitude + 1).bit_length()
    count = max(1, -(-need // (bound.bit_length() - 1)))
    while True:
        primes = _primes_below(bound, count)
        if math.prod(primes) > 2 * magnitude + 1:
            return primes
        count += 1


@dataclasses.dataclass(frozen=True)
class _CRT:
    """Chinese remaindering for one tuple of primes, into the symmetric range."""

    primes: tuple[int, ...]
    modulus: int
    coefficients: tuple[int, ...]  # c_i = 1 mod p_i, 0 mod p_j (j != i)

    @classmethod
    def of(cls, primes: tuple[int, ...]) -> _CRT:
        M = math.prod(primes)
        return cls(primes, M, tuple((M // p) * pow(M // p, -1, p) for p in primes))

    def signed(self, residues: list[int]) -> int:
        n = sum(r * c for r, c in zip(residues, self.coefficients, strict=True)) % self.modulus
        return n - self.modulus if 2 * n > self.modulus else n


@functools.lru_cache(maxsize=16)
def _crt(primes: tuple[int, ...]) -> _CRT:
    return _CRT.of(primes)


@functools.lru_cache(maxsize=1)
def _ieee(np: Any) -> bool:
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


# -- the network as floats and as residues (cached per compiled network) -----------------------


@dataclasses.dataclass
class _Floats:
    """Per layer ``W_hat, |W_hat|, B_hat, |B_hat|, ((r, V_hat, |V_hat|), ...)``."""

    layers: list[tuple[Any, Any, Any, Any, tuple[tuple[int, Any, Any], ...]]]


_FLOATS: weakref.WeakKeyDictionary[Compiled, _Floats | None] = weakref.WeakKeyDictionary()
_RESIDUES: weakref.WeakKeyDictionary[Compiled, dict[int, list]] = weakref.WeakKeyDictionary()
_ENTRIES: weakref.WeakKeyDictionary[Compiled, list] = weakref.WeakKeyDictionary()

_BIG = 1 << 62  # entries below this in magnitude are kept as int64


def _entries(np: Any, m: flint.fmpz_mat) -> Any:
    """The entries of ``m`` (row by row): an int64 array when they fit, else Python ints."""
    ints = [int(e) for e in m.entries()]
    if ints and (max(ints) >= _BIG or min(ints) <= -_BIG):
        return ints
    return np.array(ints, dtype=np.int64)


def _layer_entries(np: Any, model: Compiled) -> list:
    """Per layer ``(W, B, (V, ...))`` as :func:`_entries`, cached with the network."""
    try:
        return _ENTRIES[model]
    except KeyError:
        pass
    out = _ENTRIES[model] = [
        (_entries(np, lay.W), _entries(np, lay.B), tuple(_entries(np, V) for _, V in lay.skips))
        for lay in model.layers
    ]
    return out


def _divided(np: Any, values: Any, q: int, shape: tuple[int, int]) -> Any:
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


def _floats(np: Any, model: Compiled) -> _Floats | None:
    try:
        return _FLOATS[model]
    except KeyError:
        pass
    layers = []
    for lay, (W, B, Vs) in zip(model.layers, _layer_entries(np, model), strict=True):
        q = int(lay.q)
        mats = [_divided(np, W, q, _shape(lay.W)), _divided(np, B, q, _shape(lay.B))]
        skips = [
            (r, _divided(np, V, q, _shape(m))) for (r, m), V in zip(lay.skips, Vs, strict=True)
        ]
        if any(m is None for m in mats) or any(V is None for _, V in skips):
            _FLOATS[model] = None
            return None
        W, B = mats
        layers.append((W, np.abs(W), B, np.abs(B), tuple((r, V, np.abs(V)) for r, V in skips)))
    out = _FLOATS[model] = _Floats(layers)
    return out


def _shape(m: flint.fmpz_mat) -> tuple[int, int]:
    return m.nrows(), m.ncols()


def _int_residues(np: Any, values: Any, primes: tuple[int, ...]) -> Any:
    """``values mod p`` for each prime, symmetric (``|r| <= p/2``): an array
    ``(len(primes), len(values))`` of float64.  ``values``: an int64 array or Python ints."""
    P = np.array(primes, dtype=np.int64)[:, None]
    if not isinstance(values, np.ndarray) and max(values) < _BIG and min(values) > -_BIG:
        values = np.array(values, dtype=np.int64)
    if isinstance(values, np.ndarray):
        out = values[None, :] % P
    else:  # big entries: 31-bit limbs of |v|, Horner in base 2^31, the sign at the end
        mags = [abs(v) for v in values]
        limbs = max(1, -(-max(m.bit_length() for m in mags) // 31))
        mask = (1 << 31) - 1
        digits = np.array(
            [[(m >> (31 * i)) & mask for m in mags] for i in range(limbs)], dtype=np.int64
        )
        out = np.zeros((len(primes), len(values)), dtype=np.int64)
        for i in range(limbs - 1, -1, -1):
            out = (out * ((1 << 31) % P) + digits[i][None, :] % P) % P
        negative = np.array([v < 0 for v in values])
        out = np.where(negative[None, :], (P - out) % P, out)
    out -= P * (out > P // 2)
    return out.astype(np.float64)


def _matrix_residues(np: Any, m: flint.fmpz_mat, values: Any, primes: tuple[int, ...]) -> Any:
    """``m mod p`` (symmetric) stacked over ``primes``; ``values`` are ``m``'s entries
    (:func:`_entries`)."""
    return _int_residues(np, values, primes).reshape(len(primes), m.nrows(), m.ncols())


def _weight_residues(np: Any, model: Compiled, primes: tuple[int, ...]) -> Callable[[int], tuple]:
    """A function of the layer index ``k - 1`` giving ``(W mod p, B mod p, ((r, V mod p), ...))``
    stacked over ``primes``; the residues per prime are cached with the network, the stacks
    are built one layer at a time (only one layer's stack is alive at once)."""
    cache = _RESIDUES.setdefault(model, {})
    missing = tuple(p for p in primes if p not in cache)
    if missing:
        per_layer = [
            (
                _matrix_residues(np, lay.W, W, missing),
                _matrix_residues(np, lay.B, B, missing),
                [
                    (r, _matrix_residues(np, m, V, missing))
                    for (r, m), V in zip(lay.skips, Vs, strict=True)
                ],
            )
            for lay, (W, B, Vs) in zip(model.layers, _layer_entries(np, model), strict=True)
        ]
        for i, p in enumerate(missing):
            cache[p] = [(W[i], B[i], [(r, V[i]) for r, V in skips]) for W, B, skips in per_layer]

    def layer(k: int) -> tuple:
        return (
            np.stack([cache[p][k][0] for p in primes]),
            np.stack([cache[p][k][1] for p in primes]),
            [
                (r, np.stack([cache[p][k][2][s][1] for p in primes]))
                for s, (r, _) in enumerate(model.layers[k].skips)
            ],
        )

    return layer


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


# -- the float pass ---------------------------------------------------------------------------


def _int_bound(value: float) -> int:
    """An integer at least ``value`` (finite), with a margin for the rounding of the bound
    itself (computed in integers, so it cannot overflow)."""
    v = math.ceil(value)
    return v + (v >> 40) + 2


def _bound(np: Any, values: Any, errors: Any, mask: Any = None) -> int:
    """An integer bound on ``|v| + e`` over the entries (those of ``mask`` if given)."""
    total = np.abs(values) + errors
    if mask is not None:
        total = np.where(mask, total, 0.0)
    return _int_bound(float(np.max(total))) if total.size else 0


# -- the modular arithmetic -------------------------------------------------------------------

_ROUND = 1.5 * 2.0**52  # x + _ROUND - _ROUND rounds |x| < 2**51 to the nearest integer


def _reduce(np: Any, z: Any, P: Any, Pinv: Any) -> Any:
    """``z mod p`` in place, nearly symmetric (``|r| <= p/2 + 2``), for float64 integers
    ``|z| < 2**52``: ``q = round(z * fl(1/p))`` is within ``1/2 + 2**-24`` of ``z / p`` and
    ``z - q p`` is computed exactly."""
    q = z * Pinv
    q += _ROUND
    q -= _ROUND
    q *= P
    z -= q
    return z


def _balanced(np: Any, r: Any, p: float) -> Any:
    """Residues ``|r| <= p/2 + 2`` moved into the balanced range ``|r| <= (p - 1) / 2``."""
    half = (p - 1) / 2
    return r - p * (r > half) + p * (r < -half)


def _digits(np: Any, R: Any, primes: tuple[int, ...]) -> list[Any]:
    """Balanced mixed-radix digits ``v_i`` (``|v_i| <= (p_i - 1)/2``) of the integers ``n``
    with residues ``R`` (shape ``(len(primes), ...)``), ``|n| <= (prod(primes) - 1) / 2``:
    ``n = v_0 + v_1 p_0 + v_2 p_0 p_1 + ...`` (Garner's algorithm, vectorized)."""
    R = R.reshape(len(primes), -1)
    digits: list[Any] = []
    for i, p in enumerate(primes):
        pf, pinv = float(p), 1.0 / p

        def mod(a: Any, pf: float = pf, pinv: float = pinv) -> Any:
            return _reduce(np, a, pf, pinv)

        r = R[i].copy()
        if i:
            t = digits[i - 1].copy()  # sum_{j<i} v_j prod_{l<j} p_l  mod p, by Horner
            for j in range(i - 2, -1, -1):
                t = mod(t * primes[j] + digits[j])
            inv = float(pow(math.prod(primes[:i]) % p, -1, p))
            r = mod(mod(r - t) * inv)
        digits.append(_balanced(np, mod(r), pf))
    return digits


def _fmpz_of_digits(np: Any, digits: list[Any], primes: tuple[int, ...], shape) -> Any:
    """The integers with these mixed-radix digits, as an ``fmpz_mat`` of ``shape``: pairs of
    digits make one word below ``2**50`` (half the conversions), Horner on flint."""
    words, radices = [], []
    for i in range(0, len(primes), 2):
        if i + 1 < len(primes):
            words.append(digits[i] + digits[i + 1] * primes[i])
            radices.append(primes[i] * primes[i + 1])
        else:
            words.append(digits[i])
            radices.append(primes[i])
    rows, cols = shape

    def mat(w: Any) -> flint.fmpz_mat:
        return flint.fmpz_mat(rows, cols, w.astype(np.int64).tolist())

    out = mat(words[-1])
    for w, radix in zip(reversed(words[:-1]), reversed(radices[:-1]), strict=True):
        out = out * radix + mat(w)
    return out


def _floats_of_digits(
    np: Any, digits: list[Any], primes: tuple[int, ...], den: int, shape
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
        e = (len(primes) + 4) * _U * 1.01 * S + _ABS
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(e))):
        return None
    return x.reshape(shape), e.reshape(shape)


def _residues_of_digits(
    np: Any, digits: list[Any], primes: tuple[int, ...], new: tuple[int, ...], shape
) -> Any:
    """``n mod q`` for each ``q`` in ``new``, from the digits of ``n`` (Horner, in numpy)."""
    out = []
    for q in new:
        qf, qinv = float(q), 1.0 / q
        t = digits[-1].copy()
        for i in range(len(primes) - 2, -1, -1):
            t = _reduce(np, t * float(_symmetric(primes[i], q)) + digits[i], qf, qinv)
        out.append(t.reshape(shape))
    return np.stack(out)


def _symmetric(value: int, p: int) -> int:
    r = value % p
    return r - p if r > p // 2 else r


def _scalar(np: Any, value: int, primes: tuple[int, ...]) -> Any:
    """``value mod p`` for each prime, symmetric, shaped to scale a stack of matrices."""
    return np.array([_symmetric(value, p) for p in primes], dtype=np.float64)[:, None, None]


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
    floats: _Floats,
    plan: list[_Step],
    known: dict[int, _Known],
    start: int,
    cols: int,
) -> _Segment | None:
    """The float pass from the exact layers ``known`` on, as far as it decides nearly every sign:
    it stops before the first layer (after the first) with more doubtful signs than points."""
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
            c1 = (terms + 4) * _U * 1.01
            c2 = 1.0 + (terms + 16) * _U * 1.01
            x_prev, e_prev = xs[k - 1]
            z = W @ x_prev + B
            S = Wa @ np.abs(x_prev) + Ba
            E = Wa @ e_prev
            for r, V, Va in skips:
                z += V @ xs[r][0]
                S += Va @ np.abs(xs[r][0])
                E += Va @ xs[r][1]
            e = c1 * S + c2 * E + _ABS
            if not _finite(np, z, e):
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
                    magnitude = max(magnitude, _bound(np, z, e, doubt) * step.den_z)
                if name == "heaviside":
                    x = np.where(z >= 0, 1.0, 0.0)
                    x[doubt] = 0.5
                    ex = np.where(doubt, 0.5, 0.0)
                elif name == "relu" or step.leaky is None:
                    x, ex = np.maximum(z, 0.0), e
                else:
                    gamma = _gamma(step.leaky)
                    if gamma is None:
                        return None
                    lip = max(1.0, abs(gamma))
                    x = np.where(z > 0, z, gamma * z)
                    ex = (lip * e + 4 * _U * lip * (np.abs(z) + e)) * (1 + 8 * _U) + _ABS
                if not _finite(np, x, ex):
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
            magnitude = max(magnitude, _bound(np, *xs[r]) * plan[r - 1].den_x)
    return _Segment(start, stop, signs, doubts, magnitude)


def _finite(np: Any, values: Any, errors: Any) -> bool:
    """``|v| + e`` is finite everywhere (so every bound taken from it is)."""
    return bool(np.all(np.isfinite(np.abs(values) + errors)))


def _gamma(leaky: tuple[int, int]) -> float | None:
    """The leaky slope ``gp / gq`` as a float (correctly rounded), ``None`` unless it is zero
    or in the safe range, where its rounding error is relative."""
    gp, gq = leaky
    if gp == 0:
        return 0.0
    try:
        gamma = gp / gq
    except OverflowError:
        return None
    return gamma if 1 / _SAFE <= abs(gamma) <= _SAFE else None


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
    weights = _weight_residues(np, model, primes)
    xs = dict(known)
    readers = _last_readers(model)
    for k in range(seg.start + 1, seg.stop + 1):
        lay, step = model.layers[k - 1], plan[k - 1]
        W, B, skips = weights(k - 1)
        Wk = W if step.s == 1 else _reduce(np, W * _scalar(np, step.s, primes), P, Pinv)
        z = np.matmul(Wk, xs[k - 1])
        z += _reduce(np, B * _scalar(np, step.g, primes), P, Pinv)
        for (r, V), scale in zip(skips, step.skip_scales, strict=True):
            Vk = V if scale == 1 else _reduce(np, V * _scalar(np, scale, primes), P, Pinv)
            z += np.matmul(Vk, xs[r])
        _reduce(np, z, P, Pinv)
        for r in [r for r in xs if r < k and readers.get(r, 0) <= k]:
            del xs[r]  # no layer after k reads it: free its residues
        name = lay.activation.name
        if k == model.L or name == "identity":
            xs[k] = z
            continue
        positive = seg.positive[k].copy()
        if k in seg.doubtful:
            crt = _crt(primes)
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
            factor = np.where(positive, _scalar(np, up, primes), _scalar(np, down, primes))
            xs[k] = _reduce(np, z * factor, P, Pinv)
    return xs


def outputs(model: Compiled, X: Scaled) -> Scaled | None:
    """``x_L`` (Def. 1.5.4) at every column of ``X``, exactly, by the modular path; ``None``
    where it does not apply (then use :func:`symresnet.compute.core.run`).  Same value as
    ``core.run(model, X)[-1].x``."""
    if X.shape[1] < MIN_COLUMNS or X.shape[0] != model.dims[0] or not supports(model):
        return None
    if not _ieee(np):  # pragma: no cover - only under a changed floating-point mode
        return None
    floats = _floats(np, model)
    if floats is None:
        return None
    terms = max(lay.W.ncols() + 1 + sum(V.ncols() for _, V in lay.skips) for lay in model.layers)
    bound = _prime_bound(terms)
    if bound < 1 << 12:
        return None
    plan = _plan(model, int(X.den))
    entries = _entries(np, X.num)
    xh = _divided(np, entries, int(X.den), X.shape)
    if xh is None:
        return None
    rows, cols = X.shape
    known = {
        0: _Known(
            xh,
            np.abs(xh) * (2 * _U),  # one rounding
            np.zeros((0, rows, cols)),
            lambda new: _matrix_residues(np, X.num, entries, new),
        )
    }
    start = 0
    while True:
        seg = _float_segment(np, model, floats, plan, known, start, cols)
        if seg is None:
            return None
        primes = _primes(bound, seg.magnitude)
        if len(primes) > MAX_PRIMES:
            return None
        residues = {r: K.residues_for(np, primes) for r, K in known.items()}
        xs = _modular_segment(np, model, plan, seg, residues, primes)
        later: dict[int, _Known] = {}
        for r in _needed(model, seg.stop):
            if r in known:
                later[r] = known[r]
                continue
            shape = xs[r].shape[1:]
            digits = _digits(np, xs[r], primes)
            if r == model.L:
                num = _fmpz_of_digits(np, digits, primes, shape)
                return Scaled(num, flint.fmpz(plan[-1].den_x))
            fl = _floats_of_digits(np, digits, primes, plan[r - 1].den_x, shape)
            if fl is None:
                return None
            later[r] = _Known(
                *fl,
                np.ascontiguousarray(xs[r]),
                functools.partial(_residues_of_digits, np, digits, primes, shape=shape),
            )
        known, start = later, seg.stop
