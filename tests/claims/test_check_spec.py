"""claims.spec: check_spec decides every claim of a spec on its own (one claim model)."""

from __future__ import annotations

import json
from fractions import Fraction

from symresnet import (
    BoxClaim,
    BoxVerdict,
    Failure,
    InputError,
    ParameterClaim,
    PointClaim,
    Verdict,
    check_spec,
    decide,
    loads_spec,
)
from symresnet.claims.verdict import Claim, Outcome
from symresnet.cli.main import main

# Exercise 1.5.1 with the output bias B_3 = -4 replaced by a parameter b.  By hand (as in the
# book's solution): x_1 = (2; 2), x_2 = (2; 0; 2), x_3 = -4 + b + (-1) + (6 - 4) = b - 3 at x_0 = -1.
SPEC = """
title = "Exercise 1.5.1 with a parameter"
dims = [1, 2, 3, 1]
[parameters]
b = {}
[[layers]]
W = [[1], [2]]
B = [3, 4]
[[layers]]
W = [[-1, 2], [3, -4], [-5, 6]]
B = [0, 0, 0]
[[layers]]
W = [[-1, 1, -1]]
B = ["b"]
[[skips]]
r = 0
k = 3
V = [[1]]
[[skips]]
r = 1
k = 3
V = [[3, -2]]
[[claims]]
label = "p1"
input = [-1]
equals = [0]
[[claims]]
label = "box"
forall = [[-2, 1]]
at_most = 0
[[claims]]
label = "p2"
input = [-1]
at_most = ["b"]
"""

#: the same network with the Heaviside activation (a box claim over a parameter is then an error)
HEAVISIDE = SPEC.replace("dims = [1, 2, 3, 1]", 'dims = [1, 2, 3, 1]\nactivation = "heaviside"')

PLAIN = (
    SPEC.replace('B = ["b"]', "B = [-4]")
    .replace("[parameters]\nb = {}\n", "")
    .replace('at_most = ["b"]', "at_most = [-7]")
)


def test_claim_types_per_kind():
    spec = loads_spec(SPEC)
    p1, box, p2 = spec.claims
    assert isinstance(p1, ParameterClaim) and p1.kind == "parameter"
    assert isinstance(p2, ParameterClaim)
    assert isinstance(box, BoxClaim) and box.kind == "box"
    assert all(isinstance(c, Claim) for c in spec.claims)
    plain = loads_spec(PLAIN).claims[0]
    assert type(plain) is PointClaim and plain.kind == "point"


def test_a_box_claim_with_a_parameter_in_a_bias_is_answered_exactly():
    # R(x) = f(x) + b + 4 with f the realization of Exercise 1.5.1 (B_3 = -4): on [-2, 1] its
    # pieces 7x + 14, -5x - 10, -8x - 15, -3x - 8, -10x - 17 (by hand) make f's maximum f(-2) = 0,
    # so R <= 0 on the box exactly when b <= -4
    spec = loads_spec(SPEC)
    _, box, _ = check_spec(spec).verdicts
    assert box.status == "depends" and box.holds is None
    assert box.set.contains(-4) and not box.set.contains(Fraction(-399, 100))
    assert box.set.contains(-1000) and box.set.endpoints[-1].value == -4


def test_one_unsupported_claim_does_not_stop_the_others():
    # Heaviside: box claims with a parameter need a continuous activation (a clear message);
    # the point claims are decided: by hand x_1 = (1; 1), x_2 = H((1; -1; 1)) = (1; 0; 1),
    # x_3 = -2 + b - 1 + (3 - 2) = b - 2 at x_0 = -1
    spec = loads_spec(HEAVISIDE)
    report = check_spec(spec)
    p1, box, p2 = report.verdicts
    assert isinstance(p1, Verdict) and p1.status == "depends"
    assert isinstance(box, Failure) and box.status == "error" and box.holds is None
    assert isinstance(box.error, InputError)
    assert "claims[2]" in box.message and "parameter" in box.message
    # it prints through the printing protocol like every verdict (user text escaped)
    assert str(box).startswith("(box): ERROR, not decided: <spec>: claims[2]")
    # (a zero-width space after "<" keeps the classic notebook's HTML from reading a tag)
    assert box._repr_latex_().startswith("(box) could not be decided: <\u200bspec>: claims[2]")
    assert isinstance(p2, Verdict)
    assert report.status == "error" and not report.holds
    assert all(isinstance(v, Outcome) for v in report.verdicts)


def test_decide_is_the_one_entry_for_every_kind():
    spec = loads_spec(PLAIN)
    p1, box, p2 = (decide(c, spec.network) for c in spec.claims)
    assert isinstance(p1, Verdict) and p1.status == "fails" and p1.value[0] == -7
    assert isinstance(box, BoxVerdict)
    # on [-2, 1] the book's Exercise 1.5.1 network reaches its maximum 0 at x = -2
    assert box.status == "holds"
    assert p2.status == "holds"
    assert check_spec(spec).status == "fails"


def test_check_prints_every_claim_and_exits_2_for_an_undecided_one(tmp_path, capsys):
    path = tmp_path / "spec.toml"
    path.write_text(HEAVISIDE)
    assert main(["check", str(path), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    statuses = [(c["label"], c["status"], c["holds"]) for c in out["claims"]]
    # p1: b - 2 = 0 for b = 2 only; p2: b - 2 <= b always
    assert statuses == [("p1", "depends", None), ("box", "error", None), ("p2", "holds", True)]
    assert "parameter" in out["claims"][1]["error"]
    assert main(["check", str(path)]) == 2
    text = capsys.readouterr().out
    assert "(box)" in text and "ERROR" in text and "(p2)" in text
