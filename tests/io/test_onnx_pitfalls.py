"""One onnx.helper model per ONNX pitfall of issue 15 (docs/onnx.md, "Operators"), each read
into the book's form and agreeing *exactly* with ``onnx.reference.ReferenceEvaluator`` at
dyadic inputs whose float32 computation is exact (small dyadic weights and inputs).

The exact side is the independent Fraction realization of tests/reference.py applied to the
imported ``W``, ``B``, ``V``; the float side is ONNX's own reference implementation.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import reference as ref
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from symresnet.base.errors import OnnxError
from symresnet.io.onnx import import_model

POINTS = ([1, 2, -3], [-0.5, 0.25, 0.75], [3, -1, 0], [-2, -4, 0.5], [0.125, -0.375, 1.5])


def _init(name, values, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(values, dtype=dtype), name)


def _model(nodes, inits, in_shape, out_shape, *, opset=17, elem=TensorProto.FLOAT, inputs=()):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", elem, in_shape), *inputs],
        [helper.make_tensor_value_info("y", elem, out_shape)],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _fractions(m) -> list[list[Fraction]]:
    return [[Fraction(int(e.p), int(e.q)) for e in m.row(i)] for i in range(m.rows)]


def _exact(net, act, x0: list[Fraction]) -> list[Fraction]:
    """The output by tests/reference.py's Fraction realization of Def. 1.5.4."""
    W = [_fractions(w) for w in net.W]
    B = [[row[0] for row in _fractions(b)] for b in net.B]
    skips = {rk: _fractions(v) for rk, v in net.skips.items()}
    return ref.realization(W, B, skips, act, x0)[-1]


def _agree(model, act=ref.relu, points=POINTS, *, in_shape=None, dtype=np.float32):
    """Import ``model``; at every point the exact output equals ReferenceEvaluator's."""
    imported = import_model(model)
    net = imported.network
    evaluator = ReferenceEvaluator(model)
    n = net.dims[0]
    for point in points:
        p = list(point)[:n] + [0] * max(0, n - len(point))
        x = np.array(p, dtype=dtype).reshape(in_shape or (1, n))
        want = evaluator.run(None, {"x": x})[0].ravel()
        got = _exact(net, act, [Fraction(float(v)) for v in x.ravel()])
        assert [Fraction(float(v)) for v in want] == got, point
    return imported


# -- Gemm -------------------------------------------------------------------------------------


@pytest.mark.parametrize("trans_b", [0, 1])
def test_gemm_alpha_beta_three_inputs(trans_b):
    W = np.array([[1, -0.5, 2], [0.25, 1, -1]], dtype=np.float32)  # (out, in)
    inits = [_init("W", W if trans_b else W.T), _init("b", [0.5, -1])]
    nodes = [
        helper.make_node("Gemm", ["x", "W", "b"], ["a"], transB=trans_b, alpha=0.5, beta=2.0),
        helper.make_node("Relu", ["a"], ["y"]),
    ]
    net = _agree(_model(nodes, inits, ["N", 3], ["N", 2])).network
    assert net.W[0].tolist() == [
        [Fraction(1, 2), Fraction(-1, 4), 1],
        [Fraction(1, 8), Fraction(1, 2), Fraction(-1, 2)],
    ]
    assert net.B[0].tolist() == [[1], [-2]]


def test_gemm_two_inputs_and_trans_a():
    # x stored as a column (3, 1); transA makes it the row A' = x^T; no C input
    inits = [_init("W", [[1, 2], [-1, 0.5], [0, -2]])]
    nodes = [helper.make_node("Gemm", ["x", "W"], ["y"], transA=1)]
    net = _agree(_model(nodes, inits, [3, 1], [1, 2]), in_shape=(3, 1)).network
    assert net.dims == (3, 2)
    assert net.B[0].tolist() == [[0], [0]]


# -- MatMul, Add/Sub, Mul/Div ---------------------------------------------------------------------


@pytest.mark.parametrize("bias_first", [True, False])
def test_matmul_in_out_weights_and_bias_on_either_side(bias_first):
    inits = [_init("W", [[1, 2], [3, -1], [0.5, 0]]), _init("b", [0.25, -0.5])]  # (in, out)
    add = ["b", "a"] if bias_first else ["a", "b"]
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["a"]),
        helper.make_node("Add", add, ["h"]),
        helper.make_node("Relu", ["h"], ["y"]),
    ]
    net = _agree(_model(nodes, inits, ["N", 3], ["N", 2])).network
    assert net.W[0].tolist() == [[1, 3, Fraction(1, 2)], [2, -1, 0]]  # W_1 = the transpose
    assert net.B[0].tolist() == [[Fraction(1, 4)], [Fraction(-1, 2)]]


