"""Spec files (TOML, or JSON with the same keys) <-> networks and claims.

The format is the contract of docs/design.md ("The spec file").  Every problem is reported as an
:class:`~symresnet.base.errors.InputError` naming the file and the place, e.g.
``exercise.toml: layers[2].W: expected 3 rows of 2 entries (l_2 x l_1), got 2 rows``.
Layers and skips are numbered from 1 in places (``layers[k]`` is layer ``k`` of the book).
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import sympy

from symresnet.base.errors import InputError, LimitError, SpecError
from symresnet.claims.box import box_claim
from symresnet.claims.point import claim
from symresnet.claims.spec import Spec
from symresnet.claims.verdict import Claim
from symresnet.io.onnx import load_onnx_spec
from symresnet.io.reading import check_size, read_bounded
from symresnet.model.network import ResNet
from symresnet.model.parameters import Parameter
from symresnet.values.exact import exact
from symresnet.values.limits import DEFAULT_LIMITS, Guard, Limits
from symresnet.values.names import check_name
from symresnet.values.relations import Relation

__all__ = ["load_spec", "loads_spec"]

TOP_KEYS = ("title", "activation", "dims", "layers", "skips", "parameters", "claims")
LAYER_KEYS = ("W", "B")
SKIP_KEYS = ("r", "k", "V")
PARAMETER_KEYS = ("min", "max")
CLAIM_KEYS = ("label", "input", "forall", "exists", *Relation)
#: a claim has exactly one of these: a point, or a box (symresnet.claims.box)
CLAIM_WHERE = ("input", "forall", "exists")
#: largest spec file read (bytes)
MAX_SPEC_BYTES = DEFAULT_LIMITS.max_file_bytes
#: longest title or label (characters)
MAX_TEXT = 2_000
#: invisible characters that reorder text (the "Trojan Source" trick): refused in titles/labels
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def load_spec(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Spec:
    """Read a spec file (``.toml`` or ``.json``; ``"-"`` reads standard input); an ``.onnx``
    file is a spec without claims (:func:`symresnet.io.onnx.load_onnx_spec`)."""
    if str(path) != "-" and Path(path).suffix.lower() == ".onnx":
        return load_onnx_spec(path, limits=limits)
    if str(path) == "-":
        source = "<stdin>"
        raw = sys.stdin.buffer.read(limits.max_file_bytes + 1)
        check_size(raw, limits=limits, source=source)
        fmt = None
    else:
        p = Path(path)
        source = str(path)
        fmt = {".json": "json", ".toml": "toml"}.get(p.suffix.lower())
        raw = read_bounded(p, limits=limits, error=SpecError, what="a spec file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SpecError(f"not UTF-8 text (byte {err.start})", file=source) from None
    return loads_spec(text, format=fmt, source=source, limits=limits)


def loads_spec(
    text: str, *, format: str | None = None, source: str = "<spec>", limits: Limits = DEFAULT_LIMITS
) -> Spec:
    """Parse a spec from text; ``format`` is ``"toml"``, ``"json"`` or ``None`` (guess)."""
    if format is None:
        format = "json" if text.lstrip().startswith("{") else "toml"
    try:
        _check_number_lengths(text, limits)
        if format != "json":
            _check_dotted_keys(text, limits)
        data = _parse_json(text) if format == "json" else _parse_toml(text)
        return from_data(data, source=source, limits=limits)
    except InputError as err:
        raise err.located(file=source) from None


_TOO_DEEP = "lists or tables nested too deeply to read (a matrix needs only two levels)"


def _check_number_lengths(text: str, limits: Limits) -> None:
    """Refuse digit runs longer than ``limits.max_digits`` before TOML/JSON turn them into ints.

    Python's str -> int conversion takes quadratic time (and the interpreter's 4,300-digit
    guard is lifted by the command line for printing big results), so a file of a few
    megabytes of digits would hang the reader.  The scan is linear: the look-behind makes every
    run start at its first digit.
    """
    for match in re.finditer(rf"(?<![0-9_])[0-9_]{{{limits.max_digits + 1},}}", text):
        digits = len(match.group()) - match.group().count("_")
        if digits > limits.max_digits:
            line = text.count("\n", 0, match.start()) + 1
            raise LimitError(
                f"line {line}: a number of {digits} digits, more than the limit of "
                f"{limits.max_digits} (Limits.max_digits)",
                hint="raise the limit in the API if such numbers are intended",
            )


def _check_dotted_keys(text: str, limits: Limits) -> None:
    """Refuse dotted keys (``a.b.c = 1``, ``[a.b.c]``) of more than ``limits.max_key_parts``
    parts: tomllib's time grows with the square of their number (40 kB took 12 s).  Linear:
    every attempt stops after the limit, possessive quantifiers never backtrack."""
    part = r"""\s*+(?:[A-Za-z0-9_-]++|"[^"\n]*+"|'[^'\n]*+')\s*+"""
    match = re.search(rf"(?:\.{part}){{{limits.max_key_parts}}}", text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise LimitError(
            f"line {line}: a dotted key of more than {limits.max_key_parts} parts "
            "(Limits.max_key_parts): a spec needs at most three, as in parameters.a.min"
        )


def _parse_toml(text: str) -> dict[str, Any]:
    if not text.strip():
        raise SpecError("empty spec: it needs at least [[layers]] with W and B")
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"TOML syntax error: {err}") from None
    except RecursionError:
        raise LimitError(_TOO_DEEP) from None
    except ValueError as err:  # e.g. integers beyond Python's int-to-str digit limit
        raise LimitError(f"unreadable value: {str(err)[:120]}") from None


