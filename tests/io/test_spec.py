"""Spec files (TOML and JSON): the docs/design.md format and its error messages."""

from __future__ import annotations

import json
import tomllib

import pytest
import sympy

from symresnet import InputError, load_spec, loads_spec
from symresnet.examples import example_path, example_text


def test_builtin_examples_load():
    spec = load_spec(example_path("exercise-1.5.1"))
    assert spec.title == "Exercise 1.5.1"
    assert spec.network.dims == (1, 2, 3, 1)
    assert spec.network.S == ((0, 3), (1, 3))
    (c,) = spec.claims
    assert c.label == "1.161" and list(c.input) == [-1] and list(c.expected) == [0]


def test_json_with_the_same_keys(tmp_path):
    data = tomllib.loads(example_text("example-1.5.6"))
    p = tmp_path / "ex.json"
    p.write_text(json.dumps(data))
    assert load_spec(p).network == load_spec(example_path("example-1.5.6")).network


def test_decimals_are_exact():
    spec = loads_spec("[[layers]]\nW = 0.1\nB = [1.25e-1]\n")
    assert spec.network.W[0][0, 0] == sympy.Rational(1, 10)
    assert spec.network.B[0][0] == sympy.Rational(1, 8)


def test_parameters_and_identity_skip():
    spec = loads_spec(
        """
[parameters]
a = { min = -1, max = "1/2" }
[[layers]]
W = [["a", 1], [0, 1]]
B = [0, 0]
[[layers]]
W = [[1, 1]]
B = 0
[[skips]]
r = 0
k = 1
V = "I"
"""
    )
    a = spec.parameters["a"].symbol
    assert spec.network.W[0][0, 0] == a
    assert spec.parameters["a"].min == -1 and spec.parameters["a"].max == sympy.Rational(1, 2)
    assert spec.network.skips[(0, 1)] == sympy.eye(2)


BASE = "[[layers]]\nW = [[1], [2]]\nB = [3, 4]\n[[layers]]\nW = [[1, 1]]\nB = [0]\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"empty spec"),
        ("[[layers]\n", r"TOML syntax error"),
        ("title = 1\n" + BASE, r"title: expected a string, got int"),
        ("colour = 1\n" + BASE, r"unknown key 'colour': allowed keys are"),
        ("[[layers]]\nW = [[1]]\n", r"layers\[1\]: missing key 'B'"),
        (
            BASE.replace("W = [[1, 1]]", "W = [[1, 1, 1]]"),
            r"layers\[2\]\.W: expected 1 row of 2 entries",
        ),
        (BASE + "[[skips]]\nr = 0\nk = 3\nV = 1\n", r"skips\[1\]: .*need 0 <= r < k <= L = 2"),
        (BASE + "[[claims]]\ninput = [1]\n", r"claims\[1\]: a claim needs exactly one of"),
        (
            BASE + "[[claims]]\ninput = [1, 2]\nequals = 1\n",
            r"claims\[1\]\.input: expected 1 entry",
        ),
        (BASE.replace("B = [3, 4]", 'B = [3, "b"]'), r"layers\[1\]\.B\[2\]\[1\]: unknown name 'b'"),
        (BASE.replace("B = [3, 4]", "B = [3, nan]"), r"layers\[1\]\.B\[2\]\[1\]: .*nan"),
        (BASE.replace("B = [3, 4]", "B = [3, inf]"), r"layers\[1\]\.B\[2\]\[1\]: .*(inf|nan)"),
        ("[parameters]\nI = {}\n" + BASE, r"parameters\.I: .*reserved"),
        (
            "[parameters]\na = { min = 2, max = 1 }\n" + BASE,
            r"parameters\.a: min = 2 is larger than max = 1",
        ),
        ('activation = "softmax"\n' + BASE, r"activation: .*vector"),
        ("layers = 3\n", r"layers: expected a list of \[\[layers\]\] tables, got int"),
    ],
)
def test_errors_name_the_place(text, message):
    with pytest.raises(InputError) as info:
        loads_spec(text, source="bad.toml")
    text_ = str(info.value)
    assert text_.startswith("bad.toml: "), text_
    assert "\n" not in text_
    import re

    assert re.search(message, text_), text_


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"layers": [{"W": 1, "B": 1}], "layers": []}', r"appears twice"),
        ('{"layers": [{"W": NaN, "B": 1}]}', r"NaN is not a number"),
        ('{"layers": [{"W": 1, "B": 1}', r"JSON syntax error"),
        ('{"layers": {"W": 1}}', r"layers: expected a list"),
        ('{"layers": [{"W": true, "B": 1}]}', r"layers\[1\]\.W\[1\]\[1\]: .*bool"),
    ],
)
def test_json_errors(text, message):
    with pytest.raises(InputError, match=message):
        loads_spec(text, format="json", source="bad.json")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_spec(tmp_path / "nope.toml")


def test_binary_garbage(tmp_path):
    p = tmp_path / "garbage.toml"
    p.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        load_spec(p)


# -- how many names a spec may declare (Limits.max_names, issue 16) -------------------------


def _declaring(count: int) -> str:
    params = "".join(f"a{i} = {{}}\n" for i in range(1, count + 1))
    return f'[[layers]]\nW = [["a1"]]\nB = [0]\n[parameters]\n{params}'


def test_declared_parameters_up_to_max_names():
    from symresnet import Limits

    spec = loads_spec(_declaring(100))
    assert list(spec.parameters) == [f"a{i}" for i in range(1, 101)]
    with pytest.raises(InputError) as info:
        loads_spec(_declaring(101), source="many.toml")
    assert str(info.value).startswith(
        "many.toml: parameters: 101 declared parameters, more than the limit of 100 "
        "(Limits.max_names)"
    )
    assert len(loads_spec(_declaring(101), limits=Limits(max_names=101)).parameters) == 101


def test_many_names_are_refused_before_any_is_read(monkeypatch):
    import symresnet.io.spec as spec_module

    checked = []
    monkeypatch.setattr(spec_module, "check_name", lambda name, **kw: checked.append(name))
    text = '[[layers]]\nW = [[1]]\nB = [0]\n[parameters]\n"not a name" = {}\n' + "".join(
        f"a{i} = {{}}\n" for i in range(200)
    )
    with pytest.raises(InputError, match="201 declared parameters"):
        loads_spec(text)
    assert checked == []
