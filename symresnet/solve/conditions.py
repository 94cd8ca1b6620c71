"""Exact conditions on parameters and exact decisions about them.

With symbols in weights, biases, skip matrices or the input, the realization of Def. 1.5.4 is
piecewise: each piece is cut out by a conjunction of :class:`Constraint` s ``p < 0``,
``p <= 0`` or ``p = 0`` with ``p`` a polynomial in the symbols.  :class:`Solver` decides whether
such a conjunction can hold, and gives a point where it does, exactly (docs/design.md, "Decisions"):

* every ``p`` affine with rational coefficients: exact rational LP (:mod:`symresnet.solve.lp`), in any
  number of variables;
* one variable, ``p`` polynomial with rational coefficients: exact real root isolation
  (:mod:`symresnet.solve.realsets`);
* several variables, polynomial: z3's exact nonlinear real arithmetic when ``z3-solver`` is
  installed (``pip install "symresnet[z3]"``);
* anything else (closed-form coefficients such as ``sqrt(2)``, no z3): *undecided*
  (``Decision.feasible is None``), never guessed.

On top of feasibility: :meth:`Solver.implies`, :meth:`Solver.irredundant` (drop constraints the
others imply) and :meth:`Solver.merge` (the union of two conjunctions, when it is again one).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal

import sympy

from symresnet.solve import lp
from symresnet.solve.realsets import RealNumber, RealSet
from symresnet.values.exact import exact_str
from symresnet.values.rationals import to_fraction, to_rational
from symresnet.values.relations import compare

__all__ = [
    "Constraint",
    "Decision",
    "Solver",
    "conjunction_relational",
    "conjunction_text",
    "constraint",
    "negation",
    "number_sign",
    "z3_available",
]

Rel = Literal["<", "<=", "=="]
Conjunction = tuple["Constraint", ...]


def number_sign(value: sympy.Expr) -> int | None:
    """The exact sign of a number without symbols, or ``None`` when it cannot be certified
    (closed forms are compared as :func:`symresnet.claims.point.compare` does)."""
    if value.is_Rational:
        return (value.p > 0) - (value.p < 0)

    zero = compare("equals", value, sympy.Integer(0))
    if zero is None:
        return None
    return 0 if zero else (1 if compare("greater", value, sympy.Integer(0)) else -1)


@dataclasses.dataclass(frozen=True)
class Constraint:
    """``expr < 0``, ``expr <= 0`` or ``expr = 0`` (``rel``), ``expr`` a polynomial in the
    symbols, expanded, divided by its positive rational content (and, for ``=``, with a
    positive leading sign).  Build with :func:`constraint`."""

    expr: sympy.Expr
    rel: Rel

    @property
    def free_symbols(self) -> set[sympy.Symbol]:
        return self.expr.free_symbols

    def holds_at(self, point: Mapping[sympy.Symbol, sympy.Expr]) -> bool | None:
        """Whether the constraint holds at ``point`` (all its symbols given), exactly."""
        s = number_sign(sympy.expand(self.expr.xreplace(dict(point))))
        if s is None:
            return None
        return s < 0 if self.rel == "<" else (s <= 0 if self.rel == "<=" else s == 0)

    def relational(self) -> sympy.Basic:
        """A readable sympy relational: ``2*a + 4 <= 0`` becomes ``a <= -2``, a linear one in
        several symbols ``2*a + b <= 1``, others ``a*b - 1 < 0`` -> ``a*b < 1``."""
        const, rest = self.expr.as_coeff_Add()
        rhs, rel = -const, self.rel
        symbols = rest.free_symbols
        if len(symbols) == 1:
            (t,) = symbols
            coeff, other = rest.as_coeff_Mul()
            if other == t and coeff != 0:
                rhs, rest = rhs / coeff, t
                if coeff < 0 and rel != "==":
                    return (sympy.Gt if rel == "<" else sympy.Ge)(rest, rhs)
        if rest.could_extract_minus_sign():  # -b - 5*v <= 32 reads better as b + 5*v >= -32
            rest, rhs = -rest, -rhs
            return {"<": sympy.Gt, "<=": sympy.Ge, "==": sympy.Eq}[rel](rest, rhs)
        return {"<": sympy.Lt, "<=": sympy.Le, "==": sympy.Eq}[rel](rest, rhs)

    def text(self) -> str:
        """Readable plain text: ``a <= -2``, ``v = -33/5``, ``2*a + b < 1``."""
        return self._text

    @functools.cached_property
    def _text(self) -> str:
        """:meth:`text`, computed once: it is also the sort key of every conjunction the
        solver decides (``Solver.feasible``), so it is asked for many times."""
        r = self.relational()
        op = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "="}[r.rel_op]
        return f"{exact_str(r.lhs)} {op} {exact_str(r.rhs)}"

    def __str__(self) -> str:
        return self.text()


def constraint(expr: sympy.Expr, rel: Rel) -> Constraint | bool:
    """The constraint ``expr rel 0`` in normal form, or ``True``/``False`` when ``expr`` is a
    number whose sign is certain."""
    expr = sympy.expand(expr)
    if not expr.free_symbols:
        s = number_sign(expr)
        if s is not None:
            return s < 0 if rel == "<" else (s <= 0 if rel == "<=" else s == 0)
        return Constraint(expr, rel)
    content, prim = expr.as_content_primitive()
    if not (content.is_Rational and content > 0):
        prim = expr
    if rel == "==" and prim.could_extract_minus_sign():
        prim = -prim
    return Constraint(sympy.expand(prim), rel)


def negation(c: Constraint) -> tuple[Constraint | bool, ...]:
    """``not c`` as a disjunction: ``not p < 0`` is ``-p <= 0``, ``not p = 0`` is
    ``p < 0 or -p < 0``."""
    if c.rel == "<":
        return (constraint(-c.expr, "<="),)
    if c.rel == "<=":
        return (constraint(-c.expr, "<"),)
    return (constraint(c.expr, "<"), constraint(-c.expr, "<"))


def conjunction_relational(conj: Sequence[Constraint]) -> sympy.Basic:
    """The conjunction as one sympy Boolean (``True`` when empty)."""
    return sympy.And(*(c.relational() for c in conj))


def conjunction_text(conj: Sequence[Constraint]) -> str:
    """Readable: ``-3 < x <= -2`` for two bounds on one symbol, else ``c1 and c2 ...``."""
    if not conj:
        return "always"
    if len(conj) == 2:
        rels = [c.relational() for c in conj]
        if all(len(r.free_symbols) == 1 and r.lhs.is_Symbol for r in rels) and (
            rels[0].lhs == rels[1].lhs
        ):
            lower = [r for r in rels if r.rel_op in (">", ">=")]
            upper = [r for r in rels if r.rel_op in ("<", "<=")]
            if len(lower) == 1 and len(upper) == 1:
                lo, hi = lower[0], upper[0]
                if lo.rhs == hi.rhs and lo.rel_op == ">=" and hi.rel_op == "<=":
                    return f"{exact_str(lo.lhs)} = {exact_str(lo.rhs)}"
                left = "<" if lo.rel_op == ">" else "<="
                return f"{exact_str(lo.rhs)} {left} {exact_str(lo.lhs)} {hi.rel_op} {exact_str(hi.rhs)}"
    return " and ".join(c.text() for c in conj)


@dataclasses.dataclass(frozen=True)
class Decision:
    """Whether a conjunction can hold: ``feasible`` is ``True`` (then ``point`` is an exact
    point where it does), ``False``, or ``None`` (undecided); ``method`` names the procedure
    (``"lp"``, ``"roots"``, ``"z3"``, ``"constant"``, ``"none"``)."""

    feasible: bool | None
    point: Mapping[sympy.Symbol, sympy.Expr] | None = None
    method: str = "none"


def z3_available() -> bool:
    """Whether the optional ``z3-solver`` package is installed."""
    return importlib.util.find_spec("z3") is not None


def _sorted_symbols(conj: Sequence[Constraint]) -> tuple[sympy.Symbol, ...]:
    return tuple(sorted({s for c in conj for s in c.free_symbols}, key=lambda s: s.name))


class Solver:
    """Exact decisions on conjunctions of :class:`Constraint` s (see the module docstring).

    ``use_z3``: ``None`` uses z3 when installed, ``False`` never (several variables with
    nonlinear constraints are then undecided); ``z3_timeout_ms`` bounds one z3 call (a timeout
    is *undecided*).  Results are cached per instance.
    """

    def __init__(self, *, use_z3: bool | None = None, z3_timeout_ms: int = 20_000):
        self.use_z3 = z3_available() if use_z3 is None else bool(use_z3 and z3_available())
        self.z3_timeout_ms = z3_timeout_ms
        self._cache: dict[frozenset[Constraint], Decision] = {}
        self._polys: dict[tuple[sympy.Expr, tuple[sympy.Symbol, ...]], Any] = {}

    # -- polynomials -----------------------------------------------------------------------

    def _poly(self, expr: sympy.Expr, symbols: tuple[sympy.Symbol, ...]) -> sympy.Poly | None:
        """``expr`` as a polynomial over QQ in ``symbols``, or ``None``."""
        key = (expr, symbols)
        if key not in self._polys:
            try:
                poly = sympy.Poly(expr, *symbols, domain=sympy.QQ)
            except (sympy.PolynomialError, sympy.polys.polyerrors.CoercionFailed):
                poly = None
            self._polys[key] = poly
        return self._polys[key]

    def univariate(self, c: Constraint, t: sympy.Symbol) -> sympy.Poly | None:
        """``c.expr`` as a polynomial over QQ in ``t`` alone, or ``None``."""
        if c.free_symbols - {t}:
            return None
        return self._poly(c.expr, (t,))

    # -- feasibility -----------------------------------------------------------------------

    def feasible(self, conj: Sequence[Constraint | bool]) -> Decision:
        """Decide whether the conjunction can hold; give an exact point when it can."""
        if any(c is False for c in conj):
            return Decision(False, method="constant")
        items = frozenset(c for c in conj if not isinstance(c, bool))  # no False left: drop True
        if items in self._cache:
            return self._cache[items]
        decision = self._decide(tuple(sorted(items, key=str)))  # the same point in every run
        self._cache[items] = decision
        return decision

    def _decide(self, conj: Conjunction) -> Decision:
        symbols = _sorted_symbols(conj)
        constants = [c for c in conj if not c.free_symbols]  # undecidable constants
        if constants:
            return Decision(None, method="none")
        if not conj:
            return Decision(True, {}, method="constant")
        found = [self._poly(c.expr, symbols) for c in conj]
        polys = [p for p in found if p is not None]
        if len(polys) < len(found):  # not all polynomials
            return Decision(None)
        if all(p.total_degree() <= 1 for p in polys):
            return self._lp(conj, polys, symbols)
        if len(symbols) == 1:
            return self._roots(conj, polys, symbols[0])
        if self.use_z3:
            return self._z3(conj, polys, symbols)
        return Decision(None)

    def _lp(self, conj: Conjunction, polys: list[sympy.Poly], symbols) -> Decision:
        A: list[list[Fraction]] = []
        b: list[Fraction] = []
        strict: list[bool] = []
        n = len(symbols)
        for c, p in zip(conj, polys, strict=True):
            terms = dict(p.terms())
            row = [
                to_fraction(terms.get(tuple(int(i == j) for i in range(n)), 0)) for j in range(n)
            ]
            const = to_fraction(terms.get((0,) * n, 0))
            for sign in (1, -1) if c.rel == "==" else (1,):
                A.append([sign * a for a in row])
                b.append(-sign * const)
                strict.append(c.rel == "<")
        x = lp.feasible_point(A, b, strict=strict, n=n)
        if x is None:
            return Decision(False, method="lp")
        return Decision(True, {s: to_rational(v) for s, v in zip(symbols, x, strict=True)}, "lp")

    def _roots(self, conj: Conjunction, polys: list[sympy.Poly], t: sympy.Symbol) -> Decision:
        found = RealSet.from_dnf([[(p, c.rel) for c, p in zip(conj, polys, strict=True)]])
        if found.is_empty:
            return Decision(False, method="roots")
        return Decision(True, {t: found.witness()}, method="roots")

    def _z3(self, conj: Conjunction, polys: list[sympy.Poly], symbols) -> Decision:
        import z3  # noqa: PLC0415 (optional dependency)

        variables = [z3.Real(s.name) for s in symbols]
        solver = z3.SolverFor("QF_NRA")
        solver.set("timeout", self.z3_timeout_ms)
        for c, p in zip(conj, polys, strict=True):
            e = z3.Sum(
                *(
                    _z3_rational(coeff)
                    * z3.Product(*(v**k for v, k in zip(variables, monom, strict=True) if k), 1)
                    for monom, coeff in p.terms()
                ),
                0,
            )
            solver.add(e < 0 if c.rel == "<" else (e <= 0 if c.rel == "<=" else e == 0))
        result = solver.check()
        if result == z3.unsat:
            return Decision(False, method="z3")
        if result != z3.sat:
            return Decision(None, method="z3")
        model = solver.model()
        point = {
            s: _from_z3(model.eval(v, model_completion=True))
            for s, v in zip(symbols, variables, strict=True)
        }
        return Decision(True, point, method="z3")

    # -- derived questions -----------------------------------------------------------------

    def implies(self, conj: Sequence[Constraint], c: Constraint | bool) -> bool | None:
        """Whether ``conj`` implies ``c`` (``None``: undecided)."""
        if c is True:
            return True
        if c is False:
            return self.feasible(conj).feasible is False or None
        answers = [self.feasible([*conj, n]).feasible for n in negation(c)]
        if all(a is False for a in answers):
            return True
        if any(a is True for a in answers):
            return False
        return None

    def irredundant(self, conj: Sequence[Constraint]) -> Conjunction:
        """The conjunction without repeated constraints and without constraints implied by the
        others (dropped greedily, in order); undecided ones are kept."""
        kept = _equalities(list(dict.fromkeys(conj)))
        i = 0
        while i < len(kept):
            others = kept[:i] + kept[i + 1 :]
            if self.implies(others, kept[i]) is True:
                kept.pop(i)
            else:
                i += 1
        return tuple(kept)

    def merge(self, a: Sequence[Constraint], b: Sequence[Constraint]) -> Conjunction | None:
        """A conjunction describing exactly the union of ``a`` and ``b``, or ``None`` when the
        union is not of that form (or that is undecided).

        The candidate ``m`` keeps the constraints of ``a`` and ``b`` -- and their closures
        (``p <= 0`` for ``p < 0``; ``p <= 0``, ``-p <= 0`` for ``p = 0``) -- that hold on both,
        so ``m`` contains the union; it *is* the union iff ``m and not a and not b`` is empty,
        i.e. ``m and not c and not d`` is infeasible for every ``c`` of ``a`` and ``d`` of ``b``
        outside ``m``.
        """
        m: list[Constraint] = []
        for c in [*a, *b]:
            for v in _relaxations(c):
                if v not in m and self.implies(a, v) is True and self.implies(b, v) is True:
                    m.append(v)
        rest_a = [c for c in a if c not in m]
        rest_b = [d for d in b if d not in m]
        for c in rest_a:
            for d in rest_b:
                for nc in negation(c):
                    for nd in negation(d):
                        if self.feasible([*m, nc, nd]).feasible is not False:
                            return None
        return self.irredundant(m)


def _equalities(conj: list[Constraint]) -> list[Constraint]:
    """``p <= 0`` together with ``-p <= 0`` is written ``p = 0``."""
    out = list(conj)
    for c in conj:
        if c.rel != "<=" or c not in out:
            continue
        other = Constraint(sympy.expand(-c.expr), "<=")
        if other in out:
            eq = constraint(c.expr, "==")
            i = out.index(c)
            out = [e for e in out if e not in (c, other)]
            if isinstance(eq, Constraint):
                out.insert(min(i, len(out)), eq)
    return out


def _relaxations(c: Constraint) -> list[Constraint]:
    """``c`` and the closed constraints it implies: ``p <= 0`` for ``p < 0``; ``p <= 0`` and
    ``-p <= 0`` for ``p = 0``."""
    if c.rel == "<":
        return [c, Constraint(c.expr, "<=")]
    if c.rel == "==":
        return [c, Constraint(c.expr, "<="), Constraint(sympy.expand(-c.expr), "<=")]
    return [c]


def _z3_rational(value: Any):
    import z3  # noqa: PLC0415 (optional dependency)

    q = to_fraction(value)
    return z3.Q(q.numerator, q.denominator)


def _from_z3(value: Any) -> sympy.Expr:
    """A z3 model value as an exact sympy number (rational, or an algebraic root)."""
    import z3  # noqa: PLC0415 (optional dependency)

    if z3.is_rational_value(value):
        return sympy.Rational(int(value.numerator_as_long()), int(value.denominator_as_long()))
    if z3.is_algebraic_value(value):
        coeffs = [int(str(c)) for c in value.poly()]  # lowest degree first
        poly = sympy.Poly(list(reversed(coeffs)), sympy.Symbol("x"))
        poly = sympy.Poly(sympy.sqf_part(poly), poly.gens[0])
        (factor, _), *more = [f for f in poly.factor_list()[1] if f[0].degree() >= 1]
        index = int(value.index()) - 1  # z3 counts the real roots from 1, increasing
        if not more:
            ints = [int(c) for c in reversed(factor.all_coeffs())]
            if ints[-1] < 0:
                ints = [-c for c in ints]
            intervals = factor.intervals()
            lo, hi = intervals[index][0]
            number = RealNumber(to_fraction(lo), to_fraction(hi), tuple(ints), index)
            return number.expr()
        return sympy.CRootOf(poly, index)
    raise ValueError(f"unexpected z3 value {value}")
