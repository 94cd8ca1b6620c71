"""Point files of ``eval --points``: streamed, nesting checked before decoding, ASCII digits.

Expected outputs come from tests/reference.py (plain Fractions) with Exercise 1.5.1's network
written out again here, never from symresnet.
"""

from __future__ import annotations

import io
import json
import os
import random
from fractions import Fraction

import pytest
import reference as ref

from symresnet.base.errors import InputError, LimitError
from symresnet.cli.main import main
from symresnet.io import points as points_module
from symresnet.io.points import MAX_NESTING, iter_points, read_points

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXERCISE = os.path.join(ROOT, "symresnet/examples/exercise-1.5.1.toml")

# Exercise 1.5.1, (1.158)-(1.160), by hand
_F = Fraction
W = [
    [[_F(1)], [_F(2)]],
    [[_F(-1), _F(2)], [_F(3), _F(-4)], [_F(-5), _F(6)]],
    [[_F(-1), _F(1), _F(-1)]],
]
B = [[_F(3), _F(4)], [_F(0)] * 3, [_F(-4)]]
SKIPS = {(0, 3): [[_F(1)]], (1, 3): [[_F(3), _F(-2)]]}


def _expected(x: Fraction) -> str:
    return str(ref.realization(W, B, SKIPS, ref.relu, [x])[-1][0])


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- nesting -----------------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_before_decoding(tmp_path, capsys):
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[-1]\n" + "[" * 5000 + "1" + "]" * 5000 + "\n")
    code, out, err = _run(capsys, "eval", EXERCISE, "--points", str(deep))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert f"deep.jsonl: line 2: the JSON nests 5000 levels deep, more than {MAX_NESTING}" in err


def test_nesting_just_above_the_limit_is_refused_and_at_it_reaches_the_reader(tmp_path):
    over = tmp_path / "over.jsonl"
    over.write_text("[" * (MAX_NESTING + 1) + "1" + "]" * (MAX_NESTING + 1) + "\n")
    with pytest.raises(InputError, match=f"nests {MAX_NESTING + 1} levels deep"):
        read_points(str(over), 1)
    at = tmp_path / "at.jsonl"
    at.write_text("[" * MAX_NESTING + "1" + "]" * MAX_NESTING + "\n")
    with pytest.raises(InputError, match="line 1") as info:  # decoded: a list is no number
        read_points(str(at), 1)
    assert "nests" not in str(info.value)


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"input": ["1/2"], "note": "' + "[" * 100 + '"}\n')
    got = read_points(str(path), 1)
    assert [str(v) for (v,) in got.values] == ["1/2"]


# -- digits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "at"),
    [
        ("b.jsonl", '["\u09ea"]\n', "\u09ea"),
        ("b.csv", "\u09ea\n", "\u09ea"),
        ("f.csv", "1/\uff12\n", "1/\uff12"),
    ],
    ids=["bengali-jsonl", "bengali-csv", "fullwidth-denominator"],
)
def test_non_ascii_digits_are_refused_like_at(tmp_path, capsys, name, text, at):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "eval", EXERCISE, "--points", str(path))
    assert (code, out) == (2, "")
    assert f"{name}: line 1, entry 1:" in err
    assert "is not a digit symresnet reads: numbers use the ASCII digits 0-9" in err
    code, _, at_err = _run(capsys, "eval", EXERCISE, "--at", at)
    assert code == 2
    # the same message as --at, after the place
    assert err.split("entry 1: ", 1)[1] == at_err.split("--at[1]: ", 1)[1]


# -- lines -------------------------------------------------------------------------------------


def test_a_line_longer_than_its_entries_allow_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("1" * 200_000)  # no newline at all
    with pytest.raises(
        LimitError, match=r"long\.csv: line 1: the line is longer than 11028 characters"
    ):
        read_points(str(path), 1)


# -- streaming ---------------------------------------------------------------------------------


class _Lines(io.TextIOBase):
    """A text stream of ``count`` CSV points that records how much output was written when
    each line was read."""

    def __init__(self, values: list[Fraction], out: io.StringIO):
        self.values, self.out, self.read = values, out, 0
        self.seen: list[int] = []  # output lines written when line i was read

    def readline(self, size: int = -1) -> str:  # type: ignore[override]
        if self.read == len(self.values):
            return ""
        self.seen.append(self.out.getvalue().count("\n"))
        value = self.values[self.read]
        self.read += 1
        return f"{value}\n"


def test_rows_are_written_while_the_file_is_still_being_read(monkeypatch, capsys):
    monkeypatch.setattr(points_module, "BLOCK_POINTS", 4)
    rng = random.Random(7)
    values = [Fraction(rng.randint(-50, 50), rng.randint(1, 9)) for _ in range(23)]
    out = io.StringIO()
    stream = _Lines(values, out)
    monkeypatch.setattr("sys.stdin", stream)
    monkeypatch.setattr("sys.stdout", out)
    assert main(["eval", EXERCISE, "--points", "-"]) == 0
    assert out.getvalue().splitlines() == [_expected(v) for v in values]  # all, in order
    # when line 9 (index 8) was read, the first two blocks of 4 had been written
    assert stream.seen[8] == 8
    assert stream.seen[4] == 4 and stream.seen[3] == 0


def test_streamed_output_matches_the_reference_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(points_module, "BLOCK_POINTS", 5)
    rng = random.Random(3)
    values = [Fraction(rng.randint(-30, 30), rng.randint(1, 6)) for _ in range(37)]
    source = tmp_path / "p.jsonl"
    source.write_text("".join(json.dumps([str(v)]) + "\n" for v in values))
    target = tmp_path / "out.jsonl"
    assert main(["eval", EXERCISE, "--points", str(source), "-o", str(target)]) == 0
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert rows == [{"schema": 1, "input": [str(v)], "output": [_expected(v)]} for v in values]


def test_an_error_in_a_later_block_leaves_no_output_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(points_module, "BLOCK_POINTS", 2)
    source = tmp_path / "p.csv"
    source.write_text("1\n2\n3\n1/0\n")
    target = tmp_path / "out.csv"
    code, out, err = _run(capsys, "eval", EXERCISE, "--points", str(source), "-o", str(target))
    assert (code, out) == (2, "")
    assert "p.csv: line 4, entry 1: division by zero" in err
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["p.csv"]  # no temporary file left


def test_iter_points_is_lazy(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("1\n2\n1/0\n")
    rows = iter_points(str(path), 1)
    assert [str(v) for _, (v,) in [next(rows), next(rows)]] == ["1", "2"]  # line 3 unread
    with pytest.raises(InputError, match="line 3"):
        next(rows)
