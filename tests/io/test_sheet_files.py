"""The files of sheets (symresnet.io.sheet_files): which files, and one sheet per variant of
``symresnet variants``, the same with one worker or two, the key's values against the Fraction
reference (tests/reference.py)."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
import reference as ref

from symresnet.base.errors import InputError
from symresnet.claims.variants import draw_variants
from symresnet.io.sheet_files import SheetFiles, write_variant_sheets
from symresnet.io.variants import template_from_data

TEMPLATE = {
    "title": "T",
    "dims": [1, 3, 3, 1],
    "skips": [[0, 2]],
    "parts": ["point", "box", "parameter"],
}


def test_which_files():
    folder = Path("d")
    assert [p.name for p in SheetFiles().paths(folder, "s")] == [
        "s-exercises.tex",
        "s-solutions.tex",
    ]
    assert [p.name for p in SheetFiles(combined=True, pdf=True, key=True).paths(folder, "s")] == [
        "s.tex",
        "s.pdf",
        "s-key.txt",
    ]
    assert [p.name for p in SheetFiles(solutions_only=True).paths(folder, "s")] == [
        "s-solutions.tex"
    ]
    with pytest.raises(InputError, match="exclude each other"):
        SheetFiles(combined=True, solutions_only=True)


def _R(v, x):
    W, B, S = v.net
    return ref.realization(W, B, {(r, k): V for r, k, V in S}, ref.relu, list(x))[-1][0]


def test_one_sheet_per_variant_alike_on_one_or_two_workers(tmp_path):
    t = template_from_data(TEMPLATE)
    variants, _ = draw_variants(t, count=3, seed=5)
    files = SheetFiles(key=True)
    one = write_variant_sheets(t, variants, tmp_path / "one", files, workers=1)
    two = write_variant_sheets(t, variants, tmp_path / "two", files, workers=2)
    names = [
        f"variant-{v.index:04d}-{w}"
        for v in variants
        for w in ("exercises.tex", "solutions.tex", "key.txt")
    ]
    assert [p.name for p in one] == names == [p.name for p in two]
    for a, b in zip(one, two, strict=True):
        assert a.read_text() == b.read_text()
    for v in variants:
        key = (tmp_path / "one" / f"variant-{v.index:04d}-key.txt").read_text().splitlines()
        lines = [line for line in key if line.startswith("1(")]
        assert len(lines) == 3
        point, box, _parameter = v.parts
        # (a): R(x_0) by the Fraction reference; the verdict as the generator drew it
        value = _R(v, point.input)
        x = ", ".join(str(e) for e in point.input)
        assert lines[0].startswith(f"1(a) R({x}) = {value}; claimed = {point.claimed}: ")
        verdict = "true" if value == point.claimed else "false"
        assert lines[0].endswith(": true") if verdict == "true" else ": false; " in lines[0]
        # (b): the extremum over the box is attained at the point the key names
        m = re.search(r"(max|min) R = (\S+) at x = \((\S+)\)", lines[1])
        assert m is not None
        side, extremum, at = m.group(1), Fraction(m.group(2)), Fraction(m.group(3))
        assert side == ("max" if box.relation == "at_most" else "min")
        assert _R(v, [at]) == extremum
        lo, hi = box.box[0]
        values = [_R(v, [lo + (hi - lo) * Fraction(i, 240)]) for i in range(241)]
        assert (max(values) <= extremum) if side == "max" else (min(values) >= extremum)
        exercises = (tmp_path / "one" / f"variant-{v.index:04d}-exercises.tex").read_text()
        assert "disproves" not in exercises and "Solution" not in exercises
        assert (
            f"Determine all $t \\in [{v.parts[2].box[0][0]}, {v.parts[2].box[0][1]}]$" in exercises
        )


#: the words of a mistake in a solution, back to its name and where it is made
MISTAKE_WORDS = [
    (r"the skip V_\{(\d+),(\d+)\} is dropped", "skip dropped"),
    (r"the bias B_\{(\d+)\} is dropped", "bias dropped"),
    (r"W_\{(\d+)\} is transposed", "W transposed"),
    (r"the activation is applied to the output layer too", "output layer activated"),
    (r"the activation of the hidden layers is forgotten", "activation forgotten"),
]


def _named(text):
    """``(claimed value, mistake, where)`` from "the claimed value v is what one gets when
    ..." in ``text`` (LaTeX's ``$`` dropped)."""
    text = text.replace("$", "")
    m = re.search(r"[Tt]he claimed value (\S+) is what one gets when (.*?)(?:\.(?:\\|\s|$)|$)", text)
    assert m is not None, text[-400:]
    for pattern, name in MISTAKE_WORDS:
        w = re.fullmatch(pattern, m.group(2))
        if w:
            return Fraction(m.group(1)), name, tuple(int(g) for g in w.groups())
    raise AssertionError(m.group(2))


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """The sheets of four variants with 1-D inputs (so the reference's extrema are exact)."""
    t = template_from_data({**TEMPLATE, "dims": [1, 3, 3, 3, 1], "skips": [[0, 2], [1, 4]]})
    variants, _ = draw_variants(t, count=4, seed=9)
    folder = tmp_path_factory.mktemp("sheets")
    write_variant_sheets(t, variants, folder, SheetFiles(key=True), workers=1)
    return variants, folder


def test_the_solution_and_the_key_name_the_mistake_of_a_false_part(sheets):
    variants, tmp_path = sheets
    false = 0
    for v in variants:
        W, B, S = v.net
        S = {(r, k): V for r, k, V in S}
        solutions = (tmp_path / f"variant-{v.index:04d}-solutions.tex").read_text()
        key = (tmp_path / f"variant-{v.index:04d}-key.txt").read_text()
        pieces = solutions.split(r"\textit{Solution of (")[1:]
        assert len(pieces) == len(v.parts)
        for letter, piece, p in zip("abc", pieces, v.parts, strict=True):
            line = next(line for line in key.splitlines() if line.startswith(f"1({letter})"))
            if p.holds:
                assert "what one gets" not in piece and "what one gets" not in line
                continue
            false += 1
            claimed, mistake, where = _named(piece)
            assert _named(line) == (claimed, mistake, where)
            student = ref.student_net(W, B, S, ref.relu, mistake, where)
            # the named mistake, recomputed here, gives the claimed value
            if p.kind == "point":
                got = student[4](ref.pre_activations(*student[:4], p.input)[-1][0])
            else:
                ((lo, hi),) = p.box
                low, high = ref.extrema_1d(*student, lo, hi, p.input)
                got = high if p.relation == "at_most" else low
            assert got == claimed == p.claimed
    assert false >= 3


def test_the_key_gives_the_value_asked_in_a_parameter_part(sheets):
    variants, folder = sheets
    for v in variants:
        W, B, S = v.net
        S = {(r, k): V for r, k, V in S}
        key = (folder / f"variant-{v.index:04d}-key.txt").read_text()
        line = next(line for line in key.splitlines() if line.startswith("1(c)"))
        p = v.parts[2]
        ((lo, hi),) = p.box
        low, high = ref.extrema_1d(W, B, S, ref.relu, lambda e: e, lo, hi, p.input)
        side, value = ("max", high) if p.relation == "at_most" else ("min", low)
        assert f"; {side}_t R(t) = {value}" in line, line
