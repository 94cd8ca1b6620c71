"""symresnet.explain.derivation: the tree of the book's proof of Example 1.5.6, for any network.

Expected values are the book's ((1.153)-(1.156), Exercise 1.5.1) or computed by hand here.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import sympy
from conftest import EXAMPLE_B, EXAMPLE_SKIPS, EXAMPLE_W

from symresnet import ResNet, check, realize
from symresnet.base.errors import DerivationCheckError
from symresnet.claims.point import PointClaim
from symresnet.claims.verdict import Verdict
from symresnet.explain.derivation import derive
from symresnet.explain.tree import (
    Apply,
    Atom,
    Condition,
    DerivationOptions,
    MatrixTerm,
    NameLabel,
    Product,
    Sum,
    ValueTerm,
    Var,
)
from symresnet.model.activations import IDENTITY, activation

M = sympy.ImmutableMatrix


def col(*xs):
    return M([[e] for e in xs])


def test_example_1_5_6_layer_by_layer(example):
    d = derive(realize(example, [5]), title="Example 1.5.6")
    assert [s.k for s in d.steps] == [1, 2, 3, 4]
    relu = activation("relu")
    # (1.154): x_2 = M_{r,2}(W_2 x_1 + B_2) = M_{r,2}((1; 2)(5) + (0; 1)) = M_{r,2}((5; 11)) = (5; 11)
    s2 = d.steps[1]
    assert s2.chain.first == Var("x", (2,))
    assert s2.symbolic == Apply(
        relu,
        Atom(sympy.Integer(2)),
        Sum((Product((Var("W", (2,)), Var("x", (1,)))), Var("B", (2,)))),
    )
    assert s2.substituted.argument == Sum(
        (Product((MatrixTerm(M([[1], [2]])), MatrixTerm(col(5)))), MatrixTerm(col(0, 1)))
    )
    assert s2.summed == Apply(relu, Atom(sympy.Integer(2)), ValueTerm(col(5, 11)))
    assert s2.activated == ValueTerm(col(5, 11))
    # (1.156): the output layer is M_{id,1}, with the skip V_{0,4} x_0 after B_4
    s4 = d.steps[3]
    assert s4.symbolic.function == IDENTITY
    assert s4.symbolic.argument.terms[2] == Product((Var("V", (0, 4)), Var("x", (0,))))
    assert s4.substituted.argument == Sum(
        (
            Product((MatrixTerm(M([[2, 2]])), MatrixTerm(col(5, 11)))),
            MatrixTerm(col(1)),
            Product((MatrixTerm(col(-1)), MatrixTerm(col(5)))),
        )
    )
    assert s4.summed.argument == ValueTerm(col(28))
    assert s4.activated == ValueTerm(col(28))
    assert d.result.links[0].term == ValueTerm(col(28), point=True)
    assert d.claim is None and d.names == {}
    # layers without skips have only W_k x_{k-1} + B_k
    assert all(len(s.symbolic.argument.terms) == 2 for s in d.steps[:3])


def test_exercise_1_5_1_is_disproved(exercise):
    d = derive(check(exercise, input=[-1], equals=[0], label="1.161"))
    s3 = d.steps[2]
    assert [t for t in s3.symbolic.argument.terms[2:]] == [
        Product((Var("V", (0, 3)), Var("x", (0,)))),
        Product((Var("V", (1, 3)), Var("x", (1,)))),
    ]
    assert d.steps[1].summed.argument == ValueTerm(col(2, -2, 2))
    assert d.steps[1].activated == ValueTerm(col(2, 0, 2))
    assert s3.summed.argument == ValueTerm(col(-7))
    c = d.claim
    assert c.status == "fails" and c.label == "1.161" and c.failing == (1,)
    assert [(link.relation, link.negated) for link in c.result.links] == [
        ("equals", False),
        ("equals", True),
    ]
    assert c.value == ValueTerm(col(-7), point=True)
    assert c.expected == ValueTerm(col(0), point=True)


def test_example_claim_holds_without_repeating_the_value(example):
    c = derive(check(example, input=5, equals=28, label="1.150")).claim
    assert c.status == "holds" and c.failing == ()
    assert [link.relation for link in c.result.links] == ["equals"]


def test_inequality_claims_state_the_relation(exercise):
    c = derive(check(exercise, input=[-1], at_most=[-5])).claim
    assert c.status == "holds"
    assert [(link.relation, link.negated) for link in c.result.links] == [
        ("equals", False),
        ("at_most", False),
    ]
    c = derive(check(exercise, input=[-1], greater=[-7])).claim
    assert c.status == "fails"
    assert c.result.links[1].relation == "greater" and c.result.links[1].negated


def test_vector_output_lists_the_failing_entries():
    net = ResNet(W=[[[1], [-1], [2]]], B=[[0, 0, 1]])  # L = 1: x_1 = (x; -x; 2x + 1)
    c = derive(check(net, input=[2], at_least=[0, 0, 0])).claim
    assert c.status == "fails" and c.failing == (2,)
    assert c.value == ValueTerm(col(2, -2, 5), point=True)


def test_plain_network_has_no_skip_terms():
    net = ResNet.plain(W=[[[1, 0], [0, -1], [-2, 2]], [[1, -2, 3]]], B=[[0, 2, -1], [1]])
    d = derive(realize(net, [1, 2]))
    assert d.problem.skips == ()
    assert len(d.recursion.links[0].term.argument.terms) == 2  # no sum over S
    assert d.result.links[0].term == ValueTerm(col(5), point=True)


class _Tampered:
    """A layer of a trace whose output was changed: a derivation must refuse it."""

    def __init__(self, layer, output):
        self.k, self.activation = layer.k, layer.activation
        self.preactivation, self.output = layer.preactivation, output


def test_a_wrong_trace_is_refused(example):
    trace = realize(example, [5])
    bad = list(trace.layers)
    bad[1] = _Tampered(bad[1], col(5, 12))
    with pytest.raises(DerivationCheckError, match="layer 2"):
        derive(dataclasses.replace(trace, layers=tuple(bad)))


def test_a_wrong_verdict_is_refused(exercise):
    v = check(exercise, input=[-1], equals=[0])
    with pytest.raises(DerivationCheckError, match="reported to hold"):
        derive(dataclasses.replace(v, status="holds"))


def test_large_numbers_are_named_and_defined():
    net = ResNet(W=[[[1000]], [[1000]]], B=[[0], [1]])
    d = derive(realize(net, [7]), options=DerivationOptions(max_digits=3))
    z11, z21 = sympy.Symbol("z_{1,1}", real=True), sympy.Symbol("z_{2,1}", real=True)
    assert d.names == {z11: NameLabel("z", 1, 1), z21: NameLabel("z", 2, 1)}
    s1, s2 = d.steps
    # 7000 has 4 digits: named once, and relu(7000) = 7000 reuses the name
    assert [c.links[0].term for c in s1.definitions] == [Atom(sympy.Integer(7000))]
    assert s1.activated == ValueTerm(col(z11))
    assert s2.substituted.argument.terms[0] == Product(
        (MatrixTerm(M([[1000]])), MatrixTerm(col(z11)))
    )
    assert [c.links[0].term for c in s2.definitions] == [Atom(sympy.Integer(7000001))]
    assert d.result.links[0].term == ValueTerm(col(z21), point=True)


def _tanh_reference(W, B, x0):
    """The realization with floats (math.tanh), written out here independently."""
    xs = [x0]
    for k, (w, b) in enumerate(zip(W, B, strict=True), start=1):
        z = [
            sum(wi * xi for wi, xi in zip(row, xs[-1], strict=True)) + bi
            for row, bi in zip(w, b, strict=True)
        ]
        xs.append(z if k == len(W) else [math.tanh(e) for e in z])
    return xs[-1]


def test_smooth_values_are_named_and_still_exact():
    W = [[[1], [-2]], [[1, 1], [2, -1]], [[1, -3], [1, 1]], [[2, 1]]]
    B = [[0, 1], [1, 0], [0, 0], [0]]
    net = ResNet(W=W, B=B, activation="tanh")
    d = derive(realize(net, [1]), options=DerivationOptions(max_ops=6))
    assert d.names, "deep tanh values must be abbreviated"
    defs = {c.first.value: c.links[0].term.value for s in d.steps for c in s.definitions}
    value = d.result.links[0].term.value[0]
    while value.free_symbols & defs.keys():  # unfold the definitions, latest first
        value = value.xreplace(defs)
    assert float(value) == pytest.approx(_tanh_reference(W, B, [1])[0], rel=1e-12)
    # each definition refers only to names defined before it
    seen = set()
    for s in d.steps:
        for c in s.definitions:
            assert c.links[0].term.value.free_symbols <= seen
            seen.add(c.first.value)


def test_parameter_dependent_claim_carries_its_condition():
    a = sympy.Symbol("a", real=True)
    net = ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips={(0, 4): [[a]]})
    c = derive(check(net, input=[5], equals=[28])).claim
    assert c.status == "depends"
    assert isinstance(c.when, Condition)
    assert sympy.simplify(c.when.value.subs(a, -1)) is sympy.true
    assert sympy.simplify(c.when.value.subs(a, 0)) is sympy.false
    assert c.value.value[0].expand() == 33 + 5 * a


def test_undecided_claim_keeps_the_note_and_an_approximation():
    trace = realize(ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips=EXAMPLE_SKIPS, activation="tanh"), [5])
    claim = PointClaim(input=col(5), expected=col(3))
    verdict = Verdict(claim, trace, "undecided", (None,), note="no certified digits")
    c = derive(verdict).claim
    assert c.status == "undecided" and c.note == "no certified digits"
    assert [link.relation for link in c.result.links] == ["equals"]
    assert abs(float(c.approx[0]) - float(trace.output[0])) < 1e-12


def test_symbolic_input():
    x = sympy.Symbol("x", real=True)
    net = ResNet(W=[[[1], [2]], [[-1, 1]]], B=[[3, 4], [0]])
    d = derive(realize(net, [x]))
    assert d.steps[0].summed.argument == ValueTerm(col(x + 3, 2 * x + 4))
    assert d.steps[0].activated == ValueTerm(col(sympy.Max(0, x + 3), sympy.Max(0, 2 * x + 4)))


@pytest.mark.parametrize("bad", [{"max_digits": 0}, {"max_ops": -1}, {"max_ops": True}])
def test_options_are_checked(bad):
    with pytest.raises(ValueError, match="positive integer"):
        DerivationOptions(**bad)


def test_only_traces_and_verdicts():
    with pytest.raises(TypeError, match="Trace or a Verdict"):
        derive("x_0 = 5")  # type: ignore[arg-type]
