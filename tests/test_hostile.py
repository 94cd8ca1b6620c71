"""Hostile and broken input through the real command line (docs/security.md).

Every file in ``tests/hostile/`` must give exit status 2, one line on stderr naming the file and
the place (the regex in ``tests/hostile/expected.toml``), no traceback, nothing on stdout, no
file created anywhere but the output folder, and all of it within a few seconds.  Big bombs
(millions of digits, 100,000-deep nesting, files over the size limit) are made here at run time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from hostile_run import assert_clean_error, run_cli

from symresnet.cli import common, info
from symresnet.cli.main import main
from symresnet.examples import example_path

HOSTILE = Path(__file__).parent / "hostile"
EXPECTED: dict[str, dict] = tomllib.loads((HOSTILE / "expected.toml").read_text())
#: every command that reads a spec
COMMANDS = ("check", "eval", "info", "derive", "fmt", "export")
#: the corpus runs under a short time limit: the one slow file shows it works
TIME_LIMIT = "2"
#: seconds any one run may take (the time-limit file takes TIME_LIMIT of them)
BUDGET = 6.0


def argv(command: str, spec: Path, out: Path) -> list[str]:
    extra = {
        "eval": ["--at", "1"],
        "derive": ["-o", str(out / "out.tex")],
        "fmt": ["-o", str(out / "out.toml")],
        "export": ["--onnx", str(out / "out.onnx")],
    }.get(command, [])
    return ["--time-limit", TIME_LIMIT, command, str(spec), *extra]


def run(args: list[str]) -> tuple[int, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue(), time.monotonic() - start


def assert_one_line_error(code: int, out: str, err: str, spec: Path) -> str:
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    line = err.rstrip("\n")
    prefix = f"symresnet: error: {spec}: "
    assert line.startswith(prefix), line
    return line[len(prefix) :]


def cases() -> list[tuple[str, str]]:
    out = []
    for name, entry in sorted(EXPECTED.items()):
        for command in entry.get("commands", COMMANDS):
            out.append((name, command))
    return out


def test_corpus_is_complete():
    files = {p.name for p in HOSTILE.iterdir() if p.name != "expected.toml"}
    assert files == set(EXPECTED), "every corpus file needs an entry in expected.toml and back"
    assert len(files) >= 40
    for entry in EXPECTED.values():
        re.compile(entry["message"])
        assert set(entry.get("commands", COMMANDS)) <= set(COMMANDS)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """Run in an empty folder; afterwards nothing new there, in the corpus or in the sources."""
    work = tmp_path / "cwd"
    out = tmp_path / "out"
    work.mkdir()
    out.mkdir()
    monkeypatch.chdir(work)
    before = sorted(p.name for p in HOSTILE.iterdir())
    yield out
    assert sorted(p.name for p in HOSTILE.iterdir()) == before
    assert list(work.iterdir()) == [], "a file was created outside the output folder"
    assert list(out.iterdir()) == [], "an output was written for a bad input"
    assert not (Path(__file__).parent.parent / "pwned").exists()


@pytest.mark.parametrize(("name", "command"), cases())
def test_hostile_file(name, command, sandbox):
    spec = HOSTILE / name
    content = spec.read_bytes()
    code, out, err, seconds = run(argv(command, spec, sandbox))
    message = assert_one_line_error(code, out, err, spec)
    assert re.search(EXPECTED[name]["message"], message), message
    assert seconds < BUDGET, f"{seconds:.1f} s"
    assert spec.read_bytes() == content  # reading never modifies the input


# -- bombs made at run time ---------------------------------------------------------------------

ONE = "[[layers]]\nW = [[1]]\nB = [0]\n"
DIGITS = 1_000_000


def layer_toml(entry: str) -> str:
    return f"[[layers]]\nW = [[{entry}]]\nB = [0]\n"


def layer_json(entry: str) -> str:
    return '{"layers": [{"W": [[' + entry + ']], "B": [0]}]}'


BOMBS = {
    "int-toml.toml": (layer_toml("9" * DIGITS), r"line 2: a number of 1000000 digits.*max_digits"),
    "int-underscores.toml": (
        layer_toml("1_" * 300_000 + "1"),
        r"line 2: a number of 300001 digits.*max_digits",
    ),
    "int-json.json": (layer_json("9" * DIGITS), r"line 1: a number of 1000000 digits"),
    "int-string.toml": (layer_toml('"' + "9" * 9_000 + '"'), r"line 2: a number of 9000 digits"),
    "decimal.toml": (layer_toml("0." + "3" * DIGITS), r"a number of 1000000 digits"),
    "long-entry.toml": (
        "[parameters]\na = {}\n" + layer_toml('"' + "a+" * 50_000 + 'a"'),
        r"layers\[1\]\.W\[1\]\[1\]: entry of 100001 characters .*max_text_length",
    ),
    "deep.toml": ("x = " + "[" * 100_000 + "]" * 100_000 + "\n" + ONE, r"nested too deeply"),
    "deep.json": ('{"layers": ' + "[" * 100_000 + "]" * 100_000 + "}", r"nested too deeply"),
    "dotted-keys.toml": ("a." * 50_000 + "b = 1\n" + ONE, r"line 1: a dotted key of more than 64"),
    "dotted-header.toml": ("[" + '"a".' * 50_000 + "b]\n" + ONE, r"a dotted key of more than 64"),
    "long-name.toml": (
        "[parameters]\n" + "a" * 100_000 + " = {}\n" + ONE,
        r"parameters: name 'a{37}\.\.\.' is longer than 64 characters",
    ),
    "long-name-entry.toml": (layer_toml('"' + "b" * 5_000 + '"'), r"name 'b{37}\.\.\.' .*longer"),
    "long-activation.toml": (
        'activation = "' + "relu" * 100_000 + '"\n' + ONE,
        r"activation: unknown activation",
    ),
    "many-entries.json": (
        layer_json(",".join(["0"] * 1_000_001)),
        r"layers\[1\]\.W: 1000001 entries exceed the limit of 1000000",
    ),
    "many-layers.json": (
        '{"layers": [' + ",".join(['{"W": [[1, 2]], "B": [0]}'] * 40_000) + "]}",
        r"layers\[2\]\.W: expected 1 row of 1 entry",
    ),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb(name, tmp_path, sandbox):
    text, pattern = BOMBS[name]
    spec = tmp_path / name
    spec.write_text(text)
    code, out, err, seconds = run(argv("check", spec, sandbox))
    message = assert_one_line_error(code, out, err, spec)
    assert re.search(pattern, message), message
    assert len(err) < 700  # the message never echoes the bomb
    assert seconds < BUDGET, f"{seconds:.1f} s"


def test_file_over_the_size_limit(tmp_path, sandbox):
    from symresnet.io.spec import MAX_SPEC_BYTES

    spec = tmp_path / "huge.json"  # a layer of 10^7 entries: more bytes than any spec may have
    with spec.open("w") as fh:
        fh.write('{"layers": [{"B": [0], "W": [[0')
        fh.write(",0" * 10_000_000)
        fh.write("]]}]}")
    assert spec.stat().st_size > MAX_SPEC_BYTES
    code, out, err, seconds = run(argv("info", spec, sandbox))
    message = assert_one_line_error(code, out, err, spec)
    assert "file larger than 20000000 bytes (Limits.max_file_bytes)" in message
    assert seconds < BUDGET


def test_limits_are_adjustable_in_the_api():
    from symresnet import Limits
    from symresnet.base.errors import LimitError
    from symresnet.io.spec import loads_spec

    text = layer_toml('"2^20000"')
    with pytest.raises(LimitError, match="max_exponent"):
        loads_spec(text)
    spec = loads_spec(text, limits=Limits(max_exponent=20_000))
    assert spec.network.W[0][0] == 2**20000


def test_expression_size_limit_is_adjustable():
    from symresnet import Limits
    from symresnet.base.errors import LimitError
    from symresnet.compute.realization import realize
    from symresnet.io.spec import load_spec

    spec = load_spec(HOSTILE / "gelu-depth.toml")
    with pytest.raises(LimitError, match="max_expression_size"):
        realize(spec.network, [2])
    small = spec.network.replace(W=spec.network.W[:3], B=spec.network.B[:3])
    realize(small, [2])  # three layers are fine by default
    with pytest.raises(LimitError, match="max_expression_size"):
        realize(small, [2], limits=Limits(max_expression_size=20))


# -- the command line never shows a traceback ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        ([], r"choose a command"),
        (["frobnicate"], r"invalid choice"),
        (["check"], r"required: SPEC|the following arguments are required"),
        (["eval", "x.toml"], r"required"),
        (["--time-limit", "soon", "info", "x.toml"], r"--time-limit: 'soon' is not a valid number"),
        (["info", "/no/such/file.toml"], r"/no/such/file\.toml: no such file"),
        (["info", "/"], r"is a directory"),
        (["eval", str(example_path("example-1.5.6")), "--at", "__import__('os')"], r"--at|input"),
        (["eval", str(example_path("example-1.5.6")), "--at", "1, 2"], r"expected 1 entry"),
    ],
)
def test_usage_errors(args, pattern, capsys):
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(pattern, err), err


def test_internal_error_is_one_line_unless_debug(monkeypatch, capsys):
    def broken(args):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(info, "cmd_info", broken)
    assert main(["info", str(example_path("example-1.5.6"))]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "boom second line" in err
    assert main(["--debug", "info", str(example_path("example-1.5.6"))]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_keyboard_interrupt(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(info, "cmd_info", interrupted)
    assert main(["info", str(example_path("example-1.5.6"))]) == 130
    assert capsys.readouterr().err == "symresnet: interrupted\n"


def test_output_write_failure_is_exit_2(tmp_path, capsys):
    # the parent of the output is a file: the write fails for every user, root included
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    code = main(["fmt", str(example_path("example-1.5.6")), "-o", str(blocker / "x.toml")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Not a directory" in err
    assert blocker.read_text() == ""


# -- through the installed program (a handful: subprocesses are slow) ------------------------------


def program(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "symresnet", *args],
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


@pytest.mark.parametrize(
    "name", ["inject-import.toml", "binary-garbage.toml", "tower-2.toml", "repu-growth.toml"]
)
def test_subprocess(name, tmp_path):
    spec = HOSTILE / name
    proc = program("check", str(spec), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and str(spec) in proc.stderr
    assert re.search(EXPECTED[name]["message"], proc.stderr)
    assert list(tmp_path.iterdir()) == []


def console_script() -> str | None:
    """The installed ``symresnet`` program (beside this Python, or on PATH)."""
    beside = Path(sys.executable).with_name("symresnet")
    return str(beside) if beside.exists() else shutil.which("symresnet")


@pytest.mark.parametrize("name", ["inject-attribute.toml", "deep-parens.toml", "dims-huge.toml"])
def test_console_script(name, tmp_path):
    script = console_script()
    if script is None:
        pytest.skip("the symresnet console script is not installed (pip install -e .)")
    spec = HOSTILE / name
    proc = subprocess.run(
        [script, "info", str(spec)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert re.search(EXPECTED[name]["message"], proc.stderr)
    assert list(tmp_path.iterdir()) == []


def test_spec_on_stdin_subprocess():
    proc = program("info", "-", input=(HOSTILE / "inject-title-escape.toml").read_text())
    assert proc.returncode == 2
    assert proc.stderr.startswith("symresnet: error: <stdin>: title: contains the control")


class ClosedPipe(io.StringIO):
    """Standard output whose reader went away (``symresnet ... | head``)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("command", ["fmt", "check", "info"])
