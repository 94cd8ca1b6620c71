"""Quantified claims over input boxes, decided exactly on the linear regions.

A box claim states ``for all x in [lo_1, hi_1] x ... x [lo_n, hi_n]: R(x) ~ y`` (``forall``)
or ``there is such an x with R(x) ~ y`` (``exists``), for a relation ``~`` of
:class:`~symresnet.values.relations.Relation`, componentwise for vector outputs; ``R = R^R_a(Phi, V)``
(Def. 1.5.4) with a piecewise-linear activation.

:func:`decide_box` splits the box into the regions of :mod:`symresnet.compute.regions`, on each of
which ``R(x) = C x + d``, and bounds every output coordinate there by exact LP.  The verdict
carries its evidence:

* the exact infimum and supremum of each output coordinate over the box, with a point that
  attains it (``None`` where, with Heaviside, it is not attained);
* a false ``forall``: a counterexample (input and value); a true ``exists``: a witness;
* a true ``forall`` (and a false ``exists`` on a scalar condition): per region and output
  coordinate, a :class:`Bound` — the region's map, the bound, a point where it is reached and
  LP multipliers ``lambda >= 0`` with ``lambda A = +-C_j`` that prove it by adding rows.

Before a verdict is returned, :func:`symresnet.claims.evidence.verify` re-checks every piece of
evidence with plain Fractions, sharing no code with the engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, ClassVar, Literal

import sympy

from symresnet.base.errors import ClaimError, InputError, NetworkError
from symresnet.base.printing import Printable
from symresnet.claims.evidence import verify as check_evidence
from symresnet.claims.point import one_relation
from symresnet.claims.verdict import ClaimKind, Status
from symresnet.compute.regions import (
    Decomposition,
    Polyhedron,
    Progress,
    Region,
    decompose,
    interval_count_error,
)
from symresnet.model.network import ResNet
from symresnet.solve import lp
from symresnet.values.exact import DEFAULT_LIMITS, Limits, exact
from symresnet.values.relations import Relation
from symresnet.values.relations import relation as as_relation

__all__ = [
    "QUANTIFIERS",
    "Bound",
    "BoxClaim",
    "BoxVerdict",
    "Extremum",
    "PointValue",
    "box_claim",
    "check_box",
    "decide_box",
    "extrema",
    "holds_at",
    "interval_bounds",
]

QUANTIFIERS = ("forall", "exists")
Side = Literal["min", "max"]


@dataclasses.dataclass(frozen=True)
class BoxClaim:
    """``forall`` / ``exists`` ``x`` in ``box``: ``R(x) <relation> expected`` (componentwise)."""

    kind: ClassVar[ClaimKind] = "box"

    quantifier: str
    box: Polyhedron
    relation: Relation
    expected: tuple[Fraction, ...]
    label: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "relation", as_relation(self.relation))

    @property
    def symbol(self) -> str:
        return self.relation.text

    def decide(
        self,
        network: ResNet,
        *,
        limits: Limits = DEFAULT_LIMITS,
        bounds: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> BoxVerdict:
        """Decide the claim exactly on the linear regions of ``network`` (:func:`decide_box`)."""
        return decide_box(self, network, progress=progress)

    @property
    def bounds(self) -> tuple[tuple[Fraction, Fraction], ...]:
        assert self.box.bounds is not None
        return self.box.bounds


@dataclasses.dataclass(frozen=True)
class PointValue:
    """An input and the exact value ``R(input)`` there."""

    input: tuple[Fraction, ...]
    value: tuple[Fraction, ...]


@dataclasses.dataclass(frozen=True)
class Extremum:
    """The infimum / supremum ``value`` of one output coordinate over the box; ``point`` attains
    it (``None`` if it is not attained); ``piece`` is the index of the region it comes from."""

    value: Fraction
    point: tuple[Fraction, ...] | None
    piece: int

    @property
    def attained(self) -> bool:
        return self.point is not None


@dataclasses.dataclass(frozen=True)
class Bound:
    """On ``pieces[piece]`` (rows ``A x <= b``, map ``C x + d``), output coordinate
    ``coordinate`` is ``<= value`` (``side == "max"``) or ``>= value`` (``"min"``).

    Proof: ``multipliers`` ``lambda >= 0`` with ``sum_i lambda_i A_i = s C_j`` (``s = +1`` for
    max, ``-1`` for min) give ``s C_j x <= sum_i lambda_i b_i`` on the region, so
    ``s R_j(x) <= s value`` with ``value = s sum_i lambda_i b_i + d_j``; ``point`` (in the closed
    region) has ``C_j point + d_j = value``: the bound is sharp.  ``attained`` is ``False`` when
    ``point`` lies only in the closure (strict rows, Heaviside).
    """

    piece: int
    coordinate: int
    side: Side
    value: Fraction
    point: tuple[Fraction, ...]
    multipliers: tuple[Fraction, ...]
    attained: bool = True


@dataclasses.dataclass(frozen=True)
class BoxVerdict(Printable):
    """The exact verdict on a :class:`BoxClaim` with its evidence (module docstring)."""

    claim: BoxClaim
    decomposition: Decomposition
    holds: bool
    minimum: tuple[Extremum, ...]
    maximum: tuple[Extremum, ...]
    counterexample: PointValue | None = None
    witness: PointValue | None = None
    facts: tuple[Bound, ...] = ()
    #: for a true forall that exact interval bounds already prove: ``intervals[k]`` holds the
    #: ``(lo, hi)`` of every entry of ``x_k`` over the box, ``k = 0..L`` (else ``()``)
    intervals: tuple[tuple[tuple[Fraction, Fraction], ...], ...] = ()

    @property
    def status(self) -> Status:
        return "holds" if self.holds else "fails"

    @property
    def attained(self) -> bool:
        """Every infimum and supremum is attained (always, for continuous activations)."""
        return all(e.attained for e in (*self.minimum, *self.maximum))


# -- building claims ---------------------------------------------------------------------------


def _rational(value: object, *, place: str, names, limits: Limits) -> Fraction:
    try:
        v = exact(value, names=names or {}, limits=limits)
    except InputError as err:
        raise err.located(prefix=place) from None
    if not v.is_Rational:
        raise ClaimError(
            f"{v} is not a rational number (box claims are decided on rationals)", place=place
        )
    return Fraction(int(v.p), int(v.q))


def box_claim(
    network: ResNet,
    *,
    quantifier: str,
    box: object,
    relation: str,
    expected: object,
    label: str | None = None,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> BoxClaim:
    """Build a :class:`BoxClaim`; ``box`` is ``[[lo, hi], ...]`` (one interval per input
    coordinate) or a :class:`Polyhedron` box; ``expected`` has ``l_L`` entries (a bare number
    for ``l_L = 1``)."""
    if quantifier not in QUANTIFIERS:
        raise ClaimError(f"unknown quantifier {quantifier!r}: use forall or exists")
    relation = as_relation(relation)
    n, m = network.dims[0], network.dims[-1]
    if isinstance(box, Polyhedron):
        if box.bounds is None:
            raise ClaimError("a box claim needs a box", place=quantifier)
        domain = box
    else:
        domain = _box(box, n, place=quantifier, names=names, limits=limits)
    if domain.n != n:
        raise interval_count_error(n, domain.n, place=quantifier)
    values = expected if isinstance(expected, (list, tuple)) else [expected]
    if len(values) != m:
        raise ClaimError(
            f"expected {m} entr{'ies' if m != 1 else 'y'} (l_{network.L} = {m}), got {len(values)}",
            place=relation,
        )
    y = tuple(
        _rational(v, place=f"{relation}[{i}]", names=names, limits=limits)
        for i, v in enumerate(values, start=1)
    )
    return BoxClaim(quantifier, domain, relation, y, label)


def _box(value: object, n: int, *, place: str, names, limits: Limits) -> Polyhedron:
    if not isinstance(value, (list, tuple)):
        raise ClaimError("write the box as a list of intervals [[lo, hi], ...]", place=place)
    # a single interval [lo, hi] for l_0 = 1 may be written without the outer list
    if n == 1 and len(value) == 2 and not any(isinstance(v, (list, tuple)) for v in value):
        value = [value]
    if len(value) != n:
        raise interval_count_error(n, len(value), place=place)
    bounds = []
    for i, iv in enumerate(value, start=1):
        if not isinstance(iv, (list, tuple)) or len(iv) != 2:
            raise ClaimError("an interval is a pair [lo, hi]", place=f"{place}[{i}]")
        lo = _rational(iv[0], place=f"{place}[{i}]", names=names, limits=limits)
        hi = _rational(iv[1], place=f"{place}[{i}]", names=names, limits=limits)
        if lo > hi:
            raise ClaimError(f"the interval is empty: {lo} > {hi}", place=f"{place}[{i}]")
        bounds.append((lo, hi))
    return Polyhedron.box(bounds)


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
    bounds (the evidence).  Ties go to the lexicographically smallest attaining point."""
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


