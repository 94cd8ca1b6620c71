"""Rigorous interval bounds of closed-form real numbers, with Arb (python-flint's ``arb``).

:func:`interval_sign` proves the sign of a sympy number without free symbols -- ``tanh(1000)
- 1``, ``log(1 + exp(1000)) - 1000``, ``pi - 22/7`` -- by evaluating it in ball arithmetic at
increasing precision until the ball excludes ``0``.

Why this is a proof: an ``arb`` is a ball ``[m +/- r]`` (a midpoint and a radius, both exact
binary numbers), and every Arb operation and function returns a ball that is *guaranteed* to
contain the exact result for every point of its input balls (Arb's contract: rigorous error
bounds, including the rounding of the midpoint, the truncation of series and the error of
each elementary function; https://arblib.org, "Ball arithmetic").  Rationals enter as balls
that contain them (integers exactly), and ``pi`` and ``e`` as Arb's enclosures of them.  So the
ball computed for an expression contains its exact value; if every point of the ball is
positive (``ball > 0`` in python-flint is ``True`` only then), the value is positive.  Nothing
here ever concludes *equality*: a ball that keeps containing ``0`` decides nothing (an exact
zero needs an exact proof, :func:`symresnet.values.relations.sign`).

Only the operations listed in :data:`_FUNCTIONS` and ``+``, ``*``, ``^`` are evaluated; any
other node (``Piecewise``, an unknown function, a symbol) gives ``None``: no bound, no claim.
A power with a non-integer exponent needs a base proven positive (sympy's principal root of a
negative number is not real), a logarithm an argument proven positive (Arb returns ``nan``
otherwise, which is never a proof either).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sympy
from flint import arb, ctx, fmpq, fmpz

__all__ = ["MAX_PRECISION", "PRECISIONS", "enclosure", "interval_sign"]

#: the highest working precision (bits) tried: about 9,900 decimal digits, which separates
#: ``tanh(1000)`` from ``1`` (about 2,900 bits needed) and any number from a user rational of
#: up to the default ``Limits.max_digits`` (5,000 digits)
MAX_PRECISION = 1 << 15

#: the working precisions tried, lowest first (each doubles the last)
PRECISIONS: tuple[int, ...] = tuple(64 << i for i in range((MAX_PRECISION // 64).bit_length()))

_FUNCTIONS: dict[type, Callable[[arb], arb]] = {
    sympy.exp: arb.exp,
    sympy.sin: arb.sin,
    sympy.cos: arb.cos,
    sympy.tan: arb.tan,
    sympy.tanh: arb.tanh,
    sympy.sinh: arb.sinh,
    sympy.cosh: arb.cosh,
    sympy.atan: arb.atan,
    sympy.asin: arb.asin,
    sympy.acos: arb.acos,
    sympy.erf: arb.erf,
    sympy.erfc: arb.erfc,
    sympy.Abs: abs,
}


class _Unsupported(Exception):
    """A node that has no rigorous enclosure here (at any precision)."""


class _Imprecise(Exception):
    """A ball too wide at this precision: a log or root of a ball not proven positive, a
    division by a ball containing ``0``, a non-finite ball.  More precision may help."""


def _positive(ball: arb) -> arb:
    if not ball > 0:
        raise _Imprecise
    return ball


def _ball(e: sympy.Basic, memo: dict[sympy.Basic, arb]) -> arb:
    """A ball containing the value of ``e`` at the current precision (``_Unsupported`` if
    ``e`` has a node without a rigorous enclosure here)."""
    if e in memo:
        return memo[e]
    if e.is_Integer:
        out = arb(fmpz(int(e)))  # exact
    elif e.is_Rational:
        out = arb(fmpq(int(e.p), int(e.q)))
    elif e is sympy.pi:
        out = arb.pi()
    elif e is sympy.E:
        out = arb.const_e()
    elif e.is_Add:
        out = _sum(_ball(a, memo) for a in e.args)
    elif e.is_Mul:
        out = _product(_ball(a, memo) for a in e.args)
    elif e.is_Pow:
        out = _power(e, memo)
    elif isinstance(e, sympy.log) and len(e.args) == 1:
        out = _positive(_ball(e.args[0], memo)).log()
    elif isinstance(e, (sympy.Max, sympy.Min)):
        balls = [_ball(a, memo) for a in e.args]
        out = balls[0]
        for b in balls[1:]:
            out = out.max(b) if isinstance(e, sympy.Max) else out.min(b)
    elif type(e) in _FUNCTIONS and len(e.args) == 1:
        out = _FUNCTIONS[type(e)](_ball(e.args[0], memo))
    else:
        raise _Unsupported
    if not out.is_finite():
        raise _Imprecise
    memo[e] = out
    return out


def _sum(balls: Iterable[arb]) -> arb:
    out = arb(0)
    for b in balls:
        out += b
    return out


def _product(balls: Iterable[arb]) -> arb:
    out = arb(1)
    for b in balls:
        out *= b
    return out


def _power(e: sympy.Pow, memo: dict[sympy.Basic, arb]) -> arb:
    base, exponent = e.args
    b = _ball(base, memo)
    if exponent.is_Integer:
        n = int(exponent)
        if n < 0 and b.contains(0):
            raise _Imprecise
        return b ** fmpz(n)
    if exponent == sympy.S.Half:
        return _positive(b).sqrt()
    return _positive(b) ** _ball(exponent, memo)


def _enclose(e: sympy.Expr, precision: int) -> arb:
    with ctx.workprec(precision):
        try:
            return _ball(e, {})
        except (ValueError, TypeError, ZeroDivisionError):  # python-flint refused an operand
            raise _Imprecise from None


def enclosure(e: sympy.Expr, precision: int) -> arb | None:
    """A ball containing the exact value of the number ``e``, computed at ``precision`` bits;
    ``None`` when ``e`` has free symbols, a node without a rigorous enclosure here, or a ball
    that is too wide at this precision for the next operation (see the module docstring)."""
    if e.free_symbols:
        return None
    try:
        return _enclose(e, precision)
    except (_Unsupported, _Imprecise):
        return None


def interval_sign(e: sympy.Expr, precisions: Iterable[int] = PRECISIONS) -> int | None:
    """The sign (``-1`` or ``1``) of the number ``e``, proven by a ball that excludes ``0``
    at one of the ``precisions`` (bits, tried in order); ``None`` when no ball does (``e``
    may be ``0``, or closer to ``0`` than the precisions resolve) or ``e`` has free symbols or
    a node without a rigorous enclosure here."""
    if e.free_symbols:
        return None
    for precision in precisions:
        try:
            ball = _enclose(e, precision)
        except _Unsupported:
            return None
        except _Imprecise:
            continue
        if ball > 0:
            return 1
        if ball < 0:
            return -1
    return None
