"""Learning platforms: Moodle XML (cloze) and QTI 1.2 items of variants (docs/variants.md).

The XML is built with :mod:`xml.etree.ElementTree`, so every text is escaped for XML; user text
(the template's title) is escaped again for HTML, for Moodle's cloze parser (``{ } ~ # \\``)
and kept away from MathJax (``\\(`` in a title is shown literally).  Every numeric answer is
exact: an integer as one field with tolerance ``0``, a rational as a numerator field and a
denominator field (lowest terms, positive denominator, said in the question).  Every numeric
field gets one extra 0-credit alternative of a fixed width, so that Moodle's field width
(the longest alternative) does not leak the answer.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from fractions import Fraction
from typing import Any

from symresnet.claims.variants import Part, Template, Variant

__all__ = ["moodle_xml", "part_answers", "qti_items"]

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_CLOZE_SPECIAL = {
    "{": "&#123;",
    "}": "&#125;",
    "~": "&#126;",
    "#": "&#35;",
    "\\": "&#92;",
    "$": "&#36;",
}


def user_text(text: str) -> str:
    """User text as HTML that neither Moodle's cloze parser nor MathJax reads as markup."""
    out = html.escape(text, quote=True)
    return "".join(_CLOZE_SPECIAL.get(ch, ch) for ch in out)


def _q(v: Fraction) -> str:
    return (
        str(v.numerator) if v.denominator == 1 else rf"\tfrac{{{v.numerator}}}{{{v.denominator}}}"
    )


def _vec(xs) -> str:
    return r"\begin{pmatrix}" + r"\\".join(_q(x) for x in xs) + r"\end{pmatrix}"


def _mat(m) -> str:
    return (
        r"\begin{pmatrix}"
        + r"\\".join("&".join(_q(e) for e in row) for row in m)
        + r"\end{pmatrix}"
    )


def _network_html(t: Template, v: Variant) -> str:
    W, B, S = v.net
    rows = [
        f"<p>Let \\(a\\) be the {user_text(t.activation)} activation, "
        f"\\(L = {len(W)}\\), \\((l_0, \\dots, l_L) = ({', '.join(map(str, t.dims))})\\), and</p>"
    ]
    for k, (w, b) in enumerate(zip(W, B, strict=True), start=1):
        rows.append(f"<p>\\(W_{{{k}}} = {_mat(w)},\\quad B_{{{k}}} = {_vec(b)}\\)</p>")
    for r, k, V in S:
        rows.append(f"<p>\\(V_{{{r},{k}}} = {_mat(V)}\\)</p>")
    rows.append(
        "<p>Write \\(R = \\mathcal{R}^{\\mathbb{R}}_a(\\Phi, V)\\) for the realization "
        "of this ResNet (Def. 1.5.4). Give every number exactly"
        + (
            ", as a fraction in lowest terms with a positive denominator.</p>"
            if two_fields(t)
            else ".</p>"
        )
    )
    return "\n".join(rows)


_REL = {"equals": "=", "at_most": r"\le", "at_least": r"\ge"}


def _statement(p: Part) -> str:
    rel = _REL[p.relation]
    if p.kind == "point":
        return f"\\(R({', '.join(_q(x) for x in p.input)}) {rel} {_q(p.claimed)}\\)"
    if p.kind == "box":
        box = r" \times ".join(f"[{_q(a)}, {_q(b)}]" for a, b in p.box)
        return f"\\(R(x) {rel} {_q(p.claimed)}\\) for all \\(x \\in {box}\\)"
    ((lo, hi),) = p.box
    args = ", ".join(["t", *(_q(x) for x in p.input)])
    return f"\\(R({args}) {rel} {_q(p.claimed)}\\) for all \\(t \\in [{_q(lo)}, {_q(hi)}]\\)"


