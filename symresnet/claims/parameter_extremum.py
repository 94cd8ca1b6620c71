"""The extremum of a realization over a box as an exact function of one parameter in the biases
(docs/parameters.md, "The extremum as a function of the parameter").

With ``b`` in the biases (affinely), ``R(x; b)`` is the realization of the network ``Phi'``
with ``x_0' = (x_0, b)`` (:func:`~symresnet.claims.parameter_box.parameter_network`), whose
exact regions ``P`` (closed polyhedra in ``(x, b)``) carry ``R_j = C_j (x, b) + d_j``.  So

    ``M(b) = max_{x in box} R_j(x; b) = max_P v_P(b)``,  ``v_P(b) = max {C_j (x, b) + d_j :
    (x, b) in P}``,

and each ``v_P`` is the value of a linear program whose right-hand side moves with ``b``: a
concave piecewise affine function on the projection of ``P``, with breakpoints only at the
``b``-coordinates of vertices of ``P`` (its graph is the upper edge of the projection of ``P``
to ``(b, C_j (x, b) + d_j)``, a polygon whose vertices are images of vertices of ``P``).
Hence, between consecutive vertex coordinates ``t_i < t_{i+1}`` (of all regions), every
``v_P`` is affine, found exactly from two exact LPs at ``t_i`` and ``t_{i+1}``, and ``M`` is
the upper envelope of these lines there, computed exactly (the minimum likewise, with
``min``).  Consecutive pieces with the same line are merged.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

import sympy

from symresnet.compute.regions import Decomposition
from symresnet.solve import lp
from symresnet.solve.realsets import RealNumber, Span
from symresnet.values.exact import exact_str

__all__ = ["AffinePiece", "ExtremumFunction", "extremum_function"]


@dataclasses.dataclass(frozen=True)
class AffinePiece:
    """``slope * b + intercept`` for ``lo <= b <= hi`` (``None``: unbounded)."""

    lo: Fraction | None
    hi: Fraction | None
    slope: Fraction
    intercept: Fraction

    def at(self, t: Fraction) -> Fraction:
        return self.slope * t + self.intercept

    def expr(self, b: sympy.Symbol) -> sympy.Expr:
        q = lambda v: sympy.Rational(v.numerator, v.denominator)  # noqa: E731
        return q(self.slope) * b + q(self.intercept)

    def span(self) -> Span:
        r = RealNumber.rational
        return Span(
            None if self.lo is None else r(self.lo),
            None if self.hi is None else r(self.hi),
            self.lo is not None,
            self.hi is not None,
        )


@dataclasses.dataclass(frozen=True)
class ExtremumFunction:
    """``side`` (``"max"``/``"min"``) of output coordinate ``coordinate`` (0-based) over the
    box, as a continuous piecewise affine function of the parameter, pieces in order."""

    side: Literal["min", "max"]
    coordinate: int
    pieces: tuple[AffinePiece, ...]

    def at(self, t: Fraction) -> Fraction:
        for p in self.pieces:
            if (p.lo is None or p.lo <= t) and (p.hi is None or t <= p.hi):
                return p.at(t)
        raise ValueError(f"{t} is outside the parameter's range")

    def piecewise(self, b: sympy.Symbol) -> sympy.Piecewise:
        """As a sympy ``Piecewise`` (each piece with its condition ``b <= hi``)."""
        args = [(p.expr(b), sympy.true if p.hi is None else b <= p.hi) for p in self.pieces]
        args[-1] = (args[-1][0], sympy.true)
        return sympy.Piecewise(*args)

    def text(self, name: str) -> str:
        """``5 for b <= 1, b + 4 for b >= 1``."""
        b = sympy.Symbol(name, real=True)
        parts = []
        for p in self.pieces:
            value = exact_str(p.expr(b)) if p.slope else exact_str(p.intercept)
            where = "every " + name if p.lo is None and p.hi is None else p.span().text(name)
            parts.append(f"{value} for {where}")
        return ", ".join(parts)


def _solve(rows: Sequence[Sequence[Fraction]], rhs: Sequence[Fraction]) -> list[Fraction] | None:
    """The unique solution of the square system, by exact Gaussian elimination, or None."""
    n = len(rows)
    M = [[*r, v] for r, v in zip(rows, rhs, strict=True)]
    for c in range(n):
        p = next((i for i in range(c, n) if M[i][c] != 0), None)
        if p is None:
            return None
        M[c], M[p] = M[p], M[c]
        for i in range(n):
            if i != c and M[i][c] != 0:
                f = M[i][c] / M[c][c]
                M[i] = [a - f * z for a, z in zip(M[i], M[c], strict=True)]
    return [M[i][n] / M[i][i] for i in range(n)]


def _vertex_coordinates(A, rhs) -> set[Fraction]:
    """The last coordinates of the vertices of ``{z : A z <= rhs}`` (closed)."""
    n = len(A[0])
    out: set[Fraction] = set()
    for subset in itertools.combinations(range(len(A)), n):
        z = _solve([A[i] for i in subset], [rhs[i] for i in subset])
        if z is not None and all(
            sum((a * v for a, v in zip(row, z, strict=True)), Fraction(0)) <= r
            for row, r in zip(A, rhs, strict=True)
        ):
            out.add(z[-1])
    return out


def _envelope(
    lines: list[tuple[Fraction, Fraction]], a: Fraction | None, z: Fraction | None, sign: int
) -> list[AffinePiece]:
    """The upper envelope (``sign = 1``; lower for ``-1``) of the lines ``(slope, intercept)``
    on the interval from ``a`` to ``z``, ``a`` or ``z`` possibly unbounded (``None``), not
    both."""
    if a is None:  # mirror: b -> -b
        assert z is not None
        mirrored = _envelope([(-s, c) for s, c in lines], -z, None, sign)
        return [
            AffinePiece(_neg(p.hi), _neg(p.lo), -p.slope, p.intercept) for p in reversed(mirrored)
        ]
    L = [(sign * s, sign * c) for s, c in set(lines)]
    out: list[AffinePiece] = []
    t: Fraction = a
    cur = max(L, key=lambda ln: (ln[0] * t + ln[1], ln[0]))
    while True:
        nxt = None
        for s, c in L:
            if s > cur[0]:
                cross = (cur[1] - c) / (s - cur[0])
                if cross > t and (z is None or cross < z):
                    key = (cross, -s)
                    if nxt is None or key < nxt[0]:
                        nxt = (key, (s, c))
        end = None if nxt is None else nxt[0][0]
        if nxt is None:
            end = z
        out.append(AffinePiece(t, end, sign * cur[0], sign * cur[1]))
        if nxt is None:
            return out
        t, cur = nxt[0][0], nxt[1]


def _neg(v: Fraction | None) -> Fraction | None:
    return None if v is None else -v


def _value(region, j: int, t: Fraction, sign: int) -> Fraction | None:
    """``max`` (sign 1) / ``min`` (-1) of ``R_j`` over the region's fiber at ``b = t``."""
    n = len(region.A[0])
    e = [Fraction(0)] * (n - 1) + [Fraction(1)]
    c = [sign * v for v in region.C[j]]
    res = lp.maximize(c, [*region.A, e, [-v for v in e]], [*region.b, t, -t])
    if res.status != "optimal" or res.value is None:
        return None
    return sign * res.value + region.d[j]


