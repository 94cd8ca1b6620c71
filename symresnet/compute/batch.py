"""Many points at once: :func:`realize_many` and :func:`sweep` on the flint core.

:func:`realize_many` evaluates the realization ``R^R_a(Phi, V)`` of Def. 1.5.4 at many inputs
in one pass: the rational points become the columns of one integer matrix over a common
denominator (:class:`symresnet.compute.scaled.Scaled`), so each layer is one matrix product; with ReLU,
leaky ReLU or Heaviside (or none) and at least :data:`symresnet.compute.modular.MIN_COLUMNS` points the
batch goes the multi-modular way of :mod:`symresnet.compute.modular` (signs from a certified float pass,
the values modulo word-sized primes, same exact result, about 3x faster).  Points with
symbolic entries, and networks with symbolic weights, go through
:func:`~symresnet.compute.realization.realize` one by one (which still runs the numeric layers before
the first symbolic one on flint).

:func:`sweep` evaluates one input under many parameter values (``{"a": "1/2"}``, ...): only the
layers holding parameters are recompiled for each value (:class:`symresnet.compute.core.Parametric`).

Both cut their work into chunks and run them with
:func:`symresnet.compute.workers.map_chunks`: in this process, over idle cores or over a Dask
cluster, with a progress line (:class:`symresnet.compute.workers.Progress`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from math import lcm
from typing import Any, TypeAlias, TypeVar, overload

import flint
import sympy

from symresnet.base.errors import InputError
from symresnet.compute import core, modular, scaled
from symresnet.compute.realization import input_entries, realize
from symresnet.compute.workers import Progress, map_chunks, processes, work
from symresnet.model.activations import Activation
from symresnet.model.network import ResNet
from symresnet.values.exact import exact, exact_str
from symresnet.values.limits import DEFAULT_LIMITS, Limits, using_limits
from symresnet.values.rationals import to_fmpq

__all__ = [
    "Batch",
    "Outputs",
    "point_values",
    "realize_many",
    "string",
    "sweep",
]

Matrix: TypeAlias = sympy.ImmutableMatrix
Value: TypeAlias = Any  # flint.fmpq or a sympy expression
_T = TypeVar("_T")

#: points per chunk when a run is split (for progress and workers)
CHUNK_POINTS = 256

#: ASCII only: ``\d`` alone would match Bengali or fullwidth digits, which ``int()`` reads
_SIMPLE = re.compile(r"\s*(-?\d{1,60})(?:/(\d{1,60})|\.(\d{1,60}))?\s*", re.ASCII)


# -- reading points ------------------------------------------------------------------------------


def _value(entry: object, *, names: Mapping[str, sympy.Symbol], limits: Limits) -> Value:
    """One exact entry: ``fmpq`` when rational, else a sympy expression."""
    if type(entry) is Fraction or isinstance(entry, sympy.Rational):  # what exact() takes, faster
        p, q = entry.numerator, entry.denominator
        if max(p.bit_length(), q.bit_length()) < limits.max_digits * 3:  # < max_digits digits
            return flint.fmpq(int(p), int(q))
    elif isinstance(entry, str):
        m = _SIMPLE.fullmatch(entry)
        if m and (m[2] is None or m[2].strip("0")):
            whole, den, frac = m.groups()
            if den is not None:
                return flint.fmpq(int(whole), int(den))
            if frac is not None:  # "-1.25" is -125/100
                return flint.fmpq(int(whole + frac), 10 ** len(frac))
            return flint.fmpq(int(whole))
    if isinstance(entry, flint.fmpq):
        return entry
    value = exact(entry, names=names, limits=limits)
    return to_fmpq(value) if value.is_Rational else value


def point_values(
    point: object,
    dim: int,
    *,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    place: str = "input",
    entry_place: str = "{place}[{i}]",
) -> list[Value]:
    """An input ``x_0`` of length ``l_0`` as exact values (``fmpq`` where rational).

    Like :func:`symresnet.compute.realization.as_input`: ints, Fractions, exact strings (``"3/7"``,
    ``"0.25"``, ``"2*a"``), sympy values; a bare entry is a 1-vector.  Errors name ``place``
    (an entry's place is ``entry_place`` with ``{place}`` and ``{i}``, from 1, filled in).
    """
    return input_entries(
        point,
        dim,
        names=names,
        limits=limits,
        place=place,
        entry_place=entry_place,
        convert=_value,
    )


def _sympy_value(v: Value) -> sympy.Expr:
    return sympy.Rational(int(v.p), int(v.q)) if isinstance(v, flint.fmpq) else v


def string(v: Value) -> str:
    """An exact value as text in sympy's form (``"-7"``, ``"3/7"``)."""
    return str(v) if isinstance(v, flint.fmpq) else exact_str(v)


# -- results -------------------------------------------------------------------------------------


class Outputs(Sequence[Matrix]):
    """Output vectors ``x_L``, one per point; sympy matrices are built on first access.

    ``values(j)`` gives exact entries (``flint.fmpq`` when rational) and ``strings(j)`` their
    text in sympy's form (``"-7"``, ``"3/7"``) without building sympy objects.
    """

    def __init__(self, items: Sequence[tuple[scaled.Scaled, int] | Matrix]):
        self._items = list(items)

    def __len__(self) -> int:
        return len(self._items)

    def values(self, j: int) -> list[Value]:
        item = self._items[j]
        if isinstance(item, tuple):
            block, col = item
            return block.column_values(col)
        return list(item)

    def strings(self, j: int) -> list[str]:
        return [string(v) for v in self.values(j)]

    @overload
    def __getitem__(self, j: int) -> Matrix: ...

    @overload
    def __getitem__(self, j: slice) -> list[Matrix]: ...

    def __getitem__(self, j: int | slice) -> Matrix | list[Matrix]:
        if isinstance(j, slice):
            return [self[i] for i in range(*j.indices(len(self)))]
        item = self._items[j]
        if isinstance(item, tuple):
            item = self._items[j] = Matrix([_sympy_value(v) for v in self.values(j)])
        return item


@dataclasses.dataclass(frozen=True, eq=False)
class Batch:
    """``(R^R_a(Phi, V))(x_0)`` (Def. 1.5.4) at many inputs: ``outputs[j]`` is ``x_L`` at
    ``input(j)``; :meth:`trace` gives the full layer-by-layer :class:`~symresnet.Trace`."""

    network: ResNet
    inputs: tuple[tuple[Value, ...], ...]
    outputs: Outputs
    names: Mapping[str, sympy.Symbol] = dataclasses.field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.inputs)

    def input(self, j: int) -> Matrix:
        return Matrix([_sympy_value(v) for v in self.inputs[j]])

    def trace(self, j: int):
        """The realization at input ``j``, layer by layer (recomputed: cheap, cached weights)."""
        return realize(self.network, self.input(j), names=self.names)


