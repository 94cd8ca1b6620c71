"""The exact numeric core: realizations (Def. 1.5.4) on python-flint integer matrices.

Representation
--------------
A rational matrix is a :class:`Scaled` value ``num / den``: an integer matrix ``num``
(``flint.fmpz_mat``) over one positive common denominator ``den`` (``flint.fmpz``).  The columns
are points, so a batch of ``n`` inputs is one ``l_0 x n`` matrix and a layer is one matrix
product.  For layer ``k`` the weights ``W_k``, ``B_k`` and ``V_{r,k}`` are stored as integer
matrices over their own common denominator ``q_k`` (:class:`CompiledLayer`); with
``x_{k-1} = N / d`` (all earlier ``x_r`` have denominators dividing ``g``) the pre-activation is

    z_k = ( W_k q_k N (g/d) + B_k q_k g 1^T + sum_r V_{r,k} q_k N_r (g/d_r) ) / (q_k g)

— integer products only, no gcd on the hot path.  ReLU, leaky ReLU, clipping, Heaviside and
RePU act on the numerators with at most one rescaling of the denominator; any other activation
that maps rationals to rationals (softsign) goes through :meth:`Activation.apply_fraction`.
Nothing here builds sympy objects except :func:`to_sympy`, which a
:class:`~symresnet.compute.realization.LayerTrace` calls on first access.

API (for :mod:`symresnet.compute.realization`, :mod:`symresnet.compute.batch`, regions and parameter sweeps)
--------------------------------------------------------------------------------------------
``compiled(net) -> Compiled``
    The network converted to flint once and cached per network object (a
    ``WeakKeyDictionary``): layers ``1..prefix`` whose weights are rational and whose activation
    is exact on rationals.  ``prefix == L`` means the whole network runs here.
``columns(points) -> Scaled``, ``from_sympy(matrix) -> Scaled | None``
    Points (sequences of ints, Fractions, sympy Rationals or fmpq) as the columns of a matrix;
    a sympy matrix (``None`` unless every entry is a Rational).
``forward(net, X) -> list[Layer]``
    The numeric prefix of Def. 1.5.4 on all columns of ``X`` at once: for every layer its
    terms ``Wx``, ``skips`` (``(r, V_{r,k} x_r)``), the pre-activation ``z`` and ``x``, each a
    :class:`Scaled` with one column per point.  Skip terms read ``x_r`` by reference.
``run(model, X) -> list[Layer]``
    The same for an already compiled network (e.g. one from :meth:`Parametric.bind`).
``preactivations(net, points) -> list[Scaled]``
    ``z_1, ..., z_L`` for a batch (what an activation pattern is read from).
``patterns(net, points) -> list[Pattern]``
    For each point, the index (into ``net.activation.pieces``) of the piece each hidden
    neuron's pre-activation lies in: ``pattern[k-1][i]`` for layer ``k < L``, neuron ``i``.
``affine_maps(net, pattern) -> list[AffineLayer]``
    For a fixed pattern, the affine maps ``x_0 -> z_k = C x_0 + d`` and ``x_0 -> x_k``
    composed layer by layer with the skips (on the region of that pattern the realization is
    ``x_L = C x_0 + d``).  Computed by the same :func:`forward` on the homogeneous columns
    ``(I_{l_0}; 0)`` and ``(0; 1)``.
``Parametric`` / ``parametric(net).bind(values) -> Compiled``
    Parameter sweeps: the symbolic entries are substituted by rationals and only the layers
    that contain them are recompiled.
``to_sympy(m)``, ``Scaled.to_fmpq_mat()``, ``Scaled.column_values(j)``
    Conversions out of the core (exact, reduced).

Example (Example 1.5.6)::

    >>> from symresnet import ResNet
    >>> net = ResNet(W=[[[1]], [[1], [2]], [[1, 0], [0, 1]], [[2, 2]]],
    ...              B=[[0], [0, 1], [0, 0], [1]], skips={(0, 4): [[-1]]})
    >>> forward(net, columns([[5], [0]]))[-1].x.to_fmpq_mat()
    [28, 3]
    >>> patterns(net, [[5]])
    [((1,), (1, 1), (1, 1))]
    >>> a = affine_maps(net, ((1,), (1, 1), (1, 1)))[-1].x
    >>> (a.C.to_fmpq_mat(), a.d.to_fmpq_mat())
    ([5], [3])
"""

