"""``symresnet draw`` (the architecture picture) and ``symresnet derive --figure``."""

from __future__ import annotations

import re

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from symresnet.cli.main import main
from symresnet.examples import example_path
from symresnet.present.compile import compile_pdf

EXERCISE = str(example_path("exercise-1.5.1"))
EXAMPLE = str(example_path("example-1.5.6"))
WIDE = str(example_path("exercise-1.5.1").parent / "wide-64.toml")
SKIP_LABEL = re.compile(r"\\node\[skiplabel[^\]]*\] at \([^)]*\) \{(.*)\};")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_draw_prints_a_standalone_document(capsys):
    code, out, err = run(capsys, "draw", EXERCISE)
    assert code == 0, err
    assert out.startswith(r"\documentclass{article}") and out.rstrip().endswith(r"\end{document}")
    assert r"\usepackage{tikz}" in out and r"\usetikzlibrary" not in out
    assert SKIP_LABEL.findall(out) == ["$V_{0,3} = I$", "$V_{1,3}$"]
    assert "Exercise 1.5.1" in out  # the spec's title


def test_draw_picture_only_and_titles(capsys):
    code, out, _ = run(capsys, "draw", EXAMPLE, "--picture", "--no-title")
    assert code == 0
    assert out.startswith(r"\begin{tikzpicture}") and r"\documentclass" not in out
    assert "Example 1.5.6" not in out
    code, out, _ = run(capsys, "draw", EXAMPLE, "--picture", "--title", "Fig. 1 & {x}_%")
    assert code == 0 and r"Fig. 1 \& \{x\}\_\%" in out


def test_draw_the_wide_example_elides_its_wide_layers(capsys):
    # wide-64.toml: dims (2, 64, 16, 64, 16, 1), S = {(0,2), (1,3), (2,4), (0,5), (3,5)},
    # V_{1,3} and V_{2,4} are "I"
    code, out, _ = run(capsys, "draw", WIDE, "--picture", "--max-neurons", "5")
    assert code == 0
    assert sorted(SKIP_LABEL.findall(out)) == sorted(
        ["$V_{0,2}$", "$V_{1,3} = I$", "$V_{2,4} = I$", "$V_{0,5}$", "$V_{3,5}$"]
    )
    assert out.count(r"\node[neuron") == 2 + 4 + 4 + 4 + 4 + 1
    assert out.count(r"{$\vdots$}") == 4
    for k, width in enumerate((2, 64, 16, 64, 16, 1)):
        assert f"$l_{{{k}}} = {width}$" in out


def test_draw_writes_tex_and_pdf(capsys, tmp_path, latex):
    target = tmp_path / "net.tex"
    code, out, err = run(capsys, "draw", EXERCISE, "--out", str(target), "--pdf")
    assert code == 0, err
    assert out == f"wrote {target}\nwrote {target.with_suffix('.pdf')}\n"
    assert target.read_text().startswith(r"\documentclass")
    assert target.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.pdf", "net.tex"]


def test_draw_out_pdf_writes_only_the_pdf(capsys, tmp_path, latex, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "draw", EXAMPLE, "--out", "fig.pdf")
    assert code == 0, err
    assert out == "wrote fig.pdf\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.pdf"]
    code, out, err = run(capsys, "draw", EXAMPLE, "--pdf")
    assert code == 0 and out == "wrote example-1.5.6-architecture.pdf\n"


def _onnx_file(path):
    # x1 = relu(W1 x0 + b1), x2 = relu(W2 x1 + b2), x3 = relu(x1 + W3 x2 + b3), y = W4 x3 + b4:
    # a skip (1, 3) with V_{1,3} = I_2
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
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 1])],
        [numpy_helper.from_array(np.asarray(v, dtype=np.float32), k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path.write_bytes(model.SerializeToString())


def test_draw_an_onnx_file(capsys, tmp_path):
    net = tmp_path / "res.onnx"
    _onnx_file(net)
    code, out, err = run(capsys, "draw", str(net), "--picture")
    assert code == 0, err
    assert SKIP_LABEL.findall(out) == ["$V_{1,3} = I$"]
    assert [f"$l_{{{k}}} = {w}$" in out for k, w in enumerate((2, 2, 2, 2, 1))] == [True] * 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-neurons", "2"], "argument --max-neurons: '2' is not a valid number of neurons"),
        (["--max-neurons", "101"], "give a whole number from 3 to 100"),
        (["--max-neurons", "x"], "argument --max-neurons"),
        (["--picture", "--pdf"], "--picture: --picture has no preamble"),
        (["--title", "t", "--no-title"], "give --title or --no-title, not both"),
        (["--nonsense"], "unrecognized arguments: --nonsense"),
    ],
)
def test_draw_bad_options_exit_2_with_one_line(capsys, args, message):
    code, out, err = run(capsys, "draw", EXERCISE, *args)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_draw_bad_inputs_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "draw", str(tmp_path / "missing.toml"))
    assert code == 2 and "missing.toml" in err and err.count("\n") == 1
    bad = tmp_path / "bad.toml"
    bad.write_text("[[layers]]\nW = [[1, 2]]\nB = [1, 2]\n")
    code, _, err = run(capsys, "draw", str(bad))
    assert code == 2 and "bad.toml: layers[1]" in err and err.count("\n") == 1
    deep = tmp_path / "deep.toml"
    deep.write_text("[[layers]]\nW = 1\nB = 0\n" * 61)
    code, _, err = run(capsys, "draw", str(deep))
    assert code == 2 and "61 layers" in err and err.count("\n") == 1
    code, _, err = run(capsys, "draw", EXERCISE, "--out", EXERCISE)  # never over the spec
    assert code == 2 and err.count("\n") == 1


# -- derive --figure ---------------------------------------------------------------------------


def test_derive_figure_puts_the_picture_after_the_network(capsys, latex):
    code, out, err = run(capsys, "derive", EXERCISE, "--figure")
    assert code == 0, err
    assert r"\usepackage{tikz}" in out and out.count(r"\begin{tikzpicture}") == 1
    assert out.index("V_{1,3} =") < out.index(r"\begin{tikzpicture}") < out.index("Prove or")
    assert SKIP_LABEL.findall(out) == ["$V_{0,3} = I$", "$V_{1,3}$"]
    log = compile_pdf(out).log
    assert "Overfull" not in log and "Warning" not in log
    code, out, _ = run(capsys, "derive", EXERCISE)
    assert code == 0 and "tikz" not in out  # without --figure: as before


def test_derive_figure_in_files_and_fragments(capsys, tmp_path):
    target = tmp_path / "d.tex"
    code, out, _ = run(capsys, "derive", EXERCISE, "--figure", "-o", str(target))
    assert code == 0 and target.read_text().count(r"\begin{tikzpicture}") == 1
    code, out, _ = run(capsys, "derive", EXERCISE, "--figure", "--fragment")
    assert code == 0 and r"\documentclass" not in out and out.count(r"\begin{tikzpicture}") == 1
