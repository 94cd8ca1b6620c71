"""Box claims on a network with one real parameter (docs/parameters.md).

For which values of the parameter ``b`` does ``forall`` / ``exists`` ``x`` in a box:
``R(x; b) ~ y`` hold?  Decided exactly when ``b`` enters only the biases ``B_k``, affinely
(``B_k = B_k^0 + b c_k``), and the activation is continuous and piecewise linear:

1. ``b`` becomes an extra input coordinate: the network ``Phi'`` with ``x_0' = (x_0, b)``,
   ``W_1' = (W_1 | c_1)`` and, for ``k >= 2``, the skip ``V_{0,k}' = (V_{0,k} | c_k)`` has
   ``R(Phi')(x, b) = R(x; b)`` (Def. 1.5.4: ``z_k`` gains the term ``c_k b``).
2. The exact regions of ``Phi'`` over ``box x [min, max]`` (an unbounded parameter gives an
   unbounded polyhedron; :mod:`symresnet.compute.regions`) are closed polyhedra ``P`` on which
   ``R = C (x, b) + d``.
3. The claim at ``b`` is a boolean combination of "some ``x`` with ``(x, b)`` in ``P``
   satisfies ``f_j ~ y_j``" (one coordinate for a violation of ``forall``, all of them for
   ``exists``).  Each such set of ``b`` is the projection of a convex set whose closure is
   ``P`` with closed rows ``f_j >= y_j`` / ``f_j <= y_j``, so it is an interval whose ends are
   the exact LP minimum and maximum of ``b`` over that closed polyhedron.  Hence the truth of
   the claim is constant between consecutive *candidate ends*.
4. The claim is then decided, by the non-parametric exact box decider
   (:func:`~symresnet.claims.box_decide.decide_box`) on the network with ``b`` substituted, at
   every candidate end and at one rational point of every open interval between them (and of
   each unbounded tail): that decides it on the whole line.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import sympy

from symresnet.base.errors import ClaimError
from symresnet.base.printing import Printable
from symresnet.claims.box_decide import decide_box
from symresnet.claims.box_verdict import BoxVerdict
from symresnet.claims.parameter_extremum import ExtremumFunction, extremum_function
from symresnet.claims.parameter_weights import Cell, decide_weights
from symresnet.claims.verdict import Status
from symresnet.compute.linear_region import Progress
from symresnet.compute.polyhedra import Polyhedron
from symresnet.compute.regions import decompose
from symresnet.model.network import ResNet
from symresnet.model.parameters import substitute
from symresnet.solve import lp
from symresnet.solve.conditions import Constraint, conjunction_relational
from symresnet.solve.realsets import RealNumber, RealSet, Span
from symresnet.values.rationals import to_rational

if TYPE_CHECKING:  # pragma: no cover (box imports this module)
    from symresnet.claims.box import BoxClaim

__all__ = [
    "ParameterBoxVerdict",
    "Sample",
    "decide_parameter_box",
    "declared_bound",
    "parameter_network",
]


@dataclasses.dataclass(frozen=True)
class Sample:
    """The exact box verdict at one rational parameter value."""

    value: Fraction
    verdict: BoxVerdict
    #: several parameters: the values of all of them, in the order of ``Several.symbols``
    #: (``value`` is the first)
    point: tuple[Fraction, ...] = ()

    @property
    def holds(self) -> bool:
        return bool(self.verdict.holds)


@dataclasses.dataclass(frozen=True)
class Several:
    """The answer for several parameters (:mod:`symresnet.claims.parameter_several`).

    ``condition``: where the claim holds, a disjunction of conjunctions of constraints in the
    parameters (``()``: nowhere, ``((),)``: everywhere in the bounds), ``None`` when not
    computed; ``status``; ``method`` (``"lp"``, ``"z3"`` or ``"none"``); ``note``: the exact
    condition when the answer is undecided (``sympy.parse_expr``-readable, in the input
    coordinates ``x_1, ...``, to hold for every / some ``x`` in the box)."""

    symbols: tuple[sympy.Symbol, ...]
    condition: tuple[tuple[Constraint, ...], ...] | None
    status: Status
    method: str
    note: str = ""

    @property
    def when(self) -> sympy.Basic | None:
        if self.condition is None:
            return None
        return sympy.Or(*(conjunction_relational(c) for c in self.condition))


@dataclasses.dataclass(frozen=True)
class ParameterBoxVerdict(Printable):
    """The exact set of parameter values where a box claim holds, with its evidence.

    ``breakpoints``: the candidate ends (sorted); ``samples``: the decisions at each end and at
    one point of each interval between them, in increasing order of the parameter.
    """

    kind: ClassVar[str] = "parameter-box"

    claim: BoxClaim
    symbol: sympy.Symbol
    set: RealSet
    breakpoints: tuple[Fraction, ...]
    samples: tuple[Sample, ...]
    domain: tuple[Fraction | None, Fraction | None]
    #: a parameter in the weights (:mod:`symresnet.claims.parameter_weights`): every candidate
    #: end (exact real algebraic numbers; ``breakpoints`` holds the rational ones) and every
    #: cell of the line with its decision, in increasing order
    ends: tuple[RealNumber, ...] = ()
    cells: tuple[Cell, ...] = ()
    #: the parameter in the biases: the claim's extrema over the box (``max`` for ``<=``/``<``,
    #: ``min`` for ``>=``/``>``, both for ``=``) of every output coordinate, as exact piecewise
    #: affine functions of the parameter (:mod:`symresnet.claims.parameter_extremum`)
    extrema: tuple[ExtremumFunction, ...] = ()
    #: several parameters: the condition on them (``symbol`` is the first, ``set`` unused)
    several: Several | None = None

    @property
    def undecided(self) -> RealSet:
        """The cells whose answer is not known (z3 missing or *unknown* at an irrational end)."""
        return RealSet(tuple(c.part for c in self.cells if c.holds is None))

    @property
    def holds(self) -> bool | None:
        if self.several is not None:
            return {"holds": True, "fails": False}.get(self.several.status)
        answers = [c.holds for c in self.cells] if self.cells else [s.holds for s in self.samples]
        if None in answers:
            return None
        return True if all(answers) else False if not any(answers) else None

    @property
    def status(self) -> Status:
        if self.several is not None:
            return self.several.status
        h = self.holds
        if h is None and self.cells and any(c.holds is None for c in self.cells):
            return "undecided"
        return "holds" if h is True else "fails" if h is False else "depends"

    @property
    def witness(self) -> Sample | None:
        """The simplest decided value where the claim holds (least denominator, then least
        absolute value)."""
        return _simplest(s for s in self.samples if s.holds)

    @property
    def counterexample(self) -> Sample | None:
        """The simplest decided value where the claim fails."""
        return _simplest(s for s in self.samples if not s.holds)

    @property
    def when(self) -> sympy.Basic | None:
        if self.several is not None:
            return self.several.when
        return self.set.relational(self.symbol)

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        return self.several.symbols if self.several is not None else (self.symbol,)


def _simplest(samples: Iterable[Sample]) -> Sample | None:
    def key(s: Sample) -> tuple:
        values = s.point or (s.value,)
        return (max(v.denominator for v in values), sum(abs(v) for v in values), values)

    return min(samples, key=key, default=None)


def parameter_network(network: ResNet, b: sympy.Symbol) -> ResNet:
    """``Phi'`` of the module docstring: ``b`` as the last input coordinate."""
    return parameters_network(network, (b,))


