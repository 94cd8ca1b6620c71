"""A verification property (VNN-LIB, as in VNN-COMP): the *violation* of a safety claim.

A :class:`Property` is a disjunction of :class:`Case` s; a case is an input box (exact bounds
``lo_i <= x_i <= hi_i`` for every input of the network, Def. 1.5.4's ``x_0``) and a
conjunction of linear output constraints ``c . y <= d`` on the realization ``y = R(x_0)``.
The property is ``sat`` when some case has an input in its box whose output meets all of the
case's constraints (a counterexample to the safety claim), ``unsat`` when no case has one.
Every number is an exact :class:`~fractions.Fraction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Case", "OutputConstraint", "Property"]


@dataclass(frozen=True)
class OutputConstraint:
    """``sum_j coefficients[j] * y_j <= rhs``."""

    coefficients: tuple[Fraction, ...]
    rhs: Fraction

    def holds(self, y: tuple[Fraction, ...] | list[Fraction]) -> bool:
        """Whether the exact output ``y`` meets the constraint."""
        return sum((c * v for c, v in zip(self.coefficients, y, strict=True)), Fraction(0)) <= self.rhs

    def text(self) -> str:
        terms = [f"{c}*Y_{j}" for j, c in enumerate(self.coefficients) if c]
        return f"{' + '.join(terms) or '0'} <= {self.rhs}"


@dataclass(frozen=True)
class Case:
    """One disjunct: the box ``lo <= x <= hi`` and the constraints that must all hold."""

    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]
    constraints: tuple[OutputConstraint, ...]

    def contains(self, x: tuple[Fraction, ...] | list[Fraction]) -> bool:
        return all(a <= v <= b for a, v, b in zip(self.lo, x, self.hi, strict=True))

    def violated_by(self, y: tuple[Fraction, ...] | list[Fraction]) -> bool:
        """Whether the output ``y`` meets every constraint (the violation happens)."""
        return all(c.holds(y) for c in self.constraints)


@dataclass(frozen=True)
class Property:
    """The violation of a safety claim: ``exists x in some case's box with its constraints``."""

    inputs: int
    outputs: int
    cases: tuple[Case, ...]
    source: str = ""
