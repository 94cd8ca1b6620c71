"""VNN-LIB 2.0 property files <-> :class:`~symresnet.verify.property.Property`, through the
optional ``vnnlib`` package (``pip install 'symresnet[vnnlib]'``; its parser and type checker,
version 1.0.x, implement VNN-LIB 2.0).

Reading (:func:`parse_vnnlib2`): one ``declare-network`` with one ``declare-input`` and one
``declare-output`` (any shape: indices are flattened in C order, as the ONNX importer flattens
the input); the asserts state the *violation*, as in VNN-LIB 1.0.  Every number is read
exactly from its text (the ``lexeme`` of the package's AST: ``0.1`` is ``1/10``), never from
the package's float ``value``.  Comparisons ``<=``, ``>=`` and ``==`` of linear terms are read;
strict ``<``, ``>`` and ``!=`` are refused (a property's violation is a closed set here).
Element types (``real``, ``float32``, ...) are read as the reals: symresnet reasons about the
exact network.

Writing (:func:`write_vnnlib2`): the property as one ``assert`` of an ``or`` of ``and`` s.
A number is written as a decimal when it has one (its denominator is ``2^a 5^b``); an atom
with other denominators is multiplied by their least common multiple first, so every written
number is exact and ``parse(write(p))`` describes the same set (and equals ``p`` when every
number has a decimal).
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from symresnet.base.errors import LimitError, PropertyError
from symresnet.io.reading import read_bounded
from symresnet.values.limits import DEFAULT_LIMITS, Limits
from symresnet.verify.property import Case, OutputConstraint, Property

__all__ = ["MAX_CASES", "load_vnnlib2", "parse_vnnlib2", "write_vnnlib2"]

#: cases of the disjunctive normal form of one property
MAX_CASES = 100_000
_DECIMAL = re.compile(r"[-+]?\d+(?:\.\d*)?")

#: a linear term: coefficients of ("X", i) / ("Y", j) and the constant (key None)
_Linear = dict[tuple[str, int] | None, Fraction]


def _load_vnnlib_module() -> Any:
    try:
        import vnnlib  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise PropertyError(
            "reading VNN-LIB 2.0 needs the vnnlib package",
            hint="pip install 'symresnet[vnnlib]'",
        ) from None
    return vnnlib


def _depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
    return deepest


def _package_error(err: Exception, file: str) -> PropertyError:
    """The package's error (JSON of errors, or a parse error line) as one message."""
    text = str(err)
    try:
        data = json.loads(text)
        first = data["errors"][0]
        message = f"{first.get('message', 'invalid')}: {first.get('hint', '')}".rstrip(": ")
        return PropertyError(message[:300], file=file, place=f"line {first.get('line', '?')}")
    except (ValueError, KeyError, IndexError, TypeError):
        return PropertyError(
            " ".join(text.split())[:300],
            file=file,
            hint="a VNN-LIB 2.0 file starts (vnnlib-version <2.0>) (declare-network ...)",
        )


