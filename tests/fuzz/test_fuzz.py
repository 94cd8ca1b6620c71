"""Fuzzing every reader through the command line (issue 16, docs/security.md).

Random bytes, random Unicode, deep structures and mutations of valid specs go to the spec
reader, the point-file reader, user templates and every command-line option.  Each run happens
in a forked child with its memory and time capped (``capped.py``) and must end in a result
(exit 0 or 1) or one ``symresnet: error:`` line with exit 2 -- never exit 3, a traceback, a
crash, a timeout or a file written outside the output folder.

``SYMRESNET_FUZZ_EXAMPLES`` (default 25) sets the examples per test; CI uses the default.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from capped import assert_result_or_clean_error, capped
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symresnet import ResNet, SymresnetError, check, realize
from symresnet.cli.main import main
from symresnet.examples import example_text

EXAMPLES = int(os.environ.get("SYMRESNET_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
#: seconds and MiB one run may take; the command runs with a shorter --time-limit
TIMEOUT = 30.0
TIME_LIMIT = "10"

TOML = example_text("exercise-1.5.1")
JSON = json.dumps(
    {
        "activation": "relu",
        "layers": [{"W": [[1], [2]], "B": [3, 4]}, {"W": [[-1, 1]], "B": [-4]}],
        "skips": [{"r": 0, "k": 2, "V": [[1]]}],
        "claims": [{"at": [-1], "equals": [0]}],
    }
)

# -- strategies --------------------------------------------------------------------------------

#: characters a hostile file likes: structure, digits of every script, confusables, controls
TRICKY = "[]{}()=\"',.:;#\\/-+*^_ \n\t0123456789eExXIiInfNa$%&|~`<>?!@\u00b2\u09ea\uff11\u2212\u202e\x00\ud7ff"


def mutated(text: str) -> st.SearchStrategy[str]:
    """``text`` with a few random characters replaced, inserted or deleted."""

    @st.composite
    def build(draw) -> str:
        chars = list(text)
        for _ in range(draw(st.integers(1, 6))):
            i = draw(st.integers(0, len(chars)))
            op = draw(st.sampled_from(["replace", "insert", "delete", "repeat"]))
            c = draw(st.one_of(st.sampled_from(TRICKY), st.characters()))
            if op == "replace" and i < len(chars):
                chars[i] = c
            elif op == "insert":
                chars.insert(i, c)
            elif op == "delete" and i < len(chars):
                del chars[i]
            elif op == "repeat" and i < len(chars):
                chars[i:i] = chars[i : i + draw(st.integers(1, 20))] * draw(st.integers(2, 50))
        return "".join(chars)

    return build()


deep = st.recursive(
    st.one_of(st.integers(-(10**30), 10**30), st.text(TRICKY, max_size=12), st.booleans(), st.none()),
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=6), kids, max_size=4)),
    max_leaves=40,
)


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


spec_bytes = st.one_of(
    mutated(TOML).map(str.encode),
    mutated(JSON).map(str.encode),
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    deep.map(lambda v: json.dumps({"layers": v}).encode()),
    deep.map(lambda v: json.dumps({"activation": "relu", "layers": [{"W": v, "B": [0]}]}).encode()),
    st.integers(500, 5000).map(lambda d: ('{"layers": ' + nested(d) + "}").encode()),
)

value_text = st.one_of(
    st.text(TRICKY, max_size=30),
    st.text(max_size=30),
    st.sampled_from(
        ["nan", "inf", "-inf", "1e300", "-1", "0", "10^400", "²", "৪", "1..", "..", "1/0", "0..0",
         "1e-400", "10**9", "9" * 400, "1, 2, 3", "x", "a..b", "-0", "\u2212 1", ""]
    ),
)

# -- running -------------------------------------------------------------------------------------


def run_in(job: Path, args: list[str]) -> None:
    """``symresnet ARGS`` in a forked, capped child with ``job`` as the working folder."""
    before = {p for p in job.rglob("*")}
    cwd = os.getcwd()

    def call() -> int:
        os.chdir(job)
        return main(["--time-limit", TIME_LIMIT, *args])

    try:
        outcome = capped(call, timeout=TIMEOUT)
    finally:
        os.chdir(cwd)
    assert_result_or_clean_error(outcome, " ".join(args)[:300])
    after = {p for p in job.rglob("*")}
    new = {p for p in after - before if p.parent != job / "out"}
    assert not new, f"{args}: files written outside the output folder: {sorted(map(str, new))}"


def fresh(tmp_path_factory) -> Path:
    job = tmp_path_factory.mktemp("fuzz")
    (job / "out").mkdir()
    return job


# -- the readers ---------------------------------------------------------------------------------


@FUZZ
@given(data=spec_bytes, suffix=st.sampled_from([".toml", ".json"]), command=st.sampled_from(["info", "check", "eval", "fmt"]))
def test_spec_reader(tmp_path_factory, data, suffix, command):
    job = fresh(tmp_path_factory)
    spec = job / f"spec{suffix}"
    spec.write_bytes(data)
    extra = {"eval": ["--at", "1"], "fmt": ["-o", "out/x.toml"]}.get(command, [])
    run_in(job, [command, str(spec), *extra])


@FUZZ
@given(
    lines=st.lists(
        st.one_of(
            st.text(TRICKY, max_size=20),
            st.text(max_size=20),
            deep.map(json.dumps),
            st.integers(100, 4000).map(nested),
            st.lists(st.integers(-10, 10), max_size=3).map(json.dumps),
        ),
        max_size=6,
    )
)
def test_point_file_reader(tmp_path_factory, lines):
    job = fresh(tmp_path_factory)
    (job / "spec.json").write_text(JSON)
    (job / "points.jsonl").write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    run_in(job, ["eval", "spec.json", "--points", "points.jsonl", "-o", "out/values.jsonl"])


@FUZZ
@given(template=st.one_of(st.text(max_size=200), mutated("{% for a in range(3) %}{{ a }}{% endfor %}\\[x\\]")),
       binary=st.booleans())
def test_template_folder(tmp_path_factory, template, binary):
    job = fresh(tmp_path_factory)
    (job / "spec.json").write_text(JSON)
    tpl = job / "tpl"
    tpl.mkdir()
    data = template.encode("utf-8", "surrogatepass")
    (tpl / "derivation.tex.j2").write_bytes(data if not binary else data + b"\xff\xfe\x00")
    run_in(job, ["derive", "spec.json", "--template", "tpl", "-o", "out/d.tex"])


#: every option that takes a value, with the rest of a command line that would otherwise work
OPTIONS: list[tuple[list[str], str, list[str]]] = [
    (["eval", "spec.json"], "--at", []),
    (["eval", "spec.json", "--points", "p.jsonl"], "--workers", []),
    (["eval", "spec.json", "--points", "p.jsonl"], "--format", []),
    (["check", "spec.json"], "--forall", ["--at-most", "1"]),
    (["check", "spec.json"], "--exists", ["--equals", "1"]),
    (["check", "spec.json", "--forall", "0..1"], "--equals", []),
    (["check", "spec.json", "--forall", "0..1"], "--at-least", []),
    (["check", "spec.json", "--forall", "0..1"], "--less", []),
    (["check", "spec.json"], "--label", []),
    (["check", "spec.json", "--tex", "out/c.tex"], "--first-equation", []),
    (["check", "spec.json", "--tex", "out/c.tex"], "--max-columns", []),
    (["check", "spec.json", "--tex", "out/c.tex"], "--activation-symbol", []),
    (["derive", "spec.json", "-o", "out/d.tex"], "--at", []),
    (["derive", "spec.json", "-o", "out/d.tex"], "--max-rows", []),
    (["regions", "spec.json"], "--box", []),
    (["regions", "spec.json", "--box", "0..1"], "--method", []),
    (["study", "param.json"], "--steps", ["--param", "a"]),
    (["study", "param.json"], "--param", []),
    (["study", "param.json"], "--at", []),
    (["study", "param.json"], "--claim", []),
    ([], "--time-limit", ["info", "spec.json"]),
]


@FUZZ
@given(which=st.sampled_from(OPTIONS), value=value_text)
def test_every_option_value(tmp_path_factory, which, value):
    job = fresh(tmp_path_factory)
    (job / "spec.json").write_text(JSON)
    (job / "p.jsonl").write_text("[1]\n[2]\n")
    (job / "param.json").write_text(
        json.dumps(
            {
                "activation": "relu",
                "parameters": [{"name": "a", "min": -2, "max": 2}],
                "layers": [{"W": [["a"]], "B": [1]}, {"W": [[1]], "B": [0]}],
                "claims": [{"at": [1], "at_most": [1]}],
            }
        )
    )
    before, option, after = which
    # the global option goes before the command; run_in adds its own limit first, which this
    # one then overrides
    args = [option, value, *after] if option == "--time-limit" else [*before, option, value, *after]
    run_in(job, args)


# -- the Python API ------------------------------------------------------------------------------


def _api_call(kind: str, payload: object) -> int:
    """0 for a result, 2 for a symresnet error; anything else propagates (a failure)."""
    try:
        if kind == "W":
            ResNet(W=payload, B=[[0]])  # type: ignore[arg-type]
        elif kind == "B":
            ResNet(W=[[[1]]], B=payload)  # type: ignore[arg-type]
        elif kind == "skips":
            ResNet(W=[[[1]], [[1]]], B=[[0], [0]], skips=payload)  # type: ignore[arg-type]
        elif kind == "activation":
            ResNet(W=[[[1]]], B=[[0]], activation=payload)  # type: ignore[arg-type]
        elif kind == "x":
            realize(ResNet(W=[[[1]]], B=[[0]]), payload)  # type: ignore[arg-type]
        else:
            check(ResNet(W=[[[1]]], B=[[0]]), input=[1], equals=payload)
    except SymresnetError:
        return 2
    return 0


@FUZZ
@given(kind=st.sampled_from(["W", "B", "skips", "activation", "x", "expected"]), payload=deep)
def test_python_api(kind, payload):
    outcome = capped(lambda: _api_call(kind, payload), timeout=TIMEOUT)
    assert outcome.code in (0, 2), f"{kind}={payload!r}: {outcome}"