def _rows(region: Region, j: int, relation: str, y: Fraction, *, violated: bool):
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
    for row, rhs, strict in _rows(region, j, relation, y, violated=True):
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
    _require_rational(network)
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


def _require_rational(network: ResNet) -> None:
    """Box claims are decided on rational networks; parameters and irrational entries are
    refused with a message (not a crash)."""
    if network.free_symbols:
        names = ", ".join(sorted(s.name for s in network.free_symbols))
        raise NetworkError(
            f"box claims are decided for networks without parameters; this one has {names}",
            hint="give the parameters values (symresnet study sweeps them)",
        )
    entries = (e for m in (*network.W, *network.B, *network.skips.values()) for e in m)
    if not all(e.is_Rational for e in entries):
        raise NetworkError(
            "box claims need rational weights, biases and skip matrices",
            hint="write the irrational entries as rationals close to them",
        )


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
        rows = [r for j in range(len(y)) for r in _rows(region, j, rel, y[j], violated=False)]
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


def check_box(
    network: ResNet,
    *,
    forall: object | None = None,
    exists: object | None = None,
    equals: object | None = None,
    at_least: object | None = None,
    at_most: object | None = None,
    greater: object | None = None,
    less: object | None = None,
    label: str | None = None,
    progress: Progress | None = None,
) -> BoxVerdict:
    """Decide ``forall``/``exists`` ``x`` in a box: ``R(x) ~ y`` exactly (one relation)::

    check_box(net, forall=[[-2, 1]], at_most=0)
    """
    if (forall is None) == (exists is None):
        raise ClaimError("a box claim needs exactly one of forall, exists")
    relation, expected = one_relation(
        equals=equals, at_least=at_least, at_most=at_most, greater=greater, less=less
    )
    quantifier, box = ("forall", forall) if forall is not None else ("exists", exists)
    claim = box_claim(
        network, quantifier=quantifier, box=box, relation=relation, expected=expected, label=label
    )
    return decide_box(claim, network, progress=progress)
