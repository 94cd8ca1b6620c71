"""Activation patterns and the affine maps of a pattern's region (Def. 1.5.4, piecewise linear).

For a piecewise-linear activation a realization is affine on the set of inputs whose hidden
neurons all lie in fixed pieces of the activation.  Both are read from the exact
pre-activations of :mod:`symresnet.compute.core`.

API
---
``patterns(net, points) -> list[Pattern]``
    For each point, the index (into ``net.activation.pieces``) of the piece each hidden
    neuron's pre-activation lies in: ``pattern[k-1][i]`` for layer ``k < L``, neuron ``i``.
``affine_maps(net, pattern) -> list[AffineLayer]``
    For a fixed pattern, the affine maps ``x_0 -> z_k = C x_0 + d`` and ``x_0 -> x_k``
    composed layer by layer with the skips (on the region of that pattern the realization is
    ``x_L = C x_0 + d``).  Computed by the same :func:`~symresnet.compute.core.run` on the
    homogeneous columns ``(I_{l_0}; 0)`` and ``(0; 1)``.

Example (Example 1.5.6)::

    >>> from symresnet import ResNet
    >>> net = ResNet(W=[[[1]], [[1], [2]], [[1, 0], [0, 1]], [[2, 2]]],
    ...              B=[[0], [0, 1], [0, 0], [1]], skips={(0, 4): [[-1]]})
    >>> patterns(net, [[5]])
    [((1,), (1, 1), (1, 1))]
    >>> a = affine_maps(net, ((1,), (1, 1), (1, 1)))[-1].x
    >>> (a.C.to_fmpq_mat(), a.d.to_fmpq_mat())
    ([5], [3])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from math import lcm
from typing import Any, TypeAlias

import flint

from symresnet.base.errors import NetworkError
from symresnet.compute.core import Compiled, preactivations, require_complete, run
from symresnet.compute.kernels import Kernel
from symresnet.compute.scaled import Matrix, Scaled, columns, frac, to_sympy
from symresnet.model.activations import Activation
from symresnet.values.rationals import to_fmpq

__all__ = ["AffineLayer", "AffineMap", "Pattern", "affine_maps", "patterns"]

#: per hidden layer ``k = 1..L-1``, per neuron, the index of the activation piece it is in
Pattern: TypeAlias = tuple[tuple[int, ...], ...]

_ONE = flint.fmpz(1)


# -- activation patterns -------------------------------------------------------------------------


def _piece_bounds(act: Activation) -> list[tuple[flint.fmpz, flint.fmpz, bool]]:
    """Upper ends ``(p, q, closed)`` of all pieces but the last (see ``Activation.pieces``)."""
    return [(*frac(piece.hi), piece.hi_closed) for piece in act.pieces[:-1]]


def _piece_index(
    bounds: list[tuple[flint.fmpz, flint.fmpz, bool]], e: flint.fmpz, den: flint.fmpz
) -> int:
    for i, (p, q, closed) in enumerate(bounds):
        lhs, rhs = e * q, p * den
        if lhs < rhs or (closed and lhs == rhs):
            return i
    return len(bounds)


def patterns(net: Any, points: Iterable[Sequence[object]] | Scaled) -> list[Pattern]:
    """The activation pattern of every point: ``pattern[k-1][i]`` is the index in
    ``net.activation.pieces`` of the piece containing ``z_{k,i}``, hidden layers ``k < L``."""
    bounds = _piece_bounds(net.activation)
    X = points if isinstance(points, Scaled) else columns(points)
    zs = preactivations(net, X)[:-1]
    n = X.shape[1]  # the number of points (columns), also when there is no hidden layer
    per_layer = []
    for z in zs:
        rows = z.num.tolist()
        per_layer.append([[_piece_index(bounds, e, z.den) for e in row] for row in rows])
    return [tuple(tuple(row[j] for row in layer) for layer in per_layer) for j in range(n)]


# -- affine maps for a fixed pattern -------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class AffineMap:
    """``x_0 -> C x_0 + d``, stored homogeneously as ``M = (C | d)`` (``l x (l_0 + 1)``)."""

    M: Scaled

    @property
    def C(self) -> Scaled:
        return self.M.columns(0, self.M.shape[1] - 1)

    @property
    def d(self) -> Scaled:
        return self.M.columns(self.M.shape[1] - 1, self.M.shape[1])

    def __call__(self, x0: Sequence[object]) -> list[flint.fmpq]:
        """The value at a rational point ``x_0`` (exact)."""
        col = flint.fmpq_mat([[to_fmpq(v)] for v in x0] + [[flint.fmpq(1)]])
        return (self.M.to_fmpq_mat() * col).entries()

    def to_sympy(self) -> tuple[Matrix, Matrix]:
        """``(C, d)`` as sympy matrices."""
        return to_sympy(self.C), to_sympy(self.d)


@dataclasses.dataclass(frozen=True, eq=False)
class AffineLayer:
    """For a fixed pattern: ``z_k = pre(x_0)`` and ``x_k = x(x_0)`` (Def. 1.5.4)."""

    k: int
    pre: AffineMap
    x: AffineMap


def _pattern_kernel(act: Activation, pieces: tuple[int, ...]) -> Kernel:
    """The affine function of each neuron's piece, applied to homogeneous columns."""
    table = act.pieces
    try:
        chosen = [table[i] for i in pieces]
    except (IndexError, TypeError):
        raise NetworkError(
            f"piece indices must be 0..{len(table) - 1} ({act.text} has {len(table)} pieces)",
            place="pattern",
        ) from None
    coeffs = [(frac(p.slope), frac(p.intercept)) for p in chosen]
    m = flint.fmpz(lcm(*(int(den) for pair in coeffs for _, den in pair)))
    slopes = [s * (m // q) for (s, q), _ in coeffs]
    intercepts = [t * (m // r) for _, (t, r) in coeffs]
    n = len(pieces)

    def apply(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
        diag = flint.fmpz_mat(n, n, [s * (i == j) for i, s in enumerate(slopes) for j in range(n)])
        t = flint.fmpz_mat(n, 1, [c * den for c in intercepts])
        last = flint.fmpz_mat(1, z.ncols(), [0] * (z.ncols() - 1) + [1])
        return diag * z + t * last, den * m

    return apply


def affine_maps(net: Any, pattern: Pattern) -> list[AffineLayer]:
    """The affine maps ``x_0 -> z_k`` and ``x_0 -> x_k`` on the region of ``pattern``.

    ``pattern[k-1]`` gives, for each neuron of hidden layer ``k < L``, the index of its piece in
    ``net.activation.pieces`` (as returned by :func:`patterns`).  On the set of inputs with this
    pattern the realization of Def. 1.5.4 is ``x_L = C x_0 + d`` with ``(C, d)`` the last
    layer's ``x`` map; the region itself is cut out by ``z_k`` lying in the chosen pieces.
    """
    model = require_complete(net, "affine_maps")
    L, dims = model.L, model.dims
    if len(pattern) != L - 1:
        raise NetworkError(
            f"a pattern has one entry per hidden layer ({L - 1}), got {len(pattern)}",
            place="pattern",
        )
    layers = []
    for layer in model.layers:
        if layer.k < L:
            pieces = tuple(pattern[layer.k - 1])
            if len(pieces) != dims[layer.k]:
                raise NetworkError(
                    f"layer {layer.k} has {dims[layer.k]} neurons, the pattern gives {len(pieces)}",
                    place=f"pattern[{layer.k}]",
                )
            act = _pattern_kernel(net.activation, pieces)
            layer = dataclasses.replace(layer, act=act)
        layers.append(layer)
    l0 = dims[0]
    start = Scaled(
        flint.fmpz_mat(l0, l0 + 1, [int(i == j) for i in range(l0) for j in range(l0 + 1)]), _ONE
    )
    last = flint.fmpz_mat(1, l0 + 1, [0] * l0 + [1])
    steps = run(Compiled(dims, tuple(layers)), start, ones=last)
    return [AffineLayer(s.k, AffineMap(s.z), AffineMap(s.x)) for s in steps]
