"""Fully-connected ResNets (Def. 1.5.1, 1.5.2), plain ANNs (Lemma 1.5.3), identity skips (Def. 1.5.5).

A :class:`ResNet` is the tuple ``Phi = ((W_k, B_k))_{k=1..L}`` together with the skip matrices
``V = (V_{r,k})_{(r,k) in S}`` and an activation ``a``.  Building one validates that the data
really is an element of the set ``R`` of Def. 1.5.2; each problem is reported once, with its
place (layers and skips are numbered as in the book, ``layers[k]`` for ``k = 1..L``; matrix rows
and columns from 1).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from math import gcd
from typing import Any, TypeAlias

import sympy
from sympy.core.basic import Basic as _Basic
from sympy.polys.domains import QQ as _QQ
from sympy.polys.domains import ZZ as _ZZ
from sympy.polys.matrices import DomainMatrix as _DomainMatrix

from symresnet.base.errors import InputError, LimitError, NetworkError, shown
from symresnet.model.activations import Activation, activation
from symresnet.values.exact import SYMPY_RATIONAL_TYPES, exact, small_bound, small_exact
from symresnet.values.limits import DEFAULT_LIMITS, Guard, Limits

__all__ = ["ResNet", "identity", "plain_ann"]

Matrix: TypeAlias = sympy.ImmutableMatrix


def identity(d: int | None = None) -> Any:
    """The identity matrix ``I_d`` of Def. 1.5.5.

    ``identity(3)`` is ``I_3``.  Passed *uncalled* as a skip matrix (``skips={(0, 2): identity}``)
    it stands for the identity of the right size ``l_k = l_r``, like ``V = "I"`` in a spec.
    """
    if d is None:
        return identity
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise NetworkError(f"identity(d) needs a positive integer d, got {d!r}")
    return sympy.ImmutableMatrix(sympy.eye(d))


def _is_identity_marker(value: object) -> bool:
    return value is identity or (isinstance(value, str) and value.strip() in ("I", "identity"))


def _entry(value: object, *, place: str, names: Mapping[str, sympy.Symbol], limits: Limits):
    try:
        return exact(value, names=names, limits=limits)
    except InputError as err:
        raise err.located(prefix=place) from None


def _as_rows(value: object, *, place: str, what: str) -> list[list[object]]:
    """Nested rows of a matrix; a bare number is a 1x1 matrix."""
    if isinstance(value, sympy.MatrixBase):
        return [list(value.row(i)) for i in range(value.rows)]
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if not value:
        raise NetworkError(f"{what} is empty: a matrix needs at least one row", place=place)
    rows: list[list[object]] = []
    for i, row in enumerate(value, start=1):
        if not isinstance(row, (list, tuple)) or isinstance(row, str):
            raise NetworkError(
                f"row {i} of {what} is not a list of entries",
                place=place,
                hint="write a matrix as a list of rows, e.g. [[1, 2], [3, 4]]",
            )
        rows.append(list(row))
    return rows


def _as_vector(value: object, *, place: str, what: str) -> list[object]:
    """Entries of a bias vector; a bare number is a 1-vector, a column matrix is accepted."""
    if isinstance(value, sympy.MatrixBase):
        if value.cols != 1:
            raise NetworkError(
                f"{what} must be a column vector, got {value.rows}x{value.cols}", place=place
            )
        return list(value)
    if not isinstance(value, (list, tuple)):
        return [value]
    if not value:
        raise NetworkError(f"{what} is empty: a vector needs at least one entry", place=place)
    entries = list(value)
    for i, e in enumerate(entries, start=1):
        if isinstance(e, (list, tuple)):
            raise NetworkError(
                f"entry {i} of {what} is a list: a bias is a flat list of entries", place=place
            )
    return entries


def _check_size(count: int, *, place: str, limits: Limits) -> None:
    if count > limits.max_entries:
        raise LimitError(
            f"{count} entries exceed the limit of {limits.max_entries}",
            place=place,
            hint="raise Limits.max_entries in the API if this network is intended",
        )


def _matrix(rows: list[list[object]], *, place: str, names, limits) -> Matrix:
    """The entries read by :func:`exact` (errors placed ``place[i][j]``) as a sympy matrix.

    Small ints, Fractions and sympy Rationals take :func:`~symresnet.values.exact.small_exact`, which
    gives what :func:`exact` would; every other entry goes to :func:`exact` itself.  When all
    entries come out as sympy Rationals, the matrix is assembled directly (:func:`_assemble`);
    sympy's constructor would spend seconds on a million entries.
    """
    _check_size(sum(len(r) for r in rows), place=place, limits=limits)
    bound = small_bound(limits)
    direct = bool(rows and rows[0]) and _direct_matrices_work()
    qq = _QQ.dtype
    values: list[list[object]] = []
    dod: dict[int, dict[int, Any]] = {}  # the nonzero entries as QQ elements
    integral = True
    for i, row in enumerate(rows):
        out: list[object] = []
        nonzero: dict[int, Any] = {}
        for j, e in enumerate(row):
            value = small_exact(e, bound)
            if value is None:
                value = _entry(e, place=f"{place}[{i + 1}][{j + 1}]", names=names, limits=limits)
                direct = direct and type(value) in SYMPY_RATIONAL_TYPES
            out.append(value)
            if direct:
                p, q = value.p, value.q
                if q == 1:
                    if p:
                        nonzero[j] = qq(p)
                elif p and q > 1 and gcd(p, q) == 1:
                    nonzero[j] = qq(p, q)
                    integral = False
                else:  # not in lowest terms (Rational.from_coprime_ints(2, 4)): sympy reduces it
                    direct = False
        values.append(out)
        if nonzero:
            dod[i] = nonzero
    if not direct:
        return Matrix(values)
    flat = [value for out in values for value in out]
    return _assemble(len(rows), len(rows[0]), flat, dod, integral)


def _assemble(nrows: int, ncols: int, flat: list[object], dod, integral: bool) -> Matrix:
    """``Matrix(nrows, ncols, flat)`` for sympy Rationals ``flat``, without sympy's constructor.

    ``dod`` holds the nonzero entries as QQ elements (``dod[i][j]``, rows without one left
    out), ``integral`` says whether all are integers.  The result has the sparse ZZ or QQ
    ``DomainMatrix`` sympy's constructor makes, and ``flat`` itself as its arguments (sympy
    Rationals are canonical, so these equal the objects the constructor would make).  Sympy's
    constructor instead sympifies every entry, compares it with 0, converts it to EXRAW, then
    QQ, then back to a new Rational.  Used while :func:`_direct_matrices_work` confirms that
    this sympy builds matrices the same way.
    """
    if integral:
        dod = {i: {j: q.numerator for j, q in row.items()} for i, row in dod.items()}
    rep = _DomainMatrix(dod, (nrows, ncols), _ZZ if integral else _QQ)
    # what ImmutableDenseMatrix._fromrep does, minus converting every entry back to sympy
    matrix = _Basic.__new__(
        Matrix, sympy.Integer(nrows), sympy.Integer(ncols), sympy.Tuple(*flat, sympify=False)
    )
    matrix._rows, matrix._cols, matrix._rep = nrows, ncols, rep
    return matrix


@functools.cache
def _direct_matrices_work() -> bool:
    """Whether :func:`_assemble` makes exactly what sympy's constructor makes here.

    Checked once per process on small samples (integer and rational entries, a zero row):
    same type, arguments, hash, equality and internal ``DomainMatrix`` (domain, format and
    entries).  If this sympy differs in any of these, matrices go through its constructor.
    """
    samples = [
        [[3, 0], [0, 0], [1, -7]],
        [[sympy.S.Half, 0, 5], [0, 0, 0], [sympy.Rational(-2, 3), 1, -1]],
    ]
    try:
        for sample in samples:
            rows = [[sympy.Rational(e) for e in row] for row in sample]
            theirs = Matrix(rows)
            dod = {
                i: {j: _QQ.dtype(e.p, e.q) for j, e in enumerate(row) if e.p}
                for i, row in enumerate(rows)
                if any(e.p for e in row)
            }
            integral = all(e.q == 1 for row in rows for e in row)
            flat = [e for row in rows for e in row]
            ours = _assemble(len(rows), len(rows[0]), flat, dod, integral)
            rep, want = ours._rep, theirs._rep
            if not (
                type(ours) is type(theirs)
                and ours.args == theirs.args
                and [type(e) for e in ours.args[2]] == [type(e) for e in theirs.args[2]]
                and hash(ours) == hash(theirs)
                and ours == theirs
                and ours.shape == theirs.shape
                and list(ours) == list(theirs)
                and rep.domain == want.domain
                and type(rep.rep) is type(want.rep)
                and rep.rep == want.rep
            ):
                return False
    except (LimitError, MemoryError):  # the command line's time or memory limit: not sympy's
        raise
    except Exception:  # an unexpected sympy: use its constructor
        return False
    return True


def _shape_message(rows: list[list[object]], n: int, m: int, label: str) -> str | None:
    """``None`` when ``rows`` is ``n`` rows of ``m`` entries, else what is wrong."""
    want = f"expected {n} row{'s' * (n != 1)} of {m} entr{'ies' if m != 1 else 'y'} ({label})"
    if len(rows) != n:
        return f"{want}, got {len(rows)} row{'s' * (len(rows) != 1)}"
    for i, row in enumerate(rows, start=1):
        if len(row) != m:
            return f"{want}, row {i} has {len(row)}"
    return None


@dataclasses.dataclass(frozen=True, init=False, eq=True)
class ResNet:
    """A fully-connected ResNet ``(Phi, V)`` with activation ``a`` (Def. 1.5.1, 1.5.2, 1.5.4).

    ``W[k-1]``, ``B[k-1]`` are ``W_k`` (an ``l_k x l_{k-1}`` matrix) and ``B_k`` (a column
    ``l_k``-vector); ``skips`` maps ``(r, k)`` to ``V_{r,k}`` (``l_k x l_r``), ``0 <= r < k <= L``.
    Entries may be ints, Fractions, exact strings (``"3/7"``, ``"0.1"``, ``"2*a"`` with ``names``),
    sympy numbers or Symbols; Python floats are refused (see :func:`symresnet.values.exact.exact`).
    """

    W: tuple[Matrix, ...]
    B: tuple[Matrix, ...]
    skips: Mapping[tuple[int, int], Matrix]
    activation: Activation

    def __init__(
        self,
        *,
        W: Sequence[object],
        B: Sequence[object],
        skips: Mapping[tuple[int, int], object]
        | Iterable[tuple[tuple[int, int], object]]
        | None = None,
        activation: str | Mapping[str, object] | Activation = "relu",
        dims: Sequence[int] | None = None,
        names: Mapping[str, sympy.Symbol] | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        names = dict(names or {})
        skip_items = _skip_items(skips)
        Ws, Bs = _layers(W, B, dims=dims, skip_items=skip_items, names=names, limits=limits)
        ls = [Ws[0].cols] + [w.rows for w in Ws]
        object.__setattr__(self, "W", tuple(Ws))
        object.__setattr__(self, "B", tuple(Bs))
        object.__setattr__(
            self, "skips", _SkipMap(_skips(skip_items, ls, names=names, limits=limits))
        )
        object.__setattr__(self, "activation", _activation(activation, names))

    # -- the data of Def. 1.5.1 -------------------------------------------------------------
    @property
    def L(self) -> int:
        """Number of affine layers (the input layer is not counted)."""
        return len(self.W)

    @property
    def dims(self) -> tuple[int, ...]:
        """Layer dimensions ``(l_0, l_1, ..., l_L)``."""
        return (self.W[0].cols, *(w.rows for w in self.W))

    @property
    def S(self) -> tuple[tuple[int, int], ...]:
        """The skip set ``S``, sorted by ``(k, r)`` (the order in which skips enter layers)."""
        return tuple(self.skips)

    def skips_into(self, k: int) -> tuple[tuple[int, Matrix], ...]:
        """``((r, V_{r,k}) for (r, k) in S)`` in increasing ``r``: the skip terms of layer ``k``."""
        return tuple((r, v) for (r, kk), v in self.skips.items() if kk == k)

    @property
    def parameter_count(self) -> int:
        """``sum_k l_k (l_{k-1} + 1) + sum_{(r,k) in S} l_k l_r`` (project convention, docs/math.md)."""
        ls = self.dims
        return sum(ls[k] * (ls[k - 1] + 1) for k in range(1, self.L + 1)) + sum(
            ls[k] * ls[r] for r, k in self.skips
        )

    @property
    def is_plain(self) -> bool:
        """``S`` is empty: by Lemma 1.5.3 this is a plain fully-connected ANN (Def. 1.3.1)."""
        return not self.skips

    @property
    def free_symbols(self) -> frozenset[sympy.Symbol]:
        """Symbols (parameters) occurring in weights, biases, skip matrices or the activation."""
        out: set[sympy.Symbol] = set()
        for m in (*self.W, *self.B, *self.skips.values()):
            out |= m.free_symbols
        for _, value in self.activation.params:
            out |= getattr(value, "free_symbols", set())
        return frozenset(out)

    @property
    def is_rational(self) -> bool:
        """Every weight is a Rational and the activation maps rationals to rationals."""
        return self.activation.rational and all(
            e.is_Rational for m in (*self.W, *self.B, *self.skips.values()) for e in m
        )

    @classmethod
    def plain(
        cls,
        *,
        W: Sequence[object],
        B: Sequence[object],
        activation: str | Mapping[str, object] | Activation = "relu",
        dims: Sequence[int] | None = None,
        names: Mapping[str, sympy.Symbol] | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> ResNet:
        """A plain fully-connected ANN (Def. 1.3.1): a ResNet with ``S`` empty (Lemma 1.5.3)."""
        return cls(
            W=W, B=B, skips=None, activation=activation, dims=dims, names=names, limits=limits
        )

    def replace(self, **changes: object) -> ResNet:
        """A copy with some of ``W``, ``B``, ``skips``, ``activation`` replaced (and validated)."""
        data: dict[str, Any] = {
            "W": self.W,
            "B": self.B,
            "skips": dict(self.skips),
            "activation": self.activation,
        }
        data.update(changes)
        return ResNet(**data)

    def __repr__(self) -> str:
        skips = ", ".join(f"({r}, {k})" for r, k in self.skips) or "none"
        return f"ResNet(dims={self.dims}, skips={{{skips}}}, activation={self.activation.text!r})"


class _SkipMap(Mapping[tuple[int, int], Matrix]):
    """An immutable, hashable mapping ``(r, k) -> V_{r,k}`` ordered by ``(k, r)``."""

    __slots__ = ("_items",)

    def __init__(self, items: dict[tuple[int, int], Matrix]):
        self._items = dict(sorted(items.items(), key=lambda kv: (kv[0][1], kv[0][0])))

    def __getitem__(self, key: tuple[int, int]) -> Matrix:
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return repr(self._items)


def plain_ann(**kwargs: Any) -> ResNet:
    """Same as :meth:`ResNet.plain`."""
    return ResNet.plain(**kwargs)


def _activation(
    spec: str | Mapping[str, object] | Activation, names: Mapping[str, sympy.Symbol]
) -> Activation:
    try:
        return activation(spec, names=names)
    except InputError as err:
        raise err.located(
            prefix="" if err.place.startswith("activation") else "activation"
        ) from None


def _layers(W, B, *, dims, skip_items, names, limits) -> tuple[list[Matrix], list[Matrix]]:
    if (
        isinstance(W, (str, bytes))
        or not isinstance(W, Sequence)
        or isinstance(W, sympy.MatrixBase)
    ):
        raise NetworkError("W must be a list of the matrices W_1, ..., W_L", place="layers")
    if (
        isinstance(B, (str, bytes))
        or not isinstance(B, Sequence)
        or isinstance(B, sympy.MatrixBase)
    ):
        raise NetworkError("B must be a list of the vectors B_1, ..., B_L", place="layers")
    if len(W) == 0:
        raise NetworkError("a ResNet needs at least one layer (L >= 1)", place="layers")
    if len(W) != len(B):
        raise NetworkError(
            f"got {len(W)} weight matrices but {len(B)} bias vectors", place="layers"
        )
    L = len(W)
    w_rows = [_as_rows(w, place=f"layers[{k}].W", what=f"W_{k}") for k, w in enumerate(W, 1)]
    b_entries = [_as_vector(b, place=f"layers[{k}].B", what=f"B_{k}") for k, b in enumerate(B, 1)]
    if dims is not None:
        ls = _check_dims(dims, L, limits)
    else:
        ls = [len(w_rows[0][0])] + [len(b) for b in b_entries]
    for k in range(1, L + 1):
        place = f"layers[{k}]"
        if len(b_entries[k - 1]) != ls[k]:
            raise NetworkError(
                f"expected {ls[k]} entries (l_{k}), got {len(b_entries[k - 1])}", place=f"{place}.B"
            )
        problem = _shape_message(w_rows[k - 1], ls[k], ls[k - 1], f"l_{k} x l_{k - 1}")
        if problem:
            raise NetworkError(problem, place=f"{place}.W")
    _check_network_size(ls, skip_items, limits)  # before any matrix is built
    Ws: list[Matrix] = []
    Bs: list[Matrix] = []
    for k in range(1, L + 1):
        place = f"layers[{k}]"
        Ws.append(_matrix(w_rows[k - 1], place=f"{place}.W", names=names, limits=limits))
        Bs.append(
            _matrix([[e] for e in b_entries[k - 1]], place=f"{place}.B", names=names, limits=limits)
        )
    return Ws, Bs


def _valid_skip(key: object, L: int) -> tuple[int, int] | None:
    """``(r, k)`` if ``key`` is a skip index of a network of ``L`` layers, else ``None`` (such
    keys are refused later, with their place)."""
    if not (isinstance(key, tuple) and len(key) == 2):
        return None
    r, k = key
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in (r, k)):
        return None
    return (r, k) if 0 <= r < k <= L else None


def _check_identity_size(r: int, k: int, ls: Sequence[int], *, place: str, limits: Limits):
    """Refuse ``V_{r,k} = I`` of more than ``Limits.max_entries`` entries before it is made."""
    if ls[k] * ls[r] > limits.max_entries:
        raise LimitError(
            f"V_{{{r},{k}}} = I would be a {ls[k]} x {ls[r]} matrix of {ls[k] * ls[r]} "
            f"entries, more than the limit of {limits.max_entries} (Limits.max_entries)",
            place=place,
            hint="use narrower layers",
        )


def _check_network_size(ls: Sequence[int], skip_items, limits: Limits) -> None:
    """Refuse identity skips (``V = "I"``) above ``Limits.max_entries`` and a network of more
    than ``Limits.max_network_entries`` entries, before any matrix is built: ``dims`` and
    identity skips imply entries that are not written in the file."""
    L = len(ls) - 1
    total = sum(ls[k] * (ls[k - 1] + 1) for k in range(1, L + 1))
    for i, (key, value) in enumerate(skip_items, start=1):
        rk = _valid_skip(key, L)
        if rk is None:
            continue
        r, k = rk
        if _is_identity_marker(value):
            _check_identity_size(r, k, ls, place=f"skips[{i}].V", limits=limits)
        total += ls[k] * ls[r]
    try:
        Guard(limits).network_entries(total)
    except InputError as err:
        raise err.located(prefix="layers" if not skip_items else "") from None


def _check_dims(dims: Sequence[int], L: int, limits: Limits = DEFAULT_LIMITS) -> list[int]:
    if isinstance(dims, (str, bytes)) or not isinstance(dims, Sequence):
        raise NetworkError("dims must be a list of positive integers (l_0, ..., l_L)", place="dims")
    if len(dims) != L + 1:
        raise NetworkError(
            f"expected {L + 1} dimensions (l_0, ..., l_{L}) for {L} layers, got {len(dims)}",
            place="dims",
        )
    for i, d in enumerate(dims):
        if isinstance(d, bool) or not isinstance(d, int) or d < 1:
            raise NetworkError(
                f"l_{i} must be a positive integer, got {shown(d)}", place=f"dims[{i}]"
            )
        if d > limits.max_entries:  # no layer is wider than a matrix may be large
            raise LimitError(
                f"l_{i} is larger than {limits.max_entries} (Limits.max_entries)",
                place=f"dims[{i}]",
            )
    return list(dims)


def _skip_items(skips) -> list[tuple[object, object]]:
    if skips is None:
        return []
    if isinstance(skips, Mapping):
        return list(skips.items())
    if isinstance(skips, (str, bytes)) or not isinstance(skips, Iterable):
        raise NetworkError("skips must map (r, k) to V_{r,k}", place="skips")
    items = list(skips)
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise NetworkError("skips must map (r, k) to V_{r,k}", place="skips")
    return items


def _skips(skip_items, ls: list[int], *, names, limits) -> dict[tuple[int, int], Matrix]:
    L = len(ls) - 1
    out: dict[tuple[int, int], Matrix] = {}
    for i, (key, value) in enumerate(skip_items, start=1):
        place = f"skips[{i}]"
        if not (isinstance(key, tuple) and len(key) == 2):
            raise NetworkError(f"a skip is indexed by a pair (r, k), got {shown(key)}", place=place)
        r, k = key
        for name, idx in (("r", r), ("k", k)):
            if isinstance(idx, bool) or not isinstance(idx, int):
                raise NetworkError(
                    f"{name} must be an integer, got {shown(idx)}", place=f"{place}.{name}"
                )
        if not 0 <= r < k <= L:
            r_, k_ = (i if abs(i) < 10**9 else "(huge)" for i in (r, k))  # no 1e6-digit messages
            raise NetworkError(
                f"(r, k) = ({r_}, {k_}) is not a skip connection: need 0 <= r < k <= L = {L}",
                place=place,
            )
        if (r, k) in out:
            raise NetworkError(f"the skip ({r}, {k}) is given twice", place=place)
        vplace = f"{place}.V"
        if _is_identity_marker(value):
            if ls[k] != ls[r]:
                raise NetworkError(
                    f"V_{{{r},{k}}} = I needs l_{k} = l_{r}, but l_{k} = {ls[k]} and l_{r} = {ls[r]}",
                    place=vplace,
                )
            _check_identity_size(r, k, ls, place=vplace, limits=limits)
            out[(r, k)] = identity(ls[k])
            continue
        rows = _as_rows(value, place=vplace, what=f"V_{{{r},{k}}}")
        problem = _shape_message(rows, ls[k], ls[r], f"l_{k} x l_{r}")
        if problem:
            raise NetworkError(problem, place=vplace)
        out[(r, k)] = _matrix(rows, place=vplace, names=names, limits=limits)
    return out
