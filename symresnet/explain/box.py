"""Derivations of box claims, as data for the renderer (layer *explain*).

:func:`derive_box` turns a :class:`~symresnet.claims.box_verdict.BoxVerdict` into a
:class:`~symresnet.explain.derivation.Derivation` whose ``box`` is a :class:`BoxProof`:

* a false ``forall`` (and a true ``exists``) is settled at one point, the counterexample (the
  witness): the derivation evaluates the network there layer by layer exactly as the book's
  proof of Example 1.5.6 does (the ordinary steps of :func:`symresnet.explain.derivation.derive`), and
  the :class:`BoxProof` adds that the point lies in the box and what its value says;
* a true ``forall`` that exact interval arithmetic through the layers already proves is
  proven by those bounds (``intervals``: ``x_k in [lo, hi] x ...`` layer by layer);
* otherwise a true ``forall`` (and a false ``exists``) is proven region by region
  (:class:`RegionProof`):
  the region's inequalities, the realization's affine map on it, and for each output
  coordinate the chain ``C_j x + d_j = sum_i lambda_i (a_i x) + d_j <= sum_i lambda_i b_i + d_j
  = m <= y`` obtained by adding the region's inequalities with the multipliers ``lambda_i >= 0``
  of the verdict's evidence.

Formulas are the derivation terms of :mod:`symresnet.explain.derivation` over the symbols ``xi_1, ...``
of the input coordinates (``xi`` when ``l_0 = 1``); every ``=`` is checked exactly here
(:class:`~symresnet.base.errors.DerivationCheckError` otherwise).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction

import sympy

from symresnet.base.errors import ClaimError, DerivationCheckError
from symresnet.claims.box_decide import holds_at
from symresnet.compute.realization import realize
from symresnet.explain.derivation import derive
from symresnet.explain.region_affine import derive_region
from symresnet.explain.tree import (
    DEFAULT_OPTIONS,
    Atom,
    Chain,
    Derivation,
    DerivationOptions,
    Link,
    ListTerm,
    Product,
    Realization,
    Step,
    Sum,
    Term,
    TupleTerm,
    ValueTerm,
    Var,
)
from symresnet.values.rationals import to_rational

__all__ = ["BoxProof", "RegionProof", "RegionRow", "RowBound", "derive_box"]


@dataclasses.dataclass(frozen=True)
class RegionProof:
    """Region ``index`` (from 1) with its ``pattern`` (text, ``11|010``): ``inequalities``
    (``a x <= b`` or ``<``, each a :class:`Chain`), ``formula`` (``R(x) = C x + d``) and
    ``bounds``: per output coordinate (``coordinates``, from 1) the chain from ``C_j x + d_j``
    to the claimed value through the sum of the inequalities with the ``multipliers``."""

    index: int
    pattern: str
    inequalities: tuple[Chain, ...]
    formula: Chain
    bounds: tuple[Chain, ...]
    coordinates: tuple[int, ...]
    multipliers: tuple[tuple[tuple[int, Fraction], ...], ...]
    #: the signs of the pre-activations ``z_{k,i}`` that define the region (``z_{1,1} <= 0``)
    signs: tuple[Chain, ...] = ()
    #: the layers on the region as in (1.153)-(1.156), the input ``x_0 = (xi_1, ...)``
    #: (:func:`symresnet.explain.region_affine.derive_region`), and per step the pieces its
    #: neurons lie in on the region (``z_{1,1} = xi + 3 > 0``; none for the output layer)
    steps: tuple[Step, ...] = ()
    since: tuple[tuple[Chain, ...], ...] = ()


@dataclasses.dataclass(frozen=True)
class RowBound:
    """One bound in a row of the table of regions: output ``coordinate`` (from 1), ``side``
    (``max``/``min``), the bound ``value`` and the ``point`` of the region where it is reached
    (``attained`` is ``False`` when the point lies only in the region's closure)."""

    coordinate: int
    side: str
    value: Term
    point: Term
    attained: bool = True


@dataclasses.dataclass(frozen=True)
class RegionRow:
    """A row of the table of regions of a long box proof: region ``index`` (from 1, as
    ``symresnet regions`` numbers them), the ``signs`` of the pre-activations that define it
    (grouped by piece of the activation: ``z_{1,1}, z_{2,2} > 0``), the region in the input
    coordinates (``inequalities``: ``-2 <= xi <= -5/3`` when ``l_0 = 1``), the affine ``form``
    of the realization on it (``-5 xi - 10``) and its ``bounds`` there."""

    index: int
    signs: tuple[Chain, ...]
    inequalities: tuple[Chain, ...]
    form: Term
    bounds: tuple[RowBound, ...]


@dataclasses.dataclass(frozen=True)
class BoxProof:
    """The box claim and how it is settled (see the module docstring).

    ``quantifier`` (``forall``/``exists``), ``relation``, ``holds``, ``label``; ``domain``
    (``x in [-2, 1]``); ``statement`` (``R(x) <= 0``); ``point`` (``x_0 = -2 in [-2, 1]``) and
    ``result`` (``R(x_0) = 0 not < 0``) when settled at a point, else ``regions``;
    ``count`` the number of regions of the box; ``extrema`` (``max R = 0 = R(-2)``), one chain
    per output coordinate and side used; ``vector`` (``l_L > 1``).
    """

    quantifier: str
    relation: str
    holds: bool
    label: str | None
    domain: Chain
    statement: Chain
    point: Chain | None
    result: Chain | None
    regions: tuple[RegionProof, ...]
    count: int
    extrema: tuple[Chain, ...]
    vector: bool
    #: when exact interval bounds suffice: ``x_k in [lo, hi] x ...`` for ``k = 0..L``
    intervals: tuple[Chain, ...] = ()
    #: the input coordinates ``xi_1, ..., xi_{l_0}`` (``xi`` when ``l_0 = 1``), named apart
    #: from the layer outputs ``x_k``
    coordinates: tuple[Term, ...] = ()
    #: the value at the point is the claimed one (no ``= 3 = 3`` is printed)
    attains: bool = False
    #: a long proof (more regions than ``DerivationOptions.box_regions``, or ``region`` given):
    #: every region as a row, and ``regions`` holds only the region ``full`` derived in full
    table: tuple[RegionRow, ...] = ()
    full: int | None = None
    #: the region ``full`` is where the extremum over the box used by the proof is attained
    full_attains: bool = False
    #: the regions are closed (a continuous activation): their rows include the boundary
    closed: bool = True


def _column(values: Sequence[Fraction]) -> sympy.ImmutableMatrix:
    return sympy.ImmutableMatrix(len(values), 1, [to_rational(v) for v in values])


def _linear(row: Sequence[Fraction], xs: Sequence[sympy.Symbol]) -> sympy.Expr:
    return sympy.Add(*(to_rational(a) * x for a, x in zip(row, xs, strict=True)))


def _check(lhs: sympy.Expr, rhs: sympy.Expr, what: str) -> None:
    if sympy.expand(lhs - rhs) != 0:
        raise DerivationCheckError(f"{what}: {lhs} != {rhs}")


def _region_proof(verdict, index: int, facts, xs, act) -> RegionProof:
    claim = verdict.claim
    region = verdict.decomposition.pieces[index]
    rows = list(zip(region.A, region.b, region.strict, strict=True))
    inequalities = tuple(
        Chain(Atom(_linear(a, xs)), (Link("less" if s else "at_most", Atom(to_rational(b))),))
        for a, b, s in rows
    )
    maps = [_linear(c, xs) + to_rational(d) for c, d in zip(region.C, region.d, strict=True)]
    shown = (
        Atom(maps[0]) if len(maps) == 1 else ValueTerm(sympy.ImmutableMatrix(len(maps), 1, maps))
    )
    # the layers on the region, x_0 = (xi_1, ...): each = checked there, and at the region's point
    net = verdict.decomposition.network
    layers = derive_region(
        net,
        region.pattern,
        xs,
        symbols=xs,
        point=dict(zip(xs, (to_rational(v) for v in region.point), strict=True)),
    )
    derived = [[*layers.A.row(j), layers.c[j]] for j in range(layers.A.rows)]
    if derived != [
        [*map(to_rational, c), to_rational(d)] for c, d in zip(region.C, region.d, strict=True)
    ]:
        raise DerivationCheckError(f"region {index + 1}: the layers give another affine form")
    formula = Chain(
        Realization(act, Var("x")), (Link("equals", Var("x", (net.L,))), Link("equals", shown))
    )
    closed = not verdict.decomposition.partition
    since = tuple(
        tuple(_since(n, closed=closed) for n in layer if n.condition.links[0].relation != "in")
        for layer in layers.neurons
    )
    bounds, coords, used = [], [], []
    for f in facts:
        j, s = f.coordinate, (1 if f.side == "max" else -1)
        y = claim.expected[j]
        lam = [(i, v) for i, v in enumerate(f.multipliers) if v != 0]
        d = to_rational(region.d[j])
        # s (C_j x) = sum_i lambda_i (a_i x) <= sum_i lambda_i b_i
        combo = sympy.Add(*(to_rational(v) * _linear(rows[i][0], xs) for i, v in lam))
        _check(s * combo, maps[j] - d, f"region {index + 1}: the multipliers")
        total = sum((v * rows[i][1] for i, v in lam), Fraction(0))
        if to_rational(s * total) + d != to_rational(f.value):
            raise DerivationCheckError(f"region {index + 1}: the bound is not {f.value}")
        # a positive multiple of a strict row keeps the sum strict
        strict = any(rows[i][2] for i, _ in lam)
        side = ("less" if strict else "at_most") if s > 0 else ("greater" if strict else "at_least")
        tail: list[Term] = [Atom(d)] if d != 0 else []
        # the multipliers shown are lambda_i >= 0; for a lower bound (s = -1) each row
        # a_i xi <= b_i is written as -a_i xi >= -b_i
        if any(v < 0 for _, v in lam):
            raise DerivationCheckError(f"region {index + 1}: a negative multiplier")
        lhs: list[Term] = [
            *(
                Product((Atom(to_rational(v)), Atom(_linear([s * a for a in rows[i][0]], xs))))
                for i, v in lam
            ),
            *tail,
        ]
        rhs: list[Term] = [
            *(Product((Atom(to_rational(v)), Atom(to_rational(s * rows[i][1])))) for i, v in lam),
            *tail,
        ]
        links = []
        if lam:  # C_j x + d_j = sum (s lambda_i)(a_i x) + d_j  <=  sum (s lambda_i) b_i + d_j = m
            links = [
                Link("equals", lhs[0] if len(lhs) == 1 else Sum(tuple(lhs))),
                Link(side, rhs[0] if len(rhs) == 1 else Sum(tuple(rhs))),
                Link("equals", Atom(to_rational(f.value))),
            ]
        links.append(Link(_final_relation(claim, f, y), Atom(to_rational(y))))
        bounds.append(Chain(Atom(maps[j]), tuple(links)))
        coords.append(j + 1)
        used.append(tuple(lam))
    return RegionProof(
        index + 1,
        region.pattern_text,
        inequalities,
        formula,
        tuple(bounds),
        tuple(coords),
        tuple(used),
        signs=_signs(region.pattern, act),
        steps=layers.steps,
        since=since,
    )


#: a continuous activation is its piece's affine function on the piece's closure too
_CLOSED = {"less": "at_most", "greater": "at_least"}


def _since(neuron, *, closed: bool) -> Chain:
    """``z_{k,i} = xi + 3 >= 0`` (``-1 <= z_{k,i} = 2 xi <= 1``): why neuron ``(k, i)`` uses its
    piece on the region, from :func:`symresnet.explain.region_affine.piece_condition`.  With
    ``closed`` (a continuous activation: the regions are closed) the bounds are not strict,
    which holds on the whole closed region, the activation being continuous."""
    z = Atom(sympy.Symbol(f"z_{neuron.k}_{neuron.i}", real=True))
    value = Link("equals", Atom(neuron.preactivation))
    links = tuple(
        Link(_CLOSED.get(lk.relation, lk.relation) if closed else lk.relation, lk.term)
        for lk in neuron.condition.links
    )
    if len(links) == 1:  # z <= v, z > u
        return Chain(z, (value, links[0]))
    return Chain(neuron.condition.first, (Link(links[0].relation, z), value, links[1]))


def _signs(pattern: Sequence[Sequence[int]], act) -> tuple[Chain, ...]:
    """``z_{k,i} <= 0`` / ``z_{k,i} > 0`` / ``u < z_{k,i} <= v``: the piece of the activation
    that the pre-activation ``z_{k,i}`` of neuron ``i`` of hidden layer ``k`` lies in."""
    pieces = act.pieces
    out = []
    for k, layer in enumerate(pattern, start=1):
        for i, p in enumerate(layer, start=1):
            piece = pieces[p]
            z = Atom(sympy.Symbol(f"z_{k}_{i}", real=True))
            lo_rel = "at_most" if piece.lo_closed else "less"
            hi_rel = "at_most" if piece.hi_closed else "less"
            if piece.lo == -sympy.oo and piece.hi == sympy.oo:
                continue
            if piece.lo == -sympy.oo:
                out.append(Chain(z, (Link(hi_rel, Atom(piece.hi)),)))
            elif piece.hi == sympy.oo:
                rel = "at_least" if piece.lo_closed else "greater"
                out.append(Chain(z, (Link(rel, Atom(piece.lo)),)))
            else:
                out.append(Chain(Atom(piece.lo), (Link(lo_rel, z), Link(hi_rel, Atom(piece.hi)))))
    return tuple(out)


def _sign_groups(pattern: Sequence[Sequence[int]], act) -> tuple[Chain, ...]:
    """The signs of :func:`_signs`, one chain per piece of the activation, for a table cell:
    ``z_{1,1}, z_{2,2} > 0``, ``z_{2,1} <= 0``, ``z_{1,2} in (0, 1]``."""
    groups: dict[int, list[Term]] = {}
    for k, layer in enumerate(pattern, start=1):
        for i, p in enumerate(layer, start=1):
            groups.setdefault(p, []).append(Atom(sympy.Symbol(f"z_{k}_{i}", real=True)))
    out = []
    for p in sorted(groups, reverse=True):  # the active piece first (ReLU: > 0, then <= 0)
        piece = act.pieces[p]
        zs = groups[p]
        first: Term = zs[0] if len(zs) == 1 else ListTerm(tuple(zs))
        if piece.lo == -sympy.oo and piece.hi == sympy.oo:
            continue
        if piece.lo == -sympy.oo:
            rel = "at_most" if piece.hi_closed else "less"
            out.append(Chain(first, (Link(rel, Atom(piece.hi)),)))
        elif piece.hi == sympy.oo:
            rel = "at_least" if piece.lo_closed else "greater"
            out.append(Chain(first, (Link(rel, Atom(piece.lo)),)))
        else:
            span = sympy.Interval(
                piece.lo, piece.hi, left_open=not piece.lo_closed, right_open=not piece.hi_closed
            )
            out.append(Chain(first, (Link("in", Atom(span)),)))
    return tuple(out)


def _where(region, xs: Sequence[sympy.Symbol]) -> tuple[Chain, ...]:
    """The region in the input coordinates: for ``l_0 = 1`` one chain ``lo <= xi <= hi`` (or
    ``xi = c``), else its rows ``a xi <= b``."""
    rows = list(zip(region.A, region.b, region.strict, strict=True))
    if len(xs) != 1:
        return tuple(
            Chain(Atom(_linear(a, xs)), (Link("less" if st else "at_most", Atom(to_rational(b))),))
            for a, b, st in rows
        )
    lo = hi = None
    lo_strict = hi_strict = False
    for (a,), b, st in rows:
        if a == 0:
            continue
        t = b / a
        if a > 0 and (hi is None or t < hi or (t == hi and st)):
            hi, hi_strict = t, st
        if a < 0 and (lo is None or t > lo or (t == lo and st)):
            lo, lo_strict = t, st
    xi = Atom(xs[0])
    if lo is not None and lo == hi:
        return (Chain(xi, (Link("equals", Atom(to_rational(lo))),)),)
    links = []
    if hi is not None:
        links.append(Link("less" if hi_strict else "at_most", Atom(to_rational(hi))))
    if lo is None:
        return (Chain(xi, tuple(links)),)
    return (Chain(Atom(to_rational(lo)), (Link("less" if lo_strict else "at_most", xi), *links)),)


def _point_term(point: Sequence[Fraction]) -> Term:
    """``-2`` or ``(1, -1)``: a point of the input space in a table cell."""
    if len(point) == 1:
        return Atom(to_rational(point[0]))
    return TupleTerm(tuple(Atom(to_rational(v)) for v in point))


def _row(verdict, index: int, facts, xs, act) -> RegionRow:
    """Row ``index + 1`` of the table of regions (:class:`RegionRow`); the bounds are the
    verdict's facts on the region, their values checked against the region's map."""
    region = verdict.decomposition.pieces[index]
    maps = [_linear(c, xs) + to_rational(d) for c, d in zip(region.C, region.d, strict=True)]
    form: Term = (
        Atom(maps[0]) if len(maps) == 1 else ValueTerm(sympy.ImmutableMatrix(len(maps), 1, maps))
    )
    bounds = []
    for f in facts:
        at = dict(zip(xs, (to_rational(v) for v in f.point), strict=True))
        if maps[f.coordinate].subs(at) != to_rational(f.value):
            raise DerivationCheckError(f"region {index + 1}: the bound is not reached at its point")
        bounds.append(
            RowBound(
                f.coordinate + 1,
                f.side,
                Atom(to_rational(f.value)),
                _point_term(f.point),
                f.attained,
            )
        )
    return RegionRow(
        index + 1, _sign_groups(region.pattern, act), _where(region, xs), form, tuple(bounds)
    )


def _attaining(verdict, by_piece) -> int:
    """The index of the region that attains the bound the proof uses (the first fact's side and
    coordinate), or the first region with facts."""
    first = verdict.facts[0]
    ext = (verdict.maximum if first.side == "max" else verdict.minimum)[first.coordinate]
    return ext.piece if ext.piece in by_piece else min(by_piece)


def _final_relation(claim, fact, y: Fraction) -> str:
    """How the region's bound ``m`` compares with the claimed value ``y`` (checked exactly):
    for a true forall the claim's relation (``equals`` one side at a time); for a false exists
    the relation that rules the claim out on the region."""
    m, high = fact.value, fact.side == "max"
    if claim.quantifier == "forall":
        rel = claim.relation if claim.relation != "equals" else ("at_most" if high else "at_least")
        if not holds_at(rel, m, y):  # a strict claim at a bound not attained (Heaviside)
            rel = "at_most" if high else "at_least"
    elif high:  # R <= m there
        rel = "at_most" if claim.relation == "greater" else "less"
    else:  # R >= m there
        rel = "at_least" if claim.relation == "less" else "greater"
    if not holds_at(rel, m, y):
        raise DerivationCheckError(f"the bound {m} is not {rel} {y}")
    return rel


def _extrema(verdict, act, sides: Sequence[str]) -> tuple[Chain, ...]:
    """``R(x*) = m`` for the attained extrema used by the proof (one per coordinate and side)."""
    out = []
    for side in sides:
        for ext in verdict.maximum if side == "max" else verdict.minimum:
            if ext.attained and len(verdict.claim.expected) == 1:
                value = verdict.decomposition.pieces[ext.piece].value(ext.point)
                # a point of R^2 written as (1, -1): a column vector inline breaks the lines
                out.append(
                    Chain(
                        Realization(act, _point_term(ext.point)),
                        (Link("equals", ValueTerm(_column(value), point=True)),),
                    )
                )
    return tuple(out)


def _box_set(intervals) -> sympy.Set:
    sets = [sympy.Interval(to_rational(lo), to_rational(hi)) for lo, hi in intervals]
    return sets[0] if len(sets) == 1 else sympy.ProductSet(*sets)


def derive_box(
    verdict, *, title: str | None = None, options: DerivationOptions = DEFAULT_OPTIONS
) -> Derivation:
    """The derivation of a box verdict (module docstring); its ``box`` is a :class:`BoxProof`."""
    claim = verdict.claim
    net = verdict.decomposition.network
    act = net.activation
    n = net.dims[0]
    # the input coordinates: xi_1, ..., xi_n (xi when n = 1), apart from the outputs x_k
    xs = [sympy.Symbol("xi" if n == 1 else f"xi_{i}", real=True) for i in range(1, n + 1)]
    spot = verdict.counterexample or verdict.witness
    if spot is not None:
        at = spot.input
    else:  # a region proof: the evaluation below is not printed, only the problem's data
        ext = next((e for e in (*verdict.maximum, *verdict.minimum) if e.attained), None)
        at = ext.point if ext is not None else verdict.decomposition.pieces[0].point
    trace = realize(net, [to_rational(v) for v in at])
    base = derive(trace, title=title, options=options)
    domain_set = _box_set(claim.bounds)
    expected = ValueTerm(_column(claim.expected), point=True)
    statement = Chain(Realization(act, Var("x")), (Link(claim.relation, expected),))
    domain = Chain(Var("x"), (Link("in", Atom(domain_set)),))
    point = result = None
    attains = False
    regions: tuple[RegionProof, ...] = ()
    table: tuple[RegionRow, ...] = ()
    full: int | None = None
    full_attains = False
    if spot is not None:
        value = trace.output
        if [to_rational(v) for v in spot.value] != list(value):
            raise DerivationCheckError("the value at the point is not the realization's")
        good = all(
            holds_at(claim.relation, v, y) for v, y in zip(spot.value, claim.expected, strict=True)
        )
        x0 = ValueTerm(_column(spot.input), point=True)
        point = Chain(Var("x", (0,)), (Link("equals", x0), Link("in", Atom(domain_set))))
        # a value equal to the claimed one under =, <= or >= is said in words, not "= 3 = 3"
        attains = (
            good
            and claim.relation in ("equals", "at_most", "at_least")
            and [to_rational(v) for v in claim.expected] == list(value)
        )
        links = [Link("equals", ValueTerm(value, point=True))]
        if not attains:
            links.append(Link(claim.relation, expected, negated=not good))
        result = Chain(Realization(act, x0), tuple(links))
    else:
        by_piece: dict[int, list] = {}
        for f in verdict.facts:
            by_piece.setdefault(f.piece, []).append(f)
        wanted = options.region
        count = len(verdict.decomposition.pieces)
        if wanted is not None and not 1 <= wanted <= count:
            raise ClaimError(
                f"there is no region {wanted}: the box has {count} region{'s' * (count != 1)}",
                place="region",
                hint=f"give a region from 1 to {count}, as symresnet regions numbers them",
            )
        if by_piece and (wanted is not None or len(by_piece) > options.box_regions):
            full = wanted if wanted is not None else _attaining(verdict, by_piece) + 1
            if full - 1 not in by_piece:
                raise ClaimError(
                    f"region {full} has no bound to derive",
                    place="region",
                    hint="give a region of the table",
                )
            table = tuple(_row(verdict, i, by_piece.get(i, ()), xs, act) for i in range(count))
            regions = (_region_proof(verdict, full - 1, by_piece[full - 1], xs, act),)
            first = verdict.facts[0]
            ext = (verdict.maximum if first.side == "max" else verdict.minimum)[first.coordinate]
            full_attains = ext.attained and ext.piece == full - 1
        else:
            regions = tuple(
                _region_proof(verdict, i, fs, xs, act) for i, fs in sorted(by_piece.items())
            )
    sides = sorted({f.side for f in verdict.facts})
    proof = BoxProof(
        quantifier=claim.quantifier,
        relation=claim.relation,
        holds=verdict.holds,
        label=claim.label,
        domain=domain,
        statement=statement,
        point=point,
        result=result,
        regions=regions,
        count=len(verdict.decomposition.regions),
        extrema=_extrema(verdict, act, sides) if regions else (),
        vector=len(claim.expected) > 1,
        intervals=tuple(
            Chain(Var("x", (k,)), (Link("in", Atom(_box_set(iv))),))
            for k, iv in enumerate(verdict.intervals if options.region is None else ())
        ),
        coordinates=tuple(Atom(x) for x in xs),
        attains=attains,
        table=table,
        full=full,
        full_attains=full_attains,
        closed=not verdict.decomposition.partition,
    )
    return dataclasses.replace(base, box=proof)
