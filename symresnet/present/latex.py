"""LaTeX atoms: the escape filter for free text, safe names in math, and the one atom printer.

Everything that ends up in a LaTeX file goes through this module:

* free text (titles, labels, notes) through :func:`escape`, which makes every character print
  as itself (``\\input{x}`` prints as text, ``%`` does not start a comment);
* parameter names through :func:`math_name`, which accepts only ``[A-Za-z][A-Za-z0-9_]*``
  (``a_1`` prints as ``a_{1}``, ``alpha`` as ``\\alpha``, ``rate`` as ``\\mathit{rate}``);
* exact values (the entries of matrices and vectors) through :class:`AtomPrinter`, a sympy
  :class:`~sympy.printing.latex.LatexPrinter` subclass (``\\frac{3}{7}``, ``-\\frac{3}{7}``,
  ``\\max\\{x, 0\\}``, ``\\ln``; long integers get ``\\allowbreak`` between digit groups).

The result of each is a :class:`Latex` string: the renderer passes only :class:`Latex` values
to templates unescaped (see :mod:`symresnet.present.render`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TypeGuard

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

from symresnet.base.errors import RenderError
from symresnet.explain.tree import (
    Apply,
    Atom,
    Chain,
    Condition,
    LayerActivation,
    LayerSpace,
    Link,
    ListTerm,
    MatrixTerm,
    NameLabel,
    Product,
    Realization,
    SetTerm,
    SkipFamily,
    SkipSpace,
    SkipSum,
    Space,
    Sum,
    Term,
    TupleTerm,
    ValueTerm,
    Var,
)
from symresnet.model.activations import Activation
from symresnet.values.exact import exact_str
from symresnet.values.relations import Relation

__all__ = [
    "NAME",
    "NEGATED_SYMBOLS",
    "RELATION_SYMBOLS",
    "AtomPrinter",
    "Latex",
    "TermPrinter",
    "escape",
    "integer_digits",
    "join",
    "math_name",
    "safe_symbol",
]


class Latex(str):
    """A string that already is LaTeX (printed by symresnet or escaped): inserted verbatim."""

    __slots__ = ()


def join(parts: Iterable[str], sep: str = "") -> Latex:
    """Concatenate LaTeX pieces with ``sep`` (a small helper instead of f-strings with braces)."""
    return Latex(sep.join(parts))


# -- free text -----------------------------------------------------------------------------------

_TEXT_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "%": r"\%",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': "''",
    "\u2013": "--",
    "\u2014": "---",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
    "\u00df": r"\ss{}",
    "\u00e6": r"\ae{}",
    "\u00c6": r"\AE{}",
    "\u00f8": r"\o{}",
    "\u00d8": r"\O{}",
    "\u0153": r"\oe{}",
    "\u0152": r"\OE{}",
}

#: combining accents that LaTeX's text accents cover (OT1 encoding, no extra packages)
_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0308": '"',
    "\u0304": "=",
    "\u0307": ".",
    "\u030a": "r",
    "\u030c": "v",
    "\u0306": "u",
    "\u030b": "H",
    "\u0327": "c",
}


def _escape_char(ch: str) -> str:
    if ch in _TEXT_SPECIALS:
        return _TEXT_SPECIALS[ch]
    if " " <= ch <= "~":
        return ch
    if ch in "\t\n\r\f\v" or unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
        return " "
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if " " <= base <= "~" and base.isalpha() and marks and all(m in _ACCENTS for m in marks):
        out = "\\i" if base == "i" else base
        for mark in marks:
            out = f"\\{_ACCENTS[mark]}{{{out}}}"
        return out
    return "?"


def escape(text: object) -> Latex:
    """Free text as LaTeX that prints every character as itself (a :class:`Latex` is returned
    unchanged, so escaping twice is harmless).

    Specials (``\\ { } $ & # ^ _ ~ % < > |``) become their text forms, line breaks and tabs
    become spaces, accented Latin letters become LaTeX accents (``é`` -> ``\\'{e}``), other
    characters that pdflatex cannot typeset without extra packages become ``?``.
    """
    if isinstance(text, Latex):
        return text
    return Latex("".join(_escape_char(ch) for ch in str(text)))


# -- names in math -------------------------------------------------------------------------------

#: what a parameter name must look like before it goes into math
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

_GREEK = frozenset(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "pi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "chi",
        "psi",
        "omega",
        "Gamma",
        "Delta",
        "Theta",
        "Lambda",
        "Xi",
        "Pi",
        "Sigma",
        "Upsilon",
        "Phi",
        "Psi",
        "Omega",
    ]
)


def _word(word: str) -> str:
    if len(word) == 1 or word.isdigit():
        return word
    if word in _GREEK:
        return "\\" + word
    return rf"\mathit{{{word}}}"


def math_name(name: str) -> Latex:
    """A parameter name in math: ``a`` -> ``a``, ``a_1`` -> ``a_{1}``, ``alpha`` -> ``\\alpha``,
    ``rate`` -> ``\\mathit{rate}``, ``w_in_2`` -> ``w_{\\mathit{in},2}``.

    Raises :class:`~symresnet.base.errors.RenderError` unless ``name`` matches :data:`NAME`.
    """
    if not isinstance(name, str) or not NAME.match(name):
        raise RenderError(
            f"{name!r} cannot be printed as a name in a formula",
            place="names",
            hint="names must match [A-Za-z][A-Za-z0-9_]*",
        )
    base, underscore, sub = name.partition("_")
    parts = sub.split("_") if sub else []
    if underscore and (not parts or any(not p for p in parts)):  # "a_", "a__b": no clean subscript
        return Latex(r"\mathit{" + name.replace("_", r"\_") + "}")
    out = _word(base)
    if parts:
        out += "_{" + ",".join(_word(p) for p in parts) + "}"
    return Latex(out)


def safe_symbol(symbol: str) -> Latex:
    """An activation symbol chosen by a user: an identifier (printed by :func:`math_name`), a
    Greek letter command (``\\sigma``) or one font command around letters
    (``\\mathfrak{s}``, ``\\operatorname{act}``).  Anything else raises ``RenderError``."""
    if NAME.match(symbol):
        return math_name(symbol)
    m = re.fullmatch(r"\\([A-Za-z]+)", symbol)
    if m and m.group(1) in _GREEK:
        return Latex(symbol)
    fonts = "mathfrak|mathrm|mathit|mathbf|mathcal|mathsf|mathtt|operatorname"
    if re.fullmatch(rf"\\(?:{fonts})\{{[A-Za-z]+\}}", symbol):
        return Latex(symbol)
    raise RenderError(
        f"activation symbol {symbol!r} is not accepted",
        place="activation_symbol",
        hint=r"use a name like 'sigma', a Greek letter like \sigma, or \mathfrak{s}",
    )


# -- exact values --------------------------------------------------------------------------------

#: integers longer than this get ``\allowbreak`` every :data:`DIGIT_GROUP` digits
LONG_NUMBER = 48
DIGIT_GROUP = 12


def integer_digits(n: int) -> str:
    """The decimal digits of ``n`` (any size: Python's 4,300-digit limit does not apply)."""
    return exact_str(n)


def _breakable(digits: str) -> str:
    if len(digits) <= LONG_NUMBER:
        return digits
    sign = "-" if digits.startswith("-") else ""
    body = digits.lstrip("-")
    head = len(body) % DIGIT_GROUP or DIGIT_GROUP
    groups = [body[:head]] + [
        body[i : i + DIGIT_GROUP] for i in range(head, len(body), DIGIT_GROUP)
    ]
    return sign + r"\allowbreak ".join(groups)


class AtomPrinter(LatexPrinter):
    """The LaTeX of one exact value (an entry of a matrix, a parameter, a condition).

    ``names`` maps the symbols a derivation introduced for abbreviated values to their LaTeX
    (``x_{2,1}``); every other symbol must be a parameter name matching :data:`NAME`.  Types
    sympy would print through ``str`` (and could smuggle arbitrary text) raise ``RenderError``.
    """

    printmethod = "_symresnet_latex"

    def __init__(self, names: Mapping[sympy.Symbol, str] | None = None) -> None:
        super().__init__({"ln_notation": True, "mul_symbol": None})
        self._names = dict(names or {})

    def emptyPrinter(self, expr: object) -> str:
        raise RenderError(f"cannot print {type(expr).__name__} in a formula", place="values")

    def _print_Symbol(self, expr: sympy.Symbol, style: str = "plain") -> str:
        if expr in self._names:
            return self._names[expr]
        return math_name(expr.name)

    _print_Dummy = _print_Symbol

    def _print_Str(self, expr: sympy.Basic) -> str:
        return math_name(str(expr))

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return _breakable(integer_digits(int(expr)))

    def _print_Rational(self, expr: sympy.Rational) -> str:
        p, q = int(expr.p), int(expr.q)
        if q == 1:
            return self._print_Integer(expr)
        frac = rf"\frac{{{_breakable(integer_digits(abs(p)))}}}{{{_breakable(integer_digits(q))}}}"
        return "-" + frac if p < 0 else frac

    def _print_minmax(self, expr: sympy.Basic, name: str) -> str:
        args = ", ".join(self._print(a) for a in expr.args)
        return rf"\{name}\{{{args}\}}"

    def _print_Max(self, expr: sympy.Max, exp: str | None = None) -> str:
        out = self._print_minmax(expr, "max")
        return rf"\left({out}\right)^{{{exp}}}" if exp else out

    def _print_Min(self, expr: sympy.Min, exp: str | None = None) -> str:
        out = self._print_minmax(expr, "min")
        return rf"\left({out}\right)^{{{exp}}}" if exp else out

    def _print_Function(self, expr: sympy.Function, exp: str | None = None) -> str:
        if isinstance(expr, AppliedUndef) and not NAME.match(expr.func.__name__):
            raise RenderError(
                f"function name {expr.func.__name__!r} is not printable", place="values"
            )
        return super()._print_Function(expr, exp)

    def atom(self, value: sympy.Basic) -> Latex:
        """The LaTeX of ``value``."""
        return Latex(self.doprint(value))


# -- derivation terms ----------------------------------------------------------------------------


#: LaTeX of the relations of :class:`~symresnet.explain.derivation.Link` (the claims' from
#: :class:`~symresnet.values.relations.Relation`)
RELATION_SYMBOLS = {r.value: r.latex for r in Relation} | {"in": r"\in", "defines": ":="}
#: their negations (amssymb)
NEGATED_SYMBOLS = {r.value: r.negated_latex for r in Relation} | {"in": r"\notin"}


def _elide(count: int, limit: int) -> list[int | None]:
    """Indices to show of ``count``: all, or the first ``limit - 2``, a gap (``None``), the last."""
    if count <= limit:
        return list(range(count))
    return [*range(limit - 2), None, count - 1]


def _is_scalar(term: Term) -> TypeGuard[Atom | ValueTerm]:
    return isinstance(term, Atom) or (isinstance(term, ValueTerm) and term.value.shape == (1, 1))


def _scalar(term: Atom | ValueTerm) -> sympy.Expr:
    return term.value if isinstance(term, Atom) else term.value[0]


def _bracketed(term: Term) -> bool:
    """Printed inside its own brackets (a pmatrix)."""
    return isinstance(term, MatrixTerm) or (isinstance(term, ValueTerm) and not _is_scalar(term))


def _tall(term: Term) -> bool:
    """Contains a matrix, so its surrounding brackets must grow (``\\left( ... \\right)``)."""
    match term:
        case MatrixTerm() | ValueTerm():
            return _bracketed(term)
        case Product(factors=items) | Sum(terms=items):
            return any(_tall(t) for t in items)
        case Apply(argument=a) | Realization(argument=a):
            return _tall(a)
        case SkipSum():
            return True
    return False


def _signed(value: sympy.Expr) -> bool:
    """A scalar that needs brackets as a factor or summand: ``(-1)(5)``, ``2 + (-3)``."""
    return bool(value.could_extract_minus_sign())


class TermPrinter:
    """The LaTeX of the terms of :mod:`symresnet.explain.derivation`, in the book's notation.

    The tree is printed as written (the order of terms is never changed); only atoms go through
    :class:`AtomPrinter`.  Matrices are ``pmatrix`` es; past ``max_rows``/``max_columns`` the
    middle is elided with ``\\vdots``/``\\cdots``.  ``fraktur`` chooses ``\\mathfrak{M}`` or
    ``M``; ``activation_symbol`` replaces the symbol of the hidden layers' activation.
    """

    def __init__(
        self,
        *,
        names: Mapping[sympy.Symbol, NameLabel] | None = None,
        fraktur: bool = True,
        activation_symbol: str | None = None,
        max_rows: int = 8,
        max_columns: int = 8,
    ) -> None:
        labels = {
            sym: f"{label.kind}_{{{label.k},{label.i}}}" for sym, label in (names or {}).items()
        }
        self.atoms = AtomPrinter(labels)
        self.M = r"\mathfrak{M}" if fraktur else "M"
        self.symbol = None if activation_symbol is None else safe_symbol(activation_symbol)
        self.max_rows = max(3, max_rows)
        self.max_columns = max(3, max_columns)

    # atoms and matrices
    def atom(self, value: sympy.Basic) -> Latex:
        return self.atoms.atom(value)

    def matrix(self, m: sympy.MatrixBase) -> Latex:
        """``\\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix}``, elided past the size limits."""
        cols = _elide(m.cols, self.max_columns)
        lines = []
        for i in _elide(m.rows, self.max_rows):
            if i is None:
                cells = [r"\ddots" if j is None else r"\vdots" for j in cols]
            else:
                cells = [r"\cdots" if j is None else self.atom(m[i, j]) for j in cols]
            lines.append(" & ".join(cells))
        return join([r"\begin{pmatrix}", r" \\ ".join(lines), r"\end{pmatrix}"])

    def activation(self, act: Activation) -> Latex:
        """The symbol of ``act``: ``\\mathfrak{r}``, ``\\mathrm{id}_{\\mathbb{R}}``, ..."""
        if act.name == "identity":
            return Latex(act.latex)
        if self.symbol is not None:
            return self.symbol
        for _, value in act.params:
            for sym in value.free_symbols:
                math_name(sym.name)  # only whitelisted names reach sympy.latex
        return Latex(act.latex)

    def function(self, f: Activation | LayerActivation) -> Latex:
        if isinstance(f, LayerActivation):
            return join(
                [
                    self.activation(f.activation),
                    rf"\mathbf{{1}}_{{(0,{f.L})}}(k) + \mathrm{{id}}_{{\mathbb{{R}}}}",
                    rf"\mathbf{{1}}_{{\{{{f.L}\}}}}(k)",
                ]
            )
        return self.activation(f)

    # terms
    def term(self, t: Term) -> Latex:
        """The LaTeX of one term."""
        match t:
            case Var(name=name, index=index):
                base = r"\Phi" if name == "Phi" else name
                return Latex(base + ("_{" + ",".join(map(str, index)) + "}" if index else ""))
            case Atom(value=v):
                return self.atom(v)
            case MatrixTerm(value=m):
                return self.matrix(m)
            case ValueTerm(value=m):
                return self.atom(m[0]) if m.shape == (1, 1) else self.matrix(m)
            case Product(factors=fs):
                return self._product(fs)
            case Sum(terms=ts):
                return join([self._summand(x) for x in ts], " + ")
            case Apply(function=f, dim=d, argument=a):
                return join(
                    [self.M, "_{", self.function(f), ",", self.term(d), "}", self._paren(a)]
                )
            case SkipSum():
                return Latex(r"\sum_{r \in \mathbb{N}_0,\, (r,k) \in S} V_{r,k} x_{r}")
            case Realization(activation=act, argument=a):
                head = rf"\bigl(\mathcal{{R}}^{{\mathbf{{R}}}}_{{{self.activation(act)}}}(\Phi, V)\bigr)"
                return join([head, self._paren(a)])
            case TupleTerm(items=items):
                return join(["(", self._items(items), ")"])
            case SetTerm(items=()):
                return Latex(r"\emptyset")
            case SetTerm(items=items):
                return join([r"\{", self._items(items), r"\}"])
            case ListTerm(items=items):
                return self._items(items)
            case Space(dim=d):
                if d is None:
                    return Latex(r"\mathbb{R}")
                return Latex(rf"\mathbb{{R}}^{{{int(d)}}}")
            case LayerSpace(L=L):
                return Latex(
                    rf"\bigl(\times_{{k=1}}^{{{int(L)}}}(\mathbb{{R}}^{{l_{{k}} \times l_{{k-1}}}}"
                    r" \times \mathbb{R}^{l_{k}})\bigr)"
                )
            case SkipFamily():
                return Latex(r"(V_{r,k})_{(r,k) \in S}")
            case SkipSpace():
                return Latex(r"\times_{(r,k) \in S} \mathbb{R}^{l_{k} \times l_{r}}")
            case Condition(value=v):
                return self.atom(v)
        raise TypeError(f"not a derivation term: {t!r}")

    def _items(self, items: tuple[Term, ...]) -> Latex:
        shown = [
            r"\ldots" if i is None else self.term(items[i])
            for i in _elide(len(items), self.max_columns)
        ]
        return join(shown, ", ")

    def _paren(self, t: Term) -> Latex:
        inner = self.term(t)
        if _tall(t):
            return join([r"\left(", inner, r"\right)"])
        return join(["(", inner, ")"])

    def _factor(self, t: Term) -> Latex:
        s = self.term(t)
        if _is_scalar(t) and (_signed(_scalar(t)) or _scalar(t).is_Add):
            return join(["(", s, ")"])
        return s

    def _product(self, factors: tuple[Term, ...]) -> Latex:
        out: list[str] = []
        for prev, cur in zip((None, *factors[:-1]), factors, strict=True):
            if prev is not None:
                if _is_scalar(prev) and _is_scalar(cur):
                    out.append(r" \cdot ")
                elif not (_bracketed(prev) and _bracketed(cur)):
                    out.append(" ")
            out.append(self._factor(cur))
        return join(out)

    def _summand(self, t: Term) -> Latex:
        if isinstance(t, Sum) or (_is_scalar(t) and _signed(_scalar(t))):
            return join(["(", self.term(t), ")"])
        return self.term(t)

    # relations and chains
    def relation(self, link: Link) -> Latex:
        table = NEGATED_SYMBOLS if link.negated else RELATION_SYMBOLS
        return Latex(table[link.relation])

    def chain(self, chain: Chain) -> Latex:
        """``first rel t1 rel t2 ...`` on one line."""
        parts = [self.term(chain.first)]
        for link in chain.links:
            parts += [self.relation(link), self.term(link.term)]
        return join(parts, " ")

    def chain_lines(self, chain: Chain, width: int) -> list[Latex]:
        """The chain broken into aligned lines (``x_{2} &= ...``, ``&= ...``) of about ``width``
        points (see :meth:`width`); a long ``M(t_1 + t_2 + ...)`` breaks between its summands."""
        lines: list[str] = []
        current, used = self.term(chain.first) + " &", self.width(chain.first)
        total = used + sum(self.width(link.term) + 15 for link in chain.links)
        widths = [self.width(link.term) + 15 for link in chain.links]
        last = len(chain.links)
        for n, link in enumerate(chain.links, 1):
            rel, w = self.relation(link), widths[n - 1]
            # the result stays on the line of the sum that gives it: "= M((5; 11)) = (5; 11)"
            # (so the sum needs room for both); a chain that does not fit breaks after its
            # first link, as the book's (1.156)
            glued = n == last and n > 1
            needed = w + (widths[-1] if n == last - 1 and last > 2 else 0)
            after_first = n == 2 and total > width
            if not current.endswith("&") and (after_first or (used + needed > width and not glued)):
                lines.append(current)
                current, used = "&", 0
            sep = "" if current.endswith("&") else " "
            term = link.term
            if used + w > width and isinstance(term, Apply) and isinstance(term.argument, Sum):
                first, *rest = self._broken_apply(term, width - used)
                current += f"{sep}{rel} {first}"
                for piece in rest:
                    lines.append(current)
                    current = rf"&\quad {piece}"
                used = width // 2
                continue
            current += f"{sep}{rel} {self.term(term)}"
            used += w
        lines.append(current)
        return [Latex(line) for line in lines]

    def _broken_apply(self, apply: Apply, width: float) -> list[str]:
        """``M(t_1 + ... + t_n)`` as pieces ``M\\left(t_1 + t_2\\right.``, ``\\left. + t_3\\right)``."""
        assert isinstance(apply.argument, Sum), "chain_lines breaks only an M(sum)"
        terms = apply.argument.terms
        groups: list[list[Term]] = [[]]
        used: float = 0
        for t in terms:
            w = self.width(t) + 14
            if groups[-1] and used + w > width:
                groups.append([])
                used = 0
            groups[-1].append(t)
            used += w
        head = join([self.M, "_{", self.function(apply.function), ",", self.term(apply.dim), "}"])
        pieces = []
        for n, group in enumerate(groups):
            body = join([self._summand(t) for t in group], " + ")
            left = head + r"\left(" if n == 0 else r"\left. + "
            right = r"\right)" if n == len(groups) - 1 else r"\right."
            pieces.append(left + body + right)
        return pieces

    # widths, for line breaking: about how many points (at 11pt) a term takes in display math,
    # fitted once to pdflatex's measurements of a few hundred terms (median error about 8%)
    def _atom_width(self, v: sympy.Expr, *, small: bool = False) -> float:
        digit, frac, minus, char = (3.4, 4.9, 12.5, 3.0) if small else (6.0, 5.9, 10.4, 3.2)
        if v.is_Rational:
            p, q = exact_str(abs(int(v.p))), exact_str(int(v.q))
            body = digit * len(p) if v.q == 1 else frac * max(len(p), len(q)) + 1.6
            return body + minus * (v.p < 0)
        return char * len(exact_str(v))

    def width(self, t: Term) -> float:
        """About how wide ``t`` prints, in points of an 11pt display."""
        match t:
            case Var(index=index):
                return 7.3 + 4.7 * len(",".join(map(str, index)))
            case Atom(value=v):
                return self._atom_width(v)
            case MatrixTerm(value=m) | ValueTerm(value=m):
                if isinstance(t, ValueTerm) and m.shape == (1, 1):
                    return self._atom_width(m[0])
                rows = [i for i in _elide(m.rows, self.max_rows) if i is not None]
                cols = _elide(m.cols, self.max_columns)
                widths = [
                    2.0 if j is None else max(self._atom_width(m[i, j], small=True) for i in rows)
                    for j in cols
                ]
                return sum(widths) + 13 * (len(cols) - 1) + 15
            case Product(factors=items):
                return sum(self.width(x) for x in items)
            case Sum(terms=items):
                return sum(self.width(x) for x in items) + 13.7 * (len(items) - 1)
            case Apply(function=f, argument=a):
                head = 19.0 if isinstance(f, Activation) and f.name == "identity" else 29.0
                return head + (30 if _tall(a) else 18) + self.width(a)
            case Realization(argument=a):
                return 52 + self.width(a)
            case TupleTerm(items=items) | SetTerm(items=items) | ListTerm(items=items):
                shown = [items[i] for i in _elide(len(items), self.max_columns) if i is not None]
                return sum(self.width(x) for x in shown) + 8 * len(shown) + 6
            case Space() | SkipFamily():
                return 20
            case LayerSpace() | SkipSpace() | SkipSum():
                return 80
            case Condition(value=v):
                return self._atom_width(v)
        raise TypeError(f"not a derivation term: {t!r}")
