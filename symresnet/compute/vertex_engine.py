"""The vertex engine of :func:`symresnet.compute.regions.decompose` (input dimension
``l_0 <= 2``, continuous activation, bounded full-dimensional domain).

Segments / convex polygons are carried by their vertices and split layer by layer, only by
the neurons whose sign is not constant on them, all decided on the exact values at the
vertices (python-flint ``fmpq``).  An affine function keeps one sign on a polygon iff it does
at its vertices, so nothing is decided approximately.  The regions come out as
:class:`~symresnet.compute.linear_region.Region` with a
:class:`~symresnet.compute.linear_region.VertexRaw`.
"""

from __future__ import annotations

import flint

from symresnet.base.errors import ClaimError
from symresnet.compute.linear_region import Progress, Region, VertexRaw, limit
from symresnet.compute.polyhedra import Polyhedron
from symresnet.compute.region_net import ONE, Net
from symresnet.solve import lp
from symresnet.values.rationals import to_fmpq

__all__ = ["VertexEngine"]


def _sign(q: flint.fmpq) -> int:
    p = q.p
    return 1 if p > 0 else (-1 if p < 0 else 0)


class VertexEngine:
    """Segments / convex polygons by their vertices, split only where a neuron changes sign."""

    def __init__(self, net: Net, domain: Polyhedron, progress: Progress | None, max_regions: int):
        self.net, self.domain, self.progress, self.max_regions = net, domain, progress, max_regions

    def initial(self) -> list[list[flint.fmpq]]:
        n, dom = self.net.n, self.domain
        if dom.bounds is not None:
            (x0, x1), *rest = [(to_fmpq(lo), to_fmpq(hi)) for lo, hi in dom.bounds]
            if n == 1:
                return [[x0], [x1]]
            y0, y1 = rest[0]
            return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
        ends = []
        for i in range(n):
            e = [int(j == i) for j in range(n)]
            lo = lp.minimize(e, dom.A, dom.b).value
            hi = lp.maximize(e, dom.A, dom.b).value
            ends.append((to_fmpq(lo), to_fmpq(hi)))
        if n == 1:
            return [[ends[0][0]], [ends[0][1]]]
        (x0, x1), (y0, y1) = ends
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
        for row, bi in zip(dom.A, dom.b, strict=True):
            a = [to_fmpq(v) for v in row]
            vals = [[*v, a[0] * v[0] + a[1] * v[1]] for v in ring]
            neg, _, side = _split_ring(vals, 2, to_fmpq(bi))
            if neg is None and side > 0:
                raise ClaimError("the domain is not full-dimensional", place="box")
            ring = [v[:2] for v in (neg if neg is not None else vals)]
        return ring

    def run(self) -> tuple[Region, ...]:
        net = self.net
        n, L = net.n, net.L
        cells: list[tuple[list[list[flint.fmpq]], dict[int, flint.fmpq_mat], tuple]] = [
            (self.initial(), {0: net.identity_map()}, ())
        ]
        split = _split_segment if n == 1 else _split_ring
        bps = net.breakpoints
        for k in range(1, L):
            out = []
            width = net.dims[k]
            for verts, maps, pattern in cells:
                Z = net.preactivation(k, maps)
                nv = len(verts)
                # the values of all neurons at all vertices: Z times the vertices as columns
                cols = [vert[i] for i in range(n) for vert in verts]
                vals = (Z * flint.fmpq_mat(n + 1, nv, [*cols, *([ONE] * nv)])).entries()
                # piece index of each neuron = number of breakpoints it lies above (pieces
                # are left-closed); a neuron crossing a breakpoint is cut there
                index = [0] * width
                cuts = []
                for i in range(width):
                    column = vals[i * nv : (i + 1) * nv]
                    for beta in bps:
                        side = _side(column, beta)
                        if side is None:
                            cuts.append((i, beta))
                        elif side > 0:
                            index[i] += 1
                # a vertex row: its coordinates, then the value of each cut's neuron
                rows = [[*verts[j], *(vals[i * nv + j] for i, _ in cuts)] for j in range(nv)]
                pieces = [(rows, index)]
                for t, (i, beta) in enumerate(cuts):
                    nxt = []
                    for piece, idx in pieces:
                        neg, pos, side = split(piece, n + t, beta)
                        if neg is not None:
                            up = list(idx)
                            up[i] += 1
                            nxt += [(neg, idx), (pos, up)]
                        elif side > 0:
                            up = list(idx)
                            up[i] += 1
                            nxt.append((piece, up))
                        else:
                            nxt.append((piece, idx))
                    pieces = nxt
                for piece, idx in pieces:
                    new_maps = dict(maps)
                    new_maps[k] = net.output_map(Z, idx)
                    net.prune(new_maps, k)
                    out.append(([row[:n] for row in piece], new_maps, (*pattern, tuple(idx))))
                limit(len(out), self.max_regions)
            cells = out
            if self.progress:
                self.progress(f"layer {k}/{L - 1}: {len(cells)} region{'s' * (len(cells) != 1)}")
        regions = []
        for verts, maps, pattern in cells:
            Z = net.preactivation(L, maps)
            regions.append(Region(pattern, True, VertexRaw(verts, Z)))
        return tuple(regions)


