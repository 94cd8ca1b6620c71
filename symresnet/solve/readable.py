"""Conditions on parameters as a person writes them.

The solvers answer with sympy booleans (``(x > -3) & (x <= -2)``, ``Eq(x, -3) | Eq(x, -1)``):
exact, and readable by ``sympy.parse_expr``, but not how a condition is written in a book.
:func:`readable` turns such a boolean into a :class:`Readable`: a disjunction of conjunctions of

* :class:`Chain` s, two bounds on one name written as one chained inequality (``-3 < x <= -2``),
* :class:`Member` s, the points a name may take written as a set (``x in {-3, -1}``),
* :class:`Compare` s, every other relation (``a*b < 1``, ``b <= -2``),

without changing what it says (every item is one of the boolean's relations, or two or more of
them combined as written).  The terminal text comes from :meth:`Readable.text`; the LaTeX
printer (:mod:`symresnet.present.latex`) lays out the same structure, so both say the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import sympy

from symresnet.values.exact import exact_str

__all__ = ["Chain", "Compare", "Item", "Member", "Readable", "readable", "when_text"]

#: sympy's relation operators and how they read; ``==`` reads ``=``
OPERATORS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "=", "!=": "!="}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@dataclasses.dataclass(frozen=True)
class Compare:
    """``lhs op rhs`` with ``op`` one of ``<, <=, >, >=, ==, !=``."""

    lhs: sympy.Expr
    op: str
    rhs: sympy.Expr


@dataclasses.dataclass(frozen=True)
class Chain:
    """``lo op_lo name op_hi hi`` with ``op_lo``/``op_hi`` each ``<`` or ``<=``."""

    lo: sympy.Expr
    lo_op: str
    name: sympy.Expr
    hi_op: str
    hi: sympy.Expr


@dataclasses.dataclass(frozen=True)
class Member:
    """``name`` is one of ``values`` (increasing, at least two)."""

    name: sympy.Expr
    values: tuple[sympy.Expr, ...]


Item = Compare | Chain | Member


@dataclasses.dataclass(frozen=True)
class Readable:
    """A disjunction (``terms``) of conjunctions of items; ``()`` is *never*, ``((),)`` is
    *always*."""

    terms: tuple[tuple[Item, ...], ...]

    @property
    def always(self) -> bool:
        return any(not t for t in self.terms)

    @property
    def never(self) -> bool:
        return not self.terms

    def text(self, *, always: str = "always", never: str = "never") -> str:
        """``-3 < x <= -2``, ``x in {-3, -1}``, ``b <= -2 or a <= 0``,
        ``(a >= 0 and b < 1) or a = 3``."""
        return self.layout(
            item=_item_text, conjunction=" and ", disjunction=" or ", parens=("(", ")"),
            always=always, never=never,
        )

    def layout(
        self,
        *,
        item: Callable[[Item], str],
        conjunction: str,
        disjunction: str,
        parens: tuple[str, str],
        always: str,
        never: str,
    ) -> str:
        """The condition laid out with ``item`` for each item and the given separators (the
        one layout behind :meth:`text` and the LaTeX printer)."""
        if self.always:
            return always
        if self.never:
            return never
        many = len(self.terms) > 1
        out = []
        for term in self.terms:
            body = conjunction.join(item(i) for i in term)
            out.append(f"{parens[0]}{body}{parens[1]}" if many and len(term) > 1 else body)
        return disjunction.join(out)


def _item_text(item: Item) -> str:
    match item:
        case Compare(lhs, op, rhs):
            return f"{exact_str(lhs)} {OPERATORS[op]} {exact_str(rhs)}"
        case Chain(lo, lo_op, name, hi_op, hi):
            return f"{exact_str(lo)} {lo_op} {exact_str(name)} {hi_op} {exact_str(hi)}"
        case Member(name, values):
            return f"{exact_str(name)} in {{{', '.join(exact_str(v) for v in values)}}}"
    raise TypeError(item)


def _is_number(e: sympy.Basic) -> bool:
    return isinstance(e, sympy.Expr) and not e.free_symbols and e.is_comparable is True


def _compare(rel: sympy.Basic) -> Compare:
    """The relation with the name on the left when one side is a number."""
    lhs, rhs, op = rel.lhs, rel.rhs, rel.rel_op
    if _is_number(lhs) and not _is_number(rhs):
        lhs, rhs, op = rhs, lhs, _FLIPPED[op]
    return Compare(lhs, op, rhs)


def _conjunction(args: tuple[sympy.Basic, ...]) -> tuple[Item, ...] | None:
    """The items of a conjunction of relations (``None`` when an argument is not one)."""
    compares = []
    for a in args:
        if not isinstance(a, sympy.core.relational.Relational):
            return None
        compares.append(_compare(a))
    out: list[Item] = []
    used: set[int] = set()
    for i, c in enumerate(compares):
        if i in used:
            continue
        if c.lhs.is_Symbol and _is_number(c.rhs) and c.op in (">", ">=", "<", "<="):
            lower = c.op in (">", ">=")
            for j in range(i + 1, len(compares)):
                d = compares[j]
                if j in used or d.lhs != c.lhs or not _is_number(d.rhs):
                    continue
                if d.op in (">", ">=", "<", "<=") and (d.op in (">", ">=")) != lower:
                    lo, hi = (c, d) if lower else (d, c)
                    used.add(j)
                    out.append(
                        Chain(lo.rhs, "<" if lo.op == ">" else "<=", c.lhs,
                              "<" if hi.op == "<" else "<=", hi.rhs)
                    )
                    break
            else:
                out.append(c)
            continue
        out.append(c)
    return tuple(out)


def _sort_key(v: sympy.Expr) -> sympy.Expr:
    """Rationals compare exactly; other numbers by 60 digits (ordering only: the values
    themselves stay exact)."""
    return v if v.is_Rational else v.evalf(60)


def readable(condition: sympy.Basic) -> Readable | None:
    """``condition`` (a sympy boolean of relations, ``And``/``Or`` of them, ``true``/``false``)
    as a :class:`Readable`, or ``None`` when it has another shape (``Not``, ``Xor``, ...)."""
    if condition is sympy.true:
        return Readable(((),))
    if condition is sympy.false:
        return Readable(())
    disjuncts = condition.args if isinstance(condition, sympy.Or) else (condition,)
    terms: list[tuple[Item, ...]] = []
    points: dict[sympy.Expr, list[sympy.Expr]] = {}
    first: dict[sympy.Expr, int] = {}
    for d in disjuncts:
        conj = d.args if isinstance(d, sympy.And) else (d,)
        items = _conjunction(conj)
        if items is None:
            return None
        if len(items) == 1 and isinstance(items[0], Compare):
            c = items[0]
            if c.op == "==" and c.lhs.is_Symbol and _is_number(c.rhs):
                if c.lhs not in points:
                    points[c.lhs] = []
                    first[c.lhs] = len(terms)
                    terms.append(items)
                points[c.lhs].append(c.rhs)
                continue
        terms.append(items)
    for name, values in points.items():
        if len(values) > 1:
            ordered = tuple(sorted(dict.fromkeys(values), key=_sort_key))
            terms[first[name]] = (Member(name, ordered),)
    # intervals before isolated points, as a person lists them
    terms.sort(key=lambda t: isinstance(t[0], Member) or (
        isinstance(t[0], Compare) and t[0].op == "==" and len(t) == 1
    ))
    return Readable(tuple(terms))


def when_text(condition: sympy.Basic) -> str:
    """The readable text of ``condition`` (sympy's form when it has another shape)."""
    shown = readable(condition)
    return shown.text() if shown is not None else exact_str(condition)