def test_broken_pipe_is_quiet(command, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main([command, str(example_path("exercise-1.5.1"))]) == common.EXIT_PIPE
    assert capsys.readouterr().err == ""


def test_json_output_of_hostile_title_stays_json(capsys, tmp_path):
    spec = tmp_path / "t.toml"
    title = r'"}], "holds": true, "x": ["\\input{/etc/passwd}'
    spec.write_text(f"title = {json.dumps(title)}\n{ONE}")
    assert main(["info", str(spec), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data.get("title", title) == title and "holds" not in data


# -- LaTeX: hostile text in a compiled derivation reads no file and runs nothing ------------------


@pytest.mark.skipif(
    shutil.which("pdflatex") is None and not os.environ.get("SYMRESNET_REQUIRE_LATEX"),
    reason="pdflatex is not installed",
)
def test_compiled_derivation_of_hostile_text(tmp_path, monkeypatch, capsys):
    from symresnet.io.dump import toml_string
    from symresnet.present.compile import compile_pdf

    canary = tmp_path / "canary"
    evil = (
        rf"\input{{/etc/passwd}} \immediate\write18{{touch {canary}}} \openin5=/etc/passwd "
        r"\catcode`\^^5c=0 ^^5cinput{/etc/passwd} \end{document} % # $ & _ ~ ^ { }"
    )
    spec = tmp_path / "evil.toml"
    spec.write_text(
        f"title = {toml_string(evil)}\n{ONE}\n[[claims]]\nlabel = {toml_string(evil)}\n"
        "input = [1]\nequals = [1]\n"
    )
    work, out = tmp_path / "cwd", tmp_path / "out"
    work.mkdir()
    out.mkdir()
    monkeypatch.chdir(work)
    code = main(["derive", str(spec), "-o", str(out / "d.tex"), "--pdf"])
    assert code == 0, capsys.readouterr().err
    assert not canary.exists()
    assert list(work.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["d.pdf", "d.tex"]
    tex = (out / "d.tex").read_text()
    assert r"\input{/etc/passwd}" not in tex and r"\write18{" not in tex
    assert r"\textbackslash{}input\{/etc/passwd\}" in tex
    # the same document once more through the API, to read LaTeX's log and -recorder list
    result = compile_pdf(tex)
    assert not any("passwd" in f for f in result.files_read)
    assert "(/etc/passwd" not in result.log
    assert not canary.exists()


# -- limits run as a user would (issue 16): names, sizes, memory -------------------------------
# Each writes its (big) file at run time and runs `python -m symresnet` in a subprocess under
# the address-space cap of tests/hostile_run.py.


def _params(count: int) -> str:
    return "[parameters]\n" + "".join(f"a{i} = {{}}\n" for i in range(1, count + 1))


def _identity_join(width: int) -> str:
    """dims = [w, 1, w] and V_{0,2} = "I": 3w + 1 entries written, w^2 implied."""
    return (
        f"dims = [{width}, 1, {width}]\n[[layers]]\nW = [[{', '.join(['0'] * width)}]]\n"
        f"B = [0]\n[[layers]]\nW = [{', '.join(['[0]'] * width)}]\n"
        f'B = [{", ".join(["0"] * width)}]\n[[skips]]\nr = 0\nk = 2\nV = "I"\n'
    )


def test_sum_of_1000_parameters_is_refused_by_max_names(tmp_path):
    # once a RecursionError (exit 3) in sympy's polynomials of 1000 variables
    entry = " + ".join(f"a{i}" for i in range(1, 1001))
    text = f'[[layers]]\nW = [["{entry}"]]\nB = [0]\n[[claims]]\ninput = [1]\nat_least = [0]\n'
    (tmp_path / "sum.toml").write_text(text + _params(1000))
    run = run_cli(["check", "sum.toml"], cwd=tmp_path, timeout=30)
    assert_clean_error(
        run,
        r"^symresnet: error: sum\.toml: parameters: 1000 declared parameters, more than "
        r"the limit of 100 \(Limits\.max_names\)",
    )
    assert run.seconds < 10


@pytest.mark.parametrize(("count", "fmt"), [(9_999, "toml"), (100_000, "json")])
def test_many_declared_names_are_refused_quickly(tmp_path, count, fmt):
    # 9,999 names: RecursionError after 19 s; 10^6 names: `info` took 54 s and 1.2 GB
    if fmt == "json":
        data = {"layers": [{"W": [["a1"]], "B": [0]}]}
        data["parameters"] = {f"a{i}": {} for i in range(1, count + 1)}
        (tmp_path / "n.json").write_text(json.dumps(data))
    else:
        (tmp_path / "n.toml").write_text('[[layers]]\nW = [["a1"]]\nB = [0]\n' + _params(count))
    run = run_cli(["info", f"n.{fmt}"], cwd=tmp_path, timeout=30)
    assert_clean_error(run, rf"n\.{fmt}: parameters: {count} declared parameters, more than")
    assert run.seconds < 10


def test_identity_skip_joining_two_wide_layers_is_refused_before_allocation(tmp_path):
    # once 3.1 GB and a MemoryError (exit 3): sympy.eye(20000) is 4 * 10^8 entries
    (tmp_path / "wide.toml").write_text(_identity_join(20_000))
    run = run_cli(["eval", "wide.toml", "--at", "x"], cwd=tmp_path, memory_mb=1000, timeout=30)
    assert_clean_error(
        run,
        r"^symresnet: error: wide\.toml: skips\[1\]\.V: V_\{0,2\} = I would be a 20000 x "
        r"20000 matrix of 400000000 entries, more than the limit of 1000000 \(Limits\.max_entries\)",
    )
    assert run.seconds < 10


def test_network_entries_are_summed_over_identity_skips(tmp_path):
    # five 1000 x 1000 identities, each within max_entries: 5,009,003 entries in all
    width = 1000
    layer = (
        f"[[layers]]\nW = [[{', '.join(['0'] * width)}]]\nB = [0]\n"
        f"[[layers]]\nW = [{', '.join(['[0]'] * width)}]\nB = [{', '.join(['0'] * width)}]\n"
    )
    skips = "".join(
        f'[[skips]]\nr = {r}\nk = {k}\nV = "I"\n'
        for r, k in [(0, 2), (0, 4), (0, 6), (2, 4), (2, 6)]
    )
    (tmp_path / "many.toml").write_text(layer * 3 + skips)
    run = run_cli(["info", "many.toml"], cwd=tmp_path, memory_mb=1000, timeout=30)
    assert_clean_error(
        run,
        r"many\.toml: the network would have 5009003 entries in its matrices .* limit of "
        r"4000000 \(Limits\.max_network_entries\)$",
    )


def test_a_legal_spec_past_the_memory_limit_is_exit_2(tmp_path):
    # 1,000,000 + 1,000,000 entries (W and V = I): about 330 MB; legal under the defaults
    width = 1000
    row = "[" + ", ".join(["1"] * width) + "]"
    (tmp_path / "big.toml").write_text(
        f"[[layers]]\nW = [{', '.join([row] * width)}]\nB = [{', '.join(['0'] * width)}]\n"
        '[[skips]]\nr = 0\nk = 1\nV = "I"\n'
    )
    run = run_cli(["--memory-limit", "300", "info", "big.toml"], cwd=tmp_path, timeout=60)
    assert_clean_error(
        run,
        r"^symresnet: error: out of memory: the memory limit of 300 MiB was reached while "
        r"running info on big\.toml; raise it with --memory-limit or simplify the input$",
    )


def test_regions_refuse_a_layer_wider_than_their_limit(tmp_path):
    from symresnet.compute.regions import MAX_REGION_WIDTH

    width = MAX_REGION_WIDTH + 1  # once 3.7 GB after 141 s at width 100,000
    (tmp_path / "w.toml").write_text(
        f"[[layers]]\nW = [{', '.join(['[1]'] * width)}]\nB = [{', '.join(['0'] * width)}]\n"
        f"[[layers]]\nW = [[{', '.join(['1'] * width)}]]\nB = [0]\n"
    )
    for args in (
        ["regions", "w.toml", "--box", "0..1"],
        ["check", "w.toml", "--forall", "0..1", "--at-most", "1"],
    ):
        run = run_cli(args, cwd=tmp_path, timeout=30)
        assert_clean_error(
            run,
            rf"w\.toml: layers\[1\]: layer 1 has {width} neurons, more than the "
            rf"{MAX_REGION_WIDTH} a decomposition into linear regions takes",
        )
        assert run.seconds < 10


# -- option values and the memory limit (cli.common) ----------------------------------------------


@pytest.mark.parametrize(
    "text", ["nan", "inf", "-inf", "1e300", "-1", "1000001", "²", "৪", "１", "", "1,5", "0x10"]
)
def test_seconds_option_refuses(text):
    with pytest.raises(
        argparse.ArgumentTypeError, match=r"give 0 \(no limit\) or a number up to 1000000$"
    ):
        common.seconds_option(text)


@pytest.mark.parametrize(("text", "value"), [("0", 0.0), ("2", 2.0), (".5", 0.5), ("1e6", 1e6)])
def test_seconds_option_reads(text, value):
    assert common.seconds_option(text) == value


@pytest.mark.parametrize("text", ["nan", "1.5", "-1", "1048577", "²", "৪", "1e3", " "])
def test_megabytes_option_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError, match=r"whole number from 1 to 1048576$"):
        common.megabytes_option(text)


def test_megabytes_option_reads():
    assert [common.megabytes_option(t) for t in ("0", "800", "+12", "1048576")] == [
        0,
        800,
        12,
        1048576,
    ]


def test_memory_limit_sets_and_restores_rlimit_data():
    import resource

    before = resource.getrlimit(resource.RLIMIT_DATA)
    used = common.data_mib()
    assert used is not None and used > 0
    with common.memory_limit(used + 500) as cap:
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        assert cap == used + 500 and soft == cap << 20 and hard == before[1]
    assert resource.getrlimit(resource.RLIMIT_DATA) == before
    with common.memory_limit(0) as cap:
        assert resource.getrlimit(resource.RLIMIT_DATA) == before


def test_memory_limit_default_leaves_headroom_and_explicit_low_is_refused():
    used = common.data_mib()
    with common.memory_limit(1, default=True) as cap:
        assert cap == used + common.DEFAULT_MEMORY_HEADROOM
    with (
        pytest.raises(common.LimitError, match=r"^--memory-limit: 1 MiB is less than symresnet needs"),
        common.memory_limit(1),
    ):
        pass


def test_out_of_memory_message_names_limit_command_and_file():
    assert common.out_of_memory_message(800, "eval", "a.toml") == (
        "symresnet: error: out of memory: the memory limit of 800 MiB was reached while running "
        "eval on a.toml; raise it with --memory-limit or simplify the input\n"
    )
    assert "while running demo:" in common.out_of_memory_message(None, "demo", None)


def test_memory_error_in_a_command_is_exit_2(monkeypatch, capsys, tmp_path):
    def exhausted(args):
        raise MemoryError

    monkeypatch.setattr(info, "cmd_info", exhausted)
    spec = tmp_path / "s.toml"
    spec.write_text(ONE)
    code = main(["--memory-limit", "3000", "info", str(spec)])
    err = capsys.readouterr().err
    assert code == 2
    assert re.fullmatch(
        rf"symresnet: error: out of memory: the memory limit of \d+ MiB was reached while running "
        rf"info on {re.escape(str(spec))}; raise it with --memory-limit or simplify the input\n",
        err,
    ), err
