"""A tiny independent reference for tests: the realization of Def. 1.5.4 with plain Fractions.

It shares no code with symresnet: networks are nested lists of Fractions, activations are
written out here again, by hand from docs/math.md.
"""

from __future__ import annotations

from fractions import Fraction


def relu(x: Fraction) -> Fraction:
    return x if x > 0 else Fraction(0)


def leaky(gamma: Fraction):
    return lambda x: x if x > 0 else gamma * x


def clip(u: Fraction | None, v: Fraction | None):
    def f(x: Fraction) -> Fraction:
        y = x if v is None else min(x, v)
        return y if u is None else max(u, y)

    return f


def heaviside(x: Fraction) -> Fraction:
    return Fraction(1) if x >= 0 else Fraction(0)


def repu(p: int):
    return lambda x: relu(x) ** p


def matvec(W: list[list[Fraction]], x: list[Fraction]) -> list[Fraction]:
    return [sum((w * xi for w, xi in zip(row, x, strict=True)), Fraction(0)) for row in W]


def realization(W, B, skips, act, x0):
    """``x_L`` for weights ``W[k-1]``, biases ``B[k-1]``, ``skips[(r, k)]`` and activation ``act``."""
    xs = [list(x0)]
    L = len(W)
    for k in range(1, L + 1):
        z = [a + b for a, b in zip(matvec(W[k - 1], xs[k - 1]), B[k - 1], strict=True)]
        for (r, kk), V in skips.items():
            if kk == k:
                z = [a + b for a, b in zip(z, matvec(V, xs[r]), strict=True)]
        xs.append(z if k == L else [act(e) for e in z])
    return xs
