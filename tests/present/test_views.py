"""Equation numbers and label keys (present/views.Numbering) across whole documents, checked
in the LaTeX source and in the PDF that pdflatex/latexmk makes of it.

What LaTeX prints for ``\\eqref{key}`` is computed here from the source by LaTeX's own rule
(a ``\\tag`` is printed as given and does not step the counter; an untagged ``equation``
takes the next value of the counter), not by the code under test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.claims.spec import decide
from symresnet.explain.sheet import build_sheet
from symresnet.io.spec import load_spec, loads_spec
from symresnet.present.compile import compile_pdf
from symresnet.present.latex import Latex
from symresnet.present.render import RenderOptions, document
from symresnet.present.sheet import render_sheet
from symresnet.present.views import Numbering

EXAMPLES = Path(__file__).parents[2] / "symresnet" / "examples"
#: Exercise 1.5.1 without its claims (the network of (1.158)-(1.160))
EXERCISE = (EXAMPLES / "exercise-1.5.1.toml").read_text().split("[[claims]]")[0]
#: two box claims proved region by region (4 regions, a table, and 2 regions) around the
#: book's (1.161): R(x) <= 0 on [-2, 1] (max 0 at -2), R(-1) = -7, R(x) <= -2 on [-1, 0]
#: (R(-1) = -7, R(0) = -17, R(-9/7) = -31/7 ... every value on [-1, 0] is at most -7)
TWO_BOXES = (
    EXERCISE
    + "\n[[claims]]\nforall = [[-2, 1]]\nat_most = [0]\n"
    + '\n[[claims]]\nlabel = "1.161"\ninput = [-1]\nequals = [0]\n'
    + "\n[[claims]]\nforall = [[-1, 0]]\nat_most = [-2]\n"
)

EQUATION = re.compile(
    r"\\begin\{equation\}(?:\\tag\{([^}]*)\})?\\label\{([^}]*)\}(.*?)\\end\{equation\}", re.S
)
REF = re.compile(r"(This disproves|This proves|Hence) \\eqref\{([^}]*)\}")


def _printed(tex: str) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The numbers in the order LaTeX prints them, what each key prints as, and its body."""
    order: list[str] = []
    number: dict[str, str] = {}
    body: dict[str, str] = {}
    counter = 0
    for tag, key, text in EQUATION.findall(tex):
        if not tag:
            counter += 1
            tag = str(counter)
        assert key not in number, f"the key {key} is labelled twice"
        order.append(tag)
        number[key] = tag
        body[key] = text
    return order, number, body


def _pdf_text(pdf: bytes, folder: Path) -> str:
    assert shutil.which("pdftotext") is not None, "install poppler-utils"
    path = folder / "doc.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def _compiled(tex: str, folder: Path) -> str:
    """The PDF's text, after checking LaTeX's log: no label defined twice, every reference
    resolved (latexmk reruns until they are)."""
    result = compile_pdf(tex)
    assert "multiply defined" not in result.log
    assert "undefined references" not in result.log
    assert "Reference `" not in result.log  # LaTeX Warning: Reference `x' ... undefined
    return _pdf_text(result.pdf, folder)


def _refs_resolve(tex: str, text: str, number: dict[str, str]) -> list[tuple[str, str]]:
    """Every "This proves \\eqref{k}" of the source reads "This proves (n)" in the PDF, n the
    number of the equation labelled k; the (sentence, key) pairs."""
    refs = REF.findall(tex)
    assert refs
    for words, key in refs:
        assert key in number, f"{key} is referred to but labelled nowhere"
        assert f"{words} ({number[key]})" in text.replace("\u2212", "-")
    return refs


def _statement_key(tex: str, letter: str) -> str:
    """The key of the equation stated in part (letter) of a sheet."""
    after = tex[tex.index(rf"\textbf{{({letter})}}") :]
    m = EQUATION.search(after)
    assert m is not None
    return m.group(2)


def test_the_exercise_sheet_solutions_number_one_sequence_and_refer_rightly(latex, tmp_path):
    sheet = build_sheet([load_spec(str(EXAMPLES / "sheet-1.5.1.toml"))])
    tex = render_sheet(sheet)
    order, number, body = _printed(tex.solutions)
    # the statements: the network's data, (a) = the book's (1.161), (b), (c); then 13
    # equations of solutions: (a) recursion, realization, 3 layers; (b) region 1 of the table,
    # 3 layers; (c) recursion, realization, 3 layers
    a = order.index("1.161")
    numbers = [int(t) for t in order if t != "1.161"]
    assert numbers == list(range(1, len(numbers) + 1))  # no hole, no restart
    statements = [_statement_key(tex.solutions, letter) for letter in "abc"]
    assert [number[k] for k in statements] == ["1.161", str(a + 1), str(a + 2)]
    assert len(order) == a + 3 + 13
    ex_order, ex_number, _ = _printed(tex.exercises)
    assert ex_order == order[: a + 3]  # the exercise sheet: the statements only, same numbers
    assert {k: ex_number[k] for k in statements} == {k: number[k] for k in statements}
    text = _compiled(tex.solutions, tmp_path)
    assert "This disproves (1.161): the value is -7, not 0." in text.replace("\u2212", "-")
    refs = _refs_resolve(tex.solutions, text, number)
    # every conclusion of a part is about that part's statement
    assert refs == [
        ("This disproves", statements[0]),
        ("Hence", statements[1]),
        ("This proves", statements[1]),
        ("Hence", statements[2]),
        ("Hence", statements[2]),
    ]
    assert r"\leq 0." in body[statements[1]] and r"\geq -10." in body[statements[2]]
    combined, _, _ = _printed(tex.combined)
    assert combined == order  # the combined document: the same sequence, stated once


