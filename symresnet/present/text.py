"""Plain-text output for terminals: traces and verdicts, layer by layer, in docs/math.md's notation.

Vectors are written ``(5; 11)`` (a column), matrices ``(1 0; 0 1)`` (rows separated by ``;``).
"""

from __future__ import annotations

from typing import cast

import sympy

from symresnet.claims.verdict import Verdict
from symresnet.compute.realization import Trace
from symresnet.explain.derivation import derive
from symresnet.explain.piecewise import PiecewiseForm
from symresnet.explain.tree import (
    Apply,
    Atom,
    Chain,
    Condition,
    Derivation,
    DerivationOptions,
    ListTerm,
    MatrixTerm,
    Product,
    Realization,
    Step,
    Sum,
    Term,
    ValueTerm,
    Var,
)
from symresnet.model.activations import Activation
from symresnet.present.plain import entry as _entry
from symresnet.present.plain import format_matrix, format_vector
from symresnet.present.study_text import study_sentence
from symresnet.solve.readable import readable
from symresnet.values.exact import exact_str
from symresnet.values.relations import RELATION_TEXT

__all__ = ["format_piecewise", "format_solution", "format_trace", "format_verdict"]


class _TermText:
    """Plain text of the derivation tree (:mod:`symresnet.explain.derivation`): the same tree the LaTeX
    output prints, in docs/math.md's notation (``M_{r,3}((2; -2; 2))``, ``R(Phi, V)(-1)``)."""

    def term(self, t: Term) -> str:
        match t:
            case Var(name=name, index=index):
                idx = ",".join(map(str, index))
                if not index:
                    return name
                return (
                    f"{name}_{idx}"
                    if len(index) == 1 and isinstance(index[0], int)
                    else f"{name}_{{{idx}}}"
                )
            case Atom(value=v):
                return _entry(v)
            case MatrixTerm(value=m):
                return format_matrix(m)
            case ValueTerm(value=m, point=point):
                return _point(m) if point else format_vector(m)
            case Product(factors=fs):
                sep = "" if all(isinstance(f, MatrixTerm | ValueTerm) for f in fs) else " "
                return sep.join(self.term(f) for f in fs)
            case Sum(terms=ts):
                return " + ".join(self.term(x) for x in ts)
            case Apply(function=Activation() as f, dim=d, argument=a):
                return f"M_{{{f.text},{self.term(d)}}}({self.term(a)})"
            case ListTerm(items=items):
                return ", ".join(self.term(i) for i in items)
            case Realization(argument=ListTerm() as a):
                return f"R(Phi, V)({self.term(a)})"
            case Realization(argument=a):
                return f"R(Phi, V)({self.term(a)})"
            case Condition(value=v):
                return exact_str(v)
        raise TypeError(f"no plain text for {type(t).__name__}")

    def chain(self, chain: Chain) -> str:
        parts = [self.term(chain.first)]
        for link in chain.links:
            symbol = RELATION_TEXT.get(link.relation, ":=")
            parts += [f"not {symbol}" if link.negated else symbol, self.term(link.term)]
        return " ".join(parts)

    def step(self, step: Step) -> str:
        """``x_k = M(symbolic)``, ``= M(substituted)``, ``= M(summed) = x_k`` on three lines."""
        symbolic, substituted, summed, activated = (self.term(t) for t in step.chain.terms[1:])
        lines = [
            f"{self.term(step.chain.first)} = {symbolic}",
            f"      = {substituted}",
            f"      = {summed} = {activated}",
        ]
        lines += [f"      where {self.chain(c)}" for c in step.definitions]
        return "\n".join(lines)


#: terminals get every value written out (no ``x_{k,i} := ...`` abbreviations)
_WRITE_OUT = DerivationOptions(
    max_digits=10**12, max_ops=10**12, max_condition_ops=10**12, piecewise=False
)


def _layer_lines(d: Derivation) -> list[str]:
    text = _TermText()
    return [text.chain(d.start)] + [text.step(s) for s in d.steps]


def format_trace(trace: Trace, *, title: str | None = None) -> str:
    """The realization layer by layer, ending with ``R(Phi, V)(x_0) = x_L``."""
    return _format_derivation(derive(trace, title=title, options=_WRITE_OUT))


def _format_derivation(d: Derivation) -> str:
    head = f"{d.title}: " if d.title else ""
    lines = [f"{head}realization at x_0 = {_TermText().term(d.start.links[0].term)}"]
    lines += ["  " + line.replace("\n", "\n  ") for line in _layer_lines(d)]
    lines.append("  " + _TermText().chain(d.result))
    return "\n".join(lines)


