"""Worked solutions as data: the derivation tree behind every LaTeX and text output.

:func:`derive` turns a :class:`~symresnet.compute.realization.Trace` (Def. 1.5.4) or a
:class:`~symresnet.claims.point.Verdict` into a :class:`Derivation` shaped like the book's proof of
Example 1.5.6: the network's data as in (1.146)-(1.149), the claim (1.150), the recursion
(1.151), the identity (1.152), one :class:`Step` per layer as in (1.153)-(1.156) and the
conclusion ("This and (1.152) establish (1.150)").

Nothing here is LaTeX or plain text: formulas are small frozen dataclasses (:class:`Var`,
:class:`MatrixTerm`, :class:`Product`, :class:`Sum`, :class:`Apply`, ...) kept in the order in
which the book writes them, and printed by :mod:`symresnet.present.terms` and :mod:`symresnet.present.text`.

Every ``=`` of a step is checked exactly while the tree is built (and every relation of the
conclusion): a failed check raises :class:`~symresnet.base.errors.DerivationCheckError`, a bug.

Large exact values are abbreviated by naming them (docs/design.md, Decisions): a rational with more
than :attr:`DerivationOptions.max_digits` digits, or a symbolic value with more than
:attr:`DerivationOptions.max_ops` operations, is shown as ``x_{k,i}`` (or ``z_{k,i}`` for a
pre-activation entry) and defined once, ``x_{2,1} := ...``, in terms of earlier names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import sympy

from symresnet.base.errors import DerivationCheckError
from symresnet.claims.verdict import Verdict
from symresnet.compute.pl_function import PLConverter, PLFunction
from symresnet.compute.realization import Trace
from symresnet.explain.cases import CaseAnalysis, case_analysis
from symresnet.explain.evaluation import FlintCache, evaluate
from symresnet.explain.piecewise import piecewise_form
from symresnet.explain.tree import (
    DEFAULT_OPTIONS,
    Apply,
    Atom,
    Chain,
    Conclusion,
    Condition,
    Derivation,
    DerivationOptions,
    LayerActivation,
    LayerSpace,
    Link,
    ListTerm,
    MatrixTerm,
    NameLabel,
    Problem,
    Product,
    Realization,
    SetTerm,
    SkipFamily,
    SkipSpace,
    SkipSum,
    Space,
    Step,
    Sum,
    Term,
    TupleTerm,
    ValueTerm,
    Var,
)
from symresnet.model.network import Matrix
from symresnet.values.relations import compare

__all__ = ["derive", "evaluate"]


#: how a side of a checked ``=`` is read by the sympy checks (:meth:`_Builder.require`)
Form = Literal["plain", "spelled", "numbers", "unfolded"]


# -- exact checks ---------------------------------------------------------------------------


#: digits to which two closed forms must agree when sympy cannot prove them equal
AGREE_DIGITS = 50


def _identical(a: sympy.Expr, b: sympy.Expr) -> bool:
    """``a == b`` proven: the same expression, or a difference that expands to ``0``."""
    if a == b:
        return True
    d = a - b
    if d.is_Rational:
        return d == 0
    return sympy.expand(d) == 0


#: rational points at which two expressions in the parameters are compared
_PROBES = tuple(
    tuple(sympy.Rational(n, d) for n, d in row)
    for row in (((3, 7), (-5, 3), (11, 2)), ((-13, 4), (7, 5), (2, 9)), ((1, 3), (-2, 1), (17, 6)))
)


def _agree(a: sympy.Expr, b: sympy.Expr) -> bool:
    """``a == b`` for two exact values computed in different ways (the derivation's and the
    realization's).  Proven when the difference expands to ``0``.  Otherwise closed-form numbers
    must agree to :data:`AGREE_DIGITS` digits, and expressions in parameters must agree so at
    three rational points (sympy cannot decide every identity of exp, erf, Piecewise, ...)."""
    if _identical(a, b):
        return True
    d = a - b
    symbols = sorted(d.free_symbols, key=lambda s: s.name)
    if symbols:
        points = [
            dict(zip(symbols, (row * len(symbols))[: len(symbols)], strict=True)) for row in _PROBES
        ]
        return all(_agree(a.xreplace(p), b.xreplace(p)) for p in points)
    try:
        value = sympy.N(d, AGREE_DIGITS + 10)
    except (TypeError, ValueError):  # pragma: no cover (sympy could not evaluate)
        return False
    return bool(value.is_number and abs(value) < sympy.Float(10) ** (-AGREE_DIGITS))


# -- building ------------------------------------------------------------------------------------


def _digits(q: sympy.Rational) -> int:
    """About the number of decimal digits of a rational (numerator and denominator together)."""
    bits = abs(int(q.p)).bit_length() + (int(q.q).bit_length() if q.q != 1 else 0)
    return bits * 30103 // 100000 + 1


def _mx(rows: int, entries: Sequence[sympy.Expr]) -> Matrix:
    return Matrix(rows, 1, list(entries))


class _Builder:
    """Builds the steps layer by layer, naming large values and checking every ``=``."""

    def __init__(self, trace: Trace, options: DerivationOptions) -> None:
        self.trace = trace
        self.net = trace.network
        self.options = options
        self.names: dict[sympy.Symbol, NameLabel] = {}
        self.true: dict[sympy.Symbol, sympy.Expr] = {}
        self.by_value: dict[sympy.Expr, sympy.Symbol] = {}
        self.new: list[sympy.Symbol] = []
        self.definitions: dict[sympy.Symbol, sympy.Expr] = {}
        self.flint = FlintCache()
        self.numbers: dict[sympy.Symbol, sympy.Expr] = {}  # names of large rationals
        # exact piecewise-linear forms of the values (one parameter): the fast exact checks
        symbols = set(self.net.free_symbols) | trace.input.free_symbols
        self.known: dict[sympy.Symbol, PLFunction] = {}
        self.pl = PLConverter(next(iter(symbols)) if len(symbols) == 1 else None, self.known)
        self.shown: list[Matrix] = [
            _mx(
                trace.input.rows,
                [
                    self._show(e, e, NameLabel("x", 0, i))
                    for i, e in enumerate(trace.input.flat(), 1)
                ],
            )
        ]

    # naming
    def _name(self, label: NameLabel, shown: sympy.Expr, true: sympy.Expr) -> sympy.Symbol:
        sym = sympy.Symbol(f"{label.kind}_{{{label.k},{label.i}}}", real=True)
        self.names[sym] = label
        self.true[sym] = true
        self.definitions[sym] = shown
        self.new.append(sym)
        self._know(sym, shown, true)
        return sym

    def _know(self, sym: sympy.Symbol, shown: sympy.Expr, true: sympy.Expr) -> None:
        """The piecewise-linear form of a name, once its definition (in earlier names) is
        checked to equal the realization's value; left unknown where either has no such form
        (then the checks of the terms with this name take the sympy path)."""
        f, g = self.pl(true), self.pl(shown)
        if f is None or g is None:
            return
        if f != g:
            raise DerivationCheckError(
                f"derivation check failed: {sym} := {shown} is not the realization's {true}"
            )
        self.known[sym] = f

    def _show(self, shown: sympy.Expr, true: sympy.Expr, label: NameLabel) -> sympy.Expr:
        """How a value is written: itself, or a name standing for it."""
        if true.is_Rational:
            if _digits(true) <= self.options.max_digits:
                return true
            if true not in self.by_value:
                self.by_value[true] = self._name(label, true, true)
                self.numbers[self.by_value[true]] = true
            return self.by_value[true]
        if sympy.count_ops(shown) <= self.options.max_ops:
            return shown
        return self._name(label, shown, true)

    def unfold(self, m: Matrix) -> Matrix:
        """Replace the names by the exact values they stand for."""
        if not self.true or not (m.free_symbols & self.true.keys()):
            return m
        return Matrix(m.xreplace(self.true))

    def _form(self, e: sympy.Expr, form: Form) -> sympy.Expr:
        """An entry as the sympy checks see it: as written, with the names spelled out (one
        level), with the named numbers replaced, or unfolded (:meth:`unfold`)."""
        if form == "spelled":
            if not (e.free_symbols & self.definitions.keys()):
                return e
            return e.xreplace(self.definitions).xreplace(self.numbers)
        if form == "numbers":
            return e.xreplace(self.numbers) if self.numbers else e
        if form == "unfolded":
            return e.xreplace(self.true) if self.true else e
        return e

    def _equal(self, a: sympy.Expr, b: sympy.Expr) -> bool | None:
        """``a == b`` as functions of the parameter, the names standing for their (checked)
        values: exactly, by the piecewise-linear forms; ``None`` where there are none."""
        names = (a.free_symbols | b.free_symbols) & self.names.keys()
        if not names <= self.known.keys():
            return None
        if a == b:
            return True
        f = self.pl(a)
        g = self.pl(b) if f is not None else None
        return None if g is None else f == g

    def require(
        self,
        lhs: Matrix,
        rhs: Matrix,
        what: str,
        *,
        proven: bool = True,
        forms: tuple[Form, Form] = ("plain", "plain"),
    ) -> None:
        """Check ``lhs == rhs`` entry by entry, the names standing for the values they name.

        Where both sides have piecewise-linear forms in the one parameter (:mod:`symresnet.compute.pl_function`)
        they are compared exactly as functions.  Otherwise sympy: ``forms`` say how each side is
        to be read (``"spelled"``: the names replaced by their definitions; ``"numbers"``: the
        named numbers replaced; ``"unfolded"``: by their values); ``proven`` in the derivation's
        own terms (falling back to the values the names stand for), else as two computations of
        the same values (:func:`_agree`)."""
        if lhs.shape == rhs.shape:
            for a, b in zip(lhs.flat(), rhs.flat(), strict=True):
                same = self._equal(a, b)
                if same is None:
                    a, b = self._form(a, forms[0]), self._form(b, forms[1])
                    if proven:
                        same = _identical(a, b) or _agree(
                            self._form(a, "unfolded"), self._form(b, "unfolded")
                        )
                    else:
                        same = _agree(a, b)
                if not same:
                    break
            else:
                return
        raise DerivationCheckError(f"derivation check failed: {what}: {list(lhs)} != {list(rhs)}")

    # the layers
    def step(self, k: int) -> Step:
        net, trace = self.net, self.trace
        layer = trace.layer(k)
        act, dim = layer.activation, Atom(sympy.Integer(net.dims[k]))
        skips = net.skips_into(k)
        self.new = []
        symbolic = Apply(
            act,
            dim,
            Sum(
                (
                    Product((Var("W", (k,)), Var("x", (k - 1,)))),
                    Var("B", (k,)),
                    *(Product((Var("V", (r, k)), Var("x", (r,)))) for r, _ in skips),
                )
            ),
        )
        substituted = Apply(
            act,
            dim,
            Sum(
                (
                    Product((MatrixTerm(net.W[k - 1]), MatrixTerm(self.shown[k - 1]))),
                    MatrixTerm(net.B[k - 1]),
                    *(Product((MatrixTerm(v), MatrixTerm(self.shown[r]))) for r, v in skips),
                )
            ),
        )
        z_true, x_true = layer.preactivation, layer.output
        z_named = evaluate(substituted.argument, cache=self.flint)
        z_shown = _mx(
            z_true.rows,
            [
                self._show(zn, zt, NameLabel("z", k, i))
                for i, (zn, zt) in enumerate(zip(z_named.flat(), z_true.flat(), strict=True), 1)
            ],
        )
        acted = Matrix([act(e) for e in z_shown.flat()])
        x_shown = _mx(
            x_true.rows,
            [
                self._show(xa, xt, NameLabel("x", k, i))
                for i, (xa, xt) in enumerate(zip(acted.flat(), x_true.flat(), strict=True), 1)
            ],
        )
        self.shown.append(x_shown)
        summed = Apply(act, dim, ValueTerm(z_shown))
        activated = ValueTerm(x_shown)
        self._check_step(k, symbolic, z_named, z_shown, acted, x_shown)
        chain = Chain(
            Var("x", (k,)),
            tuple(Link("equals", t) for t in (symbolic, substituted, summed, activated)),
        )
        definitions = tuple(
            Chain(Atom(sym), (Link("defines", Atom(self.definitions[sym])),)) for sym in self.new
        )
        return Step(k, chain, definitions)

    def _check_step(
        self,
        k: int,
        symbolic: Apply,
        z_sub: Matrix,
        z_shown: Matrix,
        applied: Matrix,
        x_shown: Matrix,
    ) -> None:
        """Each ``=`` of (1.153)-(1.156) for layer ``k``, in the derivation's own terms (the
        letters stand for the values as written), then the values against the realization;
        ``applied`` is the activation applied to ``z_shown``, entry by entry."""
        net, layer = self.net, self.trace.layer(k)
        env: dict[Var, Matrix] = {Var("W", (k,)): net.W[k - 1], Var("B", (k,)): net.B[k - 1]}
        env.update({Var("x", (j,)): self.shown[j] for j in range(k)})
        env.update({Var("V", (r, k)): v for r, v in net.skips_into(k)})
        where = f"layer {k} (Def. 1.5.4)"
        # M(W_k x_{k-1} + B_k + ...) = M(the matrices and vectors written out), z_sub
        self.require(
            evaluate(symbolic.argument, env, self.flint), z_sub, f"{where}: the substituted terms"
        )
        # = M(the sum)
        self.require(z_sub, z_shown, f"{where}: the sum", forms=("plain", "spelled"))
        # = the activated values
        self.require(applied, x_shown, f"{where}: the activation", forms=("numbers", "spelled"))
        # and the values are those of the realization (symresnet.compute.realization, Def. 1.5.4)
        self.require(
            z_shown,
            layer.preactivation,
            f"{where}: pre-activation",
            proven=False,
            forms=("unfolded", "plain"),
        )
        self.require(
            x_shown, layer.output, f"{where}: x_{k}", proven=False, forms=("unfolded", "plain")
        )


def _point(m: Matrix) -> ValueTerm:
    return ValueTerm(m, point=True)


def _problem(trace: Trace, parameters: tuple[sympy.Symbol, ...]) -> Problem:
    net = trace.network
    L = net.L

    def num(n: int) -> Atom:
        return Atom(sympy.Integer(n))

    def equals(lhs: Term, rhs: Term) -> Chain:
        return Chain(lhs, (Link("equals", rhs),))

    layers: list[Chain] = []
    for k in range(1, L + 1):
        layers.append(equals(Var("W", (k,)), MatrixTerm(net.W[k - 1])))
        layers.append(equals(Var("B", (k,)), MatrixTerm(net.B[k - 1])))
    pairs = TupleTerm(tuple(TupleTerm((Var("W", (k,)), Var("B", (k,)))) for k in range(1, L + 1)))
    return Problem(
        activation=net.activation,
        dims=tuple(equals(Var("l", (i,)), num(d)) for i, d in enumerate(net.dims)),
        skip_set=equals(Var("S"), SetTerm(tuple(TupleTerm((num(r), num(k))) for r, k in net.S))),
        network=Chain(Var("Phi"), (Link("equals", pairs), Link("in", LayerSpace(L)))),
        layers=tuple(layers),
        # with S empty, V is the empty family, the one element of its space (Lemma 1.5.3)
        skip_family=Chain(
            Var("V"),
            ((Link("equals", SkipFamily()),) if net.S else ()) + (Link("in", SkipSpace()),),
        ),
        skips=tuple(equals(Var("V", (r, k)), MatrixTerm(v)) for (r, k), v in net.skips.items()),
        parameters=(
            Chain(ListTerm(tuple(Atom(p) for p in parameters)), (Link("in", Space()),))
            if parameters
            else None
        ),
    )


def _conclusion(
    verdict: Verdict, builder: _Builder, x0: ValueTerm, value: ValueTerm, options: DerivationOptions
) -> Conclusion:
    claim = verdict.claim
    act = verdict.trace.network.activation
    lhs = Realization(act, x0)
    expected = _point(claim.expected)
    relation, status = claim.relation, verdict.status
    parts = list(verdict.components)
    study = verdict.study  # a parameter study decides piece by piece
    if study is None:  # decide again, exactly, where that is cheap (rational entries)
        for i, (v, e) in enumerate(zip(verdict.value, claim.expected, strict=True)):
            if v.is_Rational and e.is_Rational and compare(relation, v, e) is not parts[i]:
                raise DerivationCheckError(f"entry {i + 1} of the verdict is wrong: {parts[i]}")
    failing = tuple(i for i, p in enumerate(parts, 1) if p is False)
    links = [Link("equals", value)]
    if status == "holds":
        if not all(p is True for p in parts):
            raise DerivationCheckError(f"the claim is reported to hold, but {parts}")
        if relation != "equals":  # "= 28 = 28" says nothing new
            links.append(Link(relation, expected))
    elif status == "fails":
        if not failing and study is None:
            raise DerivationCheckError(f"the claim is reported false, but {parts}")
        links.append(Link(relation, expected, negated=True))
    when, omitted = None, False
    if status == "depends" and verdict.when is not None:
        if sympy.count_ops(verdict.when) <= options.max_condition_ops:
            when = Condition(verdict.when)
        else:
            omitted = True
    approx: tuple[sympy.Expr, ...] = ()
    if status == "undecided":
        approx = tuple(sympy.N(builder.unfold(value.value)[i], 30) for i in range(value.value.rows))
    return Conclusion(
        label=claim.label,
        relation=relation,
        status=status,
        statement=Chain(lhs, (Link(relation, expected),)),
        result=Chain(lhs, tuple(links)),
        value=value,
        expected=expected,
        failing=failing,
        when=when,
        when_omitted=omitted,
        note=verdict.note,
        approx=approx,
    )


def derive(
    obj: Trace | Verdict,
    *,
    title: str | None = None,
    options: DerivationOptions = DEFAULT_OPTIONS,
) -> Derivation:
    """The worked solution of Example 1.5.6's shape for a realization or a claim about it.

    ``obj`` is a :class:`~symresnet.compute.realization.Trace` (a plain evaluation, Def. 1.5.4) or a
    :class:`~symresnet.claims.point.Verdict` (a claim proven, disproven, parameter-dependent or
    undecided).  ``title`` is free text (e.g. ``"Exercise 1.5.1"``).  Raises
    :class:`~symresnet.base.errors.DerivationCheckError` if an ``=`` does not hold exactly (a bug).
    """
    if isinstance(obj, Verdict):
        trace, verdict = obj.trace, obj
    elif isinstance(obj, Trace):
        trace, verdict = obj, None
    else:
        raise TypeError(f"derive() takes a Trace or a Verdict, got {type(obj).__name__}")
    net = trace.network
    L = net.L
    builder = _Builder(trace, options)
    steps = tuple(builder.step(k) for k in range(1, L + 1))
    x0 = _point(builder.shown[0])
    value = _point(builder.shown[L])
    builder.require(
        value.value,
        trace.output,
        "the value of the realization",
        proven=False,
        forms=("unfolded", "plain"),
    )
    symbols = set(net.free_symbols) | trace.input.free_symbols
    if verdict is not None:
        symbols |= verdict.claim.expected.free_symbols
    parameters = tuple(sorted(symbols - builder.names.keys(), key=lambda s: s.name))
    question = Realization(net.activation, x0)
    xL = Var("x", (L,))
    skip_terms = (SkipSum(),) if net.S else ()
    recursion_sum = Sum(
        (Product((Var("W", ("k",)), Var("x", ("k-1",)))), Var("B", ("k",)), *skip_terms)
    )
    return Derivation(
        title=title,
        L=L,
        dims=tuple(net.dims),
        problem=_problem(trace, parameters),
        question=question,
        vectors=tuple(
            Chain(Var("x", (j,)), (Link("in", Space(d)),)) for j, d in enumerate(net.dims)
        ),
        indices=Chain(
            Var("k"), (Link("in", SetTerm(tuple(Atom(sympy.Integer(k)) for k in range(1, L + 1)))),)
        ),
        start=Chain(Var("x", (0,)), (Link("equals", ValueTerm(builder.shown[0])),)),
        recursion=Chain(
            Var("x", ("k",)),
            (
                Link(
                    "equals",
                    Apply(LayerActivation(net.activation, L), Var("l", ("k",)), recursion_sum),
                ),
            ),
        ),
        realization=Chain(question, (Link("equals", xL),)),
        steps=steps,
        result=Chain(question, (Link("equals", value),)),
        claim=None if verdict is None else _conclusion(verdict, builder, x0, value, options),
        names=dict(builder.names),
        cases=_cases(verdict),
        piecewise=None if verdict is not None else piecewise_form(trace, options),
    )


def _cases(verdict: Verdict | None) -> CaseAnalysis | None:
    """The case analysis of a parameter study (symresnet.explain.cases), or ``None``."""
    if verdict is None or verdict.study is None:
        return None
    return case_analysis(verdict)
