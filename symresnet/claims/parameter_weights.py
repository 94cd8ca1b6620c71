"""Box claims over one parameter that enters the weights (docs/parameters.md, "In the weights").

For which ``b`` does ``forall`` / ``exists`` ``x`` in a box: ``R(x; b) ~ y`` hold, when the
entries of ``W_k``, ``B_k`` and ``V_{r,k}`` are polynomials in ``b`` with rational coefficients
and the activation is continuous and piecewise linear with rational breakpoints?

1. **Patterns.**  Fix one piece of the activation for every hidden neuron (a *pattern*
   ``sigma``).  By Def. 1.5.4, layer by layer, every pre-activation ``z_{k,i}`` is then an
   affine function of ``x`` whose coefficients are polynomials in ``b``, and so is
   ``R = C_sigma(b) x + d_sigma(b)``.  The pattern's polyhedron
   ``P_sigma(b) = {x in box : z_{k,i}(x; b) in the piece chosen}`` is cut out by rows
   ``a(b) x + c(b) <= 0``; the closed polyhedra of all patterns cover the box, and ``R`` is
   continuous, so the claim at ``b`` is a boolean combination of the feasibility of the
   systems ``rows of P_sigma(b)`` plus ``f_j(x) - y_j (<, <=, >, >=) 0`` (as in
   :mod:`symresnet.claims.parameter_box`).
2. **Candidate ends.**  Write each row as the vector ``(a(b), c(b))`` in ``Q[b]^{n+1}`` and add
   ``(0, ..., 0, 1)``.  A system of such rows (strict or not) is feasible iff some linear
   functional has the prescribed signs on the vectors (homogenize with ``t > 0``); which sign
   vectors a configuration of vectors realizes is fixed by its oriented matroid, which is fixed
   by the signs of all its minors.  So on an open interval of ``b`` on which no minor (of any
   size, of any pattern's matrix) changes sign, the claim has one truth value: the candidate
   ends are the real roots of the minors that are not identically zero (exact real algebraic
   numbers, :func:`symresnet.solve.realsets.cells`).
3. **Deciding each cell.**  At one rational point of every open cell and at every rational
   end: the exact box decider on the network with ``b`` substituted
   (:func:`~symresnet.claims.box_decide.decide_box`, evidence re-checked with Fractions).  At
   an irrational end ``r`` (root of an irreducible ``p`` in the isolating interval
   ``(lo, hi)``): z3's nonlinear real arithmetic (nlsat, complete for polynomial arithmetic)
   on "``p(b) = 0``, ``lo < b < hi``, ``x`` in the box, ``R(x; b)`` violating (``forall``) /
   satisfying (``exists``) the relation", the activation written as case splits; without z3,
   or when z3 answers *unknown*, that point is reported *undecided*.

The number of patterns is the product of the piece counts, checked against
:data:`MAX_PATTERNS` before the work.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

import flint
import sympy

from symresnet.base.errors import ClaimError
from symresnet.claims.box_decide import decide_box
from symresnet.claims.box_verdict import BoxVerdict
from symresnet.claims.z3_network import claim_terms, network_terms, rational
from symresnet.model.network import ResNet
from symresnet.model.parameters import substitute
from symresnet.solve.conditions import z3_available
from symresnet.solve.realsets import RealNumber, RealSet, Span, cells, simplest_rational
from symresnet.values.rationals import to_rational

if TYPE_CHECKING:  # pragma: no cover (box imports this module through parameter_box)
    from symresnet.claims.box import BoxClaim

__all__ = ["MAX_PATTERNS", "Cell", "WeightAnswer", "decide_weights"]

#: at most this many activation patterns are enumerated (the product of the piece counts)
MAX_PATTERNS = 4096
#: at most this many input coordinates (the minors have size up to l_0 + 1)
MAX_INPUTS = 3

Poly = Any  # flint.fmpq_poly
Form = tuple[Any, ...]  # (a_1(b), ..., a_n(b), c(b)): the affine function a(b) x + c(b)


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell of the parameter line: an open interval between consecutive ends or an end.

    ``holds`` is the exact answer there (``None``: undecided); ``method`` names how it was
    decided (``"box"``: the exact box decider at ``sample``, ``"z3"``: nlsat at the irrational
    point, ``"none"``); ``verdict`` is the box verdict at ``sample`` (method ``"box"``)."""

    part: Span
    holds: bool | None
    method: Literal["box", "z3", "none"]
    sample: Fraction | None = None
    verdict: BoxVerdict | None = None


