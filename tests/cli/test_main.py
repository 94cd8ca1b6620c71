"""The command line: docs/design.md's contract (JSON, exit codes, one-line errors)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from symresnet.cli.main import main
from symresnet.examples import example_path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_example_json(capsys):
    code, out, err = run(capsys, "eval", str(example_path("example-1.5.6")), "--at", "5", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["schema"] == 1
    assert data["output"] == ["28"]
    assert [layer["output"] for layer in data["layers"]] == [
        ["5"],
        ["5", "11"],
        ["5", "11"],
        ["28"],
    ]
    assert [layer["k"] for layer in data["layers"]] == [1, 2, 3, 4]


def test_check_exercise_json(capsys):
    code, out, _ = run(capsys, "check", str(example_path("exercise-1.5.1")), "--json")
    assert code == 1
    (c,) = json.loads(out)["claims"]
    assert c["holds"] is False and c["value"] == ["-7"] and c["label"] == "1.161"
    assert c["input"] == ["-1"] and c["expected"] == ["0"]


def test_check_example_holds(capsys):
    code, out, _ = run(capsys, "check", str(example_path("example-1.5.6")))
    assert code == 0
    assert "HOLDS" in out


def test_demo(capsys, tmp_path):
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path / "demo"))
    assert code == 0
    assert "R(Phi, V)(5) = 28" in out
    assert "R(Phi, V)(-1) = -7" in out
    assert "(1.161)" in out and "FALSE, the value is -7" in out
    assert "x_2 = M_{r,3}" in out


def test_negative_and_fractional_at(capsys, tmp_path):
    spec = tmp_path / "id.toml"
    spec.write_text("[[layers]]\nW = [[1, 0], [0, 1]]\nB = [0, 0]\n")
    code, out, err = run(capsys, "eval", str(spec), "--at", "-1/2, 3", "--json")
    assert code == 0, err
    assert json.loads(out)["output"] == ["-1/2", "3"]


def test_symbolic_at(capsys):
    code, out, err = run(capsys, "eval", str(example_path("exercise-1.5.1")), "--at", "x", "--json")
    assert code == 0, err
    assert "x" in json.loads(out)["output"][0]


@pytest.mark.parametrize("command", ["eval", "derive"])
@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("1/0", "symresnet: error: --at[1]: division by zero at column 2"),
        ("1, 2", "symresnet: error: --at: expected 1 entry (l_0 = 1), got 2"),
    ],
)
def test_bad_at_is_named_as_the_option_not_the_file(capsys, command, at, message):
    code, out, err = run(capsys, command, str(example_path("exercise-1.5.1")), "--at", at)
    assert code == 2 and out == ""
    assert err.strip() == message


def test_info_json(capsys):
    code, out, _ = run(capsys, "info", str(example_path("exercise-1.5.1")), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["L"] == 3 and data["dims"] == [1, 2, 3, 1]
    assert data["skips"] == [[0, 3], [1, 3]]
    assert data["parameter_count"] == 20
    assert data["activation"] == "relu" and data["parameters"] == {}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "missing.toml", "--at", "1"], r"missing.toml: no such file"),
        (["eval", "EXERCISE", "--at", "1, 2"], r"^symresnet: error: --at: expected 1 entry"),
        (["eval", "EXERCISE", "--at", "1+"], r"^symresnet: error: --at\[1\]"),
        (["eval", "EXERCISE", "--at", "__import__('os')"], r"^symresnet: error: --at\[1\]"),
        (["eval", "EXERCISE"], r"--at"),
        (["frobnicate"], r"invalid choice"),
        ([], r"choose a command"),
    ],
)
def test_bad_input_exits_2(capsys, argv, message):
    argv = [str(example_path("exercise-1.5.1")) if a == "EXERCISE" else a for a in argv]
    code, _out, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    import re

    assert re.search(message, lines[0]), lines[0]


def test_console_script_version_and_exit_codes():
    exe = shutil.which("symresnet")
    cmd = [exe] if exe else [sys.executable, "-m", "symresnet.cli"]
    done = subprocess.run([*cmd, "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("symresnet ")
    done = subprocess.run(
        [*cmd, "check", str(example_path("exercise-1.5.1"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "-7" in done.stdout


def test_spec_from_stdin():
    text = example_path("example-1.5.6").read_text()
    done = subprocess.run(
        [sys.executable, "-m", "symresnet.cli", "check", "-", "--json"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["claims"][0]["value"] == ["28"]
