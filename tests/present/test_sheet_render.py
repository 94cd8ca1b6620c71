"""Exercise sheets in LaTeX (symresnet.present.sheet): neutral statements, separate solutions,
consecutive equation numbers, escaped free text, and documents that compile without flaws."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.explain.sheet import build_sheet
from symresnet.io.spec import loads_spec
from symresnet.present.compile import compile_pdf
from symresnet.present.render import RenderOptions
from symresnet.present.sheet import render_sheet
from symresnet.present.sheet_key import key_lines

EXAMPLES = Path(__file__).parents[2] / "symresnet" / "examples"
#: Exercise 1.5.1 without its claims (the network of (1.158)-(1.160))
EXERCISE = (EXAMPLES / "exercise-1.5.1.toml").read_text().split("[[claims]]")[0]
#: Example 1.5.6 without its claim, (1.147)-(1.149)
EXAMPLE = (EXAMPLES / "example-1.5.6.toml").read_text().split("[[claims]]")[0]
OVERFULL = re.compile(r"Overfull \\hbox \(([0-9.]+)pt too wide\)")
TAG = re.compile(r"\\tag\{([^}]*)\}")
#: words that give a verdict away
VERDICT_WORDS = ("disproves", "This disprove", "This proves", "establish", "Proof", "Then it holds")


def _sheet(*texts: str, title: str | None = None):
    specs = [loads_spec(t, source=f"p{i}.toml") for i, t in enumerate(texts, start=1)]
    return build_sheet(specs, title=title)


def _claims(*claims: str) -> str:
    return "".join(f"\n[[claims]]\n{c}\n" for c in claims)


def _flaws(log: str) -> list[str]:
    flaws = [m.group(0) for m in OVERFULL.finditer(log) if float(m.group(1)) > 1.0]
    return flaws + [line for line in log.splitlines() if "Warning" in line]


# R(-1) = -7 on Exercise 1.5.1 (the book's (1.161) claims 0); on [-2, 1] the maximum is 0
TRUE_POINT, FALSE_POINT = "input = [-1]\nequals = [-7]", "input = [-1]\nequals = [0]"
TRUE_BOX, FALSE_BOX = "forall = [[-2, 1]]\nat_most = [0]", "forall = [[-2, 1]]\nat_most = [-1]"


@pytest.mark.parametrize(
    ("true", "false", "old", "new"),
    [
        (TRUE_POINT, FALSE_POINT, "(-1) = -7.", "(-1) = 0."),
        (TRUE_BOX, FALSE_BOX, r"(x) \leq 0.", r"(x) \leq -1."),
    ],
)
def test_true_and_false_parts_are_stated_alike(true, false, old, new):
    holds = render_sheet(_sheet(EXERCISE + _claims(true)))
    fails = render_sheet(_sheet(EXERCISE + _claims(false)))
    assert old in holds.exercises
    assert holds.exercises.replace(old, new) == fails.exercises  # only the data differ
    assert "Prove or disprove that it holds" in holds.exercises
    for word in VERDICT_WORDS:
        assert word not in holds.exercises and word not in fails.exercises, word
    # the verdict is in the solutions only
    assert "disproves" in fails.solutions and "disproves" not in holds.solutions


def test_the_network_is_stated_once_with_parts_a_b_c():
    tex = render_sheet(_sheet(EXERCISE + _claims(FALSE_POINT, TRUE_BOX, "input = [1]\nless = [2]")))
    assert tex.exercises.count(r"\Phi = ((W_{1}, B_{1})") == 1
    assert tex.exercises.count("V_{0,3} = ") == 1
    assert [m for m in re.findall(r"\\textbf\{\((.)\)\}", tex.exercises)] == ["a", "b", "c"]
    assert re.findall(r"Solution of \((.)\)", tex.solutions) == ["a", "b", "c"]
    assert "Solution of" not in tex.exercises
    # combined: the exercises, then the solutions, the problem not restated
    assert tex.combined.count(r"\Phi = ((W_{1}, B_{1})") == 1
    assert tex.combined.index(r"\textbf{(c)}") < tex.combined.index("Solution of (a)")


def _tags(tex: str) -> list[str]:
    return TAG.findall(tex)


def test_equation_numbers_are_consecutive_across_problems_parts_and_solutions():
    sheet = _sheet(
        EXERCISE + _claims('label = "1.161"\n' + FALSE_POINT, TRUE_BOX),
        EXAMPLE + _claims("input = [5]\nequals = [28]", "input = [1]\nat_most = [0]"),
    )
    tex = render_sheet(sheet)
    ex = _tags(tex.exercises)
    assert "1.161" in ex  # the claim's own label tags its statement and takes no number
    numbers = [int(t) for t in ex if t != "1.161"]
    assert numbers == list(range(1, len(numbers) + 1))
    combined = [int(t) for t in _tags(tex.combined) if t != "1.161"]
    assert combined == list(range(1, len(combined) + 1))
    assert len(combined) > len(numbers) + 10  # the solutions continue the sequence
    # the solution sheet restates each problem with the same numbers as the exercise sheet
    sol = _tags(tex.solutions)
    restated = [t for t in sol if t == "1.161" or int(t) <= len(numbers)]
    assert restated == ex
    assert [int(t) for t in sol if t not in restated] == combined[len(numbers) :]


def test_first_equation_numbers_the_whole_sheet():
    tex = render_sheet(
        _sheet(EXAMPLE + _claims("input = [5]\nequals = [28]")),
        options=RenderOptions(first_equation="3.1"),
    )
    tags = _tags(tex.combined)
    assert tags[:3] == ["3.1", "3.2", "3.3"]
    assert tags == [f"3.{i}" for i in range(1, len(tags) + 1)]


EVIL = r"\input{/etc/passwd} {unbalanced % # $ ~ ^ \\ & _"


def test_free_text_is_escaped():
    spec = EXAMPLE.replace('title = "Example 1.5.6"', f"title = '{EVIL}'")  # a TOML literal
    assert EVIL in loads_spec(spec).title
    tex = render_sheet(
        _sheet(spec + _claims(f"label = '{EVIL}'\n" + "input = [5]\nequals = [28]"), title=EVIL)
    )
    for doc in (tex.exercises, tex.solutions, tex.combined):
        assert r"\input{/etc" not in doc
        assert r"\textbackslash{}input" in doc


def test_the_sheet_compiles_without_overfull_boxes_or_warnings(latex):
    sheet = _sheet(
        EXERCISE
        + _claims('label = "1.161"\n' + FALSE_POINT, TRUE_BOX, "exists = [[-2, 1]]\ngreater = [0]"),
        EXAMPLE
        + "[parameters]\na = {}\n"
        + _claims("input = [5]\nequals = [28]", 'input = [1]\nequals = ["a"]'),
        title="Sheet 3: residual networks",
    )
    tex = render_sheet(sheet)
    for doc in (tex.exercises, tex.solutions, tex.combined):
        result = compile_pdf(doc)
        assert result.pdf.startswith(b"%PDF")
        assert _flaws(result.log) == []


def test_figure_of_each_network_in_its_statement(latex):
    sheet = _sheet(EXERCISE + _claims(FALSE_POINT), EXAMPLE + _claims("input = [5]\nequals = [28]"))
    plain = render_sheet(sheet)
    tex = render_sheet(sheet, figure=True)
    assert r"\begin{tikzpicture}" not in plain.exercises and "tikz" not in plain.exercises
    assert tex.exercises.count(r"\begin{tikzpicture}") == 2
    assert r"\usepackage{tikz}" in tex.exercises
    # the first figure stands after problem 1's data, before its parts
    first = tex.exercises.index(r"\begin{tikzpicture}")
    assert tex.exercises.index("V_{0,3} = ") < first < tex.exercises.index(r"\textbf{(a)}")
    assert tex.exercises.count("V_{0,3} = I") == 1  # the identity skip of (1.160) marked I
    assert _tags(tex.combined) == _tags(plain.combined)  # a figure takes no number
    result = compile_pdf(tex.exercises)
    assert _flaws(result.log) == []


# -- a property: any mix of parts numbers without holes, states nothing, keys as the reference -----

RELATION_TEXT = {"equals": "=", "at_least": ">=", "at_most": "<=", "greater": ">", "less": "<"}


def _example_R(x: Fraction) -> Fraction:
    """Example 1.5.6 by hand: x_4 = 2 x_{3,1} + 2 x_{3,2} + 1 - x (3 - x for x < 0, else 5x + 3)."""
    return 3 - x if x < 0 else 5 * x + 3


def _holds(relation: str, value: Fraction, expected: Fraction) -> bool:
    return {
        "equals": value == expected,
        "at_least": value >= expected,
        "at_most": value <= expected,
        "greater": value > expected,
        "less": value < expected,
    }[relation]


PART = st.one_of(
    st.tuples(
        st.just("point"),
        st.integers(-3, 3),
        st.sampled_from(sorted(RELATION_TEXT)),
        st.integers(-1, 1),
    ),
    st.tuples(
        st.just("box"),
        st.integers(-2, 1),
        st.sampled_from(["at_most", "at_least"]),
        st.integers(-1, 1),
    ),
)


@settings(max_examples=8, deadline=None)
@given(parts=st.lists(PART, min_size=1, max_size=3), first=st.sampled_from([None, "2.1", "7"]))
def test_any_sheet_numbers_without_holes_and_keys_as_the_reference(parts, first):
    claims, truths = [], []
    for kind, x, relation, offset in parts:
        if kind == "point":
            value = _example_R(Fraction(x))
            claims.append(f"input = [{x}]\n{relation} = [{value + offset}]")
            truths.append(_holds(relation, value, value + offset))
        else:
            grid = [Fraction(x) + Fraction(i, 4) for i in range(9)]  # [x, x + 2], through 0
            values = [_example_R(g) for g in grid]
            bound = (max(values) if relation == "at_most" else min(values)) + offset
            claims.append(f"forall = [[{x}, {x + 2}]]\n{relation} = [{bound}]")
            truths.append(all(_holds(relation, v, bound) for v in values))
    sheet = _sheet(EXAMPLE + _claims(*claims))
    options = RenderOptions() if first is None else RenderOptions(first_equation=first)
    tex = render_sheet(sheet, options=options)
    m = re.fullmatch(r"(.*?)([0-9]+)", first or "1")
    assert m is not None
    prefix, start = m.group(1), int(m.group(2))
    tags = _tags(tex.combined)
    assert tags == [f"{prefix}{start + i}" for i in range(len(tags))]
    for word in VERDICT_WORDS:
        assert word not in tex.exercises
    keys = key_lines(sheet)
    assert [line.endswith(": true") for line in keys] == truths
