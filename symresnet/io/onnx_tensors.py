"""ONNX tensors and attributes as exact values (docs/onnx.md, "Exactness").

Every float of an ONNX file is a binary number: a weight stored as float32, float16, bfloat16
or float64 becomes its exact value ``Fraction(float(w))`` (all four formats embed exactly in
float64), a FLOAT attribute (LeakyRelu's ``alpha``, BatchNormalization's ``epsilon``) its
exact float32 value.  Nothing is rounded to a "nicer" rational here: that happens only on
request (:mod:`symresnet.io.rationalize`).

A constant tensor is a numpy array of ``dtype=object`` holding :class:`~fractions.Fraction`
entries, so that numpy's shapes and broadcasting apply while the arithmetic stays exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from symresnet.base.errors import InputError, OnnxError
from symresnet.values.limits import Guard, Limits

__all__ = [
    "FLOAT_TYPES",
    "attribute",
    "exact_array",
    "float32_value",
    "load_onnx_module",
    "node_label",
    "tensor_values",
]

#: ONNX element types holding binary floats (FLOAT, FLOAT16, DOUBLE, BFLOAT16)
FLOAT_TYPES = frozenset({1, 10, 11, 16})
#: ONNX integer and boolean element types (shapes, axes, indices)
INT_TYPES = frozenset({2, 3, 4, 5, 6, 7, 9, 12, 13})
_TYPE_NAMES = {
    0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32",
    7: "INT64", 8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64",
    14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16",
}  # fmt: skip


def load_onnx_module() -> Any:
    """The ``onnx`` package, or an :class:`OnnxError` saying how to install it."""
    try:
        import onnx  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise OnnxError(
            "reading ONNX files needs the onnx package",
            hint="pip install 'symresnet[onnx]'",
        ) from None
    return onnx


def type_name(elem_type: int) -> str:
    """``FLOAT`` for 1, ... (the names of onnx.TensorProto.DataType)."""
    return _TYPE_NAMES.get(elem_type, f"type {elem_type}")


def node_label(node: Any, index: int) -> str:
    """``Gemm '/fc1/Gemm'``, or ``Gemm (node 3)`` for a node without a name."""
    name = str(node.name)
    shown = repr(name if len(name) <= 60 else name[:57] + "...")
    return f"{node.op_type} {shown}" if name else f"{node.op_type} (node {index})"


def exact_array(values: Sequence[Fraction] | np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """An object array of the given shape holding ``values`` (Fractions) in C order."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out.reshape(tuple(shape))


def float32_value(value: float) -> Fraction:
    """The exact value of a FLOAT attribute: the float32 nearest to ``value`` (protobuf stores
    FLOAT attributes as float32; onnx gives them back as the same number in a Python float)."""
    return Fraction(float(np.float32(value)))


def tensor_values(tensor: Any, *, place: str, limits: Limits) -> np.ndarray:
    """The exact entries of a TensorProto as an object array of Fractions.

    Refused, naming ``place``: data stored outside the file (symresnet reads no other files),
    more entries than ``Limits.max_entries`` (checked on the declared dims, before any data is
    read), element types that are not numbers, data that does not match the dims, NaN and
    infinite entries.
    """
    onnx = load_onnx_module()
    dims = [int(d) for d in tensor.dims]
    if any(d < 0 for d in dims):
        raise OnnxError(f"negative dimension in {dims}", place=place)
    count = math.prod(dims)
    try:
        Guard(limits).entries(count, what=f"the tensor of shape {dims}")
    except InputError as err:
        raise err.located(prefix=place) from None
    if tensor.data_location == onnx.TensorProto.EXTERNAL or tensor.external_data:
        raise OnnxError(
            "the tensor's data is stored in another file",
            place=place,
            hint="symresnet reads only what is inside the .onnx file: save the model with "
            "onnx.save(model, path, save_as_external_data=False)",
        )
    elem = int(tensor.data_type)
    if elem not in FLOAT_TYPES and elem not in INT_TYPES:
        raise OnnxError(
            f"tensors of {type_name(elem)} are not numbers symresnet reads", place=place
        )
    try:
        array = onnx.numpy_helper.to_array(tensor)
    except Exception as err:  # malformed data: wrong length, bad bytes
        raise OnnxError(f"unreadable tensor data ({str(err)[:120]})", place=place) from None
    if array.size != count:
        raise OnnxError(f"{array.size} entries for dims {dims}", place=place)
    if elem in FLOAT_TYPES:
        flat = array.astype(np.float64).ravel()  # exact: every format embeds in float64
        finite = np.isfinite(flat)
        if not finite.all():
            bad = int(np.flatnonzero(~finite)[0])
            raise OnnxError(
                f"entry {bad} is {flat[bad]}: weights must be finite numbers", place=place
            )
        values = [Fraction(v) for v in flat.tolist()]
    else:
        values = [Fraction(int(v)) for v in array.ravel().tolist()]
    return exact_array(values, dims)


def attribute(node: Any, name: str, default: Any = None) -> Any:
    """The value of attribute ``name`` of ``node`` (onnx's Python value), or ``default``."""
    onnx = load_onnx_module()
    for attr in node.attribute:
        if attr.name == name:
            return onnx.helper.get_attribute_value(attr)
    return default
