"""Simpler equivalent forms of conditions on parameters, each step proven by the solver.

A parameter study ends in a disjunction of conjunctions of :class:`Constraint` s, one per
activation pattern where the claim can hold.  Read as they come, they say more than needed:
``b <= -2 or (b > -2 and a*b + 2*a <= 0)`` means ``b <= -2 or a <= 0``.  :func:`simplify` rewrites
the disjunction with three kinds of step, each kept only when the exact :class:`Solver` proves
it changes nothing (an undecided proof keeps the original):

1. **factors of known sign**: in ``p <= 0`` with ``p = f g``, when the rest of the conjunction
   implies ``f > 0`` the constraint is ``g <= 0`` there (``f < 0``: ``-g <= 0``);
2. **dropped constraints**: ``c`` leaves its conjunction ``C`` when ``(C without c) and not c``
   lies in the other disjuncts (and outside ``domain``), i.e. is infeasible together with their
   negation;
3. **dropped disjuncts**: a conjunction that lies in the union of the others.

The result describes exactly the same set of parameter values (within ``domain``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import sympy

from symresnet.solve.conditions import Constraint, Solver, constraint, negation

__all__ = ["MAX_CASES", "simplify"]

Conjunction = tuple[Constraint, ...]

#: the most cases a negated disjunction may expand to before a step is not tried
MAX_CASES = 64


def _factor_signs(conj: Conjunction, solver: Solver) -> Conjunction:
    out = list(conj)
    for i, c in enumerate(out):
        if c.rel == "==":
            continue
        rest = out[:i] + out[i + 1 :]
        _, factors = sympy.factor_list(c.expr)
        if len(factors) < 2:
            continue
        kept = sympy.Integer(1)
        changed = False
        for f, m in factors:
            sign = 0
            if f.free_symbols:
                if solver.implies(rest, constraint(-f, "<")) is True:
                    sign = 1
                elif solver.implies(rest, constraint(f, "<")) is True:
                    sign = -1
            if sign == 0:
                kept *= f**m
            else:
                changed = True
                if sign < 0 and m % 2:
                    kept = -kept
        if not changed or not kept.free_symbols:
            continue
        new = constraint(kept, c.rel)
        if isinstance(new, Constraint):
            out[i] = new
    return tuple(out)


def _outside(others: Sequence[Conjunction], domain: Conjunction) -> list[list[Constraint]] | None:
    """``domain and not (others)`` as a list of conjunctions, or ``None`` when too many."""
    choices: list[list[Constraint]] = []
    for o in others:
        alts = [n for c in o for n in negation(c)]
        if any(n is True for n in alts):
            continue  # not o always holds: it restricts nothing
        kept = [n for n in alts if isinstance(n, Constraint)]
        if not kept:
            return []  # o is everything: nothing lies outside
        choices.append(kept)
    size = 1
    for c in choices:
        size *= len(c)
        if size > MAX_CASES:
            return None
    return [[*domain, *combo] for combo in itertools.product(*choices)]


def _covered(extra: Sequence[Constraint | bool], outside: list[list[Constraint]], solver: Solver) -> bool:
    """Whether ``extra`` has no point outside the others (every case infeasible)."""
    return all(solver.feasible([*case, *extra]).feasible is False for case in outside)


def simplify(
    condition: Sequence[Conjunction], solver: Solver, *, domain: Conjunction = ()
) -> tuple[Conjunction, ...]:
    """The simplest equivalent disjunction of conjunctions found (see the module docstring)."""
    parts = [solver.irredundant(_factor_signs(tuple(c), solver)) for c in condition]
    parts = list(dict.fromkeys(parts))
    # 2. drop constraints
    for j in range(len(parts)):
        others = parts[:j] + parts[j + 1 :]
        outside = _outside(others, domain)
        if outside is None:
            continue
        i = 0
        while i < len(parts[j]):
            c = parts[j][i]
            rest = parts[j][:i] + parts[j][i + 1 :]
            if all(_covered([*rest, n], outside, solver) for n in negation(c)):
                parts[j] = rest
            else:
                i += 1
    # 3. drop disjuncts the others cover
    j = 0
    while j < len(parts) and len(parts) > 1:
        outside = _outside(parts[:j] + parts[j + 1 :], domain)
        if outside is not None and _covered(list(parts[j]), outside, solver):
            parts.pop(j)
        else:
            j += 1
    return tuple(dict.fromkeys(parts))
