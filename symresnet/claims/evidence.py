"""An independent checker for the evidence of box verdicts (plain :class:`fractions.Fraction`).

Nothing here is shared with the engine (:mod:`symresnet.compute.regions`, :mod:`symresnet.solve.lp`,
:mod:`symresnet.compute.core`, :mod:`symresnet.compute.realization`): the network is read from the raw
matrices ``W_k``, ``B_k``, ``V_{r,k}`` of the :class:`~symresnet.model.network.ResNet`, the activation's
pieces are written out again below from the book's Section 1.2, and the realization of
Def. 1.5.4 is evaluated with Fractions.  :func:`verify` raises :class:`EvidenceError` (an
internal error: a bug) unless every item holds:

* a counterexample / witness / attained extremum lies in the box, the network's value there is
  the reported one, and it violates / satisfies / attains what is claimed;
* for each region used by a fact: the map ``C x + d`` is the composition of the layers under the
  region's pattern; at the region's point the network has that pattern; for a fact's bound, the
  multipliers are ``>= 0``, combine the rows to ``+-C_j`` and the right-hand sides to the bound,
  and the bound is reached at the given point of the closed region;
* where regions come with vertices (``l_0 <= 2``): at every vertex each pre-activation lies in
  the closed piece the pattern names (so the realization is ``C x + d`` on the whole region),
  the patterns are distinct, and the lengths / areas add up to the box's: the regions cover it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from fractions import Fraction

from symresnet.base.errors import InternalError

__all__ = ["EvidenceError", "check_extrema", "evaluate", "verify"]

Vector = list[Fraction]
Map = list[list[Fraction]]  # rows (a_1, ..., a_n, c): x -> a . x + c


class EvidenceError(InternalError):
    """A piece of evidence did not check out: the verdict is not reported."""


# -- the network, read again -----------------------------------------------------------------------


def _f(e) -> Fraction:
    return Fraction(int(e.p), int(e.q))


# Exact arithmetic on integer matrices over one positive common denominator: ``(rows, den)``
# stands for the matrix ``rows / den`` (plain Python ints; a Fraction per entry would spend most
# of its time in gcds).
Scaled = tuple[list[list[int]], int]


def _scaled(rows: Sequence[Sequence[Fraction]]) -> Scaled:
    den = 1
    for row in rows:
        for v in row:
            den = math.lcm(den, v.denominator)
    return [[v.numerator * (den // v.denominator) for v in row] for row in rows], den


def _mul(A: Scaled, B: Scaled) -> Scaled:
    cols = list(zip(*B[0], strict=True))
    return [[sum(map(operator.mul, row, col)) for col in cols] for row in A[0]], A[1] * B[1]


def _add(A: Scaled, B: Scaled) -> Scaled:
    den = math.lcm(A[1], B[1])
    fa, fb = den // A[1], den // B[1]
    return [
        [a * fa + b * fb for a, b in zip(u, v, strict=True)]
        for u, v in zip(A[0], B[0], strict=True)
    ], den


def _sign_minus(num: int, den: int, q: Fraction) -> int:
    """The sign of ``num/den - q`` (``den > 0``)."""
    d = num * q.denominator - q.numerator * den
    return (d > 0) - (d < 0)


class _Net:
    """The network's data as scaled integer matrices, and the activation's pieces."""

    def __init__(self, network):
        self.L = len(network.W)
        self.W = [_scaled([[_f(e) for e in m.row(i)] for i in range(m.rows)]) for m in network.W]
        self.B = [[_f(e) for e in m] for m in network.B]
        self.V = {
            rk: _scaled([[_f(e) for e in m.row(i)] for i in range(m.rows)])
            for rk, m in network.skips.items()
        }
        self.dims = [network.W[0].cols] + [m.rows for m in network.W]
        self.pieces = _pieces(network.activation.name, dict(network.activation.params))
        # slope and intercept of every piece over one denominator M
        self.M = 1
        for p in self.pieces:
            self.M = math.lcm(self.M, p[4].denominator, p[5].denominator)
        self.sc = [(int(p[4] * self.M), int(p[5] * self.M)) for p in self.pieces]

    def inside(self, idx: int, num: int, den: int, *, closed: bool = False) -> bool:
        """``num/den`` lies in piece ``idx`` (in its closure if ``closed``)."""
        lo, hi, lo_c, hi_c = self.pieces[idx][:4]
        if lo is not None:
            s = _sign_minus(num, den, lo)
            if s < 0 or (s == 0 and not (lo_c or closed)):
                return False
        if hi is not None:
            s = _sign_minus(num, den, hi)
            if s > 0 or (s == 0 and not (hi_c or closed)):
                return False
        return True

    def piece_of(self, num: int, den: int) -> int:
        return next(i for i in range(len(self.pieces)) if self.inside(i, num, den))

    def propagate(self, X0: Scaled, pattern: Sequence[Sequence[int]] | None = None, *, cache=None):
        """Def. 1.5.4 on the columns of ``X0``: with ``pattern`` given, the maps ``z_k`` under it
        (``X0`` = the identity with a column for the constant); without, a point (one column)
        and the pattern read off its pre-activations.  Returns (``[z_1, ..., z_L]``, pattern).
        ``cache`` (a dict) keeps the maps ``x_k`` by pattern prefix."""
        xs: dict[int, Scaled] = {0: X0}
        zs: list[Scaled] = []
        found: list[tuple[int, ...]] = []
        c = len(X0[0][0])
        use = cache is not None and pattern is not None
        for k in range(1, self.L + 1):
            before = (
                tuple(tuple(p) for p in pattern[: k - 1]) if use and pattern is not None else None
            )
            Z = cache.get(("z", before)) if use else None
            if Z is None:
                Z = _mul(self.W[k - 1], xs[k - 1])
                Z = _add(Z, _scaled([[0] * (c - 1) + [b] for b in self.B[k - 1]]))
                for (r, kk), V in self.V.items():
                    if kk == k:
                        Z = _add(Z, _mul(V, xs[r]))
                if use:
                    cache[("z", before)] = Z
            zs.append(Z)
            if k == self.L:
                break
            if pattern is None:
                idx = tuple(self.piece_of(row[-1], Z[1]) for row in Z[0])
                found.append(idx)
            else:
                idx = tuple(pattern[k - 1])
            key = ("x", (*before, idx)) if before is not None else None
            if use and key in cache:
                xs[k] = cache[key]
                continue
            rows = []
            for i, row in zip(idx, Z[0], strict=True):
                s, t = self.sc[i]
                rows.append([s * v for v in row[:-1]] + [s * row[-1] + t * Z[1]])
            xs[k] = (rows, Z[1] * self.M)
            if use:
                cache[key] = xs[k]
        return zs, found if pattern is None else [list(p) for p in pattern]


def _pieces(name: str, params: dict) -> list[tuple]:
    """(lo, hi, lo_closed, hi_closed, slope, intercept); ``None`` is an infinite end.
    Continuous activations: boundary points in the left piece; Heaviside: 1 on [0, oo)."""
    zero, one = Fraction(0), Fraction(1)
    if name == "repu" and params["p"] == 1:
        name = "relu"
    if name == "identity" or (name == "leaky_relu" and params["gamma"] == 1):
        return [(None, None, False, False, one, zero)]
    if name == "relu":
        return [(None, zero, False, True, zero, zero), (zero, None, False, False, one, zero)]
    if name == "leaky_relu":
        gamma = _f(params["gamma"])
        return [(None, zero, False, True, gamma, zero), (zero, None, False, False, one, zero)]
    if name == "heaviside":
        return [(None, zero, False, False, zero, zero), (zero, None, True, False, zero, one)]
    if name == "clip":
        u = None if params["u"].is_infinite else _f(params["u"])
        v = None if params["v"].is_infinite else _f(params["v"])
        out: list[tuple] = []
        if u is not None:
            out.append((None, u, False, True, zero, u))
        out.append((u, v, False, v is not None, one, zero))
        if v is not None:
            out.append((v, None, False, False, zero, v))
        return out
    raise EvidenceError(f"no checker for the activation {name}")


def evaluate(net: _Net, x: Sequence[Fraction]) -> tuple[Vector, list[tuple[int, ...]]]:
    """``R(x)`` by Def. 1.5.4, exactly, and the pattern of pieces of the hidden layers."""
    zs, pattern = net.propagate(_scaled([[v] for v in x]))
    rows, den = zs[-1]
    return [Fraction(row[0], den) for row in rows], pattern


def _identity(n: int) -> Scaled:
    return [[int(i == j) for j in range(n + 1)] for i in range(n)], 1


def _homogeneous(x: Sequence[Fraction]) -> tuple[list[int], int]:
    """``x`` as integers over one denominator ``w``: ``(w x, w)``."""
    w = 1
    for v in x:
        w = math.lcm(w, v.denominator)
    return [v.numerator * (w // v.denominator) for v in x], w


def _apply(M: Map, x: Sequence[Fraction]) -> Vector:
    return [sum((a * b for a, b in zip(row[:-1], x, strict=True)), row[-1]) for row in M]


# -- the checks -------------------------------------------------------------------------------


def _fail(what: str) -> None:
    raise EvidenceError(f"evidence check failed: {what}")


def _holds(relation: str, v: Fraction, y: Fraction) -> bool:
    return {
        "equals": v == y,
        "at_least": v >= y,
        "at_most": v <= y,
        "greater": v > y,
        "less": v < y,
    }[relation]


def _in_box(bounds, x: Sequence[Fraction]) -> bool:
    return len(x) == len(bounds) and all(
        lo <= v <= hi for (lo, hi), v in zip(bounds, x, strict=True)
    )


def _check_point(net: _Net, bounds, point, what: str) -> Vector:
    if not _in_box(bounds, point.input):
        _fail(f"the {what} {point.input} is not in the box")
    value, _ = evaluate(net, point.input)
    if value != list(point.value):
        _fail(f"the network's value at the {what} is {value}, not {list(point.value)}")
    return value


def verify(verdict) -> None:
    """Re-check every piece of evidence of a :class:`~symresnet.claims.box_verdict.BoxVerdict`."""
    net = _Net(verdict.decomposition.network)
    claim = verdict.claim
    bounds = claim.bounds
    y, rel = list(claim.expected), claim.relation
    if verdict.counterexample is not None:
        value = _check_point(net, bounds, verdict.counterexample, "counterexample")
        if all(_holds(rel, v, t) for v, t in zip(value, y, strict=True)):
            _fail("the counterexample satisfies the claim")
    if verdict.witness is not None:
        value = _check_point(net, bounds, verdict.witness, "witness")
        if not all(_holds(rel, v, t) for v, t in zip(value, y, strict=True)):
            _fail("the witness does not satisfy the claim")
    _check_extrema(net, bounds, verdict.minimum, verdict.maximum)
    if verdict.facts:
        _check_facts(net, verdict)
    if verdict.intervals:
        _check_intervals(net, verdict)


def check_extrema(network, domain, minimum: Sequence, maximum: Sequence) -> None:
    """Re-check that every attained extremum's point lies in ``domain`` (a polyhedron
    ``A x <= b``) and that the network's value there is the extremum (``regions`` prints
    these points without a claim)."""
    net = _Net(network)
    for side, extrema in (("min", minimum), ("max", maximum)):
        for j, ext in enumerate(extrema):
            if ext.point is None:
                continue
            if not all(
                sum((Fraction(a) * v for a, v in zip(row, ext.point, strict=True)), Fraction(0))
                <= Fraction(bi)
                for row, bi in zip(domain.A, domain.b, strict=True)
            ):
                _fail(f"the arg{side} of coordinate {j + 1} is not in the domain")
            if evaluate(net, ext.point)[0][j] != ext.value:
                _fail(f"the {side} of coordinate {j + 1} is not the value at its argument")


def _check_extrema(net: _Net, bounds, minimum: Sequence, maximum: Sequence) -> None:
    for side, extrema in (("min", minimum), ("max", maximum)):
        for j, ext in enumerate(extrema):
            if ext.point is None:
                continue
            if not _in_box(bounds, ext.point):
                _fail(f"the arg{side} of coordinate {j + 1} is not in the box")
            if evaluate(net, ext.point)[0][j] != ext.value:
                _fail(f"the {side} of coordinate {j + 1} is not the value at its argument")


def _check_intervals(net: _Net, verdict) -> None:
    """The interval bounds, recomputed (each activation piece's slope is >= 0, so every
    activation used here is nondecreasing), and that the last ones prove the claim."""
    claim = verdict.claim
    boxes: list[list[tuple[Fraction, Fraction]]] = [list(claim.bounds)]
    for k in range(1, net.L + 1):
        terms = [(net.W[k - 1], boxes[k - 1])] + [
            (V, boxes[r]) for (r, kk), V in net.V.items() if kk == k
        ]
        z = []
        for i, b in enumerate(net.B[k - 1]):
            lo = hi = b
            for (rows, den), iv in terms:
                for w, (a, c) in zip(rows[i], iv, strict=True):
                    q = Fraction(w, den)
                    lo, hi = lo + min(q * a, q * c), hi + max(q * a, q * c)
            z.append((lo, hi))
        if k < net.L:
            z = [(_activate(net, lo), _activate(net, hi)) for lo, hi in z]
        boxes.append(z)
    if [list(b) for b in verdict.intervals] != boxes:
        _fail("the interval bounds are not those of interval arithmetic")
    for (lo, hi), t in zip(boxes[-1], claim.expected, strict=True):
        ok = {
            "equals": lo == hi == t,
            "at_most": hi <= t,
            "less": hi < t,
            "at_least": lo >= t,
            "greater": lo > t,
        }[claim.relation]
        if not ok:
            _fail(f"the interval [{lo}, {hi}] does not prove the claim")


def _activate(net: _Net, z: Fraction) -> Fraction:
    piece = net.pieces[net.piece_of(z.numerator, z.denominator)]
    if piece[4] < 0:
        _fail("an activation piece is decreasing")
    return piece[4] * z + piece[5]


def _check_facts(net: _Net, verdict) -> None:
    pieces = verdict.decomposition.pieces
    cache: dict = {}
    checked: set[int] = set()
    for fact in verdict.facts:
        region = pieces[fact.piece]
        if fact.piece not in checked:
            _check_region(net, cache, region)
            checked.add(fact.piece)
        j, s = fact.coordinate, (1 if fact.side == "max" else -1)
        lam = fact.multipliers
        A, b, C, d = region.A, region.b, region.C, region.d
        if len(lam) != len(A) or any(v < 0 for v in lam):
            _fail(f"multipliers of region {fact.piece} are not >= 0, one per row")
        combo = [
            sum((w * row[i] for w, row in zip(lam, A, strict=True)), Fraction(0))
            for i in range(len(C[j]))
        ]
        if combo != [s * c for c in C[j]]:
            _fail(f"the multipliers of region {fact.piece} do not combine the rows to the map")
        if (
            s * sum((w * bi for w, bi in zip(lam, b, strict=True)), Fraction(0)) + d[j]
            != fact.value
        ):
            _fail(f"the bound of region {fact.piece} is not what its multipliers give")
        if any(_apply([[*row, -bi]], fact.point)[0] > 0 for row, bi in zip(A, b, strict=True)):
            _fail(f"the point of the bound of region {fact.piece} is not in the region")
        if _apply([[*C[j], d[j]]], fact.point)[0] != fact.value:
            _fail(f"the bound of region {fact.piece} is not reached at its point")
    _check_decision(verdict)
    if not verdict.decomposition.partition and all(r.vertices is not None for r in pieces):
        _check_cover(net, cache, verdict)


def _same(value: Fraction, num: int, den: int) -> bool:
    return value.numerator * den == num * value.denominator


def _check_region(net: _Net, cache: dict, region) -> None:
    zs, _ = net.propagate(_identity(net.dims[0]), region.pattern, cache=cache)
    rows, den = zs[-1]
    maps = [[*c, d] for c, d in zip(region.C, region.d, strict=True)]
    if len(maps) != len(rows) or not all(
        _same(v, num, den)
        for m, row in zip(maps, rows, strict=True)
        for v, num in zip(m, row, strict=True)
    ):
        _fail(f"the map of region {region.pattern_text} is not its pattern's composition")
    _, pat = evaluate(net, region.point)
    if tuple(pat) != tuple(tuple(p) for p in region.pattern):
        _fail(f"the network's pattern at the point of region {region.pattern_text} differs")
    for row, bi, strict in zip(region.A, region.b, region.strict, strict=True):
        lhs = sum((a * v for a, v in zip(row, region.point, strict=True)), Fraction(0))
        if lhs > bi or (strict and lhs == bi):
            _fail(f"the point of region {region.pattern_text} is not in it")


def _check_cover(net: _Net, cache: dict, verdict) -> None:
    """Patterns hold on the closed regions (checked at the vertices), the patterns are
    distinct and the measures add up to the box's: the regions cover the box."""
    pieces = verdict.decomposition.pieces
    bounds = verdict.claim.bounds
    seen = set()
    total = Fraction(0)
    for region in pieces:
        pattern = tuple(tuple(p) for p in region.pattern)
        if pattern in seen:
            _fail(f"two regions have the pattern {region.pattern_text}")
        seen.add(pattern)
        verts = [list(v) for v in region.vertices]
        for v in verts:
            if not _in_box(bounds, v):
                _fail(f"a vertex of region {region.pattern_text} is outside the box")
        zs, _ = net.propagate(_identity(net.dims[0]), pattern, cache=cache)
        for v in verts:
            vn, w = _homogeneous(v)
            for (rows, den), idx in zip(zs[:-1], pattern, strict=True):
                for i, row in zip(idx, rows, strict=True):
                    z = sum(map(operator.mul, row[:-1], vn)) + row[-1] * w
                    if not net.inside(i, z, den * w, closed=True):
                        _fail(f"the pattern of region {region.pattern_text} fails at a vertex")
        total += _measure(verts)
    box = Fraction(1)
    for lo, hi in bounds:
        box *= hi - lo
    if total != box:
        _fail(f"the regions' measures add up to {total}, the box's is {box}")


