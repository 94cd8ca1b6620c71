"""The one place where exact rational numbers change type.

Four representations of the same rationals meet in symresnet: sympy's ``Rational`` (what users
and the symbolic path see), :class:`fractions.Fraction` (regions, box claims, point files),
python-flint's ``fmpq`` (the exact LP and the regions engines) and the numeric core's
``Scaled`` matrices (:mod:`symresnet.compute.scaled`, built from these).  Every conversion
between the first three goes through the functions here; each accepts any of ``int``,
``Fraction``, sympy ``Rational`` (``Integer``), ``flint.fmpz`` and ``flint.fmpq`` and refuses
floats and booleans, so that no float ever enters an exact result.
"""

from __future__ import annotations

from fractions import Fraction

import flint
import sympy

__all__ = ["to_fmpq", "to_fraction", "to_rational"]


def to_fmpq(value: object) -> flint.fmpq:
    """An exact ``flint.fmpq`` from an int, Fraction, sympy Rational, fmpz or fmpq."""
    if isinstance(value, flint.fmpq):
        return value
    if isinstance(value, sympy.Rational):  # Integer too
        return flint.fmpq(int(value.p), int(value.q))
    if isinstance(value, Fraction):
        return flint.fmpq(value.numerator, value.denominator)
    if isinstance(value, bool | float):
        raise TypeError(f"exact arithmetic needs exact numbers, got {value!r}")
    if isinstance(value, int | flint.fmpz):
        return flint.fmpq(value)
    raise TypeError(f"exact arithmetic needs rational numbers, got {value!r}")


def to_fraction(value: object) -> Fraction:
    """An exact :class:`~fractions.Fraction` from any exact rational (see :func:`to_fmpq`)."""
    if isinstance(value, Fraction):
        return value
    q = to_fmpq(value)
    return Fraction(int(q.p), int(q.q))


def to_rational(value: object) -> sympy.Rational:
    """A sympy ``Rational`` from any exact rational (see :func:`to_fmpq`)."""
    if isinstance(value, sympy.Basic) and value.is_Rational:
        return value
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    q = to_fmpq(value)
    return sympy.Rational(int(q.p), int(q.q))
