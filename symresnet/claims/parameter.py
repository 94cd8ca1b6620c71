"""Parameter studies: for which parameter values does a claim hold?

A point claim ``(R^R_a(Phi, V))(x_0) ~ y`` (Def. 1.5.4) about a network with Symbols in its
weights, biases, skip matrices, activation parameters, input or claimed value is answered by the
exact set of parameter values for which it holds (:func:`study`):

1. the realization at ``x_0`` is split into exact pieces (:func:`~symresnet.compute.pieces.realization_pieces`:
   a case analysis on every hidden neuron whose sign depends on the parameters);
2. on each piece the claim is a conjunction of polynomial (in)equalities (one per output
   coordinate); the claim holds exactly on the union over the pieces of
   ``piece condition and claim condition``;
3. each part is decided exactly (:class:`~symresnet.solve.conditions.Solver`): rational LP for linear
   conditions, root isolation for one parameter, z3 for several with nonlinear conditions.

The answer (:class:`Study`): ``status`` ``"holds"`` (for every parameter value in the bounds),
``"fails"`` (for none), ``"depends"`` (for some, not all) or ``"undecided"``; ``when`` the exact
condition as a sympy Boolean, simplified (for one parameter: a finite union of intervals and
points with exact algebraic ends, also as :attr:`Study.set`); a ``witness`` where the claim holds
and a ``counterexample`` where it fails.  docs/design.md, "Decisions": with several parameters,
nonlinear conditions and no z3 (or closed-form coefficients, smooth activations) the exact
condition is still reported, with ``decided`` ``False``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy

from symresnet.claims.verdict import Status, Verdict
from symresnet.compute.pieces import Piece, Pieces, bound_pair, realization_pieces
from symresnet.model.network import ResNet
from symresnet.solve.conditions import (
    Constraint,
    Solver,
    conjunction_relational,
    conjunction_text,
    constraint,
    negation,
)
from symresnet.solve.readable import readable
from symresnet.solve.realsets import RealSet, simplest_rational
from symresnet.solve.simplify import simplify
from symresnet.values.exact import exact
from symresnet.values.relations import Relation, compare

if TYPE_CHECKING:
    from symresnet.claims.point import PointClaim

__all__ = ["Case", "Study", "claim_constraints", "parameter_verdict", "relational", "study"]

Conjunction = tuple[Constraint, ...]
Point = Mapping[sympy.Symbol, sympy.Expr]


def relational(relation: str, lhs: sympy.Expr, rhs: sympy.Expr) -> sympy.Basic:
    """``lhs <relation> rhs`` as a sympy relational (``Eq``, ``Ge``, ...)."""
    return Relation(relation).relational(lhs, rhs)


_CONSTRAINTS = {
    Relation.EQUALS: lambda v, e: constraint(v - e, "=="),
    Relation.AT_LEAST: lambda v, e: constraint(e - v, "<="),
    Relation.AT_MOST: lambda v, e: constraint(v - e, "<="),
    Relation.GREATER: lambda v, e: constraint(e - v, "<"),
    Relation.LESS: lambda v, e: constraint(v - e, "<"),
}


def claim_constraints(
    relation: str, value: sympy.MatrixBase, expected: sympy.MatrixBase
) -> list[Constraint | bool]:
    """``value <relation> expected`` componentwise as constraints (``True``/``False`` where a
    component is decided by itself)."""
    make = _CONSTRAINTS[Relation(relation)]
    return [make(v, e) for v, e in zip(value, expected, strict=True)]


@dataclasses.dataclass(frozen=True)
class Case:
    """The claim on one piece of the realization: on ``piece.condition`` the claim reads
    ``claim`` (a conjunction; ``None`` when some component is false on the whole piece), and
    it holds exactly on ``result`` (the simplified conjunction, ``None`` if nowhere).
    ``always`` says it holds on the whole piece."""

    piece: Piece
    claim: Conjunction | None
    result: Conjunction | None
    always: bool | None


@dataclasses.dataclass(frozen=True)
class Study:
    """The exact answer to "for which parameter values does the claim hold?" (see the module
    docstring).  ``condition`` is the simplified disjunction of conjunctions behind ``when``."""

    relation: str
    expected: sympy.ImmutableMatrix
    symbols: tuple[sympy.Symbol, ...]
    status: Status
    when: sympy.Basic
    condition: tuple[Conjunction, ...]
    decided: bool
    witness: Point | None
    counterexample: Point | None
    pieces: Pieces
    cases: tuple[Case, ...]
    set: RealSet | None = None
    note: str = ""
    bounds: Mapping[Any, Any] | None = None
    #: the solver that decided the pieces (its cache serves a second study of the same claim,
    #: e.g. the case analysis of :mod:`symresnet.explain.cases`); no part of the value
    solver: Solver | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def parameter(self) -> sympy.Symbol | None:
        """The one parameter of a one-parameter study."""
        return self.symbols[0] if len(self.symbols) == 1 else None

    def text(self) -> str:
        """The condition in readable form: ``v = -33/5``, ``a <= -2``, ``-1 < a < 1 or a = 3``,
        ``(a >= 0 and b < 1) or ...``; ``never`` / ``always``."""
        if self.set is not None and (self.set.is_empty or self.set.is_everything):
            return "never" if self.set.is_empty else self.set.text(self.symbols[0].name)
        if self.set is None and not self.condition:
            return "never"
        shown = readable(self.when)
        if shown is not None:
            return shown.text()
        return " or ".join(f"({conjunction_text(c)})" for c in self.condition)


def _point(decision_point: Point | None, symbols: Sequence[sympy.Symbol], bounds) -> Point | None:
    """A full exact point: the solver's values, other symbols at the simplest value allowed."""
    if decision_point is None:
        return None
    out = dict(decision_point)
    for s in symbols:
        if s not in out:
            lo, hi = _bounds_of(bounds, s)
            q = simplest_rational(lo, hi, lo_closed=True, hi_closed=True)
            out[s] = sympy.Rational(q.numerator, q.denominator)
    return {s: out[s] for s in symbols}


