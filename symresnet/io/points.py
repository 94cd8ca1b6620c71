"""Files of points for ``symresnet eval SPEC --points FILE``: read them, write the outputs.

Two formats, chosen by the file's extension (``--format`` overrides; standard input ``-`` is
CSV unless told otherwise), and the output is written in the same format, one row per input row:

* **CSV** (``.csv``, ``.txt``): a row holds the ``l_0`` entries of one input ``x_0``, each an
  exact value as in a spec (``-1``, ``3/7``, ``0.25``, ``2*a`` with a declared parameter).
  Blank lines and lines starting with ``#`` are skipped.  Output: a row with the ``l_L``
  entries of ``x_L`` (``-7``, ``3/7``), in the input's order.
* **JSON lines** (``.jsonl``, ``.ndjson``): each line an array of entries, an object with an
  ``"input"`` array, or (when ``l_0 = 1``) a single entry.  Numbers are read from their text,
  so ``0.1`` is ``1/10``.  Output: ``{"schema": 1, "input": [...], "output": [...]}`` per line,
  numbers as exact strings.

Errors name the file, the line and the entry: ``pts.csv: line 3, entry 2: ...``.

The file is **streamed**: :func:`iter_points` reads it line by line, ``eval --points`` cuts it
into blocks of :data:`BLOCK_POINTS` points, realizes each block with
:func:`~symresnet.compute.batch.realize_many` and writes its rows before reading on, so memory
stays flat however long the file is (the time limit bounds the run).  Nothing is written
before the first block has been read and computed, so a bad line among the first
:data:`BLOCK_POINTS` points gives an error and no output; a bad line later leaves the rows
before it on standard output (``-o FILE`` is written atomically: the file appears only when
every row is done).  One line may hold at most ``l_0`` entries of
``Limits.max_text_length`` characters (and some room for separators), and a JSON line may
nest at most :data:`MAX_NESTING` levels: a point needs one or two.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import sympy

from symresnet.base.errors import InputError, LimitError
from symresnet.base.files import open_atomic
from symresnet.compute.batch import Outputs, Value, point_values, realize_many, string
from symresnet.compute.workers import Progress, check_workers
from symresnet.values.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "BLOCK_POINTS",
    "FORMATS",
    "MAX_NESTING",
    "Points",
    "format_of",
    "iter_points",
    "read_points",
    "write_outputs",
    "write_rows",
]

FORMATS = ("csv", "jsonl")
_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: points realized and written at a time (the file is streamed in blocks of this many)
BLOCK_POINTS = 50_000
#: nesting of one JSON line, checked on the raw text before decoding (``[1, 2]`` is one
#: level, ``{"input": [1, 2]}`` two; Python's decoder recurses once per level)
MAX_NESTING = 16
#: characters of one line besides its entries (separators, spaces, ``{"input": ...}``)
LINE_SLACK = 1024
#: a JSON string, for the nesting check (brackets inside strings do not nest)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


class PointFileError(InputError):
    """A points file is malformed (not CSV / JSON lines, a row of the wrong length, ...)."""


@dataclass(frozen=True)
class Points:
    """The points of a file: ``values[i]`` is the input on line ``lines[i]``."""

    source: str
    format: str
    values: tuple[tuple[Value, ...], ...]
    lines: tuple[int, ...]


def format_of(path: str, given: str | None = None) -> str:
    """The format of ``path``: ``given`` if set, else by extension (``-``: CSV)."""
    if given:
        return given
    if path == "-":
        return "csv"
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise PointFileError(
            f"cannot tell the format of {path!r} from its extension",
            place="--points",
            hint="name it .csv or .jsonl, or pass --format csv|jsonl",
        )
    return fmt


@contextlib.contextmanager
def _opened(path: str, stdin: TextIO | None) -> Iterator[TextIO]:
    if path == "-":
        yield stdin or sys.stdin
        return
    try:
        f = open(path, encoding="utf-8-sig")  # noqa: SIM115 (closed below)
    except OSError as err:
        raise PointFileError(f"cannot read the points file: {err.strerror}", file=path) from None
    with f:
        yield f


def _lines(f: TextIO, max_line: int) -> Iterator[str]:
    """The lines of ``f`` (without their newline), each read with at most ``max_line + 1``
    characters so that a file without newlines is never read whole."""
    for number in itertools.count(1):
        try:
            line = f.readline(max_line + 1)
        except UnicodeDecodeError:
            raise PointFileError(
                "the points file is not UTF-8 text", place=f"line {number}"
            ) from None
        if not line:
            return
        line = line[:-1] if line.endswith("\n") else line
        if len(line) > max_line:
            raise LimitError(
                f"the line is longer than {max_line} characters, more than l_0 entries of "
                "Limits.max_text_length characters each",
                place=f"line {number}",
                hint="one point per line",
            )
        yield line


def _csv_rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines)
    try:
        for row in reader:
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            yield reader.line_num, [cell.strip() for cell in row]
    except csv.Error as err:
        raise PointFileError(f"not CSV: {err}", place=f"line {reader.line_num}") from None


def _nesting(line: str) -> int:
    """How deep the arrays and objects of a JSON line nest (an upper bound: brackets inside
    strings are left out; an unterminated string's brackets count)."""
    if line.count("[") + line.count("{") <= MAX_NESTING:
        return 0  # cannot nest deeper than it has brackets
    depth = deepest = 0
    for ch in _JSON_STRING.sub("", line):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _json_entries(line: str) -> list[object]:
    value = json.loads(line, parse_float=str, parse_int=str, parse_constant=_no_constant)
    if isinstance(value, dict):
        if "input" not in value:
            raise ValueError('an object needs an "input" array')
        value = value["input"]
    return value if isinstance(value, list) else [value]


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not an exact number")


def _jsonl_rows(lines: Iterable[str]) -> Iterator[tuple[int, list[object]]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        deepest = _nesting(line)
        if deepest > MAX_NESTING:
            raise PointFileError(
                f"the JSON nests {deepest} levels deep, more than {MAX_NESTING}: a point is "
                'one array or an object with an "input" array, like [1, 2] or {"input": [1, 2]}',
                place=f"line {number}",
            )
        try:
            yield number, _json_entries(line)
        except ValueError as err:  # json.JSONDecodeError is a ValueError
            message = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            raise PointFileError(f"not a JSON line: {message}", place=f"line {number}") from None


def iter_points(
    path: str,
    dim: int,
    *,
    format: str | None = None,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    stdin: TextIO | None = None,
) -> Iterator[tuple[int, tuple[Value, ...]]]:
    """``(line, x_0)`` for each input (``l_0 = dim`` entries) of a points file, read as a
    stream (``-`` is stdin); errors name the file and the line."""
    fmt = format_of(path, format)
    source = "<stdin>" if path == "-" else path
    max_line = dim * (limits.max_text_length + 4) + LINE_SLACK
    try:
        with _opened(path, stdin) as f:
            lines = _lines(f, max_line)
            rows = _csv_rows(lines) if fmt == "csv" else _jsonl_rows(lines)
            for number, entries in rows:
                point = point_values(
                    entries,
                    dim,
                    names=names,
                    limits=limits,
                    place=f"line {number}",
                    entry_place="{place}, entry {i}",
                )
                yield number, tuple(point)
    except InputError as err:
        raise err.located(file=source) from None


def read_points(
    path: str,
    dim: int,
    *,
    format: str | None = None,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    stdin: TextIO | None = None,
) -> Points:
    """Read all the inputs of a points file at once (:func:`iter_points` streams them)."""
    fmt = format_of(path, format)
    source = "<stdin>" if path == "-" else path
    rows = list(iter_points(path, dim, format=fmt, names=names, limits=limits, stdin=stdin))
    if not rows:
        raise PointFileError("the points file has no points", file=source)
    return Points(source, fmt, tuple(v for _, v in rows), tuple(n for n, _ in rows))


def write_rows(
    out: TextIO, fmt: str, inputs: Iterable[tuple[Value, ...]], outputs: Outputs
) -> None:
    """One output row per input, in ``fmt`` (``csv``: the outputs; ``jsonl``: a record with
    the input and the output)."""
    buffer = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(buffer, lineterminator="\n")
        for j in range(len(outputs)):
            writer.writerow(outputs.strings(j))
    else:
        for j, point in enumerate(inputs):
            record = {"schema": 1, "input": [string(v) for v in point]}
            record["output"] = outputs.strings(j)
            buffer.write(json.dumps(record) + "\n")
    out.write(buffer.getvalue())


def write_outputs(
    out: TextIO, points: Points, outputs: Outputs, *, format: str | None = None
) -> None:
    """One output row per input row, in ``format`` (default: the input's)."""
    write_rows(out, format or points.format, points.values, outputs)


def _same_file(a: str, b: str) -> bool:
    """``a`` and ``b`` name one existing file (also through links or another spelling)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _blocks(
    rows: Iterator[tuple[int, tuple[Value, ...]]], size: int
) -> Iterator[list[tuple[Value, ...]]]:
    while block := [point for _, point in itertools.islice(rows, size)]:
        yield block


def eval_points(spec: Any, args: argparse.Namespace) -> int:
    """``symresnet eval SPEC --points FILE``: realize every input (Def. 1.5.4) with
    :func:`~symresnet.compute.batch.realize_many`, block by block, and write one output row
    per input row as each block is done (memory stays flat, results stay in order)."""
    if args.points == "-" and getattr(spec, "source", None) in ("-", "<stdin>"):
        raise PointFileError(
            "the spec and the points cannot both come from stdin", place="--points"
        )
    workers = check_workers(args.workers)
    network = spec.network
    if args.output and args.points != "-" and _same_file(args.points, args.output):
        raise PointFileError(
            "the output would overwrite the points file; choose another -o FILE", file=args.output
        )
    fmt_in = format_of(args.points, args.format)
    rows = iter_points(args.points, network.dims[0], format=fmt_in, names=spec.names)
    blocks = _blocks(rows, BLOCK_POINTS)
    first = next(blocks, None)  # read (and checked) before anything is written
    if first is None:
        source = "<stdin>" if args.points == "-" else args.points
        raise PointFileError("the points file has no points", file=source)
    fmt = "jsonl" if args.json else fmt_in
    bar = Progress(None, enabled=True if args.progress else None)

    def write_all(out: TextIO) -> None:
        for block in itertools.chain([first], blocks):
            batch = realize_many(
                network,
                block,
                names=spec.names,
                workers=workers,
                scheduler=args.scheduler,
                progress=bar,
            )
            write_rows(out, fmt, batch.inputs, batch.outputs)

    try:
        if args.output:
            try:
                with open_atomic(args.output) as out:  # never a half-written output file
                    write_all(out)
            except OSError as err:
                raise PointFileError(f"cannot write: {err.strerror}", file=args.output) from None
        else:
            write_all(sys.stdout)
    finally:
        bar.close()
    return 0
