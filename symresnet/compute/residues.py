"""Exact integers by their residues modulo word-sized primes: primes, CRT and Garner's digits.

The multi-modular batch path (:mod:`symresnet.compute.modular`) runs the integer recurrence of
a realization (Def. 1.5.4) modulo word-sized primes ``p``, as float64 matrices of residues:
every product and sum is an exact integer below ``2**52`` (:func:`prime_bound` bounds the
primes so, :func:`reduce` reduces exactly).  An integer is recovered from its residues by
Chinese remaindering (:class:`CRT`, one value at a time: the signs the float pass leaves open)
or from Garner's mixed-radix digits (:func:`digits`, vectorized): as an ``fmpz_mat``
(:func:`fmpz_of_digits`) or as its residues for further primes (:func:`residues_of_digits`).
The integer entries of a compiled network and their residues are cached per
:class:`~symresnet.compute.core.Compiled` network (``WeakKeyDictionary``).  The functions take
the numpy module as their argument ``np``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import weakref
from collections.abc import Callable
from typing import Any

import flint

from symresnet.compute.core import Compiled

__all__ = [
    "CRT",
    "crt",
    "digits",
    "entries",
    "fmpz_of_digits",
    "layer_entries",
    "matrix_residues",
    "prime_bound",
    "primes",
    "reduce",
    "residues_of_digits",
    "scalar",
    "weight_residues",
]


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


def prime_bound(terms: int) -> int:
    """A bound on the primes such that ``terms`` products of nearly symmetric residues
    (``|r| <= p/2 + 2``, what :func:`reduce` leaves) plus one more residue stay below ``2**52``
    in magnitude: every float64 sum of them is an exact integer, and so is :func:`reduce`."""
    return 2 * (math.isqrt((1 << 52) // (terms + 1)) - 3) + 1


def primes(bound: int, magnitude: int) -> tuple[int, ...]:
    """Enough primes below ``bound`` that their product exceeds ``2 * magnitude + 1``."""
    need = (2 * magnitude + 1).bit_length()
    count = max(1, -(-need // (bound.bit_length() - 1)))
    while True:
        primes = _primes_below(bound, count)
        if math.prod(primes) > 2 * magnitude + 1:
            return primes
        count += 1


# -- Chinese remaindering --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CRT:
    """Chinese remaindering for one tuple of primes, into the symmetric range."""

    primes: tuple[int, ...]
    modulus: int
    coefficients: tuple[int, ...]  # c_i = 1 mod p_i, 0 mod p_j (j != i)

    @classmethod
    def of(cls, primes: tuple[int, ...]) -> CRT:
        M = math.prod(primes)
        return cls(primes, M, tuple((M // p) * pow(M // p, -1, p) for p in primes))

    def signed(self, residues: list[int]) -> int:
        n = sum(r * c for r, c in zip(residues, self.coefficients, strict=True)) % self.modulus
        return n - self.modulus if 2 * n > self.modulus else n


@functools.lru_cache(maxsize=16)
def crt(primes: tuple[int, ...]) -> CRT:
    """The :class:`CRT` of ``primes`` (cached)."""
    return CRT.of(primes)


# -- the network's entries and residues (cached per compiled network) --------------------------


_RESIDUES: weakref.WeakKeyDictionary[Compiled, dict[int, list]] = weakref.WeakKeyDictionary()
_ENTRIES: weakref.WeakKeyDictionary[Compiled, list] = weakref.WeakKeyDictionary()

_BIG = 1 << 62  # entries below this in magnitude are kept as int64


def entries(np: Any, m: flint.fmpz_mat) -> Any:
    """The entries of ``m`` (row by row): an int64 array when they fit, else Python ints."""
    ints = [int(e) for e in m.entries()]
    if ints and (max(ints) >= _BIG or min(ints) <= -_BIG):
        return ints
    return np.array(ints, dtype=np.int64)


def layer_entries(np: Any, model: Compiled) -> list:
    """Per layer ``(W, B, (V, ...))`` as :func:`entries`, cached with the network."""
    try:
        return _ENTRIES[model]
    except KeyError:
        pass
    out = _ENTRIES[model] = [
        (entries(np, lay.W), entries(np, lay.B), tuple(entries(np, V) for _, V in lay.skips))
        for lay in model.layers
    ]
    return out


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


def matrix_residues(np: Any, m: flint.fmpz_mat, values: Any, primes: tuple[int, ...]) -> Any:
    """``m mod p`` (symmetric) stacked over ``primes``; ``values`` are ``m``'s entries
    (:func:`entries`)."""
    return _int_residues(np, values, primes).reshape(len(primes), m.nrows(), m.ncols())


def weight_residues(np: Any, model: Compiled, primes: tuple[int, ...]) -> Callable[[int], tuple]:
    """A function of the layer index ``k - 1`` giving ``(W mod p, B mod p, ((r, V mod p), ...))``
    stacked over ``primes``; the residues per prime are cached with the network, the stacks
    are built one layer at a time (only one layer's stack is alive at once)."""
    cache = _RESIDUES.setdefault(model, {})
    missing = tuple(p for p in primes if p not in cache)
    if missing:
        per_layer = [
            (
                matrix_residues(np, lay.W, W, missing),
                matrix_residues(np, lay.B, B, missing),
                [
                    (r, matrix_residues(np, m, V, missing))
                    for (r, m), V in zip(lay.skips, Vs, strict=True)
                ],
            )
            for lay, (W, B, Vs) in zip(model.layers, layer_entries(np, model), strict=True)
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


# -- the modular arithmetic -------------------------------------------------------------------

_ROUND = 1.5 * 2.0**52  # x + _ROUND - _ROUND rounds |x| < 2**51 to the nearest integer


def reduce(np: Any, z: Any, P: Any, Pinv: Any) -> Any:
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


# -- Garner's digits: the integers back from their residues -----------------------------------


def digits(np: Any, R: Any, primes: tuple[int, ...]) -> list[Any]:
    """Balanced mixed-radix digits ``v_i`` (``|v_i| <= (p_i - 1)/2``) of the integers ``n``
    with residues ``R`` (shape ``(len(primes), ...)``), ``|n| <= (prod(primes) - 1) / 2``:
    ``n = v_0 + v_1 p_0 + v_2 p_0 p_1 + ...`` (Garner's algorithm, vectorized)."""
    R = R.reshape(len(primes), -1)
    digits: list[Any] = []
    for i, p in enumerate(primes):
        pf, pinv = float(p), 1.0 / p

        def mod(a: Any, pf: float = pf, pinv: float = pinv) -> Any:
            return reduce(np, a, pf, pinv)

        r = R[i].copy()
        if i:
            t = digits[i - 1].copy()  # sum_{j<i} v_j prod_{l<j} p_l  mod p, by Horner
            for j in range(i - 2, -1, -1):
                t = mod(t * primes[j] + digits[j])
            inv = float(pow(math.prod(primes[:i]) % p, -1, p))
            r = mod(mod(r - t) * inv)
        digits.append(_balanced(np, mod(r), pf))
    return digits


def fmpz_of_digits(
    np: Any, digits: list[Any], primes: tuple[int, ...], shape: tuple[int, int]
) -> Any:
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


def residues_of_digits(
    np: Any,
    digits: list[Any],
    primes: tuple[int, ...],
    new: tuple[int, ...],
    shape: tuple[int, int],
) -> Any:
    """``n mod q`` for each ``q`` in ``new``, from the digits of ``n`` (Horner, in numpy)."""
    out = []
    for q in new:
        qf, qinv = float(q), 1.0 / q
        t = digits[-1].copy()
        for i in range(len(primes) - 2, -1, -1):
            t = reduce(np, t * float(_symmetric(primes[i], q)) + digits[i], qf, qinv)
        out.append(t.reshape(shape))
    return np.stack(out)


def _symmetric(value: int, p: int) -> int:
    r = value % p
    return r - p if r > p // 2 else r


def scalar(np: Any, value: int, primes: tuple[int, ...]) -> Any:
    """``value mod p`` for each prime, symmetric, shaped to scale a stack of matrices."""
    return np.array([_symmetric(value, p) for p in primes], dtype=np.float64)[:, None, None]
