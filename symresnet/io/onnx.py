"""ONNX files -> the book's ResNets (Def. 1.5.1), exactly: :func:`read_onnx` (docs/onnx.md).

The graph is read node by node (:mod:`symresnet.io.onnx_ops`): every tensor computed from the
input is an exact affine function of the states ``x_0, x_1, ...``; every activation ends a
hidden layer; the graph's output is the output layer (:mod:`symresnet.io.onnx_layers`).
Float weights are their exact binary values; ``tolerance`` rounds them to the simplest
rationals within it, and :attr:`OnnxImport.changes` says what that changed.  Anything that
is not in the book's form is refused with an :class:`~symresnet.base.errors.OnnxError` (exit
status 2) naming the node and its operator.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy

from symresnet.base.errors import InputError, LimitError, OnnxError
from symresnet.claims.spec import Spec
from symresnet.compute.scaled import from_fmpq_mat
from symresnet.io.onnx_affine import Affine
from symresnet.io.onnx_layers import Assembled, Layers
from symresnet.io.onnx_ops import HANDLERS, Context
from symresnet.io.onnx_tensors import FLOAT_TYPES, load_onnx_module, node_label, type_name
from symresnet.io.rationalize import Change, check_tolerance, rationalized, simplest_between
from symresnet.io.reading import read_bounded
from symresnet.model.activations import Activation
from symresnet.model.network import ResNet
from symresnet.values.limits import DEFAULT_LIMITS, Limits

__all__ = ["MAX_NODES", "OnnxImport", "import_model", "load_onnx_spec", "read_onnx"]

#: most nodes in one graph
MAX_NODES = 100_000


@dataclasses.dataclass(frozen=True)
class OnnxImport:
    """An ONNX model read into the book's form.

    ``network`` is an ordinary :class:`~symresnet.model.network.ResNet`; ``rewrites`` says in
    words every step that was not a plain ``Gemm``/``MatMul`` + bias + activation layer (a
    skip pushed into its consumer, an identity output layer, a folded BatchNormalization,
    ...); ``changes`` what ``tolerance`` rounded (empty without one); ``input_names`` and
    ``output_names`` are the graph's; ``layer_names[k - 1]`` names the tensors (initializers:
    for a model exported by PyTorch, its parameter names such as ``fc1.weight``) that layer
    ``k``'s ``W_k``, ``B_k`` and skips were made from, in the order of the graph.
    """

    network: ResNet
    rewrites: tuple[str, ...]
    changes: tuple[Change, ...]
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    source: str = "<onnx>"
    layer_names: tuple[tuple[str, ...], ...] = ()


def read_onnx(
    path: str | Path, *, tolerance: Fraction | None = None, limits: Limits = DEFAULT_LIMITS
) -> OnnxImport:
    """Read the ONNX file ``path`` into the book's form (module docstring)."""
    source = str(path)
    raw = read_bounded(path, limits=limits, error=OnnxError, what="an ONNX file")
    return read_onnx_bytes(raw, source=source, tolerance=tolerance, limits=limits)