@pytest.mark.parametrize("const_first", [True, False])
def test_sub_of_a_constant_on_either_side(const_first):
    inits = [_init("W", [[1, -1, 2], [0, 1, 1]]), _init("c", [1, -0.5])]
    sub = ["c", "a"] if const_first else ["a", "c"]
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["a"], transB=1),
        helper.make_node("Sub", sub, ["y"]),
    ]
    net = _agree(_model(nodes, inits, ["N", 3], ["N", 2])).network
    sign = -1 if const_first else 1
    assert net.W[0].tolist()[0] == [sign * 1, sign * -1, sign * 2]


@pytest.mark.parametrize("order", ["const_first", "const_second"])
def test_mul_and_div_by_constants(order):
    inits = [_init("W", [[1, -1, 2], [0, 1, 1]]), _init("m", [2, -0.5]), _init("d", [4.0])]
    mul = ["m", "a"] if order == "const_first" else ["a", "m"]
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["a"], transB=1),
        helper.make_node("Mul", mul, ["p"]),
        helper.make_node("Div", ["p", "d"], ["y"]),
    ]
    net = _agree(_model(nodes, inits, ["N", 3], ["N", 2])).network
    assert net.W[0].tolist() == [
        [Fraction(1, 2), Fraction(-1, 2), 1],
        [0, Fraction(-1, 8), Fraction(-1, 8)],
    ]


def test_residual_add_and_sub_of_two_computed_tensors():
    inits = [_init("W1", [[1, 2, -1], [0.5, 0, 1], [1, 1, 1]]), _init("W2", [[1, -1, 0.5]])]
    nodes = [
        helper.make_node("Gemm", ["x", "W1"], ["a"], transB=1),
        helper.make_node("Relu", ["a"], ["h"]),
        helper.make_node("Sub", ["h", "x"], ["s"]),  # a residual Sub: h - x
        helper.make_node("Gemm", ["s", "W2"], ["y"], transB=1),
    ]
    imported = _agree(_model(nodes, inits, ["N", 3], ["N", 1]))
    net = imported.network
    assert set(net.skips) == {(0, 2)}
    assert net.skips[(0, 2)].tolist() == [[-1, 1, Fraction(-1, 2)]]  # -W_2
    assert any("pushed into its consumer" in r for r in imported.rewrites)


# -- activations ----------------------------------------------------------------------------------


def _act_net(act_nodes, opset=17, inits=()):
    base = [_init("W1", [[1, -1, 0.5], [2, 0, -1]]), _init("W2", [[1, 0.5], [-1, 2]])]
    nodes = [
        helper.make_node("Gemm", ["x", "W1"], ["a"], transB=1),
        *act_nodes,
        helper.make_node("Gemm", ["h", "W2"], ["y"], transB=1),
    ]
    return _model(nodes, [*base, *inits], ["N", 3], ["N", 2], opset=opset)


def test_relu():
    net = _agree(_act_net([helper.make_node("Relu", ["a"], ["h"])])).network
    assert net.dims == (3, 2, 2) and net.activation.name == "relu"


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.25])
def test_leaky_relu_float32_alpha_exactly(alpha):
    model = _act_net([helper.make_node("LeakyRelu", ["a"], ["h"], alpha=alpha)])
    gamma = Fraction(float(np.float32(alpha)))
    # one negative pre-activation, a power of two, and a zero or positive one beside it: then
    # float32 computes alpha * z and the output layer's sums exactly
    points = ([-1, 0, -2], [0, 0.5, 0], [0, 1, 0], [0.5, 0, 0], [2, 0, 4])
    net = _agree(model, ref.leaky(gamma), points).network
    g = net.activation.param("gamma")
    assert Fraction(int(g.p), int(g.q)) == gamma
    if alpha != 0.25:
        assert gamma != Fraction(str(alpha))  # the float32 value, not the decimal


def test_clip_with_attributes_before_opset_11():
    model = _act_net([helper.make_node("Clip", ["a"], ["h"], min=-0.5, max=1.5)], opset=6)
    net = _agree(model, ref.clip(Fraction(-1, 2), Fraction(3, 2))).network
    assert net.activation.name == "clip"


