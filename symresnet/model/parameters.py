"""Declared real parameters: names that weights, biases, skips and claims may use.

A spec's ``[parameters]`` table declares each parameter, optionally with bounds
(``a = { min = 0, max = 1 }``); a parameter claim is then answered for the values within them.
"""

from __future__ import annotations

import dataclasses

import sympy

__all__ = ["Parameter"]


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A declared real parameter (``[parameters] a = { min = 0, max = 1 }``)."""

    symbol: sympy.Symbol
    min: sympy.Expr | None = None
    max: sympy.Expr | None = None

    @property
    def name(self) -> str:
        return self.symbol.name
