"""Rounding exact binary weights to simpler rationals, on request only, and reporting it.

An imported float weight is its exact binary value (``0.1`` in float32 is
``13421773/134217728``).  :func:`rationalized` replaces each entry of a matrix by the
*simplest* rational (smallest denominator, then numerator) within a tolerance, so that
``tolerance=Fraction(1, 10**6)`` turns that weight into ``1/10``; every matrix it changes is
reported as a :class:`Change`.  :func:`sqrt_within` does the same for the square roots of
BatchNormalization, which are irrational in general.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import flint

from symresnet.base.errors import InputError
from symresnet.values.rationals import to_fmpq, to_fraction

__all__ = ["Change", "check_tolerance", "rationalized", "simplest_between", "sqrt_within"]


@dataclasses.dataclass(frozen=True)
class Change:
    """What rounding changed in one place: ``entries`` entries, each by at most ``largest``."""

    place: str
    entries: int
    largest: Fraction

    def __str__(self) -> str:
        return (
            f"{self.place}: {self.entries} entr{'y' if self.entries == 1 else 'ies'} "
            f"rationalized, each by at most {self.largest} (~{float(self.largest):.3g})"
        )


def check_tolerance(tolerance: object) -> Fraction | None:
    """``tolerance`` as a Fraction ``>= 0`` (``None`` passes); floats are refused."""
    if tolerance is None:
        return None
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | Fraction):
        raise InputError(
            f"the tolerance must be an int or a Fraction, got {type(tolerance).__name__}",
            place="tolerance",
            hint="write Fraction(1, 10**9), not 1e-9",
        )
    value = Fraction(tolerance)
    if value < 0:
        raise InputError(f"the tolerance must be >= 0, got {value}", place="tolerance")
    return value


def simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The simplest rational in the closed interval ``[lo, hi]`` (``lo <= hi``): the one of
    smallest denominator, and of smallest absolute numerator among those (Stern-Brocot)."""
    if lo > hi:
        raise ValueError("simplest_between needs lo <= hi")
    if lo <= 0 <= hi:
        return Fraction(0)
    if hi < 0:
        return -simplest_between(-hi, -lo)
    # 0 < lo <= hi: continued fractions, iteratively: x = a0 + 1/(a1 + 1/(...))
    digits: list[int] = []
    while True:
        floor = lo.numerator // lo.denominator
        if floor == lo:
            digits.append(floor)
            break
        if floor + 1 <= hi:
            digits.append(floor + 1)
            break
        digits.append(floor)
        lo, hi = 1 / (hi - floor), 1 / (lo - floor)
    value = Fraction(digits[-1])
    for digit in reversed(digits[:-1]):
        value = digit + 1 / value
    return value


def rationalized(m: flint.fmpq_mat, tolerance: Fraction) -> tuple[flint.fmpq_mat, int, Fraction]:
    """``m`` with each entry replaced by the simplest rational within ``tolerance``; also the
    number of entries changed and the largest change."""
    count, largest = 0, Fraction(0)
    entries = []
    for q in m.entries():
        value = to_fraction(q)
        new = simplest_between(value - tolerance, value + tolerance)
        if new != value:
            count += 1
            largest = max(largest, abs(new - value))
        entries.append(to_fmpq(new))
    return flint.fmpq_mat(m.nrows(), m.ncols(), entries), count, largest


def exact_sqrt(q: Fraction) -> Fraction | None:
    """``sqrt(q)`` for ``q >= 0`` if it is rational, else ``None``."""
    p, d = q.numerator, q.denominator
    rp, rd = math.isqrt(p), math.isqrt(d)
    return Fraction(rp, rd) if rp * rp == p and rd * rd == d else None


def sqrt_within(q: Fraction, tolerance: Fraction) -> Fraction:
    """The simplest rational within ``tolerance > 0`` of ``sqrt(q)`` (``q >= 0``)."""
    # an enclosure lo <= sqrt(q) < lo + 2^-bits narrower than the tolerance
    bits = max(8, tolerance.denominator.bit_length() - tolerance.numerator.bit_length() + 2)
    lo = Fraction(math.isqrt(q.numerator * 4**bits // q.denominator), 2**bits)
    hi = lo + Fraction(1, 2**bits)
    return simplest_between(max(Fraction(0), hi - tolerance), lo + tolerance)
