"""The activations on numerators (symresnet.compute.kernels), through the realization.

Expected values come from the book (by hand).
"""

from __future__ import annotations

from fractions import Fraction

from symresnet import ResNet, realize


def test_heaviside_is_one_at_zero_and_resets_the_denominator():
    # H(0) = 1 (the book's 1_[0, oo)); the skip from x_0 (denominator 3) meets x_2 (denominator 1)
    net = ResNet(
        W=[[[1]], [["1/2"]], [[1]]],
        B=[[0], [0], [0]],
        skips={(0, 3): [["1/5"]]},
        activation="heaviside",
    )
    trace = realize(net, [0])
    assert [layer.output[0] for layer in trace.layers] == [1, 1, 1]
    trace = realize(net, [Fraction(-1, 3)])
    assert [layer.output[0] for layer in trace.layers] == [0, 1, Fraction(14, 15)]
