"""The independent checker of verification certificates (docs/verification.md).

It reads a certificate as JSON data alone (the network, the property and the proof are all in
the file) and checks it with exact rational arithmetic: Python integers and
:class:`fractions.Fraction`, nothing else, and none of the engine's code.  It imports only the
standard library, so anyone can audit it (or copy it) on its own.

* ``sat``: the counterexample ``x`` lies in its case's box, the exact realization ``y = R(x)``
  (Def. 1.5.4, ReLU on layers ``1..L-1``) equals the certificate's ``y``, and ``y`` meets every
  constraint of the case.
* ``unsat``: for every group of cases sharing a box, the split tree covers the box (every split
  ``x_i = at`` with ``lo_i < at < hi_i`` makes the children ``[lo_i, at]`` and ``[at, hi_i]``),
  and at every leaf, for every case of the group, the leaf's multipliers ``mu >= 0`` give a
  combination ``mu^T (C y - e)`` whose lower bound over the leaf box, computed by the fixed
  procedure below, is ``> 0``: no input of the leaf box meets all constraints of the case;
  or an ``lp`` entry's multipliers give a Lagrangian of step 1's relaxation whose exact
  minimum over the variable box is ``> 0`` (:func:`lp_lower_bound`).

The bound procedure (exact): symbolic intervals forward (each ``x_k`` between two affine maps of
``x_0``; an unstable ReLU with pre-activation bounds ``l < 0 < u`` gets the upper line
``a z + b`` with ``a = ceil_P(u/(u-l))``, ``b = ceil_P(-a l)`` and the lower line
``lam z`` with ``lam = floor_P(u/(u-l))``, ``ceil_P``/``floor_P`` rounding to multiples of
``1/P``, ``P = 2^rounding``; the forms of every hidden layer rounded outward to the grid ``1/P``
so that the integers stay short, version 2), then one backward pass of the objective row (an unstable ReLU
with a positive coefficient uses the lower line ``x >= z`` if ``u >= -l`` else ``x >= 0``,
with a negative one the upper line), and the minimum of the resulting affine map over the box.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from operator import mul
from typing import Any

__all__ = [
    "CertificateError",
    "CheckReport",
    "CheckTimeout",
    "LPDual",
    "cases_of",
    "check_certificate",
    "check_leaf",
    "load_network",
    "lp_lower_bound",
]

FORMAT = "symresnet-certificate"
VERSION = 2


class CertificateError(Exception):
    """The certificate is malformed or does not prove what it says."""


@dataclass(frozen=True)
class CheckReport:
    """What the checker accepted: the result, the number of leaves and of failed leaves."""

    result: str
    leaves: int
    failed: tuple[tuple[int, tuple[int, ...]], ...]  # (group, path of 0/1 from the root)

    @property
    def accepted(self) -> bool:
        return not self.failed


def _q(text: Any) -> Fraction:
    if not isinstance(text, (str, int)) or isinstance(text, bool):
        raise CertificateError(f"expected a rational as a string 'p/q', got {text!r:.40}")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise CertificateError(f"not a rational: {text!r:.40}") from None


def _int_matrix(rows: list[list[Fraction]]) -> tuple[list[list[int]], int]:
    den = 1
    for row in rows:
        for v in row:
            den = math.lcm(den, v.denominator)
    return [[int(v * den) for v in row] for row in rows], den


@dataclass
class _Layer:
    rows: int
    sources: list[tuple[int, list[list[int]], list[list[int]], list[list[int]]]]  # r, M, M+, M-
    bias: list[int]
    den: int  # common denominator of the layer's W, V and B


@dataclass
class _Net:
    dims: list[int]
    layers: list[_Layer]  # layers[k-1] is layer k


def load_network(data: Any) -> _Net:
    """The network of a certificate: dims, W_k, B_k and skips V_{r,k} as exact rationals."""
    try:
        dims = [int(d) for d in data["dims"]]
        L = len(dims) - 1
        if L < 1 or len(data["layers"]) != L or data.get("activation") != "relu":
            raise CertificateError("network: expected L >= 1 layers and activation 'relu'")
        layers = []
        skips = {(int(s["from"]), int(s["to"])): s["V"] for s in data.get("skips", [])}
        for k in range(1, L + 1):
            layer = data["layers"][k - 1]
            mats = [(k - 1, [[_q(v) for v in row] for row in layer["W"]])]
            for (r, kk), V in sorted(skips.items()):
                if kk == k:
                    if not 0 <= r < k - 1:
                        raise CertificateError(f"network: skip ({r}, {k}) is not r < k - 1")
                    mats.append((r, [[_q(v) for v in row] for row in V]))
            bias = [_q(v) for v in layer["B"]]
            den = 1
            for _, m in mats:
                den = math.lcm(den, _int_matrix(m)[1])
            den = math.lcm(den, *(b.denominator for b in bias))
            sources = []
            for r, m in mats:
                if len(m) != dims[k] or any(len(row) != dims[r] for row in m):
                    raise CertificateError(f"network: a matrix of layer {k} has the wrong shape")
                M = [[int(v * den) for v in row] for row in m]
                sources.append(
                    (r, M, [[max(v, 0) for v in row] for row in M], [[min(v, 0) for v in row] for row in M])
                )
            if len(bias) != dims[k]:
                raise CertificateError(f"network: B_{k} has the wrong length")
            layers.append(_Layer(dims[k], sources, [int(b * den) for b in bias], den))
        if any((r, k) for (r, k) in skips if not 1 <= k <= L):
            raise CertificateError("network: a skip goes to a layer that does not exist")
        return _Net(dims, layers)
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise CertificateError(f"network: malformed ({type(err).__name__}: {err})") from None


# -- exact forward realization (sat) ---------------------------------------------------------


def realize(net: _Net, x: list[Fraction]) -> list[Fraction]:
    """Def. 1.5.4 exactly: ``z_k = W_k x_{k-1} + B_k + sum_r V_{r,k} x_r``, ReLU for k < L."""
    xs = [x]
    L = len(net.layers)
    for k, layer in enumerate(net.layers, start=1):
        z = [Fraction(b, layer.den) for b in layer.bias]
        for r, M, _, _ in layer.sources:
            for j, row in enumerate(M):
                z[j] += sum((Fraction(v) * e for v, e in zip(row, xs[r], strict=True)), Fraction(0)) / layer.den
        xs.append(z if k == L else [max(v, Fraction(0)) for v in z])
    return xs[-1]


# -- the bound procedure (unsat) ---------------------------------------------------------------


def _ceil(v: Fraction, P: int) -> int:
    return -((-v.numerator * P) // v.denominator)


def _floor(v: Fraction, P: int) -> int:
    return (v.numerator * P) // v.denominator


def _round_form(num: list[int], q: int, Lnum: list[int], bd: int, up: bool) -> list[int]:
    """Step 1's rounding of one affine form ``num / (q P)`` (coefficients, then the constant)
    to the grid ``1/P``, outward over the box ``x >= lo = Lnum / bd``: a lower form
    (``up=False``) gets ``floor_P`` coefficients and the constant
    ``floor_P(c_0 + sum_i (c_i - floor_P(c_i)) lo_i)``, an upper form ``ceil_P`` ones and
    ``ceil_P(c_0 + sum_i (c_i - ceil_P(c_i)) lo_i)``.  Returns the numerators over ``P``."""
    *coef, c0 = num
    out = [-((-v) // q) if up else v // q for v in coef]
    acc = c0 * bd + sum((v - c * q) * t for v, c, t in zip(coef, out, Lnum, strict=True))
    out.append(-((-acc) // (q * bd)) if up else acc // (q * bd))
    return out


def _bounds(net: _Net, lo: list[Fraction], hi: list[Fraction], P: int) -> Any:
    """Step 1 (forward symbolic intervals); returns per hidden layer and unit ``(l, u, a, b)``
    (``a``, ``b`` the upper line of an unstable unit, else ``None``) as exact Fractions."""
    return symbolic_forms(net, lo, hi, P)[0]


def symbolic_forms(net: _Net, lo: list[Fraction], hi: list[Fraction], P: int) -> tuple[Any, Any]:
    """Step 1: ``(info, forms)``, ``info`` as :func:`_bounds` returns it and ``forms[k]`` the
    pair (lower, upper) of the rounded forms of ``x_k`` (``k = 0..L-1``), a row per unit.

    A form is a list of ``n0 + 1`` integers (the coefficients of ``x_0``, then the constant)
    over ``P``; the forms of ``x_0`` are the identity.  Layer ``k``'s pre-activation forms are
    over ``den_k P``, its post-activation forms (after the ReLU lines) over ``den_k P^2``, and
    these are rounded outward back to the grid ``1/P`` (:func:`_round_form`)."""
    n0 = net.dims[0]
    bd = math.lcm(*(v.denominator for v in (*lo, *hi)))
    Lnum = [int(v * bd) for v in lo]
    Hnum = [int(v * bd) for v in hi]
    ident = [[P if i == t else 0 for i in range(n0 + 1)] for t in range(n0)]
    forms: list[Any] = [(ident, ident)]
    info: list[Any] = []
    for layer in net.layers[:-1]:
        zlo = [[0] * n0 + [b * P] for b in layer.bias]
        zup = [[0] * n0 + [b * P] for b in layer.bias]
        for r, _, Mp, Mn in layer.sources:
            flo, fup = forms[r]
            for j in range(layer.rows):
                a, b = zlo[j], zup[j]
                for i, (p, n) in enumerate(zip(Mp[j], Mn[j], strict=True)):
                    if p:
                        a[:] = [s + p * v for s, v in zip(a, flo[i], strict=True)]
                        b[:] = [s + p * v for s, v in zip(b, fup[i], strict=True)]
                    if n:
                        a[:] = [s + n * v for s, v in zip(a, fup[i], strict=True)]
                        b[:] = [s + n * v for s, v in zip(b, flo[i], strict=True)]
        zden = layer.den * P
        rows: list[Any] = []
        xlo: list[list[int]] = []
        xup: list[list[int]] = []
        for j in range(layer.rows):
            lnum = zlo[j][n0] * bd + sum(c * (Lnum[i] if c >= 0 else Hnum[i]) for i, c in enumerate(zlo[j][:n0]))
            unum = zup[j][n0] * bd + sum(c * (Hnum[i] if c >= 0 else Lnum[i]) for i, c in enumerate(zup[j][:n0]))
            low = Fraction(lnum, zden * bd)
            u = Fraction(unum, zden * bd)
            if u <= 0:
                rows.append((low, u, None, None))
                lower = upper = [0] * (n0 + 1)
            elif low >= 0:
                rows.append((low, u, None, None))
                lower = [v * P for v in zlo[j]]
                upper = [v * P for v in zup[j]]
            else:
                ratio = u / (u - low)
                an = _ceil(ratio, P)  # numerator over P
                bn = _ceil(-Fraction(an, P) * low, P)
                lam = _floor(ratio, P)
                rows.append((low, u, Fraction(an, P), Fraction(bn, P)))
                lower = [v * lam for v in zlo[j]]
                upper = [v * an for v in zup[j]]
                upper[n0] += bn * zden
            xlo.append(_round_form(lower, zden, Lnum, bd, up=False))
            xup.append(_round_form(upper, zden, Lnum, bd, up=True))
        forms.append((xlo, xup))
        info.append(rows)
    return info, forms


def lower_bound(net: _Net, info, c: list[Fraction], lo: list[Fraction], hi: list[Fraction]) -> Fraction:
    """The backward pass of the objective ``c . y`` over the box, with the step-1 bounds."""
    return backward(net, info, len(net.layers), [c], lo, hi)[0]


def backward(net: _Net, info, top: int, G: list[list[Fraction]], lo: list[Fraction],
             hi: list[Fraction]) -> list[Fraction]:
    """Step 2 for several rows at once: for each row ``g`` of ``G`` a lower bound over the box
    of ``g . z_top`` (``z_L = y``), by one backward pass through the layers ``top..1`` and
    their skips with the relaxations of ``info`` (layers ``< top``), then the minimum of the
    resulting affine map of ``x_0`` over the box.  Integers: the matrix of multipliers
    shares one denominator."""
    n = len(G)
    lam: list[Any] = [None] * top  # lam[r] = (rows of ints, denominator): multipliers of x_r
    const = [Fraction(0)] * n
    D0 = math.lcm(1, *(v.denominator for row in G for v in row))

    def push(k: int, nu: list[list[int]], d: int) -> None:
        layer = net.layers[k - 1]
        dd = d * layer.den
        for r, M, _, _ in layer.sources:
            cols = list(zip(*M, strict=True))
            part = [[sum(map(mul, row, col)) for col in cols] for row in nu]
            if lam[r] is None:
                lam[r] = (part, dd)
            else:
                A, da = lam[r]
                m = math.lcm(da, dd)
                sa, sp = m // da, m // dd
                lam[r] = ([[x * sa + y * sp for x, y in zip(ra, rp, strict=True)] for ra, rp in zip(A, part, strict=True)], m)
        for t, row in enumerate(nu):
            s = sum(map(mul, row, layer.bias))
            if s:
                const[t] += Fraction(s, dd)

    push(top, [[int(v * D0) for v in row] for row in G], D0)
    for k in range(top - 1, 0, -1):
        if lam[k] is None:
            continue
        g, dg = lam[k]
        P = math.lcm(1, *(a.denominator for _, _, a, _ in info[k - 1] if a is not None))
        slopes = [int(a * P) if a is not None else 0 for _, _, a, _ in info[k - 1]]
        nu = []
        for t, row in enumerate(g):
            out = []
            extra = Fraction(0)
            for v, (low, u, _, b), slope in zip(row, info[k - 1], slopes, strict=True):
                if not v or u <= 0:
                    out.append(0)
                elif low >= 0:
                    out.append(v * P)
                elif v > 0:
                    out.append(v * P if u >= -low else 0)
                else:
                    out.append(v * slope)
                    extra += v * b
            if extra:
                const[t] += extra / dg
            nu.append(out)
        push(k, nu, dg * P)
    n0 = net.dims[0]
    g0, d0 = lam[0] if lam[0] is not None else ([[0] * n0 for _ in range(n)], 1)
    bd = math.lcm(*(v.denominator for v in (*lo, *hi)))
    Lnum = [int(v * bd) for v in lo]
    Hnum = [int(v * bd) for v in hi]
    return [const[t] + Fraction(sum(v * (Lnum[i] if v >= 0 else Hnum[i]) for i, v in enumerate(g0[t])), d0 * bd)
            for t in range(n)]


def _line(low: Fraction, u: Fraction, P: int) -> tuple[Fraction, Fraction, Any, Any]:
    """The relaxation of a unit with ``low <= z <= u``: ``(l, u, a, b)``, the upper line
    ``a z + b`` only for an unstable unit (``l < 0 < u``)."""
    if u <= 0 or low >= 0:
        return (low, u, None, None)
    an = _ceil(u / (u - low), P)
    bn = _ceil(-Fraction(an, P) * low, P)
    return (low, u, Fraction(an, P), Fraction(bn, P))


def backsub_bounds(net: _Net, lo: list[Fraction], hi: list[Fraction], P: int) -> Any:
    """Step 1 by back-substitution (``"bounds": "backsub"``): for ``k = 1..L-1`` the bounds of
    ``z_k`` are the step-2 backward pass of the rows of ``z_k`` (``+e_j`` for ``l_j``,
    ``-e_j`` for ``-u_j``) through the layers ``k-1..1`` with their relaxations fixed so far,
    rounded outward to the grid ``1/P`` (``l`` down, ``u`` up); the same lines as
    :func:`_bounds` (as :func:`lower_bound` reads them)."""
    info: list[Any] = []
    for k in range(1, len(net.layers)):
        rows = net.dims[k]
        G = [[Fraction(s * (i == j)) for i in range(rows)] for s in (1, -1) for j in range(rows)]
        b = backward(net, info, k, G, lo, hi)
        info.append([_line(Fraction(_floor(b[j], P), P), Fraction(_ceil(-b[rows + j], P), P), P)
                     for j in range(rows)])
    return info


BOUNDS = ("forward", "backsub")


def step1(net: _Net, lo: list[Fraction], hi: list[Fraction], P: int, bounds: str = "forward") -> Any:
    """Step 1 of the certificate's procedure ``bounds`` (its field ``"bounds"``)."""
    return backsub_bounds(net, lo, hi, P) if bounds == "backsub" else _bounds(net, lo, hi, P)


