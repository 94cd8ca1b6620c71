"""A tiny independent reference for tests: the realization of Def. 1.5.4 with plain Fractions.

It shares no code with symresnet: networks are nested lists of Fractions, activations are
written out here again, by hand from docs/math.md.
"""

from __future__ import annotations

import itertools
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


def student_net(W, B, skips, act, mistake: str, where: tuple[int, ...]):
    """``(W, B, skips, hidden activation, output activation)`` of a student who makes
    ``mistake`` at ``where``: drops the skip ``(r, k)``, forgets the activation, transposes
    ``W_k``, drops ``B_k`` or activates the output layer (each written out here again)."""
    W, B, skips = [list(m) for m in W], [list(b) for b in B], dict(skips)
    hidden, output = act, (lambda e: e)
    if mistake == "skip dropped":
        del skips[tuple(where)]
    elif mistake == "activation forgotten":
        hidden = lambda e: e  # noqa: E731
    elif mistake == "W transposed":
        (k,) = where
        W[k - 1] = [list(col) for col in zip(*W[k - 1], strict=True)]
    elif mistake == "bias dropped":
        (k,) = where
        B[k - 1] = [Fraction(0)] * len(B[k - 1])
    elif mistake == "output layer activated":
        output = act
    else:
        raise ValueError(mistake)
    return W, B, skips, hidden, output


def pre_activations(W, B, skips, hidden, x0):
    """``z_1, ..., z_L`` (the output layer not activated)."""
    xs, zs = [list(x0)], []
    for k in range(1, len(W) + 1):
        z = [a + b for a, b in zip(matvec(W[k - 1], xs[k - 1]), B[k - 1], strict=True)]
        for (r, kk), V in skips.items():
            if kk == k:
                z = [a + b for a, b in zip(z, matvec(V, xs[r]), strict=True)]
        zs.append(z)
        xs.append([hidden(e) for e in z])
    return zs


def extrema_1d(W, B, skips, hidden, output, lo, hi, rest=()):
    """``(min, max)`` of ``t -> output(z_L(t, *rest))`` on ``[lo, hi]`` for a piecewise-linear
    ``hidden`` with its kink at 0, exactly: where layers ``1..k-1`` keep their signs, ``z_k``
    is affine in ``t``; split at its zeros (computed from the ends) and go on to layer
    ``k + 1`` (the output layer is split too, for an activated output)."""
    L = len(W)

    def z(t, k):
        return pre_activations(W, B, skips, hidden, [t, *rest])[k - 1]

    def f(t):
        return output(z(t, L)[0])

    values = []
    pending = [(lo, hi, 1)]
    while pending:
        a, b, k = pending.pop()
        if k > L or a == b:
            values += [f(a), f(b)]
            continue
        cuts = sorted(
            {a + (b - a) * x / (x - y) for x, y in zip(z(a, k), z(b, k), strict=True) if x * y < 0}
        )
        ends = [a, *cuts, b]
        pending += [(u, w, k + 1) for u, w in itertools.pairwise(ends)]
    return min(values), max(values)
