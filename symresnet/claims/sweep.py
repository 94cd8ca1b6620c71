"""Sweeps: the exact value of a realization and the verdict on a claim over a parameter grid.

``sweep(net, input=[5], ranges={"v": (-3, 3)}, steps=6, relation="equals", expected=[0])``
evaluates ``(R^R_a(Phi, V))(x_0)`` (Def. 1.5.4) exactly at the ``steps + 1`` equally spaced
rational values ``lo, lo + (hi - lo)/steps, ..., hi`` of each swept parameter (both ends
included; several swept parameters give the product grid), with the other parameters fixed
(``fixed``), and decides the claim at each point exactly.  With one swept parameter it also
gives the *critical points* in the range, exactly: where the realization changes its piece
(:mod:`symresnet.compute.pieces`) and where the claim's truth set begins, ends or is a single point
(:mod:`symresnet.claims.parameter`).

The values come from the flint batch core (:func:`symresnet.compute.batch.sweep` when the input holds
no swept parameter, :func:`symresnet.compute.batch.realize_many` when only the input does), else from
:func:`~symresnet.compute.realization.realize` with the values substituted; no float decides anything.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Mapping, Sequence
from typing import Any, cast

import sympy

from symresnet.base.errors import InputError, LimitError, StudyError, shown
from symresnet.claims.parameter import Study, study
from symresnet.compute import batch, workers
from symresnet.compute.pieces import Pieces, bound_pair, realization_pieces
from symresnet.compute.realization import realize
from symresnet.model.network import Matrix, ResNet
from symresnet.model.parameters import substitute
from symresnet.solve.conditions import Solver
from symresnet.solve.realsets import RealNumber, RealSet
from symresnet.values.exact import exact
from symresnet.values.limits import DEFAULT_LIMITS, Limits
from symresnet.values.names import check_name
from symresnet.values.parser import parse
from symresnet.values.relations import compare

__all__ = [
    "CriticalPoint",
    "ParamOption",
    "Sweep",
    "SweepRow",
    "check_grid",
    "grid",
    "parse_param",
    "sweep",
]


@dataclasses.dataclass(frozen=True)
class ParamOption:
    """``--param v=-3..3`` (a range, ``hi`` set) or ``--param v=1/2`` (a fixed value)."""

    symbol: sympy.Symbol
    lo: sympy.Expr
    hi: sympy.Expr | None = None

    @property
    def is_range(self) -> bool:
        return self.hi is not None


def _declared(names: Mapping[str, sympy.Symbol]) -> str:
    return f"the spec declares {', '.join(names)}" if names else "the spec declares no parameters"


def _bound_value(text: str, *, place: str, limits: Limits) -> sympy.Expr:
    try:
        return parse(text, limits=limits)
    except InputError as err:
        raise err.located(prefix=place) from None


def parse_param(
    text: str,
    names: Mapping[str, sympy.Symbol],
    *,
    bounds: Mapping[str, Any] | None = None,
    place: str = "--param",
    limits: Limits = DEFAULT_LIMITS,
) -> ParamOption:
    """Read ``NAME=LO..HI`` or ``NAME=VALUE`` (``names``: the declared parameters).

    Numbers are read by :func:`symresnet.values.parser.parse` (``-3``, ``1/2``, ``0.25``); a range needs
    rational ends with ``LO < HI`` inside the declared ``min``/``max`` of the parameter.
    """
    name, eq, rhs = text.partition("=")
    name = name.strip()
    if not eq or not rhs.strip():
        raise StudyError(
            f"expected NAME=LO..HI or NAME=VALUE, got {text.strip()[:40]!r}", place=place
        )
    try:
        check_name(name, limits=limits)
    except InputError as err:
        raise err.located(prefix=place) from None
    if name not in names:
        raise StudyError(f"unknown parameter {name!r}: {_declared(names)}", place=place)
    symbol = names[name]
    if ".." in rhs:
        lo_text, _, hi_text = rhs.partition("..")
        lo = _bound_value(lo_text, place=f"{place} {name}", limits=limits)
        hi = _bound_value(hi_text, place=f"{place} {name}", limits=limits)
        if not (lo.is_Rational and hi.is_Rational):
            raise StudyError(
                f"the range of {name} needs rational ends, got {lo}..{hi}", place=place
            )
        if not lo < hi:
            raise StudyError(
                f"the range {lo}..{hi} of {name} is empty: write LO..HI with LO < HI", place=place
            )
        option = ParamOption(symbol, lo, hi)
    else:
        option = ParamOption(symbol, _bound_value(rhs, place=f"{place} {name}", limits=limits))
    _check_bounds(option, (bounds or {}).get(name), place)
    return option


def _check_bounds(option: ParamOption, declared: Any, place: str) -> None:
    """Refuse values outside the declared ``min``/``max`` (a spec Parameter or a pair; read
    with :func:`symresnet.values.exact.exact`)."""
    if declared is None:
        return
    lo_b, hi_b = (None if b is None else exact(b) for b in bound_pair(declared))
    ends = [option.lo] + ([option.hi] if option.hi is not None else [])
    outside = [
        e
        for e in ends
        if (lo_b is not None and compare("less", e, lo_b))
        or (hi_b is not None and compare("greater", e, hi_b))
    ]
    if outside:
        shown = f"[{'-oo' if lo_b is None else lo_b}, {'oo' if hi_b is None else hi_b}]"
        raise StudyError(
            f"{option.symbol.name} = {outside[0]} is outside its declared bounds {shown}",
            place=place,
        )


def _steps_text(steps: int) -> str:
    return str(steps) if steps.bit_length() <= 64 else "more than 2^64"


def check_grid(
    steps: int, swept: int, *, limits: Limits = DEFAULT_LIMITS, place: str = "--steps"
) -> int:
    """The number of points, ``(steps + 1) ** swept``, of a grid with ``steps`` steps over
    each of ``swept`` parameters, refused before anything is built: ``steps`` must be a whole
    number from 1 (:class:`StudyError`), the grid at most ``limits.max_grid_points`` points
    (:class:`LimitError`, naming ``place``).  The product stops as soon as it passes the
    limit, so a huge ``steps`` costs nothing."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise StudyError(f"must be at least 1, got {shown(steps)}", place=place)
    limit = limits.max_grid_points
    total = 1
    for _ in range(swept):
        total *= steps + 1
        if total > limit:
            per = _steps_text(steps)
            raise LimitError(
                f"{per} steps over {swept} swept parameter{'s' if swept > 1 else ''} make more "
                f"than {limit} grid points (Limits.max_grid_points)",
                place=place,
                hint="use fewer --steps or fewer swept parameters",
            )
    return total


