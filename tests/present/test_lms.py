"""Moodle XML and QTI 1.2 exports of variants, parsed back: the structure rules of
docs/variants.md hold, and every exported answer equals the exact value computed here with
Fractions (tests/reference.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction

import reference as ref

from symresnet.claims.variants import Template, draw_variants
from symresnet.io.variants import write_exports
from symresnet.present.lms import cloze_text, user_text

T = Template(
    title="Sheet <1> & {1:NUMERICAL:=3} \\(x\\)",
    dims=(2, 3, 3, 1),
    skips=((0, 2),),
    parts=("point", "point", "point"),
)
TF = Template(dims=(2, 3, 3, 1), skips=((0, 2),), parts=("point", "point"), fractions=True)

# Moodle's own grammar of an embedded answer (question/type/multianswer, ANSWER_REGEX), cut
# down to the two types we write
NUMBER = r"-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?"
NUMERICAL = re.compile(r"\{1:NUMERICAL:=(" + NUMBER + r"):0~%0%(" + NUMBER + r"):0\}")
MULTICHOICE = re.compile(r"\{1:MULTICHOICE:(=true~false|true~=false)\}")
ANY_FIELD = re.compile(r"\{[0-9]*:[A-Z_]+:")


def _R(v, x):
    W, B, S = v.net
    W = [[list(r) for r in m] for m in W]
    B = [list(b) for b in B]
    S = {(r, k): [list(row) for row in V] for r, k, V in S}
    return ref.realization(W, B, S, ref.relu, list(x))[-1][0]


def test_moodle_xml_parses_back_to_the_exact_answers(tmp_path):
    variants, _ = draw_variants(T, count=15, seed=4)
    moodle, _ = write_exports(T, variants, tmp_path)
    root = ET.parse(moodle).getroot()
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    category = questions[0].findtext("category/text")
    assert category.startswith("$course$/top/symresnet/")
    cloze = questions[1:]
    assert len(cloze) == len(variants) and all(q.get("type") == "cloze" for q in cloze)
    widths = set()
    for q, v in zip(cloze, variants, strict=True):
        text = q.findtext("questiontext/text")
        assert q.find("questiontext").get("format") == "html"
        assert "<1>" not in text and "{1:NUMERICAL:=3}" not in text  # the title is not in it
        assert len(ANY_FIELD.findall(text)) == 2 * len(v.parts)  # nothing but our fields
        numbers = NUMERICAL.findall(text)
        choices = MULTICHOICE.findall(text)
        assert len(numbers) == len(choices) == len(v.parts)
        for p, (answer, pad), choice in zip(v.parts, numbers, choices, strict=True):
            exact = _R(v, p.input)
            assert Fraction(answer) == exact
            assert (choice == "=true~false") == (p.claimed == exact)
            assert pad != answer and len(pad) >= len(answer)
            widths.add(len(pad))
        assert "\\(" in text and "\\)" in text
    assert len(widths) == 1  # one field width for all: it does not tell the answer's length


def test_fractions_get_numerator_and_denominator_fields():
    variants, _ = draw_variants(TF, count=5, seed=2)
    for v in variants:
        numbers = NUMERICAL.findall(cloze_text(TF, v, 8))
        assert len(numbers) == 2 * len(v.parts)
        for p, (num, _), (den, _) in zip(v.parts, numbers[::2], numbers[1::2], strict=True):
            assert int(den) > 0
            assert Fraction(int(num), int(den)) == _R(v, p.input)


def test_user_text_is_escaped_for_cloze_and_mathjax():
    out = user_text("{1:NUMERICAL:=3} \\(x\\) <b>&")
    assert "{" not in out and "}" not in out and "\\" not in out and "<" not in out
    assert "&amp;" in out


def test_qti_zip_is_importable_and_its_answers_exact(tmp_path):
    variants, _ = draw_variants(T, count=10, seed=9)
    _, qti = write_exports(T, variants, tmp_path)
    with zipfile.ZipFile(qti) as z:
        names = set(z.namelist())
        assert "imsmanifest.xml" in names
        manifest = ET.fromstring(z.read("imsmanifest.xml"))
        ns = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
        resources = manifest.findall(f"{ns}resources/{ns}resource")
        assert resources and all(r.get("type") == "imsqti_xmlv1p2" for r in resources)
        assert all(r.get("href") in names for r in resources)
        items_xml = ET.fromstring(z.read(resources[0].get("href")))
    assert items_xml.tag == "questestinterop"
    items = items_xml.findall("assessment/section/item")
    assert len(items) == len(variants)
    for item, v in zip(items, variants, strict=True):
        idents = {r.get("ident") for r in item.iter() if r.tag in ("response_lid", "response_str")}
        answers = {
            c.find("conditionvar/varequal").get("respident"): c.findtext("conditionvar/varequal")
            for c in item.findall("resprocessing/respcondition")
        }
        assert set(answers) == idents  # every response is scored, nothing else
        for i, p in enumerate(v.parts):
            letter = "abc"[i]
            exact = _R(v, p.input)
            # an integer template: one integer field, no denominator whose answer is always 1
            assert f"{letter}_den" not in answers
            assert Fraction(int(answers[f"{letter}_num"])) == exact
            assert answers[f"{letter}_verdict"] == ("true" if p.claimed == exact else "false")


def test_the_exports_are_the_same_bytes_in_two_runs(tmp_path):
    variants, _ = draw_variants(T, count=3, seed=2)
    first = write_exports(T, variants, tmp_path / "one")
    second = write_exports(T, variants, tmp_path / "two")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(first[1]) as z:
        # no clock in the zip: a fixed date, fixed permissions
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in z.infolist()} == {0o644}
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())


def test_fraction_wording_and_denominators_only_when_fractions_are_on(tmp_path):
    variants, _ = draw_variants(TF, count=3, seed=5)
    _, qti = write_exports(TF, variants, tmp_path)
    with zipfile.ZipFile(qti) as z:
        items = ET.fromstring(z.read("items.xml")).findall("assessment/section/item")
    for item, v in zip(items, variants, strict=True):
        answers = {
            c.find("conditionvar/varequal").get("respident"): c.findtext("conditionvar/varequal")
            for c in item.findall("resprocessing/respcondition")
        }
        for i, p in enumerate(v.parts):
            num, den = int(answers[f"{'abc'[i]}_num"]), int(answers[f"{'abc'[i]}_den"])
            assert den > 0 and Fraction(num, den) == _R(v, p.input)
    assert "lowest terms" in cloze_text(TF, variants[0], 8)
    integers, _ = draw_variants(T, count=1, seed=5)
    text = cloze_text(T, integers[0], 8)
    assert "lowest terms" not in text and "denominator" not in text
