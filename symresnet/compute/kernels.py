"""The activations on numerators: ``M_{a,d}`` (Def. 1.2.1) on ``num / den`` for the core.

In a realization (Def. 1.5.4) on :class:`~symresnet.compute.scaled.Scaled` matrices each layer
applies its activation to the numerators of the pre-activation.  ReLU, leaky ReLU, clipping,
Heaviside and RePU act on the numerators with at most one rescaling of the denominator; any
other activation that maps rationals to rationals (softsign) goes through
:meth:`Activation.apply_fraction`.  A :data:`Kernel` takes ``(num, den)`` and returns the new
``(num, den)``.

API
---
``kernel(act) -> Kernel``
    The kernel of an activation with ``act.rational``.
``apply_activation(act, z) -> fmpq_mat``
    ``M_{a,d}`` applied exactly to a ``flint.fmpq_mat``.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from math import lcm
from typing import TypeAlias

import flint
import sympy

from symresnet.base.errors import LimitError
from symresnet.compute.scaled import Scaled, frac, split
from symresnet.model.activations import Activation
from symresnet.values.limits import active_limits

__all__ = ["Kernel", "apply_activation", "kernel"]

Kernel: TypeAlias = Callable[[flint.fmpz_mat, flint.fmpz], tuple[flint.fmpz_mat, flint.fmpz]]

_Z = flint.fmpz(0)
_ONE = flint.fmpz(1)


def _rebuild(z: flint.fmpz_mat, values: list) -> flint.fmpz_mat:
    return flint.fmpz_mat(z.nrows(), z.ncols(), values)


def _relu(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
    return _rebuild(z, [e if e > _Z else _Z for e in z.entries()]), den


def _heaviside(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
    return _rebuild(z, [_ONE if e >= _Z else _Z for e in z.entries()]), _ONE


def _identity(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
    return z, den


def _leaky_kernel(gamma: sympy.Expr) -> Kernel:
    gp, gq = frac(gamma)
    if gp == 0:
        return _relu
    if gp == gq:
        return _identity
    if gq == 1:
        return lambda z, den: (_rebuild(z, [e if e > _Z else e * gp for e in z.entries()]), den)
    return lambda z, den: (
        _rebuild(z, [e * gq if e > _Z else e * gp for e in z.entries()]),
        den * gq,
    )


def _clip_kernel(u: sympy.Expr, v: sympy.Expr) -> Kernel:
    bounds = [frac(b) if b.is_finite else None for b in (u, v)]
    m = flint.fmpz(lcm(*(int(b[1]) for b in bounds if b is not None)))

    def clip(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
        new = den * m
        lo, hi = (None if b is None else b[0] * (new // b[1]) for b in bounds)
        out = []
        for e in z.entries():
            e = e * m
            if hi is not None and e > hi:
                e = hi
            if lo is not None and e < lo:
                e = lo
            out.append(e)
        return _rebuild(z, out), new

    return clip


def _repu_kernel(p: int) -> Kernel:
    if p == 1:
        return _relu

    def repu(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
        # x^p has p times the bits of x: refuse before the power would eat the memory
        bits = max(den.bit_length(), *(e.bit_length() for e in z.entries()))
        budget = active_limits().max_result_bits
        if p * bits > budget:
            raise LimitError(
                f"RePU_{p} would make values of about {p * bits} bits, more than {budget} "
                "(Limits.max_result_bits): the exact values of this network grow too fast",
                place="activation.p",
                hint="use fewer layers or a smaller power p",
            )
        return _rebuild(z, [e**p if e > _Z else _Z for e in z.entries()]), den**p

    return repu


def _fraction_kernel(act: Activation) -> Kernel:
    """Any activation exact on rationals, entry by entry through ``apply_fraction``."""

    def entrywise(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
        d = int(den)
        values = [act.apply_fraction(Fraction(int(e), d)) for e in z.entries()]
        new = lcm(*(v.denominator for v in values))
        return _rebuild(z, [v.numerator * (new // v.denominator) for v in values]), flint.fmpz(new)

    return entrywise


def kernel(act: Activation) -> Kernel:
    """``M_{a,d}`` (Def. 1.2.1) on ``num / den``: returns the new ``(num, den)``.

    Requires ``act.rational`` (the activation maps rationals to rationals).
    """
    name = act.name
    if name == "identity":
        return _identity
    if name == "relu":
        return _relu
    if name == "heaviside":
        return _heaviside
    if name == "leaky_relu":
        return _leaky_kernel(act.param("gamma"))
    if name == "clip":
        return _clip_kernel(act.param("u"), act.param("v"))
    if name == "repu":
        return _repu_kernel(int(act.param("p")))
    return _fraction_kernel(act)


def apply_activation(act: Activation, z: flint.fmpq_mat) -> flint.fmpq_mat:
    """``M_{a,d}`` (Def. 1.2.1) applied exactly to a ``fmpq_mat``."""
    num, den = split(z)
    out, new = kernel(act)(num, den)
    return Scaled(out, new).to_fmpq_mat()