def _side(values: list[flint.fmpq], beta: flint.fmpq) -> int | None:
    """+1 if every value is >= beta and one is >, -1 if <= and one <, 0 if all equal beta,
    None if some value is strictly below beta and some strictly above."""
    below = above = False
    if beta == 0:
        for v in values:
            p = v.p
            if p > 0:
                above = True
            elif p < 0:
                below = True
    else:
        for v in values:
            if v > beta:
                above = True
            elif v < beta:
                below = True
    if above and below:
        return None
    return 1 if above else (-1 if below else 0)


def _point_on(u: list, v: list, col: int, beta: flint.fmpq, n: int) -> list:
    """The point of segment ``uv`` where column ``col`` equals ``beta``: the coordinates (the
    first ``n`` columns) and the columns after ``col`` interpolated (all are affine along the
    segment); the columns before ``col`` are spent and copied from ``u``."""
    t = (beta - u[col]) / (v[col] - u[col])
    return [
        *(u[i] + t * (v[i] - u[i]) for i in range(n)),
        *u[n : col + 1],
        *(u[i] + t * (v[i] - u[i]) for i in range(col + 1, len(u))),
    ]


def _cmp(v: flint.fmpq, beta: flint.fmpq) -> int:
    return _sign(v) if beta == 0 else (1 if v > beta else (-1 if v < beta else 0))


def _split_segment(seg: list[list], col: int, beta: flint.fmpq):
    """Split the segment ``[u, v]`` where column ``col`` crosses ``beta``; (None, None) if not."""
    u, v = seg
    side = _side([u[col], v[col]], beta)
    if side is not None:
        return None, None, side
    w = _point_on(u, v, col, beta, 1)
    return ([u, w], [w, v], None) if u[col] < beta else ([w, v], [u, w], None)


def _split_ring(ring: list[list], col: int, beta: flint.fmpq):
    """Split a convex polygon (vertex rows, counter-clockwise) by ``column col = beta``."""
    sides = [_cmp(row[col], beta) for row in ring]
    if not (1 in sides and -1 in sides):
        return None, None, (1 if 1 in sides else (-1 if -1 in sides else 0))
    neg: list[list] = []
    pos: list[list] = []
    m = len(ring)
    for j in range(m):
        u, su = ring[j], sides[j]
        if su <= 0:
            neg.append(u)
        if su >= 0:
            pos.append(u)
        sv = sides[(j + 1) % m]
        if su * sv < 0:
            w = _point_on(u, ring[(j + 1) % m], col, beta, 2)
            neg.append(w)
            pos.append(w)
    return neg, pos, None