class _Reader:
    def __init__(self, vnnlib: Any, file: str, limits: Limits):
        self.v = vnnlib
        self.file = file
        self.limits = limits
        self.sizes: dict[str, int] = {}
        self.shapes: dict[str, list[int]] = {}

    def error(self, message: str, line: object = None, hint: str = "") -> PropertyError:
        place = f"line {line}" if line is not None else ""
        return PropertyError(message, file=self.file, place=place, hint=hint)

    def number(self, lexeme: str) -> Fraction:
        text = lexeme.strip()
        if _DECIMAL.fullmatch(text) is None:
            raise self.error(f"the number {text[:40]!r} is not a decimal")
        digits = sum(c.isdigit() for c in text)
        if digits > self.limits.max_digits:
            raise LimitError(
                f"number of {digits} digits is longer than the limit of "
                f"{self.limits.max_digits} (Limits.max_digits)",
                file=self.file,
            )
        return Fraction(text)

    def network(self, query: Any) -> tuple[int, int]:
        networks = list(query.networks)
        if len(networks) != 1:
            raise self.error(f"{len(networks)} networks are declared; symresnet reads one")
        net = networks[0]
        if len(net.inputs) != 1 or len(net.outputs) != 1 or len(net.hidden):
            raise self.error(
                f"network {net.name} declares {len(net.inputs)} inputs, {len(net.hidden)} "
                f"hidden and {len(net.outputs)} outputs; symresnet reads one input and one output"
            )
        for kind, decl in (("X", net.inputs[0]), ("Y", net.outputs[0])):
            shape = [int(d) for d in decl.shape]
            self.shapes[decl.name] = shape
            self.sizes[kind] = math.prod(shape)
        return self.sizes["X"], self.sizes["Y"]

    def linear(self, e: Any) -> _Linear:
        v = self.v
        if isinstance(e, v.Var):
            kind = {v.SymbolKind.Input: "X", v.SymbolKind.Output: "Y"}.get(e.kind)
            if kind is None:
                raise self.error(
                    f"the variable {e.name} is not the network's input or output", e.line
                )
            shape = self.shapes.get(e.name, [])
            idx = [int(i) for i in e.indices]
            if not shape and idx in ([], [0]):
                return {(kind, 0): Fraction(1)}  # a scalar, written Y or Y[0]
            if len(idx) != len(shape) or any(
                not 0 <= i < d for i, d in zip(idx, shape, strict=True)
            ):
                raise self.error(f"{e.name}{idx} does not index its shape {shape}", e.line)
            flat = 0
            for i, d in zip(idx, shape, strict=True):
                flat = flat * d + i  # C order, as the ONNX importer flattens the input
            return {(kind, flat): Fraction(1)}
        if isinstance(e, v.Float | v.Literal):
            return {None: self.number(e.lexeme)}
        if isinstance(e, v.Int):
            return {None: Fraction(int(e.value))}
        if isinstance(e, v.Negate):
            return {k: -c for k, c in self.linear(e.expr).items()}
        if isinstance(e, v.Plus):
            return _add([self.linear(a) for a in e.args])
        if isinstance(e, v.Minus):
            rest = [{k: -c for k, c in self.linear(a).items()} for a in e.rest]
            return _add([self.linear(e.head), *rest])
        if isinstance(e, v.Multiply):
            out: _Linear = {None: Fraction(1)}
            for a in e.args:
                t = self.linear(a)
                if set(out) != {None} and set(t) != {None}:
                    raise self.error("a product of two variables is not linear", hint="")
                if set(t) == {None}:
                    out = {k: c * t[None] for k, c in out.items()}
                else:
                    out = {k: c * out[None] for k, c in t.items()}
            return out
        raise self.error(f"the expression {str(e)[:60]} is not read by symresnet")

    def atoms(self, comparison: Any) -> list[_Linear]:
        """The comparison as ``term <= 0`` atoms."""
        v = self.v
        diff = _add(
            [self.linear(comparison.lhs), {k: -c for k, c in self.linear(comparison.rhs).items()}]
        )
        neg = {k: -c for k, c in diff.items()}
        if isinstance(comparison, v.LessEqual):
            return [diff]
        if isinstance(comparison, v.GreaterEqual):
            return [neg]
        if isinstance(comparison, v.Equal):
            return [diff, neg]
        op = type(comparison).__name__
        raise self.error(
            f"the comparison {op} ({str(comparison)[:60]}) is not read",
            hint="write <= or >= (for a strict < the closure <= is the property symresnet "
            "decides: an unsat answer for it holds for the strict one too)",
        )

    def case(self, conjunction: list[_Linear], n: int, m: int) -> Case | None:
        lo: list[Fraction | None] = [None] * n
        hi: list[Fraction | None] = [None] * n
        constraints = []
        for atom in conjunction:
            const = atom.get(None, Fraction(0))
            vars_ = {k: c for k, c in atom.items() if k is not None and c != 0}
            kinds = {k[0] for k in vars_}
            if not vars_:
                if const > 0:
                    return None  # a false atom: this case is empty
                continue
            if kinds == {"X", "Y"}:
                raise self.error(
                    "an atom mixes inputs and outputs; symresnet reads input "
                    "bounds and output constraints"
                )
            if kinds == {"X"}:
                if len(vars_) != 1:
                    raise self.error(
                        "an atom over several inputs; symresnet reads input boxes",
                        hint="bound each input on its own: (<= X[i] b)",
                    )
                (((_, i), c),) = vars_.items()
                if i >= n:
                    raise self.error(f"X index {i} is beyond the input's {n} entries")
                bound = -const / c  # c x + const <= 0
                if c > 0:
                    old = hi[i]
                    hi[i] = bound if old is None else min(old, bound)
                else:
                    old = lo[i]
                    lo[i] = bound if old is None else max(old, bound)
                continue
            coefficients = [Fraction(0)] * m
            for (_, j), c in vars_.items():
                if j >= m:
                    raise self.error(f"Y index {j} is beyond the output's {m} entries")
                coefficients[j] += c
            constraints.append(OutputConstraint(tuple(coefficients), -const))
        for i in range(n):
            if lo[i] is None or hi[i] is None:
                side = "lower" if lo[i] is None else "upper"
                raise self.error(
                    f"X[{i}] has no {side} bound in one case of the property",
                    hint="verify needs a bounded input box",
                )
        los = tuple(v for v in lo if v is not None)
        his = tuple(v for v in hi if v is not None)
        if any(a > b for a, b in zip(los, his, strict=True)):
            return None
        return Case(los, his, tuple(constraints))

    def read(self, text: str) -> Property:
        try:
            query = self.v.parse_query_string(text)
        except self.v.VNNLibException as err:
            raise _package_error(err, self.file) from None
        except Exception as err:  # the C++ parser's std::exceptions (stoi, stoll, ...)
            raise PropertyError(
                f"the vnnlib package cannot read the file ({type(err).__name__}: {str(err)[:80]})",
                file=self.file,
                hint="check the numbers and indices of the file",
            ) from None
        n, m = self.network(query)
        conjunctions: list[list[_Linear]] = [[]]
        for assertion in query.assertions:
            try:
                dnf = assertion.expr.to_dnf()
            except self.v.VNNLibException as err:
                raise _package_error(err, self.file) from None
            if len(conjunctions) * len(dnf) > MAX_CASES:
                raise LimitError(f"the property has more than {MAX_CASES} cases", file=self.file)
            options = [[a for c in conj for a in self.atoms(c)] for conj in dnf]
            conjunctions = [old + new for old in conjunctions for new in options]
        cases = [c for conj in conjunctions if (c := self.case(conj, n, m)) is not None]
        return Property(inputs=n, outputs=m, cases=tuple(cases), source=self.file)


