"""One linear region of a realization, as the engines of :mod:`symresnet.compute.regions`
produce it.

A :class:`Region` is a set of inputs that share an *activation pattern* (for every hidden
neuron ``(k, i)``, ``k < L``, the piece of the activation that holds ``z_{k,i}``); on it the
realization ``R^R_a(Phi, V)`` of Def. 1.5.4 is the affine map ``x -> C x + d``.  It has its
pattern, a non-redundant H-representation, an exact interior point and the map, kept in
python-flint numbers (:class:`Raw`; :class:`VertexRaw` for the vertex engine, which derives
the H-representation from the corners on first access) and turned into Fractions on first
access.  Also here is what both engines share: the progress callback (:data:`Progress`) and
the bound on the number of regions (:func:`limit`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import cached_property
from typing import TypeAlias

import flint

from symresnet.base.errors import LimitError
from symresnet.compute.region_net import ONE, ZERO, Q
from symresnet.values.rationals import to_fraction

__all__ = ["Progress", "Raw", "Region", "VertexRaw", "limit", "primitive"]

Progress: TypeAlias = Callable[[str], None]


@dataclasses.dataclass(frozen=True, eq=False)
class Raw:
    """Engine output in flint numbers, turned into Fractions on first access."""

    A: list[list[flint.fmpq]]
    b: list[flint.fmpq]
    strict: list[bool]
    point: list[flint.fmpq]
    out: flint.fmpq_mat  # l_L x (n + 1): [C | d]
    vertices: list[list[flint.fmpq]] | None


@dataclasses.dataclass(frozen=True, eq=False)
class Region:
    """One pattern set of the realization (see the module docstring).

    ``pattern[k-1][i]`` is the index into ``activation.pieces`` of neuron ``i`` of hidden layer
    ``k``; the region is ``{x : A x <= b}`` (rows with ``strict[j]`` are ``<``), non-redundant;
    ``point`` lies in it (in its interior when ``full_dimensional``); on it the realization is
    ``x -> C x + d``.  ``vertices`` (1-D and 2-D vertex engine) are the interval's ends or the
    polygon's corners, counter-clockwise.
    """

    pattern: tuple[tuple[int, ...], ...]
    full_dimensional: bool
    raw: Raw | VertexRaw = dataclasses.field(repr=False)

    @cached_property
    def A(self) -> tuple[tuple[Fraction, ...], ...]:
        return tuple(tuple(to_fraction(v) for v in row) for row in self.raw.A)

    @cached_property
    def b(self) -> tuple[Fraction, ...]:
        return tuple(to_fraction(v) for v in self.raw.b)

    @property
    def strict(self) -> tuple[bool, ...]:
        return tuple(self.raw.strict)

    @cached_property
    def point(self) -> tuple[Fraction, ...]:
        return tuple(to_fraction(v) for v in self.raw.point)

    @cached_property
    def C(self) -> tuple[tuple[Fraction, ...], ...]:
        rows = self.raw.out.tolist()
        return tuple(tuple(to_fraction(v) for v in row[:-1]) for row in rows)

    @cached_property
    def d(self) -> tuple[Fraction, ...]:
        return tuple(to_fraction(row[-1]) for row in self.raw.out.tolist())

    @cached_property
    def vertices(self) -> tuple[tuple[Fraction, ...], ...] | None:
        if self.raw.vertices is None:
            return None
        return tuple(tuple(to_fraction(v) for v in vert) for vert in self.raw.vertices)

    def value(self, x: Sequence[object]) -> tuple[Fraction, ...]:
        """``C x + d`` (the realization at ``x`` when ``x`` is in the region)."""
        pt = [to_fraction(v) for v in x]
        return tuple(
            sum((c * v for c, v in zip(row, pt, strict=True)), Fraction(0)) + di
            for row, di in zip(self.C, self.d, strict=True)
        )

    def contains(self, x: Sequence[object]) -> bool:
        """Whether ``x`` satisfies the rows (strict rows strictly)."""
        pt = [to_fraction(v) for v in x]
        for row, bi, s in zip(self.A, self.b, self.strict, strict=True):
            lhs = sum((a * v for a, v in zip(row, pt, strict=True)), Fraction(0))
            if lhs > bi or (s and lhs == bi):
                return False
        return True

    @property
    def pattern_text(self) -> str:
        """``"01|110"``: piece indices per hidden layer."""
        return "|".join("".join(map(str, layer)) for layer in self.pattern) or "-"


def limit(count: int, max_regions: int) -> None:
    if count > max_regions:
        raise LimitError(
            f"more than {max_regions} regions",
            place="box",
            hint="use a smaller box or raise max_regions",
        )


def primitive(row: list[flint.fmpq], rhs: flint.fmpq) -> tuple[list[flint.fmpq], flint.fmpq]:
    """Scale ``row . x <= rhs`` by a positive number to coprime integers."""
    den = 1
    for v in (*row, rhs):
        den = den * int(v.q) // math.gcd(den, int(v.q))
    ints = [int(v.p) * (den // int(v.q)) for v in (*row, rhs)]
    g = 0
    for e in ints:
        g = math.gcd(g, e)
    g = g or 1
    return [Q(v // g) for v in ints[:-1]], Q(ints[-1] // g)


class VertexRaw:
    """A region of the vertex engine: its H-representation (one row per edge, collinear
    corners dropped, coprime integers), interior point (the mean of the corners) and map are
    computed on first access."""

    def __init__(self, verts: list[list[flint.fmpq]], out: flint.fmpq_mat):
        self._verts = verts
        self.out = out

    @cached_property
    def vertices(self) -> list[list[flint.fmpq]]:
        verts = self._verts
        if len(verts[0]) == 1:
            return verts
        m = len(verts)
        ring = []
        for j in range(m):
            p, c, q = verts[j - 1], verts[j], verts[(j + 1) % m]
            if (c[0] - p[0]) * (q[1] - c[1]) - (c[1] - p[1]) * (q[0] - c[0]) != 0:
                ring.append(c)
        return ring

    @cached_property
    def _hrep(self) -> tuple[list[list[flint.fmpq]], list[flint.fmpq]]:
        ring = self.vertices
        if len(ring[0]) == 1:
            (lo,), (hi,) = ring
            return [[-ONE], [ONE]], [-lo, hi]
        A, b = [], []
        for j in range(len(ring)):
            p, q = ring[j], ring[(j + 1) % len(ring)]
            a = [q[1] - p[1], p[0] - q[0]]
            row, rhs = primitive(a, a[0] * p[0] + a[1] * p[1])
            A.append(row)
            b.append(rhs)
        return A, b

    @property
    def A(self) -> list[list[flint.fmpq]]:
        return self._hrep[0]

    @property
    def b(self) -> list[flint.fmpq]:
        return self._hrep[1]

    @property
    def strict(self) -> list[bool]:
        return [False] * len(self.A)

    @cached_property
    def point(self) -> list[flint.fmpq]:
        ring = self.vertices
        return [sum((v[i] for v in ring), ZERO) / len(ring) for i in range(len(ring[0]))]
