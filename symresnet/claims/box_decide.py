"""Deciding box claims exactly on the linear regions (:mod:`symresnet.claims.box`).

:func:`decide_box` splits the box into the regions of :mod:`symresnet.compute.regions`, on each
of which ``R(x) = C x + d``, and bounds every output coordinate there by exact LP
(:func:`region_bound`, :func:`extrema`): a ``forall`` holds iff the infima and suprema say so,
else a counterexample is found where an extremum or an LP on a region violates the claim; an
``exists`` has a witness at an extremum or a feasible point of a region's rows.  A true
``forall`` that exact interval arithmetic through the layers already proves
(:func:`interval_bounds`) also carries those intervals.  The verdict and its evidence are the
types of :mod:`symresnet.claims.box_verdict`.

Before a verdict is returned, :func:`symresnet.claims.evidence.verify` re-checks every piece of
evidence with plain Fractions, sharing no code with the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from symresnet.base.errors import ClaimError
from symresnet.claims.box_verdict import Bound, BoxVerdict, Extremum, PointValue, Side
from symresnet.claims.evidence import check_extrema
from symresnet.claims.evidence import verify as check_evidence
from symresnet.compute.linear_region import Progress, Region
from symresnet.compute.region_net import require_rational
from symresnet.compute.regions import Decomposition, decompose
from symresnet.model.network import ResNet
from symresnet.solve import lp
from symresnet.values.relations import Relation

if TYPE_CHECKING:  # pragma: no cover (box imports this module)
    from symresnet.claims.box import BoxClaim

__all__ = [
    "decide_box",
    "extrema",
    "holds_at",
    "interval_bounds",
    "region_bound",
    "relation_rows",
]

# -- bounds per region ---------------------------------------------------------------------------


def _dot(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction:
    return sum((a * b for a, b in zip(u, v, strict=True)), Fraction(0))


def _vertex_bound(
    region: Region, c: tuple[Fraction, ...]
) -> tuple[Fraction, tuple[Fraction, ...], tuple[Fraction, ...]] | None:
    """Maximum of ``c x`` over a vertex region: (value, vertex, multipliers) or None."""
    verts = region.vertices
    assert verts is not None
    best = max(range(len(verts)), key=lambda t: (_dot(c, verts[t]), [-v for v in verts[t]]))
    v = verts[best]
    A, m = region.A, len(region.A)
    y = [Fraction(0)] * m
    if any(c):
        if len(v) == 1:  # rows: -x <= -lo, x <= hi
            y[0 if c[0] < 0 else 1] = abs(c[0])
        else:  # the two edges meeting at vertex t: rows t-1 and t
            i1, i2 = (best - 1) % m, best
            (a, b), (p, q) = A[i1], A[i2]
            det = a * q - b * p
            l1 = (c[0] * q - c[1] * p) / det
            l2 = (a * c[1] - b * c[0]) / det
            if l1 < 0 or l2 < 0:
                return None
            y[i1], y[i2] = l1, l2
    return _dot(c, v), v, tuple(y)


def region_bound(region: Region, index: int, j: int, side: Side) -> Bound:
    """The exact bound of output coordinate ``j`` on one region, with its certificate."""
    s = 1 if side == "max" else -1
    c = tuple(s * v for v in region.C[j])
    found = _vertex_bound(region, c) if region.vertices is not None else None
    attained = True
    if found is None:
        res = lp.maximize(c, region.A, region.b, strict=region.strict)
        if res.status != "optimal":
            raise ClaimError("the region is unbounded: box claims need a bounded domain")
        # an optimum comes with its value, a point and the dual certificate
        assert res.value is not None and res.point is not None and res.dual is not None
        found = (res.value, res.point, res.dual)
        attained = res.attained
    top, point, y = found
    return Bound(index, j, side, s * top + region.d[j], tuple(point), tuple(y), attained)


def extrema(dec: Decomposition) -> tuple[tuple[Extremum, ...], tuple[Extremum, ...], list[Bound]]:
    """Infimum and supremum of every output coordinate over the domain, and every region's
    bounds (the evidence).  Ties go to the lexicographically smallest attaining point; every
    attained point is re-checked exactly (:func:`symresnet.claims.evidence.check_extrema`)."""
    m = dec.network.dims[-1]
    bounds = [
        region_bound(r, i, j, side)
        for i, r in enumerate(dec.pieces)
        for j in range(m)
        for side in ("min", "max")
    ]
    mins: list[Extremum] = []
    maxs: list[Extremum] = []
    for j in range(m):
        for side, out in (("min", mins), ("max", maxs)):
            mine = [b for b in bounds if b.coordinate == j and b.side == side]
            best = min(b.value for b in mine) if side == "min" else max(b.value for b in mine)
            tied = [b for b in mine if b.value == best]
            hit = sorted((b.point, b.piece) for b in tied if b.attained)
            if hit:
                out.append(Extremum(best, hit[0][0], hit[0][1]))
            else:
                out.append(Extremum(best, None, tied[0].piece))
    # every printed point must attain its value: re-checked by the independent evaluator
    check_extrema(dec.network, dec.domain, mins, maxs)
    return tuple(mins), tuple(maxs), bounds


# -- deciding -------------------------------------------------------------------------------------


def holds_at(relation: str, value: Fraction, y: Fraction) -> bool:
    """``value <relation> y`` for two rationals."""
    return Relation(relation).holds(value, y)


def _forall_coordinate(relation: str, lo: Extremum, hi: Extremum, y: Fraction) -> bool:
    """``R_j(x) ~ y`` for all x, from the infimum ``lo`` and supremum ``hi`` of ``R_j``."""
    if relation in ("at_most", "equals") and hi.value > y:
        return False
    if relation in ("at_least", "equals") and lo.value < y:
        return False
    if relation == "less" and (hi.value > y or (hi.value == y and hi.attained)):
        return False
    return not (relation == "greater" and (lo.value < y or (lo.value == y and lo.attained)))


def relation_rows(region: Region, j: int, relation: str, y: Fraction, *, violated: bool):
    """Rows ``(a, rhs, strict)`` (``a x <= rhs``, ``<`` if strict) in terms of ``x``: with
    ``violated=False`` all of them together say ``R_j(x) ~ y`` on the region; with
    ``violated=True`` each one alone says that ``R_j(x) ~ y`` fails."""
    C, d = list(region.C[j]), region.d[j]
    below = lambda strict: (C, y - d, strict)  # noqa: E731  C x + d (<|<=) y
    above = lambda strict: ([-v for v in C], d - y, strict)  # noqa: E731  C x + d (>|>=) y
    if not violated:
        return {
            "equals": [below(False), above(False)],
            "at_most": [below(False)],
            "less": [below(True)],
            "at_least": [above(False)],
            "greater": [above(True)],
        }[relation]
    return {
        "equals": [above(True), below(True)],
        "at_most": [above(True)],
        "less": [above(False)],
        "at_least": [below(True)],
        "greater": [below(False)],
    }[relation]


def _violation(region: Region, j: int, relation: str, y: Fraction):
    """A point of ``region`` where ``R_j ~ y`` fails, or None."""
    for row, rhs, strict in relation_rows(region, j, relation, y, violated=True):
        point = lp.feasible_point(
            [*region.A, row], [*region.b, rhs], strict=[*region.strict, strict], n=len(row)
        )
        if point is not None:
            return point
    return None


def decide_box(
    claim: BoxClaim,
    network: ResNet,
    *,
    decomposition: Decomposition | None = None,
    progress: Progress | None = None,
    verify: bool = True,
) -> BoxVerdict:
    """Decide ``claim`` exactly (module docstring); the evidence is re-checked by
    :func:`symresnet.claims.evidence.verify` unless ``verify=False``."""
    require_rational(network, what="box claims", done="decided")
    dec = decomposition or decompose(network, claim.box, progress=progress)
    mins, maxs, bounds = extrema(dec)
    y = claim.expected
    m = len(y)
    value_at = _value_at(dec)
    if claim.quantifier == "forall":
        ok = [_forall_coordinate(claim.relation, mins[j], maxs[j], y[j]) for j in range(m)]
        holds = all(ok)
        counterexample = None
        if not holds:
            counterexample = _counterexample(dec, claim, mins, maxs, ok, value_at)
        sides = _sides(claim.relation)
        facts = tuple(b for b in bounds if b.side in sides) if holds else ()
        intervals: tuple[tuple[tuple[Fraction, Fraction], ...], ...] = ()
        if holds:
            boxes = interval_bounds(network, claim.bounds)
            if all(
                _forall_interval(claim.relation, lo, hi, t)
                for (lo, hi), t in zip(boxes[-1], y, strict=True)
            ):
                intervals = boxes
        verdict = BoxVerdict(
            claim,
            dec,
            holds,
            mins,
            maxs,
            counterexample=counterexample,
            facts=facts,
            intervals=intervals,
        )
    else:
        witness = _witness(dec, claim, mins, maxs, value_at)
        facts = () if witness is not None else _exists_facts(claim, bounds, len(dec.pieces))
        verdict = BoxVerdict(
            claim, dec, witness is not None, mins, maxs, witness=witness, facts=facts
        )
    if verify:
        check_evidence(verdict)
    return verdict


def interval_bounds(network: ResNet, bounds) -> tuple[tuple[tuple[Fraction, Fraction], ...], ...]:
    """Exact interval arithmetic through Def. 1.5.4 over a box: for ``k = 0..L`` the intervals
    ``(lo, hi)`` containing every entry of ``x_k`` (every activation of Section 1.2 used for
    regions is nondecreasing, so ``a([lo, hi]) = [a(lo), a(hi)]``)."""
    act = network.activation
    xs: list[list[tuple[Fraction, Fraction]]] = [list(bounds)]
    L = network.L
    rational = lambda e: Fraction(int(e.p), int(e.q))  # noqa: E731
    for k in range(1, L + 1):
        terms = [(network.W[k - 1], xs[k - 1])] + [(V, xs[r]) for r, V in network.skips_into(k)]
        z = []
        for i in range(network.dims[k]):
            lo = hi = rational(network.B[k - 1][i])
            for M, iv in terms:
                for j, (a, b) in enumerate(iv):
                    w = rational(M[i, j])
                    lo += min(w * a, w * b)
                    hi += max(w * a, w * b)
            z.append((lo, hi))
        xs.append(
            z if k == L else [(act.apply_fraction(lo), act.apply_fraction(hi)) for lo, hi in z]
        )
    return tuple(tuple(x) for x in xs)


def _forall_interval(relation: str, lo: Fraction, hi: Fraction, y: Fraction) -> bool:
    """``lo <= R_j <= hi`` alone proves ``R_j ~ y``."""
    return {
        "equals": lo == hi == y,
        "at_most": hi <= y,
        "less": hi < y,
        "at_least": lo >= y,
        "greater": lo > y,
    }[relation]


def _sides(relation: str) -> tuple[str, ...]:
    return {
        "equals": ("min", "max"),
        "at_most": ("max",),
        "less": ("max",),
        "at_least": ("min",),
        "greater": ("min",),
    }[relation]


def _value_at(dec: Decomposition):
    def value(point: tuple[Fraction, ...], piece: int | None = None) -> PointValue:
        region = dec.pieces[piece] if piece is not None else dec.region_at(point)
        assert region is not None, "every point of the domain lies in a piece"
        return PointValue(tuple(point), region.value(point))

    return value


def _counterexample(dec, claim, mins, maxs, ok, value_at) -> PointValue:
    y = claim.expected
    for j, good in enumerate(ok):
        if good:
            continue
        for ext in (maxs[j], mins[j]):
            if ext.attained and not holds_at(claim.relation, ext.value, y[j]):
                return value_at(ext.point, ext.piece)
        for i, region in enumerate(dec.pieces):
            point = _violation(region, j, claim.relation, y[j])
            if point is not None:
                return value_at(point, i)
    raise AssertionError("a false forall claim has a counterexample")


def _witness(dec, claim, mins, maxs, value_at) -> PointValue | None:
    y, rel = claim.expected, claim.relation
    for ext in (*maxs, *mins):
        if ext.attained:
            pv = value_at(ext.point, ext.piece)
            if all(holds_at(rel, v, yj) for v, yj in zip(pv.value, y, strict=True)):
                return pv
    for i, region in enumerate(dec.pieces):
        rows = [
            r for j in range(len(y)) for r in relation_rows(region, j, rel, y[j], violated=False)
        ]
        A = [*region.A, *(r[0] for r in rows)]
        b = [*region.b, *(r[1] for r in rows)]
        strict = [*region.strict, *(r[2] for r in rows)]
        point = lp.feasible_point(A, b, strict=strict, n=dec.domain.n)
        if point is not None:
            return value_at(point, i)
    return None


def _exists_facts(claim: BoxClaim, bounds: list[Bound], count: int) -> tuple[Bound, ...]:
    """For a false exists: per region one bound of one coordinate that rules it out, if every
    region has one (otherwise no facts: the refutation then rests on the LPs alone)."""
    y, rel = claim.expected, claim.relation
    out = []
    for i in range(count):
        mine = [b for b in bounds if b.piece == i]
        fact = next((b for b in mine if _excludes(b, rel, y[b.coordinate])), None)
        if fact is None:
            return ()
        out.append(fact)
    return tuple(out)


def _excludes(b: Bound, relation: str, y: Fraction) -> bool:
    """The bound alone shows that ``R_j ~ y`` fails everywhere on its region."""
    if b.side == "max":  # R_j <= value there
        return (
            b.value < y
            if relation in ("at_least", "equals")
            else (relation == "greater" and b.value <= y)
        )
    return (
        b.value > y
        if relation in ("at_most", "equals")
        # R_j >= value there
        else (relation == "less" and b.value >= y)
    )
