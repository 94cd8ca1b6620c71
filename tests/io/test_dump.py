"""Writing specs back out (symresnet.io.dump, ``symresnet fmt``) and atomic writes (symresnet.base.files)."""

from __future__ import annotations

import json
import os
import stat
import tomllib

import flint
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.base.errors import LimitError, SpecError
from symresnet.base.files import OutputError, write_atomic
from symresnet.cli.main import main
from symresnet.examples import example_path
from symresnet.io.dump import dump, dump_spec, toml_string
from symresnet.io.spec import load_spec, loads_spec

RICH = r"""
title = "Quotes \" and \\ backslash, 'single', \\input{/etc/passwd}, $x^2$ % # & ~, ünïcødé"
activation = { name = "clip", v = "3/2" }

[parameters]
a = { min = 0, max = "1/2" }
b = {}

[[layers]]
W = [["2*a + 1", "sqrt(2)"], ["exp(1)", "-3/7"]]
B = ["abs(b)", "max(1, b)"]

[[layers]]
W = [["min(a, 2)", "123456789012345678901234567890"]]
B = ["0.125"]

[[skips]]
r = 0
k = 2
V = [[1, "2^70"]]

[[claims]]
label = "x\"y"
input = [1, "1/3"]
equals = ["a"]

[[claims]]
input = [0, 0]
at_most = [5]
"""


def same(s1, s2) -> None:
    assert s1.network == s2.network
    assert s1.claims == s2.claims
    assert s1.title == s2.title
    assert dict(s1.parameters) == dict(s2.parameters)


@pytest.mark.parametrize("name", ["example-1.5.6", "exercise-1.5.1"])
@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_examples_round_trip(name, fmt):
    spec = load_spec(example_path(name))
    text = dump(spec, format=fmt)
    same(loads_spec(text, format=fmt), spec)
    # and the output is stable: dumping again gives the same text
    assert dump(loads_spec(text, format=fmt), format=fmt) == text


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_rich_spec_round_trip(fmt):
    spec = loads_spec(RICH, format="toml")
    text = dump(spec, format=fmt)
    back = loads_spec(text, format=fmt)
    same(back, spec)
    assert back.title.endswith("ünïcødé") and '"' in back.title and "\\input" in back.title
    assert back.network.activation.text == spec.network.activation.text


def test_toml_output_is_valid_toml_with_exact_strings():
    data = tomllib.loads(dump(loads_spec(RICH, format="toml")))
    assert data["layers"][0]["W"][1] == ["exp(1)", "-3/7"]
    assert data["layers"][1]["W"][0][1] == "123456789012345678901234567890"  # > 64 bits
    assert data["layers"][1]["B"] == ["1/8"]
    assert data["skips"][0]["V"] == [[1, "1180591620717411303424"]]
    assert data["activation"] == {"name": "clip", "v": "3/2"}  # u = -oo is left out
    assert data["parameters"] == {"a": {"min": 0, "max": "1/2"}, "b": {}}


@pytest.mark.parametrize(
    "text",
    ['"', "\\", "\n", "\r\n", "\x00", "\x1b[31m", "\x7f", '"""', 'a" = 1\n[x]', "\\u0041"],
)
def test_toml_string_escapes(text):
    assert tomllib.loads(f"k = {toml_string(text)}")["k"] == text


def test_lone_surrogate_is_refused():
    with pytest.raises(SpecError, match="surrogate"):
        toml_string("a\ud800")


def test_huge_integer_is_written_as_a_string():
    from symresnet import Limits, ResNet
    from symresnet.claims.spec import Spec

    big = 7**6000  # more digits than Python's int <-> str limit (5,071 digits)
    roomy = Limits(max_digits=6_000)
    spec = Spec(network=ResNet(W=[[[1]]], B=[[big]], limits=roomy))
    text = dump(spec)
    assert tomllib.loads(text)["layers"][0]["B"][0] == str(flint.fmpz(big))
    same(loads_spec(text, limits=roomy), spec)
    with pytest.raises(LimitError, match="max_digits"):  # the default limit refuses it
        loads_spec(text)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.fractions(max_denominator=10**12), min_size=6, max_size=6),
    st.text(max_size=30),
)
def test_random_round_trip(values, title):
    w1, w2, b1, b2, w3, v = (str(x) for x in values)
    text = f"""
title = {toml_string(title)}
[[layers]]
W = [["{w1}"], ["{w2}"]]
B = ["{b1}", "{b2}"]
[[layers]]
W = [["{w3}", 1]]
B = [0]
[[skips]]
r = 0
k = 2
V = [["{v}"]]
"""
    try:
        spec = loads_spec(text)
    except SpecError:  # titles with control characters are refused on reading
        return
    for fmt in ("toml", "json"):
        same(loads_spec(dump(spec, format=fmt), format=fmt), spec)


