"""Parameter studies: exact sets of parameter values for which a claim holds.

Every expected set is worked out by hand:

* Example 1.5.6 with V_{0,4} = v: x_3 = (5; 11), R(5) = 2*5 + 2*11 + 1 + 5v = 33 + 5v, so
  R(5) = 0 exactly when v = -33/5.
* Exercise 1.5.1 with W_2's first row (a, 2): x_1 = (2; 2), z_2 = (2a + 4; -2; 2),
  x_2 = (max(2a + 4, 0); 0; 2), R(-1) = -max(2a + 4, 0) + 0 - 2 - 4 - 1 + (6 - 4)
  = -max(2a + 4, 0) - 5.  R(-1) = -7 iff max(2a + 4, 0) = 2 iff a = -1; R(-1) = -5 iff
  2a + 4 <= 0 iff a <= -2; R(-1) = 0 never; R(-1) <= -5 always; R(-1) < -9 iff a > 0.
* Exercise 1.5.1 at x (see tests/compute/test_pieces.py): R(x) = -7 iff x in {-3, -1}; R(x) <= 0 always
  (its maximum 0 is at x = -2); R(x) > 0 never.
* Example 1.5.6 with B_4 = b, V = v: R(5) = 32 + b + 5v >= 0 iff b + 5v >= -32.
* Example 1.5.6 with W_1 = a, W_4 = (b 2): R(5) = (b + 4) max(5a, 0) - 2 = 8 iff a > 0 and
  5a(b + 4) = 10, i.e. a b + 4 a = 2.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from conftest import EXAMPLE_B, EXAMPLE_W, EXERCISE_B, EXERCISE_SKIPS, EXERCISE_W
from sympy.parsing.sympy_parser import parse_expr

import symresnet.examples
from symresnet import ResNet, check, load_spec
from symresnet.claims.parameter import study
from symresnet.cli.main import main
from symresnet.solve.conditions import Solver, z3_available

a, b, v, x, c = sympy.symbols("a b v x c", real=True)
EXAMPLES = Path(symresnet.examples.__file__).parent
DATA = Path(__file__).parents[1] / "data"
needs_z3 = pytest.mark.skipif(not z3_available(), reason="z3-solver not installed")

#: rational sample points for comparing conditions
SAMPLES = [sympy.Rational(n, d) for n in range(-24, 25, 3) for d in (1, 2, 5)]


def exercise_a() -> ResNet:
    return ResNet(
        W=[EXERCISE_W[0], [[a, 2], [3, -4], [-5, 6]], EXERCISE_W[2]],
        B=EXERCISE_B,
        skips=EXERCISE_SKIPS,
    )


def read_when(text: str, *names: str) -> sympy.Basic:
    return parse_expr(text, local_dict={n: sympy.Symbol(n, real=True) for n in names})


def agrees(condition: sympy.Basic, predicate, symbols) -> bool:
    """``condition`` and the hand-written ``predicate`` agree on a grid of rational points."""
    condition = sympy.sympify(condition)  # parse_expr gives Python's True/False for constants
    grid = SAMPLES if len(symbols) == 1 else SAMPLES[::2]
    points = [[p] for p in grid] if len(symbols) == 1 else [[p, q] for p in grid for q in grid]
    for values in points:
        subs = dict(zip(symbols, values, strict=True))
        if bool(condition.xreplace(subs)) != predicate(*values):
            return False
    return True


def test_example_v_equals_zero():
    net = ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips={(0, 4): [[v]]})
    verdict = check(net, input=[5], equals=[0])
    assert verdict.status == "depends" and verdict.holds is None
    assert verdict.when == sympy.Eq(v, sympy.Rational(-33, 5))
    assert verdict.study.witness == {v: sympy.Rational(-33, 5)}
    assert verdict.study.counterexample[v] != sympy.Rational(-33, 5)
    assert verdict.study.text() == "v = -33/5"
    assert verdict.value[0] == 33 + 5 * v


@pytest.mark.parametrize(
    ("relation", "y", "status", "text", "predicate"),
    [
        ("equals", -7, "depends", "a = -1", lambda q: q == -1),
        ("equals", -5, "depends", "a <= -2", lambda q: q <= -2),
        ("equals", 0, "fails", "never", lambda q: False),
        ("at_most", -5, "holds", "a is any real number", lambda q: True),
        ("less", -9, "depends", "a > 0", lambda q: q > 0),
    ],
)
def test_exercise_with_parameter_a(relation, y, status, text, predicate):
    verdict = check(exercise_a(), input=[-1], **{relation: y})
    assert verdict.status == status
    assert verdict.holds == {"holds": True, "fails": False}.get(status)
    result = verdict.study
    assert result.decided
    if status != "holds":
        assert result.text() == text
    assert agrees(verdict.when, predicate, [a])
    assert agrees(read_when(str(verdict.when), "a"), predicate, [a])
    if result.witness is not None:
        assert predicate(result.witness[a])
    if result.counterexample is not None:
        assert not predicate(result.counterexample[a])


def test_exercise_when_strings_are_exactly_readable(capsys):
    code = main(["check", str(EXAMPLES / "study-1.5.1-a.toml"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1  # depends / fails: not every claim holds
    a1, a2, never = data["claims"]
    assert a1["holds"] is None and a1["status"] == "depends"
    assert read_when(a1["when"], "a") == sympy.Eq(a, -1)
    assert a1["witness"] == {"parameters": {"a": "-1"}}
    assert read_when(a2["when"], "a") == sympy.Le(a, -2)
    assert a2["set"] == [{"lo": "-oo", "hi": "-2", "lo_closed": False, "hi_closed": True}]
    assert never["holds"] is False and never["when"] == "False" and never["witness"] is None
    for claim in (a1, a2, never):
        assert {"label", "input", "expected", "value", "holds", "when", "witness"} <= set(claim)


def test_example_v_json_and_text(capsys):
    spec = str(EXAMPLES / "study-1.5.6-v.toml")
    assert main(["check", spec, "--json"]) == 1
    (claim,) = json.loads(capsys.readouterr().out)["claims"]
    assert read_when(claim["when"], "v") == sympy.Eq(v, sympy.Rational(-33, 5))
    assert claim["witness"] == {"parameters": {"v": "-33/5"}}
    assert claim["value"] == ["5*v + 33"] and claim["decided"] is True
    assert main(["check", spec]) == 1
    assert "holds exactly when v = -33/5" in capsys.readouterr().out


def test_symbolic_input_sets():
    spec = load_spec(EXAMPLES / "study-1.5.1-x.toml")
    from symresnet.claims.point import verdict_at
    from symresnet.compute.realization import realize

    equals, at_most, positive = (
        verdict_at(cl, realize(spec.network, cl.input), bounds=spec.parameters)
        for cl in spec.claims
    )
    assert equals.status == "depends" and equals.study.text() == "x in {-3, -1}"
    assert agrees(equals.when, lambda q: q in (-3, -1), [x])
    assert at_most.status == "holds" and at_most.when == sympy.true
    assert positive.status == "fails" and positive.when == sympy.false
    assert positive.study.witness is None and positive.study.counterexample is not None


def test_claim_that_always_holds_exits_zero(tmp_path, capsys):
    text = (EXAMPLES / "study-1.5.1-x.toml").read_text()
    head = text.split("[[claims]]")[0]
    spec = tmp_path / "always.toml"
    spec.write_text(head + '[[claims]]\ninput = ["x"]\nat_most = [0]\n')
    assert main(["check", str(spec), "--json"]) == 0
    (claim,) = json.loads(capsys.readouterr().out)["claims"]
    assert claim["holds"] is True and claim["when"] == "True"


def test_two_parameters_linear():
    spec = load_spec(DATA / "study-two-linear.toml")
    from symresnet.claims.point import verdict_at
    from symresnet.compute.realization import realize

    (cl,) = spec.claims
    verdict = verdict_at(cl, realize(spec.network, cl.input), bounds=spec.parameters)
    assert verdict.status == "depends" and verdict.study.decided
    assert verdict.study.text() == "b + 5*v >= -32"
    assert agrees(verdict.when, lambda qb, qv: qb + 5 * qv >= -32, [b, v])
    w = verdict.study.witness
    assert w[b] + 5 * w[v] >= -32
    n = verdict.study.counterexample
    assert n[b] + 5 * n[v] < -32


@needs_z3
def test_two_parameters_nonlinear_with_z3(capsys):
    assert main(["check", str(DATA / "study-two-nonlinear.toml"), "--json"]) == 1
    (claim,) = json.loads(capsys.readouterr().out)["claims"]
    assert claim["decided"] is True and claim["status"] == "depends"
    when = read_when(claim["when"], "a", "b")
    assert agrees(when, lambda qa, qb: qa > 0 and qa * qb + 4 * qa == 2, [a, b])
    w = {k: read_when(val) for k, val in claim["witness"]["parameters"].items()}
    assert w["a"] > 0 and sympy.simplify((w["b"] + 4) * 5 * w["a"] - 2 - 8) == 0


def test_two_parameters_nonlinear_without_z3():
    net = ResNet(
        W=[[[a]], [[1], [2]], [[1, 0], [0, 1]], [[b, 2]]], B=EXAMPLE_B, skips={(0, 4): [[-1]]}
    )
    result = study(net, input=[5], relation="equals", expected=[8], solver=Solver(use_z3=False))
    assert result.status == "undecided" and not result.decided
    assert "z3" in result.note
    # the exact condition is still given
    assert agrees(result.when, lambda qa, qb: qa > 0 and qa * qb + 4 * qa == 2, [a, b])


def test_bounded_parameter():
    spec = load_spec(DATA / "study-bounded.toml")
    from symresnet.claims.point import verdict_at
    from symresnet.compute.realization import realize

    five, seven, at_most, below = (
        verdict_at(cl, realize(spec.network, cl.input), bounds=spec.parameters)
        for cl in spec.claims
    )
    assert five.study.text() == "-3 <= a <= -2"
    assert seven.study.text() == "a = -1"
    assert at_most.status == "holds"
    assert agrees(at_most.when, lambda q: -3 <= q <= 0, [a])
    assert below.status == "fails"  # a > 0 lies outside [-3, 0]
    # the same claim without bounds depends on a
    assert check(exercise_a(), input=[-1], less=[-9]).status == "depends"
    # bounds through the API
    api = check(exercise_a(), input=[-1], equals=[-5], bounds={"a": (-3, 0)})
    assert api.study.text() == "-3 <= a <= -2" and api.study.witness == {a: -2}


def test_algebraic_ends():
    # RePU p = 2: R(1) = max(a, 0)^2
    net = ResNet(W=[[[a]], [[1]]], B=[[0], [0]], activation={"name": "repu", "p": 2})
    eq = check(net, input=[1], equals=[2])
    assert eq.when == sympy.Eq(a, sympy.sqrt(2)) and eq.study.witness == {a: sympy.sqrt(2)}
    le = check(net, input=[1], at_most=[2])
    assert le.study.text() == "a <= sqrt(2)"
    assert read_when(str(le.when), "a") == sympy.Le(a, sympy.sqrt(2))
    # RePU p = 3: max(a, 0)^3 = 2 at the real cube root of 2
    net3 = ResNet(W=[[[a]], [[1]]], B=[[0], [0]], activation={"name": "repu", "p": 3})
    root = check(net3, input=[1], equals=[2]).study.witness[a]
    assert sympy.simplify(root**3 - 2) == 0 and root.is_positive


def test_symbolic_expected_value():
    net = ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips={(0, 4): [[-1]]})
    verdict = check(net, input=[5], equals=[c], names={"c": c})
    assert verdict.status == "depends" and verdict.when == sympy.Eq(c, 28)


def test_text_output_of_studies(capsys):
    assert main(["check", str(EXAMPLES / "study-1.5.1-a.toml")]) == 1
    out = capsys.readouterr().out
    assert "(a1) R(Phi, V)(-1) = -7: holds exactly when a = -1" in out
    assert "(a2) R(Phi, V)(-1) = -5: holds exactly when a <= -2" in out
    assert "(1.161) R(Phi, V)(-1) = 0: FALSE for every value of a" in out


def test_eval_json_with_symbols(capsys):
    assert main(["eval", str(EXAMPLES / "study-1.5.1-x.toml"), "--at", "x", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"input", "output", "layers", "pieces"} <= set(data)
    assert data["output"][0].startswith("Piecewise((")
    pw = read_when(data["output"][0], "x")
    for q, want in [(-4, -8), (-3, -7), (-2, 0), (Fraction(-3, 2), -3), (-1, -7), (0, -17)]:
        assert pw.xreplace({x: sympy.Rational(q)}) == want
    assert len(data["pieces"]) == 6
    assert data["pieces"][0] == {"when": "x <= -3", "value": ["x - 4"]}
    # --at x introduces the symbol on the command line too
    assert main(["eval", str(EXAMPLES / "example-1.5.6.toml"), "--at", "y"]) == 0
    # by hand: y <= 0 gives x_2 = (0; 1), R = 2 + 1 - y; y > 0 gives 2y + 2(2y + 1) + 1 - y
    out = capsys.readouterr().out
    assert "y <= 0:  3 - y" in out and "y > 0:  5*y + 3" in out


def test_smooth_activation_condition_is_not_guessed():
    net = ResNet(W=[[[1]], [[1]]], B=[[0], [0]], activation="softplus")
    verdict = check(net, input=[a], equals=["log(2)"], names={"a": a})
    assert verdict.status == "undecided" and verdict.holds is None
    assert verdict.when == sympy.Eq(sympy.log(1 + sympy.exp(a)), sympy.log(2))


def test_derivation_shows_the_case_analysis():
    from symresnet.explain.derivation import derive
    from symresnet.present.render import fragment

    verdict = check(exercise_a(), input=[-1], equals=[-7], label="a1")
    cases = derive(verdict).cases.cases
    # by hand: the first neuron of layer 2 sees 2a + 4; a <= -2 gives x_{2,1} = 0 and R = -5,
    # a > -2 gives x_{2,1} = 2a + 4 and R = -2a - 9, which is -7 iff a = -1
    assert [c.condition.value for c in cases] == [a <= -2, a > -2]
    assert [[(n.k, n.i, n.output.value) for n in c.neurons] for c in cases] == [
        [(2, 1, 0)],
        [(2, 1, 2 * a + 4)],
    ]
    assert [c.value.links[0].term.value[0] for c in cases] == [-5, -2 * a - 9]
    assert [c.outcome for c in cases] == ["never", "when"]
    assert cases[1].when.value == sympy.Eq(a, -1)
    tex = fragment(verdict)
    assert "we distinguish 2 cases" in tex
    assert r"\item Case $a \leq -2$." in tex and r"holds if and only if $a = -1$." in tex
    # no cases to distinguish when the value does not branch
    plain = check(ResNet(W=EXAMPLE_W, B=EXAMPLE_B, skips={(0, 4): [[v]]}), input=[5], equals=[0])
    assert derive(plain).cases is None


def test_bounds_given_as_text_are_read_exactly_never_evaluated():
    # a >= 1/2 excludes a = -1: R(-1) = -7 never holds there
    assert check(exercise_a(), input=[-1], equals=[-7], bounds={"a": ("1/2", None)}).status == (
        "fails"
    )
    from symresnet.base.errors import ParseError

    with pytest.raises(ParseError, match="unknown function '__import__'"):
        check(exercise_a(), input=[-1], equals=[-7], bounds={"a": ('__import__("os")', None)})
