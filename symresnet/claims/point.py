"""Claims about a realization and their exact verdicts.

A point claim states ``(R^R_a(Phi, V))(x_0) ~ y`` for a relation ``~`` (``equals``, ``at_least``,
``at_most``, ``greater``, ``less``; componentwise for vector outputs), like Exercise 1.5.1's
(1.161) ``R(Phi, V)(-1) = 0``.  :func:`check` decides it exactly and reports the true value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

import sympy

from symresnet.base.errors import ClaimError
from symresnet.claims.parameter import parameter_verdict
from symresnet.claims.verdict import ClaimKind, RelationClaim, Verdict
from symresnet.compute.linear_region import Progress
from symresnet.compute.realization import Trace, as_input, realize
from symresnet.model.network import ResNet
from symresnet.values.intervals import MAX_PRECISION
from symresnet.values.limits import DEFAULT_LIMITS, Limits
from symresnet.values.relations import Relation, compare
from symresnet.values.relations import relation as as_relation

__all__ = [
    "ParameterClaim",
    "PointClaim",
    "check",
    "claim",
    "one_relation",
    "verdict_at",
]


@dataclasses.dataclass(frozen=True)
class PointClaim(RelationClaim):
    """``(R(Phi, V))(input) <relation> expected``; ``label`` names it in text (``"1.161"``)."""

    kind: ClassVar[ClaimKind] = "point"

    input: sympy.ImmutableMatrix
    expected: sympy.ImmutableMatrix
    relation: Relation = Relation.EQUALS
    label: str | None = None

    def decide(
        self,
        network: ResNet,
        *,
        limits: Limits = DEFAULT_LIMITS,
        bounds: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> Verdict:
        """Realize ``network`` at the input (Def. 1.5.4) and decide the claim exactly (one
        realization: nothing long enough to report to ``progress``)."""
        return verdict_at(self, realize(network, self.input, limits=limits), bounds=bounds)


@dataclasses.dataclass(frozen=True)
class ParameterClaim(PointClaim):
    """A point claim about a network, input or value with Symbols: its verdict is the exact set
    of parameter values for which it holds (:func:`symresnet.claims.parameter.study`)."""

    kind: ClassVar[ClaimKind] = "parameter"


def verdict_at(
    point_claim: PointClaim, trace: Trace, *, bounds: Mapping[str, Any] | None = None
) -> Verdict:
    """The :class:`Verdict` on ``point_claim`` given the realization ``trace`` at its input.

    With free symbols the claim is a parameter study (:func:`symresnet.claims.parameter.study`;
    ``bounds`` maps parameter names to spec ``Parameter`` s or ``(min, max)`` pairs).
    """
    if trace.free_symbols or point_claim.expected.free_symbols:
        return parameter_verdict(point_claim, trace, bounds=bounds)
    parts = tuple(
        compare(point_claim.relation, v, e)
        for v, e in zip(trace.output, point_claim.expected, strict=True)
    )
    if all(p is True for p in parts):
        return Verdict(point_claim, trace, "holds", parts)
    if any(p is False for p in parts):
        return Verdict(point_claim, trace, "fails", parts)
    return Verdict(
        point_claim,
        trace,
        "undecided",
        parts,
        note=(
            f"no interval of up to {MAX_PRECISION} bits excludes 0 from the difference, and "
            "sympy proves no equality"
        ),
    )


def claim(
    network: ResNet,
    *,
    input: object,
    relation: str = "equals",
    expected: object,
    label: str | None = None,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> PointClaim:
    """Build a :class:`PointClaim` (a :class:`ParameterClaim` when the network, the input or
    the value has Symbols), checking lengths against ``l_0`` and ``l_L``."""
    rel = as_relation(relation)
    x0 = as_input(input, network.dims[0], names=names, limits=limits, place="input")
    y = as_input(expected, network.dims[-1], names=names, limits=limits, place=rel, dimension="l_L")
    symbolic = network.free_symbols or x0.free_symbols or y.free_symbols
    kind = ParameterClaim if symbolic else PointClaim
    return kind(input=x0, expected=y, relation=rel, label=label)


def one_relation(**given: object) -> tuple[str, object]:
    """The one ``(relation, expected)`` among keyword arguments that are not ``None``."""
    chosen = {k: v for k, v in given.items() if v is not None}
    if len(chosen) != 1:
        raise ClaimError(
            "a claim needs exactly one of equals, at_least, at_most, greater, less; "
            f"got {', '.join(chosen) or 'none'}"
        )
    ((relation, expected),) = chosen.items()
    return relation, expected


def check(
    network: ResNet,
    *,
    input: object,
    equals: object | None = None,
    at_least: object | None = None,
    at_most: object | None = None,
    greater: object | None = None,
    less: object | None = None,
    label: str | None = None,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    bounds: Mapping[Any, Any] | None = None,
) -> Verdict:
    """Decide the point claim ``(R(Phi, V))(input) ~ y`` exactly (exactly one relation given).

    With Symbols in the network, input or value the verdict is a parameter study: ``status``
    ``"depends"`` with the exact condition ``when`` (``bounds``: ``{"a": (min, max)}``).
    """
    relation, expected = one_relation(
        equals=equals, at_least=at_least, at_most=at_most, greater=greater, less=less
    )
    pc = claim(
        network,
        input=input,
        relation=relation,
        expected=expected,
        label=label,
        names=names,
        limits=limits,
    )
    return verdict_at(pc, realize(network, pc.input, limits=limits), bounds=bounds)