@dataclasses.dataclass(frozen=True)
class WeightAnswer:
    """The set where the claim holds, the candidate ends and the decided cells in order."""

    set: RealSet
    ends: tuple[RealNumber, ...]
    cells: tuple[Cell, ...]


# -- polynomials in b ----------------------------------------------------------------------------


def _poly(entry: sympy.Expr, b: sympy.Symbol, place: str) -> Poly:
    try:
        p = sympy.Poly(entry, b, domain=sympy.QQ)
    except (sympy.PolynomialError, sympy.polys.polyerrors.CoercionFailed):
        raise ClaimError(
            f"{place} holds {entry}: box claims with a parameter are decided when every entry "
            "is a polynomial in the parameter with rational coefficients",
            hint="give the parameter a value (symresnet study sweeps it)",
        ) from None
    coeffs = [Fraction(int(c.p), int(c.q)) for c in reversed(p.all_coeffs())]
    return flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator) for c in coeffs])


def _const(v: Fraction | int) -> Poly:
    v = Fraction(v)
    return flint.fmpq_poly([flint.fmpq(v.numerator, v.denominator)])


def _combine(terms: Sequence[tuple[Poly, Form]], const: Poly, n: int) -> Form:
    """``const + sum_t w_t * form_t`` as a form."""
    out = [flint.fmpq_poly([]) for _ in range(n)] + [const]
    for w, form in terms:
        if w.is_zero():
            continue
        for i, f in enumerate(form):
            out[i] = out[i] + w * f
    return tuple(out)


def _scale(form: Form, s: Fraction, shift: Fraction) -> Form:
    q = _const(s)
    out = [q * f for f in form]
    out[-1] = out[-1] + _const(shift)
    return tuple(out)


# -- the patterns -------------------------------------------------------------------------------


def _pieces(network: ResNet) -> list[tuple[Fraction | None, Fraction | None, Fraction, Fraction]]:
    act = network.activation
    if not (act.piecewise_linear and act.continuous and act.rational):
        raise ClaimError(
            f"box claims with a parameter in the weights are decided for continuous piecewise "
            f"linear activations with rational parameters, not {act.text}",
            hint="give the parameter a value",
        )

    def q(v: sympy.Expr) -> Fraction | None:
        return None if v.is_infinite else Fraction(int(v.p), int(v.q))

    return [(q(p.lo), q(p.hi), q(p.slope), q(p.intercept)) for p in act.pieces]  # type: ignore[misc]


def _matrices(network: ResNet, b: sympy.Symbol):
    W = [
        [[_poly(e, b, f"layers[{k}].W") for e in row] for row in w.tolist()]
        for k, w in enumerate(network.W, start=1)
    ]
    B = [[_poly(e, b, f"layers[{k}].B") for e in v] for k, v in enumerate(network.B, start=1)]
    V = {
        key: [[_poly(e, b, f"the skip V_{{{key[0]},{key[1]}}}") for e in row] for row in m.tolist()]
        for key, m in network.skips.items()
    }
    return W, B, V


