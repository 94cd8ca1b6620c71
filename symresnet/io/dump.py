"""Writing a :class:`~symresnet.io.spec.Spec` back out: TOML in the docs/design.md format, or JSON.

``load -> dump -> load`` gives the same network, claims, parameters and title.  Exact entries
are written as integers when they fit in 64 bits (TOML's integer range) and otherwise as quoted
strings in the grammar of :mod:`symresnet.values.parser` (``"3/7"``, ``"2*a + 1"``, ``"sqrt(2)"``,
``"exp(1)"``); titles and labels are escaped as TOML (or JSON) strings, so no text can break
out of its string.

The TOML writer is a small emitter for our restricted structure (strings, integers, lists of
them, inline tables for the activation and parameter bounds, and arrays of tables), not a
general TOML library.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy

from symresnet.base.errors import SpecError
from symresnet.base.files import write_atomic
from symresnet.values.exact import _ExactStrPrinter

__all__ = ["dump", "dump_spec", "spec_data", "toml_string"]

_INT64 = 2**63

#: (spec key, attribute) of the two claim shapes
_BOX_QUANTIFIERS = ("forall", "exists")


class _EntryPrinter(_ExactStrPrinter):
    """sympy's str form, spelled in the grammar of :mod:`symresnet.values.parser` (so it parses back)."""

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "exp(1)"

    def _print_Abs(self, expr: sympy.Expr) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr: sympy.Expr) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr: sympy.Expr) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"


def _entry(value: object) -> int | str:
    """An exact value as a 64-bit integer or an exact string in our grammar."""
    if isinstance(value, Fraction):
        value = sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, int) and not isinstance(value, bool):
        value = sympy.Integer(value)
    if not isinstance(value, sympy.Expr):
        raise SpecError(f"cannot write {type(value).__name__} as an exact entry")
    if isinstance(value, sympy.Integer) and -_INT64 <= int(value.p) < _INT64:
        return int(value.p)
    return _EntryPrinter(dict(order=None)).doprint(value)


def _vector(values: Sequence[object] | sympy.MatrixBase) -> list[int | str]:
    return [_entry(v) for v in values]


def _matrix(m: sympy.MatrixBase) -> list[list[int | str]]:
    return [_vector(list(m.row(i))) for i in range(m.rows)]


def _activation(act: Any) -> str | dict[str, Any]:
    """``"relu"`` or ``{"name": "clip", "u": 0, "v": 1}`` (an infinite clipping bound is left out)."""
    params = {key: _entry(value) for key, value in act.params if not value.is_infinite}
    return {"name": act.name, **params} if params else act.name


def _claim(c: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if c.label is not None:
        out["label"] = c.label
    if getattr(c, "quantifier", None) in _BOX_QUANTIFIERS:
        out[c.quantifier] = [[_entry(lo), _entry(hi)] for lo, hi in c.bounds]
    elif hasattr(c, "input"):
        out["input"] = _vector(c.input)
    else:
        raise SpecError(f"cannot write a claim of type {type(c).__name__}")
    out[c.relation] = _vector(c.expected)
    return out


def spec_data(spec: Any) -> dict[str, Any]:
    """The spec as plain data with the keys of docs/design.md, in the order they are written."""
    net = spec.network
    data: dict[str, Any] = {}
    if spec.title is not None:
        data["title"] = spec.title
    data["activation"] = _activation(net.activation)
    data["dims"] = list(net.dims)
    if spec.parameters:
        data["parameters"] = {
            name: {
                key: _entry(bound)
                for key, bound in (("min", p.min), ("max", p.max))
                if bound is not None
            }
            for name, p in spec.parameters.items()
        }
    data["layers"] = [{"W": _matrix(W), "B": _vector(B)} for W, B in zip(net.W, net.B, strict=True)]
    if net.skips:
        data["skips"] = [{"r": r, "k": k, "V": _matrix(V)} for (r, k), V in net.skips.items()]
    if spec.claims:
        data["claims"] = [_claim(c) for c in spec.claims]
    return data


# -- the TOML emitter -------------------------------------------------------------------------

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            raise SpecError(
                f"text contains a lone surrogate (U+{code:04X}), which no TOML or JSON file can "
                "hold: remove it"
            )
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):  # not produced by spec_data; refused rather than misread
        raise SpecError("cannot write a boolean as a spec value")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + "}"
    raise SpecError(f"cannot write {type(value).__name__} in a spec")


def _key(name: str) -> str:
    """A bare key when it is one (parameter names always are), else a quoted key."""
    bare = name and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in name)
    return name if bare else toml_string(name)


def _toml(data: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for key in ("title", "activation", "dims"):
        if key in data:
            lines.append(f"{key} = {_value(data[key])}")
    if "parameters" in data:
        lines += ["", "[parameters]"]
        lines += [f"{_key(name)} = {_value(b)}" for name, b in data["parameters"].items()]
    for section in ("layers", "skips", "claims"):
        for table in data.get(section, ()):
            lines += ["", f"[[{section}]]"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _json(value: Any, indent: str = "") -> str:
    """JSON with one line per matrix row and per vector (compact but readable)."""
    inner = indent + "  "
    if isinstance(value, Mapping):
        items = [f"{inner}{json.dumps(k)}: {_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}" if items else "{}"
    if isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
        items = [inner + _json(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def dump(spec: Any, *, format: str = "toml") -> str:
    """The spec as TOML (docs/design.md's format) or JSON text; loading it gives the same spec."""
    data = spec_data(spec)
    if format == "toml":
        return _toml(data)
    if format == "json":
        return _json(data) + "\n"
    raise SpecError(f"unknown spec format {format!r}: use toml or json")


def dump_spec(spec: Any, path: str | os.PathLike[str], *, format: str | None = None) -> Path:
    """Write the spec to ``path`` atomically; the format follows the suffix (``.json``) unless
    given.  Returns the path; raises ``OSError`` when the file cannot be written."""
    if format is None:
        format = "json" if str(path).lower().endswith(".json") else "toml"
    return write_atomic(path, dump(spec, format=format))