# -- realize_many --------------------------------------------------------------------------------


def _outputs_within(shared: tuple[core.Compiled, Limits], X: scaled.Scaled) -> scaled.Scaled:
    """:func:`_outputs_of` under the caller's limits (read deep in the core: RePU growth), in
    this process or in a worker."""
    model, limits = shared
    with using_limits(limits):
        return _outputs_of(model, X)


def _outputs_of(model: core.Compiled, X: scaled.Scaled) -> scaled.Scaled:
    """``x_L`` at the columns of ``X``: by the modular path where it applies (many points, a
    piecewise-linear activation), else on the integer core; the same exact value either way."""
    fast = modular.outputs(model, X)
    return fast if fast is not None else core.run(model, X)[-1].x


def _plain_point(point: object, dim: int, max_bits: int) -> tuple[flint.fmpq, ...] | None:
    """A list or tuple of ``dim`` moderate ints, Fractions, sympy Rationals or fmpq, converted
    without the general parser; ``None`` for anything else (:func:`point_values` reads it)."""
    if not (type(point) is list or type(point) is tuple) or len(point) != dim:
        return None
    out = []
    for e in point:
        t = type(e)
        if t is flint.fmpq:
            out.append(e)
            continue
        if t is Fraction or t is int or (t is not bool and isinstance(e, sympy.Rational)):
            p, q = e.numerator, e.denominator
            if p.bit_length() < max_bits and q.bit_length() < max_bits:
                out.append(flint.fmpq(int(p), int(q)))
                continue
        return None
    return tuple(out)


def _groups(points: list[list[flint.fmpq]]) -> list[list[int]]:
    """Indices of points to stack together: all of them, unless their common denominator would
    be much larger than any single one (then points with equal denominators go together)."""
    dens = [lcm(*{int(q.q) for q in p}) for p in points]
    common = lcm(*set(dens))
    if common.bit_length() <= max(d.bit_length() for d in dens) + 64:
        return [list(range(len(points)))]
    by_den: dict[int, list[int]] = {}
    for j, d in enumerate(dens):
        by_den.setdefault(d, []).append(j)
    return list(by_den.values())


