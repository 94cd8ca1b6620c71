"""VNN-LIB 1.0 property files -> :class:`~symresnet.verify.property.Property` (2.0 files go
to :mod:`symresnet.io.vnnlib2`).

The subset used by VNN-COMP: ``(declare-const X_i Real)`` for the inputs and ``Y_j`` for the
outputs, and ``(assert F)`` where ``F`` is built from ``and``, ``or`` and comparisons ``<=``,
``>=`` of linear terms (numbers, variables, ``+``, ``-``, ``*`` by a number).  The asserts
state the *violation*: their conjunction, brought into disjunctive normal form, becomes the
cases of the property.  Atoms over inputs must be bounds of one input; atoms over outputs are
linear constraints; an atom may not mix inputs and outputs.

Every number is read exactly from its text (``0.679857769`` is ``679857769/10^9``), never
through a float.  Sizes (file bytes, tokens, nesting, digits, exponents, cases) are checked
before the work; every error is one :class:`~symresnet.base.errors.PropertyError` naming the
file, the line and what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from symresnet.base.errors import LimitError, PropertyError
from symresnet.io.vnnlib2 import parse_vnnlib2
from symresnet.values.limits import DEFAULT_LIMITS, Limits, quote
from symresnet.verify.property import Case, OutputConstraint, Property

__all__ = ["MAX_CASES", "MAX_TOKENS", "load_vnnlib", "parse_vnnlib"]

#: tokens of one property file
MAX_TOKENS = 2_000_000
#: cases of the disjunctive normal form of one property
MAX_CASES = 100_000

_TOKEN = re.compile(r"\s*(?:(;[^\n]*)|(\()|(\))|([^\s();]+))")
_NUMBER = re.compile(r"[-+]?(\d+)(?:\.(\d*))?(?:[eE]([-+]?\d+))?|[-+]?\.(\d+)(?:[eE]([-+]?\d+))?")
_VAR = re.compile(r"([XY])_(\d+)")


@dataclass(frozen=True)
class _Atom:
    text: str
    line: int


@dataclass(frozen=True)
class _List:
    items: tuple[_Node, ...]
    line: int


_Node = _Atom | _List
#: a linear term: coefficients of ("X", i) / ("Y", j) and the constant (key None)
_Linear = dict[tuple[str, int] | None, Fraction]


class _Reader:
    def __init__(self, text: str, file: str, limits: Limits):
        self.text = text
        self.file = file
        self.limits = limits

    def error(self, line: int, message: str, hint: str = "") -> PropertyError:
        return PropertyError(message, file=self.file, place=f"line {line}", hint=hint)

    # -- s-expressions ------------------------------------------------------------------------

    def nodes(self) -> list[_Node]:
        stack: list[tuple[int, list[_Node]]] = [(1, [])]
        line = 1
        pos = 0
        count = 0
        text = self.text
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                break  # trailing whitespace
            line += text.count("\n", pos, m.start(m.lastindex or 0))
            pos = m.end()
            count += 1
            if count > MAX_TOKENS:
                raise LimitError(
                    f"more than {MAX_TOKENS} tokens", file=self.file, place=f"line {line}",
                    hint="split the property into smaller files",
                )
            comment, opening, closing, atom = m.groups()
            if comment is not None:
                continue
            if opening is not None:
                if len(stack) > self.limits.max_depth:
                    raise self.error(line, f"nesting deeper than {self.limits.max_depth}",
                                     "VNN-LIB properties are shallow: flatten the and/or")
                stack.append((line, []))
            elif closing is not None:
                if len(stack) == 1:
                    raise self.error(line, "unmatched ')'", "remove it or add the '(' it closes")
                start, items = stack.pop()
                stack[-1][1].append(_List(tuple(items), start))
            else:
                stack[-1][1].append(_Atom(atom, line))
        if len(stack) > 1:
            raise self.error(stack[-1][0], "'(' is never closed", "add the missing ')'")
        return stack[0][1]

    # -- numbers and terms ----------------------------------------------------------------------

    def number(self, atom: _Atom) -> Fraction | None:
        text = atom.text
        m = _NUMBER.fullmatch(text)
        if m is None:
            return None
        digits = sum(c.isdigit() for c in text)
        if digits > self.limits.max_digits:
            raise LimitError(f"number of {digits} digits is longer than the limit of "
                             f"{self.limits.max_digits} (Limits.max_digits)", file=self.file,
                             place=f"line {atom.line}")
        if m.group(1) is not None:
            whole, frac, exp = m.group(1), m.group(2) or "", m.group(3)
        else:
            whole, frac, exp = "0", m.group(4), m.group(5)
        e = int(exp) if exp else 0
        if abs(e) > self.limits.max_exponent:
            raise LimitError(f"exponent {e} is beyond the limit of {self.limits.max_exponent} "
                             "(Limits.max_exponent)", file=self.file, place=f"line {atom.line}")
        value = Fraction(int(whole + frac), 10 ** len(frac)) * Fraction(10) ** e
        return -value if text.startswith("-") else value

    def term(self, node: _Node, declared: dict[str, tuple[str, int]]) -> _Linear:
        if isinstance(node, _Atom):
            value = self.number(node)
            if value is not None:
                return {None: value}
            if node.text in declared:
                return {declared[node.text]: Fraction(1)}
            raise self.error(node.line, f"unknown name {quote(node.text)}",
                             "declare it with (declare-const X_i Real) or (declare-const Y_j Real)")
        if not node.items or not isinstance(node.items[0], _Atom):
            raise self.error(node.line, "expected a term: a number, a variable or (+ ...), (- ...), (* ...)")
        op = node.items[0].text
        args = [self.term(a, declared) for a in node.items[1:]]
        if op == "+" and args:
            return _add(args)
        if op == "-" and len(args) == 1:
            return {k: -v for k, v in args[0].items()}
        if op == "-" and len(args) >= 2:
            return _add([args[0], *({k: -v for k, v in a.items()} for a in args[1:])])
        if op == "*" and args:
            out: _Linear = {None: Fraction(1)}
            for a in args:
                if set(a) <= {None}:
                    c = a.get(None, Fraction(0))
                    out = {k: c * v for k, v in out.items()}
                elif set(out) <= {None}:
                    c = out.get(None, Fraction(0))
                    out = {k: c * v for k, v in a.items()}
                else:
                    raise self.error(node.line, "a product of two variables is not linear",
                                     "VNN-LIB 1.0 properties are linear: multiply by numbers only")
            return out
        raise self.error(node.line, f"unsupported term {quote(op)}",
                         "use numbers, variables, +, - and * by a number")

    # -- formulas -------------------------------------------------------------------------------

    def formula(self, node: _Node, declared) -> list[list[tuple[_Linear, int]]]:
        """The formula in disjunctive normal form: a list of conjunctions of atoms
        ``(e, line)`` meaning ``e <= 0``."""
        if not isinstance(node, _List) or not node.items or not isinstance(node.items[0], _Atom):
            raise self.error(node.line, "expected a formula: (and ...), (or ...), (<= a b) or (>= a b)")
        op = node.items[0].text
        args = node.items[1:]
        if op in ("<=", ">="):
            if len(args) != 2:
                raise self.error(node.line, f"({op} a b) takes two terms, got {len(args)}")
            a, b = (self.term(t, declared) for t in args)
            e = _add([a, {k: -v for k, v in b.items()}]) if op == "<=" else _add(
                [b, {k: -v for k, v in a.items()}])
            return [[(e, node.line)]]
        if op in ("<", ">"):
            raise self.error(node.line, f"strict comparison {op!r} is not supported",
                             "verify decides non-strict properties: write <= or >=")
        if op == "and":
            out: list[list[tuple[_Linear, int]]] = [[]]
            for sub in args:
                parts = self.formula(sub, declared)
                if len(out) * len(parts) > MAX_CASES:
                    raise LimitError(f"the property has more than {MAX_CASES} cases",
                                     file=self.file, place=f"line {node.line}",
                                     hint="split it into several property files")
                out = [c + p for c in out for p in parts]
            return out
        if op == "or":
            out = []
            for sub in args:
                out += self.formula(sub, declared)
                if len(out) > MAX_CASES:
                    raise LimitError(f"the property has more than {MAX_CASES} cases",
                                     file=self.file, place=f"line {node.line}",
                                     hint="split it into several property files")
            return out
        raise self.error(node.line, f"unsupported operator {quote(op)}",
                         "VNN-LIB 1.0 properties use and, or, <= and >=")

    # -- the whole file -------------------------------------------------------------------------

    def read(self) -> Property:
        declared: dict[str, tuple[str, int]] = {}
        conj: list[list[tuple[_Linear, int]]] = [[]]
        for node in self.nodes():
            if not isinstance(node, _List) or not node.items or not isinstance(node.items[0], _Atom):
                raise self.error(node.line, "expected (declare-const ...) or (assert ...)")
            head = node.items[0].text
            if head == "declare-const":
                self.declare(node, declared)
            elif head == "assert":
                if len(node.items) != 2:
                    raise self.error(node.line, "(assert F) takes one formula")
                parts = self.formula(node.items[1], declared)
                if len(conj) * len(parts) > MAX_CASES:
                    raise LimitError(f"the property has more than {MAX_CASES} cases",
                                     file=self.file, place=f"line {node.line}",
                                     hint="split it into several property files")
                conj = [c + p for c in conj for p in parts]
            else:
                raise self.error(node.line, f"unsupported command {quote(head)}",
                                 "VNN-LIB 1.0 files hold declare-const and assert only")
        n = _count(declared, "X", self)
        m = _count(declared, "Y", self)
        cases = [c for c in (self.case(atoms, n, m) for atoms in conj) if c is not None]
        return Property(inputs=n, outputs=m, cases=tuple(cases), source=self.file)

    def declare(self, node: _List, declared: dict[str, tuple[str, int]]) -> None:
        items = node.items
        if len(items) != 3 or not all(isinstance(i, _Atom) for i in items):
            raise self.error(node.line, "expected (declare-const NAME Real)")
        name, sort = items[1], items[2]
        assert isinstance(name, _Atom) and isinstance(sort, _Atom)
        if sort.text != "Real":
            raise self.error(node.line, f"sort {quote(sort.text)} is not supported", "declare Real variables")
        m = _VAR.fullmatch(name.text)
        if m is None:
            raise self.error(node.line, f"variable {quote(name.text)} is not X_i or Y_j",
                             "name the inputs X_0, X_1, ... and the outputs Y_0, Y_1, ...")
        if name.text in declared:
            raise self.error(node.line, f"{name.text} is declared twice", "declare it once")
        index = int(m.group(2))
        if index >= self.limits.max_entries:
            raise LimitError(f"{name.text}: more variables than Limits.max_entries", file=self.file,
                             place=f"line {node.line}")
        declared[name.text] = (m.group(1), index)

    def case(self, atoms: list[tuple[_Linear, int]], n: int, m: int) -> Case | None:
        lo: list[Fraction | None] = [None] * n
        hi: list[Fraction | None] = [None] * n
        constraints: list[OutputConstraint] = []
        for e, line in atoms:
            const = e.get(None, Fraction(0))
            xs = {k: v for k, v in e.items() if k is not None and k[0] == "X" and v}
            ys = {k: v for k, v in e.items() if k is not None and k[0] == "Y" and v}
            if xs and ys:
                raise self.error(line, "a constraint mixes inputs X and outputs Y",
                                 "constrain the inputs by bounds and the outputs separately")
            if xs:
                if len(xs) != 1:
                    raise self.error(line, "a constraint on several inputs is not a bound",
                                     "write the input region as bounds of single inputs X_i")
                ((_, i), c), = xs.items()
                bound = -const / c  # c x + const <= 0
                if c > 0:
                    hi[i] = bound if hi[i] is None else min(hi[i], bound)  # type: ignore[type-var]
                else:
                    lo[i] = bound if lo[i] is None else max(lo[i], bound)  # type: ignore[type-var]
            elif ys:
                coeffs = [Fraction(0)] * m
                for (_, j), c in ys.items():
                    coeffs[j] = c
                constraints.append(OutputConstraint(tuple(coeffs), -const))
            elif const > 0:
                return None  # a false atom: this case cannot happen
        for i in range(n):
            if lo[i] is None or hi[i] is None:
                side = "lower" if lo[i] is None else "upper"
                line = atoms[0][1] if atoms else 1
                raise self.error(line, f"X_{i} has no {side} bound in one case of the property",
                                 "verify needs a bounded input box: assert (>= X_i a) and (<= X_i b)")
        los = tuple(v for v in lo if v is not None)
        his = tuple(v for v in hi if v is not None)
        if any(a > b for a, b in zip(los, his, strict=True)):
            return None  # an empty box
        return Case(los, his, tuple(constraints))


def _add(terms: list[_Linear]) -> _Linear:
    out: _Linear = {}
    for t in terms:
        for k, v in t.items():
            out[k] = out.get(k, Fraction(0)) + v
    return out


def _count(declared: dict[str, tuple[str, int]], kind: str, reader: _Reader) -> int:
    indices = sorted(i for k, i in declared.values() if k == kind)
    if indices != list(range(len(indices))):
        missing = next(i for i in range(len(indices) + 1) if i not in indices)
        raise PropertyError(f"{kind}_{missing} is not declared", file=reader.file,
                            hint=f"declare {kind}_0, {kind}_1, ... without gaps")
    if not indices:
        raise PropertyError(f"no {kind}_i variable is declared", file=reader.file,
                            hint="declare the network's inputs X_i and outputs Y_j")
    return len(indices)


#: the header of a VNN-LIB 2.0 file (after comments and blanks)
_VERSION_2 = re.compile(r"\A(?:\s|;[^\n]*\n)*\(\s*vnnlib-version\s*<\s*2")


def parse_vnnlib(text: str, *, file: str = "<property>", limits: Limits = DEFAULT_LIMITS) -> Property:
    """Read a VNN-LIB 1.0 property from ``text`` (see the module docstring); a file that
    starts ``(vnnlib-version <2.0>)`` is read as VNN-LIB 2.0 (:mod:`symresnet.io.vnnlib2`)."""
    if len(text) > limits.max_file_bytes:
        raise LimitError(f"property of {len(text)} characters is larger than the limit of "
                         f"{limits.max_file_bytes} (Limits.max_file_bytes)", file=file)
    if _VERSION_2.match(text):
        return parse_vnnlib2(text, file=file, limits=limits)
    return _Reader(text, file, limits).read()


def load_vnnlib(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Property:
    """Read the VNN-LIB 1.0 file ``path``; its size is checked before it is read."""
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
    except OSError as err:
        raise PropertyError(f"cannot read the property file ({err.strerror})", file=name,
                            hint="check the path") from None
    if size > limits.max_file_bytes:
        raise LimitError(f"file of {size} bytes is larger than the limit of "
                         f"{limits.max_file_bytes} (Limits.max_file_bytes)", file=name)
    try:
        raw = p.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PropertyError("the file is not UTF-8 text", file=name,
                            hint="a VNN-LIB file is plain text") from None
    except OSError as err:
        raise PropertyError(f"cannot read the property file ({err.strerror})", file=name,
                            hint="check the path") from None
    return parse_vnnlib(text, file=name, limits=limits)
