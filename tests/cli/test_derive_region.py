"""``symresnet derive SPEC --region N``: the region N of ``symresnet regions`` derived in full,
and its errors (exit 2, one line)."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from symresnet.cli.main import main
from symresnet.examples import example_path

#: Exercise 1.5.1's network with a box claim on [-2, 1]; by hand (docs/regions.md) the
#: realization is -5 xi - 10, -8 xi - 15, -3 xi - 8, -10 xi - 17 from left to right
SPEC = """
title = "Exercise 1.5.1 on a box"
activation = "relu"
dims = [1, 2, 3, 1]
[[layers]]
W = [[1], [2]]
B = [3, 4]
[[layers]]
W = [[-1, 2], [3, -4], [-5, 6]]
B = [0, 0, 0]
[[layers]]
W = [[-1, 1, -1]]
B = [-4]
[[skips]]
r = 0
k = 3
V = [[1]]
[[skips]]
r = 1
k = 3
V = [[3, -2]]
[[claims]]
label = "A"
forall = [[-2, 1]]
at_most = [0]
"""
HAND = [(-5, -10), (-8, -15), (-3, -8), (-10, -17)]
FORMS = [r"- 5 \xi - 10", r"- 8 \xi - 15", r"- 3 \xi - 8", r"- 10 \xi - 17"]


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "box.toml"
    path.write_text(SPEC)
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_region_n_is_the_region_n_of_symresnet_regions(capsys, spec):
    code, out, _ = run(capsys, "regions", spec, "--box", "-2..1", "--json")
    assert code == 0
    listed = json.loads(out)["regions"]
    assert [(F(r["C"][0][0]), F(r["d"][0])) for r in listed] == HAND
    for n in range(1, 5):
        code, tex, err = run(capsys, "derive", spec, "--region", str(n))
        assert code == 0, err
        flat = " ".join(tex.split())
        assert f"On region {n}, where" in flat
        # the region derived in full ends in its affine form, and the table has all four
        assert f"= x_{{3}} = {FORMS[n - 1]}$ on the region" in flat
        assert all(f"${form}$" in flat for form in FORMS)
        assert flat.count("On region") == 1


def test_without_region_the_attaining_region_is_derived(capsys, spec):
    code, tex, _ = run(capsys, "derive", spec)
    assert code == 0
    flat = " ".join(tex.split())
    # the maximum 0 is attained at -2, in region 1 (-2 <= xi <= -5/3)
    assert "On region 1, where" in flat and "largest value on the box" in flat
    assert r"\bigl(\mathcal{R}^{\mathbf{R}}_{\mathfrak{r}}(\Phi, V)\bigr)(-2) = 0" in flat


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--region", "5"], "--region: there is no region 5: the box of the claim has 4 regions"),
        (["--region", "0"], "argument --region: '0' is not a valid region number"),
        (["--region", "two"], "argument --region: 'two' is not a valid region number"),
    ],
)
def test_bad_region_exits_2_with_one_line(capsys, spec, argv, message):
    code, out, err = run(capsys, "derive", spec, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_region_needs_a_proof_by_regions(capsys):
    code, _, err = run(capsys, "derive", str(example_path("exercise-1.5.1")), "--region", "1")
    assert code == 2 and err.count("\n") == 1
    assert "no claim of the spec is proven region by region" in err
