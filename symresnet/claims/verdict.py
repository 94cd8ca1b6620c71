"""The one claim model: what every claim and every verdict offers, whatever its kind.

There are three kinds of claims, one type each:

* a **point** claim (:class:`~symresnet.claims.point.PointClaim`): ``R(Phi, V)(x_0) ~ y``,
  like Exercise 1.5.1's (1.161) ``R(Phi, V)(-1) = 0``;
* a **parameter** claim (:class:`~symresnet.claims.point.ParameterClaim`): the same statement
  about a network, input or value with Symbols, answered by the set of parameter values for
  which it holds;
* a **box** claim (:class:`~symresnet.claims.box.BoxClaim`): ``for all`` / ``there is`` ``x``
  in a box with ``R(x) ~ y``.

Every claim has a ``kind``, a ``label``, a :class:`~symresnet.values.relations.Relation` and one
``decide(network, ...)`` method; every verdict has the ``claim``, a ``status`` and ``holds``
(:class:`Outcome`).  A claim that cannot be decided because of the user's input (an activation
the box engine does not support, a limit reached) gets the verdict :class:`Failure` with status
``"error"`` and the message, so that one such claim does not stop the others
(:func:`symresnet.claims.spec.check_spec`).  :class:`Verdict` is the verdict of point and
parameter claims.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, runtime_checkable

import sympy

from symresnet.base.errors import InputError
from symresnet.base.printing import Printable
from symresnet.compute.linear_region import Progress
from symresnet.compute.realization import Trace
from symresnet.model.network import ResNet
from symresnet.values.limits import Limits
from symresnet.values.relations import Relation
from symresnet.values.relations import relation as as_relation

if TYPE_CHECKING:
    from symresnet.claims.parameter import Study
    from symresnet.claims.point import PointClaim

__all__ = [
    "STATUSES",
    "Claim",
    "ClaimKind",
    "Failure",
    "Outcome",
    "RelationClaim",
    "Status",
    "Verdict",
]

ClaimKind = Literal["point", "parameter", "box"]
Status = Literal["holds", "fails", "depends", "undecided", "error"]
#: every status, from best to worst (the exit status of ``check`` follows the worst)
STATUSES: tuple[Status, ...] = ("holds", "depends", "undecided", "fails", "error")


@runtime_checkable
class Claim(Protocol):
    """A claim of any kind."""

    kind: ClassVar[ClaimKind]

    @property
    def label(self) -> str | None: ...

    @property
    def relation(self) -> Relation: ...

    def decide(
        self,
        network: ResNet,
        *,
        limits: Limits = ...,
        bounds: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> Outcome:
        """The exact verdict on this claim about ``network``: ``limits`` bound the work,
        ``bounds`` the declared parameters, ``progress`` hears of long enumerations."""
        ...


class RelationClaim:
    """Mixin of the claim dataclasses: ``relation`` is made a :class:`Relation` (a spec key
    like ``"at_most"`` is accepted, an unknown one is a ClaimError) and ``symbol`` is its
    text."""

    relation: Relation

    def __post_init__(self) -> None:
        object.__setattr__(self, "relation", as_relation(self.relation))

    @property
    def symbol(self) -> str:
        return self.relation.text


@runtime_checkable
class Outcome(Protocol):
    """A verdict of any kind: the claim, its ``status`` and ``holds``."""

    @property
    def claim(self) -> Claim: ...

    @property
    def status(self) -> Status: ...

    @property
    def holds(self) -> bool | None: ...


@dataclasses.dataclass(frozen=True)
class Verdict(Printable):
    """The exact verdict on a point or parameter claim.

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
    #: for a parameter claim: the parameter study (:class:`symresnet.claims.parameter.Study`)
    study: Study | None = None

    @property
    def holds(self) -> bool | None:
        return {"holds": True, "fails": False}.get(self.status)

    @property
    def value(self) -> sympy.ImmutableMatrix:
        """The true value ``(R(Phi, V))(x_0)``."""
        return self.trace.output


@dataclasses.dataclass(frozen=True)
class Failure(Printable):
    """A claim that could not be decided because of its input: ``error`` says why and what to
    do (the one-line message of the :class:`~symresnet.base.errors.InputError`)."""

    claim: Claim
    error: InputError
    status: Status = "error"

    @property
    def holds(self) -> bool | None:
        return None

    @property
    def message(self) -> str:
        return str(self.error)