def _flat(value: sympy.MatrixBase) -> str:
    """A value of a piece: ``7*x + 14``, or a column ``(x + 1; [2*x])``."""
    return exact_str(value[0]) if len(value) == 1 else format_vector(value)


def _plain(chain: Chain) -> str:
    """A chain of scalars as text without the brackets of vector entries: ``x + 3 > 0``."""
    parts = [exact_str(cast(Atom, chain.first).value)]
    for link in chain.links:
        parts += [
            RELATION_TEXT.get(link.relation, link.relation),
            exact_str(cast(Atom, link.term).value),
        ]
    return " ".join(parts)


def format_piecewise(form: PiecewiseForm) -> str:
    """The piecewise form as text (:mod:`symresnet.explain.piecewise`): the pieces with their
    conditions (:func:`symresnet.solve.readable.readable`), then each region written out layer
    by layer, after the pieces of the activation its pre-activations lie in."""
    text = _TermText()
    question = text.term(form.question)
    word = "region" if form.merged else "piece"

    def where(p) -> str:
        if p.everywhere:
            return "always"
        shown = readable(p.condition.value)
        return exact_str(p.condition.value) if shown is None else shown.text()

    lines = [f"{question}, piece by piece:"]
    lines += [f"  {where(p)}:  {_flat(p.value.value)}" for p in form.pieces]
    for r in form.shown:
        assert r.region is not None  # the shown regions are derived
        head = "" if r.everywhere else f" ({where(r)})"
        lines.append(f"{word} {r.index}{head}:")
        for step, layer in zip(r.region.steps, r.region.neurons, strict=True):
            because = [_plain(n.condition) for n in layer if not n.constant]
            if because:
                lines.append("  since " + " and ".join(because) + ":")
            lines.append("  " + text.step(step).replace("\n", "\n  "))
        lines.append(f"  {question} = {_flat(r.value.value)}")
    if len(form.derived) < len(form.regions):
        lines.append(f"(the other {word}s in the same way: derive --at ... --piece N)")
    return "\n".join(lines)


def format_solution(
    trace: Trace, *, title: str | None = None, options: DerivationOptions | None = None
) -> str:
    """``derive --text`` for an evaluation: a symbolic realization piece by piece, each piece
    layer by layer (:func:`format_piecewise`), else :func:`format_trace`."""
    base = options or _WRITE_OUT
    written = DerivationOptions(
        max_digits=_WRITE_OUT.max_digits,
        max_ops=_WRITE_OUT.max_ops,
        max_condition_ops=_WRITE_OUT.max_condition_ops,
        max_derived_pieces=base.max_derived_pieces,
        piece=base.piece,
        piecewise=True,
    )
    d = derive(trace, title=title, options=written)
    if d.piecewise is None:
        return _format_derivation(d)
    head = f"{d.title}: " if d.title else ""
    lines = [f"{head}realization at x_0 = {_TermText().term(d.start.links[0].term)}"]
    lines.append("  " + _TermText().chain(d.start))
    lines.append(format_piecewise(d.piecewise))
    return "\n".join(lines)


def _point(v: sympy.MatrixBase) -> str:
    return _entry(v[0]) if len(v) == 1 else format_vector(v)


def format_verdict(verdict: Verdict, *, title: str | None = None) -> str:
    """The trace and one sentence: holds / is false (the value is ...) / depends / undecided."""
    d = derive(verdict, title=title, options=_WRITE_OUT)
    c, text = d.claim, _TermText()
    assert c is not None, "the derivation of a verdict has a conclusion"
    name = f"({c.label})" if c.label else "the claim"
    statement = text.chain(c.statement)
    value = text.term(c.value)
    if c.status == "holds":
        sentence = f"{name} {statement}: HOLDS (the value is {value})"
    elif c.status == "fails":
        sentence = f"{name} {statement}: FALSE, the value is {value}"
    elif c.status == "depends":
        when = (
            text.term(c.when)
            if c.when is not None
            else "a condition too long to print (see --json)"
        )
        sentence = f"{name} {statement}: holds exactly when {when}"
    else:
        sentence = f"{name} {statement}: UNDECIDED ({c.note}); the value is {value}"
    if verdict.study is not None:  # a parameter study: the exact set (symresnet.present.study_text)
        sentence = study_sentence(name, statement, verdict.study, value)
    return _format_derivation(d) + "\n" + sentence
