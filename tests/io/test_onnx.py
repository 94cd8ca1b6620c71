"""ONNX graphs built with onnx.helper read into the book's form (docs/onnx.md)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from symresnet.base.errors import OnnxError
from symresnet.compute.realization import realize
from symresnet.io.onnx import import_model


def _model(nodes, inits, n_in, n_out, opset=17):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n_in])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", n_out])],
        [
            numpy_helper.from_array(np.asarray(v, dtype=np.float32), name)
            for name, v in inits.items()
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def test_res_ann_shape_is_a_skip_into_layer_3_with_V_identity():
    # the book's res-ann.py: x1 = relu(A1 x0), x2 = relu(A2 x1), x3 = relu(x1 + A3 x2), y = A4 x3
    inits = {
        "W1": [[1, -1], [0.5, 2]], "b1": [0, 1], "W2": [[1, 0], [-1, 1]], "b2": [0.25, 0],
        "W3": [[2, 1], [0, -1]], "b3": [-1, 0.5], "W4": [[1, -2]], "b4": [3],
    }  # fmt: skip
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "b1"], ["a1"], transB=1),
        helper.make_node("Relu", ["a1"], ["x1"]),
        helper.make_node("Gemm", ["x1", "W2", "b2"], ["a2"], transB=1),
        helper.make_node("Relu", ["a2"], ["x2"]),
        helper.make_node("Gemm", ["x2", "W3", "b3"], ["a3"], transB=1),
        helper.make_node("Add", ["x1", "a3"], ["s3"]),
        helper.make_node("Relu", ["s3"], ["x3"]),
        helper.make_node("Gemm", ["x3", "W4", "b4"], ["y"], transB=1),
    ]
    model = _model(nodes, inits, 2, 1)
    net = import_model(model).network
    assert net.dims == (2, 2, 2, 2, 1)
    assert set(net.skips) == {(1, 3)}
    assert net.skips[(1, 3)].tolist() == [[1, 0], [0, 1]]
    ref = ReferenceEvaluator(model)
    for point in ([1, 2], [-0.5, 0.25], [3, -1]):
        want = ref.run(None, {"x": np.array([point], dtype=np.float32)})[0][0]
        got = realize(net, [Fraction(p) for p in point]).output
        assert [Fraction(float(v)) for v in want] == [Fraction(int(v.p), int(v.q)) for v in got]


def test_skip_after_activation_is_pushed_into_its_consumer():
    inits = {"W1": [[1, 2], [3, 4]], "W2": [[1, -1]]}
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["a1"]),
        helper.make_node("Relu", ["a1"], ["h"]),
        helper.make_node("Add", ["h", "x"], ["s"]),
        helper.make_node("Gemm", ["s", "W2"], ["y"], transB=1),
    ]
    imported = import_model(_model(nodes, inits, 2, 1))
    net = imported.network
    assert set(net.skips) == {(0, 2)}
    assert net.skips[(0, 2)] == net.W[1]
    assert any("pushed into its consumer" in r for r in imported.rewrites)


def test_leaky_relu_alpha_is_its_float32_value():
    nodes = [
        helper.make_node("Gemm", ["x", "W1"], ["a"], transB=1),
        helper.make_node("LeakyRelu", ["a"], ["h"], alpha=0.01),
        helper.make_node("Gemm", ["h", "W2"], ["y"], transB=1),
    ]
    net = import_model(_model(nodes, {"W1": [[1]], "W2": [[1]]}, 1, 1)).network
    gamma = net.activation.param("gamma")
    assert Fraction(int(gamma.p), int(gamma.q)) == Fraction(float(np.float32(0.01)))
    assert gamma != Fraction(1, 100)


def test_unknown_operator_is_refused_naming_the_node():
    nodes = [helper.make_node("Conv", ["x", "W"], ["y"], name="conv1")]
    with pytest.raises(OnnxError, match=r"Conv 'conv1'.*not read"):
        import_model(_model(nodes, {"W": [[1]]}, 1, 1))


def test_wrong_shapes_are_refused():
    nodes = [helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")]
    with pytest.raises(OnnxError, match=r"MatMul 'mm'.*3 features.*2 rows"):
        import_model(_model(nodes, {"W": [[1], [2]]}, 3, 1))


def test_mixed_activations_are_refused():
    nodes = [
        helper.make_node("Relu", ["x"], ["h"], name="r"),
        helper.make_node("Tanh", ["h"], ["y"], name="t"),
    ]
    with pytest.raises(OnnxError, match="mixed activations"):
        import_model(_model(nodes, {}, 1, 1))
    assert onnx.__version__
