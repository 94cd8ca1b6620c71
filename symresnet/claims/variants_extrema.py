"""``min R`` and ``max R`` of a drawn variant network over a box, exactly and without sympy.

Drawing variants (:mod:`symresnet.claims.variants`) needs the extrema of the realization
``R^R_a(Phi, V)`` of Def. 1.5.4 over the boxes of the box and parameter parts, for many drawn
networks (and their named mistakes).  For a continuous piecewise-linear activation with one or
two free coordinates this is the vertex engine of :mod:`symresnet.compute.vertex_engine`: the box
is cut into its linear regions by their exact vertices, ``R`` is affine on each closed region,
so its extrema over the box are the extrema over all the regions' vertices.  The coordinates a
box fixes (``lo == hi``: the other inputs of a parameter part) are first folded into ``B_1``
and the biases of the skips from ``x_0``, which leaves the same function of the free ones.

:func:`box_extrema` returns ``None`` where this does not apply (a discontinuous activation,
more than two free coordinates); the caller then decides the box claim with
:func:`symresnet.claims.box_decide.decide_box`.  The two ways agree exactly (tested, with an
independent Fraction reference as well).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import flint

from symresnet.compute.polyhedra import Polyhedron
from symresnet.compute.region_net import Net
from symresnet.compute.regions import MAX_REGIONS
from symresnet.compute.vertex_engine import VertexEngine
from symresnet.model.activations import Activation

__all__ = ["box_extrema"]

Matrix = Sequence[Sequence[Fraction]]


def _q(v: Fraction) -> flint.fmpq:
    return flint.fmpq(v.numerator, v.denominator)


def _mat(rows: Sequence[Sequence[Fraction]]) -> flint.fmpq_mat:
    return flint.fmpq_mat([[_q(e) for e in row] for row in rows])


def box_extrema(
    W: Sequence[Matrix],
    B: Sequence[Sequence[Fraction]],
    skips: Sequence[tuple[int, int, Matrix]],
    act: Activation,
    box: Sequence[tuple[Fraction, Fraction]],
) -> tuple[Fraction, Fraction] | None:
    """``(min R_1, max R_1)`` over ``box`` (the first output coordinate, the output layer not
    activated), or ``None`` when the vertex engine does not apply (module docstring)."""
    if not (act.piecewise_linear and act.continuous and act.rational):
        return None
    free = [i for i, (lo, hi) in enumerate(box) if lo < hi]
    if not 1 <= len(free) <= 2 or any(lo > hi for lo, hi in box):
        return None
    fixed = [(i, lo) for i, (lo, hi) in enumerate(box) if lo == hi]

    def fold(M: Matrix, b: Sequence[Fraction]) -> tuple[flint.fmpq_mat, list[flint.fmpq]]:
        """The columns of ``M`` on the free coordinates; the fixed ones added to ``b``."""
        cols = [[row[i] for i in free] for row in M]
        shift = [
            bi + sum((row[i] * v for i, v in fixed), Fraction(0))
            for row, bi in zip(M, b, strict=True)
        ]
        return _mat(cols), [_q(v) for v in shift]

    W1, B1 = fold(W[0], B[0])
    Ws = [W1, *(_mat(w) for w in W[1:])]
    Bs = [B1, *([_q(v) for v in b] for b in B[1:])]
    Vs = {}
    for r, k, V in skips:
        if r == 0:
            Vs[r, k], Bs[k - 1] = _fold_skip(fold, V, Bs[k - 1])
        else:
            Vs[r, k] = _mat(V)
    net = Net.from_fmpq(act, Ws, Bs, Vs)
    domain = Polyhedron.box([box[i] for i in free])
    values = []
    for region in VertexEngine(net, domain, None, MAX_REGIONS).run():
        row = region.raw.out.entries()[: len(free) + 1]  # [C_1 | d_1]: R_1 = C_1 x + d_1
        verts = region.raw.vertices
        assert verts is not None  # the vertex engine's regions carry their corners
        for vert in verts:
            values.append(sum((c * v for c, v in zip(row, vert, strict=False)), row[-1]))
    lo, hi = min(values), max(values)
    return Fraction(int(lo.p), int(lo.q)), Fraction(int(hi.p), int(hi.q))


def _fold_skip(fold, V: Matrix, bias: list[flint.fmpq]) -> tuple[flint.fmpq_mat, list[flint.fmpq]]:
    """A skip from ``x_0``: its free columns, and its fixed ones added to ``bias``."""
    zero = [Fraction(0)] * len(V)
    cols, shift = fold(V, zero)
    return cols, [b + s for b, s in zip(bias, shift, strict=True)]
