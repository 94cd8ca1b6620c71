"""The Moodle XML and the QTI 1.2 zip of the three-part template (variants-1.5.toml: a point,
a box and a parameter part) parsed back, and every answer compared, tolerance 0, with an
independent exact decision (tests/variants_reference.py) of the claim *as the export states
it*: the network is read back from the question's own math, each part's claim from its own
text, and neither from symresnet.

No registry package ships the QTI 1.2 DTD/XSD or a Moodle XML schema (PyPI and npm package
lists searched for qti, moodle, imscp; the wheels of qti-package-maker, questionbanktoolkit and
moodle-xml-parser carry no .xsd or .dtd), so the structure rules written in docs/variants.md are
checked instead, and Moodle's cloze grading is re-enacted here from its documented grammar
(question/type/multianswer: ``{n:TYPE:alt~alt}``, an alternative ``=answer`` or
``%pct%answer``, a NUMERICAL answer ``value:tolerance``)."""

from __future__ import annotations

import dataclasses
import re
import tempfile
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
import variants_reference as vr
from hypothesis import given, settings
from hypothesis import strategies as st

import symresnet.examples
from symresnet.claims.variants import MISTAKES, draw_variant, draw_variants
from symresnet.cli.main import main
from symresnet.io.variants import load_template, write_exports

T = load_template(Path(symresnet.examples.__file__).parent / "variants-1.5.toml")
#: the template as written, and the same with fractions = true (halves among the entries,
#: every value as numerator and denominator fields)
TEMPLATES = {
    "integers": (T, 40, 1505),
    "fractions": (dataclasses.replace(T, fractions=True), 12, 7),
}
LETTERS = "abc"


@pytest.fixture(scope="module", params=sorted(TEMPLATES))
def export(request, tmp_path_factory):
    t, count, seed = TEMPLATES[request.param]
    variants, _ = draw_variants(t, count=count, seed=seed)
    moodle, qti = write_exports(t, variants, tmp_path_factory.mktemp("lms"))
    return t, seed, variants, moodle, qti


# -- reading the math back ----------------------------------------------------------------

NUM = r"-?\d+|\\tfrac\{-?\d+\}\{\d+\}"


def number(text: str) -> Fraction:
    m = re.fullmatch(r"(-?\d+)|\\tfrac\{(-?\d+)\}\{(\d+)\}", text.strip())
    assert m, text
    return Fraction(int(m[1])) if m[1] else Fraction(int(m[2]), int(m[3]))


def matrix(body: str) -> list[list[Fraction]]:
    return [[number(e) for e in row.split("&")] for row in body.split(r"\\")]


def network(html: str):
    """``W, B, skips`` read from the question's ``pmatrix`` math."""
    Ws = dict(re.findall(r"W_\{(\d+)\} = \\begin\{pmatrix\}(.*?)\\end\{pmatrix\}", html))
    Bs = dict(re.findall(r"B_\{(\d+)\} = \\begin\{pmatrix\}(.*?)\\end\{pmatrix\}", html))
    Vs = re.findall(r"V_\{(\d+),(\d+)\} = \\begin\{pmatrix\}(.*?)\\end\{pmatrix\}", html)
    L = len(Ws)
    assert sorted(Ws) == sorted(Bs) == [str(k) for k in range(1, L + 1)]
    W = [matrix(Ws[str(k)]) for k in range(1, L + 1)]
    B = [[row[0] for row in matrix(Bs[str(k)])] for k in range(1, L + 1)]
    S = {(int(r), int(k)): matrix(body) for r, k, body in Vs}
    dims = re.search(r"\(l_0, \\dots, l_L\) = \(([\d, ]+)\)", html)[1]
    assert [len(W[0][0]), *(len(w) for w in W)] == [int(d) for d in dims.split(", ")]
    return W, B, S


