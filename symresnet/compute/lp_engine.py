"""The LP engine of :func:`symresnet.compute.regions.decompose` (any input dimension).

Cells are given by linear inequalities and split neuron by neuron; a piece of a neuron is kept
when an exact rational LP (:mod:`symresnet.solve.lp`) finds a point of the cell in it.
Neurons whose sign is constant on the whole domain are first found by exact interval bounds
(rationals, not floats) and never split on.  With a discontinuous activation (Heaviside) or a
lower-dimensional domain this engine runs in *partition* mode: the cells are the exact pattern
sets, every point of the domain in exactly one, lower-dimensional ones included (rows flagged
``strict`` are ``<``).
"""

from __future__ import annotations

from collections.abc import Sequence

import flint

from symresnet.compute.linear_region import Progress, Raw, Region, limit, primitive
from symresnet.compute.polyhedra import Polyhedron
from symresnet.compute.region_net import FlintPiece, Net
from symresnet.solve import lp
from symresnet.values.rationals import to_fmpq

__all__ = ["LPEngine"]


class _LPCell:
    __slots__ = ("A", "b", "maps", "pattern", "point", "strict")

    def __init__(self, A, b, strict, point, maps, pattern):
        self.A, self.b, self.strict, self.point, self.maps, self.pattern = (
            A,
            b,
            strict,
            point,
            maps,
            pattern,
        )


class LPEngine:
    """Cells as linear inequalities, split by exact LP feasibility."""

    def __init__(
        self,
        net: Net,
        domain: Polyhedron,
        progress: Progress | None,
        max_regions: int,
        *,
        partition: bool,
    ):
        self.net, self.domain, self.progress, self.max_regions = net, domain, progress, max_regions
        self.partition = partition

    def piece_rows(self, a: list, c: flint.fmpq, piece: FlintPiece) -> tuple[list, list, list]:
        """Rows for ``z = a x + c`` in ``piece`` (strict per the piece's ends, or all strict)."""
        A, b, s = [], [], []
        if piece.lo is not None:  # lo <= z  <=>  -a x <= c - lo
            A.append([-v for v in a])
            b.append(c - piece.lo)
            s.append(not piece.lo_closed or not self.partition)
        if piece.hi is not None:  # z <= hi  <=>  a x <= hi - c
            A.append(list(a))
            b.append(piece.hi - c)
            s.append(not piece.hi_closed or not self.partition)
        return A, b, s

    def run(self) -> tuple[Region, ...]:
        net, dom = self.net, self.domain
        n, L = net.n, net.L
        A0 = [[to_fmpq(v) for v in row] for row in dom.A]
        b0 = [to_fmpq(v) for v in dom.b]
        strict0 = [not self.partition] * len(A0)
        start = lp.feasible_point(A0, b0, strict=strict0, n=n)
        assert start is not None, "decompose checked the domain (nonempty, interior if strict)"
        stable = _interval_stable(net, dom)
        cells = [_LPCell(A0, b0, strict0, [to_fmpq(v) for v in start], {0: net.identity_map()}, ())]
        for k in range(1, L):
            width = net.dims[k]
            out = []
            for cell in cells:
                Z = net.preactivation(k, cell.maps)
                rows = Z.tolist()
                current = [cell]
                pats: list[list[int]] = [[]]
                for i in range(width):
                    a, c = rows[i][:-1], rows[i][-1]
                    nxt, nxt_pats = [], []
                    for sub, pat in zip(current, pats, strict=True):
                        for child, idx in self.split(sub, a, c, stable.get((k, i))):
                            nxt.append(child)
                            nxt_pats.append([*pat, idx])
                    current, pats = nxt, nxt_pats
                for sub, pat in zip(current, pats, strict=True):
                    maps = dict(sub.maps)
                    maps[k] = net.output_map(Z, pat)
                    net.prune(maps, k)
                    out.append(
                        _LPCell(
                            sub.A, sub.b, sub.strict, sub.point, maps, (*cell.pattern, tuple(pat))
                        )
                    )
                limit(len(out), self.max_regions)
            cells = out
            if self.progress:
                self.progress(f"layer {k}/{L - 1}: {len(cells)} region{'s' * (len(cells) != 1)}")
        return tuple(self.finish(cell) for cell in cells)

    def split(self, cell: _LPCell, a: list, c: flint.fmpq, stable_piece: int | None):
        """The children of ``cell`` for neuron ``z = a x + c``: (child, piece index) pairs."""
        net = self.net
        zp = sum((ai * xi for ai, xi in zip(a, cell.point, strict=True)), c)
        here = net.piece_index(zp)
        if stable_piece is not None or not any(a):
            return [(cell, here)]
        out = []
        for idx, piece in enumerate(net.pieces):
            A, b, s = self.piece_rows(a, c, piece)
            if idx == here and (self.partition or not _on_end(zp, piece)):
                point = cell.point
            else:
                found = lp.feasible_point(cell.A + A, cell.b + b, strict=cell.strict + s, n=net.n)
                if found is None:
                    continue
                point = [to_fmpq(v) for v in found]
            out.append(
                (_LPCell(cell.A + A, cell.b + b, cell.strict + s, point, cell.maps, None), idx)
            )
        return out

    def finish(self, cell: _LPCell) -> Region:
        net = self.net
        Z = net.preactivation(net.L, cell.maps)
        if self.partition:
            keep: Sequence[int] = _irredundant_strict(cell.A, cell.b, cell.strict, net.n)
            A = [cell.A[i] for i in keep]
            b = [cell.b[i] for i in keep]
            strict = [cell.strict[i] for i in keep]
            inner = lp.interior_point(A, b, n=net.n)
            full = inner is not None
            point = [to_fmpq(v) for v in inner] if inner is not None else cell.point
        else:
            keep = lp.irredundant(cell.A, cell.b) if cell.A else ()
            A = [primitive(cell.A[i], cell.b[i])[0] for i in keep]
            b = [primitive(cell.A[i], cell.b[i])[1] for i in keep]
            strict, full, point = [False] * len(A), True, cell.point
        return Region(cell.pattern, full, Raw(A, b, strict, point, Z, None))


