"""Exact linear regions of a ResNet with a piecewise-linear activation over a polyhedron.

For ReLU, leaky ReLU, clipping (piecewise linear) and Heaviside (piecewise constant) with
rational weights, the realization ``R^R_a(Phi, V)`` of Def. 1.5.4 is affine on each set of
inputs that share an *activation pattern*: for every hidden neuron ``(k, i)``, ``k < L``, the
index of the piece of ``a`` (``Activation.pieces``, a partition of ``R``) that holds the
pre-activation ``z_{k,i}``.  Skip connections change nothing in this argument: ``z_k`` is
``W_k x_{k-1} + B_k + sum_r V_{r,k} x_r``, affine in ``x_0`` once the earlier pieces are fixed.

:func:`decompose` lists these sets over a domain (a box or any polyhedron ``A x <= b``),
exactly: each :class:`Region` has its pattern, a non-redundant H-representation, an exact
interior point and the affine map ``x -> C x + d`` of the realization on it.

Two exact engines, chosen by the input dimension ``l_0`` (``method="auto"``):

* ``"vertex"`` (``l_0 <= 2``, continuous activation, bounded full-dimensional domain):
  segments / convex polygons carried by their vertices, split layer by layer and only by the
  neurons whose sign is not constant on them (all decided on the exact values at the
  vertices, python-flint ``fmpq``).  An affine function keeps one sign on a polygon iff it does
  at its vertices, so nothing is decided approximately.
* ``"lp"`` (any dimension): cells given by linear inequalities, split neuron by neuron; a piece
  of a neuron is kept when an exact rational LP (:mod:`symresnet.solve.lp`) finds a point of the cell
  in it.  Neurons whose sign is constant on the whole domain are first found by exact interval
  bounds (rationals, not floats) and never split on.  With a discontinuous activation
  (Heaviside) or a lower-dimensional domain this engine runs in *partition* mode (below).

Decisions (docs/design.md):

* Regions are the full-dimensional pattern sets; their closures cover the domain and their
  interiors are disjoint.  For a continuous activation the realization equals ``C x + d`` on
  the whole closed region (its H-representation is closed: ``strict`` all ``False``).
* With Heaviside the realization may jump on region boundaries, so :attr:`Decomposition.pieces`
  is the exact *partition* of the domain into pattern sets (every point in exactly one:
  boundary points go to the side the activation's pieces say, ``[0, oo)`` for Heaviside),
  including lower-dimensional ones; rows flagged ``strict`` are ``<``.
* Breakpoints of a 1-D realization are the interior points where the affine piece changes
  (:func:`breakpoints`); :func:`pieces_1d` merges neighbouring regions with the same map.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import cached_property
from typing import Any, TypeAlias, cast

import flint

from symresnet.base.errors import ActivationError, ClaimError, InputError, LimitError, NetworkError
from symresnet.model.activations import Piece
from symresnet.model.network import ResNet
from symresnet.solve import lp
from symresnet.values.exact import exact

__all__ = [
    "Decomposition",
    "Interval1D",
    "Polyhedron",
    "Region",
    "breakpoints",
    "decompose",
    "interval_count_error",
    "parse_box",
    "pieces_1d",
]

Q = flint.fmpq
_Z = Q(0)
_ONE = Q(1)
#: default bound on the number of regions (LimitError beyond)
MAX_REGIONS = 200_000

Progress: TypeAlias = Callable[[str], None]


def _frac(q: flint.fmpq) -> Fraction:
    return Fraction(int(q.p), int(q.q))


def _sign(q: flint.fmpq) -> int:
    p = q.p
    return 1 if p > 0 else (-1 if p < 0 else 0)


# -- the domain ---------------------------------------------------------------------------------


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
        bs = tuple((_fraction(lo), _fraction(hi)) for lo, hi in bounds)
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
        rows = tuple(tuple(_fraction(v) for v in row) for row in A)
        if not rows or len({len(r) for r in rows}) != 1 or len(rows) != len(b):
            raise ClaimError("a polyhedron needs rows of equal length and one bound per row")
        return cls(rows, tuple(_fraction(v) for v in b), len(rows[0]))

    def contains(self, x: Sequence[object]) -> bool:
        pt = [_fraction(v) for v in x]
        return all(
            sum((a * v for a, v in zip(row, pt, strict=True)), Fraction(0)) <= bi
            for row, bi in zip(self.A, self.b, strict=True)
        )


def _fraction(value: object) -> Fraction:
    if isinstance(value, Fraction):
        return value
    return lp._fraction(lp.to_fmpq(value))


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


# -- the network on flint -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Piece:
    lo: flint.fmpq | None
    hi: flint.fmpq | None
    lo_closed: bool
    hi_closed: bool
    slope: flint.fmpq
    intercept: flint.fmpq

    def contains(self, z: flint.fmpq) -> bool:
        if self.lo is not None and (z < self.lo or (z == self.lo and not self.lo_closed)):
            return False
        return not (self.hi is not None and (z > self.hi or (z == self.hi and not self.hi_closed)))


class _Net:
    """The network's data as flint matrices, with the activation's pieces as fmpq."""

    def __init__(self, net: ResNet):
        act = net.activation
        if not act.piecewise_linear or not act.rational:
            raise ActivationError(
                f"linear regions need a piecewise-linear activation with rational parameters; "
                f"this network uses {act.text}",
                place="activation",
                hint="ReLU, leaky ReLU, clipping and Heaviside are piecewise linear",
            )
        self.net = net
        self.L = net.L
        self.dims = net.dims
        self.n = net.dims[0]
        self.continuous = act.continuous
        self.pieces = tuple(_piece(p) for p in act.pieces)
        # the pieces after the first start at a finite breakpoint (they partition R in order)
        self.breakpoints = tuple(cast(flint.fmpq, p.lo) for p in self.pieces[1:])
        # 1: the identity piece, 0: the zero piece, None: slope s and intercept c
        self._kinds = tuple(
            1
            if p.slope == 1 and p.intercept == 0
            else (0 if p.slope == 0 and p.intercept == 0 else None)
            for p in self.pieces
        )
        self._zero_row = [_Z] * (self.n + 1)
        self.W = [_mat(w) for w in net.W]
        n1 = self.n + 1
        self.Bh = [
            flint.fmpq_mat(len(b), n1, [v for e in b for v in [*([_Z] * self.n), _q(e)]])
            for b in net.B
        ]
        self.skips: list[list[tuple[int, flint.fmpq_mat]]] = [
            [(r, _mat(v)) for r, v in net.skips_into(k)] for k in range(1, self.L + 1)
        ]
        # x_r is needed up to layer last_use[r]
        self.last_use = {r: r + 1 for r in range(self.L)}
        for r, k in net.skips:
            self.last_use[r] = max(self.last_use[r], k)

    def identity_map(self) -> flint.fmpq_mat:
        n = self.n
        return flint.fmpq_mat(
            n, n + 1, [_ONE if j == i else _Z for i in range(n) for j in range(n + 1)]
        )

    def preactivation(self, k: int, maps: dict[int, flint.fmpq_mat]) -> flint.fmpq_mat:
        """``z_k = W_k x_{k-1} + B_k + sum_r V_{r,k} x_r`` as a map of ``(x_0, 1)``."""
        Z = self.W[k - 1] * maps[k - 1] + self.Bh[k - 1]
        for r, V in self.skips[k - 1]:
            Z = Z + V * maps[r]
        return Z

    def output_map(self, Z: flint.fmpq_mat, pattern: Sequence[int]) -> flint.fmpq_mat:
        """``x_k = M_a(z_k)`` on the pieces ``pattern``: slope times the row plus intercept."""
        n1 = self.n + 1
        ent = Z.entries()
        zero = self._zero_row
        out: list[flint.fmpq] = []
        for i, p in enumerate(pattern):
            kind = self._kinds[p]
            if kind == 1:
                out += ent[i * n1 : (i + 1) * n1]
            elif kind == 0:
                out += zero
            else:
                piece = self.pieces[p]
                s, c = piece.slope, piece.intercept
                row = ent[i * n1 : (i + 1) * n1]
                out += [s * v for v in row[:-1]]
                out.append(s * row[-1] + c)
        return flint.fmpq_mat(len(pattern), n1, out)

    def piece_index(self, z: flint.fmpq) -> int:
        for idx, piece in enumerate(self.pieces):
            if piece.contains(z):
                return idx
        raise AssertionError("the pieces of an activation partition R")

    def prune(self, maps: dict[int, flint.fmpq_mat], k: int) -> None:
        for r in [r for r in maps if self.last_use[r] < k + 1]:
            del maps[r]


def _q(e: Any) -> flint.fmpq:
    return Q(int(e.p), int(e.q))


def _mat(m: Any) -> flint.fmpq_mat:
    """A sympy matrix of rationals as an ``fmpq_mat`` (from its DomainMatrix when it is one)."""
    rep = getattr(m, "_rep", None)
    dom = getattr(rep, "domain", None)
    if rep is not None and dom is not None and (dom.is_QQ or dom.is_ZZ):
        values = rep.to_list_flat()
        if all(isinstance(v, (flint.fmpq, flint.fmpz)) for v in values):  # flint ground types
            return flint.fmpq_mat(m.rows, m.cols, [Q(v) for v in values])
    entries = list(m)
    bad = next((e for e in entries if not e.is_Rational), None)
    if bad is not None:
        raise NetworkError(
            f"linear regions need rational weights, got {bad}",
            place="layers",
            hint="parameters and irrational entries have no exact regions here",
        )
    return flint.fmpq_mat(m.rows, m.cols, [_q(e) for e in entries])


def _piece(p: Piece) -> _Piece:
    lo = None if p.lo.is_infinite else _q(p.lo)
    hi = None if p.hi.is_infinite else _q(p.hi)
    return _Piece(lo, hi, p.lo_closed, p.hi_closed, _q(p.slope), _q(p.intercept))


# -- regions ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class _Raw:
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
    raw: _Raw | _VertexRaw = dataclasses.field(repr=False)

    @cached_property
    def A(self) -> tuple[tuple[Fraction, ...], ...]:
        return tuple(tuple(_frac(v) for v in row) for row in self.raw.A)

    @cached_property
    def b(self) -> tuple[Fraction, ...]:
        return tuple(_frac(v) for v in self.raw.b)

    @property
    def strict(self) -> tuple[bool, ...]:
        return tuple(self.raw.strict)

    @cached_property
    def point(self) -> tuple[Fraction, ...]:
        return tuple(_frac(v) for v in self.raw.point)

    @cached_property
    def C(self) -> tuple[tuple[Fraction, ...], ...]:
        rows = self.raw.out.tolist()
        return tuple(tuple(_frac(v) for v in row[:-1]) for row in rows)

    @cached_property
    def d(self) -> tuple[Fraction, ...]:
        return tuple(_frac(row[-1]) for row in self.raw.out.tolist())

    @cached_property
    def vertices(self) -> tuple[tuple[Fraction, ...], ...] | None:
        if self.raw.vertices is None:
            return None
        return tuple(tuple(_frac(v) for v in vert) for vert in self.raw.vertices)

    def value(self, x: Sequence[object]) -> tuple[Fraction, ...]:
        """``C x + d`` (the realization at ``x`` when ``x`` is in the region)."""
        pt = [_fraction(v) for v in x]
        return tuple(
            sum((c * v for c, v in zip(row, pt, strict=True)), Fraction(0)) + di
            for row, di in zip(self.C, self.d, strict=True)
        )

    def contains(self, x: Sequence[object]) -> bool:
        """Whether ``x`` satisfies the rows (strict rows strictly)."""
        pt = [_fraction(v) for v in x]
        for row, bi, s in zip(self.A, self.b, self.strict, strict=True):
            lhs = sum((a * v for a, v in zip(row, pt, strict=True)), Fraction(0))
            if lhs > bi or (s and lhs == bi):
                return False
        return True

    @property
    def pattern_text(self) -> str:
        """``"01|110"``: piece indices per hidden layer."""
        return "|".join("".join(map(str, layer)) for layer in self.pattern) or "-"


@dataclasses.dataclass(frozen=True, eq=False)
class Decomposition:
    """The regions of ``network`` over ``domain`` (see the module docstring).

    ``regions``: the full-dimensional ones (closures cover the domain, interiors disjoint).
    ``pieces``: what claims are decided on — the closed regions for a continuous activation,
    the exact partition (with lower-dimensional pattern sets) otherwise.
    """

    network: ResNet
    domain: Polyhedron
    regions: tuple[Region, ...]
    pieces: tuple[Region, ...]
    method: str
    partition: bool

    def __len__(self) -> int:
        return len(self.regions)

    def region_at(self, x: Sequence[object]) -> Region | None:
        """A piece containing ``x`` (the first one listed), or ``None``."""
        return next((r for r in self.pieces if r.contains(x)), None)


def decompose(
    network: ResNet,
    domain: Polyhedron,
    *,
    method: str = "auto",
    progress: Progress | None = None,
    max_regions: int = MAX_REGIONS,
) -> Decomposition:
    """The exact linear regions of ``R^R_a(Phi, V)`` over ``domain`` (see the module docstring).

    ``method`` is ``"auto"``, ``"vertex"`` (``l_0 <= 2``) or ``"lp"``; ``progress`` receives a
    line per layer; more than ``max_regions`` regions raise :class:`LimitError`.
    """
    net = _Net(network)
    if domain.n != net.n:
        raise interval_count_error(net.n, domain.n, place="box")
    if domain.bounds is not None:  # a box: nonempty, full-dimensional iff every lo < hi
        full = all(lo < hi for lo, hi in domain.bounds)
    else:
        if lp.feasible_point(domain.A, domain.b, n=domain.n) is None:
            raise ClaimError("the domain is empty", place="box")
        full = lp.interior_point(domain.A, domain.b, n=domain.n) is not None
    partition = not net.continuous or not full
    bounded = domain.bounds is not None or _bounded(domain)
    if method == "auto":
        method = "vertex" if net.n <= 2 and not partition and bounded else "lp"
    if method == "vertex":
        if net.n > 2 or partition or not bounded:
            raise ClaimError(
                "the vertex engine needs l_0 <= 2, a continuous activation and a bounded "
                "full-dimensional domain; use method='lp'",
            )
        regions = _VertexEngine(net, domain, progress, max_regions).run()
        if net.n == 1:  # left to right
            regions = tuple(sorted(regions, key=lambda r: cast(_VertexRaw, r.raw).vertices[0][0]))
        pieces = regions
    elif method == "lp":
        pieces = _LPEngine(net, domain, progress, max_regions, partition=partition).run()
        if net.n == 1:  # left to right
            pieces = tuple(sorted(pieces, key=lambda r: r.raw.point[0]))
        regions = tuple(p for p in pieces if p.full_dimensional)
    else:
        raise ClaimError(f"unknown method {method!r}: use auto, vertex or lp")
    return Decomposition(network, domain, regions, pieces, method, partition)


def _bounded(domain: Polyhedron) -> bool:
    for i in range(domain.n):
        e = [int(j == i) for j in range(domain.n)]
        for c in (e, [-v for v in e]):
            if lp.maximize(c, domain.A, domain.b).status != "optimal":
                return False
    return True


def _limit(count: int, max_regions: int) -> None:
    if count > max_regions:
        raise LimitError(
            f"more than {max_regions} regions",
            place="box",
            hint="use a smaller box or raise max_regions",
        )


# -- the vertex engine (l_0 = 1 or 2) ----------------------------------------------------------


class _VertexEngine:
    """Segments / convex polygons by their vertices, split only where a neuron changes sign."""

    def __init__(self, net: _Net, domain: Polyhedron, progress: Progress | None, max_regions: int):
        self.net, self.domain, self.progress, self.max_regions = net, domain, progress, max_regions

    def initial(self) -> list[list[flint.fmpq]]:
        n, dom = self.net.n, self.domain
        if dom.bounds is not None:
            (x0, x1), *rest = [(lp.to_fmpq(lo), lp.to_fmpq(hi)) for lo, hi in dom.bounds]
            if n == 1:
                return [[x0], [x1]]
            y0, y1 = rest[0]
            return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
        ends = []
        for i in range(n):
            e = [int(j == i) for j in range(n)]
            lo = lp.minimize(e, dom.A, dom.b).value
            hi = lp.maximize(e, dom.A, dom.b).value
            ends.append((lp.to_fmpq(lo), lp.to_fmpq(hi)))
        if n == 1:
            return [[ends[0][0]], [ends[0][1]]]
        (x0, x1), (y0, y1) = ends
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
        for row, bi in zip(dom.A, dom.b, strict=True):
            a = [lp.to_fmpq(v) for v in row]
            vals = [[*v, a[0] * v[0] + a[1] * v[1]] for v in ring]
            neg, _, side = _split_ring(vals, 2, lp.to_fmpq(bi))
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
                vals = (Z * flint.fmpq_mat(n + 1, nv, [*cols, *([_ONE] * nv)])).entries()
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
                _limit(len(out), self.max_regions)
            cells = out
            if self.progress:
                self.progress(f"layer {k}/{L - 1}: {len(cells)} region{'s' * (len(cells) != 1)}")
        regions = []
        for verts, maps, pattern in cells:
            Z = net.preactivation(L, maps)
            regions.append(Region(pattern, True, _VertexRaw(verts, Z)))
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


def _primitive(row: list[flint.fmpq], rhs: flint.fmpq) -> tuple[list[flint.fmpq], flint.fmpq]:
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


class _VertexRaw:
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
            return [[-_ONE], [_ONE]], [-lo, hi]
        A, b = [], []
        for j in range(len(ring)):
            p, q = ring[j], ring[(j + 1) % len(ring)]
            a = [q[1] - p[1], p[0] - q[0]]
            row, rhs = _primitive(a, a[0] * p[0] + a[1] * p[1])
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
        return [sum((v[i] for v in ring), _Z) / len(ring) for i in range(len(ring[0]))]


# -- the LP engine (any dimension) ---------------------------------------------------------------


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


class _LPEngine:
    """Cells as linear inequalities, split by exact LP feasibility."""

    def __init__(
        self, net: _Net, domain: Polyhedron, progress, max_regions: int, *, partition: bool
    ):
        self.net, self.domain, self.progress, self.max_regions = net, domain, progress, max_regions
        self.partition = partition

    def piece_rows(self, a: list, c: flint.fmpq, piece: _Piece) -> tuple[list, list, list]:
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
        A0 = [[lp.to_fmpq(v) for v in row] for row in dom.A]
        b0 = [lp.to_fmpq(v) for v in dom.b]
        strict0 = [not self.partition] * len(A0)
        start = lp.feasible_point(A0, b0, strict=strict0, n=n)
        assert start is not None, "decompose checked the domain (nonempty, interior if strict)"
        stable = _interval_stable(net, dom)
        cells = [
            _LPCell(A0, b0, strict0, [lp.to_fmpq(v) for v in start], {0: net.identity_map()}, ())
        ]
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
                _limit(len(out), self.max_regions)
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
                point = [lp.to_fmpq(v) for v in found]
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
            point = [lp.to_fmpq(v) for v in inner] if inner is not None else cell.point
        else:
            keep = lp.irredundant(cell.A, cell.b) if cell.A else ()
            A = [_primitive(cell.A[i], cell.b[i])[0] for i in keep]
            b = [_primitive(cell.A[i], cell.b[i])[1] for i in keep]
            strict, full, point = [False] * len(A), True, cell.point
        return Region(cell.pattern, full, _Raw(A, b, strict, point, Z, None))


def _on_end(z: flint.fmpq, piece: _Piece) -> bool:
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


def _interval_stable(net: _Net, dom: Polyhedron) -> dict[tuple[int, int], int]:
    """Neurons ``(k, i)`` whose pre-activation lies in one piece on the whole domain, by exact
    interval arithmetic over the domain's bounding box."""
    if dom.bounds is not None:
        box = [(lp.to_fmpq(lo), lp.to_fmpq(hi)) for lo, hi in dom.bounds]
    else:
        box = []
        for i in range(dom.n):
            e = [int(j == i) for j in range(dom.n)]
            lower, upper = lp.minimize(e, dom.A, dom.b), lp.maximize(e, dom.A, dom.b)
            if lower.status != "optimal" or upper.status != "optimal":
                return {}
            box.append((lp.to_fmpq(lower.value), lp.to_fmpq(upper.value)))
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


