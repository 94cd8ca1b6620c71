"""nn.Modules read into the book's form through torch.onnx.export (symresnet.io.torch_import):
the book's res-ann.py shape by both exporters, parameter names kept, and the committed
fixtures (tests/data/onnx/) still what make_fixtures.py makes with this torch."""

from __future__ import annotations

import importlib.util
from fractions import Fraction
from pathlib import Path

import pytest
import torch

from symresnet.base.errors import OnnxError
from symresnet.io.onnx import read_onnx
from symresnet.io.torch_import import from_torch

DATA = Path(__file__).resolve().parents[1] / "data" / "onnx"


def _fixtures():
    spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fixtures = _fixtures()


@pytest.mark.parametrize("dynamo", [True, False])
def test_res_ann_module_is_a_resnet_with_V_13_identity(dynamo):
    module, _ = fixtures.modules()["res_ann"]
    imported = from_torch(module, dynamo=dynamo)
    net = imported.network
    assert net.dims == (2, 3, 3, 3, 1) and set(net.skips) == {(1, 3)}
    assert net.skips[(1, 3)].tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    # the weights are the module's own parameters, exactly (they are dyadic)
    for k in range(1, 5):
        w = getattr(module, f"affine{k}").weight.detach().double().tolist()
        assert net.W[k - 1].tolist() == [[Fraction(v) for v in row] for row in w]
    assert imported.layer_names[2] == ("affine3.weight", "affine3.bias")
    # the committed fixture of this exporter reads as the same network
    tag = "dynamo" if dynamo else "torchscript"
    assert read_onnx(DATA / f"res_ann_{tag}.onnx").network == net


def test_float32_weights_become_their_exact_binary_values():
    linear = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.ReLU(), torch.nn.Linear(1, 1))
    with torch.no_grad():
        linear[0].weight.fill_(0.1)
    net = from_torch(linear, dynamo=False).network
    w = net.W[0][0, 0]
    assert Fraction(int(w.p), int(w.q)) == Fraction(13421773, 134217728)  # float32(0.1)


def test_prelude_module_matches_its_committed_fixture():
    module, n = fixtures.modules()["prelude"]
    net = from_torch(module, input_size=n, dynamo=False).network
    assert net == read_onnx(DATA / "prelude_torchscript.onnx").network


def test_a_module_outside_the_books_form_is_refused_naming_the_node():
    class Square(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 2)

        def forward(self, x):
            h = self.fc(x)
            return h * h

    with pytest.raises(OnnxError, match=r"Mul '.*': multiplies two tensors"):
        from_torch(Square(), dynamo=False)