REL = {"=": "equals", r"\le": "at_most", r"\ge": "at_least"}
POINT = re.compile(r"\\\(R\(([^()]*)\) (=|\\le|\\ge) (" + NUM + r")\\\)")
BOX = re.compile(
    r"\\\(R\(x\) (\\le|\\ge) ("
    + NUM
    + r")\\\) for all \\\(x \\in ((?:\[[^\]]*\](?: \\times )?)+)\\\)"
)
PARAM = re.compile(
    r"\\\(R\(t, ([^()]*)\) (\\le|\\ge) (" + NUM + r")\\\) for all "
    r"\\\(t \\in \[(" + NUM + r"), (" + NUM + r")\]\\\)"
)


def claim(statement: str):
    """``(kind, inputs, box, relation, bound)`` of a part from its exported statement."""
    if m := PARAM.fullmatch(statement):
        rest = tuple(number(x) for x in m[1].split(", "))
        return "parameter", rest, ((number(m[4]), number(m[5])),), REL[m[2]], number(m[3])
    if m := BOX.fullmatch(statement):
        box = tuple(
            (number(a), number(b))
            for a, b in re.findall(r"\[(" + NUM + "), (" + NUM + r")\]", m[3])
        )
        return "box", (), box, REL[m[1]], number(m[2])
    m = POINT.fullmatch(statement)
    assert m, statement
    return "point", tuple(number(x) for x in m[1].split(", ")), (), REL[m[2]], number(m[3])


def asked(kind: str, text: str, inputs) -> str:
    """Which value a part asks for: ``value``, ``max`` or ``min``, checked against its kind."""
    if kind == "point":
        assert text == rf"\(R({', '.join(map(_q, inputs))})\)", text
        return "value"
    m = re.fullmatch(
        r"\\\(\\(max|min)_\{x\} R\(x\)\\\) over the box"
        if kind == "box"
        else r"\\\(\\(max|min)_\{t\} R\(t, \\dots\)\\\) over \\\(t\\\)",
        text,
    )
    assert m, text
    return m[1]


def _q(x: Fraction) -> str:
    return (
        str(x.numerator) if x.denominator == 1 else rf"\tfrac{{{x.numerator}}}{{{x.denominator}}}"
    )


def decide(W, B, S, kind, inputs, box, relation, bound):
    """The independent verdict and every value a part may ask for."""
    if kind == "point":
        value = vr.realize(W, B, S, inputs)
        return value == bound, {"value": value}
    full = list(box) if kind == "box" else [box[0], *((x, x) for x in inputs)]
    (mn, _), (mx, _) = vr.extrema(W, B, S, full)
    return (mx <= bound if relation == "at_most" else mn >= bound), {"max": mx, "min": mn}


# -- Moodle's cloze grammar and grading, re-enacted ---------------------------------------

FIELD = re.compile(r"\{([0-9]*):([A-Z_]+):(.*?)\}")


def alternatives(body: str) -> list[tuple[Fraction, str]]:
    """``(credit, answer)`` per alternative (``=a`` is full credit, ``%p%a`` is ``p`` percent,
    ``a`` alone none)."""
    out = []
    for alt in body.split("~"):
        assert "#" not in alt  # no feedback in the fields: it could tell the answer
        if alt.startswith("="):
            out.append((Fraction(100), alt[1:]))
        elif m := re.fullmatch(r"%(-?[0-9]+(?:[.,][0-9]*)?)%(.*)", alt):
            out.append((Fraction(m[1]), m[2]))
        else:  # no credit written: none
            out.append((Fraction(0), alt))
    return out


def numerical_credit(body: str, response: Fraction) -> Fraction:
    """Moodle's credit for ``response`` in a NUMERICAL field: the first alternative whose
    ``|response - value| <= tolerance`` (exact here)."""
    for credit, alt in alternatives(body):
        m = re.fullmatch(r"(-?\d+)(?::(\d+))?", alt)
        assert m, alt  # an integer, and a tolerance that is an integer
        if abs(response - int(m[1])) <= int(m[2] or 0):
            return credit
    return Fraction(0)