def _on_end(z: flint.fmpq, piece: FlintPiece) -> bool:
    return z == piece.lo or z == piece.hi


def _irredundant_strict(A: list, b: list, strict: list[bool], n: int) -> list[int]:
    """Rows of a nonempty system with strict rows that cannot be dropped (greedy, in order)."""
    keep = list(range(len(A)))
    for i in range(len(A)):
        rest = [j for j in keep if j != i]
        # row i is implied iff the rest plus its negation is empty
        neg_A = [-v for v in A[i]]
        sys_A = [A[j] for j in rest] + [neg_A]
        sys_b = [b[j] for j in rest] + [-b[i]]
        sys_s = [strict[j] for j in rest] + [not strict[i]]
        if lp.feasible_point(sys_A, sys_b, strict=sys_s, n=n) is None:
            keep.remove(i)
    return keep


def _interval_stable(net: Net, dom: Polyhedron) -> dict[tuple[int, int], int]:
    """Neurons ``(k, i)`` whose pre-activation lies in one piece on the whole domain, by exact
    interval arithmetic over the domain's bounding box."""
    if dom.bounds is not None:
        box = [(to_fmpq(lo), to_fmpq(hi)) for lo, hi in dom.bounds]
    else:
        box = []
        for i in range(dom.n):
            e = [int(j == i) for j in range(dom.n)]
            lower, upper = lp.minimize(e, dom.A, dom.b), lp.maximize(e, dom.A, dom.b)
            if lower.status != "optimal" or upper.status != "optimal":
                return {}
            box.append((to_fmpq(lower.value), to_fmpq(upper.value)))
    xs: dict[int, list[tuple[flint.fmpq, flint.fmpq]]] = {0: box}
    stable: dict[tuple[int, int], int] = {}
    for k in range(1, net.L):
        terms = [(net.W[k - 1], xs[k - 1])] + [(V, xs[r]) for r, V in net.skips[k - 1]]
        B = net.Bh[k - 1].tolist()
        lows, highs = [], []
        mats = [(M.tolist(), iv) for M, iv in terms]
        for i in range(net.dims[k]):
            lo = hi = B[i][-1]
            for rows, iv in mats:
                for a, (x_lo, x_hi) in zip(rows[i], iv, strict=True):
                    lo += min(a * x_lo, a * x_hi)
                    hi += max(a * x_lo, a * x_hi)
            lows.append(lo)
            highs.append(hi)
            p_lo, p_hi = net.piece_index(lo), net.piece_index(hi)
            if p_lo == p_hi:
                stable[(k, i)] = p_lo
        # the activations of Section 1.2 used here are nondecreasing
        xs[k] = [(_apply(net, lo), _apply(net, hi)) for lo, hi in zip(lows, highs, strict=True)]
    return stable


def _apply(net: Net, z: flint.fmpq) -> flint.fmpq:
    piece = net.pieces[net.piece_index(z)]
    return piece.slope * z + piece.intercept