def _add(terms: list[_Linear]) -> _Linear:
    out: _Linear = {}
    for t in terms:
        for k, v in t.items():
            out[k] = out.get(k, Fraction(0)) + v
    return out


def parse_vnnlib2(
    text: str, *, file: str = "<property>", limits: Limits = DEFAULT_LIMITS
) -> Property:
    """Read a VNN-LIB 2.0 property from ``text`` (module docstring)."""
    if len(text) > limits.max_file_bytes:
        raise LimitError(
            f"property of {len(text)} characters is larger than the limit of "
            f"{limits.max_file_bytes} (Limits.max_file_bytes)",
            file=file,
        )
    if _depth(text) > limits.max_depth:  # before the C++ parser sees it
        raise LimitError(f"nesting deeper than {limits.max_depth} (Limits.max_depth)", file=file)
    vnnlib = _load_vnnlib_module()
    return _Reader(vnnlib, file, limits).read(text)


def load_vnnlib2(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Property:
    """Read the VNN-LIB 2.0 file ``path``; its size is checked before it is read."""
    raw = read_bounded(path, limits=limits, error=PropertyError, what="a VNN-LIB file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PropertyError(
            "the file is not UTF-8 text", file=str(path), hint="a VNN-LIB file is plain text"
        ) from None
    return parse_vnnlib2(text, file=str(path), limits=limits)


# -- writing -------------------------------------------------------------------------------------


def _has_decimal(q: Fraction) -> bool:
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _decimal(q: Fraction) -> str:
    """The exact decimal of ``q`` (``_has_decimal(q)``), always with a point: ``-1.5``, ``3.0``."""
    sign = "-" if q < 0 else ""
    q = abs(q)
    places = 0
    while (q * 10**places).denominator != 1:
        places += 1
    scaled = int(q * 10**places)
    whole, frac = divmod(scaled, 10**places) if places else (scaled, 0)
    return f"{sign}{whole}." + (str(frac).rjust(places, "0") if places else "0")


def _atom(op: str, coefficients: list[tuple[str, Fraction]], rhs: Fraction) -> str:
    """``sum c * var  op  rhs`` with every number exact (scaled by the lcm of denominators
    that have no decimal)."""
    values = [c for _, c in coefficients] + [rhs]
    scale = 1
    for q in values:
        if not _has_decimal(q):
            scale = math.lcm(scale, q.denominator)
    terms = []
    for var, c in coefficients:
        c = c * scale
        terms.append(var if c == 1 else f"(* {_decimal(c)} {var})")
    lhs = terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"
    return f"({op} {lhs} {_decimal(rhs * scale)})"


def write_vnnlib2(prop: Property, *, network: str = "N") -> str:
    """``prop`` as VNN-LIB 2.0 text (module docstring), for a network named ``network``."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", network):
        raise PropertyError(f"the network name {network[:40]!r} is not an identifier")
    lines = [
        "(vnnlib-version <2.0>)",
        f"(declare-network {network}",
        f"  (declare-input X real [{prop.inputs}])",
        f"  (declare-output Y real [{prop.outputs}]))",
    ]
    cases = []
    for case in prop.cases:
        atoms = []
        for i, (lo, hi) in enumerate(zip(case.lo, case.hi, strict=True)):
            atoms.append(_atom(">=", [(f"X[{i}]", Fraction(1))], lo))
            atoms.append(_atom("<=", [(f"X[{i}]", Fraction(1))], hi))
        for c in case.constraints:
            coeffs = [(f"Y[{j}]", v) for j, v in enumerate(c.coefficients) if v]
            if coeffs:
                atoms.append(_atom("<=", coeffs, c.rhs))
            elif c.rhs < 0:  # 0 <= rhs < 0: the case is empty
                atoms.append(_atom("<=", [("X[0]", Fraction(0))], c.rhs))
        cases.append("    (and " + " ".join(atoms) + ")")
    if not cases:  # no case: the violation is impossible; write a false property
        lines.append(f"(assert {_atom('<=', [('X[0]', Fraction(1))], Fraction(-1))})")
        lines.append(f"(assert {_atom('>=', [('X[0]', Fraction(1))], Fraction(0))})")
    else:
        lines.append("(assert (or\n" + "\n".join(cases) + "))")
    return "\n".join(lines) + "\n"