def numerical_answer(body: str) -> tuple[Fraction, str]:
    """The full-credit value of a NUMERICAL field and its tolerance."""
    ((value, tol),) = [
        re.fullmatch(r"(-?\d+):(\d+)", a).groups() for c, a in alternatives(body) if c == 100
    ]
    return Fraction(int(value)), tol


def test_moodle_xml_every_answer_is_the_independent_exact_value(export):
    t, seed, variants, moodle, _ = export
    check_moodle(t, seed, variants, moodle)


def check_moodle(t, seed, variants, moodle: Path) -> None:
    """The rules of docs/variants.md and every field of ``moodle.xml`` against the reference."""
    per_value = 2 if t.fractions else 1
    root = ET.parse(moodle).getroot()
    assert root.tag == "quiz"
    category, *questions = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text") == "$course$/top/symresnet/" + (
        f"{t.title} (seed {seed})"
    )
    assert len(questions) == len(variants)
    widths = set()
    seen = {"true": 0, "false": 0}
    for q, v in zip(questions, variants, strict=True):
        assert q.get("type") == "cloze"
        assert q.findtext("idnumber") == f"symresnet-{seed}-{v.index}"
        text = q.findtext("questiontext/text")
        W, B, S = network(text)
        assert vr.lists(v.net) == (W, B, S)  # the export states the variant's network
        items = re.findall(r"<li>(.*?)</li>", text, re.S)
        assert len(items) == 3 and len(FIELD.findall(text)) == 3 * (
            1 + per_value
        )  # nothing but our fields
        feedback = re.findall(
            r"<p>\((\w)\) (true|false: ([^,]*)), value (-?\d+(?:/\d+)?)</p>",
            q.findtext("generalfeedback/text"),
        )
        assert [f[0] for f in feedback] == list(LETTERS)
        for li, (_, verdict, mistake, fb_value), kind in zip(
            items, feedback, ["point", "box", "parameter"], strict=True
        ):
            m = re.fullmatch(
                r"Prove or disprove: (.*)\. The claim is (\{[^}]*\})\. (.*) \\\(=\\\) (\{[^}]*\}|numerator \{[^}]*\} / denominator \{[^}]*\})",
                li,
            )
            assert m, li  # the same words whatever the truth
            c = claim(m[1])
            assert c[0] == kind
            holds, values = decide(W, B, S, *c)
            seen[str(holds).lower()] += 1
            # the true/false field: full credit for the exact verdict, none for the other
            ((_, mtype, body),) = FIELD.findall(m[2])
            assert mtype == "MULTICHOICE"
            assert sorted(alternatives(body)) == sorted(
                [(Fraction(100), str(holds).lower()), (Fraction(0), str(not holds).lower())]
            )
            # the number field: the exact value asked for, tolerance 0
            exact = values[asked(kind, m[3], c[1])]
            fields = FIELD.findall(m[4])
            assert len(fields) == per_value and all(f[1] == "NUMERICAL" for f in fields)
            # one field: the value; two: numerator and denominator in lowest terms, den > 0
            expected = [exact.numerator, exact.denominator][:per_value]
            if per_value == 1:
                assert exact.denominator == 1
            for (_, _, nbody), e in zip(fields, expected, strict=True):
                value, tol = numerical_answer(nbody)
                assert value == e and tol == "0"
                assert numerical_credit(nbody, e) == 100
                assert numerical_credit(nbody, e + 1) == numerical_credit(nbody, e - 1) == 0
                widths.add(max(len(a) for _, a in alternatives(nbody)))
            # the feedback: the verdict, the value, and a false part's mistake gives its claim
            assert verdict.startswith("true" if holds else "false")
            assert Fraction(fb_value) == exact
            if not holds:
                assert mistake in MISTAKES
                assert c[4] in vr.mistake_values(W, B, S, mistake, _mistaken(c))
    assert len(widths) == 1  # every number field equally wide: the width tells nothing
    if len(variants) > 5:
        assert seen["true"] > 0 and seen["false"] > 0