def _patterns(network: ResNet, b: sympy.Symbol):
    """Every pattern's rows (forms ``<= 0``) and output forms."""
    n, L, dims = network.dims[0], network.L, network.dims
    pieces = _pieces(network)
    count = len(pieces) ** sum(dims[1:-1])
    if count > MAX_PATTERNS:
        raise ClaimError(
            f"the network has {count} activation patterns; box claims with a parameter in the "
            f"weights are decided for at most {MAX_PATTERNS}",
            hint="use a smaller network or give the parameter a value",
        )
    W, B, V = _matrices(network, b)
    zero, one = flint.fmpq_poly([]), _const(1)
    x0 = tuple((*(one if i == j else zero for i in range(n)), zero) for j in range(n))

    def layer(k: int, xs: list[tuple[Form, ...]], rows: list[Form]):
        terms_in = [(W[k - 1], xs[k - 1])] + [
            (V[(r, kk)], xs[r]) for (r, kk) in network.skips if kk == k
        ]
        z = [
            _combine(
                [(M[i][j], xv[j]) for M, xv in terms_in for j in range(len(xv))], B[k - 1][i], n
            )
            for i in range(dims[k])
        ]
        if k == L:
            yield rows, z
            return
        for choice in itertools.product(pieces, repeat=dims[k]):
            new_rows = list(rows)
            out = []
            for zi, (lo, hi, slope, intercept) in zip(z, choice, strict=True):
                if lo is not None:  # lo - z <= 0
                    new_rows.append(_scale(zi, Fraction(-1), lo))
                if hi is not None:  # z - hi <= 0
                    new_rows.append(_scale(zi, Fraction(1), -hi))
                out.append(_scale(zi, slope, intercept))
            yield from layer(k + 1, [*xs, tuple(out)], new_rows)

    yield from layer(1, [x0], [])


# -- candidate ends -----------------------------------------------------------------------------


def _det(rows: Sequence[Sequence[Poly]]) -> Poly:
    if len(rows) == 1:
        return rows[0][0]
    total = flint.fmpq_poly([])
    for j, head in enumerate(rows[0]):
        if head.is_zero():
            continue
        minor = _det([[*r[:j], *r[j + 1 :]] for r in rows[1:]])
        total = total + head * minor if j % 2 == 0 else total - head * minor
    return total


def _integer(p: Poly) -> list[int]:
    coeffs = [Fraction(int(c.p), int(c.q)) for c in p.coeffs()]
    den = math.lcm(*(c.denominator for c in coeffs))
    return [int(c * den) for c in coeffs]


def _candidate_polys(claim: BoxClaim, network: ResNet, b: sympy.Symbol) -> list[list[int]]:
    """The non-constant minors of every pattern's row matrix (module docstring, step 2)."""
    n = network.dims[0]
    if n > MAX_INPUTS:
        raise ClaimError(
            f"box claims with a parameter in the weights are decided for at most {MAX_INPUTS} "
            f"input coordinates (l_0 = {n})",
            hint="give the parameter a value",
        )
    box_rows = [
        (*(_const(a) for a in row), _const(-r))
        for row, r in zip(claim.box.A, claim.box.b, strict=True)
    ]
    home = (*(_const(0) for _ in range(n)), _const(1))
    ids: dict[tuple, int] = {}
    table: list[Form] = []

    def rid(form: Form) -> int:
        key = tuple(tuple(f.coeffs()) for f in form)
        if key not in ids:
            ids[key] = len(table)
            table.append(form)
        return ids[key]

    out: dict[tuple[int, ...], list[int]] = {}
    seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
    columns = [tuple(c) for k in range(1, n + 2) for c in itertools.combinations(range(n + 1), k)]
    for rows, z in _patterns(network, b):
        claim_rows = [_scale(f, Fraction(1), -y) for f, y in zip(z, claim.expected, strict=True)]
        pattern = sorted({rid(r) for r in [*box_rows, home, *rows, *claim_rows]})
        for k in range(1, n + 2):
            for subset in itertools.combinations(pattern, k):
                if all(all(f.degree() < 1 for f in table[i]) for i in subset):
                    continue  # a constant minor has no roots
                for cols in (c for c in columns if len(c) == k):
                    key = (subset, cols)
                    if key in seen:
                        continue
                    seen.add(key)
                    d = _det([[table[i][c] for c in cols] for i in subset])
                    if d.degree() >= 1:
                        coeffs = _integer(d)
                        out[tuple(coeffs)] = coeffs
    return list(out.values())