def test_clip_with_inputs_from_opset_11():
    inits = [_init("lo", -0.5), _init("hi", 1.5)]
    model = _act_net([helper.make_node("Clip", ["a", "lo", "hi"], ["h"])], inits=inits)
    _agree(model, ref.clip(Fraction(-1, 2), Fraction(3, 2)))


def test_clip_with_a_missing_min_written_as_empty_name():
    # Clip(a, "", hi) = min(a, 1) = 1 - relu(1 - a): a ReLU layer (reported)
    inits = [_init("hi", 1.0)]
    model = _act_net([helper.make_node("Clip", ["a", "", "hi"], ["h"])], inits=inits)
    imported = _agree(model)
    assert imported.network.activation.name == "relu"
    assert any("min(x, 1)" in r for r in imported.rewrites)


def test_clip_with_only_a_min_input():
    inits = [_init("lo", 0.5)]
    model = _act_net([helper.make_node("Clip", ["a", "lo"], ["h"])], inits=inits)
    imported = _agree(model)
    assert any("max(x, 1/2)" in r for r in imported.rewrites)


def test_max_against_zero_is_relu():
    inits = [_init("zero", 0.0)]
    model = _act_net([helper.make_node("Max", ["a", "zero"], ["h"])], inits=inits)
    imported = _agree(model)
    assert imported.network.activation.name == "relu"
    assert imported.network.B[1].tolist() == [[0], [0]]  # no shift: Max(x, 0) = relu(x)


@pytest.mark.parametrize("op", ["Max", "Min"])
def test_max_min_against_constants(op):
    inits = [_init("c", [0.5, -1])]
    model = _act_net([helper.make_node(op, ["c", "a"], ["h"])], inits=inits)
    imported = _agree(model)
    assert imported.network.activation.name == "relu"
    assert any(f"{op} " in r for r in imported.rewrites)


# -- shape operators ---------------------------------------------------------------------------


def test_flatten_reshape_squeeze_unsqueeze_identity_cast_constant_dropout():
    shape = numpy_helper.from_array(np.array([1, 3], dtype=np.int64), "shape")
    axes = numpy_helper.from_array(np.array([0], dtype=np.int64), "axes")
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], axis=1),  # (1,1,3) -> (1,3)
        helper.make_node("Unsqueeze", ["f", "axes"], ["u"]),  # (1,1,3)
        helper.make_node("Squeeze", ["u", "axes"], ["s"]),  # (1,3)
        helper.make_node("Identity", ["s"], ["i"]),
        helper.make_node("Cast", ["i"], ["c"], to=TensorProto.FLOAT),
        helper.make_node("Dropout", ["c"], ["d"]),
        helper.make_node(
            "Constant",
            [],
            ["W"],
            value=numpy_helper.from_array(np.array([[1, -2, 0.5], [0, 1, 1]], dtype=np.float32)),
        ),
        helper.make_node("Gemm", ["d", "W"], ["g"], transB=1),
        helper.make_node("Reshape", ["g", "shape2"], ["r"]),
        helper.make_node("Relu", ["r"], ["y"]),
    ]
    shape2 = numpy_helper.from_array(np.array([-1, 2], dtype=np.int64), "shape2")
    model = _model(nodes, [shape, axes, shape2], [1, 1, 3], [1, 2])
    net = _agree(model, in_shape=(1, 1, 3)).network
    assert net.dims == (3, 2, 2)  # ends in Relu: an identity output layer
    assert net.W[1].tolist() == [[1, 0], [0, 1]]
    assert net.W[0].tolist() == [[1, -2, Fraction(1, 2)], [0, 1, 1]]


def test_batch_normalization_folded():
    # var + epsilon = 3/4 + 1/4 and 15/4 + 1/4: rational square roots, so the fold is exact
    inits = [
        _init("W1", [[1, -1, 0.5], [2, 0, -1]]),
        _init("scale", [2, -1]), _init("bias", [0.5, 1]),
        _init("mean", [1, -0.5]), _init("var", [0.75, 3.75]),
        _init("W2", [[1, 0.5]]),
    ]  # fmt: skip
    nodes = [
        helper.make_node("Gemm", ["x", "W1"], ["a"], transB=1),
        helper.make_node(
            "BatchNormalization", ["a", "scale", "bias", "mean", "var"], ["n"], epsilon=0.25
        ),
        helper.make_node("Relu", ["n"], ["h"]),
        helper.make_node("Gemm", ["h", "W2"], ["y"], transB=1),
    ]
    imported = _agree(_model(nodes, inits, ["N", 3], ["N", 1]))
    net = imported.network
    # factors scale / sqrt(var + eps): 2 / 1 and -1 / 2; shifts bias - mean * factor
    assert net.W[0].tolist() == [[2, -2, 1], [-1, 0, Fraction(1, 2)]]
    assert net.B[0].tolist() == [[Fraction(1, 2) - 2], [1 - Fraction(1, 4)]]
    assert any("BatchNormalization" in r and "folded" in r for r in imported.rewrites)


