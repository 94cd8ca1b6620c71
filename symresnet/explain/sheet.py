"""Exercise sheets as data: problems with parts, each part decided and derived (layer *explain*).

A lecturer's sheet (docs/sheets.md) is a list of *problems*; a problem is one network, stated
once, with its claims as the *parts* (a), (b), (c), ... -- point, parameter and box claims mixed.
:func:`build_sheet` turns spec files (:class:`~symresnet.claims.spec.Spec`, one problem each)
into a :class:`Sheet`: every claim decided exactly (:func:`~symresnet.claims.spec.check_spec`)
and derived by the same code as ``symresnet derive``
(:func:`~symresnet.explain.derivation.derive`, :func:`~symresnet.explain.box.derive_box`), so a
solution on a sheet is the book-style proof of Example 1.5.6, every ``=`` checked.

:class:`Answer` is what the lecturer's answer key prints for a part: the exact value (or the
extremum over the box, or the condition on the parameters) and the verdict.  Nothing here is
LaTeX or text: :mod:`symresnet.present.sheet` lays a sheet out.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Mapping, Sequence
from fractions import Fraction

import sympy

from symresnet.base.errors import ClaimError, InputError
from symresnet.claims.box_verdict import BoxVerdict, Extremum, PointValue
from symresnet.claims.parameter_box import ParameterBoxVerdict
from symresnet.claims.spec import Spec, check_spec
from symresnet.claims.variants import Part as VariantPart
from symresnet.claims.verdict import Claim, ClaimKind, Failure, Outcome, Status, Verdict
from symresnet.explain.box import derive_box
from symresnet.explain.derivation import derive
from symresnet.explain.tree import (
    DEFAULT_OPTIONS,
    Atom,
    Chain,
    Derivation,
    DerivationOptions,
    Link,
    ListTerm,
    Problem,
    Space,
)
from symresnet.model.network import ResNet
from symresnet.model.parameters import Parameter
from symresnet.values.limits import DEFAULT_LIMITS, Limits
from symresnet.values.relations import Relation

__all__ = ["MAX_PARTS", "Answer", "Part", "Sheet", "SheetProblem", "answer", "build_sheet"]

#: parts of one problem: (a) to (z)
MAX_PARTS = len(string.ascii_lowercase)


@dataclasses.dataclass(frozen=True)
class Answer:
    """The answer to one part, exactly.

    ``kind`` (``point``, ``parameter``, ``box``), ``relation``, ``status`` and ``holds`` as in
    :class:`~symresnet.claims.verdict.Outcome`, ``expected`` the claimed value.  A point or
    parameter claim has ``input`` (``x_0``) and ``value`` (``R(x_0)``, entry by entry), and a
    parameter claim that ``depends`` the exact condition ``when``.  A box claim has
    ``quantifier``, ``box`` (the intervals), ``minimum`` and ``maximum`` (infimum and supremum of
    each output coordinate over the box) and ``point``, the counterexample or witness if one
    settles it."""

    kind: ClaimKind
    relation: Relation
    status: Status
    holds: bool | None
    expected: tuple[sympy.Expr, ...]
    input: tuple[sympy.Expr, ...] = ()
    value: tuple[sympy.Expr, ...] = ()
    when: sympy.Basic | None = None
    quantifier: str | None = None
    box: tuple[tuple[Fraction, Fraction], ...] = ()
    minimum: tuple[Extremum, ...] = ()
    maximum: tuple[Extremum, ...] = ()
    point: PointValue | None = None


@dataclasses.dataclass(frozen=True)
class Part:
    """Part ``letter`` (``"a"``) of a problem: the ``claim``, its ``outcome`` (a
    :class:`~symresnet.claims.verdict.Verdict` or :class:`~symresnet.claims.box_verdict.BoxVerdict`),
    its worked ``derivation`` and its ``answer``; ``parameters`` are the names the part itself
    brings in (``x_0 = a``), beyond those of the network."""

    letter: str
    claim: Claim
    outcome: Outcome
    derivation: Derivation
    answer: Answer
    parameters: tuple[sympy.Symbol, ...] = ()
    #: the drawn part of a variant (``symresnet variants``) the claim comes from: a false
    #: one's solution and key line name the mistake that gives its claimed value
    origin: VariantPart | None = None

    @property
    def label(self) -> str | None:
        """The claim's own label (``"1.161"``), or ``None``."""
        return self.claim.label


@dataclasses.dataclass(frozen=True)
class SheetProblem:
    """Problem ``number`` (from 1): one ``network`` with its data stated once (``statement``,
    the :class:`~symresnet.explain.tree.Problem` of the derivations, with the parameters of the
    network only) and its ``parts``; ``title`` and ``source`` come from the spec."""

    number: int
    title: str | None
    source: str
    network: ResNet
    statement: Problem
    parts: tuple[Part, ...]
    #: the declared parameters (``[parameters]``), with their bounds
    parameters: Mapping[str, Parameter] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Sheet:
    """An exercise sheet: ``title`` (free text or ``None``) and its ``problems`` in order."""

    title: str | None
    problems: tuple[SheetProblem, ...]

    @property
    def parts(self) -> tuple[tuple[SheetProblem, Part], ...]:
        """Every part with its problem, in the order of the sheet."""
        return tuple((p, part) for p in self.problems for part in p.parts)


