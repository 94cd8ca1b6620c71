"""``symresnet check SPEC --at X --equals Y``: a point claim given on the command line.

Expected values by hand from the book's Exercise 1.5.1 (1.158)-(1.160): at x_0 = -1,
x_1 = relu((1; 2)(-1) + (3; 4)) = (2; 2), x_2 = relu((-2 + 4; 6 - 8; -10 + 12)) = (2; 0; 2),
x_3 = -2 + 0 - 2 - 4 + (-1) + (6 - 4) = -7, so (1.161), R(Phi, V)(-1) = 0, is false.
"""

from __future__ import annotations

import json

import pytest

from symresnet.cli.main import main

EXERCISE = "symresnet/examples/exercise-1.5.1.toml"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_point_claim_that_fails_exits_1_and_prints_the_value(capsys):
    code, out, err = run(capsys, "check", EXERCISE, "--at", "-1", "--equals", "0")
    assert (code, err) == (1, "")
    lines = out.strip().splitlines()
    assert lines[0] == "Exercise 1.5.1: realization at x_0 = (-1)"
    assert lines[-2:] == [
        "  R(Phi, V)(-1) = -7",
        "the claim R(Phi, V)(-1) = 0: FALSE, the value is -7",
    ]


def test_point_claim_that_holds_exits_0(capsys):
    code, out, err = run(capsys, "check", EXERCISE, "--at", "-1", "--equals", "-7")
    assert (code, err) == (0, "")
    assert out.strip().splitlines()[-1] == "the claim R(Phi, V)(-1) = -7: HOLDS (the value is -7)"


def test_point_claim_is_printed_like_the_specs_own(capsys):
    # the spec's claim (1.161), and the same claim from the command line with --label
    code, spec_out, _ = run(capsys, "check", EXERCISE)
    assert code == 1
    code, out, _ = run(capsys, "check", EXERCISE, "--at", "-1", "--equals", "0", "--label", "1.161")
    assert (code, out) == (1, spec_out)
    assert out.strip().splitlines()[-1] == "(1.161) R(Phi, V)(-1) = 0: FALSE, the value is -7"
    code, spec_json, _ = run(capsys, "check", EXERCISE, "--json")
    code, out, _ = run(
        capsys, "check", EXERCISE, "--at", "-1", "--equals", "0", "--label", "1.161", "--json"
    )
    assert (code, json.loads(out)) == (1, json.loads(spec_json))


@pytest.mark.parametrize(
    ("relation", "value", "code", "verdict"),
    [  # R(-1) = -7
        ("--at-most", "-7", 0, "<= -7: HOLDS"),
        ("--at-least", "-6", 1, ">= -6: FALSE"),
        ("--greater", "-15/2", 0, "> -15/2: HOLDS"),
        ("--less", "-7", 1, "< -7: FALSE"),
    ],
)
def test_every_relation(capsys, relation, value, code, verdict):
    got, out, _ = run(capsys, "check", EXERCISE, "--at", "-1", relation, value)
    assert got == code
    assert out.strip().splitlines()[-1].startswith(f"the claim R(Phi, V)(-1) {verdict}")


def test_point_claim_json(capsys):
    code, out, _ = run(capsys, "check", EXERCISE, "--at", "-1", "--equals", "0", "--json")
    (c,) = json.loads(out)["claims"]
    assert code == 1
    assert (c["kind"], c["input"], c["expected"], c["value"], c["holds"]) == (
        "point",
        ["-1"],
        ["0"],
        ["-7"],
        False,
    )


def test_point_claim_at_a_new_symbol(capsys):
    # R(x) = x - 4 for x <= -3, 7x + 14 on [-3, -2], and decreasing from 0 to -27 on [-2, 1]
    # (pieces -5x-10, -8x-15, -3x-8, -10x-17), -10x - 17 beyond: R(x) = -7 at x = -3 and -1 only
    code, out, _ = run(capsys, "check", EXERCISE, "--at", "x", "--equals", "-7")
    assert code == 1
    assert (
        out.strip()
        .splitlines()[-1]
        .startswith("the claim R(Phi, V)(x) = -7: holds exactly when x in {-3, -1}")
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--equals", "5"],
            "--equals: a claim on the command line needs the input: add --at X for a point, "
            "or --forall BOX / --exists BOX for a box",
        ),
        (
            ["--less", "5"],
            "--less: a claim on the command line needs the input: add --at X for a point, "
            "or --forall BOX / --exists BOX for a box",
        ),
        (
            ["--at", "1"],
            "--at: add the claimed value with one of --equals, --at-least, --at-most, "
            "--greater, --less Y",
        ),
        (
            ["--at", "1", "--equals", "0", "--less", "1"],
            "--at: give exactly one of --equals, --at-least, --at-most, --greater, --less",
        ),
        (["--at", "1", "--forall", "0..1", "--equals", "0"], "not allowed with argument"),
        (["--at", "1, 2", "--equals", "0"], "--at: expected 1 entry (l_0 = 1), got 2"),
        (["--at", "1", "--equals", "0, 1"], "--equals: expected 1 entry (l_L = 1), got 2"),
        (["--at", "1", "--less", "z"], "--less[1]: unknown name 'z'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, "check", EXERCISE, *argv)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("symresnet: error: ") and message in err