def parameters_network(network: ResNet, symbols: Sequence[sympy.Symbol]) -> ResNet:
    """``Phi'`` of the module docstring for several parameters: they become the last input
    coordinates, in order (each must enter only the biases, affinely)."""
    for b in symbols:
        for k, w in enumerate(network.W, start=1):
            if w.has(b):
                raise ClaimError(
                    f"layers[{k}].W holds the parameter {b}: box claims with several "
                    "parameters are decided when they enter only the biases B_k",
                    hint="give the parameter a value (symresnet study sweeps it)",
                )
        for (r, k), v in network.skips.items():
            if v.has(b):
                raise ClaimError(
                    f"the skip V_{{{r},{k}}} holds the parameter {b}: box claims with several "
                    "parameters are decided when they enter only the biases B_k",
                    hint="give the parameter a value (symresnet study sweeps it)",
                )
    l0 = network.dims[0]
    W = [w.tolist() for w in network.W]
    B: list[list[Any]] = []
    skips = {key: v.tolist() for key, v in network.skips.items()}
    for k, bias in enumerate(network.B, start=1):
        parts = [_affine_in(e, symbols, f"layers[{k}].B") for e in bias]
        B.append([c0 for c0, _ in parts])
        cols = [c1 for _, c1 in parts]  # per entry: the coefficients of the symbols
        if k == 1:
            W[0] = [[*row, *c] for row, c in zip(W[0], cols, strict=True)]
        elif (0, k) in skips:
            skips[(0, k)] = [[*row, *c] for row, c in zip(skips[(0, k)], cols, strict=True)]
        elif any(any(c) for c in cols):
            skips[(0, k)] = [[*([0] * l0), *c] for c in cols]
    return ResNet(W=W, B=B, skips=skips, activation=network.activation)