def _asked(p: Part) -> str:
    if p.kind == "point":
        return f"\\(R({', '.join(_q(x) for x in p.input)})\\)"
    side = r"\max" if p.relation == "at_most" else r"\min"
    if p.kind == "box":
        return rf"\({side}_{{x}} R(x)\) over the box"
    return rf"\({side}_{{t}} R(t, \dots)\) over \(t\)"


def part_answers(p: Part) -> dict[str, Any]:
    """What is asked of a part: the verdict and the exact value."""
    return {"holds": p.holds, "value": p.value}


def _numerical(answer: int, width: int) -> str:
    """One exact NUMERICAL field; its 0-credit padding alternative has ``width`` characters
    and the other sign than the answer, so it is never the answer and every field of an
    export is equally wide."""
    pad = "9" * width if answer < 0 else "-" + "9" * (width - 1)
    return f"{{1:NUMERICAL:={answer}:0~%0%{pad}:0}}"


def _value_fields(value: Fraction, fractions: bool, width: int) -> str:
    if not fractions:
        return _numerical(value.numerator, width)
    return (
        f"numerator {_numerical(value.numerator, width)} / denominator "
        f"{_numerical(value.denominator, width)}"
    )


def two_fields(t: Template) -> bool:
    """Numerator and denominator fields for every value (by the template, not by the value,
    so that the number of fields does not leak whether a value is an integer)."""
    return t.fractions or not t.integer_outputs


def field_width(variants: list[Variant]) -> int:
    """One width for every numeric field of an export: longer than every answer."""
    longest = max(
        (
            len(str(x))
            for v in variants
            for p in v.parts
            for x in (p.value.numerator, p.value.denominator)
        ),
        default=1,
    )
    return max(8, longest + 2)


def cloze_text(t: Template, v: Variant, width: int) -> str:
    """The question text of one variant: the network, then per part a true/false field and
    the exact value's field(s)."""
    out = [_network_html(t, v), '<ol type="a">']
    fractions = two_fields(t)
    for p in v.parts:
        mc = "{1:MULTICHOICE:=true~false}" if p.holds else "{1:MULTICHOICE:true~=false}"
        out.append(
            f"<li>Prove or disprove: {_statement(p)}. The claim is {mc}. "
            f"{_asked(p)} \\(=\\) {_value_fields(p.value, fractions, width)}</li>"
        )
    out.append("</ol>")
    return "\n".join(out)


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    ET.SubElement(el, "text").text = text
    return el


def moodle_xml(t: Template, variants: list[Variant], *, category: str | None = None) -> bytes:
    """Moodle XML: one category (the sheet: the template and seed), one cloze question per
    variant."""
    quiz = ET.Element("quiz")
    width = field_width(variants)
    seed = variants[0].seed if variants else 0
    cat = ET.SubElement(quiz, "question", type="category")
    name = category or f"{t.title} (seed {seed})"
    _text(cat, "category", "$course$/top/symresnet/" + name.replace("/", "-"))
    for v in variants:
        q = ET.SubElement(quiz, "question", type="cloze")
        _text(q, "name", f"{t.title} ({v.seed}:{v.index})")
        _text(q, "questiontext", cloze_text(t, v, width), format="html")
        feedback = "".join(
            f"<p>({_LETTERS[i]}) {'true' if p.holds else 'false: ' + user_text(p.mistake or '')}"
            f", value {p.value}</p>"
            for i, p in enumerate(v.parts)
        )
        _text(q, "generalfeedback", feedback, format="html")
        ET.SubElement(q, "penalty").text = "0.3333333"
        ET.SubElement(q, "hidden").text = "0"
        ET.SubElement(q, "idnumber").text = f"symresnet-{v.seed}-{v.index}"
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8") + b"\n"


# -- QTI 1.2 ----------------------------------------------------------------------------------


def _mattext(parent: ET.Element, text: str) -> None:
    mat = ET.SubElement(parent, "material")
    ET.SubElement(mat, "mattext", texttype="text/html").text = text


