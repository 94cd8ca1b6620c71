"""Claims about a realization and their exact verdicts.

A point claim states ``(R^R_a(Phi, V))(x_0) ~ y`` for a relation ``~`` (``equals``, ``at_least``,
``at_most``, ``greater``, ``less``; componentwise for vector outputs), like Exercise 1.5.1's
(1.161) ``R(Phi, V)(-1) = 0``.  :func:`check` decides it exactly and reports the true value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

import sympy

from symresnet.base.errors import ClaimError
from symresnet.values.exact import DEFAULT_LIMITS, Limits
from symresnet.model.network import ResNet
from symresnet.compute.realization import Trace, as_input, realize

__all__ = ["RELATIONS", "PointClaim", "Verdict", "check", "compare"]

#: relation name -> (symbol in text, LaTeX symbol)
RELATIONS: Mapping[str, tuple[str, str]] = {
    "equals": ("=", "="),
    "at_least": (">=", r"\geq"),
    "at_most": ("<=", r"\leq"),
    "greater": (">", ">"),
    "less": ("<", "<"),
}

Status = Literal["holds", "fails", "depends", "undecided"]

#: digits to which a nonzero difference of two closed-form numbers is certified by evalf
_DIGITS = 50


@dataclasses.dataclass(frozen=True)
class PointClaim:
    """``(R(Phi, V))(input) <relation> expected``; ``label`` names it in text (``"1.161"``)."""

    input: sympy.ImmutableMatrix
    expected: sympy.ImmutableMatrix
    relation: str = "equals"
    label: str | None = None

    @property
    def symbol(self) -> str:
        return RELATIONS[self.relation][0]


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The exact verdict on a claim.

    ``status`` is ``"holds"``, ``"fails"``, ``"depends"`` (true for some parameter values only:
    see ``when``) or ``"undecided"`` (exact comparison of closed forms failed; ``note`` says
    what was proven).  ``holds`` is ``True``/``False``/``None`` accordingly.
    """

    claim: PointClaim
    trace: Trace
    status: Status
    components: tuple[bool | None, ...]
    when: sympy.Basic | None = None
    note: str = ""
    #: for a claim about symbols: the parameter study (:class:`symresnet.claims.parameter.Study`)
    study: Any = None

    @property
    def holds(self) -> bool | None:
        return {"holds": True, "fails": False}.get(self.status)

    @property
    def value(self) -> sympy.ImmutableMatrix:
        """The true value ``(R(Phi, V))(x_0)``."""
        return self.trace.output

    def _repr_latex_(self) -> str:  # Jupyter
        from symresnet.present.render import verdict_latex

        return verdict_latex(self)

    def __str__(self) -> str:
        from symresnet.present.text import format_verdict

        return format_verdict(self)


def compare(relation: str, lhs: sympy.Expr, rhs: sympy.Expr) -> bool | None:
    """Decide ``lhs <relation> rhs`` exactly; ``None`` when it is not a fixed truth value.

    Rationals are compared directly.  Closed-form numbers (``log(2)``, ``exp(-1)``, ...) are
    compared by simplifying the difference and, failing that, by evaluating it with certified
    precision (``evalf(strict=True)``): a nonzero result there proves the sign.  Expressions with
    free symbols give ``None`` unless the difference simplifies to a constant.
    """
    sign = _sign(lhs - rhs)
    if sign is None:
        return None
    return {
        "equals": sign == 0,
        "at_least": sign >= 0,
        "at_most": sign <= 0,
        "greater": sign > 0,
        "less": sign < 0,
    }[relation]


def _sign(d: sympy.Expr) -> int | None:
    if d.is_Rational:
        return int(d.p > 0) - int(d.p < 0)
    d = sympy.simplify(d)
    if d.is_Rational:
        return int(d.p > 0) - int(d.p < 0)
    if d.free_symbols:
        return None
    if d.is_zero:
        return 0
    try:
        approx = d.evalf(_DIGITS, strict=True)
    except (sympy.core.evalf.PrecisionExhausted, TypeError, ValueError):
        return None
    if approx.is_Number and approx != 0:
        return 1 if approx > 0 else -1
    return None


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
    """Build a :class:`PointClaim`, checking lengths against ``l_0`` and ``l_L``."""
    if relation not in RELATIONS:
        raise ClaimError(f"unknown relation {relation!r}: use one of {', '.join(RELATIONS)}")
    x0 = as_input(input, network.dims[0], names=names, limits=limits, place="input")
    y = as_input(expected, network.dims[-1], names=names, limits=limits, place=relation)
    return PointClaim(input=x0, expected=y, relation=relation, label=label)


def decide(
    point_claim: PointClaim, trace: Trace, *, bounds: Mapping[Any, Any] | None = None
) -> Verdict:
    """The :class:`Verdict` on ``point_claim`` given the realization ``trace`` at its input.

    With free symbols the claim is a parameter study (:func:`symresnet.claims.parameter.study`; ``bounds``
    maps parameter names to spec ``Parameter`` s or ``(min, max)`` pairs).
    """
    if trace.free_symbols or point_claim.expected.free_symbols:
        from symresnet.claims.parameter import parameter_verdict

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
        note=f"the difference is nonzero to no {_DIGITS} certified digits; exact comparison failed",
    )


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
    return decide(pc, realize(network, pc.input, limits=limits), bounds=bounds)
