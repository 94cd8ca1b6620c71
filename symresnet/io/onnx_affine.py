"""A tensor of an ONNX graph as an affine function of the states of a ResNet (Def. 1.5.4).

Reading a graph, every computed tensor is kept as ``sum_r M_r x_r + c``: ``x_0`` is the
network's input, ``x_k`` (``k >= 1``) the output of the ``k``-th activation met so far, and the
matrices ``M_r`` and the vector ``c`` are exact (python-flint ``fmpq_mat``).  Linear nodes
(``Gemm``, ``MatMul``, ``Mul``, ``Add`` of a constant, ``BatchNormalization``, reshapes) act on
the matrices; an ``Add`` of two computed tensors adds them, term by term.  When an activation
is met, the affine function before it is a layer's ``W_k x_{k-1} + B_k + sum_r V_{r,k} x_r``
(:mod:`symresnet.io.onnx_layers`).

Each :class:`Affine` also remembers what made it, for the report of rewrites: ``ops`` the
linear nodes since the last activation, and per term the residual ``Add`` nodes that brought it
in and the linear nodes applied after them (``joins``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from fractions import Fraction

import flint

from symresnet.values.rationals import to_fmpq

__all__ = ["Affine", "identity_matrix", "matrix_of", "vector_of"]

#: per term r: (the residual Adds that brought x_r in, the linear nodes applied after them)
Join = tuple[tuple[str, ...], tuple[str, ...]]


def identity_matrix(n: int) -> flint.fmpq_mat:
    """``I_n`` as an ``fmpq_mat``."""
    m = flint.fmpq_mat(n, n)
    for i in range(n):
        m[i, i] = 1
    return m


def matrix_of(rows: int, cols: int, values: Sequence[object]) -> flint.fmpq_mat:
    """An ``rows x cols`` ``fmpq_mat`` of exact values (row-major)."""
    return flint.fmpq_mat(rows, cols, [to_fmpq(v) for v in values])


def vector_of(values: Sequence[object]) -> flint.fmpq_mat:
    """A column ``fmpq_mat`` of exact values."""
    return matrix_of(len(values), 1, values)


def _rows_scaled(m: flint.fmpq_mat, factors: Sequence[flint.fmpq]) -> flint.fmpq_mat:
    cols = m.ncols()
    entries = m.entries()
    return flint.fmpq_mat(m.nrows(), cols, [e * factors[i // cols] for i, e in enumerate(entries)])


def _rows_taken(m: flint.fmpq_mat, rows: Sequence[int]) -> flint.fmpq_mat:
    cols = m.ncols()
    entries = m.entries()
    return flint.fmpq_mat(
        len(rows), cols, [entries[i * cols + j] for i in rows for j in range(cols)]
    )


@dataclasses.dataclass(frozen=True, eq=False)
class Affine:
    """``sum_r terms[r] x_r + const``, a tensor of ``shape`` (its entries in C order)."""

    shape: tuple[int, ...]
    terms: Mapping[int, flint.fmpq_mat]
    const: flint.fmpq_mat
    joins: Mapping[int, Join] = dataclasses.field(default_factory=dict)
    ops: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        """The number of entries ``n`` (rows of every matrix)."""
        return self.const.nrows()

    @classmethod
    def state(
        cls,
        k: int,
        shape: tuple[int, ...],
        *,
        sign: int = 1,
        shift: flint.fmpq_mat | None = None,
    ) -> Affine:
        """``sign * x_k + shift`` (``x_k`` a state of ``prod(shape)`` entries)."""
        n = shift.nrows() if shift is not None else _count(shape)
        eye = identity_matrix(n)
        return cls(
            shape,
            {k: eye if sign == 1 else -eye},
            shift if shift is not None else flint.fmpq_mat(n, 1),
        )

    # -- linear maps ---------------------------------------------------------------------------

    def _after(self, label: str) -> dict[int, Join]:
        return {
            r: (adds, (*after, label) if adds else after) for r, (adds, after) in self.joins.items()
        }

    def mapped(self, A: flint.fmpq_mat, shape: tuple[int, ...], label: str) -> Affine:
        """``A`` applied: ``sum_r (A M_r) x_r + A c`` (``composed`` when a matrix was applied
        before: two weight nodes with no activation between them)."""
        composed = (("composed", label),) if any(k == "matrix" for k, _ in self.ops) else ()
        return Affine(
            shape,
            {r: A * m for r, m in self.terms.items()},
            A * self.const,
            self._after(label),
            (*self.ops, ("matrix", label), *composed),
        )

    def scaled(self, factors: Sequence[Fraction], label: str, *, kind: str = "scale") -> Affine:
        """Entry ``i`` multiplied by ``factors[i]``."""
        qs = [to_fmpq(f) for f in factors]
        if len(set(qs)) == 1:
            q = qs[0]
            terms = {r: m * q for r, m in self.terms.items()}
            const = self.const * q
        else:
            terms = {r: _rows_scaled(m, qs) for r, m in self.terms.items()}
            const = _rows_scaled(self.const, qs)
        return Affine(self.shape, terms, const, self._after(label), (*self.ops, (kind, label)))

    def shifted(self, shift: Sequence[Fraction], label: str, *, kind: str = "shift") -> Affine:
        """``shift`` (one value per entry) added."""
        return Affine(
            self.shape,
            self.terms,
            self.const + vector_of(shift),
            self.joins,
            (*self.ops, (kind, label)),
        )

    def taken(self, rows: Sequence[int], shape: tuple[int, ...], label: str) -> Affine:
        """The entries ``rows`` in this order (a transpose, slice or gather of the entries)."""
        return Affine(
            shape,
            {r: _rows_taken(m, rows) for r, m in self.terms.items()},
            _rows_taken(self.const, rows),
            self.joins,
            self.ops,
        )

    def named(self, *names: str) -> Affine:
        """The same function, remembering the tensors (weights, biases) it was made with."""
        return dataclasses.replace(self, ops=(*self.ops, *(("weight", n) for n in names if n)))

    def reshaped(self, shape: tuple[int, ...]) -> Affine:
        """The same entries in another shape (C order is kept)."""
        return dataclasses.replace(self, shape=shape)

    def plus(self, other: Affine, label: str, *, sign: int = 1) -> Affine:
        """``self + sign * other``, term by term: a residual ``Add`` (or ``Sub``)."""
        terms = dict(self.terms)
        for r, m in other.terms.items():
            m = m if sign == 1 else -m
            terms[r] = terms[r] + m if r in terms else m
        joins: dict[int, Join] = {}
        for r in terms:
            adds = tuple(
                dict.fromkeys(
                    (*self.joins.get(r, ((), ()))[0], *other.joins.get(r, ((), ()))[0], label)
                )
            )
            joins[r] = (adds, ())
        const = self.const + other.const if sign == 1 else self.const - other.const
        return Affine(self.shape, terms, const, joins, (*self.ops, *other.ops))


def _count(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