def _measure(verts: list[Vector]) -> Fraction:
    if len(verts[0]) == 1:
        return abs(verts[1][0] - verts[0][0])
    m = len(verts)
    twice = sum(
        (
            verts[i][0] * verts[(i + 1) % m][1] - verts[(i + 1) % m][0] * verts[i][1]
            for i in range(m)
        ),
        Fraction(0),
    )
    if twice <= 0:
        _fail("a polygon is not counter-clockwise")
    return twice / 2


def _check_decision(verdict) -> None:
    """The checked bounds decide the claim as reported."""
    claim = verdict.claim
    y, rel = claim.expected, claim.relation
    for fact in verdict.facts:
        t = y[fact.coordinate]
        if claim.quantifier == "forall":
            ok = (
                fact.value <= t
                if fact.side == "max" and rel in ("at_most", "equals")
                else fact.value < t or (fact.value == t and not fact.attained)
                if fact.side == "max"
                else fact.value >= t
                if rel in ("at_least", "equals")
                else fact.value > t or (fact.value == t and not fact.attained)
            )
        else:  # a false exists: the bound rules the claim out on the region
            ok = (
                (fact.value < t if rel in ("at_least", "equals") else fact.value <= t)
                if fact.side == "max"
                else (fact.value > t if rel in ("at_most", "equals") else fact.value >= t)
            )
        if not ok:
            _fail(f"the bound {fact.value} of region {fact.piece} does not prove the claim")
