"""Make the tiny ONNX fixtures of tests/io/test_onnx_torch_fixtures.py with PyTorch's own
exporters, so that the tests without torch still cover what torch writes.

    python tests/data/onnx/make_fixtures.py      # needs torch==2.13.0 and onnxscript

Each module is written twice: by the dynamo exporter (``torch.onnx.export(..., dynamo=True)``,
through ``torch.export``) as ``NAME_dynamo.onnx`` and by the TorchScript exporter
(``dynamo=False``) as ``NAME_torchscript.onnx``; the two differ (node names, opset, how a
bias-free Linear and LeakyReLU appear).  Every weight is a small dyadic number set by hand
here, so the tests know the exact network to expect.
"""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

import torch
from torch import nn

HERE = Path(__file__).resolve().parent

#: the book's res-ann.py shape, weights by hand (out, in)
RES_ANN = {
    "affine1.weight": [[1, -1], [0.5, 2], [-0.25, 1]],
    "affine1.bias": [0, 1, -0.5],
    "affine2.weight": [[1, 0, -1], [-1, 1, 0.5], [0, 2, 1]],
    "affine2.bias": [0.25, 0, -1],
    "affine3.weight": [[2, 1, 0], [0, -1, 1], [0.5, 0, -2]],
    "affine3.bias": [-1, 0.5, 0],
    "affine4.weight": [[1, -2, 0.75]],
    "affine4.bias": [3],
}

#: a prelude (x - mean) / range, a Linear, LeakyReLU(0.01), a bias-free skip Linear, a Linear
PRELUDE = {
    "mean": [[0.5, -1, 2]],
    "range": [[2, 4, 0.5]],
    "fc1.weight": [[1, -1, 0.5], [2, 0, -1]],
    "fc1.bias": [0.5, -0.25],
    "fc2.weight": [[1, 0.5], [-1, 2]],
    "fc2.bias": [0, 1],
    "proj.weight": [[0.25, 0, -1], [1, 1, 0]],
}


class ResAnn(nn.Module):
    """``x1 = relu(A1 x0)``, ``x2 = relu(A2 x1)``, ``x3 = relu(x1 + A3 x2)``, ``y = A4 x3``."""

    def __init__(self) -> None:
        super().__init__()
        self.affine1 = nn.Linear(2, 3)
        self.affine2 = nn.Linear(3, 3)
        self.affine3 = nn.Linear(3, 3)
        self.affine4 = nn.Linear(3, 1)

    def forward(self, x0: torch.Tensor) -> torch.Tensor:
        x1 = torch.relu(self.affine1(x0))
        x2 = torch.relu(self.affine2(x1))
        x3 = torch.relu(x1 + self.affine3(x2))
        return self.affine4(x3)


class Prelude(nn.Module):
    """``h = leaky(fc1((x - mean) / range))``, ``y = fc2(h) + proj((x - mean) / range)``."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(1, 3))
        self.register_buffer("range", torch.ones(1, 3))
        self.fc1 = nn.Linear(3, 2)
        self.act = nn.LeakyReLU(0.01)
        self.fc2 = nn.Linear(2, 2)
        self.proj = nn.Linear(3, 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = (x - self.mean) / self.range
        return self.fc2(self.act(self.fc1(z))) + self.proj(z)


def _filled(module: nn.Module, values: dict[str, list]) -> nn.Module:
    state = {k: torch.tensor(v, dtype=torch.float32) for k, v in values.items()}
    module.load_state_dict(state, strict=True)
    return module.eval()


def modules() -> dict[str, tuple[nn.Module, int]]:
    """The fixtures' modules (weights set) and their input sizes."""
    return {
        "res_ann": (_filled(ResAnn(), RES_ANN), 2),
        "prelude": (_filled(Prelude(), PRELUDE), 3),
    }


def export(module: nn.Module, n: int, *, dynamo: bool) -> bytes:
    """The module exported by torch (one input row of ``n`` float32 features)."""
    example = (torch.zeros(1, n),)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dynamo:
            return torch.onnx.export(
                module, example, dynamo=True, verbose=False
            ).model_proto.SerializeToString()
        buffer = io.BytesIO()
        torch.onnx.export(module, example, buffer, dynamo=False)
        return buffer.getvalue()


def main() -> int:
    for name, (module, n) in modules().items():
        for dynamo, tag in ((True, "dynamo"), (False, "torchscript")):
            path = HERE / f"{name}_{tag}.onnx"
            path.write_bytes(export(module, n, dynamo=dynamo))
            print(f"wrote {path.name} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