def _affine_in(
    entry: sympy.Expr, symbols: Sequence[sympy.Symbol], place: str
) -> tuple[Fraction, list[Fraction]]:
    """``entry = c0 + sum_i c_i symbols[i]`` with rationals, or a ClaimError."""
    e = sympy.expand(entry)
    coeffs = [e.coeff(b, 1) for b in symbols]
    c0 = sympy.expand(e - sum((c * b for c, b in zip(coeffs, symbols, strict=True)), sympy.S.Zero))
    if not (c0.is_Rational and all(c.is_Rational for c in coeffs)):
        raise ClaimError(
            f"{place} holds {entry}: box claims with a parameter are decided when the parameter "
            "enters the biases affinely with rational coefficients",
            hint="give the parameter a value (symresnet study sweeps it)",
        )
    return Fraction(int(c0.p), int(c0.q)), [Fraction(int(c.p), int(c.q)) for c in coeffs]


def _rows(claim: BoxClaim, n: int, lo: Fraction | None, hi: Fraction | None):
    A: list[list[Fraction]] = [[*row, Fraction(0)] for row in claim.box.A]
    rhs: list[Fraction] = list(claim.box.b)
    e = [Fraction(0)] * n + [Fraction(1)]
    if lo is not None:
        A.append([-v for v in e])
        rhs.append(-lo)
    if hi is not None:
        A.append(list(e))
        rhs.append(hi)
    return A, rhs


def _ends(A, rhs, n: int) -> list[Fraction]:
    """The finite LP minimum and maximum of the parameter over ``A z <= rhs``."""
    e = [Fraction(0)] * n + [Fraction(1)]
    out = []
    for res in (lp.minimize(e, A, rhs), lp.maximize(e, A, rhs)):
        if res.status == "optimal" and res.value is not None:
            out.append(res.value)
    return out


def declared_bound(p: Any, which: str) -> Fraction | None:
    """The declared ``min`` or ``max`` (``which``) of the parameter ``p`` as a Fraction;
    ``None`` when there is none or it is infinite.  Specs give sympy Rationals, the API may give
    ints or Fractions; anything else (an irrational, a float) is refused, never approximated."""
    v = getattr(p, which, None) if p is not None else None
    if isinstance(v, int | Fraction):
        return Fraction(v)
    if v is None or v.is_infinite:
        return None
    if not v.is_Rational:
        raise ClaimError(f"the parameter's {which} {v} must be rational for a box claim")
    return Fraction(int(v.p), int(v.q))


def _between(lo: Fraction, hi: Fraction) -> Fraction:
    """A simple rational strictly between ``lo < hi``: an integer if there is one."""
    k = math.floor(lo) + 1
    return Fraction(k) if k < hi else (lo + hi) / 2