def grid(lo: sympy.Rational, hi: sympy.Rational, steps: int) -> tuple[sympy.Rational, ...]:
    """``steps + 1`` equally spaced exact values from ``lo`` to ``hi`` (both included); check
    the size first with :func:`check_grid`."""
    if steps < 1:
        raise StudyError(f"must be at least 1, got {steps}", place="--steps")
    return tuple(lo + (hi - lo) * sympy.Rational(i, steps) for i in range(steps + 1))


@dataclasses.dataclass(frozen=True)
class SweepRow:
    """One grid point: the parameter values, the exact value ``x_L`` there and whether the
    claim holds (``None`` without a claim, or when undecided)."""

    parameters: tuple[tuple[sympy.Symbol, sympy.Rational], ...]
    value: Matrix
    holds: bool | None = None


@dataclasses.dataclass(frozen=True)
class CriticalPoint:
    """An exact point of the swept range: ``kinds`` holds ``"breakpoint"`` (the realization
    changes its piece) and/or ``"claim"`` (an end or isolated point of the claim's truth set);
    ``value`` is the realization there."""

    at: sympy.Expr
    kinds: tuple[str, ...]
    value: Matrix | None


@dataclasses.dataclass(frozen=True)
class Sweep:
    """A sweep (see the module docstring): ``rows`` in grid order (the last swept parameter
    varies fastest); ``study``/``pieces``/``critical`` for a single swept parameter."""

    swept: tuple[ParamOption, ...]
    fixed: Mapping[sympy.Symbol, sympy.Expr]
    steps: int
    input: Matrix
    rows: tuple[SweepRow, ...]
    relation: str | None = None
    expected: Matrix | None = None
    label: str | None = None
    study: Study | None = None
    pieces: Pieces | None = None
    critical: tuple[CriticalPoint, ...] = ()


