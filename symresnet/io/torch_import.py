"""PyTorch modules -> the book's ResNets (Def. 1.5.1), exactly: :func:`from_torch`.

The module is exported to ONNX by PyTorch itself (``torch.onnx.export``: by default through
``torch.export``, the "dynamo" exporter; ``dynamo=False`` uses the TorchScript exporter), and
the ONNX graph is read by :func:`symresnet.io.onnx.import_model`: float weights become their
exact binary values, every rewrite is reported, anything outside the book's form is refused
naming the node.  The parameter names (``fc1.weight``) are kept: ``layer_names[k - 1]`` of the
result lists the tensors layer ``k`` was made from.  torch is an optional extra.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from fractions import Fraction
from typing import Any

from symresnet.base.errors import OnnxError
from symresnet.io.onnx import OnnxImport, import_model
from symresnet.io.onnx_tensors import load_onnx_module
from symresnet.io.torch_export import load_torch_module
from symresnet.values.limits import DEFAULT_LIMITS, Limits

__all__ = ["from_torch", "torch_to_onnx"]


def _input_size(module: Any, torch: Any) -> int:
    for sub in module.modules():
        if isinstance(sub, torch.nn.Linear):
            return int(sub.in_features)
    raise OnnxError(
        f"cannot tell the input size of {type(module).__name__} (it has no nn.Linear)",
        hint="pass input_size=",
    )


def torch_to_onnx(module: Any, *, input_size: int | None = None, dynamo: bool = True) -> Any:
    """``module`` exported by ``torch.onnx.export`` as an ``onnx.ModelProto`` (one input row
    of ``input_size`` features, in the dtype of the module's parameters)."""
    torch = load_torch_module()
    onnx = load_onnx_module()
    n = _input_size(module, torch) if input_size is None else input_size
    dtype = next((p.dtype for p in module.parameters()), torch.float32)
    example = (torch.zeros(1, n, dtype=dtype),)
    name = type(module).__name__
    quiet = logging.getLogger("torch")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # torch.onnx logs that torchvision is not installed
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            if dynamo:
                program = torch.onnx.export(module.eval(), example, dynamo=True, verbose=False)
                return program.model_proto
            buffer = io.BytesIO()
            torch.onnx.export(module.eval(), example, buffer, dynamo=False)
            return onnx.load_model_from_string(buffer.getvalue())
    except Exception as err:  # torch's exporters raise many kinds; none is our bug
        raise OnnxError(
            f"torch.onnx.export could not export {name}: {type(err).__name__}: "
            f"{' '.join(str(err).split())[:200]}",
            hint="symresnet reads modules of Linear layers, residual additions and one activation",
        ) from None
    finally:
        quiet.setLevel(level)


def from_torch(
    module: Any,
    *,
    input_size: int | None = None,
    dynamo: bool = True,
    tolerance: Fraction | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> OnnxImport:
    """Read the ``torch.nn.Module`` ``module`` into the book's form (module docstring)."""
    model = torch_to_onnx(module, input_size=input_size, dynamo=dynamo)
    return import_model(
        model, source=f"<torch {type(module).__name__}>", tolerance=tolerance, limits=limits
    )