# -- LP leaves: a Lagrangian of step 1's relaxation (docs/verification.md, "lp") ----------------


@dataclass(frozen=True)
class LPDual:
    """The multipliers of an ``lp`` leaf: ``y[i] >= 0`` on the case's constraint
    ``c_i . y - d_i <= 0``, and per listed hidden unit ``(k, j, s, t)`` with ``s, t >= 0`` on
    ``z - x <= 0`` and on ``x - a z - b <= 0`` (``a = 1, b = 0`` for a unit that is on)."""

    y: tuple[Fraction, ...]
    units: tuple[tuple[int, int, Fraction, Fraction], ...]


def _lp_dual(data: Any) -> LPDual:
    return LPDual(
        tuple(_q(v) for v in data["y"]),
        tuple((int(k), int(j), _q(s), _q(t)) for k, j, s, t in data.get("units", [])),
    )


def lp_lower_bound(net: _Net, info, C, e, dual: LPDual, lo, hi) -> Fraction | None:
    """The exact minimum over the variable box of the Lagrangian ``sum y_i (c_i . y - d_i) +
    sum s (z - x) + t (x - a z - b)`` of step 1's relaxation: an affine function of ``x_0`` (in
    the leaf box) and of the outputs ``x_{k,j}`` of the hidden units that are not off (each in
    ``[max(l, 0), u]``), ``z_k`` being the affine map of Def. 1.5.4.  Where the case holds every
    term is ``<= 0``, so a minimum ``> 0`` refutes the case on the leaf.  Terms on a unit that
    is off are dropped (``x = 0`` there).  ``None`` for malformed multipliers."""
    L = len(net.layers)
    dims = net.dims
    if len(dual.y) != len(C) or any(v < 0 for v in dual.y):
        return None
    zero = Fraction(0)
    nu = [[zero] * d for d in dims]  # nu[k][j]: the coefficient of z_{k,j}
    direct = [[zero] * d for d in dims]  # direct[r][i]: the coefficient of x_{r,i}
    const = -sum((y * d for y, d in zip(dual.y, e, strict=True)), zero)
    nu[L] = [sum((y * row[j] for y, row in zip(dual.y, C, strict=True)), zero) for j in range(dims[L])]
    for k, j, s, t in dual.units:
        if not (1 <= k < L and 0 <= j < dims[k]) or s < 0 or t < 0:
            return None
        low, u, a, b = info[k - 1][j]
        if u <= 0:
            continue
        if a is None:
            a, b = Fraction(1), zero
        nu[k][j] += s - t * a
        direct[k][j] += t - s
        const -= t * b
    for k in range(1, L + 1):
        layer = net.layers[k - 1]
        nz = [(j, v) for j, v in enumerate(nu[k]) if v]
        if not nz:
            continue
        for r, M, _, _ in layer.sources:
            acc = direct[r]
            for i in range(dims[r]):
                s = sum((v * M[j][i] for j, v in nz), zero)
                if s:
                    acc[i] += s / layer.den
        const += sum((v * layer.bias[j] for j, v in nz), zero) / layer.den
    total = const + sum((v * (lo[i] if v >= 0 else hi[i]) for i, v in enumerate(direct[0])), zero)
    for k in range(1, L):
        for j, v in enumerate(direct[k]):
            low, u = info[k - 1][j][:2]
            if v and u > 0:
                total += v * (max(low, zero) if v > 0 else u)
    return total