# -- symresnet fmt ------------------------------------------------------------------------------


def test_fmt_prints_toml(capsys):
    assert main(["fmt", str(example_path("exercise-1.5.1"))]) == 0
    out = capsys.readouterr().out
    same(loads_spec(out), load_spec(example_path("exercise-1.5.1")))


def test_fmt_json_to_file_replaces_atomically(tmp_path, capsys):
    target = tmp_path / "out.json"
    target.write_text("old")
    os.chmod(target, 0o600)
    assert main(["fmt", str(example_path("example-1.5.6")), "-o", str(target)]) == 0
    assert json.loads(target.read_text())["dims"] == [1, 1, 2, 2, 1]  # suffix picks JSON
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temporary left


def test_fmt_does_not_modify_its_input(tmp_path):
    src = tmp_path / "in.toml"
    src.write_bytes(example_path("exercise-1.5.1").read_bytes())
    before = (src.read_bytes(), src.stat().st_mtime_ns)
    assert main(["fmt", str(src), "-o", str(tmp_path / "out.toml")]) == 0
    assert (src.read_bytes(), src.stat().st_mtime_ns) == before


def test_fmt_to_missing_folder_is_exit_2(tmp_path, capsys):
    code = main(["fmt", str(example_path("example-1.5.6")), "-o", str(tmp_path / "no" / "x.toml")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "No such file or directory" in err
    assert str(tmp_path / "no" / "x.toml") in err and "Traceback" not in err


# -- write_atomic ---------------------------------------------------------------------------------


def test_write_atomic_text_and_bytes(tmp_path):
    p = tmp_path / "f.txt"
    write_atomic(p, "ä\n")
    assert p.read_bytes() == "ä\n".encode()
    write_atomic(p, b"\x00\xff")
    assert p.read_bytes() == b"\x00\xff"
    assert stat.S_IMODE(p.stat().st_mode) == 0o644


def test_failed_write_leaves_old_file_whole(tmp_path, monkeypatch):
    p = tmp_path / "f.txt"
    p.write_text("old content")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        write_atomic(p, "new content " * 1000)
    assert p.read_text() == "old content"
    assert [q.name for q in tmp_path.iterdir()] == ["f.txt"]


def test_write_atomic_refuses_a_symlink_and_leaves_both_alone(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    link = tmp_path / "out.tex"
    link.symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link") as info:
        write_atomic(link, "new")
    assert info.value.file == str(link)
    assert victim.read_text() == "keep"
    assert link.is_symlink() and os.readlink(link) == str(victim)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tex", "victim"]


def test_dump_spec_picks_format_by_suffix(tmp_path):
    spec = load_spec(example_path("example-1.5.6"))
    toml_path = dump_spec(spec, tmp_path / "a.toml")
    json_path = dump_spec(spec, tmp_path / "a.json")
    same(load_spec(toml_path), spec)
    same(load_spec(json_path), spec)
    assert json_path.read_text().startswith("{")


def test_entry_printer_speaks_our_grammar():
    from symresnet.io.dump import _entry
    from symresnet.values.parser import parse

    a = sympy.Symbol("a", real=True)
    for value in (sympy.E, sympy.exp(2) * a, sympy.Abs(a - 1), sympy.Max(a, 1), sympy.pi / 3):
        text = _entry(value)
        assert parse(text, names={"a": a}) == value, text


def test_write_figure_is_atomic_and_keeps_the_old_file_on_failure(tmp_path):
    figure = pytest.importorskip("matplotlib.figure", reason="matplotlib is not installed")
    from symresnet.base.files import write_figure

    fig = figure.Figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    target = tmp_path / "picture.png"
    write_figure(fig, target)
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    old = tmp_path / "picture.xyz"
    old.write_text("old")
    with pytest.raises(ValueError):
        write_figure(fig, old)  # no such format: nothing written, the old file stays
    assert old.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["picture.png", "picture.xyz"]