def _chunks(items: list[_T], size: int) -> list[list[_T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def realize_many(
    network: ResNet,
    points: Iterable[object],
    *,
    names: Mapping[str, sympy.Symbol] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool | Progress | None = False,
    chunk_size: int | None = None,
) -> Batch:
    """Evaluate ``(R^R_a(Phi, V))(x_0)`` (Def. 1.5.4) exactly at every point in ``points``.

    Each point is what :func:`~symresnet.compute.realization.realize` accepts (``l_0`` entries, or one
    entry when ``l_0 = 1``).  Rational points of a rational network are stacked as matrix
    columns and run together on flint; the rest run one by one through ``realize``.  Work is
    spread as described in :func:`~symresnet.compute.workers.map_chunks` (``workers=1`` keeps
    it in this process; ``scheduler`` is a Dask address).  ``progress``: ``True`` shows a
    progress line, ``None`` on a terminal when slow, or a :class:`Progress` of the caller to
    advance (it is not closed here).  Errors name the point: ``points[3][2]: ...``.
    """
    dim = network.dims[0]
    names = dict(names or {})
    max_bits = 3 * limits.max_digits  # fewer bits than that: fewer than max_digits digits
    inputs = [
        _plain_point(p, dim, max_bits)
        or tuple(point_values(p, dim, names=names, limits=limits, place=f"points[{j}]"))
        for j, p in enumerate(points, start=1)
    ]
    model = core.compiled(network)
    rational = [j for j, p in enumerate(inputs) if all(isinstance(v, flint.fmpq) for v in p)]
    items: list[Any] = [None] * len(inputs)
    own = not isinstance(progress, Progress)
    bar = progress if isinstance(progress, Progress) else Progress(len(inputs), enabled=progress)
    try:
        if model.complete and rational:
            estimate = work(network, len(rational))
            if modular.supports(model):
                estimate /= modular.SPEEDUP
            n = processes(estimate, workers=workers)
            size = chunk_size or (CHUNK_POINTS if n == 1 else -(-len(rational) // (2 * n)))
            chunks: list[list[int]] = []
            for group in _groups([list(inputs[j]) for j in rational]):
                chunks += _chunks([rational[i] for i in group], size)
            blocks = map_chunks(
                _outputs_within,
                (model, limits),
                [scaled.columns([inputs[j] for j in chunk]) for chunk in chunks],
                sizes=[len(c) for c in chunks],
                work=estimate,
                workers=workers,
                scheduler=scheduler,
                progress=bar,
            )
            for chunk, block in zip(chunks, blocks, strict=True):
                for col, j in enumerate(chunk):
                    items[j] = (block, col)
        for j, item in enumerate(items):
            if item is None:
                items[j] = realize(
                    network, [_sympy_value(v) for v in inputs[j]], names=names
                ).output
                bar.advance(1)
    finally:
        if own:
            bar.close()
    return Batch(network, tuple(inputs), Outputs(items), names)


# -- sweeps --------------------------------------------------------------------------------------


def _sweep_chunk(shared: tuple[core.Parametric, scaled.Scaled], chunk: list[dict]) -> list[Any]:
    """Outputs at each parameter assignment of ``chunk`` (``None``: not rational there)."""
    template, X = shared
    out = []
    for values in chunk:
        model = template.bind(values)
        out.append(None if model is None else _outputs_of(model, X))
    return out


def _assignment(
    values: Mapping[object, object], network: ResNet, names: Mapping[str, sympy.Symbol], place: str
) -> dict[sympy.Symbol, sympy.Expr]:
    by_name = {str(s): s for s in network.free_symbols}
    out = {}
    for key, value in values.items():
        symbol = by_name.get(str(key))
        if symbol is None:
            raise InputError(f"{key} is not a parameter of the network", place=place)
        try:
            out[symbol] = exact(value, names=names)
        except InputError as err:
            raise err.located(prefix=f"{place}.{key}") from None
    return out


def sweep(
    network: ResNet,
    x0: object,
    values: Iterable[Mapping[object, object]],
    *,
    names: Mapping[str, sympy.Symbol] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool | None = False,
) -> Outputs:
    """The realization at ``x0`` for each parameter assignment in ``values`` (a parameter
    study): ``sweep(net, [1], [{"a": 0}, {"a": "1/2"}])[1]`` is ``x_L`` with ``a = 1/2``.

    Rational assignments run on flint (only layers holding parameters are recompiled); others
    fall back to substituting into the network and :func:`~symresnet.compute.realization.realize`.
    """
    names = dict(names or {})
    assignments = [
        _assignment(v, network, names, place=f"values[{j}]") for j, v in enumerate(values, 1)
    ]
    x = point_values(x0, network.dims[0], names=names)
    template = core.parametric(network)
    bar = Progress(len(assignments), enabled=progress, unit="values")
    rational = all(isinstance(v, flint.fmpq) for v in x)
    try:
        if rational:
            X = scaled.columns([x])
            chunks = _chunks([dict(a) for a in assignments], 16)
            parts = map_chunks(
                _sweep_chunk,
                (template, X),
                chunks,
                sizes=[len(c) for c in chunks],
                work=work(network, len(assignments)),
                workers=workers,
                scheduler=scheduler,
                progress=bar,
            )
            blocks = [b for part in parts for b in part]
        else:
            blocks = [None] * len(assignments)
        items: list[Any] = []
        for subs, block in zip(assignments, blocks, strict=True):
            items.append((block, 0) if block is not None else _substituted_output(network, x, subs))
            if block is None:
                bar.advance(1)
    finally:
        bar.close()
    return Outputs(items)


def _substituted_output(network: ResNet, x: list[Value], subs: dict) -> Matrix:
    def put(m: sympy.MatrixBase) -> Matrix:
        return m.xreplace(subs)

    act = network.activation
    changed = network.replace(
        W=[put(w) for w in network.W],
        B=[put(b) for b in network.B],
        skips={key: put(V) for key, V in network.skips.items()},
        activation=Activation(act.name, tuple((k, v.xreplace(subs)) for k, v in act.params)),
    )
    return realize(changed, [_sympy_value(v).xreplace(subs) for v in x]).output
