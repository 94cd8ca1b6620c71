"""A ReLU ResNet (Def. 1.5.1-1.5.4) as the verifier needs it: exact Fractions, float64 copies,
and its JSON form inside a certificate (docs/verification.md).

Only ReLU networks with rational weights are verified: ``z_k = W_k x_{k-1} + B_k +
sum_r V_{r,k} x_r``, ``x_k = max(z_k, 0)`` for ``k < L`` and ``y = z_L``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from symresnet.base.errors import ActivationError
from symresnet.compute.region_net import Net
from symresnet.model.network import ResNet

__all__ = ["NetworkData", "network_data"]

Matrix = tuple[tuple[Fraction, ...], ...]


@dataclass(frozen=True, eq=False)
class NetworkData:
    """The weights ``W[k-1] = W_k``, biases ``B[k-1] = B_k`` and skips ``{(r, k): V_{r,k}}``
    exactly, with float64 copies (``Wf``, ``Bf``, ``Vf``) for the search."""

    dims: tuple[int, ...]
    W: tuple[Matrix, ...]
    B: tuple[tuple[Fraction, ...], ...]
    skips: tuple[tuple[int, int, Matrix], ...]
    Wf: tuple[Any, ...]
    Bf: tuple[Any, ...]
    Vf: tuple[tuple[int, int, Any], ...]

    @property
    def L(self) -> int:
        return len(self.W)

    def sources(self, k: int) -> list[tuple[int, Any]]:
        """``(r, M)`` for the float matrices feeding ``z_k``: ``W_k`` from ``x_{k-1}`` and every
        ``V_{r,k}``."""
        return [(k - 1, self.Wf[k - 1])] + [(r, V) for r, kk, V in self.Vf if kk == k]

    def forward(self, X: Any) -> Any:
        """The float64 realization at the rows of ``X`` (shape ``(N, l_0)``)."""
        xs = [X]
        for k in range(1, self.L + 1):
            z = self.Bf[k - 1][None, :] + sum(xs[r] @ M.T for r, M in self.sources(k))
            xs.append(z if k == self.L else np.maximum(z, 0.0))
        return xs[-1]

    def to_json(self) -> dict[str, Any]:
        def mat(m: Matrix) -> list[list[str]]:
            return [[str(v) for v in row] for row in m]

        return {
            "dims": list(self.dims),
            "activation": "relu",
            "layers": [{"W": mat(w), "B": [str(v) for v in b]} for w, b in zip(self.W, self.B, strict=True)],
            "skips": [{"from": r, "to": k, "V": mat(v)} for r, k, v in self.skips],
        }


def _fractions(m: Any) -> Matrix:
    rows, cols = m.nrows(), m.ncols()
    ent = m.entries()
    return tuple(
        tuple(Fraction(int(e.p), int(e.q)) for e in ent[i * cols : (i + 1) * cols]) for i in range(rows)
    )


def network_data(net: ResNet) -> NetworkData:
    """The verifier's copy of ``net``; an :class:`ActivationError` unless it is a ReLU network
    (a :class:`NetworkError` for parameters or irrational weights)."""
    if net.activation.name != "relu":
        raise ActivationError(
            f"verify handles ReLU networks; this one uses {net.activation.text}",
            place="activation",
            hint="use a ReLU network",
        )
    flint_net = Net(net)
    W = tuple(_fractions(w) for w in flint_net.W)
    B = tuple(tuple(Fraction(int(e.p), int(e.q)) for e in bh.entries()[net.dims[0] :: net.dims[0] + 1])
              for bh in flint_net.Bh)
    skips = tuple(
        (r, k, _fractions(V)) for k, items in enumerate(flint_net.skips, start=1) for r, V in items
    )
    return NetworkData(
        dims=tuple(net.dims),
        W=W,
        B=B,
        skips=skips,
        Wf=tuple(np.array([[float(v) for v in row] for row in w], dtype=np.float64).reshape(len(w), -1) for w in W),
        Bf=tuple(np.array([float(v) for v in b], dtype=np.float64) for b in B),
        Vf=tuple((r, k, np.array([[float(v) for v in row] for row in V], dtype=np.float64).reshape(len(V), -1))
                 for r, k, V in skips),
    )
