"""An independent checker for the evidence of box verdicts (plain :class:`fractions.Fraction`).

Nothing here is shared with the engine (:mod:`symresnet.regions`, :mod:`symresnet.lp`,
:mod:`symresnet.core`, :mod:`symresnet.realization`): the network is read from the raw
matrices ``W_k``, ``B_k``, ``V_{r,k}`` of the :class:`~symresnet.network.ResNet`, the activation's
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

from collections.abc import Sequence
from fractions import Fraction

from symresnet.errors import InternalError

__all__ = ["EvidenceError", "evaluate", "verify"]

Vector = list[Fraction]
Map = list[list[Fraction]]  # rows (a_1, ..., a_n, c): x -> a . x + c


class EvidenceError(InternalError):
    """A piece of evidence did not check out: the verdict is not reported."""


# -- the network, read again -----------------------------------------------------------------------


def _f(e) -> Fraction:
    return Fraction(int(e.p), int(e.q))


class _Net:
    def __init__(self, network):
        self.L = len(network.W)
        self.W = [[[_f(e) for e in m.row(i)] for i in range(m.rows)] for m in network.W]
        self.B = [[_f(e) for e in m] for m in network.B]
        self.V = {
            rk: [[_f(e) for e in m.row(i)] for i in range(m.rows)] for rk, m in network.skips.items()
        }
        self.dims = [len(self.W[0][0])] + [len(w) for w in self.W]
        self.pieces = _pieces(network.activation.name, dict(network.activation.params))


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
        out = []
        if u is not None:
            out.append((None, u, False, True, zero, u))
        out.append((u, v, False, v is not None, one, zero))
        if v is not None:
            out.append((v, None, False, False, zero, v))
        return out
    raise EvidenceError(f"no checker for the activation {name}")


def _inside(piece: tuple, z: Fraction, *, closed: bool = False) -> bool:
    lo, hi, lo_c, hi_c = piece[:4]
    if lo is not None and (z < lo or (z == lo and not (lo_c or closed))):
        return False
    return not (hi is not None and (z > hi or (z == hi and not (hi_c or closed))))


def _piece_of(net: _Net, z: Fraction) -> int:
    return next(i for i, p in enumerate(net.pieces) if _inside(p, z))


def _matvec(M: list[list[Fraction]], x: Sequence[Fraction]) -> Vector:
    return [sum((a * b for a, b in zip(row, x, strict=True)), Fraction(0)) for row in M]


def evaluate(net: _Net, x: Sequence[Fraction]) -> tuple[Vector, list[list[int]]]:
    """``R(x)`` by Def. 1.5.4 with Fractions, and the pattern of pieces of the hidden layers."""
    xs: list[Vector] = [list(x)]
    pattern: list[list[int]] = []
    for k in range(1, net.L + 1):
        z = [a + b for a, b in zip(_matvec(net.W[k - 1], xs[k - 1]), net.B[k - 1], strict=True)]
        for (r, kk), V in net.V.items():
            if kk == k:
                z = [a + b for a, b in zip(z, _matvec(V, xs[r]), strict=True)]
        if k == net.L:
            xs.append(z)
            break
        idx = [_piece_of(net, v) for v in z]
        pattern.append(idx)
        xs.append([net.pieces[i][4] * v + net.pieces[i][5] for i, v in zip(idx, z, strict=True)])
    return xs[-1], pattern


class _Maps:
    """Compositions under a pattern, cached by pattern prefix: ``z_k`` as rows over ``(x, 1)``."""

    def __init__(self, net: _Net):
        self.net = net
        n = net.dims[0]
        ident = [[Fraction(int(i == j)) for j in range(n + 1)] for i in range(n)]
        self.x: dict[tuple, Map] = {(): ident}
        self.z: dict[tuple, Map] = {}

    def _compose(self, M: list[list[Fraction]], X: Map) -> Map:
        cols = list(zip(*X, strict=True))
        return [
            [sum((a * b for a, b in zip(row, col, strict=True)), Fraction(0)) for col in cols]
            for row in M
        ]

    def preactivation(self, pattern: tuple, k: int) -> Map:
        """``z_k`` under ``pattern[:k-1]`` (layers ``1..k-1``)."""
        key = pattern[: k - 1]
        if (key, k) in self.z:
            return self.z[(key, k)]
        net = self.net
        Z = self._compose(net.W[k - 1], self.output(pattern, k - 1))
        for row, b in zip(Z, net.B[k - 1], strict=True):
            row[-1] += b
        for (r, kk), V in net.V.items():
            if kk == k:
                S = self._compose(V, self.output(pattern, r))
                Z = [[a + b for a, b in zip(u, w, strict=True)] for u, w in zip(Z, S, strict=True)]
        self.z[(key, k)] = Z
        return Z

    def output(self, pattern: tuple, k: int) -> Map:
        """``x_k`` under ``pattern[:k]``."""
        key = pattern[:k]
        if key not in self.x:
            Z = self.preactivation(pattern, k)
            out = []
            for i, row in zip(pattern[k - 1], Z, strict=True):
                s, c = self.net.pieces[i][4], self.net.pieces[i][5]
                out.append([s * v for v in row[:-1]] + [s * row[-1] + c])
            self.x[key] = out
        return self.x[key]


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
    return len(x) == len(bounds) and all(lo <= v <= hi for (lo, hi), v in zip(bounds, x, strict=True))


def _check_point(net: _Net, bounds, point, what: str) -> Vector:
    if not _in_box(bounds, point.input):
        _fail(f"the {what} {point.input} is not in the box")
    value, _ = evaluate(net, point.input)
    if value != list(point.value):
        _fail(f"the network's value at the {what} is {value}, not {list(point.value)}")
    return value


def verify(verdict) -> None:
    """Re-check every piece of evidence of a :class:`~symresnet.boxclaims.BoxVerdict`."""
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
    for side, extrema in (("min", verdict.minimum), ("max", verdict.maximum)):
        for j, ext in enumerate(extrema):
            if ext.point is None:
                continue
            if not _in_box(bounds, ext.point):
                _fail(f"the arg{side} of coordinate {j + 1} is not in the box")
            if evaluate(net, ext.point)[0][j] != ext.value:
                _fail(f"the {side} of coordinate {j + 1} is not the value at its argument")
    if verdict.facts:
        _check_facts(net, verdict)


def _check_facts(net: _Net, verdict) -> None:
    pieces = verdict.decomposition.pieces
    maps = _Maps(net)
    checked: set[int] = set()
    for fact in verdict.facts:
        region = pieces[fact.piece]
        if fact.piece not in checked:
            _check_region(net, maps, region)
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
        if s * sum((w * bi for w, bi in zip(lam, b, strict=True)), Fraction(0)) + d[j] != fact.value:
            _fail(f"the bound of region {fact.piece} is not what its multipliers give")
        if any(_apply([[*row, -bi]], fact.point)[0] > 0 for row, bi in zip(A, b, strict=True)):
            _fail(f"the point of the bound of region {fact.piece} is not in the region")
        if _apply([[*C[j], d[j]]], fact.point)[0] != fact.value:
            _fail(f"the bound of region {fact.piece} is not reached at its point")
    _check_decision(verdict)
    if not verdict.decomposition.partition and all(r.vertices is not None for r in pieces):
        _check_cover(net, maps, verdict)


def _check_region(net: _Net, maps: _Maps, region) -> None:
    pattern = tuple(tuple(p) for p in region.pattern)
    out = maps.preactivation(pattern, net.L)
    if [row[:-1] for row in out] != [list(c) for c in region.C] or [
        row[-1] for row in out
    ] != list(region.d):
        _fail(f"the map of region {region.pattern_text} is not its pattern's composition")
    _, pat = evaluate(net, region.point)
    if tuple(tuple(p) for p in pat) != pattern:
        _fail(f"the network's pattern at the point of region {region.pattern_text} differs")
    for row, bi, strict in zip(region.A, region.b, region.strict, strict=True):
        lhs = sum((a * v for a, v in zip(row, region.point, strict=True)), Fraction(0))
        if lhs > bi or (strict and lhs == bi):
            _fail(f"the point of region {region.pattern_text} is not in it")


def _check_cover(net: _Net, maps: _Maps, verdict) -> None:
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
        for k in range(1, net.L):
            Z = maps.preactivation(pattern, k)
            for v in verts:
                for idx, z in zip(pattern[k - 1], _apply(Z, v), strict=True):
                    if not _inside(net.pieces[idx], z, closed=True):
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
        (verts[i][0] * verts[(i + 1) % m][1] - verts[(i + 1) % m][0] * verts[i][1] for i in range(m)),
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
                fact.value <= t if fact.side == "max" and rel in ("at_most", "equals") else
                fact.value < t or (fact.value == t and not fact.attained) if fact.side == "max" else
                fact.value >= t if rel in ("at_least", "equals") else
                fact.value > t or (fact.value == t and not fact.attained)
            )
        else:  # a false exists: the bound rules the claim out on the region
            ok = (
                (fact.value < t if rel in ("at_least", "equals") else fact.value <= t)
                if fact.side == "max"
                else (fact.value > t if rel in ("at_most", "equals") else fact.value >= t)
            )
        if not ok:
            _fail(f"the bound {fact.value} of region {fact.piece} does not prove the claim")
