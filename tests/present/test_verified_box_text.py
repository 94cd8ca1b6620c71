"""Text, JSON and notebook LaTeX of a box claim decided by the verification engine
(symresnet/present/verified_box_text.py): hand-made verdicts, expected lines by hand."""

from __future__ import annotations

from fractions import Fraction

from symresnet import ResNet
from symresnet.claims.box import box_claim
from symresnet.claims.box_verdict import PointValue
from symresnet.present.printers import to_json, to_text
from symresnet.verify.box_claims import VerifiedBoxVerdict

NET = ResNet(W=[[[1, 1, 1]], [[1]]], B=[[0], [0]], activation="relu")


def _claim(quantifier="forall"):
    return box_claim(
        NET, quantifier=quantifier, box=[[0, 1]] * 3, relation="at_most", expected=[2], label="c"
    )


def test_a_proof_prints_its_leaves_and_null_extrema():
    v = VerifiedBoxVerdict(_claim(), True, leaves=3, certificate={"result": "unsat"})
    assert to_text(v).splitlines() == [
        "(c) for all x in [0, 1] x [0, 1] x [0, 1]: R(Phi, V)(x) <= 2",
        "  verify engine: 3 boxes of the split tree, certificate checked exactly "
        "(extrema: --engine regions)",
        "  HOLDS: proven on every box of the split tree (certificate checked)",
    ]
    j = to_json(v)
    assert (j["kind"], j["holds"], j["status"], j["engine"]) == ("box", True, "holds", "verify")
    assert j["min"] is j["max"] is j["regions"] is None
    assert j["verify"] == {"leaves": 3, "certificate_bytes": len('{"result":"unsat"}')}


def test_a_counterexample_prints_like_the_region_engine():
    ce = PointValue((Fraction(1), Fraction(1), Fraction(1, 2)), (Fraction(5, 2),))
    v = VerifiedBoxVerdict(_claim(), False, counterexample=ce)
    assert to_text(v).splitlines()[-1] == "  FALSE: counterexample x = (1, 1, 1/2), R(x) = 5/2"
    assert to_json(v)["counterexample"] == {"input": ["1", "1", "1/2"], "value": ["5/2"]}
    assert "counterexample" in v._repr_latex_()


def test_a_false_exists_says_that_no_input_satisfies_it():
    v = VerifiedBoxVerdict(_claim("exists"), False, leaves=1)
    assert to_text(v).splitlines()[-1].startswith("  FALSE: no input in the box satisfies it")
