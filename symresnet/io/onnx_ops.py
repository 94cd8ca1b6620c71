"""The ONNX operators symresnet reads, each exactly (docs/onnx.md, "Operators").

A value of the graph is either a constant (an object array of Fractions,
:mod:`symresnet.io.onnx_tensors`) or a tensor computed from the input
(:class:`~symresnet.io.onnx_affine.Affine`).  Operators on constants are folded exactly;
linear operators act on the affine function; activations end a layer
(:class:`~symresnet.io.onnx_layers.Layers`).  Whatever is not affine between activations
(a product of two computed tensors, a division by one) or is not an operator listed in
:data:`HANDLERS` is refused, naming the node and its operator.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, TypeAlias

import flint
import numpy as np

from symresnet.base.errors import InputError, OnnxError
from symresnet.io.onnx_affine import Affine, matrix_of, vector_of
from symresnet.io.onnx_layers import Layers
from symresnet.io.onnx_tensors import (
    FLOAT_TYPES,
    attribute,
    exact_array,
    float32_value,
    load_onnx_module,
    tensor_values,
    type_name,
)
from symresnet.io.rationalize import Change, exact_sqrt, sqrt_within
from symresnet.model.activations import Activation
from symresnet.values.limits import Limits

__all__ = ["HANDLERS", "Context", "Value"]

Value: TypeAlias = Any  # np.ndarray (a constant) or Affine (computed from the input)


@dataclasses.dataclass
class Context:
    """What the handlers share while one graph is read."""

    values: dict[str, Value]
    initializers: Mapping[str, Any]  # name -> TensorProto, read on first use
    layers: Layers
    opset: int
    limits: Limits
    tolerance: Fraction | None
    needed: set[str]
    changes: list[Change] = dataclasses.field(default_factory=list)

    def value(self, name: str, label: str, what: str = "input") -> Value:
        if name in self.values:
            return self.values[name]
        if name in self.initializers:
            array = tensor_values(
                self.initializers[name], place=f"initializer {name!r}", limits=self.limits
            )
            self.values[name] = array
            return array
        raise OnnxError(
            f"{label}: its {what} {name!r} is not computed before it (the graph is not "
            "in topological order, or the name is undefined)"
        )

    def optional(self, node: Any, i: int, label: str, what: str) -> Value | None:
        if len(node.input) <= i or node.input[i] == "":
            return None
        return self.value(node.input[i], label, what)

    def const(self, name: str, label: str, what: str) -> np.ndarray:
        value = self.value(name, label, what)
        if isinstance(value, Affine):
            raise OnnxError(
                f"{label}: its {what} {name!r} depends on the network's input; symresnet "
                "reads it only as a constant (the map would not be affine)"
            )
        return value


Handler: TypeAlias = Callable[[Context, Any, str], list[Value]]

# -- helpers -------------------------------------------------------------------------------------


def _ints(array: np.ndarray, label: str, what: str) -> list[int]:
    out = []
    for v in array.ravel().tolist():
        if Fraction(v).denominator != 1:
            raise OnnxError(f"{label}: {what} must be integers, got {v}")
        out.append(int(v))
    return out


def _axis(axis: int, rank: int, label: str) -> int:
    if not -rank <= axis < max(rank, 1):
        raise OnnxError(f"{label}: axis {axis} is out of range for a tensor of rank {rank}")
    return axis + rank if axis < 0 else axis


def _count(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _broadcast(x: Affine, c: np.ndarray, label: str) -> tuple[list[Fraction], tuple[int, ...]]:
    """The constant ``c`` broadcast against ``x``: one value per entry of ``x``, and the shape.
    Refused when broadcasting would copy ``x`` (the result would have more entries)."""
    try:
        shape = tuple(np.broadcast_shapes(x.shape, c.shape))
    except ValueError:
        raise OnnxError(
            f"{label}: shapes {list(x.shape)} and {list(c.shape)} do not broadcast"
        ) from None
    if _count(shape) != x.size:
        raise OnnxError(
            f"{label}: the constant of shape {list(c.shape)} would broadcast the computed "
            f"tensor of shape {list(x.shape)} to {list(shape)}; symresnet reads one input "
            "row (batch 1)"
        )
    return list(np.broadcast_to(c, shape).ravel()), shape


def _fold(op: str, a: np.ndarray, b: np.ndarray, label: str) -> np.ndarray:
    try:
        with np.errstate(all="raise"):
            if op == "Add":
                return np.asarray(a + b, dtype=object)
            if op == "Sub":
                return np.asarray(a - b, dtype=object)
            if op == "Mul":
                return np.asarray(a * b, dtype=object)
            return np.asarray(a / b, dtype=object)
    except ZeroDivisionError:
        raise OnnxError(f"{label}: division by zero") from None
    except ValueError:
        raise OnnxError(
            f"{label}: shapes {list(a.shape)} and {list(b.shape)} do not broadcast"
        ) from None


def _as_affine(c: np.ndarray) -> Affine:
    flat = list(c.ravel())
    return Affine(tuple(c.shape), {}, vector_of(flat))


def _matrix(array: np.ndarray) -> flint.fmpq_mat:
    rows, cols = array.shape
    return matrix_of(rows, cols, list(array.ravel()))


# -- shapes --------------------------------------------------------------------------------------


def _reshaped(value: Value, shape: tuple[int, ...]) -> Value:
    if isinstance(value, Affine):
        return value.reshaped(shape)
    return value.reshape(shape)


def _shape_of(value: Value) -> tuple[int, ...]:
    return value.shape if isinstance(value, Affine) else tuple(value.shape)


def _identity(ctx: Context, node: Any, label: str) -> list[Value]:
    if node.op_type == "Dropout":
        if len(node.output) > 1 and node.output[1] and node.output[1] in ctx.needed:
            raise OnnxError(f"{label}: the dropout mask is used; symresnet reads inference only")
        training = ctx.optional(node, 2, label, "training_mode")
        if training is not None and any(v != 0 for v in training.ravel()):
            raise OnnxError(f"{label}: training_mode is on; symresnet reads inference only")
    return [ctx.value(node.input[0], label)]


def _cast(ctx: Context, node: Any, label: str) -> list[Value]:
    value = ctx.value(node.input[0], label)
    to = int(attribute(node, "to", 1))
    if isinstance(value, Affine):
        if to not in FLOAT_TYPES:
            raise OnnxError(
                f"{label}: casts a tensor computed from the input to {type_name(to)}; only "
                "casts between float types are read (as exact identities)"
            )
        return [value]
    if to in FLOAT_TYPES:
        onnx = load_onnx_module()
        dtype = onnx.helper.tensor_dtype_to_np_dtype(to)
        flat = np.array([float(v) for v in value.ravel()], dtype=np.float64).astype(dtype)
        values = [Fraction(float(v)) for v in flat.astype(np.float64).tolist()]
    else:
        values = [Fraction(int(v)) for v in value.ravel()]  # int() truncates, as Cast does
    return [exact_array(values, value.shape)]


def _constant(ctx: Context, node: Any, label: str) -> list[Value]:
    onnx = load_onnx_module()
    for attr in node.attribute:
        value = onnx.helper.get_attribute_value(attr)
        if attr.name == "value":
            return [tensor_values(value, place=label, limits=ctx.limits)]
        if attr.name == "value_float":
            return [exact_array([float32_value(value)], ())]
        if attr.name == "value_floats":
            return [exact_array([float32_value(v) for v in value], (len(value),))]
        if attr.name == "value_int":
            return [exact_array([Fraction(int(value))], ())]
        if attr.name == "value_ints":
            return [exact_array([Fraction(int(v)) for v in value], (len(value),))]
    raise OnnxError(f"{label}: a Constant holding neither a number tensor nor numbers")


def _flatten(ctx: Context, node: Any, label: str) -> list[Value]:
    value = ctx.value(node.input[0], label)
    shape = _shape_of(value)
    axis = _axis(int(attribute(node, "axis", 1)), len(shape), label) if shape else 0
    return [_reshaped(value, (_count(shape[:axis]), _count(shape[axis:])))]


def _reshape(ctx: Context, node: Any, label: str) -> list[Value]:
    value = ctx.value(node.input[0], label)
    shape = _shape_of(value)
    wanted = _ints(ctx.const(node.input[1], label, "shape"), label, "the shape")
    allowzero = int(attribute(node, "allowzero", 0))
    out = [
        shape[i] if d == 0 and not allowzero and i < len(shape) else d for i, d in enumerate(wanted)
    ]
    if out.count(-1) > 1 or any(d < -1 for d in out):
        raise OnnxError(f"{label}: shape {wanted} is not a valid shape")
    if -1 in out:
        known = _count(tuple(d for d in out if d != -1))
        if known == 0 or _count(shape) % known:
            raise OnnxError(f"{label}: cannot reshape {list(shape)} to {wanted}")
        out[out.index(-1)] = _count(shape) // known
    if _count(tuple(out)) != _count(shape):
        raise OnnxError(f"{label}: cannot reshape {list(shape)} ({_count(shape)} entries) to {out}")
    return [_reshaped(value, tuple(out))]


def _axes(ctx: Context, node: Any, label: str) -> list[int] | None:
    if ctx.opset >= 13:
        axes = ctx.optional(node, 1, label, "axes")
        if axes is None:
            return None
        if isinstance(axes, Affine):
            raise OnnxError(f"{label}: its axes depend on the network's input")
        return _ints(axes, label, "axes")
    value = attribute(node, "axes")
    return None if value is None else [int(a) for a in value]


def _squeeze(ctx: Context, node: Any, label: str) -> list[Value]:
    value = ctx.value(node.input[0], label)
    shape = _shape_of(value)
    axes = _axes(ctx, node, label)
    if axes is None:
        keep = [d for d in shape if d != 1]
    else:
        drop = {_axis(a, len(shape), label) for a in axes}
        if any(shape[a] != 1 for a in drop):
            raise OnnxError(f"{label}: squeezes an axis of size other than 1 in {list(shape)}")
        keep = [d for i, d in enumerate(shape) if i not in drop]
    return [_reshaped(value, tuple(keep))]


def _unsqueeze(ctx: Context, node: Any, label: str) -> list[Value]:
    value = ctx.value(node.input[0], label)
    shape = list(_shape_of(value))
    axes = _axes(ctx, node, label)
    if axes is None:
        raise OnnxError(f"{label}: Unsqueeze needs axes")
    rank = len(shape) + len(axes)
    for a in sorted(_axis(a, rank, label) for a in axes):
        shape.insert(a, 1)
    return [_reshaped(value, tuple(shape))]


def _positions(shape: tuple[int, ...]) -> np.ndarray:
    return np.arange(_count(shape), dtype=np.int64).reshape(shape)


def _rearranged(value: Value, order: np.ndarray, label: str) -> Value:
    """``value`` with its entries taken in the order of the index array ``order``."""
    if isinstance(value, Affine):
        return value.taken(order.ravel().tolist(), tuple(order.shape), label)
    return value.ravel()[order]


def _transpose(ctx: Context, node: Any, label: str) -> list[Value]:
    value = ctx.value(node.input[0], label)
    shape = _shape_of(value)
    perm = attribute(node, "perm")
    perm = list(reversed(range(len(shape)))) if perm is None else [int(p) for p in perm]
    if sorted(perm) != list(range(len(shape))):
        raise OnnxError(f"{label}: perm {perm} is not a permutation of the {len(shape)} axes")
    return [_rearranged(value, _positions(shape).transpose(perm), label)]


def _gather(ctx: Context, node: Any, label: str) -> list[Value]:
    value = ctx.value(node.input[0], label)
    shape = _shape_of(value)
    indices = np.array(_ints(ctx.const(node.input[1], label, "indices"), label, "indices"))
    index_shape = ctx.const(node.input[1], label, "indices").shape
    axis = _axis(int(attribute(node, "axis", 0)), len(shape), label)
    if indices.size and (indices.min() < -shape[axis] or indices.max() >= shape[axis]):
        raise OnnxError(f"{label}: an index is out of range for axis {axis} of size {shape[axis]}")
    order = np.take(_positions(shape), indices.reshape(index_shape), axis=axis)
    return [_rearranged(value, order, label)]


def _slice(ctx: Context, node: Any, label: str) -> list[Value]:
    value = ctx.value(node.input[0], label)
    shape = _shape_of(value)
    if ctx.opset >= 10:
        starts = _ints(ctx.const(node.input[1], label, "starts"), label, "starts")
        ends = _ints(ctx.const(node.input[2], label, "ends"), label, "ends")
        axes_v = ctx.optional(node, 3, label, "axes")
        steps_v = ctx.optional(node, 4, label, "steps")
        axes = list(range(len(starts))) if axes_v is None else _ints(axes_v, label, "axes")
        steps = [1] * len(starts) if steps_v is None else _ints(steps_v, label, "steps")
    else:
        starts = [int(v) for v in attribute(node, "starts", [])]
        ends = [int(v) for v in attribute(node, "ends", [])]
        axes = [int(v) for v in attribute(node, "axes", range(len(starts)))]
        steps = [1] * len(starts)
    if not len(starts) == len(ends) == len(axes) == len(steps) or 0 in steps:
        raise OnnxError(f"{label}: starts, ends, axes and steps do not match")
    index: list[slice] = [slice(None)] * len(shape)
    for s, e, a, st in zip(starts, ends, axes, steps, strict=True):
        index[_axis(a, len(shape), label)] = slice(s, e, st)
    return [_rearranged(value, _positions(shape)[tuple(index)], label)]


def _shape(ctx: Context, node: Any, label: str) -> list[Value]:
    shape = list(_shape_of(ctx.value(node.input[0], label)))
    start, end = int(attribute(node, "start", 0)), attribute(node, "end")
    part = shape[start:] if end is None else shape[start : int(end)]
    return [exact_array([Fraction(d) for d in part], (len(part),))]


def _concat(ctx: Context, node: Any, label: str) -> list[Value]:
    values = [ctx.value(name, label) for name in node.input]
    if any(isinstance(v, Affine) for v in values):
        return [_concat_affine(values, int(attribute(node, "axis", 0)), label)]
    try:
        return [np.concatenate(values, axis=int(attribute(node, "axis", 0)))]
    except (ValueError, np.exceptions.AxisError) as err:
        raise OnnxError(f"{label}: cannot concatenate ({str(err)[:100]})") from None


def _concat_affine(values: list[Value], axis: int, label: str) -> Affine:
    """Computed tensors (and constants) side by side: each output entry is one entry of one
    input, so the matrices are stacked rows."""
    parts = [v if isinstance(v, Affine) else _as_affine(v) for v in values]
    shapes = [p.shape for p in parts]
    rank = len(shapes[0])
    axis = _axis(axis, rank, label)
    if any(
        len(s) != rank or s[:axis] + s[axis + 1 :] != shapes[0][:axis] + shapes[0][axis + 1 :]
        for s in shapes
    ):
        raise OnnxError(f"{label}: cannot concatenate shapes {[list(s) for s in shapes]}")
    # where each input's entries go: tag every output entry with (input, index)
    tags = np.concatenate(
        [np.full(s, i, dtype=np.int64) for i, s in enumerate(shapes)], axis=axis
    ).ravel()
    local = np.concatenate([_positions(s) for s in shapes], axis=axis).ravel()
    shape = list(shapes[0])
    shape[axis] = sum(s[axis] for s in shapes)
    n = len(tags)
    sources = sorted({r for p in parts for r in p.terms})
    terms = {}
    for r in sources:
        cols = next(p.terms[r].ncols() for p in parts if r in p.terms)
        rows = []
        for i, j in zip(tags.tolist(), local.tolist(), strict=True):
            m = parts[i].terms.get(r)
            rows.append([m[j, c] for c in range(cols)] if m is not None else [0] * cols)
        terms[r] = flint.fmpq_mat(n, cols, [v for row in rows for v in row])
    const = flint.fmpq_mat(
        n, 1, [parts[i].const[j, 0] for i, j in zip(tags.tolist(), local.tolist(), strict=True)]
    )
    joins: dict[int, Any] = {}
    for p in parts:
        for r, join in p.joins.items():
            joins.setdefault(r, join)
    ops = tuple(op for p in parts for op in p.ops)
    return Affine(tuple(shape), terms, const, joins, ops)


# -- affine maps ---------------------------------------------------------------------------------


def _gemm(ctx: Context, node: Any, label: str) -> list[Value]:
    a = ctx.value(node.input[0], label, "input A")
    b = ctx.const(node.input[1], label, "input B (the weights)")
    c = ctx.optional(node, 2, label, "input C")
    alpha = float32_value(attribute(node, "alpha", 1.0))
    beta = float32_value(attribute(node, "beta", 1.0))
    trans_a, trans_b = int(attribute(node, "transA", 0)), int(attribute(node, "transB", 0))
    if not isinstance(a, Affine):
        raise OnnxError(
            f"{label}: input A does not depend on the network's input (read as a constant, it is not a layer)"
        )
    if len(a.shape) != 2 or b.ndim != 2:
        raise OnnxError(
            f"{label}: Gemm needs 2-D inputs, got shapes {list(a.shape)} and {list(b.shape)}"
        )
    m, k = reversed(a.shape) if trans_a else a.shape
    if m != 1:
        raise OnnxError(f"{label}: input A has {m} rows; symresnet reads one input row (batch 1)")
    weights = b.T if trans_b else b  # (K, N)
    if weights.shape[0] != k:
        raise OnnxError(
            f"{label}: input A has {k} columns but the weights B{'^T' * trans_b} have "
            f"{weights.shape[0]} rows"
        )
    n = weights.shape[1]
    ctx.layers.guard(n, k, f"{label}'s weights")
    out = a.mapped(_matrix(weights.T * alpha), (1, n), label).named(node.input[1])
    if c is None:
        return [out]
    if isinstance(c, Affine):
        return [out.plus(c.scaled([beta] * c.size, label), label)]
    values, _ = _broadcast(out, np.asarray(c * beta, dtype=object), label)
    return [out.shifted(values, label, kind="bias").named(node.input[2])]


def _matmul(ctx: Context, node: Any, label: str) -> list[Value]:
    a = ctx.value(node.input[0], label, "first input")
    b = ctx.value(node.input[1], label, "second input")
    if isinstance(a, Affine) and isinstance(b, Affine):
        raise OnnxError(f"{label}: multiplies two tensors that depend on the input: not affine")
    if not isinstance(a, Affine) and not isinstance(b, Affine):
        try:
            return [np.asarray(np.dot(a, b), dtype=object)]
        except ValueError:
            raise OnnxError(
                f"{label}: shapes {list(a.shape)} and {list(b.shape)} do not multiply"
            ) from None
    if isinstance(a, Affine):
        w = b.reshape(b.shape[-2:]) if b.ndim > 2 and _count(b.shape[:-2]) == 1 else b
        if w.ndim not in (1, 2) or not a.shape:
            raise OnnxError(
                f"{label}: weights of shape {list(b.shape)}; symresnet reads 1-D or 2-D weights"
            )
        k = a.shape[-1]
        if w.shape[0] != k:
            raise OnnxError(
                f"{label}: the input has {k} features but the weights have {w.shape[0]} rows"
            )
        if _count(a.shape[:-1]) != 1:
            raise OnnxError(
                f"{label}: the input has {_count(a.shape[:-1])} rows of {k}; symresnet reads one row (batch 1)"
            )
        w2 = w.reshape(k, 1) if w.ndim == 1 else w
        n = w2.shape[1]
        ctx.layers.guard(n, k, f"{label}'s weights")
        shape = a.shape[:-1] + ((n,) if w.ndim == 2 else ())
        return [a.mapped(_matrix(w2.T), shape, label).named(node.input[1])]
    assert isinstance(b, Affine)
    if a.ndim != 2 or len(b.shape) not in (1, 2) or (len(b.shape) == 2 and b.shape[1] != 1):
        raise OnnxError(
            f"{label}: constant times computed tensor needs a matrix times a column, got {list(a.shape)} and {list(b.shape)}"
        )
    if a.shape[1] != b.shape[0]:
        raise OnnxError(
            f"{label}: the weights have {a.shape[1]} columns but the input has {b.shape[0]} entries"
        )
    ctx.layers.guard(a.shape[0], a.shape[1], f"{label}'s weights")
    return [b.mapped(_matrix(a), (a.shape[0], *b.shape[1:]), label).named(node.input[0])]


def _add_sub(ctx: Context, node: Any, label: str) -> list[Value]:
    a = ctx.value(node.input[0], label, "first input")
    b = ctx.value(node.input[1], label, "second input")
    sign = 1 if node.op_type == "Add" else -1
    if not isinstance(a, Affine) and not isinstance(b, Affine):
        return [_fold(node.op_type, a, b, label)]
    if isinstance(a, Affine) and isinstance(b, Affine):
        try:
            shape = tuple(np.broadcast_shapes(a.shape, b.shape))
        except ValueError:
            shape = ()
        if not shape or _count(shape) != a.size or a.size != b.size:
            raise OnnxError(
                f"{label}: adds tensors of shapes {list(a.shape)} and {list(b.shape)}; a residual needs equal sizes"
            )
        return [a.reshaped(shape).plus(b, label, sign=sign)]
    if isinstance(a, Affine):
        values, shape = _broadcast(a, b, label)
        return [a.reshaped(shape).shifted([sign * v for v in values], label).named(node.input[1])]
    assert isinstance(b, Affine)
    values, shape = _broadcast(b, a, label)
    x = b.reshaped(shape) if sign == 1 else b.reshaped(shape).scaled([Fraction(-1)] * b.size, label)
    return [x.shifted(values, label).named(node.input[0])]


def _mul_div(ctx: Context, node: Any, label: str) -> list[Value]:
    a = ctx.value(node.input[0], label, "first input")
    b = ctx.value(node.input[1], label, "second input")
    if not isinstance(a, Affine) and not isinstance(b, Affine):
        return [_fold(node.op_type, a, b, label)]
    if isinstance(a, Affine) and isinstance(b, Affine):
        raise OnnxError(f"{label}: multiplies two tensors that depend on the input: not affine")
    if node.op_type == "Div" and isinstance(b, Affine):
        raise OnnxError(f"{label}: divides by a tensor that depends on the input: not affine")
    x, c = (a, b) if isinstance(a, Affine) else (b, a)
    assert isinstance(x, Affine) and not isinstance(c, Affine)
    values, shape = _broadcast(x, c, label)
    if node.op_type == "Div":
        if any(v == 0 for v in values):
            raise OnnxError(f"{label}: division by zero")
        values = [1 / Fraction(v) for v in values]
    name = node.input[1] if x is a else node.input[0]
    return [x.reshaped(shape).scaled(values, label).named(name)]


def _neg(ctx: Context, node: Any, label: str) -> list[Value]:
    x = ctx.value(node.input[0], label)
    if isinstance(x, Affine):
        return [x.scaled([Fraction(-1)] * x.size, label)]
    return [np.asarray(-x, dtype=object)]


def _batch_norm(ctx: Context, node: Any, label: str) -> list[Value]:
    x = ctx.value(node.input[0], label)
    scale, bias, mean, var = (
        ctx.const(node.input[i], label, what).ravel()
        for i, what in ((1, "scale"), (2, "B"), (3, "mean"), (4, "var"))
    )
    if int(attribute(node, "training_mode", 0)) or any(
        name in ctx.needed for name in node.output[1:] if name
    ):
        raise OnnxError(f"{label}: training mode; symresnet reads inference only")
    eps = float32_value(attribute(node, "epsilon", 1e-5))
    shape = _shape_of(x)
    if len(shape) < 2 or not len(scale) == len(bias) == len(mean) == len(var) == shape[1]:
        raise OnnxError(
            f"{label}: {len(scale)} channels for an input of shape {list(shape)} (channels on axis 1)"
        )
    factors, irrational = [], []
    largest = Fraction(0)
    for c in range(shape[1]):
        q = Fraction(var[c]) + eps
        if q <= 0:
            raise OnnxError(f"{label}: var + epsilon = {q} <= 0 in channel {c}")
        ratio = Fraction(scale[c]) ** 2 / q  # (scale / sqrt(var + eps))^2
        root = exact_sqrt(ratio)
        if root is None:
            if not ctx.tolerance:
                irrational.append(c)
                continue
            root = sqrt_within(ratio, ctx.tolerance)
            largest = max(largest, ctx.tolerance)
        factors.append(root if scale[c] >= 0 else -root)
    if irrational:
        raise OnnxError(
            f"{label}: scale / sqrt(var + epsilon) is irrational in {len(irrational)} of "
            f"{shape[1]} channels (first: channel {irrational[0]}), so the folded weights "
            "are not rational",
            hint="import with a tolerance (read_onnx(..., tolerance=Fraction(1, 10**12))) to "
            "round them to rationals, reported among the changes",
        )
    if largest:
        ctx.changes.append(Change(f"{label}: scale / sqrt(var + epsilon)", shape[1], largest))
    shifts = [Fraction(bias[c]) - Fraction(mean[c]) * factors[c] for c in range(shape[1])]
    inner = _count(shape[2:])
    channel = [(i // inner) % shape[1] for i in range(_count(shape))]
    if not isinstance(x, Affine):
        flat = [
            Fraction(v) * factors[ch] + shifts[ch] for v, ch in zip(x.ravel(), channel, strict=True)
        ]
        return [exact_array(flat, shape)]
    out = x.scaled([factors[ch] for ch in channel], label, kind="bn")
    return [out.shifted([shifts[ch] for ch in channel], label, kind="bias")]


# -- activations ---------------------------------------------------------------------------------


def _activation(label: str, name: str, **params: object) -> Activation:
    try:
        return Activation(name, tuple(params.items()))
    except InputError as err:
        raise OnnxError(f"{label}: {err.message}", hint=err.hint) from None


def _apply(ctx: Context, x: Value, act: Activation, label: str) -> Value:
    """``act`` on ``x``: folded on a constant, else the end of a hidden layer."""
    if isinstance(x, Affine):
        return ctx.layers.activate(x, act, label)
    if not act.rational:
        raise OnnxError(
            f"{label}: {act.name} of a constant is not rational; symresnet folds only piecewise-linear activations of constants"
        )
    return exact_array([act.apply_fraction(Fraction(v)) for v in x.ravel()], x.shape)


def _simple(name: str) -> Handler:
    def handler(ctx: Context, node: Any, label: str) -> list[Value]:
        return [_apply(ctx, ctx.value(node.input[0], label), _activation(label, name), label)]

    return handler


def _leaky_relu(ctx: Context, node: Any, label: str) -> list[Value]:
    alpha = float32_value(attribute(node, "alpha", 0.01))
    act = _activation(label, "leaky_relu", gamma=alpha)
    return [_apply(ctx, ctx.value(node.input[0], label), act, label)]


def _prelu(ctx: Context, node: Any, label: str) -> list[Value]:
    slopes = set(ctx.const(node.input[1], label, "slope").ravel().tolist())
    if len(slopes) != 1:
        raise OnnxError(
            f"{label}: {len(slopes)} different slopes; the book's ResNet has one activation for every neuron"
        )
    act = _activation(label, "leaky_relu", gamma=Fraction(slopes.pop()))
    return [_apply(ctx, ctx.value(node.input[0], label), act, label)]


def _elu(ctx: Context, node: Any, label: str) -> list[Value]:
    alpha = float32_value(attribute(node, "alpha", 1.0))
    act = _activation(
        label, "elu", gamma=-alpha
    )  # ONNX alpha (e^x - 1) is the book's gamma (1 - e^x)
    return [_apply(ctx, ctx.value(node.input[0], label), act, label)]


def _gelu(ctx: Context, node: Any, label: str) -> list[Value]:
    if attribute(node, "approximate", b"none") not in (b"none", "none"):
        raise OnnxError(f"{label}: the tanh approximation of GELU is not the book's GELU")
    return [_apply(ctx, ctx.value(node.input[0], label), _activation(label, "gelu"), label)]


def _scalar(value: Value | None, label: str, what: str) -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, Affine) or value.size != 1:
        raise OnnxError(f"{label}: its {what} must be one constant number")
    v = Fraction(value.ravel()[0])
    return v


def _clip_bound(raw: Any) -> Fraction | None:
    if raw is None:
        return None
    value = float(raw)
    return None if math.isinf(value) else float32_value(value)


def _clip(ctx: Context, node: Any, label: str) -> list[Value]:
    x = ctx.value(node.input[0], label)
    if ctx.opset < 11:
        lo, hi = _clip_bound(attribute(node, "min")), _clip_bound(attribute(node, "max"))
    else:
        lo, hi = _clip_input(ctx, node, 1, label, "min"), _clip_input(ctx, node, 2, label, "max")
    if lo is not None and hi is not None and lo >= hi:
        raise OnnxError(f"{label}: min = {lo} is not below max = {hi}")
    if not isinstance(x, Affine):
        out = [
            min(
                max(Fraction(v), lo if lo is not None else Fraction(v)),
                hi if hi is not None else Fraction(v),
            )
            for v in x.ravel()
        ]
        return [exact_array(out, x.shape)]
    if lo is None and hi is None:
        return [x]
    if lo is not None and hi is not None:
        return [ctx.layers.activate(x, _activation(label, "clip", u=lo, v=hi), label)]
    return [_relu_against(ctx, x, label, lo if lo is not None else hi, upper=hi is not None)]


def _clip_input(ctx: Context, node: Any, i: int, label: str, what: str) -> Fraction | None:
    """A bound given as an input: ``""`` (missing) and an infinite initializer are no bound."""
    if len(node.input) <= i or node.input[i] == "":
        return None
    name = node.input[i]
    if name not in ctx.values and name in ctx.initializers:
        onnx = load_onnx_module()
        tensor = ctx.initializers[name]
        if int(tensor.data_type) in FLOAT_TYPES and math.prod(tensor.dims) == 1:
            raw = onnx.numpy_helper.to_array(tensor).astype(np.float64).ravel()
            if np.isinf(raw).all():
                return None
    return _scalar(ctx.value(name, label, what), label, what)


def _relu_against(
    ctx: Context, x: Affine, label: str, c: Fraction | None, *, upper: bool
) -> Affine:
    """``max(x, c) = c + relu(x - c)`` (``upper``: ``min(x, c) = c - relu(c - x)``)."""
    assert c is not None
    relu = _activation(label, "relu")
    if c == 0 and not upper:
        return ctx.layers.activate(x, relu, label)
    shift = [c] * x.size
    if upper:
        pre = x.scaled([Fraction(-1)] * x.size, label).shifted(shift, label)
        ctx.layers.note(f"{label} read as min(x, {c}) = {c} - relu({c} - x): a ReLU layer")
        return ctx.layers.activate(pre, relu, label, sign=-1, shift=vector_of(shift))
    ctx.layers.note(f"{label} read as max(x, {c}) = {c} + relu(x - {c}): a ReLU layer")
    pre = x.shifted([-c] * x.size, label)
    return ctx.layers.activate(pre, relu, label, shift=vector_of(shift))


def _max_min(ctx: Context, node: Any, label: str) -> list[Value]:
    upper = node.op_type == "Min"
    values = [ctx.value(name, label) for name in node.input]
    if not values:
        raise OnnxError(f"{label}: {node.op_type} of nothing")
    acc = values[0]
    for v in values[1:]:
        acc = _pair(ctx, acc, v, label, upper=upper)
    return [acc]


def _pair(ctx: Context, a: Value, b: Value, label: str, *, upper: bool) -> Value:
    if not isinstance(a, Affine) and not isinstance(b, Affine):
        try:
            return np.asarray(np.minimum(a, b) if upper else np.maximum(a, b), dtype=object)
        except ValueError:
            raise OnnxError(
                f"{label}: shapes {list(a.shape)} and {list(b.shape)} do not broadcast"
            ) from None
    if not isinstance(a, Affine):
        a, b = b, a
    assert isinstance(a, Affine)
    relu = _activation(label, "relu")
    if not isinstance(b, Affine):
        values, shape = _broadcast(a, b, label)
        a = a.reshaped(shape)
        if len(set(values)) == 1:
            return _relu_against(ctx, a, label, Fraction(values[0]), upper=upper)
        shift = vector_of(values)
        if upper:
            pre = a.scaled([Fraction(-1)] * a.size, label).shifted(values, label)
            ctx.layers.note(f"{label} read as min(x, c) = c - relu(c - x): a ReLU layer")
            return ctx.layers.activate(pre, relu, label, sign=-1, shift=shift)
        ctx.layers.note(f"{label} read as max(x, c) = c + relu(x - c): a ReLU layer")
        return ctx.layers.activate(a.shifted([-v for v in values], label), relu, label, shift=shift)
    if a.size != b.size:
        raise OnnxError(f"{label}: tensors of shapes {list(a.shape)} and {list(b.shape)}")
    # max(a, b) = b + relu(a - b); min(a, b) = b - relu(b - a)
    if upper:
        ctx.layers.note(f"{label} read as min(a, b) = b - relu(b - a): a ReLU layer and a skip")
        state = ctx.layers.activate(b.plus(a, label, sign=-1), relu, label, sign=-1)
    else:
        ctx.layers.note(f"{label} read as max(a, b) = b + relu(a - b): a ReLU layer and a skip")
        state = ctx.layers.activate(a.plus(b, label, sign=-1), relu, label)
    return state.plus(b, label)


HANDLERS: dict[str, Handler] = {
    "Identity": _identity,
    "Dropout": _identity,
    "Cast": _cast,
    "Constant": _constant,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Squeeze": _squeeze,
    "Unsqueeze": _unsqueeze,
    "Transpose": _transpose,
    "Gather": _gather,
    "Slice": _slice,
    "Shape": _shape,
    "Concat": _concat,
    "Gemm": _gemm,
    "MatMul": _matmul,
    "Add": _add_sub,
    "Sub": _add_sub,
    "Mul": _mul_div,
    "Div": _mul_div,
    "Neg": _neg,
    "BatchNormalization": _batch_norm,
    "Relu": _simple("relu"),
    "Sigmoid": _simple("sigmoid"),
    "Tanh": _simple("tanh"),
    "Softplus": _simple("softplus"),
    "Softsign": _simple("softsign"),
    "Sin": _simple("sin"),
    "LeakyRelu": _leaky_relu,
    "PRelu": _prelu,
    "Elu": _elu,
    "Gelu": _gelu,
    "Clip": _clip,
    "Max": _max_min,
    "Min": _max_min,
}
