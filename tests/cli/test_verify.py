"""``symresnet verify``: VNN-COMP result lines, exact counterexamples, certificates, exit 2."""

from __future__ import annotations

import json
from fractions import Fraction

from symresnet.cli.main import main
from symresnet.verify.checker import check_certificate

# y_0 = |x_0|, y_1 = -|x_0| (by hand)
NET = """activation = "relu"
[[layers]]
W = [[1], [-1]]
B = [0, 0]
[[layers]]
W = [[1, 1], [-1, -1]]
B = [0, 0]
"""
HEAD = "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n"
BOX = "(assert (>= X_0 -1))\n(assert (<= X_0 1))\n"


def _files(tmp_path, prop):
    net = tmp_path / "net.toml"
    net.write_text(NET)
    p = tmp_path / "p.vnnlib"
    p.write_text(HEAD + BOX + prop)
    return str(net), str(p)


def test_unsat_writes_a_certificate_the_checker_accepts(tmp_path, capsys):
    net, prop = _files(tmp_path, "(assert (<= Y_0 -0.25))\n")
    cert = tmp_path / "c.json"
    assert main(["verify", net, prop, "--certificate", str(cert)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "unsat"
    assert check_certificate(json.loads(cert.read_text())).accepted


def test_sat_prints_the_exact_counterexample(tmp_path, capsys):
    net, prop = _files(tmp_path, "(assert (>= Y_0 0.75))\n")
    assert main(["verify", net, prop]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "sat"
    pairs = dict(tok.strip("() ").split() for tok in " ".join(lines[1:]).split(")") if tok.strip("() "))
    x, y0 = Fraction(pairs["X_0"]), Fraction(pairs["Y_0"])
    assert -1 <= x <= 1 and y0 == abs(x) >= Fraction(3, 4) and Fraction(pairs["Y_1"]) == -abs(x)


def test_json_has_approximations(tmp_path, capsys):
    net, prop = _files(tmp_path, "(assert (>= Y_0 0.75))\n")
    assert main(["verify", net, prop, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    cx = data["counterexample"]
    assert data["result"] == "sat" and abs(float(Fraction(cx["x"][0])) - cx["x_approx"][0]) < 1e-15


def test_bad_property_is_exit_2_with_one_line(tmp_path, capsys):
    net, prop = _files(tmp_path, "(assert (< Y_0 1))\n")
    assert main(["verify", net, prop]) == 2
    err = capsys.readouterr().err
    assert "p.vnnlib" in err and "line 6" in err and len(err.strip().splitlines()) == 1


def test_dimension_mismatch_is_exit_2(tmp_path, capsys):
    net, _ = _files(tmp_path, "")
    assert main(["verify", net, "/dev/null"]) == 2