def _reject_constant(name: str) -> Any:
    raise SpecError(f"{name} is not a number symresnet accepts: entries must be finite")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SpecError(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _parse_json(text: str) -> Any:
    if not text.strip():
        raise SpecError('empty spec: it needs at least "layers" with W and B')
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicates,
        )
    except json.JSONDecodeError as err:
        raise SpecError(
            f"JSON syntax error: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except RecursionError:
        raise LimitError(_TOO_DEEP) from None
    except ValueError as err:
        raise LimitError(f"unreadable value: {str(err)[:120]}") from None


def _table(value: Any, place: str, keys: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise SpecError(f"expected a table, got {_type_name(value)}", place=place)
    unknown = [k for k in value if k not in keys]
    if unknown:
        raise SpecError(
            f"unknown key {unknown[0]!r}: allowed keys are {', '.join(keys)}",
            place=place,
        )
    for key in required:
        if key not in value:
            raise SpecError(f"missing key {key!r}", place=place)
    return value


def _list(value: Any, place: str, what: str) -> list:
    if not isinstance(value, list):
        raise SpecError(f"expected a list of {what}, got {_type_name(value)}", place=place)
    return value


def _type_name(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _text(value: Any, place: str) -> str:
    if not isinstance(value, str):
        raise SpecError(f"expected a string, got {_type_name(value)}", place=place)
    if len(value) > MAX_TEXT:
        raise LimitError(f"text longer than {MAX_TEXT} characters", place=place)
    bad = next((ch for ch in value if ch in _BIDI or unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        raise SpecError(
            f"contains the control character U+{ord(bad):04X} at position "
            f"{value.index(bad) + 1}: titles and labels are one line of plain text",
            place=place,
        )
    return value


def _parameters(value: Any, limits: Limits) -> dict[str, Parameter]:
    table = value if value is not None else {}
    if not isinstance(table, dict):
        raise SpecError(f"expected a table of names, got {_type_name(table)}", place="parameters")
    try:
        Guard(limits).names(len(table))  # before any name is read or any Symbol made
    except InputError as err:
        raise err.located(prefix="parameters") from None
    out: dict[str, Parameter] = {}
    for name, bounds in table.items():
        short = name.isidentifier() and len(name) <= limits.max_name_length
        place = f"parameters.{name}" if short else "parameters"
        try:
            check_name(name, limits=limits)
        except InputError as err:
            raise err.located(prefix=place) from None
        bounds = _table(bounds, place, PARAMETER_KEYS)
        lo, hi = (
            _bound(bounds[key], f"{place}.{key}", limits) if key in bounds else None
            for key in PARAMETER_KEYS
        )
        if lo is not None and hi is not None and lo > hi:
            raise SpecError(f"min = {lo} is larger than max = {hi}", place=place)
        out[name] = Parameter(sympy.Symbol(name, real=True), lo, hi)
    return out


def _bound(value: Any, place: str, limits: Limits) -> sympy.Expr:
    try:
        b = exact(value, limits=limits)
    except InputError as err:
        raise err.located(prefix=place) from None
    if not b.is_Rational:
        raise SpecError("a parameter bound must be a rational number", place=place)
    return b


def from_data(data: Any, *, source: str = "<spec>", limits: Limits = DEFAULT_LIMITS) -> Spec:
    """A :class:`Spec` from already-parsed TOML/JSON data (a dict with the spec's keys)."""
    data = _table(data, "", TOP_KEYS, required=("layers",))
    title = _text(data["title"], "title") if "title" in data else None
    parameters = _parameters(data.get("parameters"), limits)
    names = {name: p.symbol for name, p in parameters.items()}
    layers = _list(data["layers"], "layers", "[[layers]] tables")
    Ws, Bs = [], []
    for k, layer in enumerate(layers, start=1):
        layer = _table(layer, f"layers[{k}]", LAYER_KEYS, required=LAYER_KEYS)
        Ws.append(layer["W"])
        Bs.append(layer["B"])
    skips: list[tuple[tuple[Any, Any], Any]] = []
    for i, skip in enumerate(_list(data.get("skips", []), "skips", "[[skips]] tables"), start=1):
        skip = _table(skip, f"skips[{i}]", SKIP_KEYS, required=SKIP_KEYS)
        skips.append(((skip["r"], skip["k"]), skip["V"]))
    network = ResNet(
        W=Ws,
        B=Bs,
        skips=skips,
        activation=data.get("activation", "relu"),
        dims=data.get("dims"),
        names=names,
        limits=limits,
    )
    claims = tuple(
        _claim(c, f"claims[{i}]", network, names, limits)
        for i, c in enumerate(_list(data.get("claims", []), "claims", "[[claims]] tables"), start=1)
    )
    return Spec(network=network, claims=claims, parameters=parameters, title=title, source=source)


def _claim(value: Any, place: str, network: ResNet, names, limits: Limits) -> Claim:
    table = _table(value, place, CLAIM_KEYS)
    where = [key for key in CLAIM_WHERE if key in table]
    if len(where) != 1:
        raise SpecError(
            "a claim needs exactly one of input, forall, exists"
            + (f"; got {', '.join(where)}" if where else ""),
            place=place,
        )
    relations = [key for key in Relation if key in table]
    if len(relations) != 1:
        raise SpecError(
            "a claim needs exactly one of "
            + ", ".join(Relation)
            + (f"; got {', '.join(relations)}" if relations else ""),
            place=place,
        )
    label = _text(table["label"], f"{place}.label") if "label" in table else None
    try:
        if where[0] != "input":  # a quantified claim over a box
            return box_claim(
                network,
                quantifier=where[0],
                box=table[where[0]],
                relation=relations[0],
                expected=table[relations[0]],
                label=label,
                names=names,
                limits=limits,
            )
        return claim(
            network,
            input=table["input"],
            relation=relations[0],
            expected=table[relations[0]],
            label=label,
            names=names,
            limits=limits,
        )
    except InputError as err:
        raise err.located(prefix=place) from None