def test_acas_like_prelude_sub_mean_div_range_flatten():
    inits = [
        _init("mean", [[[[0.5, -1, 2]]]]),
        _init("range", [[[[2, 4, 0.5]]]]),
        _init("W1", [[1, -1, 0.5], [2, 0, -1]]),
        _init("W2", [[1, 0.5], [-1, 2]]),
    ]
    nodes = [
        helper.make_node("Sub", ["x", "mean"], ["c"]),
        helper.make_node("Div", ["c", "range"], ["d"]),
        helper.make_node("Flatten", ["d"], ["f"]),
        helper.make_node("Gemm", ["f", "W1"], ["a"], transB=1),
        helper.make_node("Relu", ["a"], ["h"]),
        helper.make_node("Gemm", ["h", "W2"], ["y"], transB=1),
    ]
    imported = _agree(_model(nodes, inits, [1, 1, 1, 3], [1, 2]), in_shape=(1, 1, 1, 3))
    net = imported.network
    assert net.dims == (3, 2, 2)
    assert net.W[0].tolist() == [[Fraction(1, 2), Fraction(-1, 4), 1], [1, 0, -2]]
    assert any("Sub" in r and "folded" in r for r in imported.rewrites)


def test_initializers_repeated_in_graph_input():
    inits = [_init("W1", [[1, -1, 0.5], [2, 0, -1]]), _init("W2", [[1, 0.5]])]
    listed = [
        helper.make_tensor_value_info("W1", TensorProto.FLOAT, [2, 3]),
        helper.make_tensor_value_info("W2", TensorProto.FLOAT, [1, 2]),
    ]
    nodes = [
        helper.make_node("Gemm", ["x", "W1"], ["a"], transB=1),
        helper.make_node("Relu", ["a"], ["h"]),
        helper.make_node("Gemm", ["h", "W2"], ["y"], transB=1),
    ]
    imported = _agree(_model(nodes, inits, ["N", 3], ["N", 1], inputs=listed, opset=9))
    assert imported.input_names == ("x",)


@pytest.mark.parametrize("batch", [1, "N", "batch_size"])
def test_batch_dimension_fixed_or_symbolic(batch):
    inits = [_init("W1", [[1, -1, 0.5], [2, 0, -1]]), _init("W2", [[1, 0.5]])]
    nodes = [
        helper.make_node("Gemm", ["x", "W1"], ["a"], transB=1),
        helper.make_node("Relu", ["a"], ["h"]),
        helper.make_node("Gemm", ["h", "W2"], ["y"], transB=1),
    ]
    assert _agree(_model(nodes, inits, [batch, 3], [batch, 1])).network.dims == (3, 2, 1)


def test_symbolic_non_batch_dimension_is_refused():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="r")]
    with pytest.raises(OnnxError, match=r"axis 1 has no fixed size \(F\)"):
        import_model(_model(nodes, [], [1, "F"], [1, "F"]))


@pytest.mark.parametrize(
    "dtype,elem", [(np.float16, TensorProto.FLOAT16), ("bfloat16", TensorProto.BFLOAT16)]
)
def test_half_precision_weights_through_cast(dtype, elem):
    w = [[1, -1, 0.5], [2, 0.375, -1]]
    if dtype == "bfloat16":
        t = helper.make_tensor("W1h", elem, [2, 3], np.array(w, dtype=np.float32).ravel().tolist())
    else:
        t = _init("W1h", w, dtype)
    assert t.data_type == elem
    nodes = [
        helper.make_node("Cast", ["W1h"], ["W1"], to=TensorProto.FLOAT),
        helper.make_node("Gemm", ["x", "W1"], ["a"], transB=1),
        helper.make_node("Relu", ["a"], ["h"]),
        helper.make_node("Gemm", ["h", "W2"], ["y"], transB=1),
    ]
    net = _agree(_model(nodes, [t, _init("W2", [[1, 0.5]])], ["N", 3], ["N", 1])).network
    assert net.W[0].tolist() == [[1, -1, Fraction(1, 2)], [2, Fraction(3, 8), -1]]


