"""Variant templates and variant files: reading a template (TOML), writing each variant as an
ordinary spec file (docs/design.md's format, through :mod:`symresnet.io.dump`), so that
``symresnet check`` decides it.  The format of a template is in docs/variants.md.
"""

from __future__ import annotations

import io
import tomllib
import zipfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from symresnet.base.errors import SpecError
from symresnet.base.files import write_atomic
from symresnet.claims.spec import Spec
from symresnet.claims.variants import Part, Template, Variant
from symresnet.io.dump import dump
from symresnet.io.spec import _text as spec_text
from symresnet.io.spec import from_data
from symresnet.present.lms import moodle_xml, qti_items, qti_manifest

__all__ = [
    "load_template",
    "template_from_data",
    "variant_spec",
    "variant_text",
    "write_exports",
    "write_variants",
]

_TOP = {"title", "activation", "dims", "skips", "parts", "numbers", "rules"}
_NUMBERS = {"entries", "inputs", "box_width", "zero_share", "fractions", "max_abs"}
_RULES = {"kink", "active_inactive", "skips_matter", "integer_outputs", "true_share", "max_tries"}
_KINDS = ("point", "box", "parameter")
#: limits of a template, checked before any draw (a variant is an exercise for a person)
MAX_LAYERS = 10
MAX_WIDTH = 16
MAX_TEMPLATE_BYTES = 100_000


def _int(v: Any, place: str, lo: int, hi: int) -> int:
    if type(v) is not int or not lo <= v <= hi:
        raise SpecError(f"expected an integer in {lo}..{hi}", place=place)
    return v


def _share(v: Any, place: str) -> Fraction:
    try:
        q = Fraction(v) if isinstance(v, int | str) and not isinstance(v, bool) else None
    except (ValueError, ZeroDivisionError):
        q = None
    if q is None or not 0 <= q <= 1:
        raise SpecError('expected a share between 0 and 1 as an integer or "p/q"', place=place)
    return q


def _range(v: Any, place: str) -> tuple[int, int]:
    if not isinstance(v, list) or len(v) != 2:
        raise SpecError("expected [lo, hi]", place=place)
    lo, hi = (_int(e, place, -1000, 1000) for e in v)
    if lo > hi:
        raise SpecError("expected lo <= hi", place=place)
    return lo, hi


def _table(v: Any, place: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise SpecError("expected a table", place=place)
    unknown = sorted(set(v) - keys)
    if unknown:
        raise SpecError(
            f"unknown key {unknown[0]!r}; known: {', '.join(sorted(keys))}", place=place
        )
    return v


def template_from_data(data: Any) -> Template:
    data = _table(data, "", _TOP)
    dims = data.get("dims")
    if not isinstance(dims, list) or len(dims) < 2:
        raise SpecError("expected dims = [l_0, ..., l_L] with L >= 1", place="dims")
    if len(dims) > MAX_LAYERS + 1:
        raise SpecError(f"a template has at most {MAX_LAYERS} layers", place="dims")
    dims_t = tuple(_int(d, "dims", 1, MAX_WIDTH) for d in dims)
    L = len(dims_t) - 1
    skips = []
    for i, s in enumerate(data.get("skips", []), start=1):
        if not isinstance(s, list) or len(s) != 2:
            raise SpecError("expected [r, k] with 0 <= r < k - 1 < L", place=f"skips[{i}]")
        r, k = (_int(e, f"skips[{i}]", 0, L) for e in s)
        if not r < k - 1:
            raise SpecError("a skip (r, k) needs r < k - 1 (Def. 1.5.1)", place=f"skips[{i}]")
        skips.append((r, k))
    parts = data.get("parts", ["point"])
    if not isinstance(parts, list) or not parts or any(p not in _KINDS for p in parts):
        raise SpecError("expected parts = a list of point, box, parameter", place="parts")
    if parts.count("parameter") > 1:
        raise SpecError("a template has at most one parameter part (t)", place="parts")
    numbers = _table(data.get("numbers", {}), "numbers", _NUMBERS)
    rules = _table(data.get("rules", {}), "rules", _RULES)
    kw: dict[str, Any] = {}
    for key in ("entries", "inputs"):
        if key in numbers:
            kw[key] = _range(numbers[key], f"numbers.{key}")
    if "box_width" in numbers:
        kw["box_width"] = _int(numbers["box_width"], "numbers.box_width", 1, 100)
    if "max_abs" in numbers:
        kw["max_abs"] = _int(numbers["max_abs"], "numbers.max_abs", 1, 10**12)
    if "zero_share" in numbers:
        kw["zero_share"] = _share(numbers["zero_share"], "numbers.zero_share")
    if "true_share" in rules:
        kw["true_share"] = _share(rules["true_share"], "rules.true_share")
    if "max_tries" in rules:
        kw["max_tries"] = _int(rules["max_tries"], "rules.max_tries", 1, 1_000_000)
    for key in ("fractions",):
        if key in numbers:
            kw[key] = _bool(numbers[key], f"numbers.{key}")
    for key in ("kink", "active_inactive", "skips_matter", "integer_outputs"):
        if key in rules:
            kw[key] = _bool(rules[key], f"rules.{key}")
    act = data.get("activation", "relu")
    if act not in ("relu", "leaky_relu", "clip", "heaviside", "identity"):
        raise SpecError(
            "expected activation = relu (or another piecewise-linear name)", place="activation"
        )
    title = spec_text(data.get("title", "Variant"), "title")
    return Template(
        title=title, activation=act, dims=dims_t, skips=tuple(skips), parts=tuple(parts), **kw
    )


def _bool(v: Any, place: str) -> bool:
    if not isinstance(v, bool):
        raise SpecError("expected true or false", place=place)
    return v


def load_template(path: str | Path) -> Template:
    """A :class:`Template` from a TOML file; errors name the file and the place."""
    try:
        if Path(path).stat().st_size > MAX_TEMPLATE_BYTES:
            raise SpecError(f"a template has at most {MAX_TEMPLATE_BYTES} bytes", file=str(path))
        text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(f"cannot read the template: {err}", file=str(path)) from None
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"not TOML: {err}", file=str(path)) from None
    try:
        return template_from_data(data)
    except SpecError as err:
        raise err.located(file=str(path)) from None