# -- deciding cells ------------------------------------------------------------------------------


def _z3_decide(claim: BoxClaim, network: ResNet, b: sympy.Symbol, r: RealNumber) -> bool | None:
    """The claim at the irrational ``r``, by z3's nlsat (module docstring, step 3)."""
    import z3  # noqa: PLC0415 (optional dependency)

    assert r.poly is not None
    s = z3.SolverFor("QF_NRA")
    s.set("timeout", 60_000)
    t = z3.Real(b.name)
    s.add(
        z3.Sum(*(c * t**i for i, c in enumerate(r.poly) if c), z3.RealVal(0)) == 0,
        t > rational(z3, r.lo),
        t < rational(z3, r.hi),
    )
    x0 = [z3.Real(f"x_{i}") for i in range(1, network.dims[0] + 1)]
    in_box, good = claim_terms(z3, claim, network_terms(z3, network, {b: t}, x0), x0)
    s.add(in_box, z3.Not(good) if claim.quantifier == "forall" else good)
    result = s.check()
    if result == z3.unknown:
        return None
    found = result == z3.sat
    return not found if claim.quantifier == "forall" else found


def decide_weights(
    claim: BoxClaim,
    network: ResNet,
    b: sympy.Symbol,
    *,
    lo: Fraction | None = None,
    hi: Fraction | None = None,
) -> WeightAnswer:
    """The exact set of values of ``b`` in ``[lo, hi]`` (``None``: unbounded) where ``claim``
    holds (module docstring)."""
    polys = _candidate_polys(claim, network, b)
    for e in (lo, hi):
        if e is not None:
            polys.append([-e.numerator, e.denominator])
    roots, _ = cells(polys)
    if lo is not None and lo == hi:
        roots = [RealNumber.rational(lo)]
    use_z3 = z3_available()
    low = None if lo is None else RealNumber.rational(lo)
    high = None if hi is None else RealNumber.rational(hi)

    def within(left: RealNumber | None, right: RealNumber | None) -> bool:
        """The cell from ``left`` to ``right`` (a point when equal) lies in ``[lo, hi]``."""
        above = low is None or (left is not None and not left < low)
        below = high is None or (right is not None and not high < right)
        return above and below

    found: list[Cell] = []
    truth: list[bool] = []
    bounds: list[RealNumber | None] = [None, *roots, None]
    for i in range(len(roots) + 1):
        left, right = bounds[i], bounds[i + 1]
        if within(left, right):
            q = simplest_rational(
                None if left is None else left.hi, None if right is None else right.lo
            )
            bv = decide_box(claim, substitute(network, {b: to_rational(q)}))
            found.append(Cell(Span(left, right), bool(bv.holds), "box", q, bv))
            truth.append(bool(bv.holds))
        else:
            truth.append(False)
        if i == len(roots):
            break
        r = roots[i]
        if not within(r, r):
            truth.append(False)
        elif r.is_rational:
            bv = decide_box(claim, substitute(network, {b: to_rational(r.value)}))
            found.append(Cell(Span(r, r, True, True), bool(bv.holds), "box", r.value, bv))
            truth.append(bool(bv.holds))
        else:
            h = _z3_decide(claim, network, b, r) if use_z3 else None
            found.append(Cell(Span(r, r, True, True), h, "z3" if use_z3 else "none"))
            truth.append(bool(h))
    # ends: the roots where the truth changes, or that bound the domain
    return WeightAnswer(RealSet.from_cells(truth, roots), tuple(roots), tuple(found))