def _fraction(q: Any) -> Fraction | None:
    """A rational bound as a Fraction (read by :func:`symresnet.values.exact.exact`, never sympify);
    ``None`` for no bound or an irrational one."""
    if q is None:
        return None
    q = exact(q)
    return Fraction(int(q.p), int(q.q)) if q.is_Rational else None


def _bounds_of(bounds, s: sympy.Symbol) -> tuple[Fraction | None, Fraction | None]:
    """The declared ``(min, max)`` of ``s`` as Fractions (``None``: unbounded)."""
    for key, value in (bounds or {}).items():
        if (key.name if isinstance(key, sympy.Symbol) else str(key)) == s.name:
            lo, hi = bound_pair(value)
            return _fraction(lo), _fraction(hi)
    return None, None


def study(
    network: ResNet,
    *,
    input: sympy.MatrixBase | Sequence[sympy.Expr],
    relation: str,
    expected: sympy.MatrixBase | Sequence[sympy.Expr],
    bounds: Mapping[Any, Any] | None = None,
    solver: Solver | None = None,
    merge: bool = True,
) -> Study:
    """For which parameter values does ``(R(Phi, V))(input) <relation> expected`` hold?

    ``input`` and ``expected`` are exact (sympy) vectors; ``bounds`` maps parameter names (or
    Symbols) to ``(min, max)`` pairs or spec :class:`~symresnet.io.spec.Parameter` s.
    ``merge=False`` keeps one case per activation pattern (for derivations).
    """
    solver = solver or Solver()
    expected = sympy.ImmutableMatrix(list(expected))
    pieces = realization_pieces(
        network,
        input,
        bounds=bounds,
        extra_symbols=sorted(expected.free_symbols, key=str),
        solver=solver,
        merge=merge,
    )
    symbols = pieces.symbols
    if pieces.closed_form:
        return _closed_form_study(relation, expected, pieces)
    decided = pieces.decided
    cases: list[Case] = []
    parts: list[Conjunction] = []
    witness = counterexample = None
    for piece in pieces:
        atoms = claim_constraints(relation, piece.value, expected)
        if any(a is False for a in atoms):
            cases.append(Case(piece, None, None, False))
            counterexample = counterexample or piece.point
            continue
        claim = tuple(a for a in atoms if not isinstance(a, bool))  # no False left: drop True
        yes = solver.feasible([*piece.condition, *claim])
        decided &= yes.feasible is not None
        no_points = [solver.feasible([*piece.condition, n]) for a in claim for n in negation(a)]
        decided &= all(d.feasible is not None for d in no_points)
        found_no = next((d.point for d in no_points if d.feasible is True), None)
        always = (
            True
            if all(d.feasible is False for d in no_points)
            else (False if found_no is not None else None)
        )
        counterexample = counterexample or found_no
        if yes.feasible is False:
            cases.append(Case(piece, claim, None, False))
            continue
        witness = witness or yes.point
        result = piece.condition if always else solver.irredundant([*piece.condition, *claim])
        parts.append(result)
        cases.append(Case(piece, claim, result, always))
    condition = simplify(_merge_all(parts, solver), solver)
    holds_always = all(c.always is True for c in cases)
    never = not parts
    if holds_always and decided:
        status: Status = "holds"
    elif never and decided:
        status = "fails"
    elif witness is not None and counterexample is not None:
        status = "depends"
    else:
        status = "undecided"
    real_set = _one_parameter_set(condition, symbols, solver) if decided else None
    if real_set is not None:
        when = real_set.relational(symbols[0])
        witness = {symbols[0]: real_set.witness()} if not real_set.is_empty else None
        others = _one_parameter_set(condition, symbols, solver, domain=pieces.domain, negate=True)
        if others is not None:
            counterexample = {symbols[0]: others.witness()} if not others.is_empty else None
    else:
        when = sympy.Or(*(conjunction_relational(c) for c in condition))
    if holds_always and decided and not pieces.domain:
        when = sympy.true
    return Study(
        relation=relation,
        expected=expected,
        symbols=symbols,
        status=status,
        when=when,
        condition=condition,
        decided=decided,
        witness=_point(witness, symbols, bounds),
        counterexample=_point(counterexample, symbols, bounds),
        pieces=pieces,
        cases=tuple(cases),
        set=real_set,
        note="" if decided else _undecided_note(symbols, solver),
        bounds=bounds,
        solver=solver,
    )