def test_half_precision_weights_are_their_binary_values():
    # float16(0.1) = 1638/16384 = 0.0999755859375, not 1/10
    t = _init("W1", [[0.1]], np.float16)
    nodes = [helper.make_node("Gemm", ["x", "W1"], ["y"], transB=1)]
    model = helper.make_model(
        helper.make_graph(
            nodes,
            "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [1, 1])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [1, 1])],
            [t],
        ),
        opset_imports=[helper.make_opsetid("", 17)],
    )
    w = import_model(model).network.W[0][0, 0]
    assert Fraction(int(w.p), int(w.q)) == Fraction(1638, 16384)


# -- rewrites and refusals -----------------------------------------------------------------------


def test_graph_ending_in_a_skip_after_an_activation_gets_an_identity_output_layer():
    inits = [_init("W1", [[1, 2, -1], [0.5, 0, 1], [1, 1, 1]])]
    nodes = [
        helper.make_node("Gemm", ["x", "W1"], ["a"], transB=1),
        helper.make_node("Relu", ["a"], ["h"]),
        helper.make_node("Add", ["h", "x"], ["y"]),  # relu(F x) + x as the output
    ]
    imported = _agree(_model(nodes, inits, ["N", 3], ["N", 3]))
    net = imported.network
    assert net.dims == (3, 3, 3)
    assert net.W[1].tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert net.skips[(0, 2)].tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert any("identity output layer" in r for r in imported.rewrites)


@pytest.mark.parametrize(
    "node,message",
    [
        (
            helper.make_node("Mul", ["a", "a"], ["y"], name="sq"),
            r"Mul 'sq': multiplies two tensors",
        ),
        (helper.make_node("Div", ["W", "a"], ["y"], name="inv"), r"Div 'inv': divides by a tensor"),
        (
            helper.make_node("Softmax", ["a"], ["y"], name="sm"),
            r"Softmax 'sm': the operator Softmax is not read",
        ),
        (
            helper.make_node("MatMul", ["a", "a"], ["y"], name="mm"),
            r"MatMul 'mm': multiplies two tensors",
        ),
    ],
)
def test_refusals_name_the_node_and_its_operator(node, message):
    nodes = [helper.make_node("Gemm", ["x", "W"], ["a"], transB=1), node]
    model = _model(nodes, [_init("W", [[1, 2, 3]])], [1, 3], [1, 1])
    with pytest.raises(OnnxError, match=message):
        import_model(model)


def test_weights_with_no_activation_between_are_multiplied_out_and_reported():
    inits = [_init("A", [[1, 2, -1], [0.5, 0, 1]]), _init("Bm", [[2, -1], [1, 1]])]
    nodes = [
        helper.make_node("Gemm", ["x", "A"], ["a"], transB=1, name="first"),
        helper.make_node("Gemm", ["a", "Bm"], ["y"], transB=1, name="second"),
    ]
    imported = _agree(_model(nodes, inits, ["N", 3], ["N", 2]))
    assert imported.network.W[0].tolist() == [[Fraction(3, 2), 4, -3], [Fraction(3, 2), 2, 0]]
    assert any("'first', Gemm 'second'" in r and "multiplied out" in r for r in imported.rewrites)


def test_a_skip_through_its_own_matmul_is_not_reported_as_multiplied_out():
    inits = [
        _init("W1", [[1, -1, 0.5], [2, 0, -1]]),
        _init("W2", [[1, 0.5]]),
        _init("V", [[1], [-1], [2]]),
    ]
    nodes = [
        helper.make_node("Gemm", ["x", "W1"], ["a"], transB=1),
        helper.make_node("Relu", ["a"], ["h"]),
        helper.make_node("Gemm", ["h", "W2"], ["g"], transB=1),
        helper.make_node("MatMul", ["x", "V"], ["v"]),
        helper.make_node("Add", ["g", "v"], ["y"]),
    ]
    imported = _agree(_model(nodes, inits, ["N", 3], ["N", 1]))
    assert imported.network.skips[(0, 2)].tolist() == [[1, -1, 2]]
    assert imported.rewrites == ()
    assert imported.layer_names == (("W1",), ("W2", "V"))
