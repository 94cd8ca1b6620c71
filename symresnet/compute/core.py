"""The exact numeric core: realizations (Def. 1.5.4) on python-flint integer matrices.

Representation
--------------
Values are :class:`~symresnet.compute.scaled.Scaled` matrices ``num / den`` (an integer matrix
over one positive common denominator) whose columns are points, so a batch of ``n`` inputs is
one ``l_0 x n`` matrix and a layer is one matrix product.  For layer ``k`` the weights ``W_k``,
``B_k`` and ``V_{r,k}`` are stored as integer matrices over their own common denominator
``q_k`` (:class:`CompiledLayer`); with ``x_{k-1} = N / d`` (all earlier ``x_r`` have
denominators dividing ``g``) the pre-activation is

    z_k = ( W_k q_k N (g/d) + B_k q_k g 1^T + sum_r V_{r,k} q_k N_r (g/d_r) ) / (q_k g)

— integer products only, no gcd on the hot path.  The activation then acts on the numerators
(:mod:`symresnet.compute.kernels`).

API (for :mod:`symresnet.compute.realization`, :mod:`symresnet.compute.batch`, regions and parameter sweeps)
--------------------------------------------------------------------------------------------
``compiled(net) -> Compiled``
    The network converted to flint once and cached per network object (a
    ``WeakKeyDictionary``): layers ``1..prefix`` whose weights are rational and whose activation
    is exact on rationals.  ``prefix == L`` means the whole network runs here.
``forward(net, X) -> list[Layer]``
    The numeric prefix of Def. 1.5.4 on all columns of ``X`` at once: for every layer its
    terms ``Wx``, ``skips`` (``(r, V_{r,k} x_r)``), the pre-activation ``z`` and ``x``, each a
    :class:`~symresnet.compute.scaled.Scaled` with one column per point.  Skip terms read
    ``x_r`` by reference.
``run(model, X) -> list[Layer]``
    The same for an already compiled network (e.g. one from :meth:`Parametric.bind`).
``preactivations(net, points) -> list[Scaled]``
    ``z_1, ..., z_L`` for a batch (what an activation pattern is read from,
    :mod:`symresnet.compute.patterns`).
``Parametric`` / ``parametric(net).bind(values) -> Compiled``
    Parameter sweeps: the symbolic entries are substituted by rationals and only the layers
    that contain them are recompiled.

Example (Example 1.5.6)::

    >>> from symresnet import ResNet
    >>> net = ResNet(W=[[[1]], [[1], [2]], [[1, 0], [0, 1]], [[2, 2]]],
    ...              B=[[0], [0, 1], [0, 0], [1]], skips={(0, 4): [[-1]]})
    >>> forward(net, columns([[5], [0]]))[-1].x.to_fmpq_mat()
    [28, 3]
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from math import lcm
from typing import Any, TypeAlias

import flint
import sympy

from symresnet.base.errors import LimitError, NetworkError
from symresnet.compute.kernels import Kernel, kernel
from symresnet.compute.scaled import Matrix, Scaled, as_fmpq_mat, columns, split
from symresnet.model.activations import IDENTITY, Activation
from symresnet.values.rationals import to_rational

__all__ = [
    "Compiled",
    "CompiledLayer",
    "Layer",
    "Parametric",
    "compiled",
    "forward",
    "layer_activation",
    "parametric",
    "preactivations",
    "require_complete",
    "run",
]


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
        parts = [split(m) for m in (W, B, *(V for _, V in skips))]
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
        layer = _compile_layer(net, k, layer_activation(net, k), as_fmpq_mat)
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


def require_complete(net: Any, what: str) -> Compiled:
    """:func:`compiled`, or a ``NetworkError`` (for ``what``) naming the first layer not on flint."""
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
    return [layer.z for layer in run(require_complete(net, "preactivations"), X)]


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
        subs = {s: v if isinstance(v, sympy.Basic) else to_rational(v) for s, v in values.items()}
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


Subs: TypeAlias = Mapping[sympy.Symbol, sympy.Expr]


def _substituted(m: sympy.MatrixBase, subs: Subs) -> flint.fmpq_mat | None:
    q = as_fmpq_mat(m)
    if q is not None:
        return q
    return as_fmpq_mat(Matrix(m.rows, m.cols, [e.xreplace(subs) for e in m]))


def _bind_activation(act: Activation, subs: Subs) -> Activation | None:
    if not any(getattr(v, "free_symbols", None) for _, v in act.params):
        return act
    try:
        return Activation(act.name, tuple((key, v.xreplace(subs)) for key, v in act.params))
    except (LimitError, MemoryError):  # a limit (time, memory) stops the whole computation
        raise
    except Exception:  # the values violate the activation's conditions: not a network
        return None


def parametric(net: Any) -> Parametric:
    """Prepare ``net`` (symbolic weights or activation parameters) for :meth:`Parametric.bind`."""
    fixed = tuple(
        _compile_layer(net, k, layer_activation(net, k), as_fmpq_mat) for k in range(1, net.L + 1)
    )
    return Parametric(net, fixed, frozenset(net.free_symbols))