def _undecided_note(symbols: Sequence[sympy.Symbol], solver: Solver) -> str:
    if len(symbols) > 1 and not solver.use_z3:
        return (
            "several parameters with nonlinear conditions: the exact condition is given; "
            "install z3 (pip install 'symresnet[z3]') to decide it"
        )
    return "the exact condition is given; it has closed-form coefficients or z3 gave up on it"


def _merge_all(parts: list[Conjunction], solver: Solver) -> list[Conjunction]:
    """Merge conjunctions pairwise while their union is again one conjunction."""
    parts = list(dict.fromkeys(parts))
    i = 0
    while i < len(parts):
        for j in range(i + 1, len(parts)):
            union = solver.merge(parts[i], parts[j])
            if union is not None:
                parts[i] = union
                del parts[j]
                break
        else:
            i += 1
    return parts


def _one_parameter_set(
    condition: Sequence[Conjunction],
    symbols: Sequence[sympy.Symbol],
    solver: Solver,
    *,
    domain: Conjunction = (),
    negate: bool = False,
) -> RealSet | None:
    """The condition (with ``negate``: its complement in ``domain``) as an exact subset of the
    line, for one parameter with polynomial conditions (else ``None``)."""
    if len(symbols) != 1:
        return None
    (t,) = symbols
    dnf = []
    for conj in [*condition, domain]:
        polys = [(solver.univariate(c, t), c.rel) for c in conj]
        if any(p is None for p, _ in polys):
            return None
        dnf.append(polys)
    return RealSet.from_dnf(dnf[:-1], domain=dnf[-1], negate=negate)


def _closed_form_study(relation: str, expected: sympy.ImmutableMatrix, pieces: Pieces) -> Study:
    """Smooth activations: the claim's exact condition; decided only when every component
    simplifies to a fixed truth value."""
    (piece,) = pieces.pieces
    parts = [compare(relation, v, e) for v, e in zip(piece.value, expected, strict=True)]
    when = sympy.And(
        *(relational(relation, v, e) for v, e in zip(piece.value, expected, strict=True))
    )
    status: Status = "undecided"
    if all(p is True for p in parts):
        status, when = "holds", sympy.true
    elif any(p is False for p in parts):
        status, when = "fails", sympy.false
    return Study(
        relation=relation,
        expected=expected,
        symbols=pieces.symbols,
        status=status,
        when=when,
        condition=(),
        decided=status != "undecided",
        witness=None,
        counterexample=None,
        pieces=pieces,
        cases=(),
        note=""
        if status != "undecided"
        else "smooth activation: the exact condition is given, not decided",
    )


def parameter_verdict(
    point_claim: PointClaim,
    trace,
    *,
    bounds: Mapping[Any, Any] | None = None,
    solver: Solver | None = None,
) -> Verdict:
    """The :class:`~symresnet.claims.point.Verdict` on a claim whose realization has free symbols:
    ``status`` and ``when`` from :func:`study`, which is attached as ``verdict.study``."""
    result = study(
        trace.network,
        input=trace.input,
        relation=point_claim.relation,
        expected=point_claim.expected,
        bounds=bounds,
        solver=solver,
    )
    n = len(point_claim.expected)
    components = (True,) * n if result.status == "holds" else (None,) * n
    return Verdict(
        point_claim,
        trace,
        result.status,
        components,
        when=result.when,
        note=result.note,
        study=result,
    )
