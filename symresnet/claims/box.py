"""Quantified claims over input boxes: the claim, building it, and checking it.

A box claim states ``for all x in [lo_1, hi_1] x ... x [lo_n, hi_n]: R(x) ~ y`` (``forall``)
or ``there is such an x with R(x) ~ y`` (``exists``), for a relation ``~`` of
:class:`~symresnet.values.relations.Relation`, componentwise for vector outputs; ``R = R^R_a(Phi, V)``
(Def. 1.5.4) with a piecewise-linear activation.

:class:`BoxClaim` is the claim, :func:`box_claim` builds one from user-written entries (exact
rationals) and :func:`check_box` builds and decides one.  Claims are decided exactly on the
linear regions by :func:`symresnet.claims.box_decide.decide_box`; the verdict and its evidence
are the types of :mod:`symresnet.claims.box_verdict`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, ClassVar

import sympy

from symresnet.base.errors import ClaimError, InputError
from symresnet.claims.box_decide import decide_box
from symresnet.claims.box_verdict import BoxVerdict
from symresnet.claims.parameter_box import ParameterBoxVerdict, decide_parameter_box
from symresnet.claims.parameter_several import decide_several
from symresnet.claims.point import one_relation
from symresnet.claims.verdict import ClaimKind, RelationClaim
from symresnet.compute.linear_region import Progress
from symresnet.compute.polyhedra import Polyhedron, interval_count_error
from symresnet.model.network import ResNet
from symresnet.values.exact import exact
from symresnet.values.limits import DEFAULT_LIMITS, Limits
from symresnet.values.relations import Relation
from symresnet.values.relations import relation as as_relation

__all__ = ["QUANTIFIERS", "BoxClaim", "box_claim", "check_box"]

QUANTIFIERS = ("forall", "exists")


@dataclasses.dataclass(frozen=True)
class BoxClaim(RelationClaim):
    """``forall`` / ``exists`` ``x`` in ``box``: ``R(x) <relation> expected`` (componentwise)."""

    kind: ClassVar[ClaimKind] = "box"

    quantifier: str
    box: Polyhedron
    relation: Relation
    expected: tuple[Fraction, ...]
    label: str | None = None

    def decide(
        self,
        network: ResNet,
        *,
        limits: Limits = DEFAULT_LIMITS,
        bounds: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> BoxVerdict | ParameterBoxVerdict:
        """Decide the claim exactly on the linear regions of ``network``
        (:func:`~symresnet.claims.box_decide.decide_box`); with a parameter, the exact set of
        its values where the claim holds (:mod:`symresnet.claims.parameter_box`)."""
        if len(network.free_symbols) > 1:
            return decide_several(self, network, bounds=bounds, progress=progress)
        if network.free_symbols:
            return decide_parameter_box(self, network, bounds=bounds, progress=progress)
        return decide_box(self, network, progress=progress)

    @property
    def bounds(self) -> tuple[tuple[Fraction, Fraction], ...]:
        assert self.box.bounds is not None
        return self.box.bounds


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
            f"expected {m} entr{'ies' if m != 1 else 'y'} (l_L = {m}), got {len(values)}",
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


# -- checking ------------------------------------------------------------------------------------


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
) -> BoxVerdict | ParameterBoxVerdict:
    """Decide ``forall``/``exists`` ``x`` in a box: ``R(x) ~ y`` exactly (one relation); on a
    network with parameters, for which values it holds (:class:`ParameterBoxVerdict`).

    Example::

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
    if network.free_symbols:  # the exact set (or condition) of parameter values
        return claim.decide(network, progress=progress)
    return decide_box(claim, network, progress=progress)