def _derivation_keys(tex: str) -> list[str]:
    """The keys of the box statements: each follows "it holds for all $x \\in ...$ that"."""
    keys = []
    for m in re.finditer(r"[Ii]t holds for all \$x \\in [^$]*\$ that\s*", tex):
        eq = EQUATION.match(tex, m.end())
        assert eq is not None
        keys.append(eq.group(2))
    return keys


@pytest.mark.parametrize("first", [None, "1.158"])
def test_a_two_claim_box_derivation_numbers_one_sequence(latex, tmp_path, first):
    spec = loads_spec(TWO_BOXES, source="two.toml")
    verdicts = [decide(c, spec.network, bounds=spec.parameters) for c in spec.claims]
    options = RenderOptions() if first is None else RenderOptions(first_equation=first)
    tex = document(verdicts, title=spec.title, options=options)
    order, number, body = _printed(tex)
    boxes = _derivation_keys(tex)
    assert len(boxes) == 2
    assert body[boxes[0]].strip().endswith(r"\leq 0")
    assert body[boxes[1]].strip().endswith(r"\leq -2")
    point = next(k for k, n in number.items() if n == "1.161")
    if first is None:
        rest = [t for t in order if t != "1.161"]
        assert rest == [str(i) for i in range(1, len(rest) + 1)]
    else:
        # (1.158) onwards; the claim's own (1.161) comes later, so the sequence leaves it out:
        # no number printed twice, none missing
        assert order[:4] == ["1.158", "1.159", "1.160", "1.162"]
        rest = [int(t[2:]) for k, t in number.items() if k != point]
        assert rest == sorted(rest)
        assert sorted(int(t[2:]) for t in order) == list(range(158, 158 + len(order)))
    text = _compiled(tex, tmp_path)
    refs = _refs_resolve(tex, text, number)
    assert [k for _, k in refs] == [boxes[0], boxes[0], point, boxes[1], boxes[1]]
    assert "region 1" in tex and r"\begin{enumerate}" in tex  # a table and a short proof
    assert "into 4 regions" in tex and "which is thus one region" in tex  # not "1 regions"


#: an equation: no label, or a label that is a number of the sequence 2.1, 2.2, ... or text
LABEL = st.one_of(st.none(), st.integers(1, 12).map(lambda n: f"2.{n}"), st.just("A1"))


@settings(max_examples=60, deadline=None)
@given(labels=st.lists(LABEL, max_size=10), data=st.data())
def test_numbers_are_unique_and_in_order_whatever_the_labels(labels, data):
    numbering = Numbering(RenderOptions(first_equation="2.1"))
    eqs = [numbering.equation(Latex("x"), (Latex("x"),), tag=label) for label in labels]
    # a template prints some of them, in document order
    printed = [e for e in eqs if data.draw(st.booleans())]
    tags = [str(e.tag) for e in printed]
    assert len({e.key for e in eqs}) == len(eqs)  # a key of its own, printed or not
    for e, tag in zip(printed, tags, strict=True):
        assert e.label is None or tag == e.label  # a label tags its own equation
    unlabelled = [int(t[2:]) for e, t in zip(printed, tags, strict=True) if e.label is None]
    assert unlabelled == sorted(unlabelled)  # the sequence, in document order
    numbered = [t for e, t in zip(printed, tags, strict=True) if e.label != "A1"]
    # no two equations print one number (unless both carry it as their own label)
    shared = [t for t in numbered if numbered.count(t) > 1]
    assert all(e.label == t for e, t in zip(printed, tags, strict=True) if t in shared)
    # no hole: every number below the last one handed out is printed or some label of the
    # document (which a later part may print)
    if unlabelled:
        used = {int(t[2:]) for t in numbered} | {int(x[2:]) for x in labels if x and x != "A1"}
        assert set(range(1, max(unlabelled) + 1)) <= used
    assert [str(e.tag) for e in printed] == tags  # asked again: the same numbers
