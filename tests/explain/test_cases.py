"""The case analysis of a parameter study (symresnet.explain.cases).

Exercise 1.5.1 with W_2's first row (a, 2), by hand (see tests/claims/test_parameter.py):
R(-1) = -max(2a + 4, 0) - 5, so there are two cases, a <= -2 (R = -5) and a > -2
(R = -2a - 9, which is -7 iff a = -1).
"""

from __future__ import annotations

import dataclasses

import sympy
from conftest import EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W

from symresnet import ResNet, check
from symresnet.explain.cases import _same_solver, case_analysis
from symresnet.solve.conditions import Solver

a = sympy.Symbol("a", real=True)


def _verdict():
    net = ResNet(
        W=[EXERCISE_W[0], [[a, 2], [3, -4], [-5, 6]], EXERCISE_W[2]],
        B=EXERCISE_B,
        skips=EXERCISE_SKIPS,
    )
    return check(net, input=[-1], equals=[-7], label="a1")


def _shown(analysis):
    return [(c.condition.value, c.outcome, c.value.links[0].term.value[0]) for c in analysis.cases]


def test_the_case_analysis_reuses_the_studys_solver_and_is_unchanged_by_it():
    verdict = _verdict()
    assert verdict.study is not None and isinstance(verdict.study.solver, Solver)
    shared = case_analysis(verdict)
    fresh = case_analysis(
        dataclasses.replace(verdict, study=dataclasses.replace(verdict.study, solver=None))
    )
    expected = [(a <= -2, "never", -5), (a > -2, "when", -2 * a - 9)]
    assert _shown(shared) == _shown(fresh) == expected


def test_only_a_solver_configured_as_the_default_is_shared():
    default = Solver()
    assert _same_solver(default) is default
    other = Solver(z3_timeout_ms=default.z3_timeout_ms + 1)
    picked = _same_solver(other)
    assert picked is not other and picked.z3_timeout_ms == default.z3_timeout_ms
    assert _same_solver(None).use_z3 == default.use_z3
