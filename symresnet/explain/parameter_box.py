"""The derivation of a box claim over a parameter (docs/parameters.md).

The set of parameter values where the claim holds is a union of the pieces between the
candidate ends (:mod:`symresnet.claims.parameter_box`): the claim's truth is constant on each
open interval between consecutive ends, and is decided at every end and at one rational point of
every interval.  The derivation is the list of those exact box proofs
(:func:`~symresnet.explain.box.derive_box`), each titled with the parameter value and the part
of the line it decides.
"""

from __future__ import annotations

import sympy

from symresnet.claims.parameter_box import ParameterBoxVerdict
from symresnet.explain.box import derive_box
from symresnet.explain.tree import DEFAULT_OPTIONS, Derivation, DerivationOptions
from symresnet.solve.readable import when_text
from symresnet.solve.realsets import RealNumber, Span
from symresnet.values.exact import exact_str

__all__ = ["MAX_DERIVED_SAMPLES", "derive_parameter_box"]

#: beyond this many pieces, only the witness and the counterexample are derived
MAX_DERIVED_SAMPLES = 9


def _part(verdict: ParameterBoxVerdict, i: int) -> str:
    """The part of the line the i-th sample decides, in words."""
    name = verdict.symbol.name
    v = verdict.samples[i].value
    cell = next((c for c in verdict.cells if c.sample == v), None)
    if cell is not None:  # a parameter in the weights: the cell it decides, exact ends
        if cell.part.lo is None and cell.part.hi is None:
            return f"every {name}"
        return cell.part.text(name)
    ends = verdict.breakpoints
    if v in ends:
        return f"{name} = {exact_str(v)}"
    left = max((e for e in ends if e < v), default=None)
    right = min((e for e in ends if e > v), default=None)
    if left is None and right is None:
        return f"every {name}"
    rational = RealNumber.rational
    return Span(
        None if left is None else rational(left), None if right is None else rational(right)
    ).text(name)


def derive_parameter_box(
    verdict: ParameterBoxVerdict,
    *,
    title: str | None = None,
    options: DerivationOptions = DEFAULT_OPTIONS,
) -> list[Derivation]:
    """One exact box proof per piece of the parameter line (module docstring); for several
    parameters, the proofs at the witness and the counterexample, titled with the condition."""
    if verdict.several is not None:
        return _several(verdict, title, options)
    name = verdict.symbol.name
    where = "no value" if verdict.set.is_empty else verdict.set.text(name)
    extrema = ""  # the extremum as an exact function of the parameter, in the first title
    by_z3 = [c.part.text(name) for c in verdict.cells if c.method == "z3"]
    if by_z3:  # irrational ends have no box proof: say how they were decided
        extrema += f"; {' and '.join(by_z3)} decided by z3 (nlsat)"
    left = [c.part.text(name) for c in verdict.cells if c.holds is None]
    if left:
        extrema += f"; undecided at {' and '.join(left)}"
    for e in verdict.extrema:
        r = "R" if len(verdict.claim.expected) == 1 else f"R_{e.coordinate + 1}"
        extrema += f"; {e.side} {r} over the box: {e.text(name)}"
    head = f"{title}: " if title else ""
    chosen = range(len(verdict.samples))
    if len(verdict.samples) > MAX_DERIVED_SAMPLES:
        keep = {verdict.witness, verdict.counterexample}
        chosen = [i for i, s in enumerate(verdict.samples) if s in keep]  # type: ignore[assignment]
    out: list[Derivation] = []
    for i in chosen:
        s = verdict.samples[i]
        verb = "holds" if s.holds else "fails"
        text = f"{head}{name} = {exact_str(s.value)}: {verb} for {_part(verdict, i)} (set: {where}"
        text += f"{extrema})" if not out else ")"
        out.append(derive_box(s.verdict, title=text, options=options))
    return out


def _several(
    verdict: ParameterBoxVerdict, title: str | None, options: DerivationOptions
) -> list[Derivation]:
    when = verdict.when
    if when is None:
        cond = "not reduced to the parameters"
    elif when is sympy.false:
        cond = "no values"
    elif when is sympy.true:
        cond = "all values"
    else:
        cond = when_text(when)
    head = f"{title}: " if title else ""
    out = []
    for s in verdict.samples:
        at = ", ".join(
            f"{t.name} = {exact_str(q)}" for t, q in zip(verdict.symbols, s.point, strict=True)
        )
        verb = "holds" if s.holds else "fails"
        text = f"{head}{at}: {verb} (it holds exactly when {cond})"
        out.append(derive_box(s.verdict, title=text, options=options))
    return out
