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
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import sympy

from symresnet.base.errors import InputError, LimitError
from symresnet.base.files import write_atomic
from symresnet.compute.batch import Outputs, Value, point_values, realize_many, string
from symresnet.values.limits import DEFAULT_LIMITS, Limits

__all__ = ["FORMATS", "Points", "format_of", "read_points", "write_outputs"]

FORMATS = ("csv", "jsonl")
_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: bytes of one points file (a file is read whole; see docs/security.md for the other limits)
MAX_BYTES = 512 * 1024 * 1024


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


def _read_text(path: str, stdin: TextIO | None) -> str:
    if path == "-":
        return (stdin or sys.stdin).read()
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read(MAX_BYTES + 1)
    except OSError as err:
        raise PointFileError(f"cannot read the points file: {err.strerror}", file=path) from None
    except UnicodeDecodeError:
        raise PointFileError("the points file is not UTF-8 text", file=path) from None
    if len(text) > MAX_BYTES:
        raise LimitError(f"the points file exceeds {MAX_BYTES} bytes", file=path)
    return text


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(text.splitlines())
    try:
        for row in reader:
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            yield reader.line_num, [cell.strip() for cell in row]
    except csv.Error as err:
        raise PointFileError(f"not CSV: {err}", place=f"line {reader.line_num}") from None


def _json_entries(line: str) -> list[object]:
    value = json.loads(line, parse_float=str, parse_int=str, parse_constant=_no_constant)
    if isinstance(value, dict):
        if "input" not in value:
            raise ValueError('an object needs an "input" array')
        value = value["input"]
    return value if isinstance(value, list) else [value]


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not an exact number")


def _jsonl_rows(text: str) -> Iterator[tuple[int, list[object]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, _json_entries(line)
        except ValueError as err:  # json.JSONDecodeError is a ValueError
            message = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            raise PointFileError(f"not a JSON line: {message}", place=f"line {number}") from None


def read_points(
    path: str,
    dim: int,
    *,
    format: str | None = None,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    stdin: TextIO | None = None,
) -> Points:
    """Read the inputs (``l_0 = dim`` entries each) of a points file; ``-`` is stdin."""
    fmt = format_of(path, format)
    source = "<stdin>" if path == "-" else path
    text = _read_text(path, stdin)
    rows = _csv_rows(text) if fmt == "csv" else _jsonl_rows(text)
    values, lines = [], []
    try:
        for number, entries in rows:
            values.append(
                tuple(
                    point_values(
                        entries,
                        dim,
                        names=names,
                        limits=limits,
                        place=f"line {number}",
                        entry_place="{place}, entry {i}",
                    )
                )
            )
            lines.append(number)
    except InputError as err:
        raise err.located(file=source) from None
    if not values:
        raise PointFileError("the points file has no points", file=source)
    return Points(source, fmt, tuple(values), tuple(lines))


def write_outputs(
    out: TextIO, points: Points, outputs: Outputs, *, format: str | None = None
) -> None:
    """One output row per input row, in ``format`` (default: the input's)."""
    fmt = format or points.format
    buffer = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(buffer, lineterminator="\n")
        for j in range(len(outputs)):
            writer.writerow(outputs.strings(j))
    else:
        for j, inputs in enumerate(points.values):
            record = {"schema": 1, "input": [string(v) for v in inputs]}
            record["output"] = outputs.strings(j)
            buffer.write(json.dumps(record) + "\n")
    out.write(buffer.getvalue())


def _same_file(a: str, b: str) -> bool:
    """``a`` and ``b`` name one existing file (also through links or another spelling)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def eval_points(spec: Any, args: argparse.Namespace) -> int:
    """``symresnet eval SPEC --points FILE``: realize every input (Def. 1.5.4) with
    :func:`~symresnet.compute.batch.realize_many`, write one output row per input row."""
    if args.points == "-" and getattr(spec, "source", None) in ("-", "<stdin>"):
        raise PointFileError(
            "the spec and the points cannot both come from stdin", place="--points"
        )
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}", place="--workers")
    network = spec.network
    if args.output and args.points != "-" and _same_file(args.points, args.output):
        raise PointFileError(
            "the output would overwrite the points file; choose another -o FILE", file=args.output
        )
    points = read_points(args.points, network.dims[0], format=args.format, names=spec.names)
    batch = realize_many(
        network,
        points.values,
        names=spec.names,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=True if args.progress else None,
    )
    fmt = "jsonl" if args.json else points.format
    if args.output:
        try:
            out = io.StringIO()
            write_outputs(out, points, batch.outputs, format=fmt)
            write_atomic(args.output, out.getvalue())  # never a half-written output file
        except OSError as err:
            raise PointFileError(f"cannot write: {err.strerror}", file=args.output) from None
    else:
        write_outputs(sys.stdout, points, batch.outputs, format=fmt)
    return 0