from __future__ import annotations

import dataclasses
import functools
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from math import lcm
from typing import Any, TypeAlias

import flint
import sympy
from sympy.polys.domains import QQ, ZZ
from sympy.polys.matrices import DomainMatrix

from symresnet.base.errors import LimitError, NetworkError
from symresnet.model.activations import IDENTITY, Activation
from symresnet.values.exact import active_limits

__all__ = [
    "AffineLayer",
    "AffineMap",
    "Compiled",
    "CompiledLayer",
    "Layer",
    "Parametric",
    "Pattern",
    "Scaled",
    "affine_maps",
    "columns",
    "compiled",
    "forward",
    "from_fmpq_mat",
    "from_sympy",
    "parametric",
    "patterns",
    "preactivations",
    "to_fmpq_mat",
    "to_sympy",
]

Matrix: TypeAlias = sympy.ImmutableMatrix
#: per hidden layer ``k = 1..L-1``, per neuron, the index of the activation piece it is in
Pattern: TypeAlias = tuple[tuple[int, ...], ...]
Kernel: TypeAlias = Callable[[flint.fmpz_mat, flint.fmpz], tuple[flint.fmpz_mat, flint.fmpz]]

_Z = flint.fmpz(0)
_ONE = flint.fmpz(1)


# -- the representation --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False, slots=True)
class Scaled:
    """The rational matrix ``num / den``: an integer matrix over one positive denominator.

    Columns are points.  Not reduced: equal matrices may have different ``(num, den)``; compare
    with :meth:`to_fmpq_mat` (``==`` does that).
    """

    num: flint.fmpz_mat
    den: flint.fmpz

    @property
    def shape(self) -> tuple[int, int]:
        return (self.num.nrows(), self.num.ncols())

    def to_fmpq_mat(self) -> flint.fmpq_mat:
        """The same matrix as a ``flint.fmpq_mat`` (every entry reduced)."""
        q = flint.fmpq_mat(self.num)
        return q if self.den == 1 else q / self.den

    def to_sympy(self) -> Matrix:
        """An immutable sympy matrix of Rationals."""
        return to_sympy(self)

    def column_values(self, j: int) -> list[flint.fmpq]:
        """Column ``j`` (point ``j``) as reduced ``flint.fmpq`` entries."""
        num, den = self.num, self.den
        return [flint.fmpq(num[i, j], den) for i in range(num.nrows())]

    def columns(self, start: int, stop: int) -> Scaled:
        """Columns ``start .. stop-1`` (a chunk of points), same denominator."""
        rows = self.num.tolist()
        return Scaled(flint.fmpz_mat([row[start:stop] for row in rows]), self.den)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scaled):
            return NotImplemented
        return self.shape == other.shape and self.num * other.den == other.num * self.den

    # unhashable (equality is by value, not by (num, den)); typeshed declares object.__hash__
    # as a method, so mypy refuses the data model's documented ``__hash__ = None``
    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):  # fmpz_mat does not pickle (process pools, Dask)
        return (_scaled, (*self.shape, [int(e) for e in self.num.entries()], int(self.den)))

    def __repr__(self) -> str:
        return f"Scaled({self.shape[0]}x{self.shape[1]}, den bits={self.den.bit_length()})"


def _scaled(rows: int, cols: int, entries: list[int], den: int) -> Scaled:
    return Scaled(flint.fmpz_mat(rows, cols, entries), flint.fmpz(den))


def _fmpq(value: object) -> flint.fmpq:
    """An exact rational (int, Fraction, sympy Rational, fmpz, fmpq) as ``flint.fmpq``."""
    if isinstance(value, flint.fmpq):
        return value
    if isinstance(value, sympy.Rational):
        return flint.fmpq(int(value.p), int(value.q))
    if isinstance(value, Fraction):
        return flint.fmpq(value.numerator, value.denominator)
    if isinstance(value, (int, flint.fmpz)) and not isinstance(value, bool):
        return flint.fmpq(value)
    raise TypeError(f"expected an exact rational, got {value!r}")


