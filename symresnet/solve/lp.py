"""Exact linear programming over the rationals: feasibility, optimization, redundancy.

Systems of linear inequalities ``A x <= b`` (some rows may be flagged *strict*, ``<``) over
``x in R^n`` are decided **exactly**: a small dense simplex method on python-flint ``fmpq``
numbers (Chvátal's dictionary form, free variables pivoted into the basis first, one-artificial
phase 1, Bland's rule, so it terminates).  No float is ever used.

Interface (stable; used by :mod:`symresnet.compute.regions` and by the parameter studies)
--------------------------------------------------------------------------------

``A`` is a sequence of ``m`` rows of ``n`` numbers, ``b`` a sequence of ``m`` numbers; numbers
are ``int``, :class:`fractions.Fraction`, sympy ``Rational`` or ``flint.fmpq`` (floats are
refused with :class:`TypeError`).  ``m = 0`` is allowed (then ``n`` is ``len(c)`` or the
``n=`` keyword).  Points are returned as tuples of :class:`fractions.Fraction`.

* :func:`feasible_point` ``(A, b, *, strict=None, n=None)`` -> a point of
  ``{x : A_i x <= b_i (i not strict), A_i x < b_i (i strict)}`` or ``None`` if that set is
  empty.  ``strict`` is ``None`` (no strict rows), ``True`` (all rows strict) or a sequence of
  ``m`` booleans.  With strict rows the point satisfies them strictly.
* :func:`interior_point` ``(A, b)`` -> a point with every row strict (an interior point of the
  closed polyhedron, which then is full-dimensional), or ``None``.
* :func:`minimize` / :func:`maximize` ``(c, A, b, *, strict=None)`` -> :class:`LPResult` with
  ``status`` ``"optimal"``, ``"infeasible"`` or ``"unbounded"``, the exact optimal ``value``
  (over the *closure* when rows are strict: an infimum/supremum), an optimal ``point`` (a point
  of the set itself, strict rows strict, whenever the optimum is attained there; otherwise a
  vertex of the closure), ``attained``: whether the optimum is attained on the set with its
  strict rows (always ``True`` without strict rows), and ``dual``: multipliers ``y >= 0`` with
  ``y A = c`` and ``y b = value`` — a certificate anyone can check that ``c x <= value``.
* :func:`redundant_rows` ``(A, b)`` -> indices of rows whose removal leaves the (nonempty)
  polyhedron unchanged, removed greedily in index order (of two equal rows the first goes), so
  that the remaining rows are non-redundant.  :func:`irredundant` returns the kept indices.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal, TypeAlias

import flint

from symresnet.values.rationals import to_fmpq, to_fraction

__all__ = [
    "LPResult",
    "feasible_point",
    "interior_point",
    "irredundant",
    "maximize",
    "minimize",
    "redundant_rows",
]

Number: TypeAlias = int | Fraction | flint.fmpq
_ZERO = flint.fmpq(0)
_ONE = flint.fmpq(1)


@dataclasses.dataclass(frozen=True)
class LPResult:
    """The exact result of a linear program (see the module docstring)."""

    status: Literal["optimal", "infeasible", "unbounded"]
    value: Fraction | None = None
    point: tuple[Fraction, ...] | None = None
    attained: bool = True
    #: LP duality certificate of an optimum: ``dual[i] >= 0`` with ``sum_i dual[i] A_i = c``
    #: and ``sum_i dual[i] b_i = value`` (for :func:`maximize`; for :func:`minimize` the same
    #: for ``-c`` and ``-value``), so ``c x <= value`` on the closed set follows by adding rows
    dual: tuple[Fraction, ...] | None = None


class _Dictionary:
    """A simplex dictionary ``basic_i = const_i + sum_j row_i[j] * nonbasic_j``.

    Variables ``0..n-1`` are free (the ``x_j``), ``n..n+m-1`` the slacks ``s_i >= 0`` of the rows,
    ``n+m`` the artificial variable of phase 1.  ``obj`` is the objective row (maximized).
    """

    def __init__(self, A: list[list[flint.fmpq]], b: list[flint.fmpq], n: int):
        m = len(A)
        self.n = n
        self.nonbasic: list[int] = list(range(n))
        self.basic: list[int] = [n + i for i in range(m)]
        self.const: list[flint.fmpq] = list(b)
        self.rows: list[list[flint.fmpq]] = [[-a for a in row] for row in A]
        self.obj_const = _ZERO
        self.obj: list[flint.fmpq] = [_ZERO] * n
        self.free_rows: set[int] = set()  # rows whose basic variable is a free x_j

    def pivot(self, i: int, j: int) -> None:
        """Exchange ``basic[i]`` (leaving) and ``nonbasic[j]`` (entering)."""
        row, c = self.rows[i], self.const[i]
        a = row[j]
        inv = -1 / a
        # entering = (c + sum_{k != j} row[k] x_k - leaving) / (-a)
        new_row = [r * inv for r in row]
        new_row[j] = -inv
        new_c = c * inv
        self.rows[i], self.const[i] = new_row, new_c
        for k, other in enumerate(self.rows):
            if k == i:
                continue
            f = other[j]
            if f == 0:
                continue
            self.const[k] += f * new_c
            other[j] = _ZERO
            for t, r in enumerate(new_row):
                if r != 0:
                    other[t] += f * r
        f = self.obj[j]
        if f != 0:
            self.obj_const += f * new_c
            self.obj[j] = _ZERO
            for t, r in enumerate(new_row):
                if r != 0:
                    self.obj[t] += f * r
        self.basic[i], self.nonbasic[j] = self.nonbasic[j], self.basic[i]

    def eliminate_free(self) -> list[int]:
        """Pivot every free variable into the basis; return the free variables that appear in
        no row (their column is zero: they are set to 0 and their columns dropped)."""
        loose: list[int] = []
        for var in range(self.n):
            j = self.nonbasic.index(var)
            i = next(
                (i for i, row in enumerate(self.rows) if i not in self.free_rows and row[j] != 0),
                None,
            )
            if i is None:
                loose.append(var)
                continue
            self.pivot(i, j)
            self.free_rows.add(i)
        return loose

    def drop_column(self, j: int) -> None:
        del self.nonbasic[j]
        for row in self.rows:
            del row[j]
        del self.obj[j]

    def optimize(self) -> bool:
        """Maximize ``obj`` from a feasible dictionary (Bland's rule); False if unbounded."""
        while True:
            candidates = [
                (var, j) for j, var in enumerate(self.nonbasic) if self.obj[j] > 0 and var >= self.n
            ]
            if not candidates:
                return True
            _, j = min(candidates)
            best: tuple[flint.fmpq, int, int] | None = None
            for i, row in enumerate(self.rows):
                if i in self.free_rows or row[j] >= 0:
                    continue
                ratio = self.const[i] / (-row[j])
                key = (ratio, self.basic[i], i)
                if best is None or key[:2] < best[:2]:
                    best = key
            if best is None:
                return False
            self.pivot(best[2], j)

    def phase_one(self) -> bool:
        """Make the dictionary feasible (one artificial variable); False if infeasible."""
        bad = [i for i in range(len(self.rows)) if i not in self.free_rows and self.const[i] < 0]
        if not bad:
            return True
        art = self.n + len(self.rows)
        saved_obj, saved_const = self.obj, self.obj_const
        self.nonbasic.append(art)
        for i, row in enumerate(self.rows):
            row.append(_ZERO if i in self.free_rows else _ONE)
        self.obj, self.obj_const = [_ZERO] * (len(self.nonbasic) - 1) + [-_ONE], _ZERO
        # the objective row must also carry the original objective through the pivots: keep it
        # as an extra (non-constraint) row and restore it afterwards
        self.rows.append([*saved_obj, _ZERO])
        self.const.append(saved_const)
        self.basic.append(-1)
        self.free_rows.add(len(self.rows) - 1)
        worst = min(bad, key=lambda i: (self.const[i], i))
        self.pivot(worst, len(self.nonbasic) - 1)
        self.optimize()
        feasible = self.obj_const == 0
        if feasible and art in self.basic:  # degenerate: pivot the artificial out
            i = self.basic.index(art)
            j = next((j for j, r in enumerate(self.rows[i]) if r != 0), None)
            if j is None:  # the row reads art = 0: drop it
                self._remove_row(i)
            else:
                self.pivot(i, j)
        obj_i = self.basic.index(-1)
        self.obj, self.obj_const = self.rows[obj_i], self.const[obj_i]
        self._remove_row(obj_i)
        if art in self.nonbasic:
            self.drop_column(self.nonbasic.index(art))
        return feasible

    def _remove_row(self, i: int) -> None:
        del self.rows[i], self.const[i], self.basic[i]
        self.free_rows = {k if k < i else k - 1 for k in self.free_rows if k != i}

    def dual(self, m: int) -> list[flint.fmpq]:
        """Multipliers ``y >= 0`` of the ``m`` rows at an optimum: ``obj = value - sum y_i s_i``
        with ``s = b - A x`` gives ``c = y A`` and ``value = y b``."""
        y = [_ZERO] * m
        for j, var in enumerate(self.nonbasic):
            if self.n <= var < self.n + m:
                y[var - self.n] = -self.obj[j]
        return y

    def point(self, n: int) -> list[flint.fmpq]:
        x = [_ZERO] * n
        for i, var in enumerate(self.basic):
            if 0 <= var < n:
                x[var] = self.const[i]
        return x


def _matrix(A: Sequence[Sequence[object]], b: Sequence[object], n: int | None):
    rows = [[to_fmpq(a) for a in row] for row in A]
    rhs = [to_fmpq(v) for v in b]
    if len(rows) != len(rhs):
        raise ValueError(f"A has {len(rows)} rows but b has {len(rhs)} entries")
    if n is None:
        if not rows:
            raise ValueError("with no rows, give the dimension n")
        n = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != n:
            raise ValueError(f"row {i} of A has {len(row)} entries, expected {n}")
    return rows, rhs, n


def _strict_flags(strict: bool | Sequence[bool] | None, m: int) -> list[bool]:
    if strict is None or strict is False:
        return [False] * m
    if strict is True:
        return [True] * m
    flags = [bool(s) for s in strict]
    if len(flags) != m:
        raise ValueError(f"strict has {len(flags)} flags for {m} rows")
    return flags


def _solve(c: list[flint.fmpq], A, b, n: int, *, dual: list | None = None):
    """Maximize ``c x`` over ``A x <= b`` (closed).  Returns (status, value, point); with
    ``dual`` a list, the optimal multipliers are appended to it."""
    d = _Dictionary(A, b, n)
    d.obj = list(c)
    loose = d.eliminate_free()
    for var in loose:
        j = d.nonbasic.index(var)
        if d.obj[j] != 0:
            if not d.phase_one():
                return "infeasible", None, None
            return "unbounded", None, None
        d.drop_column(j)
    if not d.phase_one():
        return "infeasible", None, None
    if not d.optimize():
        return "unbounded", None, None
    if dual is not None:
        dual += d.dual(len(A))
    return "optimal", d.obj_const, d.point(n)


def _with_margin(A, b, flags: list[bool], n: int):
    """Rows ``A_i x + t <= b_i`` for strict rows and ``t <= 1``; variable ``t`` is last."""
    A2 = [[*row, _ONE if s else _ZERO] for row, s in zip(A, flags, strict=True)]
    A2.append([_ZERO] * n + [_ONE])
    return A2, [*b, _ONE]


def feasible_point(
    A: Sequence[Sequence[object]],
    b: Sequence[object],
    *,
    strict: bool | Sequence[bool] | None = None,
    n: int | None = None,
) -> tuple[Fraction, ...] | None:
    """A point of ``{x : A x <= b, strict rows <}`` or ``None`` if it is empty (exact)."""
    A, b, n = _matrix(A, b, n)
    flags = _strict_flags(strict, len(A))
    if not any(flags):
        status, _, x = _solve([_ZERO] * n, A, b, n)
        return None if status == "infeasible" else tuple(to_fraction(v) for v in x)
    A2, b2 = _with_margin(A, b, flags, n)
    status, value, x = _solve([_ZERO] * n + [_ONE], A2, b2, n + 1)
    if status != "optimal" or value <= 0:
        return None
    return tuple(to_fraction(v) for v in x[:n])


def interior_point(
    A: Sequence[Sequence[object]], b: Sequence[object], *, n: int | None = None
) -> tuple[Fraction, ...] | None:
    """A point with ``A x < b`` in every row, or ``None`` (then the polyhedron ``A x <= b`` is
    empty or not full-dimensional)."""
    return feasible_point(A, b, strict=True, n=n)


def maximize(
    c: Sequence[object],
    A: Sequence[Sequence[object]],
    b: Sequence[object],
    *,
    strict: bool | Sequence[bool] | None = None,
) -> LPResult:
    """Maximize ``c x`` over ``{A x <= b, strict rows <}``: the supremum, exactly."""
    cq = [to_fmpq(v) for v in c]
    Aq, bq, n = _matrix(A, b, len(cq))
    flags = _strict_flags(strict, len(Aq))
    if any(flags) and feasible_point(Aq, bq, strict=flags, n=n) is None:
        return LPResult("infeasible")
    y: list[flint.fmpq] = []
    status, value, x = _solve(cq, Aq, bq, n, dual=y)
    if status != "optimal":
        return LPResult(status)
    attained = True
    if any(flags):
        # attained iff some point of the set (strict rows strict) has c x >= value
        better = feasible_point([*Aq, [-v for v in cq]], [*bq, -value], strict=[*flags, False], n=n)
        attained = better is not None
        if better is not None:  # the closed LP's vertex may lie on an excluded boundary
            x = [to_fmpq(v) for v in better]
    return LPResult(
        "optimal",
        to_fraction(value),
        tuple(to_fraction(v) for v in x),
        attained,
        tuple(to_fraction(v) for v in y),
    )


def minimize(
    c: Sequence[object],
    A: Sequence[Sequence[object]],
    b: Sequence[object],
    *,
    strict: bool | Sequence[bool] | None = None,
) -> LPResult:
    """Minimize ``c x`` over ``{A x <= b, strict rows <}``: the infimum, exactly."""
    res = maximize([-to_fmpq(v) for v in c], A, b, strict=strict)
    if res.value is None:
        return res
    return dataclasses.replace(res, value=-res.value)


def redundant_rows(A: Sequence[Sequence[object]], b: Sequence[object]) -> tuple[int, ...]:
    """Indices of rows of the nonempty polyhedron ``A x <= b`` that can be dropped, greedily in
    index order, so that the rows left are non-redundant and describe the same set.

    Raises :class:`ValueError` if the polyhedron is empty.
    """
    Aq, bq, n = _matrix(A, b, None if A else 0)
    if _solve([_ZERO] * n, Aq, bq, n)[0] == "infeasible":
        raise ValueError("redundant_rows needs a nonempty polyhedron")
    kept = list(range(len(Aq)))
    dropped: list[int] = []
    for i in range(len(Aq)):
        others = [k for k in kept if k != i]
        if not any(Aq[i]):  # 0 <= b_i, true on a nonempty set
            dropped.append(i)
            kept.remove(i)
            continue
        status, value, _ = _solve(Aq[i], [Aq[k] for k in others], [bq[k] for k in others], n)
        if status == "optimal" and value <= bq[i]:
            dropped.append(i)
            kept.remove(i)
    return tuple(dropped)


def irredundant(A: Sequence[Sequence[object]], b: Sequence[object]) -> tuple[int, ...]:
    """Indices of the rows kept by :func:`redundant_rows` (increasing)."""
    gone = set(redundant_rows(A, b))
    return tuple(i for i in range(len(A)) if i not in gone)
