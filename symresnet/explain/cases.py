"""The case analysis of a parameter study, as derivation data (layer *explain*).

When a claim about a network with parameters (:mod:`symresnet.claims.parameter`) is derived, the steps
(1.153)-(1.156) carry ``max{..., 0}`` terms whose sign depends on the parameters.  The book's
way to finish such a solution is to distinguish cases: for each activation pattern, the hidden
neurons whose pre-activation depends on the parameters fall in one piece of the activation
(``2a + 4 <= 0``, so ``x_{2,1} = 0``), the realization is a polynomial in the parameters
there, and the claim reduces to a condition that is always true, never true, or true exactly on
a smaller set; the union over the cases is the exact answer.

:func:`case_analysis` builds that as a :class:`CaseAnalysis` of terms of
:mod:`symresnet.explain.derivation` (printed by :mod:`symresnet.present.caseviews` through the template
``studycases.tex.j2``).  Each case is re-checked: its value must agree with the realization of
the trace at an exact point of the case (else :class:`~symresnet.base.errors.DerivationCheckError`).
"""

from __future__ import annotations

import dataclasses

import sympy

from symresnet.base.errors import DerivationCheckError
from symresnet.claims.parameter import study
from symresnet.claims.verdict import Verdict
from symresnet.explain.tree import Atom, Chain, Condition, Link, Realization, ValueTerm
from symresnet.solve.conditions import Solver, conjunction_relational

__all__ = ["MAX_CASES", "CaseAnalysis", "CaseProof", "NeuronCase", "case_analysis"]

#: more cases than this are not written out (the conclusion still states the exact set)
MAX_CASES = 16


@dataclasses.dataclass(frozen=True)
class NeuronCase:
    """Hidden neuron ``i`` of layer ``k`` on one case: its pre-activation lies in one piece of
    the activation (``piece``: ``2 a + 4 <= 0``, or ``lo < z <= hi``), so ``x_{k,i}`` is
    ``output``."""

    k: int
    i: int
    piece: Chain
    output: Atom


@dataclasses.dataclass(frozen=True)
class CaseProof:
    """One case: ``condition`` on the parameters, the ``neurons`` that decide it, the ``value``
    ``(R(Phi, V))(x_0) = ...`` there, the ``claim`` on it (``-5 = -7``) and the ``outcome``:
    ``"always"``, ``"never"`` or ``"when"`` (then ``when`` is the condition, within the case)."""

    condition: Condition
    neurons: tuple[NeuronCase, ...]
    value: Chain
    claim: Chain
    outcome: str
    when: Condition | None = None


@dataclasses.dataclass(frozen=True)
class CaseAnalysis:
    """The cases of a parameter study and its exact answer ``when`` (``status`` as in
    :class:`~symresnet.claims.parameter.Study`); ``parameters`` the symbols."""

    parameters: tuple[Atom, ...]
    cases: tuple[CaseProof, ...]
    status: str
    when: Condition


def _piece_chain(act, j: int, z: sympy.Expr) -> Chain:
    """``lo < z <= hi`` for piece ``j`` of ``act`` (an infinite end left out)."""
    if act.piecewise_linear:
        piece = act.pieces[j]
        lo, hi, lo_closed, hi_closed = piece.lo, piece.hi, piece.lo_closed, piece.hi_closed
    else:  # RePU max{z, 0}^p (symresnet.compute.pieces): z <= 0, then z > 0
        zero = sympy.Integer(0)
        lo, hi, lo_closed, hi_closed = (
            (-sympy.oo, zero, False, True) if j == 0 else (zero, sympy.oo, False, False)
        )
    links = []
    first = Atom(z)
    if lo.is_finite:
        first = Atom(lo)
        links.append(Link("at_most" if lo_closed else "less", Atom(z)))
    if hi.is_finite:
        links.append(Link("at_most" if hi_closed else "less", Atom(hi)))
    return Chain(first, tuple(links))


