"""The domain of a decomposition into linear regions: a polyhedron ``{x in R^n : A x <= b}``.

:func:`symresnet.compute.regions.decompose` lists the linear regions of the realization
``R^R_a(Phi, V)`` of Def. 1.5.4 over a :class:`Polyhedron`: a box
``[lo_1, hi_1] x ... x [lo_n, hi_n]`` (:meth:`Polyhedron.box`) or any set of linear
inequalities with exact rational entries (:meth:`Polyhedron.from_inequalities`).
:func:`parse_box` reads a box as the command line writes it (``"0..1, -1..1"``), exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction

from symresnet.base.errors import ClaimError, InputError
from symresnet.values.exact import exact
from symresnet.values.rationals import to_fraction

__all__ = ["Polyhedron", "interval_count_error", "parse_box"]


@dataclasses.dataclass(frozen=True)
class Polyhedron:
    """The domain ``{x in R^n : A x <= b}``; ``bounds`` is set when it was given as a box."""

    A: tuple[tuple[Fraction, ...], ...]
    b: tuple[Fraction, ...]
    n: int
    bounds: tuple[tuple[Fraction, Fraction], ...] | None = None

    @classmethod
    def box(cls, bounds: Sequence[tuple[object, object]]) -> Polyhedron:
        """The box ``[lo_1, hi_1] x ... x [lo_n, hi_n]`` (``lo_i <= hi_i``)."""
        bs = tuple((to_fraction(lo), to_fraction(hi)) for lo, hi in bounds)
        if not bs:
            raise ClaimError("a box needs at least one interval")
        A: list[tuple[Fraction, ...]] = []
        b: list[Fraction] = []
        n = len(bs)
        for i, (lo, hi) in enumerate(bs):
            if lo > hi:
                raise ClaimError(f"interval {i + 1} is empty: {lo} > {hi}")
            e = tuple(Fraction(int(j == i)) for j in range(n))
            A += [tuple(-v for v in e), e]
            b += [-lo, hi]
        return cls(tuple(A), tuple(b), n, bs)

    @classmethod
    def from_inequalities(cls, A: Sequence[Sequence[object]], b: Sequence[object]) -> Polyhedron:
        """``{x : A x <= b}`` with exact rational entries."""
        rows = tuple(tuple(to_fraction(v) for v in row) for row in A)
        if not rows or len({len(r) for r in rows}) != 1 or len(rows) != len(b):
            raise ClaimError("a polyhedron needs rows of equal length and one bound per row")
        return cls(rows, tuple(to_fraction(v) for v in b), len(rows[0]))

    def contains(self, x: Sequence[object]) -> bool:
        pt = [to_fraction(v) for v in x]
        return all(
            sum((a * v for a, v in zip(row, pt, strict=True)), Fraction(0)) <= bi
            for row, bi in zip(self.A, self.b, strict=True)
        )


def interval_count_error(dim: int, got: int, *, place: str) -> ClaimError:
    """``expected 2 intervals (l_0 = 2), got 1``."""
    return ClaimError(
        f"expected {dim} interval{'s' * (dim != 1)} (l_0 = {dim}), got {got}", place=place
    )


def parse_box(text: str, dim: int, *, place: str = "--box") -> Polyhedron:
    """Read ``"0..1, -1..1"`` (one ``lo..hi`` per input coordinate) exactly.

    Bounds are read by :func:`symresnet.values.exact.exact` (``"-1/2"``, ``"0.25"``); they must be
    rational.  Errors are :class:`ClaimError` naming ``place``, e.g.
    ``--box: expected 2 intervals (l_0 = 2), got 1``.
    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != dim:
        raise interval_count_error(dim, len(parts), place=place)
    bounds: list[tuple[Fraction, Fraction]] = []
    for i, part in enumerate(parts, start=1):
        if part.count("..") != 1:
            raise ClaimError(f"interval {i}: write lo..hi, e.g. -1/2..3, got {part!r}", place=place)
        lo_text, hi_text = part.split("..")
        ends = []
        for which, t in (("lower", lo_text), ("upper", hi_text)):
            try:
                value = exact(t.strip())
            except InputError as err:
                raise err.located(prefix=f"{place}: interval {i}") from None
            if not value.is_Rational:
                raise ClaimError(
                    f"interval {i}: the {which} bound {value} is not rational", place=place
                )
            ends.append(Fraction(int(value.p), int(value.q)))
        lo, hi = ends
        bounds.append((lo, hi))
    try:
        return Polyhedron.box(bounds)
    except ClaimError as err:
        raise err.located(prefix=place) from None