def _response_str(pres: ET.Element, ident: str) -> None:
    r = ET.SubElement(pres, "response_str", ident=ident, rcardinality="Single")
    ET.SubElement(r, "render_fib", fibtype="Integer", prompt="Box", columns="12")


def _response_tf(pres: ET.Element, ident: str) -> None:
    r = ET.SubElement(pres, "response_lid", ident=ident, rcardinality="Single")
    rc = ET.SubElement(r, "render_choice", shuffle="No")
    for label in ("true", "false"):
        lab = ET.SubElement(rc, "response_label", ident=label)
        _mattext(lab, label)


def _condition(proc: ET.Element, ident: str, answer: str, numeric: bool, points: str) -> None:
    cond = ET.SubElement(proc, "respcondition", {"continue": "Yes"})
    var = ET.SubElement(cond, "conditionvar")
    del numeric  # QTI 1.2 compares strings: the integer fields hold the exact digits
    ET.SubElement(var, "varequal", respident=ident, case="No").text = answer
    ET.SubElement(cond, "setvar", action="Add", varname="SCORE").text = points


def qti_items(t: Template, variants: list[Variant]) -> bytes:
    """A QTI 1.2 ``questestinterop`` document: one assessment (the sheet), one item per
    variant with, per part, a true/false choice and integer fields for the exact value (its
    numerator and denominator when the template allows fractions, else the integer alone)."""
    root = ET.Element("questestinterop")
    seed = variants[0].seed if variants else 0
    asmt = ET.SubElement(
        root, "assessment", ident=f"symresnet-{seed}", title=f"{t.title} (seed {seed})"
    )
    section = ET.SubElement(asmt, "section", ident="root_section")
    fractions = two_fields(t)  # by the template, as in Moodle: the fields tell nothing
    for v in variants:
        item = ET.SubElement(
            section,
            "item",
            ident=f"symresnet-{v.seed}-{v.index}",
            title=f"{t.title} ({v.seed}:{v.index})",
        )
        pres = ET.SubElement(item, "presentation")
        _mattext(pres, _network_html(t, v))
        proc = ET.SubElement(item, "resprocessing")
        out = ET.SubElement(proc, "outcomes")
        ET.SubElement(
            out,
            "decvar",
            varname="SCORE",
            vartype="Decimal",
            minvalue="0",
            maxvalue=str((3 if fractions else 2) * len(v.parts)),
        )
        for i, p in enumerate(v.parts):
            letter = _LETTERS[i]
            _mattext(pres, f"<p>({letter}) Prove or disprove: {_statement(p)}.</p>")
            _response_tf(pres, f"{letter}_verdict")
            _mattext(pres, f"<p>{_asked(p)}: {'numerator' if fractions else 'value'}</p>")
            _response_str(pres, f"{letter}_num")
            if fractions:
                _mattext(pres, "<p>denominator (positive, lowest terms)</p>")
                _response_str(pres, f"{letter}_den")
            _condition(proc, f"{letter}_verdict", "true" if p.holds else "false", False, "1")
            _condition(proc, f"{letter}_num", str(p.value.numerator), True, "1")
            if fractions:
                _condition(proc, f"{letter}_den", str(p.value.denominator), True, "1")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def qti_manifest(identifier: str, resource_file: str) -> bytes:
    """The IMS content package manifest of a QTI 1.2 zip."""
    ns = "http://www.imsglobal.org/xsd/imscp_v1p1"
    m = ET.Element("manifest", identifier=identifier, xmlns=ns)
    md = ET.SubElement(m, "metadata")
    ET.SubElement(md, "schema").text = "IMS Content"
    ET.SubElement(md, "schemaversion").text = "1.1.3"
    ET.SubElement(m, "organizations")
    res = ET.SubElement(m, "resources")
    r = ET.SubElement(
        res, "resource", identifier=identifier + "-res", type="imsqti_xmlv1p2", href=resource_file
    )
    ET.SubElement(r, "file", href=resource_file)
    ET.indent(m)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(m, encoding="utf-8") + b"\n"