def _split_neurons(pieces) -> set[tuple[int, int]]:
    """Hidden neurons whose piece differs between the cases."""
    out: set[tuple[int, int]] = set()
    patterns = [p.pattern for p in pieces]
    for k, layer in enumerate(patterns[0], start=1):
        for i in range(len(layer)):
            if len({pat[k - 1][i] for pat in patterns}) > 1:
                out.add((k, i + 1))
    return out


def _preactivation(network, xs: list[sympy.Matrix], k: int) -> sympy.Matrix:
    z = network.W[k - 1] * xs[k - 1] + network.B[k - 1]
    for r, V in network.skips_into(k):
        z += V * xs[r]
    return z.applyfunc(sympy.expand)


def _same_solver(solver: Solver | None) -> Solver:
    """``solver`` (with the answers it has cached) when it is configured as a default
    :class:`Solver` is, else a default one: the cases are decided as by a fresh solver."""
    fresh = Solver()
    if solver is not None and (solver.use_z3, solver.z3_timeout_ms) == (
        fresh.use_z3,
        fresh.z3_timeout_ms,
    ):
        return solver
    return fresh


def case_analysis(verdict: Verdict) -> CaseAnalysis | None:
    """The case analysis of ``verdict`` (a Verdict with a parameter study), or ``None`` when
    there is nothing to distinguish (one case), the cases are too many (:data:`MAX_CASES`), the
    activation is smooth, or the study is undecided."""
    result = verdict.study
    if result is None or not result.decided or result.pieces.closed_form:
        return None
    trace, claim = verdict.trace, verdict.claim
    network = trace.network
    detail = study(
        network,
        input=trace.input,
        relation=claim.relation,
        expected=claim.expected,
        bounds=result.bounds,
        merge=False,
        solver=_same_solver(result.solver),
    )
    if not 1 < len(detail.cases) <= MAX_CASES:
        return None
    split = _split_neurons([c.piece for c in detail.cases])
    x0 = ValueTerm(trace.input, point=True)
    lhs = Realization(network.activation, x0)
    proofs = []
    for case in detail.cases:
        piece = case.piece
        _check(piece, trace.output)
        # unmerged pieces (merge=False) keep their layers and pattern
        assert piece.layers is not None and piece.pattern is not None
        xs = [trace.input, *piece.layers]
        neurons = []
        for k, i in sorted(split):
            z = _preactivation(network, xs, k)[i - 1]
            if not z.free_symbols:  # a number here: its piece is no case distinction
                continue
            j = piece.pattern[k - 1][i - 1]
            neurons.append(
                NeuronCase(k, i, _piece_chain(network.activation, j, z), Atom(xs[k][i - 1]))
            )
        value = ValueTerm(piece.value, point=True)
        expected = ValueTerm(claim.expected, point=True)
        if case.claim is None or case.result is None:
            outcome, when = "never", None
        elif case.always:
            outcome, when = "always", None
        else:
            outcome, when = "when", Condition(conjunction_relational(case.result))
        proofs.append(
            CaseProof(
                condition=Condition(piece.relational()),
                neurons=tuple(neurons),
                value=Chain(lhs, (Link("equals", value),)),
                claim=Chain(value, (Link(claim.relation, expected),)),
                outcome=outcome,
                when=when,
            )
        )
    return CaseAnalysis(
        parameters=tuple(Atom(s) for s in result.symbols),
        cases=tuple(proofs),
        status=result.status,
        when=Condition(result.when),
    )


def _check(piece, output: sympy.MatrixBase) -> None:
    """The case's value equals the realization (the trace's ``max`` form) at a point of it."""
    if piece.point is None:
        return
    point = dict(piece.point)
    mine = piece.value.xreplace(point).applyfunc(sympy.expand)
    theirs = sympy.ImmutableMatrix(output).xreplace(point).applyfunc(sympy.simplify)
    if mine != theirs:
        raise DerivationCheckError(
            f"a case of the parameter study gives {list(mine)} at {point}, the realization "
            f"{list(theirs)}"
        )