def read_onnx_bytes(
    raw: bytes,
    *,
    source: str = "<onnx>",
    tolerance: Fraction | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> OnnxImport:
    """Read a serialized ONNX model (as :func:`read_onnx`)."""
    onnx = load_onnx_module()
    try:
        model = onnx.load_model_from_string(raw)
    except Exception:  # protobuf's DecodeError and friends: not an ONNX file
        raise OnnxError(
            "not an ONNX model (protobuf cannot read it)",
            file=source,
            hint="give a .onnx file saved by onnx.save or torch.onnx.export",
        ) from None
    return import_model(model, source=source, tolerance=tolerance, limits=limits)


def import_model(
    model: Any,
    *,
    source: str = "<onnx>",
    tolerance: Fraction | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> OnnxImport:
    """Read an ``onnx.ModelProto`` into the book's form (as :func:`read_onnx`)."""
    try:
        return _import(model, source=source, tolerance=check_tolerance(tolerance), limits=limits)
    except InputError as err:
        raise err.located(file=source) from None
    except RecursionError:
        raise LimitError("the model is nested too deeply to read", file=source) from None


def load_onnx_spec(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Spec:
    """An ONNX file as a :class:`~symresnet.claims.spec.Spec` without claims (the commands that
    take a SPEC take an ``.onnx`` file this way)."""
    imported = read_onnx(path, limits=limits)
    return Spec(network=imported.network, title=Path(path).name, source=str(path))


# -- the graph -----------------------------------------------------------------------------------


def _opset(model: Any) -> int:
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return int(entry.version)
    raise OnnxError("the model imports no version of the standard ONNX operators (opset_import)")


def _input(graph: Any, initializers: dict[str, Any], limits: Limits) -> tuple[str, tuple[int, ...]]:
    inputs = [i for i in graph.input if i.name not in initializers]
    if len(inputs) != 1:
        names = ", ".join(repr(i.name) for i in inputs) or "none"
        raise OnnxError(
            f"the graph has {len(inputs)} inputs ({names}); symresnet reads networks of one input"
        )
    inp = inputs[0]
    place = f"input {inp.name!r}"
    if not inp.type.HasField("tensor_type"):
        raise OnnxError("is not a tensor", place=place)
    tensor = inp.type.tensor_type
    if int(tensor.elem_type) not in FLOAT_TYPES:
        raise OnnxError(
            f"is of type {type_name(int(tensor.elem_type))}, not a float tensor", place=place
        )
    if not tensor.HasField("shape"):
        raise OnnxError("has no shape", place=place, hint="export the model with its input shape")
    shape = []
    for axis, dim in enumerate(tensor.shape.dim):
        if dim.HasField("dim_value"):
            shape.append(int(dim.dim_value))
        elif axis == 0:
            shape.append(1)  # the batch dimension, symbolic: one point at a time
        else:
            raise OnnxError(
                f"axis {axis} has no fixed size ({dim.dim_param or 'unknown'}); only the batch "
                "dimension (axis 0) may be symbolic",
                place=place,
            )
    if any(d < 1 for d in shape):
        raise OnnxError(f"has shape {shape}: every dimension must be positive", place=place)
    n = 1
    for d in shape:
        n *= d
        if n > limits.max_entries:
            raise LimitError(
                f"has more than {limits.max_entries} entries (Limits.max_entries)", place=place
            )
    return inp.name, tuple(shape)


def _needed(graph: Any, output: str) -> tuple[set[str], set[int]]:
    """The tensor names and node indices the output depends on."""
    producer: dict[str, int] = {}
    for i, node in enumerate(graph.node):
        for name in node.output:
            if name:
                if name in producer:
                    raise OnnxError(f"{node_label(node, i)}: the tensor {name!r} is computed twice")
                producer[name] = i
    names, nodes, todo = {output}, set[int](), [output]
    while todo:
        name = todo.pop()
        found = producer.get(name)
        if found is None or found in nodes:
            continue
        nodes.add(found)
        for inp in graph.node[found].input:
            if inp and inp not in names:
                names.add(inp)
                todo.append(inp)
    return names, nodes


def _import(model: Any, *, source: str, tolerance: Fraction | None, limits: Limits) -> OnnxImport:
    graph = model.graph
    if len(graph.node) > MAX_NODES:
        raise LimitError(f"the graph has {len(graph.node)} nodes, more than {MAX_NODES}")
    opset = _opset(model)
    initializers = {t.name: t for t in graph.initializer}
    if graph.sparse_initializer:
        raise OnnxError("sparse initializers are not read", hint="store the weights densely")
    input_name, input_shape = _input(graph, initializers, limits)
    if len(graph.output) != 1:
        raise OnnxError(
            f"the graph has {len(graph.output)} outputs; symresnet reads networks of one output"
        )
    output_name = graph.output[0].name
    needed, live = _needed(graph, output_name)
    layers = Layers(_size(input_shape), limits=limits)
    layers.guard(_size(input_shape), _size(input_shape), f"the input {input_name!r}")
    ctx = Context(
        values={input_name: Affine.state(0, input_shape)},
        initializers=initializers,
        layers=layers,
        opset=opset,
        limits=limits,
        tolerance=tolerance,
        needed=needed,
    )
    for i, node in enumerate(graph.node):
        if i not in live:
            continue
        label = node_label(node, i)
        if node.domain not in ("", "ai.onnx"):
            raise OnnxError(f"{label}: operators of the domain {node.domain!r} are not read")
        handler = HANDLERS.get(node.op_type)
        if handler is None:
            raise OnnxError(
                f"{label}: the operator {node.op_type} is not read by symresnet",
                hint="docs/onnx.md lists the operators it reads",
            )
        outputs = handler(ctx, node, label)
        for name, value in zip(node.output, outputs, strict=False):
            if name:
                ctx.values[name] = value
    out = ctx.value(output_name, f"the output {output_name!r}", "value")
    if not isinstance(out, Affine) or not out.terms:
        raise OnnxError(f"the output {output_name!r} does not depend on the input")
    assembled = layers.assemble(out, repr(output_name))
    changes = list(ctx.changes)
    if tolerance:
        assembled, more = _rationalize(assembled, tolerance)
        changes += more
    network = _network(assembled, limits)
    return OnnxImport(
        network=network,
        rewrites=assembled.rewrites,
        changes=tuple(changes),
        input_names=(input_name,),
        output_names=(output_name,),
        source=source,
        layer_names=assembled.names,
    )


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _rationalize(assembled: Assembled, tolerance: Fraction) -> tuple[Assembled, list[Change]]:
    changes: list[Change] = []

    def rounded(m: Any, place: str) -> Any:
        new, count, largest = rationalized(m, tolerance)
        if count:
            changes.append(Change(place, count, largest))
        return new

    W = tuple(rounded(w, f"layers[{k}].W") for k, w in enumerate(assembled.W, 1))
    B = tuple(rounded(b, f"layers[{k}].B") for k, b in enumerate(assembled.B, 1))
    skips = {rk: rounded(v, f"V_{{{rk[0]},{rk[1]}}}") for rk, v in assembled.skips.items()}
    act = assembled.activation
    params = []
    for key, value in act.params:
        if value.is_Rational:
            exact = Fraction(int(value.p), int(value.q))
            new = simplest_between(exact - tolerance, exact + tolerance)
            if new != exact:
                changes.append(Change(f"activation.{key}", 1, abs(new - exact)))
            params.append((key, sympy.Rational(new.numerator, new.denominator)))
        else:
            params.append((key, value))
    activation = Activation(act.name, tuple(params))
    return dataclasses.replace(assembled, W=W, B=B, skips=skips, activation=activation), changes


def _network(assembled: Assembled, limits: Limits) -> ResNet:
    return ResNet(
        W=[from_fmpq_mat(w) for w in assembled.W],
        B=[from_fmpq_mat(b) for b in assembled.B],
        skips={rk: from_fmpq_mat(v) for rk, v in assembled.skips.items()},
        activation=assembled.activation,
        limits=limits,
    )
