"""Exact linear regions of a ResNet with a piecewise-linear activation over a polyhedron.

For ReLU, leaky ReLU, clipping (piecewise linear) and Heaviside (piecewise constant) with
rational weights, the realization ``R^R_a(Phi, V)`` of Def. 1.5.4 is affine on each set of
inputs that share an *activation pattern*: for every hidden neuron ``(k, i)``, ``k < L``, the
index of the piece of ``a`` (``Activation.pieces``, a partition of ``R``) that holds the
pre-activation ``z_{k,i}``.  Skip connections change nothing in this argument: ``z_k`` is
``W_k x_{k-1} + B_k + sum_r V_{r,k} x_r``, affine in ``x_0`` once the earlier pieces are fixed
(:mod:`symresnet.compute.region_net`).

:func:`decompose` lists these sets over a domain (a box or any polyhedron ``A x <= b``,
:mod:`symresnet.compute.polyhedra`), exactly: each
:class:`~symresnet.compute.linear_region.Region` has its pattern, a non-redundant
H-representation, an exact interior point and the affine map ``x -> C x + d`` of the
realization on it.

Two exact engines, chosen by the input dimension ``l_0`` (``method="auto"``):

* ``"vertex"`` (``l_0 <= 2``, continuous activation, bounded full-dimensional domain):
  segments / convex polygons carried by their vertices, split layer by layer and only by the
  neurons whose sign is not constant on them, decided on the exact values at the vertices
  (:mod:`symresnet.compute.vertex_engine`).
* ``"lp"`` (any dimension): cells given by linear inequalities, split neuron by neuron by exact
  rational LPs (:mod:`symresnet.compute.lp_engine`).  With a discontinuous activation
  (Heaviside) or a lower-dimensional domain this engine runs in *partition* mode (below).

Decisions (docs/design.md):

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
from collections.abc import Sequence
from fractions import Fraction
from typing import cast

from symresnet.base.errors import ClaimError, LimitError
from symresnet.compute.linear_region import Progress, Region, VertexRaw
from symresnet.compute.lp_engine import LPEngine
from symresnet.compute.polyhedra import Polyhedron, interval_count_error
from symresnet.compute.region_net import Net
from symresnet.compute.vertex_engine import VertexEngine
from symresnet.model.network import ResNet
from symresnet.solve import lp

__all__ = [
    "MAX_REGIONS",
    "MAX_REGION_WIDTH",
    "Decomposition",
    "Interval1D",
    "breakpoints",
    "decompose",
    "pieces_1d",
]

#: default bound on the number of regions (LimitError beyond)
MAX_REGIONS = 200_000
#: widest hidden layer a decomposition takes (LimitError before the work): a layer of width w
#: cuts even a line into up to w + 1 regions, each with patterns and maps of width w, so time
#: and memory grow with w^2 (over an interval, width 1,000: 2 s; 3,000: 20 s and 360 MB)
MAX_REGION_WIDTH = 5_000


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
    line per layer; more than ``max_regions`` regions raise :class:`LimitError`, as does a
    hidden layer wider than :data:`MAX_REGION_WIDTH` (before any work).
    """
    _check_width(network)
    net = Net(network)
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
        regions = VertexEngine(net, domain, progress, max_regions).run()
        if net.n == 1:  # left to right
            regions = tuple(sorted(regions, key=lambda r: cast(VertexRaw, r.raw).vertices[0][0]))
        pieces = regions
    elif method == "lp":
        pieces = LPEngine(net, domain, progress, max_regions, partition=partition).run()
        if net.n == 1:  # left to right
            pieces = tuple(sorted(pieces, key=lambda r: r.raw.point[0]))
        regions = tuple(p for p in pieces if p.full_dimensional)
    else:
        raise ClaimError(f"unknown method {method!r}: use auto, vertex or lp")
    return Decomposition(network, domain, regions, pieces, method, partition)


def _check_width(network: ResNet) -> None:
    for k, width in enumerate(network.dims[1:-1], start=1):
        if width > MAX_REGION_WIDTH:
            raise LimitError(
                f"layer {k} has {width} neurons, more than the {MAX_REGION_WIDTH} a "
                "decomposition into linear regions takes (their time and memory grow with the "
                "square of the width)",
                place=f"layers[{k}]",
                hint="use a narrower network; eval computes single points of any width",
            )


def _bounded(domain: Polyhedron) -> bool:
    for i in range(domain.n):
        e = [int(j == i) for j in range(domain.n)]
        for c in (e, [-v for v in e]):
            if lp.maximize(c, domain.A, domain.b).status != "optimal":
                return False
    return True


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
