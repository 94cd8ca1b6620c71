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
from symresnet.present.widths import latex_width

__all__ = ["TermPrinter"]

#: a ``\\quad`` and a ``+`` with its spaces, in points
_QUAD = 10.95 * 1.06
_PLUS = 13.4 * 1.06


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


def _top_level_terms(latex: str) -> list[str]:
    """``a + b - c`` as ``["a", "+ b", "- c"]``: cut before each `` + `` or `` - `` that is
    outside every brace, ``\\left ... \\right`` and ``\\{ ... \\}`` (sympy prints the
    binary signs of a sum with a space on each side)."""
    pieces, start, depth, i = [], 0, 0, 0
    while i < len(latex):
        if latex.startswith((r"\left", r"\{"), i):
            depth += 1
        elif latex.startswith((r"\right", r"\}"), i):
            depth -= 1
        elif latex[i] == "{":
            depth += 1
        elif latex[i] == "}":
            depth -= 1
        elif depth == 0 and i > start and latex.startswith((" + ", " - "), i):
            pieces.append(latex[start:i])
            start = i + 1
        i += 2 if latex[i] == "\\" else 1
    pieces.append(latex[start:])
    return pieces


class TermPrinter:
    """The LaTeX of the terms of :mod:`symresnet.explain.derivation`, in the book's notation.

    The tree is printed as written (the order of terms is never changed); only atoms go through
    :class:`~symresnet.present.latex.AtomPrinter`.  Matrices are ``pmatrix`` es; past
    ``max_rows``/``max_columns`` the middle is elided with ``\\vdots``/``\\cdots``.  ``fraktur``
    chooses ``\\mathfrak{M}`` or ``M``; ``activation_symbol`` replaces the symbol of the hidden
    layers' activation.  ``inline`` prints for running text: matrices as ``smallmatrix`` (the
    lines keep their spacing) and brackets around tall arguments as ``\\bigl( \\bigr)``, which
    TeX may break inside (a ``\\left( \\right)`` group cannot break).
    """

    def __init__(
        self,
        *,
        names: Mapping[sympy.Symbol, NameLabel] | None = None,
        fraktur: bool = True,
        activation_symbol: str | None = None,
        max_rows: int = 8,
        max_columns: int = 8,
        inline: bool = False,
    ) -> None:
        self.inline = inline
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
        if self.inline:
            body = join([r"\begin{smallmatrix}", r" \\ ".join(lines), r"\end{smallmatrix}"])
            return join([r"\left(", body, r"\right)"])
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
                # a long set of pairs (S) in running text may break after its commas
                long = len(items) > 2 and isinstance(items[0], TupleTerm)
                sep = r", \allowbreak " if long else ", "
                return join([r"\{", self._items(items, sep), r"\}"])
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

    def _items(self, items: tuple[Term, ...], sep: str = ", ") -> Latex:
        shown = [
            r"\ldots" if i is None else self.term(items[i])
            for i in _elide(len(items), self.max_columns)
        ]
        return join(shown, sep)

    def _paren(self, t: Term) -> Latex:
        inner = self.term(t)
        if _tall(t) and self.inline:
            return join([r"\bigl(", inner, r"\bigr)"])
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

    def chain_lines(self, chain: Chain, width: float) -> list[Latex]:
        """The chain broken into ``&``-aligned rows (``x_{2} &= ...``, ``&= ...``) that fit
        ``width`` points by :meth:`width`, in the book's style (the breaking rule of
        ``docs/derivations.md``, "Line breaking"):

        1. a chain that fits is one row;
        2. otherwise the first link is the row of the left-hand side, as in (1.156), and each
           further link goes on the current row if it fits, else on a new row ``&= ...`` (the
           continuation rows start at the alignment point, so they have ``width`` minus the
           left-hand side); the last link (the result) stays with the one before it when the
           two fit a row;
        3. a link too wide for a row of its own that is ``M(t_1 + ... + t_n)`` breaks between its
           summands into rows ``&\\quad + t_i ...``, and a summand ``A x`` too wide for such a
           row puts its factors (the wide matrix) on rows of their own.

        What cannot break (one matrix or vector wider than the line) is left to the naming of
        long values (:class:`~symresnet.explain.tree.DerivationOptions`)."""
        indent = self.width(chain.first)
        room = max(width - indent, width / 3)
        items = [(self.relation(link), link.term, self._link_width(link)) for link in chain.links]
        head = self.term(chain.first) + " &"
        if indent + sum(w for _, _, w in items) <= width:
            return [Latex(head + " ".join(f"{rel} {self.term(t)}" for rel, t, _ in items))]
        rows: list[str] = []
        current, used = head, 0.0
        if indent + items[0][2] > width and not self._breakable(items[0][1]):
            # a wide left-hand side and an unbreakable first link: align at the left margin,
            # "& lhs", "&\\qquad = t_1", ... (continuation rows then have the whole width)
            rows, current = ["& " + self.term(chain.first)], r"&\qquad"
            room = width - 2 * _QUAD
        lead = current if rows else "&"
        last = len(items) - 1
        for n, (rel, term, w) in enumerate(items):
            # the result stays on the row of the sum that gives it when the two fit a row
            together = w + items[-1][2] if n == last - 1 and w + items[-1][2] <= room else w
            if n == 1 or (n > 1 and used + together > room):
                rows.append(current)
                current, used = lead, 0.0
            sep = "" if current == lead or current.endswith("&") else " "
            if w > room and isinstance(term, Apply) and isinstance(term.argument, Sum):
                rel_w = latex_width(rel) + 1.0
                pieces = self._broken_apply(term, room - rel_w, room - _QUAD)
                current += f"{sep}{rel} {pieces[0][0]}"
                used = rel_w + pieces[0][1]
                for piece, piece_w in pieces[1:]:
                    rows.append(current)
                    current, used = rf"&\quad {piece}", _QUAD + piece_w
                continue
            if w > room and isinstance(term, Atom | Condition):
                rel_w = latex_width(rel) + 1.0
                first, *rest = self._broken_atom(self.term(term), room - rel_w, room - _QUAD)
                current += f"{sep}{rel} {first}"
                for piece in rest:
                    rows.append(current)
                    current = rf"&\quad {{}} {piece}"
                used = latex_width(current)
                continue
            current += f"{sep}{rel} {self.term(term)}"
            used += w
        rows.append(current)
        return [Latex(row) for row in rows]

    def _broken_atom(self, latex: str, first: float, rest: float) -> list[str]:
        """A long value ``a + b - c ...`` cut into rows before a ``+`` or ``-`` outside all
        brackets, the first at most ``first`` points wide, the others ``rest`` (each
        continuation row starts with its sign, after ``{}`` so that it stays binary)."""
        pieces = _top_level_terms(latex)
        rows = [pieces[0]]
        for piece in pieces[1:]:
            limit, lead = (first, "") if len(rows) == 1 else (rest, "{} ")
            if latex_width(lead + rows[-1] + " " + piece) > limit:
                rows.append(piece)
            else:
                rows[-1] += " " + piece
        return rows

    @staticmethod
    def _breakable(term: Term) -> bool:
        return isinstance(term, Atom | Condition) or (
            isinstance(term, Apply) and isinstance(term.argument, Sum)
        )

    def _link_width(self, link: Link) -> float:
        return latex_width(f"{self.relation(link)} {self.term(link.term)}")

    def _broken_apply(self, apply: Apply, first: float, rest: float) -> list[tuple[str, float]]:
        """``M(t_1 + ... + t_n)`` as rows ``M\\left(t_1 + t_2\\right.``, ``\\left. + t_3\\right)``
        with their widths: the first at most ``first`` points wide, the others ``rest`` (as far
        as single summands, or single factors of a too-wide product, allow)."""
        assert isinstance(apply.argument, Sum), "chain_lines breaks only an M(sum)"
        head = join([self.M, "_{", self.function(apply.function), ",", self.term(apply.dim), "}"])
        # the pieces a row may end after: whole summands, or the factors of a too-wide product
        pieces: list[tuple[str, bool]] = []  # (LaTeX, starts a summand)
        for t in apply.argument.terms:
            s = self._summand(t)
            # a product that might not fit a row (the first, after the head, or another)
            wide = latex_width(head + r"\left(" + s) + _PLUS > min(first, rest)
            if isinstance(t, Product) and wide:
                factors = [self._factor(f) for f in t.factors]
                pieces += [(f, i == 0) for i, f in enumerate(factors)]
            else:
                pieces.append((s, True))
        rows: list[list[str]] = [[]]
        limit = first
        for text, summand in pieces:
            if rows[-1]:
                opening = head + r"\left(" if len(rows) == 1 else r"\left. "
                glue = " + " if summand else " "
                trial = opening + "".join(rows[-1]) + glue + text + r"\right)"
                if latex_width(trial) > limit:
                    rows.append([])
                    limit = rest
            if rows[-1]:
                glue = " + " if summand else " "
            else:
                glue = "+ " if summand and len(rows) > 1 else ""
            rows[-1].append(glue + text)
        out = []
        for n, row in enumerate(rows):
            left = head + r"\left(" if n == 0 else r"\left. "
            right = r"\right)" if n == len(rows) - 1 else r"\right."
            text = left + "".join(row) + right
            out.append((text, latex_width(text)))
        return out

    # widths, for line breaking: the estimate of symresnet.present.widths on the printed term
    def width(self, t: Term) -> float:
        """About how wide ``t`` prints, in points of an 11pt display (:func:`latex_width`)."""
        return latex_width(self.term(t))
