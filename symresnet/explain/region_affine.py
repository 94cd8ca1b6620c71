"""The affine form of a realization on one linear region, derived layer by layer (layer *explain*).

For a piecewise-linear activation (ReLU, leaky ReLU, clipping, Heaviside: ``Activation.pieces``)
the realization of Def. 1.5.4 is affine on the set of inputs whose hidden neurons all lie in
fixed pieces of the activation (an *activation pattern*, :mod:`symresnet.compute.patterns`).
On that region each ``M_{a,l_k}`` is a known affine map, entry by entry: for ReLU
``max{z, 0} = z`` where ``z > 0`` and ``= 0`` where ``z <= 0``.  :func:`derive_region` writes
the book's steps (1.153)-(1.156) of Example 1.5.6 for such a region, with the input left as
symbols (``x``, or ``xi_1, ..., xi_{l_0}`` in box proofs)::

    x_1 = M_{r,2}(W_1 x_0 + B_1) = M_{r,2}((1; 2)(x) + (3; 4)) = M_{r,2}((x + 3; 2x + 4))
        = (x + 3; 0)          since x + 3 > 0 and 2x + 4 <= 0 on the region,

and so on up to ``x_L = A_L x + c_L``, the realization on the region.  Every ``=`` is checked
exactly while the steps are built (:func:`symresnet.explain.derivation.evaluate`, expanded
polynomials), the activation stage piece by piece (``x_{k,i} = slope z_{k,i} + intercept`` of
the neuron's piece), and every layer's affine form ``x_k = A_k x + c_k`` against the
independent flint computation :func:`symresnet.compute.patterns.affine_maps`; given an exact
point of the region, the pattern there and the value of the realization
(:func:`symresnet.compute.realization.realize`) are checked too.  A failed check raises
:class:`~symresnet.base.errors.DerivationCheckError` (a bug).

The result is data (:class:`RegionDerivation`): the steps are ordinary
:class:`~symresnet.explain.tree.Step` s, printed by the same printers as the point
derivations.  It does not depend on how the input is named, so the box proofs
(:mod:`symresnet.explain.box`, input ``xi_1, ..., xi_{l_0}``) and the symbolic ``derive --at x``
(input ``x``) share it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import sympy

from symresnet.base.errors import DerivationCheckError, NetworkError
from symresnet.compute.patterns import Pattern, affine_maps, patterns
from symresnet.compute.realization import realize
from symresnet.explain.evaluation import evaluate
from symresnet.explain.tree import (
    Apply,
    Atom,
    Chain,
    Link,
    MatrixTerm,
    Product,
    Realization,
    Step,
    Sum,
    ValueTerm,
    Var,
)
from symresnet.model.activations import IDENTITY, Activation
from symresnet.model.activations import Piece as ActivationPiece
from symresnet.model.network import Matrix, ResNet

__all__ = ["NeuronPiece", "RegionDerivation", "derive_region", "piece_condition"]


@dataclasses.dataclass(frozen=True)
class NeuronPiece:
    """Neuron ``i`` of hidden layer ``k`` (both from 1) on the region: its pre-activation
    ``z_{k,i}`` (``preactivation``, affine in the input) lies in piece ``piece`` of the
    activation, which ``condition`` states (``x + 3 > 0``, ``-1/2 < 2 x + 1 <= 3/2``), so
    ``x_{k,i}`` is ``output`` there.  ``constant`` marks a piece that is no condition on the
    region: a pre-activation that does not depend on the input (its piece is a fact about
    numbers), or an activation of one piece (the identity)."""

    k: int
    i: int
    preactivation: sympy.Expr
    piece: int
    condition: Chain
    output: sympy.Expr
    constant: bool = False


@dataclasses.dataclass(frozen=True)
class RegionDerivation:
    """The realization on the region of ``pattern`` (see the module docstring).

    ``symbols`` are the input's symbols and ``inputs`` the entries of ``x_0`` (usually the
    symbols themselves); ``steps`` the layers as in (1.153)-(1.156), each an ordinary
    :class:`~symresnet.explain.tree.Step` whose activated stage is the layer's value on the
    region; ``neurons[k-1]`` the pieces of the neurons of hidden layer ``k`` (empty for the
    output layer); ``forms[k-1]`` is ``(A_k, c_k)`` with ``x_k = A_k s + c_k`` for the column
    ``s`` of the symbols; ``formula`` is ``(R(Phi, V))(x_0) = A_L s + c_L`` written out.
    """

    pattern: Pattern
    symbols: tuple[sympy.Symbol, ...]
    inputs: Matrix
    steps: tuple[Step, ...]
    neurons: tuple[tuple[NeuronPiece, ...], ...]
    forms: tuple[tuple[Matrix, Matrix], ...]
    formula: Chain

    @property
    def A(self) -> Matrix:
        """``A_L``: the linear part of the realization on the region."""
        return self.forms[-1][0]

    @property
    def c(self) -> Matrix:
        """``c_L``: the constant part of the realization on the region."""
        return self.forms[-1][1]

    @property
    def conditions(self) -> tuple[NeuronPiece, ...]:
        """The neurons whose pre-activation depends on the input: their pieces cut out the
        region (the others are constant)."""
        return tuple(n for layer in self.neurons for n in layer if not n.constant)


def piece_condition(piece: ActivationPiece, z: sympy.Expr) -> Chain:
    """``z <= 0``, ``z > 0``, ``u < z <= v``: the piece of the activation that ``z`` lies in,
    written as the book writes a case (an infinite end left out)."""
    lo_rel = "at_most" if piece.lo_closed else "less"
    hi_rel = "at_most" if piece.hi_closed else "less"
    if piece.lo == -sympy.oo and piece.hi == sympy.oo:  # the identity: no condition
        return Chain(Atom(z), (Link("in", Atom(sympy.Reals)),))
    if piece.lo == -sympy.oo:
        return Chain(Atom(z), (Link(hi_rel, Atom(piece.hi)),))
    if piece.hi == sympy.oo:
        rel = "at_least" if piece.lo_closed else "greater"
        return Chain(Atom(z), (Link(rel, Atom(piece.lo)),))
    return Chain(Atom(piece.lo), (Link(lo_rel, Atom(z)), Link(hi_rel, Atom(piece.hi))))


def _column(entries: Sequence[sympy.Expr]) -> Matrix:
    return Matrix(len(entries), 1, list(entries))


def _affine_parts(v: Matrix, symbols: Sequence[sympy.Symbol], what: str) -> tuple[Matrix, Matrix]:
    """``(A, c)`` with ``v = A s + c``; a :class:`DerivationCheckError` if ``v`` is not affine."""
    zero = dict.fromkeys(symbols, sympy.Integer(0))
    rows = []
    for e in v:
        row = [sympy.expand(sympy.diff(e, s)) for s in symbols]
        if any(r.free_symbols & set(symbols) for r in row):
            raise DerivationCheckError(f"{what} is not affine in the input: {e}")
        rows.append(row)
    A = Matrix(len(rows), len(symbols), [r for row in rows for r in row])
    c = Matrix(v.rows, 1, [sympy.expand(e.xreplace(zero)) for e in v])
    return A, c


def _same(a: Matrix, b: Matrix, what: str) -> None:
    if a.shape != b.shape or any(sympy.expand(p - q) != 0 for p, q in zip(a, b, strict=True)):
        raise DerivationCheckError(
            f"region derivation check failed: {what}: {list(a)} != {list(b)}"
        )


def _require_piecewise_linear(network: ResNet) -> None:
    if not network.activation.piecewise_linear:
        raise NetworkError(
            f"the affine form on a region needs a piecewise-linear activation, not "
            f"{network.activation.text}",
            place="activation",
            hint="use relu, leaky_relu, clip or heaviside",
        )
    if network.free_symbols:
        names = ", ".join(sorted(s.name for s in network.free_symbols))
        raise NetworkError(
            f"the affine form on a region needs numbers in the network, not the parameters {names}",
            place="layers",
            hint="substitute values for the parameters first",
        )


def derive_region(
    network: ResNet,
    pattern: Pattern,
    inputs: Sequence[sympy.Expr] | sympy.MatrixBase,
    *,
    symbols: Sequence[sympy.Symbol] | None = None,
    point: Mapping[sympy.Symbol, sympy.Expr] | None = None,
) -> RegionDerivation:
    """The realization on the region of ``pattern``, derived layer by layer as the book's proof of
    Example 1.5.6 does in (1.153)-(1.156) (Jentzen, Kuckuck, von Wurstemberger, Sec. 1.5).

    ``pattern[k-1][i-1]`` is the index in ``network.activation.pieces`` of the piece that the
    pre-activation of neuron ``i`` of hidden layer ``k`` lies in (as
    :func:`symresnet.compute.patterns.patterns` returns it).  ``inputs`` are the entries of
    ``x_0``: symbols (``x``; ``xi_1, xi_2`` in box proofs) or expressions affine in
    ``symbols`` (by default their free symbols, sorted by name).  ``point``, a value of every
    symbol at an exact point of the region, adds the checks that the pattern there is
    ``pattern`` and that the derived value is the realization's.

    Needs rational weights and a piecewise-linear activation (else :class:`NetworkError`); a
    failed check raises :class:`DerivationCheckError` (module docstring).
    """
    _require_piecewise_linear(network)
    L, act = network.L, network.activation
    x0 = Matrix(inputs) if isinstance(inputs, sympy.MatrixBase) else _column(list(inputs))
    if x0.shape != (network.dims[0], 1):
        raise NetworkError(
            f"the input has {len(x0)} entries, the network l_0 = {network.dims[0]}",
            place="inputs",
        )
    syms = tuple(
        symbols
        if symbols is not None
        else sorted(set().union(*(e.free_symbols for e in x0)), key=lambda s: s.name)
    )
    _affine_parts(x0, syms, "the input")
    maps = affine_maps(network, pattern)  # also checks the pattern's shape
    shown: list[Matrix] = [x0]
    steps: list[Step] = []
    neurons: list[tuple[NeuronPiece, ...]] = []
    forms: list[tuple[Matrix, Matrix]] = []
    for k in range(1, L + 1):
        f = act if k < L else IDENTITY
        step, z, x, layer = _step(network, k, f, pattern, shown)
        steps.append(step)
        neurons.append(layer)
        # the independent computation (compute.patterns, flint): z_k = C x_0 + d, x_k likewise
        for what, got, amap in (("z", z, maps[k - 1].pre), (f"x_{k}", x, maps[k - 1].x)):
            C, d = amap.to_sympy()
            _same(got, Matrix(C * x0 + d).applyfunc(sympy.expand), f"layer {k}: {what}")
        shown.append(x)
        forms.append(_affine_parts(x, syms, f"x_{k}"))
    if point is not None:
        _check_point(network, pattern, x0, shown[-1], point)
    value = shown[-1]
    formula = Chain(
        Realization(act, ValueTerm(x0, point=True)),
        (Link("equals", ValueTerm(value, point=True)),),
    )
    return RegionDerivation(
        pattern=tuple(tuple(layer) for layer in pattern),
        symbols=syms,
        inputs=x0,
        steps=tuple(steps),
        neurons=tuple(neurons),
        forms=tuple(forms),
        formula=formula,
    )


def _step(
    network: ResNet, k: int, f: Activation, pattern: Pattern, shown: list[Matrix]
) -> tuple[Step, Matrix, Matrix, tuple[NeuronPiece, ...]]:
    """Layer ``k``: ``x_k = M(W_k x_{k-1} + B_k + ...) = M(substituted) = M(z_k) = x_k`` with
    each ``=`` checked, and the pieces of its neurons."""
    dim = Atom(sympy.Integer(network.dims[k]))
    skips = network.skips_into(k)
    symbolic = Apply(
        f,
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
        f,
        dim,
        Sum(
            (
                Product((MatrixTerm(network.W[k - 1]), MatrixTerm(shown[k - 1]))),
                MatrixTerm(network.B[k - 1]),
                *(Product((MatrixTerm(v), MatrixTerm(shown[r]))) for r, v in skips),
            )
        ),
    )
    env: dict[Var, Matrix] = {Var("W", (k,)): network.W[k - 1], Var("B", (k,)): network.B[k - 1]}
    env.update({Var("x", (j,)): shown[j] for j in range(k)})
    env.update({Var("V", (r, k)): v for r, v in skips})
    where = f"layer {k} (Def. 1.5.4)"
    z_sub = evaluate(substituted.argument)
    _same(evaluate(symbolic.argument, env), z_sub, f"{where}: the substituted terms")
    z = z_sub.applyfunc(sympy.expand)
    _same(z_sub, z, f"{where}: the sum")
    layer: list[NeuronPiece] = []
    if f == IDENTITY:
        x = z
    else:
        pieces = f.pieces
        outputs = []
        for i, (zi, j) in enumerate(zip(z, pattern[k - 1], strict=True), start=1):
            piece = pieces[j]
            # on the region z_{k,i} lies in piece j, where the activation is slope z + intercept
            out = sympy.expand(piece.slope * zi + piece.intercept)
            # no condition on the region: a number, or the activation's one piece (identity)
            constant = not zi.free_symbols or (piece.lo == -sympy.oo and piece.hi == sympy.oo)
            if not zi.free_symbols and not piece.contains(zi):
                raise DerivationCheckError(
                    f"{where}: z_{{{k},{i}}} = {zi} does not lie in piece {j} of {f.text}"
                )
            if not zi.free_symbols and sympy.expand(f(zi) - out) != 0:
                raise DerivationCheckError(f"{where}: the activation at {zi}")
            layer.append(NeuronPiece(k, i, zi, j, piece_condition(piece, zi), out, constant))
            outputs.append(out)
        x = _column(outputs)
    summed = Apply(f, dim, ValueTerm(z))
    activated = ValueTerm(x)
    chain = Chain(
        Var("x", (k,)),
        tuple(Link("equals", t) for t in (symbolic, substituted, summed, activated)),
    )
    return Step(k, chain), z, x, tuple(layer)


def _check_point(
    network: ResNet,
    pattern: Pattern,
    x0: Matrix,
    value: Matrix,
    point: Mapping[sympy.Symbol, sympy.Expr],
) -> None:
    """At an exact point of the region: its pattern is ``pattern`` and the derived value is the
    realization's (:func:`symresnet.compute.realization.realize`)."""
    at = [sympy.expand(e.xreplace(dict(point))) for e in x0]
    if not all(e.is_Rational for e in at):
        raise DerivationCheckError(f"the point {dict(point)} does not give a rational input {at}")
    found = patterns(network, [at])[0]
    if tuple(map(tuple, found)) != tuple(map(tuple, pattern)):
        raise DerivationCheckError(f"the pattern at {at} is {found}, not {pattern}")
    expected = realize(network, Matrix(len(at), 1, at)).output
    _same(value.xreplace(dict(point)).applyfunc(sympy.expand), expected, f"the value at {at}")