def _options(
    ranges: Mapping[Any, Any], fixed: Mapping[Any, Any], symbols: Sequence[sympy.Symbol]
) -> tuple[list[ParamOption], dict[sympy.Symbol, sympy.Expr]]:
    by_name = {s.name: s for s in symbols}

    def symbol(key: Any) -> sympy.Symbol:
        name = key.name if isinstance(key, sympy.Symbol) else str(key)
        if name not in by_name:
            raise StudyError(f"unknown parameter {name!r}: {_declared(by_name)}", place="ranges")
        return by_name[name]

    swept = []
    for key, value in ranges.items():
        if isinstance(value, ParamOption):
            swept.append(value)
            continue
        lo, hi = (exact(v) for v in value)
        swept.append(ParamOption(symbol(key), lo, hi))
    values = {symbol(k): exact(v) for k, v in fixed.items()}
    return swept, values


def sweep(
    network: ResNet,
    *,
    input: Sequence[Any] | sympy.MatrixBase,
    ranges: Mapping[Any, Any],
    steps: int = 10,
    fixed: Mapping[Any, Any] | None = None,
    relation: str | None = None,
    expected: Sequence[Any] | sympy.MatrixBase | None = None,
    label: str | None = None,
    bounds: Mapping[Any, Any] | None = None,
    progress: bool | None = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Sweep:
    """Tabulate the realization at ``input`` (and the claim ``value <relation> expected``)
    over the grid of ``ranges`` (``{name: (lo, hi)}`` or :class:`ParamOption` s), ``steps + 1``
    values per parameter, the other parameters at ``fixed``.  Every parameter of the network,
    input and claimed value must be swept or fixed.  ``bounds`` (declared ``min``/``max``) are
    checked; ``progress`` shows a progress line on stderr (``None``: on a terminal, when slow).
    The grid may have at most ``limits.max_grid_points`` points (checked before it is built).
    """
    x0 = (
        Matrix([exact(e) for e in input])
        if not isinstance(input, sympy.MatrixBase)
        else Matrix(input)
    )
    y = None if expected is None else Matrix([exact(e) for e in expected])
    if (relation is None) != (y is None):
        raise StudyError("give both relation and expected, or neither", place="claim")
    symbols = sorted(
        set(network.free_symbols) | x0.free_symbols | (y.free_symbols if y is not None else set()),
        key=lambda s: s.name,
    )
    swept, values = _options(ranges, fixed or {}, symbols)
    for option in swept:
        _check_bounds(option, _lookup(bounds, option.symbol), "ranges")
    for s, v in values.items():
        _check_bounds(ParamOption(s, v), _lookup(bounds, s), "fixed")
    given = {o.symbol for o in swept} | set(values)
    missing = [s.name for s in symbols if s not in given]
    if missing:
        raise StudyError(
            f"parameter {missing[0]!r} needs a value or a range: give --param "
            f"{missing[0]}=VALUE or {missing[0]}=LO..HI",
            place="--param",
        )
    check_grid(steps, len(swept), limits=limits)
    grids = [grid(o.lo, o.hi, steps) for o in swept]
    points = [
        dict(zip((o.symbol for o in swept), p, strict=True)) for p in itertools.product(*grids)
    ]
    net_fixed = substitute(network, values)
    x_fixed = Matrix(x0.xreplace(values))
    outputs = _values(net_fixed, x_fixed, points, progress=progress)
    rows = []
    for point, value in zip(points, outputs, strict=True):
        holds = None
        if relation is not None and y is not None:  # both or neither (checked above)
            target = y.xreplace({**values, **point})
            parts = [compare(relation, v, e) for v, e in zip(value, target, strict=True)]
            holds = True if all(p is True for p in parts) else (False if False in parts else None)
        rows.append(SweepRow(tuple(point.items()), Matrix(value), holds))
    result = Sweep(
        swept=tuple(swept),
        fixed=values,
        steps=steps,
        input=x0,
        rows=tuple(rows),
        relation=relation,
        expected=y,
        label=label,
    )
    if len(swept) == 1:
        result = _with_critical(result, net_fixed, x_fixed, values)
    return result


def _lookup(bounds: Mapping[Any, Any] | None, s: sympy.Symbol) -> Any:
    for key, value in (bounds or {}).items():
        if (key.name if isinstance(key, sympy.Symbol) else str(key)) == s.name:
            return value
    return None


def _values(
    network: ResNet, x0: Matrix, points: list[dict], *, progress: bool | None
) -> list[Matrix]:
    """``x_L`` at every point, exactly: on the flint batch core where it applies."""
    if not points:
        return []
    in_input = x0.free_symbols
    if not in_input:
        net_symbols = network.free_symbols
        values = [{s.name: v for s, v in p.items() if s in net_symbols} for p in points]
        out = batch.sweep(network, list(x0), values, progress=progress)
        return [out[j] for j in range(len(out))]
    if not network.free_symbols:
        inputs = [list(x0.xreplace(p)) for p in points]
        many = batch.realize_many(network, inputs, progress=progress)
        return [many.outputs[j] for j in range(len(many))]
    bar = workers.Progress(len(points), enabled=progress, unit="values")
    try:
        found: list[Matrix] = []
        for p in points:
            found.append(realize(substitute(network, p), list(x0.xreplace(p))).output)
            bar.advance(1)
        return found
    finally:
        bar.close()


def _with_critical(result: Sweep, network: ResNet, x0: Matrix, fixed: Mapping) -> Sweep:
    """Add the exact pieces, the study and the critical points of a one-parameter sweep."""
    (option,) = result.swept
    t = option.symbol
    bounds = {t: (option.lo, option.hi)}
    pieces = realization_pieces(network, x0, bounds=bounds, extra_symbols=[t])
    found = None
    if result.relation is not None:
        assert result.expected is not None  # a sweep's claim has both (see sweep())
        found = study(
            network,
            input=x0,
            relation=result.relation,
            expected=result.expected.xreplace(dict(fixed)),
            bounds=bounds,
        )
    kinds: dict[Any, set[str]] = {}
    inside = (option.lo, option.hi)
    if len(pieces.symbols) == 1 and not pieces.closed_form:
        for point in _piece_ends(pieces, t):
            if point not in inside:
                kinds.setdefault(point, set()).add("breakpoint")
    if found is not None and found.set is not None:
        for span in found.set.spans:
            for end in cast(set[RealNumber], {span.lo, span.hi} - {None}):
                e = end.expr()
                if span.is_point or e not in inside:
                    kinds.setdefault(e, set()).add("claim")
    critical = tuple(
        CriticalPoint(at, tuple(sorted(k)), _value_at(pieces, t, at))
        for at, k in sorted(kinds.items(), key=lambda item: _order_key(item[0]))
    )
    return dataclasses.replace(result, study=found, pieces=pieces, critical=critical)


def _piece_ends(pieces: Pieces, t: sympy.Symbol) -> list[sympy.Expr]:
    """Where neighbouring pieces (in increasing order) meet: their common ends."""
    solver = Solver()
    ends = []
    for p in pieces.pieces[1:]:
        polys = [(solver.univariate(c, t), c.rel) for c in p.condition]
        if any(q is None for q, _ in polys):
            continue
        spans = RealSet.from_dnf([polys]).spans
        for s in spans:
            if s.lo is not None:
                ends.append(s.lo.expr())
    return ends


def _order_key(e: sympy.Expr):
    """A sort key for exact real numbers: exact comparison through sympy's certified signs."""

    def cmp(a, b) -> int:
        return -1 if compare("less", a, b) else (1 if compare("greater", a, b) else 0)

    return functools.cmp_to_key(cmp)(e)


def _value_at(pieces: Pieces, t: sympy.Symbol, at: sympy.Expr) -> Matrix | None:
    piece = pieces.piece_at({t: at})
    if piece is None:
        return None
    return Matrix(piece.value.xreplace({t: at})).applyfunc(sympy.expand)