def decide_parameter_box(
    claim: BoxClaim,
    network: ResNet,
    *,
    bounds: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> ParameterBoxVerdict:
    """The exact set of values of the network's one parameter where ``claim`` holds
    (module docstring)."""
    symbols = sorted(network.free_symbols, key=lambda s: s.name)
    if len(symbols) != 1:
        raise ClaimError(
            "box claims are decided for networks with at most one parameter; this one has "
            + ", ".join(s.name for s in symbols),
            hint="give the other parameters values",
        )
    b = symbols[0]
    p = (bounds or {}).get(b.name)
    lo, hi = declared_bound(p, "min"), declared_bound(p, "max")
    if lo is not None and hi is not None and lo > hi:
        raise ClaimError(f"the parameter {b} has min {lo} > max {hi}")
    if not _in_biases_affinely(network, b):
        return _weights_verdict(claim, network, b, lo, hi)
    aug = parameter_network(network, b)
    n = network.dims[0]
    A0, r0 = _rows(claim, n, lo, hi)
    domain = Polyhedron.from_inequalities(A0, r0)
    extrema: list[ExtremumFunction] = []
    if lo is not None and lo == hi:
        candidates: set[Fraction] = {lo}
    else:
        dec = decompose(aug, domain, method="lp", progress=progress)
        if dec.partition:
            raise ClaimError(
                "box claims with a parameter are decided for continuous activations",
                hint="give the parameter a value",
            )
        candidates = set()
        for piece in dec.pieces:
            A, rhs = [list(r) for r in piece.A], list(piece.b)
            joint_A, joint_r = list(A), list(rhs)
            for j, y in enumerate(claim.expected):
                c, d = list(piece.C[j]), piece.d[j]
                ge = ([-v for v in c], d - y)  # f_j >= y
                le = (c, y - d)  # f_j <= y
                for row, r in (ge, le):
                    candidates.update(_ends([*A, row], [*rhs, r], n))
                if claim.relation.value in ("at_least", "greater"):
                    joint_A.append(ge[0])
                    joint_r.append(ge[1])
                elif claim.relation.value in ("at_most", "less"):
                    joint_A.append(le[0])
                    joint_r.append(le[1])
                else:
                    joint_A += [ge[0], le[0]]
                    joint_r += [ge[1], le[1]]
            candidates.update(_ends(joint_A, joint_r, n))
        if lo is not None:
            candidates.add(lo)
        if hi is not None:
            candidates.add(hi)
        extrema = [
            extremum_function(dec, side=side, coordinate=j, lo=lo, hi=hi)
            for j in range(len(claim.expected))
            for side in _SIDES[claim.relation.value]
        ]
    ends = sorted(candidates)
    points: list[tuple[str, Fraction]] = []  # ("point" | "open", sample)
    if not ends:
        points.append(("open", Fraction(0)))
    else:
        if lo is None:
            points.append(("open", Fraction(_floor(ends[0]) - 1)))
        for i, e in enumerate(ends):
            points.append(("point", e))
            if i + 1 < len(ends):
                points.append(("open", _between(e, ends[i + 1])))
        if hi is None:
            points.append(("open", Fraction(_floor(ends[-1]) + 1)))
    samples = tuple(
        Sample(v, decide_box(claim, substitute(network, {b: to_rational(v)}))) for _, v in points
    )
    spans = _spans(points, samples, ends)
    return ParameterBoxVerdict(
        claim, b, RealSet(tuple(spans)), tuple(ends), samples, (lo, hi), extrema=tuple(extrema)
    )


#: the extrema a relation is about
_SIDES: dict[str, tuple[Literal["min", "max"], ...]] = {
    "at_most": ("max",),
    "less": ("max",),
    "at_least": ("min",),
    "greater": ("min",),
    "equals": ("min", "max"),
}


def _in_biases_affinely(network: ResNet, b: sympy.Symbol) -> bool:
    """``b`` enters only the biases, each entry affine in ``b`` with rational coefficients."""
    if any(w.has(b) for w in network.W) or any(v.has(b) for v in network.skips.values()):
        return False
    for bias in network.B:
        for e in bias:
            e = sympy.expand(e)
            c1 = e.coeff(b, 1)
            if not (c1.is_Rational and sympy.expand(e - c1 * b).is_Rational):
                return False
    return True


def _weights_verdict(claim, network, b, lo, hi) -> ParameterBoxVerdict:
    """A parameter in the weights (or not affine in the biases): the exact method of
    :mod:`symresnet.claims.parameter_weights`."""
    answer = decide_weights(claim, network, b, lo=lo, hi=hi)
    samples = tuple(
        Sample(c.sample, c.verdict)
        for c in answer.cells
        if c.sample is not None and c.verdict is not None
    )
    rational = tuple(e.value for e in answer.ends if e.is_rational)
    return ParameterBoxVerdict(
        claim, b, answer.set, rational, samples, (lo, hi), answer.ends, answer.cells
    )


def _floor(x: Fraction) -> int:
    return x.numerator // x.denominator


def _spans(points, samples, ends) -> list[Span]:
    """Merge the decided pieces (points and the open intervals between them) into spans."""
    # piece i: ("point", e) covers {e}; ("open", s) covers the open interval around s
    pieces: list[tuple[Fraction | None, Fraction | None, bool]] = []  # lo, hi, holds
    for (kind, v), sample in zip(points, samples, strict=True):
        if kind == "point":
            pieces.append((v, v, sample.holds))
        else:
            left = max((e for e in ends if e < v), default=None)
            right = min((e for e in ends if e > v), default=None)
            pieces.append((left, right, sample.holds))
    spans: list[Span] = []
    cur: list[Any] | None = None  # [lo, hi, lo_closed, hi_closed]
    for (kind, _), (a, z, ok) in zip(points, pieces, strict=True):
        closed = kind == "point"
        if ok:
            if cur is None:
                cur = [a, z, closed, closed]
            else:
                cur[1], cur[3] = z, closed
        elif cur is not None:
            spans.append(_span(*cur))
            cur = None
    if cur is not None:
        spans.append(_span(*cur))
    return spans


def _span(a, z, a_closed, z_closed) -> Span:
    return Span(
        None if a is None else RealNumber.rational(a),
        None if z is None else RealNumber.rational(z),
        a_closed,
        z_closed,
    )
