"""Declared real parameters: names that weights, biases, skips and claims may use.

A spec's ``[parameters]`` table declares each parameter, optionally with bounds
(``a = { min = 0, max = 1 }``); a parameter claim is then answered for the values within them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import sympy

from symresnet.model.activations import Activation
from symresnet.model.network import Matrix, ResNet

__all__ = ["Parameter", "substitute"]


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A declared real parameter (``[parameters] a = { min = 0, max = 1 }``)."""

    symbol: sympy.Symbol
    min: sympy.Expr | None = None
    max: sympy.Expr | None = None

    @property
    def name(self) -> str:
        return self.symbol.name


def substitute(network: ResNet, subs: Mapping[sympy.Symbol, sympy.Expr]) -> ResNet:
    """The network with parameter values substituted into ``W``, ``B``, ``V`` and the
    activation's parameters (validated again: Def. 1.5.2, Section 1.2)."""
    if not subs or not network.free_symbols:
        return network

    def put(m: sympy.MatrixBase) -> Matrix:
        return Matrix(m.xreplace(dict(subs)))

    act = network.activation
    return network.replace(
        W=[put(w) for w in network.W],
        B=[put(b) for b in network.B],
        skips={key: put(v) for key, v in network.skips.items()},
        activation=Activation(act.name, tuple((k, v.xreplace(dict(subs))) for k, v in act.params)),
    )
