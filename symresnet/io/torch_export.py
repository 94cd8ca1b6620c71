"""The book's ResNets (Def. 1.5.1, 1.5.4) -> PyTorch modules in float64: :func:`to_torch`.

The module has one ``nn.Linear`` per layer (``layers.0`` is layer 1: ``weight`` is ``W_1``,
``bias`` is ``B_1``) and one bias-free ``nn.Linear`` per skip ``(r, k)`` whose ``V_{r,k}`` is
not the identity (``skips.V_r_k``); an identity skip is a plain residual ``+ x_r`` (the book's
``res-ann.py`` shape).  Its ``forward`` is the realization of Def. 1.5.4 in float64; every
weight is rounded to the nearest double and the rounding reported per matrix, as by
:func:`symresnet.io.onnx_export.export_onnx`.  torch is an optional extra:
``pip install 'symresnet[torch]'``.
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

from symresnet.base.errors import InputError
from symresnet.base.files import write_atomic
from symresnet.io.onnx_export import Gap, check_exportable, float64_matrix, float_parameter
from symresnet.model.network import ResNet

__all__ = [
    "TORCH_ACTIVATIONS",
    "TorchExport",
    "load_torch_module",
    "to_torch",
    "write_torch",
]

#: the activations a module computes with a torch function of the same name
TORCH_ACTIVATIONS = (
    "relu",
    "leaky_relu",
    "clip",
    "sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "sin",
    "elu",
    "identity",
)


def load_torch_module() -> Any:
    """The ``torch`` package, or an :class:`InputError` saying how to install it."""
    try:
        import torch  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise InputError(
            "PyTorch export and import need the torch package",
            hint="pip install 'symresnet[torch]' (the CPU build: torch==2.13.0)",
        ) from None
    return torch


@dataclasses.dataclass(frozen=True)
class TorchExport:
    """An exported ``torch.nn.Module`` (float64) and the rounding of every matrix."""

    module: Any
    gaps: tuple[Gap, ...]

    @property
    def largest(self) -> Fraction:
        """``max |exact - float64|`` over every weight (``0``: exact)."""
        return max((g.largest for g in self.gaps), default=Fraction(0))


def _activation_function(net: ResNet, torch: Any) -> tuple[Any, list[Gap]]:
    F = torch.nn.functional
    act = net.activation
    name = act.name
    if name == "leaky_relu":
        gamma, gap = float_parameter(act.param("gamma"), "activation.gamma")
        return (lambda z: F.leaky_relu(z, negative_slope=gamma)), [gap]
    if name == "elu":
        gamma, gap = float_parameter(act.param("gamma"), "activation.gamma")
        return (lambda z: F.elu(z, alpha=-gamma)), [gap]  # the book's gamma (1 - e^x)
    if name == "clip":
        u, gap_u = float_parameter(act.param("u"), "activation.u")
        v, gap_v = float_parameter(act.param("v"), "activation.v")
        lo = None if math.isinf(u) else u
        hi = None if math.isinf(v) else v
        return (lambda z: torch.clamp(z, min=lo, max=hi)), [gap_u, gap_v]
    simple = {
        "relu": torch.relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softplus": F.softplus,
        "softsign": F.softsign,
        "sin": torch.sin,
        "identity": lambda z: z,
    }
    return simple[name], []


def to_torch(net: ResNet) -> TorchExport:
    """``net`` as a float64 ``torch.nn.Module`` (module docstring)."""
    torch = load_torch_module()
    nn = torch.nn
    check_exportable(net, known=TORCH_ACTIVATIONS)
    act, gaps = _activation_function(net, torch)
    dims = net.dims

    layers = nn.ModuleList()
    for k in range(1, net.L + 1):
        w, gap_w = float64_matrix(net.W[k - 1], f"W_{k}")
        b, gap_b = float64_matrix(net.B[k - 1], f"B_{k}")
        gaps += [gap_w, gap_b]
        linear = nn.Linear(dims[k - 1], dims[k], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b.ravel()))
        layers.append(linear)
    skips = nn.ModuleDict()
    wiring: list[list[tuple[int, str | None]]] = [[] for _ in range(net.L + 1)]
    for (r, k), v in net.skips.items():
        place = f"V_{{{r},{k}}}"
        identity = v.rows == v.cols and v == v.eye(v.rows)
        if identity:
            gaps.append(Gap(place, 0, Fraction(0)))
            wiring[k].append((r, None))
            continue
        m, gap_v = float64_matrix(v, place)
        gaps.append(gap_v)
        key = f"V_{r}_{k}"
        linear = nn.Linear(dims[r], dims[k], bias=False, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(m))
        skips[key] = linear
        wiring[k].append((r, key))

    class ResNetModule(nn.Module):  # type: ignore[name-defined]
        """A ResNet of Def. 1.5.1 realized as in Def. 1.5.4, in float64."""

        def __init__(self) -> None:
            super().__init__()
            self.layers = layers
            self.skips = skips

        def forward(self, x: Any) -> Any:
            xs = [x]
            L = len(self.layers)
            for k in range(1, L + 1):
                z = self.layers[k - 1](xs[k - 1])
                for r, key in wiring[k]:
                    z = z + (xs[r] if key is None else self.skips[key](xs[r]))
                xs.append(z if k == L else act(z))
            return xs[L]

    return TorchExport(module=ResNetModule().eval(), gaps=tuple(gaps))


def write_torch(net: ResNet, path: str | os.PathLike[str]) -> TorchExport:
    """:func:`to_torch`, saved atomically to ``path`` by ``torch.export.save`` (a ``.pt2``
    archive: ``torch.export.load(path).module()`` is the module, without symresnet)."""
    torch = load_torch_module()
    exported = to_torch(net)
    example = (torch.zeros(1, net.dims[0], dtype=torch.float64),)
    program = torch.export.export(exported.module, example)
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    write_atomic(Path(path), buffer.getvalue(), what="the PyTorch file")
    return exported