def check_leaf(net: _Net, cases, lo, hi, refutes, P: int, bounds: str = "forward") -> bool:
    """Whether every case index in ``refutes`` (pairs (case, mu) or (case, LPDual)) is refuted
    on the box, with step 1 ``bounds`` (``"forward"`` or ``"backsub"``)."""
    info = step1(net, lo, hi, P, bounds)
    for index, mu in refutes:
        C, e = cases[index]
        if isinstance(mu, LPDual):
            bound = lp_lower_bound(net, info, C, e, mu, lo, hi)
            if bound is None or not bound > 0:
                return False
            continue
        if len(mu) != len(C) or any(m < 0 for m in mu):
            return False
        obj = [sum((m * row[j] for m, row in zip(mu, C, strict=True)), Fraction(0)) for j in range(net.dims[-1])]
        rhs = sum((m * v for m, v in zip(mu, e, strict=True)), Fraction(0))
        if not lower_bound(net, info, obj, lo, hi) > rhs:
            return False
    return True


# -- the certificate ---------------------------------------------------------------------------


def cases_of(prop: Any, n: int, m: int) -> list[Any]:
    """The property's cases as ``(lo, hi, C, e)``, exact."""
    out = []
    for case in prop["cases"]:
        lo = [_q(v) for v in case["lo"]]
        hi = [_q(v) for v in case["hi"]]
        C = [[_q(v) for v in con["c"]] for con in case["constraints"]]
        e = [_q(con["d"]) for con in case["constraints"]]
        if len(lo) != n or len(hi) != n or any(len(r) != m for r in C):
            raise CertificateError("property: a case has the wrong number of inputs or outputs")
        out.append((lo, hi, C, e))
    return out


