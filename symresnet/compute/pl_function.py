"""Exact continuous piecewise-linear functions of one real parameter (a fast equality test).

The symbolic realization of Def. 1.5.4 with one parameter ``t`` (in the input, a weight's
neighbour, the claimed value) and a piecewise-linear activation is a continuous
piecewise-linear function ``R -> R`` of ``t``, written by sympy as nested ``Max(0, ...)``.
Deciding whether two such sympy expressions are equal by simplification is slow (sympy
rebuilds and compares nested ``Max``); as :class:`PLFunction` s -- breakpoints and one affine
piece ``s t + c`` between each two, every number a python-flint ``fmpq`` -- two functions are
equal exactly when their reduced forms are (no two neighbouring pieces equal), which takes a
few additions.

:class:`PLConverter` turns sympy expressions built from rationals, the parameter, ``+``,
products with at most one non-constant factor, ``Max``, ``Min`` and ``Abs`` into
:class:`PLFunction` s (``None`` for anything else: another symbol, a product of two
functions, a closed form, a float), with given functions for some symbols (the names a
derivation gives to large values, :mod:`symresnet.explain.derivation`).  Used to check
derivations exactly; the caller falls back to sympy where the answer is ``None``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import flint
import sympy

__all__ = ["PLConverter", "PLFunction"]

Affine = tuple[flint.fmpq, flint.fmpq]  # (slope, intercept)

_ZERO = flint.fmpq(0)
_ONE = flint.fmpq(1)


@dataclasses.dataclass(frozen=True)
class PLFunction:
    """``t -> s_j t + c_j`` for ``t`` between ``breaks[j - 1]`` and ``breaks[j]`` (the first
    and last pieces unbounded), continuous, in reduced form: ``breaks`` strictly increasing
    and no two neighbouring ``pieces`` equal (so two functions are equal iff their forms are)."""

    breaks: tuple[flint.fmpq, ...]
    pieces: tuple[Affine, ...]

    @staticmethod
    def constant(c: flint.fmpq) -> PLFunction:
        return PLFunction((), ((_ZERO, c),))

    @staticmethod
    def identity() -> PLFunction:
        return PLFunction((), ((_ONE, _ZERO),))

    @property
    def is_constant(self) -> bool:
        return not self.breaks and self.pieces[0][0] == 0

    @property
    def takes_both_signs(self) -> bool:
        """``f(t) > 0`` for some ``t`` and ``f(t) < 0`` for another."""
        s0, s1 = self.pieces[0][0], self.pieces[-1][0]  # the slopes towards -oo and +oo
        if not self.breaks:
            return s0 != 0
        values = [s * b + c for b, (s, c) in zip(self.breaks, self.pieces, strict=False)]
        positive = s0 < 0 or s1 > 0 or any(v > 0 for v in values)
        negative = s0 > 0 or s1 < 0 or any(v < 0 for v in values)
        return positive and negative

    def scaled(self, c: flint.fmpq) -> PLFunction:
        """``c f``."""
        if c == 0:
            return PLFunction.constant(_ZERO)
        return PLFunction(self.breaks, tuple((c * s, c * b) for s, b in self.pieces))

    def __add__(self, other: PLFunction) -> PLFunction:
        return _combine(self, other, lambda p, q: [(p[0] + q[0], p[1] + q[1])])

    def maximum(self, other: PLFunction) -> PLFunction:
        """``max(f, g)`` pointwise."""
        return _combine(self, other, None, larger=True)

    def minimum(self, other: PLFunction) -> PLFunction:
        """``min(f, g)`` pointwise."""
        return _combine(self, other, None, larger=False)


def _grid(
    f: PLFunction, g: PLFunction
) -> list[tuple[flint.fmpq | None, flint.fmpq | None, Affine, Affine]]:
    """The common refinement: ``(lo, hi, piece of f, piece of g)`` per interval (``None`` for an
    infinite end)."""
    points = sorted(set(f.breaks) | set(g.breaks))
    out = []
    i = j = 0
    lo: flint.fmpq | None = None
    for hi in [*points, None]:
        while i < len(f.breaks) and lo is not None and f.breaks[i] <= lo:
            i += 1
        while j < len(g.breaks) and lo is not None and g.breaks[j] <= lo:
            j += 1
        out.append((lo, hi, f.pieces[i], g.pieces[j]))
        lo = hi
    return out


def _inside(lo: flint.fmpq | None, hi: flint.fmpq | None) -> flint.fmpq:
    """A point strictly between ``lo`` and ``hi``."""
    if lo is None and hi is None:
        return _ZERO
    if lo is None:
        return hi - _ONE  # type: ignore[operator]
    if hi is None:
        return lo + _ONE
    return (lo + hi) / 2


def _combine(
    f: PLFunction,
    g: PLFunction,
    op: Callable[[Affine, Affine], list[Affine]] | None,
    *,
    larger: bool = True,
) -> PLFunction:
    breaks: list[flint.fmpq] = []
    pieces: list[Affine] = []

    def push(at: flint.fmpq | None, piece: Affine) -> None:
        if pieces and pieces[-1] == piece:
            return
        if pieces:
            breaks.append(at)  # type: ignore[arg-type]
        pieces.append(piece)

    for lo, hi, p, q in _grid(f, g):
        if op is not None:
            push(lo, op(p, q)[0])
            continue
        s, c = p[0] - q[0], p[1] - q[1]  # f - g on the interval
        if s != 0:
            root = -c / s
            if (lo is None or lo < root) and (hi is None or root < hi):
                left, right = (q, p) if (s > 0) is larger else (p, q)
                push(lo, left)
                push(root, right)
                continue
        x = _inside(lo, hi)
        d = s * x + c
        push(lo, p if (d >= 0) is larger else q)
    return PLFunction(tuple(breaks), tuple(pieces))


class PLConverter:
    """sympy expressions in ``symbol`` (and in the symbols of ``known``, which stand for the
    given functions) as :class:`PLFunction` s, memoized; ``None`` where the expression is not
    of that kind (module docstring)."""

    def __init__(self, symbol: sympy.Symbol | None, known: dict[sympy.Symbol, PLFunction]) -> None:
        self.symbol = symbol
        self.known = known
        self._memo: dict[sympy.Basic, PLFunction | None] = {}

    def __call__(self, e: sympy.Basic) -> PLFunction | None:
        hit = self._memo.get(e, False)
        if hit is not False:
            return hit  # type: ignore[return-value]
        out = self._convert(e)
        self._memo[e] = out
        return out

    def _all(self, args: Iterable[sympy.Basic]) -> list[PLFunction] | None:
        out = []
        for a in args:
            f = self(a)
            if f is None:
                return None
            out.append(f)
        return out

    def _convert(self, e: sympy.Basic) -> PLFunction | None:
        if e.is_Rational:
            return PLFunction.constant(flint.fmpq(int(e.p), int(e.q)))
        if e.is_Symbol:
            if e == self.symbol:
                return PLFunction.identity()
            return self.known.get(e)
        if isinstance(e, sympy.Add):
            fs = self._all(e.args)
            if fs is None:
                return None
            total = fs[0]
            for f in fs[1:]:
                total = total + f
            return total
        if isinstance(e, sympy.Mul):
            fs = self._all(e.args)
            if fs is None:
                return None
            varying = [f for f in fs if not f.is_constant]
            if len(varying) > 1:
                return None  # a product of two functions of t is not piecewise linear
            c = _ONE
            for f in fs:
                if f.is_constant:
                    c *= f.pieces[0][1]
            return varying[0].scaled(c) if varying else PLFunction.constant(c)
        if isinstance(e, (sympy.Max, sympy.Min)):
            fs = self._all(e.args)
            if fs is None:
                return None
            out = fs[0]
            for f in fs[1:]:
                out = out.maximum(f) if isinstance(e, sympy.Max) else out.minimum(f)
            return out
        if isinstance(e, sympy.Abs):
            g = self(e.args[0])
            return None if g is None else g.maximum(g.scaled(flint.fmpq(-1)))
        return None