def _e(q: Fraction) -> int | str:
    return q.numerator if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _claim(part: Part, i: int) -> dict[str, Any]:
    label = "abcdefghijklmnopqrstuvwxyz"[i]
    if part.kind == "point":
        return {
            "label": label,
            "input": [_e(v) for v in part.input],
            part.relation: [_e(part.claimed)],
        }
    if part.kind == "box":
        return {
            "label": label,
            "forall": [[_e(a), _e(b)] for a, b in part.box],
            part.relation: [_e(part.claimed)],
        }
    return {
        "label": label,
        "input": ["t", *(_e(v) for v in part.input)],
        part.relation: [_e(part.claimed)],
    }


def variant_spec(t: Template, v: Variant) -> Spec:
    """The variant as a :class:`Spec` (read back through the spec reader: it is valid)."""
    W, B, S = v.net
    data: dict[str, Any] = {
        "title": f"{t.title} (seed {v.seed}, variant {v.index})",
        "activation": t.activation,
        "dims": list(t.dims),
        "layers": [
            {"W": [[_e(e) for e in row] for row in w], "B": [_e(e) for e in b]}
            for w, b in zip(W, B, strict=True)
        ],
        "claims": [_claim(p, i) for i, p in enumerate(v.parts)],
    }
    if S:
        data["skips"] = [
            {"r": r, "k": k, "V": [[_e(e) for e in row] for row in V]} for r, k, V in S
        ]
    params = [p for p in v.parts if p.kind == "parameter"]
    if params:
        if len(params) > 1:
            raise SpecError("a template has at most one parameter part", place="parts")
        lo, hi = params[0].box[0]
        data["parameters"] = {"t": {"min": _e(lo), "max": _e(hi)}}
    return from_data(data)


def variant_text(t: Template, v: Variant) -> str:
    """The spec file of a variant, with comment lines naming seed, index and each part's
    verdict and mistake."""
    head = [f"# symresnet variant: seed = {v.seed}, index = {v.index}, sha256 = {v.digest}"]
    for i, p in enumerate(v.parts):
        why = "true" if p.holds else f"false, mistake: {p.mistake}; {p.mistake_text()}"
        head.append(f"# part ({'abcdefghijklmnopqrstuvwxyz'[i]}) {p.kind}: {why}")
    return "\n".join(head) + "\n" + dump(variant_spec(t, v))


def write_variants(t: Template, variants: list[Variant], out: Path) -> list[Path]:
    """Write ``variant-<index>.toml`` for every variant into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for v in variants:
        paths.append(write_atomic(out / f"variant-{v.index:04d}.toml", variant_text(t, v)))
    return paths


#: the date of every zip member (the earliest a zip can hold): equal runs, equal bytes
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _member(z: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Add ``name`` with a fixed date and permissions (not the clock's), deflated."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    z.writestr(info, data)


def write_exports(t: Template, variants: list[Variant], out: Path) -> tuple[Path, Path]:
    """``moodle.xml`` and ``qti.zip`` (``imsmanifest.xml`` and ``items.xml``) in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    moodle = write_atomic(out / "moodle.xml", moodle_xml(t, variants).decode("utf-8"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        seed = variants[0].seed if variants else 0
        _member(z, "imsmanifest.xml", qti_manifest(f"symresnet-{seed}", "items.xml"))
        _member(z, "items.xml", qti_items(t, variants))
    qti = out / "qti.zip"
    write_atomic(qti, buf.getvalue())
    return moodle, qti