def answer(outcome: Outcome) -> Answer:
    """The exact answer behind a decided claim (see :class:`Answer`)."""
    claim = outcome.claim
    if isinstance(outcome, BoxVerdict):
        box = outcome.claim
        return Answer(
            kind="box",
            relation=box.relation,
            status=outcome.status,
            holds=outcome.holds,
            expected=tuple(sympy.Rational(y.numerator, y.denominator) for y in box.expected),
            quantifier=box.quantifier,
            box=box.bounds,
            minimum=outcome.minimum,
            maximum=outcome.maximum,
            point=outcome.counterexample or outcome.witness,
        )
    if isinstance(outcome, Verdict):
        point = outcome.claim
        return Answer(
            kind=point.kind,
            relation=point.relation,
            status=outcome.status,
            holds=outcome.holds,
            expected=tuple(point.expected),
            input=tuple(point.input),
            value=tuple(outcome.value),
            when=outcome.when if outcome.status == "depends" else None,
        )
    raise TypeError(f"no answer for a {type(outcome).__name__} on {claim!r}")


def _derivation(outcome: Outcome, options: DerivationOptions) -> Derivation:
    if isinstance(outcome, BoxVerdict):
        return derive_box(outcome, options=options)
    if isinstance(outcome, Verdict):
        return derive(outcome, options=options)
    raise TypeError(f"cannot derive a {type(outcome).__name__}")  # pragma: no cover


def _parameter_chain(symbols: Sequence[sympy.Symbol]) -> Chain | None:
    """``a, b \\in R`` (as in the derivations' problem data), or ``None``."""
    if not symbols:
        return None
    return Chain(ListTerm(tuple(Atom(s) for s in symbols)), (Link("in", Space()),))


def _names(chain: Chain | None) -> tuple[sympy.Symbol, ...]:
    if chain is None or not isinstance(chain.first, ListTerm):
        return ()
    return tuple(a.value for a in chain.first.items if isinstance(a, Atom))


def _problem(
    number: int,
    spec: Spec,
    limits: Limits,
    options: DerivationOptions,
    origins: Sequence[VariantPart] = (),
) -> SheetProblem:
    if not spec.claims:
        raise ClaimError(
            "the spec has no [[claims]]: a problem of a sheet needs at least one part",
            file=spec.source,
            place="claims",
            hint="add [[claims]] tables",
        )
    if len(spec.claims) > MAX_PARTS:
        raise ClaimError(
            f"{len(spec.claims)} claims, but a problem has at most {MAX_PARTS} parts (a)-(z)",
            file=spec.source,
            place="claims",
            hint="split the claims over several spec files, one problem each",
        )
    report = check_spec(spec, limits=limits)
    for i, outcome in enumerate(report.verdicts, start=1):
        if isinstance(outcome, Failure):
            raise outcome.error.located(file=spec.source, prefix=f"claims[{i}]")
        if isinstance(outcome, ParameterBoxVerdict):  # its proof is one per piece of the line
            raise ClaimError(
                "a claim over a box on a network with parameters cannot be a part of a sheet yet",
                file=spec.source,
                place=f"claims[{i}]",
                hint="give the parameters values for the sheet, or answer it with symresnet "
                "check / derive (docs/parameters.md)",
            )
    network_symbols = tuple(sorted(spec.network.free_symbols, key=lambda s: s.name))
    parts: list[Part] = []
    for letter, outcome in zip(string.ascii_lowercase, report.verdicts, strict=False):
        derivation = _derivation(outcome, options)
        own = tuple(s for s in _names(derivation.problem.parameters) if s not in network_symbols)
        origin = origins[len(parts)] if len(parts) < len(origins) else None
        parts.append(
            Part(letter, outcome.claim, outcome, derivation, answer(outcome), own, origin)
        )
    statement = dataclasses.replace(
        parts[0].derivation.problem, parameters=_parameter_chain(network_symbols)
    )
    return SheetProblem(
        number=number,
        title=spec.title,
        source=spec.source,
        network=spec.network,
        statement=statement,
        parts=tuple(parts),
        parameters=spec.parameters,
    )


def build_sheet(
    specs: Sequence[Spec],
    *,
    title: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: DerivationOptions = DEFAULT_OPTIONS,
    origins: Sequence[Sequence[VariantPart]] = (),
) -> Sheet:
    """The sheet of ``specs``, one problem each, its claims the parts (module docstring).

    Every claim is decided exactly and derived; a claim that cannot be decided (a
    :class:`~symresnet.claims.verdict.Failure`), a spec without claims or with more than
    :data:`MAX_PARTS` claims is an :class:`~symresnet.base.errors.InputError` naming the file and
    the claim.  ``title`` heads the sheet (free text); ``origins[i]`` are the drawn parts of
    ``specs[i]`` when it is a variant (``Part.origin``)."""
    if not specs:
        raise ClaimError("a sheet needs at least one spec file", hint="give SPEC...")
    problems = []
    for i, spec in enumerate(specs, start=1):
        try:
            own = origins[i - 1] if i - 1 < len(origins) else ()
            problems.append(_problem(i, spec, limits, options, own))
        except InputError as err:  # a limit met while deciding or deriving: name the spec
            raise err.located(file=spec.source) from None
    return Sheet(title=title, problems=tuple(problems))
