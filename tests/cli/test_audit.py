"""The cases of issue 16's independent audit, run through the command line: a Heaviside network
whose maximum is attained only on an open set.  The printed argmax must attain the printed
maximum (checked here by a Fraction evaluation written out by hand), and the true claim is
decided (it used to end in an internal EvidenceError, exit 3)."""

from __future__ import annotations

import json
from fractions import Fraction as F

from symresnet.cli.main import main

SPEC = {"activation": "heaviside", "layers": [{"W": [[-3, -2]], "B": [1]}, {"W": [[-1]], "B": [0]}]}


def by_hand(x1: F, x2: F) -> F:
    """R(x) = -H(-3 x_1 - 2 x_2 + 1), H(t) = 1 for t >= 0 (the book's 1_[0, oo))."""
    return -F(1) if -3 * x1 - 2 * x2 + 1 >= 0 else F(0)


def test_regions_prints_an_argmax_that_attains_the_maximum(tmp_path, capsys):
    spec = tmp_path / "h.json"
    spec.write_text(json.dumps(SPEC))
    assert main(["regions", str(spec), "--box", "0..6, 0..1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [F(v) for v in out["max"]] == [0] and [F(v) for v in out["min"]] == [-1]
    (argmax,), (argmin,) = out["argmax"], out["argmin"]
    assert by_hand(*map(F, argmax)) == 0
    assert by_hand(*map(F, argmin)) == -1
    assert out["attained"] is True


def test_true_claim_on_an_open_maximum_is_decided(tmp_path, capsys):
    spec = tmp_path / "h.json"
    spec.write_text(json.dumps(SPEC))
    assert main(["check", str(spec), "--forall", "0..6, 0..1", "--at-most", "0"]) == 0
    assert "HOLDS" in capsys.readouterr().out
    # R < 0 fails: the counterexample printed must have the value 0 (checked by hand)
    assert main(["check", str(spec), "--forall", "0..6, 0..1", "--less", "0", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    (verdict,) = out["claims"]
    x = [F(v) for v in verdict["counterexample"]["input"]]
    assert by_hand(*x) == 0
