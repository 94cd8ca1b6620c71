"""Rational matrices as integer matrices over one denominator, and their conversions.

A rational matrix is a :class:`Scaled` value ``num / den``: an integer matrix ``num``
(``flint.fmpz_mat``) over one positive common denominator ``den`` (``flint.fmpz``).  The columns
are points, so a batch of ``n`` inputs is one ``l_0 x n`` matrix and a layer of a realization
(Def. 1.5.4) is one matrix product (:mod:`symresnet.compute.core`).  Nothing here builds sympy
objects except :func:`to_sympy`, which a :class:`~symresnet.compute.realization.LayerTrace`
calls on first access.

API
---
``columns(points) -> Scaled``, ``from_sympy(matrix) -> Scaled | None``
    Points (sequences of ints, Fractions, sympy Rationals or fmpq) as the columns of a matrix;
    a sympy matrix (``None`` unless every entry is a Rational).
``to_sympy(m)``, ``Scaled.to_fmpq_mat()``, ``Scaled.column_values(j)``
    Conversions out of the core (exact, reduced).
``to_fmpq_mat(matrix)``, ``from_fmpq_mat(m)``, ``as_fmpq_mat(matrix)``, ``split(m)``
    sympy <-> ``flint.fmpq_mat`` and ``fmpq_mat`` -> ``(num, den)``.
``frac(rational)``
    A sympy Rational as ``(p, q)`` in ``flint.fmpz`` (single rationals in other types convert
    through :mod:`symresnet.values.rationals`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from math import lcm
from typing import Any, TypeAlias

import flint
import sympy
from sympy.polys.domains import QQ, ZZ
from sympy.polys.matrices import DomainMatrix

from symresnet.values.rationals import to_fmpq

__all__ = [
    "Matrix",
    "Scaled",
    "as_fmpq_mat",
    "columns",
    "frac",
    "from_fmpq_mat",
    "from_sympy",
    "split",
    "to_fmpq_mat",
    "to_sympy",
]

Matrix: TypeAlias = sympy.ImmutableMatrix


# -- the representation --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False, slots=True)
class Scaled:
    """The rational matrix ``num / den``: an integer matrix over one positive denominator.

    Columns are points.  Not reduced: equal matrices may have different ``(num, den)``; compare
    with :meth:`to_fmpq_mat` (``==`` does that).
    """

    num: flint.fmpz_mat
    den: flint.fmpz

    @property
    def shape(self) -> tuple[int, int]:
        return (self.num.nrows(), self.num.ncols())

    def to_fmpq_mat(self) -> flint.fmpq_mat:
        """The same matrix as a ``flint.fmpq_mat`` (every entry reduced)."""
        q = flint.fmpq_mat(self.num)
        return q if self.den == 1 else q / self.den

    def to_sympy(self) -> Matrix:
        """An immutable sympy matrix of Rationals."""
        return to_sympy(self)

    def column_values(self, j: int) -> list[flint.fmpq]:
        """Column ``j`` (point ``j``) as reduced ``flint.fmpq`` entries."""
        num, den = self.num, self.den
        return [flint.fmpq(num[i, j], den) for i in range(num.nrows())]

    def columns(self, start: int, stop: int) -> Scaled:
        """Columns ``start .. stop-1`` (a chunk of points), same denominator."""
        rows = self.num.tolist()
        return Scaled(flint.fmpz_mat([row[start:stop] for row in rows]), self.den)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scaled):
            return NotImplemented
        return self.shape == other.shape and self.num * other.den == other.num * self.den

    # unhashable (equality is by value, not by (num, den)); typeshed declares object.__hash__
    # as a method, so mypy refuses the data model's documented ``__hash__ = None``
    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:  # fmpz_mat does not pickle (process pools, Dask)
        return (_scaled, (*self.shape, [int(e) for e in self.num.entries()], int(self.den)))

    def __repr__(self) -> str:
        return f"Scaled({self.shape[0]}x{self.shape[1]}, den bits={self.den.bit_length()})"


def _scaled(rows: int, cols: int, entries: list[int], den: int) -> Scaled:
    return Scaled(flint.fmpz_mat(rows, cols, entries), flint.fmpz(den))


def columns(points: Iterable[Sequence[object]]) -> Scaled:
    """Points (each a sequence of exact rationals) as the columns of one :class:`Scaled`."""
    cols = [[v if type(v) is flint.fmpq else to_fmpq(v) for v in point] for point in points]
    if not cols:
        raise ValueError("columns() needs at least one point")
    den = flint.fmpz(lcm(*{int(q.q) for col in cols for q in col}))
    rows = len(cols[0])
    if any(len(col) != rows for col in cols):
        raise ValueError("all points must have the same length")
    flat = [col[i].p * (den // col[i].q) for i in range(rows) for col in cols]
    return Scaled(flint.fmpz_mat(rows, len(cols), flat), den)


def split(q: flint.fmpq_mat) -> tuple[flint.fmpz_mat, flint.fmpz]:
    """``q`` as ``(num, den)``: an integer matrix over the common denominator of its entries."""
    num, den = q.numer_denom()
    return num, flint.fmpz(den)


# -- sympy <-> flint ------------------------------------------------------------------------------


@functools.cache
def _flint_ground_types() -> bool:
    return QQ.dtype is flint.fmpq


def as_fmpq_mat(m: sympy.MatrixBase) -> flint.fmpq_mat | None:
    """``m`` as a ``fmpq_mat`` if every entry is a Rational, else ``None``.

    With sympy on python-flint ground types a rational matrix already holds ``fmpq`` entries
    (its ``DomainMatrix`` is over ZZ or QQ): they are taken over without touching an ``Expr``.
    """
    rep = getattr(m, "_rep", None)
    domain = getattr(rep, "domain", None)
    if rep is not None and domain is not None and _flint_ground_types() and domain in (ZZ, QQ):
        return rep.convert_to(QQ).to_dense().to_dfm().rep
    entries = list(m)
    if not all(e.is_Rational for e in entries):
        return None
    return flint.fmpq_mat(m.rows, m.cols, [flint.fmpq(int(e.p), int(e.q)) for e in entries])


def frac(value: sympy.Expr) -> tuple[flint.fmpz, flint.fmpz]:
    """A sympy Rational as ``(numerator, denominator)`` in ``flint.fmpz``."""
    return flint.fmpz(int(value.p)), flint.fmpz(int(value.q))


def from_sympy(m: sympy.MatrixBase) -> Scaled | None:
    """A sympy matrix as :class:`Scaled`, or ``None`` if an entry is not a Rational."""
    q = as_fmpq_mat(m)
    return None if q is None else Scaled(*split(q))


def to_fmpq_mat(m: sympy.MatrixBase) -> flint.fmpq_mat:
    """A sympy matrix of Rationals as a ``flint.fmpq_mat``."""
    q = as_fmpq_mat(m)
    if q is None:
        raise TypeError("to_fmpq_mat needs a matrix of Rationals")
    return q


def _sympy_matrix(rows: int, cols: int, entries: list[flint.fmpq]) -> Matrix:
    """An ImmutableMatrix from reduced fmpq entries (row-major) without building ``Expr`` s.

    Builds the sparse ZZ/QQ ``DomainMatrix`` sympy itself would hold for these entries, so the
    result is indistinguishable from ``ImmutableMatrix(rows, cols, [Rational(...), ...])``.
    """
    if _flint_ground_types():
        dod: dict[int, dict[int, Any]] = {}
        integral = True
        for n, q in enumerate(entries):
            if q != 0:
                i, j = divmod(n, cols)
                dod.setdefault(i, {})[j] = q
                integral = integral and q.q == 1
        if integral:
            dod = {i: {j: q.p for j, q in row.items()} for i, row in dod.items()}
        rep = DomainMatrix(dod, (rows, cols), ZZ if integral else QQ)
        return Matrix._fromrep(rep)
    return Matrix(rows, cols, [sympy.Rational(int(q.p), int(q.q)) for q in entries])


def from_fmpq_mat(m: flint.fmpq_mat) -> Matrix:
    """A ``flint.fmpq_mat`` as an immutable sympy matrix of Rationals."""
    return _sympy_matrix(m.nrows(), m.ncols(), m.entries())


def to_sympy(m: Scaled | flint.fmpq_mat | sympy.MatrixBase) -> Matrix:
    """Any matrix of the core as an immutable sympy matrix (sympy matrices pass through)."""
    if isinstance(m, Scaled):
        m = m.to_fmpq_mat()
    if isinstance(m, flint.fmpq_mat):
        return from_fmpq_mat(m)
    return m
