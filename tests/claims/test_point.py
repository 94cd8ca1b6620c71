"""Point claims decided exactly (Exercise 1.5.1's (1.161), Example 1.5.6's (1.150))."""

from __future__ import annotations

import pytest
import sympy

from symresnet import ClaimError, ResNet, check, compare


def test_exercise_claim_is_false(exercise):
    v = check(exercise, input=[-1], equals=[0], label="1.161")
    assert v.holds is False and v.status == "fails"
    assert v.value == sympy.Matrix([-7])
    assert v.claim.label == "1.161"


def test_example_claim_holds(example):
    v = check(example, input=5, equals=28, label="1.150")
    assert v.holds is True
    assert v.value == sympy.Matrix([28])


@pytest.mark.parametrize(
    ("relation", "expected", "holds"),
    [
        ("at_most", -7, True),
        ("at_most", -8, False),
        ("less", -7, False),
        ("less", "-13/2", True),
        ("at_least", "-7.5", True),
        ("greater", -7, False),
    ],
)
def test_relations(exercise, relation, expected, holds):
    assert check(exercise, input=[-1], **{relation: expected}).holds is holds


def test_vector_output_componentwise():
    net = ResNet(W=[[[1], [-1]]], B=[[0, 0]])  # L = 1: output layer is the identity
    assert check(net, input=[3], equals=[3, -3]).holds is True
    assert check(net, input=[3], equals=[3, 3]).holds is False
    assert check(net, input=[3], at_least=[3, -4]).holds is True


def test_claim_lengths(exercise):
    with pytest.raises(ClaimError, match=r"expected 1 entry \(l_0 = 1\), got 2"):
        check(exercise, input=[1, 2], equals=[0])
    with pytest.raises(ClaimError, match="exactly one of"):
        check(exercise, input=[1])
    with pytest.raises(ClaimError, match="exactly one of"):
        check(exercise, input=[1], equals=0, at_most=1)


def test_claimed_value_of_wrong_length_names_l_L():
    net = ResNet(W=[[[1], [-1]]], B=[[0, 0]])  # l_0 = 1, l_L = l_1 = 2
    with pytest.raises(ClaimError) as info:
        check(net, input=[3], equals=[3])
    assert (info.value.place, info.value.message) == (
        "equals",
        "expected 2 entries (l_L = 2), got 1",
    )
    with pytest.raises(ClaimError) as info:
        check(net, input=[3, 4], at_most=[3, 4])
    assert (info.value.place, info.value.message) == ("input", "expected 1 entry (l_0 = 1), got 2")


def test_closed_form_comparison():
    assert compare("equals", sympy.log(2) + sympy.log(3), sympy.log(6)) is True
    assert compare("less", sympy.exp(-1), sympy.Rational(1, 2)) is True  # 0.3678...
    assert compare("equals", sympy.sqrt(2), sympy.Rational(99, 70)) is False


def test_smooth_activation_claim():
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="softplus")
    v = check(net, input=[0], equals=["log(2)"])
    assert v.holds is True


def test_parameter_claim_depends():
    v = sympy.Symbol("v", real=True)
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], skips={(0, 2): [[v]]})
    verdict = check(net, input=[5], equals=[0])
    assert verdict.holds is None and verdict.status == "depends"
    assert verdict.when is not None
