"""The LaTeX of derivation terms: :class:`TermPrinter`, the book's notation for the trees of
:mod:`symresnet.explain.tree`.

The tree is printed as written (the order of terms is never changed): ``x_{k}``, ``W_{k}``,
``\\mathfrak{M}_{\\mathfrak{r},l_{k}}(...)``, ``\\mathcal{R}^{\\mathbf{R}}_{a}(\\Phi, V)``,
matrices as ``pmatrix`` es (elided past a size limit), products, sums and the relation chains of
the proof of Example 1.5.6, broken into aligned lines of about a given width.  Only the atoms
(exact values, names) go through :mod:`symresnet.present.latex` (its
:class:`~symresnet.present.latex.AtomPrinter`, :func:`~symresnet.present.latex.safe_symbol`,
:func:`~symresnet.present.latex.math_name` and the relation symbols), so every result is a
:class:`~symresnet.present.latex.Latex` string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeGuard

import sympy

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
from symresnet.present.latex import (
    NEGATED_SYMBOLS,
    RELATION_SYMBOLS,
    AtomPrinter,
    Latex,
    join,
    math_name,
    safe_symbol,
)
from symresnet.values.exact import exact_str

__all__ = ["TermPrinter"]


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
    """Contains a matrix or a fraction, so its surrounding brackets must grow (``\\left( ...
    \\right)``): ``M\\left(\\frac{877}{210}\\right)``, not ``M(\\frac{877}{210})``."""
    if _is_scalar(term):
        return any(not r.is_integer for r in _scalar(term).atoms(sympy.Rational))
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
    :class:`~symresnet.present.latex.AtomPrinter`.  Matrices are ``pmatrix`` es; past
    ``max_rows``/``max_columns`` the middle is elided with ``\\vdots``/``\\cdots``.  ``fraktur``
    chooses ``\\mathfrak{M}`` or ``M``; ``activation_symbol`` replaces the symbol of the hidden
    layers' activation.
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