def _mistaken(c):
    kind, inputs, box, _, _ = c

    def values_of(W, B, S, act, activated):
        if kind == "point":
            v = vr.realize(W, B, S, inputs, act)
            return (max(v, Fraction(0)) if activated else v,)
        if activated:
            return ()
        full = list(box) if kind == "box" else [box[0], *((x, x) for x in inputs)]
        (mn, _), (mx, _) = vr.extrema(W, B, S, full, act)
        return (mn, mx)

    return values_of


# -- QTI 1.2 -----------------------------------------------------------------------------

CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


def test_qti_zip_every_answer_is_the_independent_exact_value(export):
    _, _, variants, _, qti = export
    check_qti(variants, qti)


def check_qti(variants, qti: Path) -> None:
    """The rules of docs/variants.md and every response of ``qti.zip`` against the reference."""
    with zipfile.ZipFile(qti) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert sorted(names) == ["imsmanifest.xml", "items.xml"]
        manifest = ET.fromstring(z.read("imsmanifest.xml"))
        items_xml = ET.fromstring(z.read("items.xml"))
    # the manifest: IMS CP 1.1, one QTI 1.2 resource whose href and file name items.xml
    assert manifest.tag == f"{CP}manifest" and manifest.get("identifier")
    assert manifest.findtext(f"{CP}metadata/{CP}schema") == "IMS Content"
    (resource,) = manifest.findall(f"{CP}resources/{CP}resource")
    assert resource.get("type") == "imsqti_xmlv1p2"
    assert resource.get("href") == "items.xml"
    assert [f.get("href") for f in resource.findall(f"{CP}file")] == ["items.xml"]
    # items.xml: questestinterop > assessment > section > one item per variant
    assert items_xml.tag == "questestinterop"
    (assessment,) = items_xml.findall("assessment")
    (section,) = assessment.findall("section")
    items = section.findall("item")
    assert len(items) == len(variants)
    assert len({i.get("ident") for i in items}) == len(items)
    for item, v in zip(items, variants, strict=True):
        texts = [m.text for m in item.findall("presentation/material/mattext")]
        W, B, S = network(texts[0])
        assert vr.lists(v.net) == (W, B, S)
        scored = {}
        for cond in item.findall("resprocessing/respcondition"):
            (var,) = cond.findall("conditionvar/varequal")
            (setvar,) = cond.findall("setvar")
            assert setvar.get("action") == "Add" and setvar.text == "1"
            scored[var.get("respident")] = var.text
        responses = {
            r.get("ident"): r for r in item.find("presentation") if r.tag.startswith("response_")
        }
        assert set(scored) == set(responses)  # every response is scored, nothing else
        (decvar,) = item.findall("resprocessing/outcomes/decvar")
        assert decvar.get("maxvalue") == str(len(scored))
        # per part: the statement, the value's field (and the denominator's, with fractions)
        stride = 3 if any(t.startswith("<p>denominator") for t in texts) else 2
        for i, kind in enumerate(["point", "box", "parameter"]):
            letter = LETTERS[i]
            m = re.fullmatch(
                rf"<p>\({letter}\) Prove or disprove: (.*)\.</p>", texts[1 + stride * i]
            )
            assert m, texts[1 + stride * i]
            c = claim(m[1])
            assert c[0] == kind
            holds, values = decide(W, B, S, *c)
            side = re.fullmatch(r"<p>(.*): (numerator|value)</p>", texts[2 + stride * i])
            assert side, texts[2 + stride * i]
            two_fields = side[2] == "numerator"  # fractions: numerator and denominator fields
            exact = values[asked(kind, side[1], c[1])]
            # the true/false response: both labels offered, the exact verdict scored
            lid = responses[f"{letter}_verdict"]
            assert lid.tag == "response_lid"
            labels = [lab.get("ident") for lab in lid.iter("response_label")]
            assert labels == ["true", "false"]
            assert scored[f"{letter}_verdict"] == str(holds).lower()
            # numerator and denominator (or the integer alone): integer fields, lowest terms,
            # positive denominator
            fields = ("num", "den") if two_fields else ("num",)
            assert {f"{letter}_{f}" for f in ("num", "den")} & set(responses) == {
                f"{letter}_{f}" for f in fields
            }
            for field in fields:
                r = responses[f"{letter}_{field}"]
                assert r.tag == "response_str"
                assert r.find("render_fib").get("fibtype") == "Integer"
            num = int(scored[f"{letter}_num"])
            den = int(scored[f"{letter}_den"]) if two_fields else 1
            assert den > 0 and Fraction(num, den) == exact
            assert Fraction(num, den).denominator == den  # lowest terms


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**63), index=st.integers(0, 10**6), fractions=st.booleans())
def test_any_seed_exports_answers_the_reference_agrees_with(seed, index, fractions):
    t = dataclasses.replace(T, fractions=fractions)
    v = draw_variant(t, seed, index)
    with tempfile.TemporaryDirectory() as folder:
        moodle, qti = write_exports(t, [v], Path(folder))
        check_moodle(t, seed, [v], moodle)
        check_qti([v], qti)


