"""The relations of claims, and exact comparisons of numbers.

A claim compares a realization with a value by one of five relations (componentwise for vector
outputs): ``equals`` (=), ``at_least`` (>=), ``at_most`` (<=), ``greater`` (>), ``less`` (<).
:class:`Relation` is the one type for them everywhere: spec keys, command-line options, JSON,
text and LaTeX symbols, and the decision itself.  It is a :class:`enum.StrEnum`, so a relation
compares equal to its spec key (``Relation.AT_MOST == "at_most"``) and prints as it.

:func:`compare` decides ``lhs ~ rhs`` exactly for sympy numbers, including closed forms
(``log(2)``, ``exp(-1)``, ``tanh(1000)``), by the sign of the difference (:func:`sign`): a
nonzero sign is proven by rigorous interval arithmetic (:mod:`symresnet.values.intervals`),
equality only by an exact proof.
"""

from __future__ import annotations

import enum
from typing import Protocol, Self, TypeVar

import sympy

from symresnet.base.errors import ClaimError
from symresnet.values.intervals import PRECISIONS, interval_sign

__all__ = ["DIGITS", "RELATION_TEXT", "Ordered", "Relation", "compare", "relation", "sign"]

#: digits to which a nonzero difference of two closed-form numbers is certified by evalf
DIGITS = 50


class Ordered(Protocol):
    """Totally ordered exact numbers (``int``, ``Fraction``, ``flint.fmpq``, sympy Rationals)."""

    def __lt__(self, other: Self, /) -> bool: ...
    def __le__(self, other: Self, /) -> bool: ...


_O = TypeVar("_O", bound=Ordered)


class Relation(enum.StrEnum):
    """``lhs ~ rhs`` for one of the five relations of a claim."""

    EQUALS = "equals"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    GREATER = "greater"
    LESS = "less"

    @property
    def text(self) -> str:
        """The symbol in plain text (``">="``)."""
        return _TEXT[self]

    @property
    def latex(self) -> str:
        """The symbol in LaTeX (``"\\geq"``)."""
        return _LATEX[self]

    @property
    def negated_latex(self) -> str:
        """The LaTeX of the negated symbol (``"\\neq"``, ``"\\ngeq"``, ...)."""
        return _NEGATED_LATEX[self]

    @property
    def option(self) -> str:
        """The command-line option (``"--at-least"``)."""
        return "--" + self.value.replace("_", "-")

    def relational(self, lhs: sympy.Expr, rhs: sympy.Expr) -> sympy.Basic:
        """``lhs ~ rhs`` as a sympy relational (``Eq``, ``Ge``, ...)."""
        return _SYMPY[self](lhs, rhs)

    def of_sign(self, s: int) -> bool:
        """Whether ``lhs ~ rhs`` holds when ``lhs - rhs`` has sign ``s`` (-1, 0 or 1)."""
        return _BY_SIGN[self](s)

    def holds(self, lhs: _O, rhs: _O) -> bool:
        """``lhs ~ rhs`` for exact ordered numbers (Fractions, fmpq, Rationals)."""
        if self is Relation.EQUALS:
            return lhs == rhs
        if self is Relation.AT_LEAST:
            return rhs <= lhs
        if self is Relation.AT_MOST:
            return lhs <= rhs
        if self is Relation.GREATER:
            return rhs < lhs
        return lhs < rhs


_TEXT = {
    Relation.EQUALS: "=",
    Relation.AT_LEAST: ">=",
    Relation.AT_MOST: "<=",
    Relation.GREATER: ">",
    Relation.LESS: "<",
}
#: relation name -> its symbol in plain text (``{"at_least": ">=", ...}``)
RELATION_TEXT: dict[str, str] = {r.value: s for r, s in _TEXT.items()}
_LATEX = {
    Relation.EQUALS: "=",
    Relation.AT_LEAST: r"\geq",
    Relation.AT_MOST: r"\leq",
    Relation.GREATER: ">",
    Relation.LESS: "<",
}
_NEGATED_LATEX = {
    Relation.EQUALS: r"\neq",
    Relation.AT_LEAST: r"\ngeq",
    Relation.AT_MOST: r"\nleq",
    Relation.GREATER: r"\ngtr",
    Relation.LESS: r"\nless",
}
_SYMPY = {
    Relation.EQUALS: sympy.Eq,
    Relation.AT_LEAST: sympy.Ge,
    Relation.AT_MOST: sympy.Le,
    Relation.GREATER: sympy.Gt,
    Relation.LESS: sympy.Lt,
}
_BY_SIGN = {
    Relation.EQUALS: lambda s: s == 0,
    Relation.AT_LEAST: lambda s: s >= 0,
    Relation.AT_MOST: lambda s: s <= 0,
    Relation.GREATER: lambda s: s > 0,
    Relation.LESS: lambda s: s < 0,
}


