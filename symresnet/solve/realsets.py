"""Exact subsets of the real line cut out by polynomial conditions in one variable.

A parameter study with one parameter ends in a finite union of intervals and points whose
endpoints are exact real algebraic numbers (docs/design.md, "Decisions": one parameter decided exactly
by root isolation).  This module computes such sets from a Boolean combination (a disjunction of
conjunctions) of polynomial conditions ``p(t) < 0``, ``p(t) <= 0``, ``p(t) = 0`` with rational
coefficients, without any float:

1. every polynomial is factored over the integers (python-flint); the real roots of each
   irreducible factor are isolated in intervals with rational ends (sympy's exact
   ``Poly.intervals``) and bisected until the intervals of all roots are pairwise disjoint;
2. the roots ``r_1 < ... < r_m`` and rational sample points between them cut the line into
   *cells* ``(-oo, r_1), {r_1}, (r_1, r_2), ..., (r_m, oo)`` on each of which every polynomial has
   one sign, found exactly: at a rational point by evaluation, at an irrational root ``r`` of the
   irreducible ``f`` as ``0`` if ``f`` divides the polynomial, else its sign at an end of ``r``'s
   isolating interval (which holds no other root);
3. the cells where the condition holds are joined into maximal :class:`Span` s.

The numbers are :class:`RealNumber` s: a rational, or the root of an irreducible integer
polynomial singled out by an isolating interval; :meth:`RealNumber.expr` writes it as sympy
(``-33/5``, ``-1/2 + sqrt(5)/2``, ``CRootOf(x**3 - x - 1, 0)``).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

import flint
import sympy

from symresnet.values.exact import exact_str

__all__ = ["RealNumber", "RealSet", "Span", "cells", "simplest_rational"]

_X = sympy.Symbol("x")  # the variable of printed ``CRootOf`` polynomials (bound there)


def _sign(n: int) -> int:
    return (n > 0) - (n < 0)


def _poly_sign(coeffs: Sequence[int], x: Fraction) -> int:
    """The exact sign of ``sum_i coeffs[i] x^i`` (``coeffs`` lowest degree first)."""
    n, d = x.numerator, x.denominator
    deg = len(coeffs) - 1
    total = sum(c * n**i * d ** (deg - i) for i, c in enumerate(coeffs))
    return _sign(total)


@dataclasses.dataclass(frozen=True, eq=False)
class RealNumber:
    """An exact real algebraic number.

    A rational has ``poly is None`` and ``lo == hi`` its value.  Otherwise it is the unique
    root in the open interval ``(lo, hi)`` of the irreducible integer polynomial ``poly``
    (coefficients lowest degree first, degree at least 2, leading coefficient positive), its
    ``index``-th real root counting from 0 in increasing order.  Equality is equality of the
    numbers, not of the intervals.
    """

    lo: Fraction
    hi: Fraction
    poly: tuple[int, ...] | None = None
    index: int = 0

    @classmethod
    def rational(cls, value: Fraction | int) -> RealNumber:
        value = Fraction(value)
        return cls(value, value)

    @property
    def is_rational(self) -> bool:
        return self.poly is None

    @property
    def value(self) -> Fraction:
        """The rational value (only for rationals)."""
        if self.poly is not None:
            raise ValueError(f"{self.expr()} is irrational")
        return self.lo

    def _key(self) -> tuple:
        return (self.lo,) if self.poly is None else (self.poly, self.index)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RealNumber) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def bisected(self) -> RealNumber:
        """The same number with its isolating interval halved."""
        if self.poly is None:
            return self
        mid = (self.lo + self.hi) / 2
        if _poly_sign(self.poly, mid) == _poly_sign(self.poly, self.lo):
            return dataclasses.replace(self, lo=mid)
        return dataclasses.replace(self, hi=mid)

    def expr(self) -> sympy.Expr:
        """The number as an exact sympy expression: a Rational, radicals for quadratics, else
        ``CRootOf``."""
        if self.poly is None:
            return sympy.Rational(self.lo.numerator, self.lo.denominator)
        if len(self.poly) == 3:  # a t^2 + b t + c, a > 0: roots ascending
            c, b, a = (sympy.Integer(v) for v in self.poly)
            root = sympy.sqrt(b * b - 4 * a * c)
            return sympy.expand((-b + (root if self.index else -root)) / (2 * a))
        return sympy.CRootOf(sympy.Poly(list(reversed(self.poly)), _X), self.index)

    def sign_of(self, coeffs: Sequence[int], divides: bool) -> int:
        """The sign of the integer polynomial ``coeffs`` at this number; ``divides`` says
        whether this number's polynomial divides it.  Valid only when the isolating interval
        holds no root of ``coeffs`` other than this number (see :func:`_separate`)."""
        if self.poly is None:
            return _poly_sign(coeffs, self.lo)
        return 0 if divides else _poly_sign(coeffs, self.lo)

    def __lt__(self, other: RealNumber) -> bool:
        a, b = self, other
        while a != b:
            if a.hi < b.lo or (a.hi == b.lo and not (a.is_rational and b.is_rational)):
                return True
            if b.hi < a.lo or (b.hi == a.lo and not (a.is_rational and b.is_rational)):
                return False
            a, b = a.bisected(), b.bisected()
        return False

    def __repr__(self) -> str:
        return f"RealNumber({self.expr()})"


@dataclasses.dataclass(frozen=True)
class Span:
    """An interval of the real line with exact ends (``None`` is ``-oo`` / ``oo``), each end
    included iff its flag says so; a point is ``lo == hi`` with both ends closed."""

    lo: RealNumber | None
    hi: RealNumber | None
    lo_closed: bool = False
    hi_closed: bool = False

    @property
    def is_point(self) -> bool:
        return self.lo is not None and self.lo == self.hi

    def contains(self, x: Fraction | int) -> bool:
        """Whether the rational ``x`` lies in the span (exact)."""
        p = RealNumber.rational(x)
        above = self.lo is None or self.lo < p or (self.lo_closed and self.lo == p)
        below = self.hi is None or p < self.hi or (self.hi_closed and self.hi == p)
        return above and below

    def sympy_set(self) -> sympy.Set:
        if self.is_point and self.lo is not None:
            return sympy.FiniteSet(self.lo.expr())
        lo = -sympy.oo if self.lo is None else self.lo.expr()
        hi = sympy.oo if self.hi is None else self.hi.expr()
        return sympy.Interval(lo, hi, not self.lo_closed, not self.hi_closed)

    def relational(self, t: sympy.Symbol) -> sympy.Basic:
        """``t`` in the span as a sympy condition (``Eq(t, 2)``, ``t <= -2``, ``(t > 1) & ...``)."""
        if self.is_point and self.lo is not None:
            return sympy.Eq(t, self.lo.expr())
        parts = []
        if self.lo is not None:
            parts.append((sympy.Ge if self.lo_closed else sympy.Gt)(t, self.lo.expr()))
        if self.hi is not None:
            parts.append((sympy.Le if self.hi_closed else sympy.Lt)(t, self.hi.expr()))
        return sympy.And(*parts)

    def text(self, name: str) -> str:
        """Readable: ``a = -1``, ``a <= -2``, ``-1 < a <= 2``, ``a is any real number``."""
        if self.is_point and self.lo is not None:
            return f"{name} = {exact_str(self.lo.expr())}"
        lo = None if self.lo is None else exact_str(self.lo.expr())
        hi = None if self.hi is None else exact_str(self.hi.expr())
        left = "<=" if self.lo_closed else "<"
        right = "<=" if self.hi_closed else "<"
        if lo is None and hi is None:
            return f"{name} is any real number"
        if lo is None:
            return f"{name} {right} {hi}"
        if hi is None:
            return f"{name} {'>=' if self.lo_closed else '>'} {lo}"
        return f"{lo} {left} {name} {right} {hi}"

    def witness(self) -> sympy.Expr:
        """A simple exact point of the span: the simplest rational in it when there is one
        (the span has an interior or is a rational point), else the point itself."""
        if self.is_point and self.lo is not None:
            return self.lo.expr()
        # rational inner bounds: an irrational end is replaced by the inner end of its interval
        lo = None if self.lo is None else (self.lo.lo if self.lo.is_rational else self.lo.hi)
        hi = None if self.hi is None else (self.hi.hi if self.hi.is_rational else self.hi.lo)
        lo_closed = self.lo_closed and self.lo is not None and self.lo.is_rational
        hi_closed = self.hi_closed and self.hi is not None and self.hi.is_rational
        q = simplest_rational(lo, hi, lo_closed=lo_closed, hi_closed=hi_closed)
        return sympy.Rational(q.numerator, q.denominator)


def _simplest_open(lo: Fraction | None, hi: Fraction | None) -> Fraction:
    """The rational of least denominator (then least absolute value) in the open ``(lo, hi)``."""
    if (lo is None or lo < 0) and (hi is None or hi > 0):
        return Fraction(0)
    if hi is not None and hi <= 0:
        return -_simplest_open(-hi, None if lo is None else -lo)
    assert lo is not None and lo >= 0
    n = math.floor(lo) + 1
    if hi is None or n < hi:
        return Fraction(n)
    whole = math.floor(lo)  # lo, hi in [whole, whole + 1]
    inner = _simplest_open(1 / (hi - whole), None if lo == whole else 1 / (lo - whole))
    return whole + 1 / inner


def simplest_rational(
    lo: Fraction | None, hi: Fraction | None, *, lo_closed: bool = False, hi_closed: bool = False
) -> Fraction:
    """The simplest rational (least denominator, then least absolute value) in the interval
    from ``lo`` to ``hi`` (``None``: unbounded; closed ends included).  The interval must not
    be empty."""
    if lo is not None and hi is not None and lo == hi:
        if lo_closed and hi_closed:
            return lo
        raise ValueError("empty interval")
    candidates = [_simplest_open(lo, hi)]
    candidates += [
        e for e, closed in ((lo, lo_closed), (hi, hi_closed)) if closed and e is not None
    ]
    return min(candidates, key=lambda q: (q.denominator, abs(q.numerator), q))


def _separate(roots: list[RealNumber]) -> list[RealNumber]:
    """Sorted roots whose isolating intervals are pairwise strictly disjoint.

    Distinct roots are bisected until their intervals no longer touch: then every root's closed
    interval holds no other root, which :meth:`RealNumber.sign_of` relies on.
    """
    roots = sorted(roots, key=lambda r: (r.lo, r.hi))
    while True:
        clash = next((i for i in range(len(roots) - 1) if roots[i].hi >= roots[i + 1].lo), None)
        if clash is None:
            return roots
        a, b = roots[clash], roots[clash + 1]
        wider = clash if (a.hi - a.lo) >= (b.hi - b.lo) else clash + 1
        roots[wider] = roots[wider].bisected()
        roots.sort(key=lambda r: (r.lo, r.hi))


def _integer_coeffs(poly: sympy.Poly) -> list[int]:
    """Integer coefficients (lowest degree first) of a positive multiple of a QQ polynomial."""
    coeffs = [Fraction(int(c.p), int(c.q)) for c in reversed(poly.all_coeffs())]
    den = math.lcm(*(c.denominator for c in coeffs))
    return [int(c * den) for c in coeffs]


def _roots(
    polys: Iterable[list[int]],
) -> tuple[list[RealNumber], dict[tuple[int, ...], flint.fmpz_poly]]:
    """All real roots of the polynomials, separated and sorted, and their irreducible factors."""
    factors: dict[tuple[int, ...], flint.fmpz_poly] = {}
    for coeffs in polys:
        p = flint.fmpz_poly(coeffs)
        if p.degree() < 1:
            continue
        for f, _ in p.factor()[1]:
            if f.degree() < 1:
                continue
            if f.coeffs()[-1] < 0:
                f = -f
            factors[tuple(int(c) for c in f.coeffs())] = f
    roots: list[RealNumber] = []
    for key in factors:
        if len(key) == 2:
            roots.append(RealNumber.rational(Fraction(-key[0], key[1])))
            continue
        sp = sympy.Poly(list(reversed(key)), _X)
        for i, ((lo, hi), _) in enumerate(sp.intervals()):
            roots.append(
                RealNumber(Fraction(int(lo.p), int(lo.q)), Fraction(int(hi.p), int(hi.q)), key, i)
            )
    return _separate(roots), factors


def cells(polys: Iterable[Sequence[int]]) -> tuple[list[RealNumber], list[Fraction]]:
    """The cells of the line cut by the real roots of integer polynomials (coefficients lowest
    degree first): the roots ``r_1 < ... < r_m`` (isolating intervals pairwise disjoint) and
    rationals ``s_0 < r_1 < s_1 < ... < r_m < s_m``, one in each open cell; every polynomial
    has one sign on each open cell.  :meth:`RealSet.from_cells` joins decided cells."""
    roots, _ = _roots(list(p) for p in polys)
    return roots, _samples(roots)


@dataclasses.dataclass(frozen=True)
class RealSet:
    """A finite union of pairwise disjoint, non-adjacent :class:`Span` s, in increasing order."""

    spans: tuple[Span, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.spans

    @property
    def is_everything(self) -> bool:
        return len(self.spans) == 1 and self.spans[0].lo is None and self.spans[0].hi is None

    @property
    def endpoints(self) -> tuple[RealNumber, ...]:
        """The finite ends of the spans, increasing, without repetition."""
        out: list[RealNumber] = []
        for s in self.spans:
            for e in (s.lo, s.hi):
                if e is not None and (not out or out[-1] != e):
                    out.append(e)
        return tuple(out)

    def contains(self, x: Fraction | int) -> bool:
        return any(s.contains(x) for s in self.spans)

    def sympy_set(self) -> sympy.Set:
        return sympy.Union(*(s.sympy_set() for s in self.spans)) if self.spans else sympy.EmptySet

    def relational(self, t: sympy.Symbol) -> sympy.Basic:
        return sympy.Or(*(s.relational(t) for s in self.spans))

    def text(self, name: str) -> str:
        if not self.spans:
            return f"no value of {name}"
        return " or ".join(s.text(name) for s in self.spans)

    def witness(self) -> sympy.Expr | None:
        """The simplest exact point of the set (``None`` when empty)."""
        points = [s.witness() for s in self.spans]
        if not points:
            return None
        return min(points, key=lambda p: (0, p.q, abs(p.p)) if p.is_Rational else (1, 0, 0))

    @classmethod
    def from_cells(cls, truth: Sequence[bool], roots: Sequence[RealNumber]) -> RealSet:
        """The union of the cells of :func:`cells` where ``truth`` holds: ``truth`` lists the
        cells in order ``(-oo, r_1), {r_1}, (r_1, r_2), ..., (r_m, oo)`` (``2 m + 1`` of them)."""
        if len(truth) != 2 * len(roots) + 1:
            raise ValueError("one truth value per cell: 2 m + 1 for m roots")
        return cls(_spans(list(truth), list(roots)))

    @classmethod
    def from_dnf(
        cls,
        dnf: Sequence[Sequence[tuple[sympy.Poly, str]]],
        *,
        domain: Sequence = (),
        negate: bool = False,
    ) -> RealSet:
        """The set where ``any(all(p rel 0 for p, rel in conj) for conj in dnf)`` holds (with
        ``negate``: does not hold), within the conjunction ``domain``.  Each ``p`` is a
        univariate sympy ``Poly`` over ``QQ`` and ``rel`` is ``"<"``, ``"<="`` or ``"=="``."""
        conjs = [[(_integer_coeffs(p), rel) for p, rel in conj] for conj in dnf]
        dom = [(_integer_coeffs(p), rel) for p, rel in domain]
        roots, factors = _roots(c for conj in [*conjs, dom] for c, _ in conj)
        samples = _samples(roots)

        def holds(sign_of) -> bool:
            def ok(c, rel):
                s = sign_of(c)
                return s < 0 if rel == "<" else (s <= 0 if rel == "<=" else s == 0)

            inside = any(all(ok(c, r) for c, r in cj) for cj in conjs)
            return all(ok(c, r) for c, r in dom) and inside != negate

        truth: list[bool] = []  # cells: I_0, {r_1}, I_1, ..., {r_m}, I_m
        for i, s in enumerate(samples):
            truth.append(holds(lambda c, s=s: _poly_sign(c, s)))
            if i < len(roots):
                r = roots[i]
                truth.append(holds(lambda c, r=r: r.sign_of(c, _divides(r, c, factors))))
        return cls(_spans(truth, roots))


def _divides(
    r: RealNumber, coeffs: list[int], factors: dict[tuple[int, ...], flint.fmpz_poly]
) -> bool:
    if r.poly is None:
        return False
    return (flint.fmpz_poly(coeffs) % factors[r.poly]).is_zero()


def _samples(roots: list[RealNumber]) -> list[Fraction]:
    """Rationals ``s_0 < r_1 < s_1 < ... < r_m < s_m`` (the roots' intervals are disjoint)."""
    if not roots:
        return [Fraction(0)]
    out = [roots[0].lo - 1]
    out += [(a.hi + b.lo) / 2 for a, b in itertools.pairwise(roots)]
    out.append(roots[-1].hi + 1)
    return out


def _spans(truth: list[bool], roots: list[RealNumber]) -> tuple[Span, ...]:
    """Maximal runs of true cells as spans.  Cell ``2j`` is the open interval before root
    ``j`` (0-based), cell ``2j + 1`` the root ``j`` itself."""
    spans: list[Span] = []
    i = 0
    while i < len(truth):
        if not truth[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(truth) and truth[j + 1]:
            j += 1
        lo = None if i == 0 else roots[(i - 1) // 2]
        hi = None if j == len(truth) - 1 else roots[j // 2]
        spans.append(Span(lo, hi, lo_closed=i % 2 == 1, hi_closed=j % 2 == 1))
        i = j + 1
    return tuple(spans)