_cases = cases_of


def _leaves(tree: Any, lo, hi, path=()):
    """The leaves of a split tree as (path, lo, hi, refutes); checks that splits cover."""
    stack = [(tree, list(lo), list(hi), path)]
    while stack:
        node, a, b, p = stack.pop()
        if "split" in node:
            i = int(node["split"])
            at = _q(node["at"])
            if not (0 <= i < len(a) and a[i] < at < b[i]):
                raise CertificateError(f"split at {p}: x_{i} = {at} is not inside the box")
            b1 = list(b)
            b1[i] = at
            a2 = list(a)
            a2[i] = at
            stack.append((node["above"], a2, b, (*p, 1)))
            stack.append((node["below"], a, b1, (*p, 0)))
        else:
            if "refute" not in node and "lp" not in node:
                raise CertificateError(f"leaf {p}: neither 'refute' nor 'lp'")
            refutes: list[Any] = [(int(c), [_q(v) for v in mu]) for c, mu in node.get("refute", [])]
            refutes += [(int(c), _lp_dual(dual)) for c, dual in node.get("lp", [])]
            yield p, a, b, refutes


def _check_chunk(payload):
    net_data, cases, P, items, *rest = payload
    net = load_network(net_data)
    bounds = rest[0] if rest else "forward"
    return [check_leaf(net, cases, lo, hi, refutes, P, bounds) for lo, hi, refutes in items]


