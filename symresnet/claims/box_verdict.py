"""The verdict on a box claim and its evidence (:mod:`symresnet.claims.box`).

A :class:`BoxVerdict` carries its evidence:

* the exact infimum and supremum of each output coordinate over the box (:class:`Extremum`),
  with a point that attains it (``None`` where, with Heaviside, it is not attained);
* a false ``forall``: a counterexample (input and value, a :class:`PointValue`); a true
  ``exists``: a witness;
* a true ``forall`` (and a false ``exists`` on a scalar condition): per region and output
  coordinate, a :class:`Bound` — the region's map, the bound, a point where it is reached and
  LP multipliers ``lambda >= 0`` with ``lambda A = +-C_j`` that prove it by adding rows.

The verdicts are made by :func:`symresnet.claims.box_decide.decide_box`; before one is returned,
:func:`symresnet.claims.evidence.verify` re-checks every piece of evidence with plain Fractions,
sharing no code with the engine.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from symresnet.base.printing import Printable
from symresnet.claims.verdict import Status
from symresnet.compute.regions import Decomposition

if TYPE_CHECKING:  # pragma: no cover (box imports box_decide, which imports this module)
    from symresnet.claims.box import BoxClaim

__all__ = ["Bound", "BoxVerdict", "Extremum", "PointValue", "Side"]

Side = Literal["min", "max"]


@dataclasses.dataclass(frozen=True)
class PointValue:
    """An input and the exact value ``R(input)`` there."""

    input: tuple[Fraction, ...]
    value: tuple[Fraction, ...]


@dataclasses.dataclass(frozen=True)
class Extremum:
    """The infimum / supremum ``value`` of one output coordinate over the box; ``point`` attains
    it (``None`` if it is not attained); ``piece`` is the index of the region it comes from."""

    value: Fraction
    point: tuple[Fraction, ...] | None
    piece: int

    @property
    def attained(self) -> bool:
        return self.point is not None


@dataclasses.dataclass(frozen=True)
class Bound:
    """On ``pieces[piece]`` (rows ``A x <= b``, map ``C x + d``), output coordinate
    ``coordinate`` is ``<= value`` (``side == "max"``) or ``>= value`` (``"min"``).

    Proof: ``multipliers`` ``lambda >= 0`` with ``sum_i lambda_i A_i = s C_j`` (``s = +1`` for
    max, ``-1`` for min) give ``s C_j x <= sum_i lambda_i b_i`` on the region, so
    ``s R_j(x) <= s value`` with ``value = s sum_i lambda_i b_i + d_j``; ``point`` (in the closed
    region) has ``C_j point + d_j = value``: the bound is sharp.  ``attained`` is ``False`` when
    ``point`` lies only in the closure (strict rows, Heaviside).
    """

    piece: int
    coordinate: int
    side: Side
    value: Fraction
    point: tuple[Fraction, ...]
    multipliers: tuple[Fraction, ...]
    attained: bool = True


@dataclasses.dataclass(frozen=True)
class BoxVerdict(Printable):
    """The exact verdict on a :class:`~symresnet.claims.box.BoxClaim` with its evidence (module
    docstring)."""

    claim: BoxClaim
    decomposition: Decomposition
    holds: bool
    minimum: tuple[Extremum, ...]
    maximum: tuple[Extremum, ...]
    counterexample: PointValue | None = None
    witness: PointValue | None = None
    facts: tuple[Bound, ...] = ()
    #: for a true forall that exact interval bounds already prove: ``intervals[k]`` holds the
    #: ``(lo, hi)`` of every entry of ``x_k`` over the box, ``k = 0..L`` (else ``()``)
    intervals: tuple[tuple[tuple[Fraction, Fraction], ...], ...] = ()

    @property
    def status(self) -> Status:
        return "holds" if self.holds else "fails"

    @property
    def attained(self) -> bool:
        """Every infimum and supremum is attained (always, for continuous activations)."""
        return all(e.attained for e in (*self.minimum, *self.maximum))
