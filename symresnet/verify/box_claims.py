"""Box claims of ordinary specs decided by the verification engine (docs/verification.md,
"Box claims").

A ``forall`` claim ``R_j(x) ~ y_j`` for every ``x`` in the box and every output ``j`` (``~``
one of ``<=``, ``<``, ``>=``, ``>``; :class:`~symresnet.claims.box.BoxClaim`) is false exactly
when its *violation* has a point: some ``j`` with ``R_j(x) > y_j`` (for ``<=``), ``>= y_j``
(``<``), ``< y_j`` (``>=``) or ``<= y_j`` (``>``).  :func:`box_property` writes the violation as
a :class:`~symresnet.verify.property.Property` (one case per output, all on the claim's box), in
the property's non-strict form ``c . y <= d``:

* ``<``: violation ``R_j >= y_j``, i.e. ``-R_j <= -y_j`` -- exact;
* ``>``: violation ``R_j <= y_j`` -- exact;
* ``<=``: the property ``R_j >= y_j`` is *larger* than the violation ``R_j > y_j``.  ``unsat``
  proves ``R_j < y_j`` everywhere, so the claim holds; a point with ``R_j > y_j`` exactly is a
  counterexample; a point with ``R_j = y_j`` (a tight claim, ``max R_j = y_j``) is none, and the
  claim is left to the exact region engine;
* ``>=``: the same with the sides exchanged.

``equals`` is not routed (a constant output cannot be refuted with a margin).  An ``exists``
claim is the violation of ``forall not``: one case whose constraints say ``R ~ y`` for every
output; ``sat`` gives a witness (checked strictly for ``<``/``>``), ``unsat`` proves that there
is none.

:func:`decide_box_verified` answers with a :class:`VerifiedBoxVerdict` -- ``holds`` from a
certificate the exact checker accepted, or an exact counterexample / witness re-checked by
the exact realization -- or ``None`` when the engine gives no exact answer (tight claim,
``unknown``, ``timeout``): the caller then uses the region engine.  :func:`decide_claim` is the
dispatch of ``symresnet check --engine`` (:data:`ENGINES`); :func:`routes` says when ``auto``
tries this engine first (:data:`MIN_INPUTS`, :data:`MIN_NEURONS`, measured by
``benchmarks/box_verify_bench.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, ClassVar

from symresnet.base.errors import InputError
from symresnet.base.printing import Printable
from symresnet.claims.box import BoxClaim
from symresnet.claims.box_verdict import PointValue
from symresnet.claims.spec import decide
from symresnet.claims.verdict import Claim, Outcome, Status
from symresnet.compute.linear_region import Progress
from symresnet.model.network import ResNet
from symresnet.values.limits import DEFAULT_LIMITS, Limits
from symresnet.values.relations import Relation
from symresnet.verify.engine import verify
from symresnet.verify.property import Case, OutputConstraint, Property

__all__ = [
    "ENGINES",
    "MIN_INPUTS",
    "MIN_NEURONS",
    "TIMEOUT_PER_NEURON",
    "VerifiedBoxVerdict",
    "box_property",
    "budget",
    "decide_box_verified",
    "decide_claim",
    "routes",
]

#: ``regions``: the exact region engine always; ``verify``: this engine first for every
#: routable claim; ``auto``: this engine first when :func:`routes` says so
ENGINES = ("auto", "regions", "verify")
#: ``auto`` routes box claims with at least this many inputs ...
MIN_INPUTS = 3
#: ... and at least this many hidden ReLU neurons (benchmarks/box_verify_bench.py)
MIN_NEURONS = 12
#: seconds the verification engine may take per hidden neuron (at least two seconds) before
#: the region engine decides instead: a tight claim at an isolated maximum costs this much
TIMEOUT_PER_NEURON = 0.25

_ROUTED = (Relation.AT_MOST, Relation.LESS, Relation.AT_LEAST, Relation.GREATER)


@dataclasses.dataclass(frozen=True)
class VerifiedBoxVerdict(Printable):
    """The exact verdict on a box claim found by the verification engine: ``holds`` with a
    checked certificate (``leaves`` leaves of the split tree) or the exact ``counterexample``
    (``forall``) / ``witness`` (``exists``), re-checked by the exact realization.  It carries no
    extrema (the engine proves bounds with a margin; it does not find the maximum): ``symresnet
    check --engine regions`` gives those."""

    claim: BoxClaim
    holds: bool
    counterexample: PointValue | None = None
    witness: PointValue | None = None
    leaves: int = 0
    certificate: Mapping[str, Any] | None = None
    seconds: float = 0.0

    engine: ClassVar[str] = "verify"

    @property
    def status(self) -> Status:
        return "holds" if self.holds else "fails"


def _row(j: int, m: int, s: int) -> tuple[Fraction, ...]:
    return tuple(Fraction(s if t == j else 0) for t in range(m))


def _constraint(j: int, m: int, y: Fraction, *, below: bool) -> OutputConstraint:
    """``R_j <= y`` (``below``) or ``R_j >= y`` as a row ``c . R <= d``."""
    return OutputConstraint(_row(j, m, 1), y) if below else OutputConstraint(_row(j, m, -1), -y)


def box_property(claim: BoxClaim, m: int) -> Property | None:
    """The property whose ``unsat`` proves ``claim`` (``forall``) or refutes it (``exists``),
    for ``m`` outputs (module docstring); ``None`` for ``equals``."""
    if claim.relation not in _ROUTED:
        return None
    lo = tuple(a for a, _ in claim.bounds)
    hi = tuple(b for _, b in claim.bounds)
    upper = claim.relation in (Relation.AT_MOST, Relation.LESS)  # the claim bounds R above
    y = claim.expected
    if claim.quantifier == "forall":  # the violation: some output beyond its bound
        cases = tuple(Case(lo, hi, (_constraint(j, m, y[j], below=not upper),)) for j in range(m))
    else:  # a witness: every output within its bound
        cases = (Case(lo, hi, tuple(_constraint(j, m, y[j], below=upper) for j in range(m))),)
    return Property(len(lo), m, cases, source=claim.label or "box claim")


def _network_size(network: ResNet) -> int:
    return sum(network.dims[1:-1])


def budget(network: ResNet) -> float:
    """Seconds the verification engine gets before the region engine decides instead."""
    return max(2.0, TIMEOUT_PER_NEURON * _network_size(network))


def routes(claim: Claim, network: ResNet) -> bool:
    """``auto`` tries the verification engine first: a box claim (not ``equals``) on a ReLU
    network without parameters with at least :data:`MIN_INPUTS` inputs and
    :data:`MIN_NEURONS` hidden neurons."""
    return (
        _routable(claim, network)
        and network.dims[0] >= MIN_INPUTS
        and _network_size(network) >= MIN_NEURONS
    )


def _routable(claim: Claim, network: ResNet) -> bool:
    return (
        isinstance(claim, BoxClaim)
        and claim.relation in _ROUTED
        and not network.free_symbols
        and network.activation.name == "relu"
    )


def decide_box_verified(
    claim: BoxClaim, network: ResNet, *, timeout: float | None = None
) -> VerifiedBoxVerdict | None:
    """The exact verdict by the verification engine, or ``None`` when it has none (module
    docstring): a tight claim, ``unknown``, ``timeout``, or a network it does not take."""
    if not _routable(claim, network):
        return None
    prop = box_property(claim, network.dims[-1])
    assert prop is not None
    try:
        result = verify(network, prop, timeout=timeout or budget(network))
    except InputError:  # irrational weights and the like: the region engine says what to do
        return None
    seconds = result.search_seconds + result.check_seconds
    forall = claim.quantifier == "forall"
    if result.status == "unsat" and result.checked:
        return VerifiedBoxVerdict(
            claim, forall, leaves=result.leaves, certificate=result.certificate, seconds=seconds
        )
    found = result.counterexample
    if result.status != "sat" or found is None:
        return None
    point = PointValue(tuple(found.x), tuple(found.y))
    if not all(a <= v <= b for v, (a, b) in zip(point.input, claim.bounds, strict=True)):
        raise AssertionError("the verification engine's point lies outside the box")
    relation = Relation(claim.relation)
    meets = [relation.holds(v, t) for v, t in zip(point.value, claim.expected, strict=True)]
    if forall and not all(meets):  # the point violates the claim exactly
        return VerifiedBoxVerdict(
            claim, False, counterexample=point, certificate=result.certificate, seconds=seconds
        )
    if not forall and all(meets):  # the point is a witness exactly
        return VerifiedBoxVerdict(
            claim, True, witness=point, certificate=result.certificate, seconds=seconds
        )
    return None  # a tight point (R_j = y_j): not a counterexample; the region engine decides


def decide_claim(
    claim: Claim,
    network: ResNet,
    *,
    engine: str = "auto",
    limits: Limits = DEFAULT_LIMITS,
    bounds: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> Outcome:
    """Decide ``claim`` with ``engine`` (:data:`ENGINES`): the verification engine first where
    ``engine`` says so and it has an exact answer, else
    :func:`symresnet.claims.spec.decide` (the region engine for box claims); ``timeout``
    (default :func:`budget`) bounds the verification engine's try."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    tried = engine == "verify" or (engine == "auto" and routes(claim, network))
    if tried and isinstance(claim, BoxClaim):
        verdict = decide_box_verified(claim, network, timeout=timeout)
        if verdict is not None:
            return verdict
    return decide(claim, network, limits=limits, bounds=bounds, progress=progress)