def columns(points: Iterable[Sequence[object]]) -> Scaled:
    """Points (each a sequence of exact rationals) as the columns of one :class:`Scaled`."""
    cols = [[v if type(v) is flint.fmpq else _fmpq(v) for v in point] for point in points]
    if not cols:
        raise ValueError("columns() needs at least one point")
    den = flint.fmpz(lcm(*{int(q.q) for col in cols for q in col}))
    rows = len(cols[0])
    if any(len(col) != rows for col in cols):
        raise ValueError("all points must have the same length")
    flat = [col[i].p * (den // col[i].q) for i in range(rows) for col in cols]
    return Scaled(flint.fmpz_mat(rows, len(cols), flat), den)


def _split(q: flint.fmpq_mat) -> tuple[flint.fmpz_mat, flint.fmpz]:
    num, den = q.numer_denom()
    return num, flint.fmpz(den)


# -- sympy <-> flint ------------------------------------------------------------------------------


@functools.cache
def _flint_ground_types() -> bool:
    return QQ.dtype is flint.fmpq


def _as_fmpq_mat(m: sympy.MatrixBase) -> flint.fmpq_mat | None:
    """``m`` as a ``fmpq_mat`` if every entry is a Rational, else ``None``.

    With sympy on python-flint ground types a rational matrix already holds ``fmpq`` entries
    (its ``DomainMatrix`` is over ZZ or QQ): they are taken over without touching an ``Expr``.
    """
    rep = getattr(m, "_rep", None)
    domain = getattr(rep, "domain", None)
    if rep is not None and domain is not None and _flint_ground_types() and domain in (ZZ, QQ):
        return rep.convert_to(QQ).to_dense().to_dfm().rep
    entries = list(m)
    if not all(e.is_Rational for e in entries):
        return None
    return flint.fmpq_mat(m.rows, m.cols, [flint.fmpq(int(e.p), int(e.q)) for e in entries])


def from_sympy(m: sympy.MatrixBase) -> Scaled | None:
    """A sympy matrix as :class:`Scaled`, or ``None`` if an entry is not a Rational."""
    q = _as_fmpq_mat(m)
    return None if q is None else Scaled(*_split(q))


def to_fmpq_mat(m: sympy.MatrixBase) -> flint.fmpq_mat:
    """A sympy matrix of Rationals as a ``flint.fmpq_mat``."""
    q = _as_fmpq_mat(m)
    if q is None:
        raise TypeError("to_fmpq_mat needs a matrix of Rationals")
    return q


def _sympy_matrix(rows: int, cols: int, entries: list[flint.fmpq]) -> Matrix:
    """An ImmutableMatrix from reduced fmpq entries (row-major) without building ``Expr`` s.

    Builds the sparse ZZ/QQ ``DomainMatrix`` sympy itself would hold for these entries, so the
    result is indistinguishable from ``ImmutableMatrix(rows, cols, [Rational(...), ...])``.
    """
    if _flint_ground_types():
        dod: dict[int, dict[int, Any]] = {}
        integral = True
        for n, q in enumerate(entries):
            if q != 0:
                i, j = divmod(n, cols)
                dod.setdefault(i, {})[j] = q
                integral = integral and q.q == 1
        if integral:
            dod = {i: {j: q.p for j, q in row.items()} for i, row in dod.items()}
        rep = DomainMatrix(dod, (rows, cols), ZZ if integral else QQ)
        return Matrix._fromrep(rep)
    return Matrix(rows, cols, [sympy.Rational(int(q.p), int(q.q)) for q in entries])


def from_fmpq_mat(m: flint.fmpq_mat) -> Matrix:
    """A ``flint.fmpq_mat`` as an immutable sympy matrix of Rationals."""
    return _sympy_matrix(m.nrows(), m.ncols(), m.entries())


def to_sympy(m: Scaled | flint.fmpq_mat | sympy.MatrixBase) -> Matrix:
    """Any matrix of the core as an immutable sympy matrix (sympy matrices pass through)."""
    if isinstance(m, Scaled):
        m = m.to_fmpq_mat()
    if isinstance(m, flint.fmpq_mat):
        return from_fmpq_mat(m)
    return m


# -- activations on numerators -------------------------------------------------------------------


def _frac(value: sympy.Expr) -> tuple[flint.fmpz, flint.fmpz]:
    return flint.fmpz(int(value.p)), flint.fmpz(int(value.q))


def _rebuild(z: flint.fmpz_mat, values: list) -> flint.fmpz_mat:
    return flint.fmpz_mat(z.nrows(), z.ncols(), values)


def _relu(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
    return _rebuild(z, [e if e > _Z else _Z for e in z.entries()]), den


def _heaviside(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
    return _rebuild(z, [_ONE if e >= _Z else _Z for e in z.entries()]), _ONE


def _identity(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
    return z, den


def _leaky_kernel(gamma: sympy.Expr) -> Kernel:
    gp, gq = _frac(gamma)
    if gp == 0:
        return _relu
    if gp == gq:
        return _identity
    if gq == 1:
        return lambda z, den: (_rebuild(z, [e if e > _Z else e * gp for e in z.entries()]), den)
    return lambda z, den: (
        _rebuild(z, [e * gq if e > _Z else e * gp for e in z.entries()]),
        den * gq,
    )


def _clip_kernel(u: sympy.Expr, v: sympy.Expr) -> Kernel:
    bounds = [_frac(b) if b.is_finite else None for b in (u, v)]
    m = flint.fmpz(lcm(*(int(b[1]) for b in bounds if b is not None)))

    def clip(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
        new = den * m
        lo, hi = (None if b is None else b[0] * (new // b[1]) for b in bounds)
        out = []
        for e in z.entries():
            e = e * m
            if hi is not None and e > hi:
                e = hi
            if lo is not None and e < lo:
                e = lo
            out.append(e)
        return _rebuild(z, out), new

    return clip


def _repu_kernel(p: int) -> Kernel:
    if p == 1:
        return _relu

    def repu(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
        # x^p has p times the bits of x: refuse before the power would eat the memory
        bits = max(den.bit_length(), *(e.bit_length() for e in z.entries()))
        budget = active_limits().max_result_bits
        if p * bits > budget:
            raise LimitError(
                f"RePU_{p} would make values of about {p * bits} bits, more than {budget} "
                "(Limits.max_result_bits): the exact values of this network grow too fast",
                place="activation.p",
                hint="use fewer layers or a smaller power p",
            )
        return _rebuild(z, [e**p if e > _Z else _Z for e in z.entries()]), den**p

    return repu


def _fraction_kernel(act: Activation) -> Kernel:
    """Any activation exact on rationals, entry by entry through ``apply_fraction``."""

    def entrywise(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
        d = int(den)
        values = [act.apply_fraction(Fraction(int(e), d)) for e in z.entries()]
        new = lcm(*(v.denominator for v in values))
        return _rebuild(z, [v.numerator * (new // v.denominator) for v in values]), flint.fmpz(new)

    return entrywise


def kernel(act: Activation) -> Kernel:
    """``M_{a,d}`` (Def. 1.2.1) on ``num / den``: returns the new ``(num, den)``.

    Requires ``act.rational`` (the activation maps rationals to rationals).
    """
    name = act.name
    if name == "identity":
        return _identity
    if name == "relu":
        return _relu
    if name == "heaviside":
        return _heaviside
    if name == "leaky_relu":
        return _leaky_kernel(act.param("gamma"))
    if name == "clip":
        return _clip_kernel(act.param("u"), act.param("v"))
    if name == "repu":
        return _repu_kernel(int(act.param("p")))
    return _fraction_kernel(act)


def apply_activation(act: Activation, z: flint.fmpq_mat) -> flint.fmpq_mat:
    """``M_{a,d}`` (Def. 1.2.1) applied exactly to a ``fmpq_mat``."""
    num, den = _split(z)
    out, new = kernel(act)(num, den)
    return Scaled(out, new).to_fmpq_mat()


# -- the compiled network ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class CompiledLayer:
    """Layer ``k`` on flint: ``W = q_k W_k``, ``B = q_k B_k``, ``skips = ((r, q_k V_{r,k}), ...)``.

    ``activation`` is ``a`` for ``k < L`` and ``id_R`` for ``k = L`` (Def. 1.5.4).
    """

    k: int
    q: flint.fmpz
    W: flint.fmpz_mat
    B: flint.fmpz_mat
    skips: tuple[tuple[int, flint.fmpz_mat], ...]
    activation: Activation
    act: Kernel = dataclasses.field(repr=False)

    @classmethod
    def from_fmpq(
        cls,
        k: int,
        W: flint.fmpq_mat,
        B: flint.fmpq_mat,
        skips: Sequence[tuple[int, flint.fmpq_mat]],
        activation: Activation,
    ) -> CompiledLayer:
        parts = [_split(m) for m in (W, B, *(V for _, V in skips))]
        q = flint.fmpz(lcm(*(int(d) for _, d in parts)))
        nums = [num if d == q else num * (q // d) for num, d in parts]
        return cls(
            k,
            q,
            nums[0],
            nums[1],
            tuple((r, n) for (r, _), n in zip(skips, nums[2:], strict=True)),
            activation,
            kernel(activation),
        )

    def __reduce__(self):
        def ints(m: flint.fmpz_mat) -> tuple[int, int, list[int]]:
            return (m.nrows(), m.ncols(), [int(e) for e in m.entries()])

        skips = tuple((r, ints(V)) for r, V in self.skips)
        return (_layer, (self.k, int(self.q), ints(self.W), ints(self.B), skips, self.activation))


def _layer(k, q, W, B, skips, activation) -> CompiledLayer:
    def mat(t):
        return flint.fmpz_mat(*t)

    return CompiledLayer(
        k,
        flint.fmpz(q),
        mat(W),
        mat(B),
        tuple((r, mat(V)) for r, V in skips),
        activation,
        kernel(activation),
    )


@dataclasses.dataclass(frozen=True, eq=False)
class Compiled:
    """A network's numeric part on flint: ``layers`` are layers ``1..prefix`` (Def. 1.5.4).

    ``prefix == L`` when every weight is rational and the activation is exact on rationals;
    otherwise layer ``prefix + 1`` is the first that needs the symbolic path.
    """

    dims: tuple[int, ...]
    layers: tuple[CompiledLayer, ...]

    @property
    def L(self) -> int:
        return len(self.dims) - 1

    @property
    def prefix(self) -> int:
        return len(self.layers)

    @property
    def complete(self) -> bool:
        """The whole network runs on flint."""
        return self.prefix == self.L


def layer_activation(net: Any, k: int) -> Activation:
    """``a`` on the hidden layers ``k < L``, ``id_R`` on the output layer ``k = L``."""
    return net.activation if k < net.L else IDENTITY


def _compile_layer(
    net: Any,
    k: int,
    act: Activation | None,
    convert: Callable[[sympy.MatrixBase], flint.fmpq_mat | None],
) -> CompiledLayer | None:
    """Layer ``k`` on flint, or ``None`` if an entry (after ``convert``) or ``act`` is not
    rational."""
    if act is None or not act.rational:
        return None
    W, B = convert(net.W[k - 1]), convert(net.B[k - 1])
    converted = [(r, convert(V)) for r, V in net.skips_into(k)]
    skips = [(r, V) for r, V in converted if V is not None]
    if W is None or B is None or len(skips) != len(converted):
        return None
    return CompiledLayer.from_fmpq(k, W, B, skips, act)


def _compile(net: Any) -> Compiled:
    layers = []
    for k in range(1, net.L + 1):
        layer = _compile_layer(net, k, layer_activation(net, k), _as_fmpq_mat)
        if layer is None:
            break
        layers.append(layer)
    return Compiled(tuple(net.dims), tuple(layers))


_CACHE: weakref.WeakKeyDictionary[Any, Compiled] = weakref.WeakKeyDictionary()


def compiled(net: Any) -> Compiled:
    """The network on flint, converted once per network and cached while ``net`` lives."""
    try:
        return _CACHE[net]
    except KeyError:
        out = _CACHE[net] = _compile(net)
        return out


# -- the forward pass ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False, slots=True)
class Layer:
    """Layer ``k`` of Def. 1.5.4 for every column: the terms ``W_k x_{k-1}``, the skip terms
    ``((r, V_{r,k} x_r), ...)``, the pre-activation ``z`` and ``x = x_k`` (``B_k`` is the
    network's own ``B[k-1]``, the same for every point)."""

    k: int
    Wx: Scaled
    skips: tuple[tuple[int, Scaled], ...]
    z: Scaled
    x: Scaled


def _ones(n: int) -> flint.fmpz_mat:
    return flint.fmpz_mat(1, n, [1] * n)


def _step(layer: CompiledLayer, xs: Sequence[Scaled], ones: flint.fmpz_mat | None) -> Layer:
    """One layer: ``ones`` is the row the bias is spread over (``None``: one column)."""
    prev = xs[-1]
    g = prev.den
    for r, _ in layer.skips:
        if g % xs[r].den != 0:
            g = flint.fmpz(lcm(int(g), int(xs[r].den)))
    den = g * layer.q
    wx = layer.W * prev.num
    if g != prev.den:
        wx = wx * (g // prev.den)
    bias = layer.B * g
    z = wx + (bias if ones is None else bias * ones)
    terms = []
    for r, V in layer.skips:
        scale = g // xs[r].den
        if scale == 1:
            t = V * xs[r].num
        elif scale.bit_length() <= 64 and V.ncols() < xs[r].num.ncols():
            t = (V * scale) * xs[r].num  # a small factor and many points: scale the weights
        else:
            t = (V * xs[r].num) * scale
        terms.append((r, Scaled(t, den)))
        z = z + t
    x_num, x_den = layer.act(z, den)
    pre = Scaled(z, den)
    x = pre if x_num is z and x_den == den else Scaled(x_num, x_den)
    return Layer(layer.k, Scaled(wx, den), tuple(terms), pre, x)


def run(
    model: Compiled,
    X: Scaled,
    *,
    upto: int | None = None,
    ones: flint.fmpz_mat | None = None,
) -> list[Layer]:
    """:func:`forward` on a compiled network; ``ones`` is the bias row (default all ones)."""
    upto = model.prefix if upto is None else min(upto, model.prefix)
    if X.shape[0] != model.dims[0]:
        raise ValueError(f"expected {model.dims[0]} rows (l_0), got {X.shape[0]}")
    if ones is None and X.shape[1] != 1:
        ones = _ones(X.shape[1])
    xs = [X]
    out = []
    for layer in model.layers[:upto]:
        step = _step(layer, xs, ones)
        xs.append(step.x)
        out.append(step)
    return out


def forward(net: Any, X: Scaled, *, upto: int | None = None) -> list[Layer]:
    """Def. 1.5.4 for every column of ``X`` at once, layers ``1..min(upto, prefix)``.

    Exact: each :class:`Layer` holds ``W_k x_{k-1}``, the skip terms, ``z_k`` and ``x_k`` as
    :class:`Scaled` matrices with one column per point.
    """
    return run(compiled(net), X, upto=upto)


def _require_complete(net: Any, what: str) -> Compiled:
    model = compiled(net)
    if not model.complete:
        k = model.prefix + 1
        raise NetworkError(
            f"{what} needs rational weights and an activation exact on rationals; "
            f"layer {k} is not (symbolic entry or activation {net.activation.text})",
            place=f"layers[{k}]",
        )
    return model


def preactivations(net: Any, points: Iterable[Sequence[object]] | Scaled) -> list[Scaled]:
    """``z_1, ..., z_L`` (Def. 1.5.4) for a batch of rational points, one column per point."""
    X = points if isinstance(points, Scaled) else columns(points)
    return [layer.z for layer in run(_require_complete(net, "preactivations"), X)]


def _piece_bounds(act: Activation) -> list[tuple[flint.fmpz, flint.fmpz, bool]]:
    """Upper ends ``(p, q, closed)`` of all pieces but the last (see ``Activation.pieces``)."""
    return [(*_frac(piece.hi), piece.hi_closed) for piece in act.pieces[:-1]]


def _piece_index(bounds: list[tuple[flint.fmpz, flint.fmpz, bool]], e: flint.fmpz, den) -> int:
    for i, (p, q, closed) in enumerate(bounds):
        lhs, rhs = e * q, p * den
        if lhs < rhs or (closed and lhs == rhs):
            return i
    return len(bounds)


def patterns(net: Any, points: Iterable[Sequence[object]] | Scaled) -> list[Pattern]:
    """The activation pattern of every point: ``pattern[k-1][i]`` is the index in
    ``net.activation.pieces`` of the piece containing ``z_{k,i}``, hidden layers ``k < L``."""
    bounds = _piece_bounds(net.activation)
    X = points if isinstance(points, Scaled) else columns(points)
    zs = preactivations(net, X)[:-1]
    n = X.shape[1]  # the number of points (columns), also when there is no hidden layer
    per_layer = []
    for z in zs:
        rows = z.num.tolist()
        per_layer.append([[_piece_index(bounds, e, z.den) for e in row] for row in rows])
    return [tuple(tuple(row[j] for row in layer) for layer in per_layer) for j in range(n)]


# -- affine maps for a fixed pattern -------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class AffineMap:
    """``x_0 -> C x_0 + d``, stored homogeneously as ``M = (C | d)`` (``l x (l_0 + 1)``)."""

    M: Scaled

    @property
    def C(self) -> Scaled:
        return self.M.columns(0, self.M.shape[1] - 1)

    @property
    def d(self) -> Scaled:
        return self.M.columns(self.M.shape[1] - 1, self.M.shape[1])

    def __call__(self, x0: Sequence[object]) -> list[flint.fmpq]:
        """The value at a rational point ``x_0`` (exact)."""
        col = flint.fmpq_mat([[_fmpq(v)] for v in x0] + [[flint.fmpq(1)]])
        return (self.M.to_fmpq_mat() * col).entries()

    def to_sympy(self) -> tuple[Matrix, Matrix]:
        """``(C, d)`` as sympy matrices."""
        return to_sympy(self.C), to_sympy(self.d)


@dataclasses.dataclass(frozen=True, eq=False)
class AffineLayer:
    """For a fixed pattern: ``z_k = pre(x_0)`` and ``x_k = x(x_0)`` (Def. 1.5.4)."""

    k: int
    pre: AffineMap
    x: AffineMap


def _pattern_kernel(act: Activation, pieces: tuple[int, ...]) -> Kernel:
    """The affine function of each neuron's piece, applied to homogeneous columns."""
    table = act.pieces
    try:
        chosen = [table[i] for i in pieces]
    except (IndexError, TypeError):
        raise NetworkError(
            f"piece indices must be 0..{len(table) - 1} ({act.text} has {len(table)} pieces)",
            place="pattern",
        ) from None
    coeffs = [(_frac(p.slope), _frac(p.intercept)) for p in chosen]
    m = flint.fmpz(lcm(*(int(den) for pair in coeffs for _, den in pair)))
    slopes = [s * (m // q) for (s, q), _ in coeffs]
    intercepts = [t * (m // r) for _, (t, r) in coeffs]
    n = len(pieces)

    def apply(z: flint.fmpz_mat, den: flint.fmpz) -> tuple[flint.fmpz_mat, flint.fmpz]:
        diag = flint.fmpz_mat(n, n, [s * (i == j) for i, s in enumerate(slopes) for j in range(n)])
        t = flint.fmpz_mat(n, 1, [c * den for c in intercepts])
        last = flint.fmpz_mat(1, z.ncols(), [0] * (z.ncols() - 1) + [1])
        return diag * z + t * last, den * m

    return apply


def affine_maps(net: Any, pattern: Pattern) -> list[AffineLayer]:
    """The affine maps ``x_0 -> z_k`` and ``x_0 -> x_k`` on the region of ``pattern``.

    ``pattern[k-1]`` gives, for each neuron of hidden layer ``k < L``, the index of its piece in
    ``net.activation.pieces`` (as returned by :func:`patterns`).  On the set of inputs with this
    pattern the realization of Def. 1.5.4 is ``x_L = C x_0 + d`` with ``(C, d)`` the last
    layer's ``x`` map; the region itself is cut out by ``z_k`` lying in the chosen pieces.
    """
    model = _require_complete(net, "affine_maps")
    L, dims = model.L, model.dims
    if len(pattern) != L - 1:
        raise NetworkError(
            f"a pattern has one entry per hidden layer ({L - 1}), got {len(pattern)}",
            place="pattern",
        )
    layers = []
    for layer in model.layers:
        if layer.k < L:
            pieces = tuple(pattern[layer.k - 1])
            if len(pieces) != dims[layer.k]:
                raise NetworkError(
                    f"layer {layer.k} has {dims[layer.k]} neurons, the pattern gives {len(pieces)}",
                    place=f"pattern[{layer.k}]",
                )
            act = _pattern_kernel(net.activation, pieces)
            layer = dataclasses.replace(layer, act=act)
        layers.append(layer)
    l0 = dims[0]
    start = Scaled(
        flint.fmpz_mat(l0, l0 + 1, [int(i == j) for i in range(l0) for j in range(l0 + 1)]), _ONE
    )
    last = flint.fmpz_mat(1, l0 + 1, [0] * l0 + [1])
    steps = run(Compiled(dims, tuple(layers)), start, ones=last)
    return [AffineLayer(s.k, AffineMap(s.z), AffineMap(s.x)) for s in steps]


# -- parameter sweeps ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class Parametric:
    """A network with symbolic entries, ready to be bound to many rational parameter values.

    Layers without symbols are compiled once; :meth:`bind` substitutes the values into the
    symbolic entries only and recompiles just those layers.
    """

    net: Any
    fixed: tuple[CompiledLayer | None, ...]
    symbols: frozenset[sympy.Symbol]

    def bind(self, values: Mapping[sympy.Symbol, object]) -> Compiled | None:
        """The network at ``values`` (``Symbol -> rational``) on flint, or ``None`` when some
        entry does not become rational (then use the symbolic path for this point)."""
        subs = {s: v if isinstance(v, sympy.Basic) else _rational(v) for s, v in values.items()}
        missing = self.symbols - set(subs)
        if missing:
            names = ", ".join(sorted(map(str, missing)))
            raise NetworkError(f"no value given for the parameter(s) {names}", place="parameters")
        net, layers = self.net, []
        for k, done in enumerate(self.fixed, start=1):
            layer = done or _compile_layer(
                net,
                k,
                _bind_activation(layer_activation(net, k), subs),
                lambda m: _substituted(m, subs),
            )
            if layer is None:
                return None
            layers.append(layer)
        return Compiled(tuple(net.dims), tuple(layers))


def _rational(value: object) -> sympy.Rational:
    q = _fmpq(value)
    return sympy.Rational(int(q.p), int(q.q))


Subs: TypeAlias = Mapping[sympy.Symbol, sympy.Expr]


def _substituted(m: sympy.MatrixBase, subs: Subs) -> flint.fmpq_mat | None:
    q = _as_fmpq_mat(m)
    if q is not None:
        return q
    return _as_fmpq_mat(Matrix(m.rows, m.cols, [e.xreplace(subs) for e in m]))


def _bind_activation(act: Activation, subs: Subs) -> Activation | None:
    if not any(getattr(v, "free_symbols", None) for _, v in act.params):
        return act
    try:
        return Activation(act.name, tuple((key, v.xreplace(subs)) for key, v in act.params))
    except Exception:  # the values violate the activation's conditions: not a network
        return None


def parametric(net: Any) -> Parametric:
    """Prepare ``net`` (symbolic weights or activation parameters) for :meth:`Parametric.bind`."""
    fixed = tuple(
        _compile_layer(net, k, layer_activation(net, k), _as_fmpq_mat) for k in range(1, net.L + 1)
    )
    return Parametric(net, fixed, frozenset(net.free_symbols))
