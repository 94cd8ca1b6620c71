"""Box claims over several parameters (docs/parameters.md, "Several parameters").

**Linear: the parameters enter only the biases, affinely.**  They become extra input
coordinates (:func:`~symresnet.claims.parameter_box.parameters_network`), and the exact regions
of that network over ``box x (parameter bounds)`` are polyhedra ``P`` in ``(x, p)`` with
``R = C (x, p) + d`` on ``P``.  Then, exactly as for one parameter,

* a ``forall`` fails at ``p`` iff some ``P`` and output ``j`` have a point ``(x, p)`` violating
  ``f_j ~ y_j``; an ``exists`` holds at ``p`` iff some ``P`` has a point with all of them;
* each such set of ``p`` is the projection of a polyhedron (strict rows allowed), computed
  exactly by Fourier-Motzkin elimination of ``x`` (:mod:`symresnet.solve.projection`);
* so the set where the claim holds is a finite union (``exists``) or the complement of one
  (``forall``: negated piece by piece, dropping empty cases by exact LP) of polyhedra in the
  parameters: a disjunction of conjunctions of linear constraints, simplified by
  :func:`symresnet.solve.simplify.simplify` (every step proven by exact LP).

A witness and a counterexample are exact rational points of the set and of its complement; at
each the claim is decided again by the non-parametric box decider, which must agree.

**Not linear (a parameter in a weight, or a product of parameters)**: z3's nonlinear real
arithmetic.  For a ``forall``, "some ``p`` in the bounds and ``x`` in the box violate it" is
quantifier-free: *unsat* proves it for every ``p``; else "some ``p`` has every ``x`` satisfy it"
(one universal quantifier) decides between *fails* and *depends*.  ``exists`` likewise with the
roles swapped.  When z3 is missing or answers *unknown*, the verdict is *undecided* and the
exact condition is reported: the realization ``R(x; p)`` written with ``Max`` (parseable by
``sympy.parse_expr``) and the box it must hold on.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy

from symresnet.base.errors import ClaimError
from symresnet.claims.box_decide import decide_box, relation_rows
from symresnet.claims.parameter_box import (
    ParameterBoxVerdict,
    Sample,
    Several,
    declared_bound,
    parameters_network,
)
from symresnet.claims.verdict import Status
from symresnet.claims.z3_network import claim_terms, network_terms, rational
from symresnet.compute.linear_region import Progress
from symresnet.compute.polyhedra import Polyhedron
from symresnet.compute.realization import realize
from symresnet.compute.regions import decompose
from symresnet.model.network import ResNet
from symresnet.model.parameters import substitute
from symresnet.solve.conditions import Constraint, Solver, constraint, negation, z3_available
from symresnet.solve.projection import Row, project
from symresnet.solve.realsets import RealSet
from symresnet.solve.simplify import simplify
from symresnet.values.rationals import to_rational

if TYPE_CHECKING:  # pragma: no cover
    from symresnet.claims.box import BoxClaim

__all__ = ["MAX_CASES", "decide_several"]

#: at most this many conjunctions while negating a union (else the claim is undecided)
MAX_CASES = 2000

Conjunction = tuple[Constraint, ...]


def _q(v: Any) -> Fraction:
    return Fraction(int(v.p), int(v.q)) if hasattr(v, "p") else Fraction(v)


def _bounds(symbols, bounds) -> list[tuple[Fraction | None, Fraction | None]]:
    found = [(bounds or {}).get(s.name) for s in symbols]
    return [(declared_bound(p, "min"), declared_bound(p, "max")) for p in found]


def _domain(symbols, ranges) -> Conjunction:
    out: list[Constraint] = []
    for s, (lo, hi) in zip(symbols, ranges, strict=True):
        for c in (
            None if lo is None else constraint(to_rational(lo) - s, "<="),
            None if hi is None else constraint(s - to_rational(hi), "<="),
        ):
            if isinstance(c, Constraint):
                out.append(c)
    return tuple(out)


def _linear(network: ResNet, symbols) -> bool:
    try:
        parameters_network(network, symbols)
    except ClaimError:
        return False
    return True


def _claim_rows(region, j: int, relation: str, y: Fraction, *, violated: bool) -> list[Row]:
    """:func:`~symresnet.claims.box_decide.relation_rows` as projection rows."""
    return [
        (tuple(a), rhs, strict)
        for a, rhs, strict in relation_rows(region, j, relation, y, violated=violated)
    ]


def _as_conjunction(rows: list[Row], symbols) -> Conjunction | None:
    out: list[Constraint] = []
    for a, r, strict in rows:
        expr = sum(
            (to_rational(v) * s for v, s in zip(a, symbols, strict=True)), sympy.S.Zero
        ) - to_rational(r)
        c = constraint(expr, "<" if strict else "<=")
        if c is False:
            return None
        if isinstance(c, Constraint):
            out.append(c)
    return tuple(out)


def _negate(parts: list[Conjunction], conj: Conjunction, solver: Solver) -> list[Conjunction]:
    """``parts and not conj`` as conjunctions, empty cases dropped (exact LP)."""
    out: list[Conjunction] = []
    for part in parts:
        for c in conj:
            for n in negation(c):
                if n is False:
                    continue
                cand = part if n is True else (*part, n)
                if solver.feasible(cand).feasible is not False:
                    out.append(solver.irredundant(cand))
        if len(out) > MAX_CASES:
            raise ClaimError(
                f"the condition on the parameters has more than {MAX_CASES} cases",
                hint="give some parameters values or bounds",
            )
    return list(dict.fromkeys(out))


def _point(parts: Sequence[Conjunction], symbols, solver: Solver) -> tuple[Fraction, ...] | None:
    """The simplest of the exact points the solver finds in the parts (the same whatever the
    order of the parts): least denominators, then least absolute values."""
    found = []
    for part in sorted(parts, key=lambda c: sorted(str(x) for x in c)):
        d = solver.feasible(tuple(sorted(part, key=str)))
        if d.feasible and d.point is not None:
            found.append(tuple(_q(d.point.get(s, sympy.Integer(0))) for s in symbols))
    if not found:
        return None
    return min(found, key=lambda p: (max(v.denominator for v in p), sum(abs(v) for v in p), p))


def _sample(claim, network, symbols, point, expect: bool) -> Sample:
    """The claim at ``point`` by the box decider; it must agree with the parametric answer."""
    bv = decide_box(
        claim, substitute(network, {s: to_rational(v) for s, v in zip(symbols, point, strict=True)})
    )
    if bool(bv.holds) != expect:
        raise AssertionError(f"the parametric answer disagrees with the box decider at {point}")
    return Sample(point[0], bv, point)


def decide_several(
    claim: BoxClaim,
    network: ResNet,
    *,
    bounds: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> ParameterBoxVerdict:
    """The exact condition on the network's parameters for ``claim`` (module docstring)."""
    symbols = tuple(sorted(network.free_symbols, key=lambda s: s.name))
    ranges = _bounds(symbols, bounds)
    for s, (lo, hi) in zip(symbols, ranges, strict=True):
        if lo is not None and hi is not None and lo > hi:
            raise ClaimError(f"the parameter {s} has min {lo} > max {hi}")
    if _linear(network, symbols):
        return _decide_linear(claim, network, symbols, ranges, progress)
    return _decide_z3(claim, network, symbols, ranges)


