"""Exact projection of polyhedra by Fourier-Motzkin elimination (strict rows kept strict).

``{z : A z <= b}`` (rows flagged strict are ``<``) projected to its last coordinates: eliminate
the first coordinate ``z_1`` by keeping the rows without it and adding, for every pair of a row
with a positive and a row with a negative coefficient of ``z_1``, the positive combination that
cancels it (strict when either row is strict).  This is exact (Fourier-Motzkin: a point of the
projection extends to a point of the set iff all the combined rows hold at it), in rationals.
After each step repeated rows are merged and rows the others imply are dropped by exact LP
(:func:`symresnet.solve.lp.maximize`), so the rows stay few.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from symresnet.solve import lp

__all__ = ["Row", "project"]

#: ``(a, rhs, strict)``: ``a z <= rhs`` (``<`` if strict)
Row = tuple[tuple[Fraction, ...], Fraction, bool]


def _normal(row: Row) -> Row | bool:
    """The row scaled so that its first nonzero coefficient is +-1; ``True``/``False`` for a
    row without variables (always / never true)."""
    a, r, strict = row
    pivot = next((v for v in a if v != 0), None)
    if pivot is None:
        return (r > 0) if strict else (r >= 0)
    s = abs(pivot)
    return tuple(v / s for v in a), r / s, strict


def _clean(rows: Sequence[Row]) -> list[Row] | None:
    """Normalized rows without repetitions (for equal left sides the tighter kept); ``None``
    when a row without variables is false."""
    best: dict[tuple[Fraction, ...], tuple[Fraction, bool]] = {}
    for row in rows:
        n = _normal(row)
        if n is True:
            continue
        if n is False:
            return None
        assert not isinstance(n, bool)
        a, r, strict = n
        old = best.get(a)
        if old is None or r < old[0] or (r == old[0] and strict):
            best[a] = (r, strict)
    return [(a, r, s) for a, (r, s) in best.items()]


def _prune(rows: list[Row]) -> list[Row] | None:
    """The rows without those the others imply; ``None`` when the rows are infeasible."""
    if not rows:
        return rows
    n = len(rows[0][0])
    if (
        lp.feasible_point(
            [list(a) for a, _, _ in rows],
            [r for _, r, _ in rows],
            strict=[s for *_, s in rows],
            n=n,
        )
        is None
    ):
        return None
    kept = list(rows)
    i = 0
    while i < len(kept):
        a, r, strict = kept[i]
        others = kept[:i] + kept[i + 1 :]
        if others:
            res = lp.maximize(
                list(a),
                [list(o[0]) for o in others],
                [o[1] for o in others],
                strict=[o[2] for o in others],
            )
            if res.status == "optimal" and res.value is not None:
                value = res.value
                if value < r or (value == r and (not strict or not res.attained)):
                    kept.pop(i)
                    continue
        i += 1
    return kept


def project(rows: Sequence[Row], eliminate: int) -> list[Row] | None:
    """The rows of the projection of ``rows`` after eliminating the first ``eliminate``
    coordinates (module docstring); ``None`` when the set is empty."""
    cur = _clean(rows)
    if cur is None:
        return None
    cur = _prune(cur)
    for _ in range(eliminate):
        if cur is None:
            return None
        pos = [r for r in cur if r[0][0] > 0]
        neg = [r for r in cur if r[0][0] < 0]
        out: list[Row] = [(a[1:], r, s) for a, r, s in cur if a[0] == 0]
        for ap, rp, sp in pos:
            for aq, rq, sq in neg:
                lam, mu = -aq[0], ap[0]
                a = tuple(lam * u + mu * v for u, v in zip(ap, aq, strict=True))[1:]
                out.append((a, lam * rp + mu * rq, sp or sq))
        cleaned = _clean(out)
        if cleaned is None:
            return None
        cur = _prune(cleaned)
    return cur