# -- 200 variants: the same seed rebuilds every file, another seed does not -------------------

TEMPLATE = Path(symresnet.examples.__file__).parent / "variants-1.5.toml"


def _build(folder: Path, seed: int, capsys) -> dict[str, bytes]:
    args = ["variants", str(TEMPLATE), "--count", "200", "--seed", str(seed)]
    assert main([*args, "--out", str(folder)]) == 0
    assert f"200 variants (seed {seed})" in capsys.readouterr().out
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    with zipfile.ZipFile(folder / "qti.zip") as z:
        # the zip's own bytes carry the members' timestamps: compare what it holds
        files["qti.zip"] = b"".join(
            info.filename.encode() + b"\0" + z.read(info) for info in z.infolist()
        )
    return files


def _body(spec: bytes) -> str:
    """A spec file without its comments and title: the network and the claims alone."""
    return "\n".join(
        line
        for line in spec.decode().splitlines()
        if not line.startswith("#") and not line.startswith("title = ")
    )


def test_200_three_part_variants_rebuilt_byte_identically_and_differ_from_another_seed(
    tmp_path, capsys
):
    a = _build(tmp_path / "a", 2026, capsys)
    b = _build(tmp_path / "b", 2026, capsys)
    c = _build(tmp_path / "c", 2027, capsys)
    specs = sorted(name for name in a if name.startswith("variant-"))
    assert len(specs) == 200
    assert {"moodle.xml", "qti.zip", "variants.json"} <= set(a)
    assert sorted(a) == sorted(b)
    for name in a:  # every spec file and export file, byte for byte
        assert a[name] == b[name], name
    # no duplicate: neither by the canonical hash nor by the network and claims themselves
    hashes = [a[n].decode().splitlines()[0].rsplit("sha256 = ", 1)[1] for n in specs]
    assert len(set(hashes)) == 200
    assert len({_body(a[n]) for n in specs}) == 200
    for name in specs:  # each an ordinary spec file with the three parts, in order
        claims = tomllib.loads(a[name].decode())["claims"]
        assert ["forall" in c or c["input"][0] == "t" for c in claims] == [False, True, True]
        assert "forall" in claims[1] and claims[2]["input"][0] == "t"
    # another seed: other variants (a coincidence of a few is possible, not of many)
    other = {_body(c[n]) for n in c if n.startswith("variant-")}
    assert len(other) == 200
    assert len(other & {_body(a[n]) for n in specs}) <= 2
    assert a["moodle.xml"] != c["moodle.xml"] and a["qti.zip"] != c["qti.zip"]