class CheckTimeout(Exception):
    """The check did not finish before the deadline given to :func:`check_certificate`."""


def check_certificate(
    data: Any, *, workers: int = 1, deadline: float | None = None, leaf_checker: Any = None
) -> CheckReport:
    """Check a certificate (the parsed JSON); raises :class:`CertificateError` when it is
    malformed, returns a report listing the leaves that fail (none: accepted).  With a
    ``deadline`` (a ``time.monotonic()`` value) a single-process check stops there with
    :class:`CheckTimeout`.  ``leaf_checker(net)``, when given, returns the function
    ``(cases, lo, hi, refutes, P) -> bool`` that replaces :func:`check_leaf` in a
    single-process check (the same procedure computed faster, e.g.
    :class:`symresnet.verify.fast_check.FastNet`); the structure checks stay these."""
    try:
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise CertificateError(f"not a {FORMAT} version {VERSION} file")
        net = load_network(data["network"])
        n, m = net.dims[0], net.dims[-1]
        cases = _cases(data["property"], n, m)
        result = data["result"]
        if result == "sat":
            cx = data["counterexample"]
            index = int(cx["case"])
            lo, hi, C, e = cases[index]
            x = [_q(v) for v in cx["x"]]
            y = [_q(v) for v in cx["y"]]
            if len(x) != n or not all(a <= v <= b for a, v, b in zip(lo, x, hi, strict=True)):
                raise CertificateError("counterexample: x is not in the case's box")
            if realize(net, x) != y:
                raise CertificateError("counterexample: y is not the network's output at x")
            for row, d in zip(C, e, strict=True):
                if sum((c * v for c, v in zip(row, y, strict=True)), Fraction(0)) > d:
                    raise CertificateError("counterexample: y does not meet the case's constraints")
            return CheckReport("sat", 0, ())
        if result != "unsat":
            raise CertificateError(f"result {result!r:.20} is neither sat nor unsat")
        P = 2 ** int(data["rounding"])
        bounds = data.get("bounds", "forward")
        if bounds not in BOUNDS:
            raise CertificateError(f"bounds {bounds!r:.20} is none of {', '.join(BOUNDS)}")
        covered: set[int] = set()
        jobs = []
        for g, proof in enumerate(data["proofs"]):
            group = [int(i) for i in proof["cases"]]
            if not group:
                raise CertificateError(f"proof {g} covers no case")
            lo, hi = cases[group[0]][0], cases[group[0]][1]
            if any(cases[i][0] != lo or cases[i][1] != hi for i in group):
                raise CertificateError(f"proof {g}: its cases do not share one box")
            covered.update(group)
            for path, a, b, refutes in _leaves(proof["tree"], lo, hi):
                if sorted(i for i, _ in refutes) != sorted(group):
                    raise CertificateError(f"proof {g}, leaf {path}: does not refute every case of the group")
                jobs.append((g, path, a, b, refutes))
        if covered != set(range(len(cases))):
            raise CertificateError("the proofs do not cover every case of the property")
        plain = [(lo, hi, C, e) for lo, hi, C, e in cases]
        ce = [(C, e) for _, _, C, e in plain]
        items = [(a, b, r) for _, _, a, b, r in jobs]
        if workers > 1 and len(items) > 8:
            size = -(-len(items) // (workers * 4))
            chunks = [items[i : i + size] for i in range(0, len(items), size)]
            with ProcessPoolExecutor(workers) as pool:
                oks = [ok for part in pool.map(_check_chunk, [(data["network"], ce, P, c, bounds) for c in chunks]) for ok in part]
        else:
            oks = []
            leaf = (leaf_checker(net).check_leaf if leaf_checker is not None
                    else lambda ce_, a_, b_, r_, P_, bounds_: check_leaf(net, ce_, a_, b_, r_, P_, bounds_))
            for a, b, r in items:
                if deadline is not None and time.monotonic() > deadline:
                    raise CheckTimeout(f"{len(oks)} of {len(items)} leaves checked before the deadline")
                oks.append(leaf(ce, a, b, r, P, bounds))
        failed = tuple((g, path) for (g, path, *_), ok in zip(jobs, oks, strict=True) if not ok)
        return CheckReport("unsat", len(jobs), failed)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise CertificateError(f"malformed certificate ({type(err).__name__}: {err})") from None