def _verdict(claim, symbols, several: Several, samples: tuple[Sample, ...]) -> ParameterBoxVerdict:
    return ParameterBoxVerdict(
        claim, symbols[0], RealSet(), (), samples, (None, None), several=several
    )


def _decide_linear(claim, network, symbols, ranges, progress) -> ParameterBoxVerdict:
    n, k = network.dims[0], len(symbols)
    aug = parameters_network(network, symbols)
    A: list[list[Fraction]] = [[*row, *([Fraction(0)] * k)] for row in claim.box.A]
    rhs: list[Fraction] = list(claim.box.b)
    for i, (lo, hi) in enumerate(ranges):
        e = [Fraction(0)] * (n + k)
        e[n + i] = Fraction(1)
        if lo is not None:
            A.append([-v for v in e])
            rhs.append(-lo)
        if hi is not None:
            A.append(list(e))
            rhs.append(hi)
    dec = decompose(aug, Polyhedron.from_inequalities(A, rhs), method="lp", progress=progress)
    if dec.partition:
        raise ClaimError(
            "box claims with parameters are decided for continuous activations",
            hint="give the parameters values",
        )
    solver = Solver(use_z3=False)
    domain = _domain(symbols, ranges)
    rel, y = claim.relation.value, claim.expected
    pieces: list[Conjunction] = []  # forall: where it fails; exists: where it holds
    for region in dec.pieces:
        base: list[Row] = [
            (tuple(a), r, s) for a, r, s in zip(region.A, region.b, region.strict, strict=True)
        ]
        if claim.quantifier == "forall":
            systems = [
                [*base, row]
                for j in range(len(y))
                for row in _claim_rows(region, j, rel, y[j], violated=True)
            ]
        else:
            systems = [
                [
                    *base,
                    *itertools.chain.from_iterable(
                        _claim_rows(region, j, rel, y[j], violated=False) for j in range(len(y))
                    ),
                ]
            ]
        for rows in systems:
            projected = project(rows, n)
            if projected is None:
                continue
            conj = _as_conjunction(projected, symbols)
            if conj is not None:
                pieces.append(conj)
    pieces = list(dict.fromkeys(solver.irredundant(c) for c in pieces))
    if claim.quantifier == "forall":
        where = [domain]
        for conj in pieces:
            where = _negate(where, conj, solver)
        outside = [(*domain, *c) for c in pieces]
    else:
        where = [(*domain, *c) for c in pieces]
        outside = [domain]
        for conj in pieces:
            outside = _negate(outside, conj, solver)
    witness = _point(where, symbols, solver)
    counter = _point(outside, symbols, solver)
    status: Status = "fails" if witness is None else "holds" if counter is None else "depends"
    condition = simplify(where, solver, domain=domain) if witness is not None else ()
    samples = tuple(
        _sample(claim, network, symbols, p, ok)
        for p, ok in ((witness, True), (counter, False))
        if p is not None
    )
    return _verdict(claim, symbols, Several(symbols, condition, status, "lp"), samples)