def _apply(net: _Net, z: flint.fmpq) -> flint.fmpq:
    piece = net.pieces[net.piece_index(z)]
    return piece.slope * z + piece.intercept


# -- 1-D views -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Interval1D:
    """A piece of a 1-D realization: on the interval from ``lo`` to ``hi`` (ends included per
    the flags; ``lo == hi`` is a single point) it is ``x -> slope * x + intercept`` (vectors for
    ``l_L > 1``)."""

    lo: Fraction
    hi: Fraction
    lo_closed: bool
    hi_closed: bool
    slope: tuple[Fraction, ...]
    intercept: tuple[Fraction, ...]


def _interval_of(region: Region) -> tuple[Fraction, Fraction, bool, bool]:
    lo, hi = None, None
    lo_c = hi_c = True
    for (a,), bi, s in zip(region.A, region.b, region.strict, strict=True):
        if a == 0:
            continue
        t = bi / a
        if a > 0 and (hi is None or t < hi or (t == hi and s)):
            hi, hi_c = t, not s
        if a < 0 and (lo is None or t > lo or (t == lo and s)):
            lo, lo_c = t, not s
    assert lo is not None and hi is not None, "1-D pieces are bounded"
    return lo, hi, lo_c, hi_c


def pieces_1d(dec: Decomposition) -> tuple[Interval1D, ...]:
    """For ``l_0 = 1``: the realization as a partition of the domain into intervals, in order,
    neighbours with the same affine map merged (DESIGN: boundary points go to the left piece
    for continuous activations; with Heaviside the exact pattern sets decide)."""
    if dec.domain.n != 1:
        raise ClaimError("pieces_1d needs a 1-D input (l_0 = 1)")
    items = []
    for r in dec.pieces:
        lo, hi, lo_c, hi_c = _interval_of(r)
        items.append([lo, hi, lo_c, hi_c, tuple(row[0] for row in r.C), r.d])
    items.sort(key=lambda it: (it[0], not it[2], it[1]))
    if not dec.partition:  # closed regions overlap at ends: make it a partition
        for j, it in enumerate(items):
            it[2] = j == 0
            it[3] = True
    merged: list[list] = []
    for it in items:
        last = merged[-1] if merged else None
        if last is not None and last[4:] == it[4:] and last[1] == it[0] and (last[3] or it[2]):
            last[1], last[3] = it[1], it[3]
        else:
            merged.append(it)
    return tuple(Interval1D(*it) for it in merged)


def breakpoints(dec: Decomposition) -> tuple[Fraction, ...]:
    """For ``l_0 = 1``: the interior points of the domain where the affine piece changes."""
    pieces = pieces_1d(dec)
    lo, hi = pieces[0].lo, pieces[-1].hi
    pts = sorted({p.lo for p in pieces} | {p.hi for p in pieces})
    return tuple(t for t in pts if lo < t < hi)