def relation(name: object) -> Relation:
    """The :class:`Relation` called ``name``, or a :class:`ClaimError` naming the five."""
    if isinstance(name, str):  # anything else is no relation's value either
        try:
            return Relation(name)
        except ValueError:
            pass
    raise ClaimError(f"unknown relation {name!r}: use one of {', '.join(Relation)}")


def compare(relation: str, lhs: sympy.Expr, rhs: sympy.Expr) -> bool | None:
    """Decide ``lhs <relation> rhs`` exactly; ``None`` when it is not a fixed truth value.

    Rationals are compared directly.  Closed-form numbers (``log(2)``, ``exp(-1)``, ...) are
    compared by simplifying the difference and, failing that, by evaluating it with certified
    precision (``evalf(strict=True)``): a nonzero result there proves the sign.  Expressions with
    free symbols give ``None`` unless the difference simplifies to a constant.
    """
    s = sign(lhs - rhs)
    return None if s is None else Relation(relation).of_sign(s)


def sign(d: sympy.Expr) -> int | None:
    """The exact sign (-1, 0, 1) of a sympy number, or ``None`` when it cannot be proven.

    A nonzero sign is proven by interval arithmetic (:func:`~symresnet.values.intervals.
    interval_sign`: Arb balls at increasing precision, rigorous, up to
    :data:`~symresnet.values.intervals.MAX_PRECISION` bits; ``tanh(1000) - 1`` needs about
    2,900), ``0`` only by an exact proof (:func:`_exact_sign`: sympy's simplification, logarithms
    of proven-positive factors expanded, the minimal polynomial of an algebraic number), never
    by a small number.  With free symbols the difference must simplify to a number first.
    """
    if d.is_Rational:
        return int(d.p > 0) - int(d.p < 0)
    if d.free_symbols:
        d = sympy.simplify(d)
        if d.is_Rational:
            return int(d.p > 0) - int(d.p < 0)
        if d.free_symbols:
            return None
    s = interval_sign(d, _QUICK)
    if s is None:
        s = _exact_sign(d)
    if s is None:
        s = interval_sign(d, _THOROUGH)
    if s is None:
        s = _certified_evalf_sign(d)
    return s


#: the working precisions tried before and after the exact attempts of :func:`_exact_sign`
_QUICK = tuple(p for p in PRECISIONS if p <= 1024)
_THOROUGH = tuple(p for p in PRECISIONS if p > 1024)

#: the largest expression (nodes) handed to sympy's minimal polynomial, which may be slow
_MINIMAL_POLYNOMIAL_NODES = 200


def _exact_sign(d: sympy.Expr) -> int | None:
    """The sign of the number ``d`` by exact means only: ``0`` when sympy proves ``d == 0``
    (its assumptions, ``simplify``, ``expand_log`` where every logarithm's factors are proven
    positive -- so that ``log(xy) = log x + log y`` and ``log(x^n) = n log x`` hold --, or the
    minimal polynomial ``X`` of an algebraic ``d``); the sign of the Rational ``d``
    simplifies to; else ``None``."""
    if d.is_zero is True:
        return 0
    try:
        simple = sympy.simplify(d)
    except (TypeError, ValueError, NotImplementedError):  # pragma: no cover (sympy failed)
        simple = d
    if simple.is_Rational:
        return int(simple.p > 0) - int(simple.p < 0)
    if _logs_expand_to_zero(d) or _algebraic_zero(d):
        return 0
    return None


def _logs_expand_to_zero(d: sympy.Expr) -> bool:
    logs = d.atoms(sympy.log)
    if not logs:
        return False
    for lg in logs:
        for factor in sympy.Mul.make_args(lg.args[0]):
            base = factor.base if factor.is_Pow else factor
            if interval_sign(base, _QUICK) != 1:
                return False  # the expansion is valid for positive factors only
    expanded = sympy.expand(sympy.expand_log(d, force=True, factor=True))
    return expanded == 0


def _algebraic_zero(d: sympy.Expr) -> bool:
    nodes = list(sympy.preorder_traversal(d))
    if len(nodes) > _MINIMAL_POLYNOMIAL_NODES:
        return False
    if not all(
        n.is_Rational or n.is_Add or n.is_Mul or (n.is_Pow and n.exp.is_Rational) for n in nodes
    ):
        return False
    try:
        return sympy.minimal_polynomial(d, _X) == _X
    except (NotImplementedError, ValueError, TypeError):  # pragma: no cover (sympy failed)
        return False


_X = sympy.Dummy("X")


def _certified_evalf_sign(d: sympy.Expr) -> int | None:
    """The sign from sympy's certified evaluation (``evalf(strict=True)``), for the numbers
    with nodes interval arithmetic does not cover here (``Piecewise`` and the like)."""
    try:
        approx = d.evalf(DIGITS, strict=True)
    except (sympy.core.evalf.PrecisionExhausted, TypeError, ValueError):
        return None
    if approx.is_Number and approx != 0:
        return 1 if approx > 0 else -1
    return None