# -- not linear: z3 ------------------------------------------------------------------------------


def _condition(claim, network: ResNet) -> str:
    """The exact condition, readable by ``sympy.parse_expr``: the relation on the realization
    written with ``Max`` in the input coordinates ``x_1, ...`` (to hold for all / some ``x`` in
    the box)."""
    xs = [sympy.Symbol(f"x_{i}", real=True) for i in range(1, network.dims[0] + 1)]
    out = realize(network, xs).output
    rel = {"equals": "Eq", "at_most": "Le", "less": "Lt", "at_least": "Ge", "greater": "Gt"}
    f = getattr(sympy, rel[claim.relation.value])
    return str(sympy.And(*(f(e, to_rational(y)) for e, y in zip(out, claim.expected, strict=True))))


def _decide_z3(claim, network, symbols, ranges) -> ParameterBoxVerdict:
    act = network.activation
    if not (act.piecewise_linear and act.continuous and act.rational):
        raise ClaimError(
            "box claims with several parameters are decided for continuous piecewise linear "
            f"activations with rational parameters, not {act.text}",
            hint="give the parameters values",
        )
    note = _condition(claim, network)
    if not z3_available():
        return _verdict(claim, symbols, Several(symbols, None, "undecided", "none", note), ())
    import z3  # noqa: PLC0415 (optional dependency)

    params = {s: z3.Real(s.name) for s in symbols}
    x0 = [z3.Real(f"x_{i}") for i in range(1, network.dims[0] + 1)]
    in_range = z3.And(
        True,
        *(
            params[s] >= rational(z3, lo)
            for s, (lo, _) in zip(symbols, ranges, strict=True)
            if lo is not None
        ),
        *(
            params[s] <= rational(z3, hi)
            for s, (_, hi) in zip(symbols, ranges, strict=True)
            if hi is not None
        ),
    )
    try:
        out = network_terms(z3, network, params, x0)
    except (sympy.PolynomialError, sympy.polys.polyerrors.CoercionFailed):
        raise ClaimError(
            "box claims with parameters are decided when every entry is a polynomial in the "
            "parameters with rational coefficients",
            hint="give the parameters values",
        ) from None
    in_box, good = claim_terms(z3, claim, out, x0)
    # forall: first "some p, x violate" (no quantifier), then "some p with every x good";
    # exists: first "some p, x good", then "some p with no x good"
    first = z3.Not(good) if claim.quantifier == "forall" else good
    second = (
        z3.ForAll(x0, z3.Implies(in_box, good))
        if claim.quantifier == "forall"
        else z3.ForAll(x0, z3.Implies(in_box, z3.Not(good)))
    )

    def check(*formulas) -> tuple[Any, tuple[Fraction, ...] | None]:
        s = z3.Solver()
        s.set("timeout", 30_000)
        s.add(in_range, *formulas)
        r = s.check()
        point = None
        if r == z3.sat:
            m = s.model()
            vals = [m.eval(params[t], model_completion=True) for t in symbols]
            if all(z3.is_rational_value(v) for v in vals):
                point = tuple(
                    Fraction(v.numerator_as_long(), v.denominator_as_long()) for v in vals
                )
        return r, point

    r1, p1 = check(in_box, first)
    # forall: r1 unsat -> holds everywhere; exists: r1 unsat -> fails everywhere
    if r1 == z3.unsat:
        status: Status = "holds" if claim.quantifier == "forall" else "fails"
        condition: tuple[Conjunction, ...] | None = ((),) if status == "holds" else ()
        return _verdict(claim, symbols, Several(symbols, condition, status, "z3", note), ())
    r2, p2 = check(second)
    if r1 == z3.sat and r2 == z3.unsat:
        status = "fails" if claim.quantifier == "forall" else "holds"
    elif r1 == z3.sat and r2 == z3.sat:
        status = "depends"
    else:
        status = "undecided"
    # the points z3 found, decided again by the box decider (rational ones)
    good_p, bad_p = (p2, p1) if claim.quantifier == "forall" else (p1, p2)
    samples = tuple(
        _sample(claim, network, symbols, p, ok)
        for p, ok in ((good_p, True), (bad_p, False))
        if p is not None and status != "undecided"
    )
    condition = ((),) if status == "holds" else () if status == "fails" else None
    return _verdict(claim, symbols, Several(symbols, condition, status, "z3", note), samples)