def extremum_function(
    dec: Decomposition,
    *,
    side: Literal["min", "max"],
    coordinate: int = 0,
    lo: Fraction | None = None,
    hi: Fraction | None = None,
) -> ExtremumFunction:
    """``side`` of output ``coordinate`` of ``dec``'s network over the box, as an exact
    function of the last input coordinate ``b`` in ``[lo, hi]`` (module docstring); ``dec``
    is the decomposition of ``box x [lo, hi]`` of :func:`parameter_network`."""
    sign = 1 if side == "max" else -1
    ts: set[Fraction] = set()
    for region in dec.pieces:
        ts |= _vertex_coordinates(region.A, region.b)
    ts |= {e for e in (lo, hi) if e is not None}
    points = sorted(t for t in ts if (lo is None or t >= lo) and (hi is None or t <= hi))
    if not points:
        points = [Fraction(0)]
    intervals: list[tuple[Fraction | None, Fraction | None]] = []
    if lo is None:
        intervals.append((None, points[0]))
    intervals += list(itertools.pairwise(points))
    if hi is None:
        intervals.append((points[-1], None))
    if not intervals:  # lo == hi
        intervals = [(points[0], points[0])]
    pieces: list[AffinePiece] = []
    for a, z in intervals:
        p, q = _probe(a, z)
        lines = []
        for region in dec.pieces:
            vp, vq = _value(region, coordinate, p, sign), _value(region, coordinate, q, sign)
            if vp is None or vq is None:
                continue
            if p == q:
                lines.append((Fraction(0), vp))
            else:
                slope = (vq - vp) / (q - p)
                lines.append((slope, vp - slope * p))
        if a is not None and z is not None and a == z:
            best = max(c for _, c in lines) if sign > 0 else min(c for _, c in lines)
            pieces.append(AffinePiece(a, z, Fraction(0), best))
            continue
        pieces += _envelope(lines, a, z, sign)
    return ExtremumFunction(side, coordinate, tuple(_merge(pieces)))


def _probe(a: Fraction | None, z: Fraction | None) -> tuple[Fraction, Fraction]:
    """Two points of the interval from ``a`` to ``z`` (one end may be unbounded): its ends."""
    if a is None:
        assert z is not None
        return z - 1, z
    return a, (a + 1 if z is None else z)


def _merge(pieces: list[AffinePiece]) -> list[AffinePiece]:
    out: list[AffinePiece] = []
    for p in pieces:
        if p.lo is not None and p.hi is not None and p.lo == p.hi and out:
            continue
        if out and (out[-1].slope, out[-1].intercept) == (p.slope, p.intercept):
            out[-1] = dataclasses.replace(out[-1], hi=p.hi)
        else:
            out.append(p)
    return out
