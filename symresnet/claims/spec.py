"""A spec as a problem: a network, its claims, declared parameters; :func:`check_spec`.

:class:`Spec` is what a spec file describes (docs/design.md, "The spec file"); the files
themselves are read and written by :mod:`symresnet.io.spec` and :mod:`symresnet.io.dump`.
:func:`check_spec` decides every claim of a spec, each on its own: a claim that cannot be
decided because of its input (say, a box claim on a network with a smooth activation) gets the
verdict :class:`~symresnet.claims.verdict.Failure` with the message, and the other claims are
still decided.  A :class:`~symresnet.base.errors.LimitError` (a resource limit or the time
limit of the command line) is not about one claim: it stops the whole check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import sympy

from symresnet.base.errors import ClaimError, InputError, LimitError
from symresnet.claims.verdict import STATUSES, Claim, Failure, Outcome, Status
from symresnet.compute.linear_region import Progress
from symresnet.model.network import ResNet
from symresnet.model.parameters import Parameter
from symresnet.values.limits import DEFAULT_LIMITS, Limits

__all__ = ["Report", "Spec", "check_spec", "decide"]


@dataclasses.dataclass(frozen=True)
class Spec:
    """A loaded spec: the network, its claims, declared parameters, title and source name."""

    network: ResNet
    claims: tuple[Claim, ...] = ()
    parameters: Mapping[str, Parameter] = dataclasses.field(default_factory=dict)
    title: str | None = None
    source: str = "<spec>"

    @property
    def names(self) -> dict[str, sympy.Symbol]:
        """Parameter name -> Symbol, for parsing further entries (``--at x``)."""
        return {name: p.symbol for name, p in self.parameters.items()}


@dataclasses.dataclass(frozen=True)
class Report:
    """The verdicts on every claim of a spec, in order; ``status`` is the worst of them."""

    spec: Spec
    verdicts: tuple[Outcome, ...]

    @property
    def status(self) -> Status:
        return max((v.status for v in self.verdicts), key=STATUSES.index, default="holds")

    @property
    def holds(self) -> bool:
        """Every claim holds."""
        return all(v.holds is True for v in self.verdicts)


def decide(
    claim: Claim,
    network: ResNet,
    *,
    limits: Limits = DEFAULT_LIMITS,
    bounds: Mapping[str, Parameter] | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """The one entry for deciding a claim of any kind (point, parameter, box) exactly."""
    return claim.decide(network, limits=limits, bounds=bounds, progress=progress)


def check_spec(
    spec: Spec,
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[], Progress | None] | None = None,
    decider: Callable[..., Outcome] | None = None,
) -> Report:
    """Decide every claim of ``spec``, each on its own (module docstring).

    ``progress`` makes a fresh progress callback for each box claim (region counts).
    ``decider`` (the keywords of :func:`decide`) decides each claim instead of :func:`decide`
    (``symresnet check --engine``: :func:`symresnet.verify.box_claims.decide_claim`).  A spec
    without claims is a :class:`~symresnet.base.errors.ClaimError`.
    """
    if not spec.claims:
        raise ClaimError("the spec has no [[claims]] to check", file=spec.source, place="claims")
    verdicts: list[Outcome] = []
    decider = decider or decide
    for i, claim in enumerate(spec.claims, start=1):
        try:
            verdicts.append(
                decider(
                    claim,
                    spec.network,
                    limits=limits,
                    bounds=spec.parameters,
                    progress=progress() if progress is not None else None,
                )
            )
        except LimitError:
            raise
        except InputError as err:
            verdicts.append(Failure(claim, err.located(file=spec.source, prefix=f"claims[{i}]")))
    return Report(spec, tuple(verdicts))
