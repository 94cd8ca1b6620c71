"""Fuzzing spec loading: random data, mutated example specs, mutated bytes.

Whatever comes in, symresnet answers with one of its own errors (an ``InputError``) or a correct
result: a spec that loads also computes (or refuses with an ``InputError``) and survives
``dump -> load`` unchanged.  Never another exception.  (The expression parser is fuzzed in
tests/values/test_parser.py.)
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import tokenize
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symresnet.base.errors import InputError
from symresnet.compute.realization import realize
from symresnet.examples import example_path
from symresnet.io.dump import dump
from symresnet.io.spec import from_data, loads_spec

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 120)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
EXAMPLES = [example_path(name) for name in ("example-1.5.6", "exercise-1.5.1")]
EXAMPLE_DATA = [tomllib.loads(p.read_text()) for p in EXAMPLES]
EXAMPLE_TEXT = [p.read_text() for p in EXAMPLES]

#: words that mean something in a spec or in an entry, to make random data less random
WORDS = [
    *("title", "activation", "dims", "layers", "skips", "parameters", "claims", "W", "B"),
    *("r", "k", "V", "label", "input", "equals", "at_most", "forall", "exists", "min", "max"),
    *("name", "gamma", "p", "u", "v", "relu", "clip", "repu", "gelu", "heaviside", "I"),
    *("1/2", "-3", "0.1", "1e3", "a", "sqrt(2)", "2^3", "exp(1)", "__import__", "nan", ""),
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(4_300, 5_200).map(lambda n: 10**n),  # beyond Python's int -> str limit
    st.sampled_from([-(2**64), 2**64, 10**6]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(WORDS), inner, max_size=4),
    ),
    max_leaves=25,
)


def outcome(load) -> None:
    """Run ``load``; a spec that loads must compute its claims and round-trip."""
    try:
        spec = load()
    except InputError:
        return
    for c in spec.claims:
        if hasattr(c, "input"):
            with contextlib.suppress(InputError):
                realize(spec.network, c.input)
    for fmt in ("toml", "json"):
        back = loads_spec(dump(spec, format=fmt), format=fmt)
        assert back.network == spec.network
        assert back.claims == spec.claims
        assert back.title == spec.title


@FUZZ
@given(values)
def test_random_data(data):
    outcome(lambda: from_data(data))


@FUZZ
@given(st.dictionaries(st.sampled_from(WORDS), values, max_size=6))
def test_random_top_level_tables(data):
    outcome(lambda: from_data(data))


def paths(data, prefix=()):
    """Every place (a tuple of keys and indices) in nested dicts and lists."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from paths(value, (*prefix, i))


@st.composite
def mutated_examples(draw):
    data = copy.deepcopy(draw(st.sampled_from(EXAMPLE_DATA)))
    for _ in range(draw(st.integers(1, 3))):
        places = list(paths(data))[1:]
        place = draw(st.sampled_from(places))
        *parent_keys, last = place
        parent = data
        for key in parent_keys:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add", "wrap"]))
        if action == "replace":
            parent[last] = draw(values)
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(WORDS))] = draw(values)
        elif action == "add":
            parent.insert(last, draw(values))
        else:
            parent[last] = [parent[last]]
    return data


@FUZZ
@given(mutated_examples())
def test_mutated_examples(data):
    outcome(lambda: from_data(data))


@FUZZ
@given(mutated_examples())
def test_mutated_examples_as_json_text(data):
    try:
        text = json.dumps(data)
    except (TypeError, ValueError):
        return
    outcome(lambda: loads_spec(text, format="json"))


@st.composite
def mutated_bytes(draw):
    raw = bytearray(draw(st.sampled_from(EXAMPLE_TEXT)).encode())
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "word"]))
        if action == "flip" and i < len(raw):
            raw[i] = draw(st.integers(0, 255))
        elif action == "insert":
            raw[i:i] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del raw[i : i + draw(st.integers(1, 20))]
        else:
            raw[i:i] = draw(st.sampled_from(WORDS)).encode()
    return bytes(raw)


@FUZZ
@given(mutated_bytes())
def test_mutated_bytes(raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # load_spec refuses these (tests/hostile/binary-garbage.toml)
    outcome(lambda: loads_spec(text, format="toml"))


@FUZZ
@given(raw=mutated_bytes())
def test_mutated_bytes_through_the_file_reader(tmp_path_factory, raw):
    from symresnet.io.spec import load_spec

    path = tmp_path_factory.mktemp("fuzz") / "spec.toml"
    path.write_bytes(raw)
    outcome(lambda: load_spec(path))


# -- no evaluation of text anywhere in the package ------------------------------------------------

#: calls that evaluate text as code (or may: sympify/parse_expr/S run eval on strings)
EVALUATING = {"sympify", "parse_expr", "eval", "exec", "S", "__import__", "compile", "Function"}
#: (file, call) pairs reviewed as safe: not user text
ALLOWED = {
    ("conditions.py", "eval"),  # z3's model.eval of a z3 term built by symresnet
}


def calls(path: Path):
    """``(name, line)`` of every call of a name in EVALUATING (code only: no strings or comments).

    A bare ``name(...)`` always counts; ``x.name(...)`` only when ``x`` is ``sympy``
    (``model.eval`` on a z3 model or ``re.compile`` of a pattern do not parse user text).
    """
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
        if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)
    ]
    for i, tok in enumerate(tokens[:-1]):
        if tok.type != tokenize.NAME or tok.string not in EVALUATING:
            continue
        if tokens[i + 1].string != "(":
            continue
        if i >= 1 and tokens[i - 1].string == "def":
            continue
        if i >= 2 and tokens[i - 1].string == ".":
            owner = tokens[i - 2].string
            if owner != "sympy":
                continue
        yield tok.string, tok.start[0]


def test_package_never_evaluates_text():
    package = Path(__file__).parents[2] / "symresnet"
    found = [
        f"{path.name}:{line}: {name}("
        for path in sorted(package.rglob("*.py"))
        for name, line in calls(path)
        if (path.name, name) not in ALLOWED
    ]
    assert found == [], "route user text through symresnet.values.exact instead: " + ", ".join(
        found
    )


@pytest.mark.parametrize(
    "source",
    ["x = sympy.sympify(text)", "y = parse_expr(s)", "eval(s)", "sympy.S('1')", "exec(code)"],
)
def test_the_source_check_can_fail(tmp_path, source):
    bad = tmp_path / "bad.py"
    bad.write_text(source + "\n")
    assert list(calls(bad))
