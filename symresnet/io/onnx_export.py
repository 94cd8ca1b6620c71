"""The book's ResNets (Def. 1.5.1, 1.5.4) -> ONNX models in float64: :func:`export_onnx`.

Layer ``k`` becomes ``Gemm(x_{k-1}, W_k, B_k)`` (``transB = 1``, so ``W_k`` is stored as in
the book, ``l_k x l_{k-1}``); each skip ``(r, k)`` adds ``x_r`` to it with a residual ``Add``,
through ``MatMul(x_r, V_{r,k}^T)`` unless ``V_{r,k}`` is the identity (Def. 1.5.5); hidden
layers end in the activation's operator (``Relu``, ...); the output layer has none.

float64 cannot hold every rational: each weight is rounded to the nearest double, and
:attr:`OnnxExport.gaps` reports, per matrix, the largest ``|exact - float64|`` (all zero when
every weight is a dyadic rational that fits in a double).  ``LeakyRelu``'s and ``Elu``'s
``alpha`` are FLOAT attributes, so ``gamma`` is rounded to float32 and reported the same way.
:func:`symresnet.io.onnx.import_model` reads the model back exactly: for dyadic weights
``import(export(net)) == net`` (docs/onnx.md, "Export").
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import sympy

from symresnet.base.errors import NetworkError
from symresnet.base.files import write_atomic
from symresnet.io.onnx_tensors import load_onnx_module
from symresnet.model.network import ResNet

__all__ = [
    "ONNX_OPS",
    "Gap",
    "OnnxExport",
    "check_exportable",
    "describe_gaps",
    "export_onnx",
    "float64_matrix",
    "float_parameter",
    "write_onnx",
]

#: activations with an ONNX operator of the same function (ONNX name, float32 alpha key or None)
ONNX_OPS: dict[str, tuple[str, str | None]] = {
    "relu": ("Relu", None),
    "leaky_relu": ("LeakyRelu", "gamma"),
    "clip": ("Clip", None),
    "sigmoid": ("Sigmoid", None),
    "tanh": ("Tanh", None),
    "softplus": ("Softplus", None),
    "softsign": ("Softsign", None),
    "sin": ("Sin", None),
    "elu": ("Elu", "gamma"),
    "identity": ("Identity", None),
}
OPSET = 17
IR_VERSION = 8  # the oldest IR of opset 17: readable by every onnx and onnxruntime since 2022


@dataclasses.dataclass(frozen=True)
class Gap:
    """The rounding of one matrix (``place``: ``W_1``, ``B_2``, ``V_{0,3}``, ``gamma``):
    ``largest = max |exact - rounded|`` over its entries, ``entries`` the number rounded."""

    place: str
    entries: int
    largest: Fraction

    def __str__(self) -> str:
        if not self.entries:
            return f"{self.place}: exact"
        return (
            f"{self.place}: {self.entries} entr{'y' if self.entries == 1 else 'ies'} rounded, "
            f"each by at most {self.largest} (~{float(self.largest):.3g})"
        )


@dataclasses.dataclass(frozen=True)
class OnnxExport:
    """An exported model (``onnx.ModelProto``) and the rounding of every matrix."""

    model: Any
    gaps: tuple[Gap, ...]

    @property
    def largest(self) -> Fraction:
        """``max |exact - float|`` over every weight: ``0`` when the export is exact."""
        return max((g.largest for g in self.gaps), default=Fraction(0))

    @property
    def exact(self) -> bool:
        """Every weight is stored exactly (the model computes the network's own weights)."""
        return self.largest == 0


def _fraction(value: sympy.Expr, place: str) -> Fraction:
    if not value.is_Rational:
        raise NetworkError(
            f"the entry {value} is not a rational number",
            place=place,
            hint="give every parameter a value (or rationalize the weights) before exporting",
        )
    return Fraction(int(value.p), int(value.q))


def _rounded(q: Fraction, place: str, to: Callable[[float], float]) -> float:
    try:
        value = to(float(q))
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise NetworkError(f"the entry {q} does not fit in a float", place=place)
    return value


def float64_matrix(m: sympy.Matrix, place: str) -> tuple[np.ndarray, Gap]:
    """``m`` rounded to float64 (nearest), and the gap."""
    values, largest, count = [], Fraction(0), 0
    for e in m:
        q = _fraction(e, place)
        v = _rounded(q, place, float)
        diff = abs(Fraction(v) - q)
        if diff:
            count += 1
            largest = max(largest, diff)
        values.append(v)
    return np.array(values, dtype=np.float64).reshape(m.rows, m.cols), Gap(place, count, largest)


def float_parameter(value: sympy.Expr, place: str, *, float32: bool = False) -> tuple[float, Gap]:
    """An activation parameter as a float (float32 when the format stores it so), and the gap."""
    if value.is_infinite:
        return (math.inf if value > 0 else -math.inf), Gap(place, 0, Fraction(0))
    q = _fraction(value, place)
    v = _rounded(q, place, (lambda x: float(np.float32(x))) if float32 else float)
    diff = abs(Fraction(v) - q)
    return v, Gap(place, int(diff != 0), diff)


def _is_identity(m: sympy.Matrix) -> bool:
    return m.rows == m.cols and all(
        m[i, j] == (1 if i == j else 0) for i in range(m.rows) for j in range(m.cols)
    )


def check_exportable(net: ResNet, *, known: Sequence[str]) -> None:
    """Refuse activations without an operator (``known``) and networks with parameters."""
    name = net.activation.name
    if name not in known:
        raise NetworkError(
            f"the activation {name} has no operator in this format",
            place="activation",
            hint=f"export networks with one of: {', '.join(known)}",
        )
    if net.free_symbols:
        names = ", ".join(sorted(str(s) for s in net.free_symbols))
        raise NetworkError(
            f"the network has parameters ({names}); an exported model needs numbers",
            hint="substitute values for the parameters first",
        )


def export_onnx(
    net: ResNet, *, input_name: str = "x", output_name: str = "y", batch: str | int = "N"
) -> OnnxExport:
    """``net`` as a float64 ONNX model (module docstring); ``batch`` is the first axis of the
    input and the output (a name: symbolic, any batch size)."""
    onnx = load_onnx_module()
    helper, numpy_helper, TP = onnx.helper, onnx.numpy_helper, onnx.TensorProto
    check_exportable(net, known=tuple(ONNX_OPS))
    gaps: list[Gap] = []
    inits: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(array, name))
        return name

    op, alpha_key = ONNX_OPS[net.activation.name]
    act_attrs: dict[str, float] = {}
    act_inputs: list[str] = []
    act = net.activation
    if alpha_key:
        alpha, gap = float_parameter(act.param(alpha_key), f"activation.{alpha_key}", float32=True)
        act_attrs["alpha"] = -alpha if act.name == "elu" else alpha  # ONNX Elu: alpha (e^x - 1)
        gaps.append(gap)
    if act.name == "clip":
        for key in ("u", "v"):
            bound, gap = float_parameter(act.param(key), f"activation.{key}")
            gaps.append(gap)
            act_inputs.append(
                "" if math.isinf(bound) else const(f"clip_{key}", np.array(bound, np.float64))
            )
        while act_inputs and not act_inputs[-1]:
            act_inputs.pop()

    states = [input_name]
    for k in range(1, net.L + 1):
        w, gap_w = float64_matrix(net.W[k - 1], f"W_{k}")
        b, gap_b = float64_matrix(net.B[k - 1], f"B_{k}")
        gaps += [gap_w, gap_b]
        z = output_name if k == net.L else f"z{k}"
        last = f"g{k}" if net.skips_into(k) else z
        nodes.append(
            helper.make_node(
                "Gemm",
                [states[k - 1], const(f"W{k}", w), const(f"B{k}", b.ravel())],
                [last],
                name=f"layer{k}/Gemm",
                transB=1,
            )
        )
        skips = net.skips_into(k)
        for i, (r, v) in enumerate(skips):
            term = states[r]
            if not _is_identity(v):
                m, gap_v = float64_matrix(v, f"V_{{{r},{k}}}")
                gaps.append(gap_v)
                term = f"v{r}_{k}"
                nodes.append(
                    helper.make_node(
                        "MatMul",
                        [states[r], const(f"V{r}_{k}", np.ascontiguousarray(m.T))],
                        [term],
                        name=f"skip{r}_{k}/MatMul",
                    )
                )
            else:
                gaps.append(Gap(f"V_{{{r},{k}}}", 0, Fraction(0)))
            out = z if i == len(skips) - 1 else f"s{r}_{k}"
            nodes.append(helper.make_node("Add", [last, term], [out], name=f"skip{r}_{k}/Add"))
            last = out
        if k < net.L:
            x = f"x{k}"
            nodes.append(
                helper.make_node(op, [z, *act_inputs], [x], name=f"layer{k}/{op}", **act_attrs)
            )
            states.append(x)
    graph = helper.make_graph(
        nodes,
        "symresnet",
        [helper.make_tensor_value_info(input_name, TP.DOUBLE, [batch, net.dims[0]])],
        [helper.make_tensor_value_info(output_name, TP.DOUBLE, [batch, net.dims[-1]])],
        inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
        producer_name="symresnet",
        doc_string=f"ResNet {net.dims}, S = {sorted(net.skips)}, activation {act.text}",
    )
    onnx.checker.check_model(model)
    return OnnxExport(model=model, gaps=tuple(gaps))


def write_onnx(net: ResNet, path: str | os.PathLike[str]) -> OnnxExport:
    """:func:`export_onnx`, written atomically to ``path``."""
    exported = export_onnx(net)
    write_atomic(Path(path), exported.model.SerializeToString(), what="the ONNX file")
    return exported


def describe_gaps(gaps: Sequence[Gap]) -> list[str]:
    """One line per rounded matrix (none when every weight is exact)."""
    return [str(g) for g in gaps if g.entries]
