"""The network of a decomposition on python-flint, shared by the engines of
:mod:`symresnet.compute.regions`.

Once the piece of the activation (``Activation.pieces``, a partition of ``R``) that holds each
earlier pre-activation is fixed, ``z_k = W_k x_{k-1} + B_k + sum_r V_{r,k} x_r`` of Def. 1.5.4
is an affine map of the input ``x_0``, skip connections included.  :class:`Net` holds the
weights, biases and skip matrices as exact ``fmpq_mat`` and the activation's pieces as ``fmpq``
(:class:`FlintPiece`), and computes these maps as matrices ``[C | d]`` acting on ``(x_0, 1)``.
It needs a piecewise-linear activation with rational parameters and rational weights
(:class:`ActivationError`, :class:`NetworkError` otherwise).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, cast

import flint

from symresnet.base.errors import ActivationError, NetworkError
from symresnet.model.activations import Activation, Piece
from symresnet.model.network import ResNet
from symresnet.values.rationals import to_fmpq

__all__ = ["ONE", "ZERO", "FlintPiece", "Net", "Q", "require_rational"]

Q = flint.fmpq
ZERO = Q(0)
ONE = Q(1)


@dataclasses.dataclass(frozen=True)
class FlintPiece:
    """A piece of the activation (``Activation.pieces``) with its ends, slope and intercept as
    ``fmpq`` (an end ``None`` is infinite)."""

    lo: flint.fmpq | None
    hi: flint.fmpq | None
    lo_closed: bool
    hi_closed: bool
    slope: flint.fmpq
    intercept: flint.fmpq

    def contains(self, z: flint.fmpq) -> bool:
        if self.lo is not None and (z < self.lo or (z == self.lo and not self.lo_closed)):
            return False
        return not (self.hi is not None and (z > self.hi or (z == self.hi and not self.hi_closed)))


def require_rational(
    net: ResNet, *, what: str = "linear regions", done: str = "computed"
) -> None:
    """Refuse (:class:`NetworkError`) a network with parameters or an irrational entry in a
    ``W_k``, ``B_k`` or skip matrix ``V_{r,k}`` (Def. 1.5.4): regions are polyhedra of inputs
    for fixed rational weights.  ``what`` names the computation in the message, ``done`` what
    is done with it."""
    if net.free_symbols:
        names = ", ".join(sorted(s.name for s in net.free_symbols))
        raise NetworkError(
            f"{what} are {done} for networks without parameters; this one has {names}",
            hint="give the parameters values: symresnet study sweeps them",
        )
    named = [
        *((f"layers[{k}].W", w) for k, w in enumerate(net.W, start=1)),
        *((f"layers[{k}].B", b) for k, b in enumerate(net.B, start=1)),
        *((f"skips V_{{{r},{k}}}", v) for (r, k), v in net.skips.items()),
    ]
    for place, m in named:
        bad = next((e for e in m if not e.is_Rational), None)
        if bad is not None:
            raise NetworkError(
                f"{what} need rational weights, biases and skip matrices; {place} holds {bad}",
                hint="write the irrational entries as rationals close to them",
            )


class Net:
    """The network's data as flint matrices, with the activation's pieces as fmpq."""

    def __init__(self, net: ResNet):
        _require_piecewise_linear(net.activation)
        require_rational(net)  # regions are polyhedra of inputs for fixed, rational weights
        self.net: ResNet | None = net
        self._setup(
            net.activation,
            [_mat(w) for w in net.W],
            [[to_fmpq(e) for e in b] for b in net.B],
            {(r, k): _mat(v) for (r, k), v in net.skips.items()},
        )

    @classmethod
    def from_fmpq(
        cls,
        act: Activation,
        W: Sequence[flint.fmpq_mat],
        B: Sequence[Sequence[flint.fmpq]],
        skips: Mapping[tuple[int, int], flint.fmpq_mat],
    ) -> Net:
        """The same from exact ``W_k``, ``B_k`` and ``V_{r,k}`` already in flint numbers (no
        :class:`ResNet`, no sympy): for callers that draw many networks."""
        _require_piecewise_linear(act)
        self = cls.__new__(cls)
        self.net = None
        self._setup(act, list(W), [list(b) for b in B], dict(skips))
        return self

    def _setup(
        self,
        act: Activation,
        W: list[flint.fmpq_mat],
        B: list[list[flint.fmpq]],
        skips: dict[tuple[int, int], flint.fmpq_mat],
    ) -> None:
        self.L = len(W)
        self.dims = (W[0].ncols(), *(w.nrows() for w in W))
        self.n = self.dims[0]
        self.continuous = act.continuous
        self.pieces = tuple(_piece(p) for p in act.pieces)
        # the pieces after the first start at a finite breakpoint (they partition R in order)
        self.breakpoints = tuple(cast(flint.fmpq, p.lo) for p in self.pieces[1:])
        # 1: the identity piece, 0: the zero piece, None: slope s and intercept c
        self._kinds = tuple(
            1
            if p.slope == 1 and p.intercept == 0
            else (0 if p.slope == 0 and p.intercept == 0 else None)
            for p in self.pieces
        )
        self._zero_row = [ZERO] * (self.n + 1)
        self.W = W
        n1 = self.n + 1
        self.Bh = [
            flint.fmpq_mat(len(b), n1, [v for e in b for v in [*([ZERO] * self.n), e]]) for b in B
        ]
        self.skips: list[list[tuple[int, flint.fmpq_mat]]] = [
            [(r, v) for (r, kk), v in skips.items() if kk == k] for k in range(1, self.L + 1)
        ]
        # x_r is needed up to layer last_use[r]
        self.last_use = {r: r + 1 for r in range(self.L)}
        for r, k in skips:
            self.last_use[r] = max(self.last_use[r], k)

    def identity_map(self) -> flint.fmpq_mat:
        n = self.n
        return flint.fmpq_mat(
            n, n + 1, [ONE if j == i else ZERO for i in range(n) for j in range(n + 1)]
        )

    def preactivation(self, k: int, maps: dict[int, flint.fmpq_mat]) -> flint.fmpq_mat:
        """``z_k = W_k x_{k-1} + B_k + sum_r V_{r,k} x_r`` as a map of ``(x_0, 1)``."""
        Z = self.W[k - 1] * maps[k - 1] + self.Bh[k - 1]
        for r, V in self.skips[k - 1]:
            Z = Z + V * maps[r]
        return Z

    def output_map(self, Z: flint.fmpq_mat, pattern: Sequence[int]) -> flint.fmpq_mat:
        """``x_k = M_a(z_k)`` on the pieces ``pattern``: slope times the row plus intercept."""
        n1 = self.n + 1
        ent = Z.entries()
        zero = self._zero_row
        out: list[flint.fmpq] = []
        for i, p in enumerate(pattern):
            kind = self._kinds[p]
            if kind == 1:
                out += ent[i * n1 : (i + 1) * n1]
            elif kind == 0:
                out += zero
            else:
                piece = self.pieces[p]
                s, c = piece.slope, piece.intercept
                row = ent[i * n1 : (i + 1) * n1]
                out += [s * v for v in row[:-1]]
                out.append(s * row[-1] + c)
        return flint.fmpq_mat(len(pattern), n1, out)

    def piece_index(self, z: flint.fmpq) -> int:
        for idx, piece in enumerate(self.pieces):
            if piece.contains(z):
                return idx
        raise AssertionError("the pieces of an activation partition R")

    def prune(self, maps: dict[int, flint.fmpq_mat], k: int) -> None:
        for r in [r for r in maps if self.last_use[r] < k + 1]:
            del maps[r]


def _require_piecewise_linear(act: Activation) -> None:
    if not act.piecewise_linear or not act.rational:
        raise ActivationError(
            f"linear regions need a piecewise-linear activation with rational parameters; "
            f"this network uses {act.text}",
            place="activation",
            hint="ReLU, leaky ReLU, clipping and Heaviside are piecewise linear",
        )


def _mat(m: Any) -> flint.fmpq_mat:
    """A sympy matrix of rationals as an ``fmpq_mat`` (from its DomainMatrix when it is one)."""
    rep = getattr(m, "_rep", None)
    dom = getattr(rep, "domain", None)
    if rep is not None and dom is not None and (dom.is_QQ or dom.is_ZZ):
        values = rep.to_list_flat()
        if all(isinstance(v, (flint.fmpq, flint.fmpz)) for v in values):  # flint ground types
            return flint.fmpq_mat(m.rows, m.cols, [Q(v) for v in values])
    entries = list(m)
    bad = next((e for e in entries if not e.is_Rational), None)
    if bad is not None:
        raise NetworkError(
            f"linear regions need rational weights, got {bad}",
            place="layers",
            hint="parameters and irrational entries have no exact regions here",
        )
    return flint.fmpq_mat(m.rows, m.cols, [to_fmpq(e) for e in entries])


def _piece(p: Piece) -> FlintPiece:
    lo = None if p.lo.is_infinite else to_fmpq(p.lo)
    hi = None if p.hi.is_infinite else to_fmpq(p.hi)
    return FlintPiece(lo, hi, p.lo_closed, p.hi_closed, to_fmpq(p.slope), to_fmpq(p.intercept))
