"""LaTeX atoms: the escape filter for free text, safe names in math, and the one atom printer.

Everything that ends up in a LaTeX file goes through this module:

* free text (titles, labels, notes) through :func:`escape`, which makes every character print
  as itself (``\\input{x}`` prints as text, ``%`` does not start a comment);
* parameter names through :func:`math_name`, which accepts only ``[A-Za-z][A-Za-z0-9_]*``
  (``a_1`` prints as ``a_{1}``, ``alpha`` as ``\\alpha``, ``rate`` as ``\\mathit{rate}``);
* exact values (the entries of matrices and vectors) through :class:`AtomPrinter`, a sympy
  :class:`~sympy.printing.latex.LatexPrinter` subclass (``\\frac{3}{7}``, ``-\\frac{3}{7}``,
  ``\\max\\{x, 0\\}``, ``\\ln``; long integers get ``\\allowbreak`` between digit groups).

The result of each is a :class:`Latex` string: the views pass only :class:`Latex` values to
templates unescaped (see :mod:`symresnet.present.views`).  Derivation terms are printed from
these atoms by :class:`symresnet.present.terms.TermPrinter`, with the relation symbols of
:data:`RELATION_SYMBOLS` and :data:`NEGATED_SYMBOLS`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

from symresnet.base.errors import RenderError
from symresnet.solve.readable import Chain, Compare, Item, Member, readable
from symresnet.values.exact import exact_str
from symresnet.values.relations import Relation

__all__ = [
    "NAME",
    "NEGATED_SYMBOLS",
    "RELATION_SYMBOLS",
    "AtomPrinter",
    "Latex",
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
        #: everything besides the value that the LaTeX of an atom depends on (the cache key)
        self._key = (type(self), frozenset(self._names.items()))

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

    def _print_readable(self, expr: sympy.Basic) -> str | None:
        """A condition as :mod:`symresnet.solve.readable` lays it out (the terminal's words)."""
        shown = readable(expr)
        if shown is None:
            return None
        return shown.layout(
            item=self._print_item,
            conjunction=r" \text{ and } ",
            disjunction=r" \text{ or } ",
            parens=(r"\bigl(", r"\bigr)"),
            always=r"\text{always}",
            never=r"\text{never}",
        )

    def _print_item(self, item: Item) -> str:
        rel = {"<": "<", "<=": r"\leq", ">": ">", ">=": r"\geq", "==": "=", "!=": r"\neq"}
        match item:
            case Compare(lhs, op, rhs):
                return f"{self._print(lhs)} {rel[op]} {self._print(rhs)}"
            case Chain(lo, lo_op, name, hi_op, hi):
                return (
                    f"{self._print(lo)} {rel[lo_op]} {self._print(name)} {rel[hi_op]} "
                    f"{self._print(hi)}"
                )
            case Member(name, values):
                inner = ", ".join(self._print(v) for v in values)
                return rf"{self._print(name)} \in \{{{inner}\}}"
        raise TypeError(item)

    def _print_And(self, expr: sympy.And) -> str:
        shown = self._print_readable(expr)
        return shown if shown is not None else super()._print_And(expr)

    def _print_Or(self, expr: sympy.Or) -> str:
        shown = self._print_readable(expr)
        return shown if shown is not None else super()._print_Or(expr)

    def atom(self, value: sympy.Basic) -> Latex:
        """The LaTeX of ``value`` (from a bounded cache keyed by the printer's class, its
        ``names`` and the value with its type: a sheet prints the same entries many times)."""
        try:
            return _cached_atom((self._key, type(value)), value)
        except TypeError:  # an unhashable value (a mutable matrix): printed each time
            return Latex(self.doprint(value))


@functools.lru_cache(maxsize=4096)
def _cached_atom(
    key: tuple[tuple[type[AtomPrinter], frozenset[tuple[sympy.Symbol, str]]], type],
    value: sympy.Basic,
) -> Latex:
    """The LaTeX of ``value`` by a printer made from ``key`` (its class and its ``names``;
    the type of ``value`` is in the key too: equal values of two types may print apart)."""
    (cls, names), _ = key
    return Latex(cls(dict(names)).doprint(value))


# -- relations -----------------------------------------------------------------------------------

#: LaTeX of the relations of :class:`~symresnet.explain.tree.Link` (the claims' from
#: :class:`~symresnet.values.relations.Relation`)
RELATION_SYMBOLS = {r.value: r.latex for r in Relation} | {"in": r"\in", "defines": ":="}
#: their negations (amssymb)
NEGATED_SYMBOLS = {r.value: r.negated_latex for r in Relation} | {"in": r"\notin"}
