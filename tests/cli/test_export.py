"""``symresnet export SPEC --onnx F --torch F [--json]``: the files, the rounding gap, exit 2."""

from __future__ import annotations

import json
from fractions import Fraction

import torch

from symresnet.cli.main import main
from symresnet.examples import example_path
from symresnet.io.onnx import read_onnx
from symresnet.io.spec import load_spec

THIRD = """activation = "relu"
[[layers]]
W = [["1/3"], [1]]
B = [0, "1/4"]
[[layers]]
W = [[1, -1]]
B = [0]
"""


def test_export_writes_onnx_that_reads_back_as_the_spec(tmp_path, capsys):
    spec = str(example_path("exercise-1.5.1"))
    out = tmp_path / "ex.onnx"
    assert main(["export", spec, "--onnx", str(out)]) == 0
    text = capsys.readouterr().out
    assert "rounding gap: 0" in text
    assert read_onnx(out).network == load_spec(spec).network
    # an .onnx file is a SPEC for the other commands
    assert main(["eval", str(out), "--at", "-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == ["-7"]  # (1.161): R(-1) = -7


def test_export_json_reports_the_gap_of_one_third(tmp_path, capsys):
    spec = tmp_path / "third.toml"
    spec.write_text(THIRD)
    onnx_file, pt2 = tmp_path / "t.onnx", tmp_path / "t.pt2"
    assert main(["export", str(spec), "--onnx", str(onnx_file), "--torch", str(pt2), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    gap = abs(Fraction(1 / 3) - Fraction(1, 3))
    assert data["exact"] is False and data["largest_gap"] == str(gap)
    assert [g["place"] for g in data["gaps"] if g["entries"]] == ["W_1"]
    assert [f["format"] for f in data["files"]] == ["onnx", "torch"]
    module = torch.export.load(str(pt2)).module()
    assert module(torch.tensor([[3.0]], dtype=torch.float64)).item() == (1 / 3) * 3 - 3.25


def test_export_without_a_file_or_of_parameters_exits_2(tmp_path, capsys):
    spec = str(example_path("exercise-1.5.1"))
    assert main(["export", spec]) == 2
    assert "give --onnx FILE" in capsys.readouterr().err
    study = tmp_path / "a.toml"
    study.write_text('[parameters]\na = {}\n[[layers]]\nW = [["a"]]\nB = [0]\n')
    assert main(["export", str(study), "--onnx", str(tmp_path / "a.onnx")]) == 2
    err = capsys.readouterr().err
    assert "parameters (a)" in err and "Traceback" not in err
    assert not (tmp_path / "a.onnx").exists()
