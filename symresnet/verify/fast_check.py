"""The leaf check of :mod:`symresnet.verify.checker`, exactly, with python-flint matrices.

The certificate's bound procedure (docs/verification.md, "Certificate format") is the same
here, step for step and rounding for rounding: forward symbolic intervals as integer matrices
(``fmpz_mat``: the products ``W+ x_lo + W- x_up`` in C), the ReLU lines with
``ceil_P``/``floor_P`` from exact Fractions, then the backward pass of ``mu^T C`` with
rational row vectors (``fmpq_mat``).  Every number is exact; only the speed differs from the
standard-library checker (some 50 times on ACAS Xu), which stays the reference anyone can run
from the file alone (``symresnet verify --check stdlib``; the tests compare the two on random
and altered certificates).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import flint

from symresnet.verify.checker import LPDual, _ceil, _floor

__all__ = ["ID_BELOW", "OFF", "ON", "ZERO_BELOW", "FastNet"]

OFF, ON, ID_BELOW, ZERO_BELOW = range(4)


def _round(m: Any, q: int, low_col: Any, bd: int, rows: int, n0: int, *, up: bool) -> Any:
    """The checker's ``_round_form`` on every row of ``m`` (forms over ``q P``): the
    coefficients ``floor(v / q)`` (``ceil`` for an upper form), and the constant rounded
    after adding the rounding errors at the box's lower corner ``low_col / bd``."""
    w = n0 + 1
    e = m.entries()
    c = [-((-v) // q) for v in e] if up else [v // q for v in e]
    for j in range(rows):
        c[j * w + n0] = 0
    C = flint.fmpz_mat(rows, w, c)
    acc = ((m - C * q) * low_col).entries()  # sum_i r_i lo_i bd (the constant column has lo 0)
    qb = q * bd
    for j in range(rows):
        s = acc[j] + e[j * w + n0] * bd
        C[j, n0] = -((-s) // qb) if up else s // qb
    return C


class FastNet:
    """The network of a certificate (parsed by the checker's ``load_network``) as flint
    matrices: per layer ``(r, M, M+, M-)`` integer matrices over the layer's denominator."""

    def __init__(self, net: Any):
        self.dims = net.dims
        self.layers = []
        for layer in net.layers:
            sources = []
            for r, M, _, _ in layer.sources:
                rows, cols = len(M), len(M[0]) if M else 0
                flat = [v for row in M for v in row]
                sources.append((
                    r,
                    flint.fmpq_mat(rows, cols, flat) / layer.den,
                    flint.fmpz_mat(rows, cols, [max(v, 0) for v in flat]),
                    flint.fmpz_mat(rows, cols, [min(v, 0) for v in flat]),
                ))
            self.layers.append((layer.rows, sources, layer.bias, layer.den))
        self.bias_q = [flint.fmpq_mat(rows, 1, bias) / den for rows, _, bias, den in self.layers]
        # integer copies for the batched backward pass: (r, M) over the layer's denominator
        self.int_sources = [[(r, Mp + Mn) for r, _, Mp, Mn in sources] for _, sources, _, _ in self.layers]
        self.bias_z = [flint.fmpz_mat(rows, 1, bias) for rows, _, bias, _ in self.layers]
        n0 = self.dims[0]
        self.bias_cols = [
            flint.fmpz_mat(rows, n0 + 1, [b if i == n0 else 0 for b in bias for i in range(n0 + 1)])
            for rows, _, bias, _ in self.layers
        ]

    def bounds(self, lo: list[Fraction], hi: list[Fraction], P: int) -> list[list[tuple[Any, ...]]]:
        """Per hidden layer and unit: its phase (:data:`OFF` ``u <= 0``, :data:`ON` ``l >= 0``,
        or unstable with the lower line ``x >= z`` (:data:`ID_BELOW`, ``u >= -l``) or
        ``x >= 0`` (:data:`ZERO_BELOW`)), the upper line ``a z + b`` of an unstable unit, and the
        exact pre-activation bounds ``l, u`` (for the LP leaves).

        The checker's ``_bounds`` on matrices: the forms are ``fmpz_mat`` (a row per unit, the
        ``n0`` coefficients then the constant) over ``P``; ``l`` and ``u`` come from products
        with the box's centre and radius (``min c.x = c.mid - |c|.rad``), and the rounding of
        the post-activation forms back to ``1/P`` is one floor division per entry."""
        n0 = self.dims[0]
        w = n0 + 1
        bd = math.lcm(*(v.denominator for v in (*lo, *hi)))
        Lnum = [int(v * bd) for v in lo]
        Hnum = [int(v * bd) for v in hi]
        bd2 = 2 * bd  # l and u numerators over zden * bd2
        mid = flint.fmpz_mat(w, 1, [a + b for a, b in zip(Lnum, Hnum, strict=True)] + [bd2])
        rad = flint.fmpz_mat(w, 1, [b - a for a, b in zip(Lnum, Hnum, strict=True)] + [0])
        low_col = flint.fmpz_mat(w, 1, [*Lnum, 0])
        ident = flint.fmpz_mat(n0, w, [P if i == t else 0 for t in range(n0) for i in range(w)])
        forms: list[Any] = [(ident, ident)]
        info = []
        for k, (rows, sources, _, den) in enumerate(self.layers[:-1]):
            zlo = self.bias_cols[k] * P
            zup = zlo
            for r, _, Mp, Mn in sources:
                flo, fup = forms[r]
                zlo = zlo + Mp * flo + Mn * fup
                zup = zup + Mp * fup + Mn * flo
            zden = den * P
            absl = flint.fmpz_mat(rows, w, [abs(v) for v in zlo.entries()])
            absu = flint.fmpz_mat(rows, w, [abs(v) for v in zup.entries()])
            lnums = (zlo * mid - absl * rad).entries()
            unums = (zup * mid + absu * rad).entries()
            out: list[tuple[Any, ...]] = []
            slo = flint.fmpz_mat(rows, rows)
            sup = flint.fmpz_mat(rows, rows)
            shift = flint.fmpz_mat(rows, w)
            q = zden * bd2
            for j, (lnum, unum) in enumerate(zip(lnums, unums, strict=True)):
                lu = (flint.fmpq(lnum, q), flint.fmpq(unum, q))  # the exact l, u
                if unum <= 0:  # u <= 0 (the denominators are positive)
                    out.append((OFF, None, None, *lu))
                elif lnum >= 0:
                    out.append((ON, None, None, *lu))
                    slo[j, j] = P
                    sup[j, j] = P
                else:
                    gap = unum - lnum  # u / (u - l) = unum / gap
                    an = -((-P * unum) // gap)
                    bn = -((an * lnum) // q)  # ceil(-a l P) with a = an / P
                    out.append((ID_BELOW if unum >= -lnum else ZERO_BELOW, flint.fmpq(an, P), flint.fmpq(bn, P), *lu))
                    slo[j, j] = (P * unum) // gap
                    sup[j, j] = an
                    shift[j, n0] = bn * zden
            forms.append((_round(slo * zlo, zden, low_col, bd, rows, n0, up=False),
                          _round(sup * zup + shift, zden, low_col, bd, rows, n0, up=True)))
            info.append(out)
        return info

    def lower_bound(self, info: Any, c: list[Fraction], lo: list[Fraction], hi: list[Fraction]) -> Fraction:
        """The checker's ``lower_bound``: the backward pass of ``c . y`` over the box (in
        ``fmpq`` rationals)."""
        L = len(self.layers)
        lam: list[Any] = [None] * L
        zero = flint.fmpq(0)
        const = zero

        def push(k: int, nu: list[Any]) -> Any:
            rows, sources, _, _ = self.layers[k - 1]
            row = flint.fmpq_mat(1, rows, nu)
            for r, Mq, _, _ in sources:
                part = row * Mq
                lam[r] = part if lam[r] is None else lam[r] + part
            return (row * self.bias_q[k - 1])[0, 0]

        const += push(L, [flint.fmpq(v.numerator, v.denominator) for v in c])
        for k in range(L - 1, 0, -1):
            if lam[k] is None:
                continue
            nu = []
            for v, (kind, a, b, *_) in zip(lam[k].entries(), info[k - 1], strict=True):
                if kind == ON:
                    nu.append(v)
                elif kind == OFF or v == 0:
                    nu.append(zero)
                elif v > 0:
                    nu.append(v if kind == ID_BELOW else zero)
                else:
                    nu.append(v * a)
                    const += v * b
            const += push(k, nu)
        g0 = lam[0].entries() if lam[0] is not None else [zero] * self.dims[0]
        for v, a, b in zip(g0, lo, hi, strict=True):
            t = a if v >= 0 else b
            const += v * flint.fmpq(t.numerator, t.denominator)
        return Fraction(int(const.p), int(const.q))

    def backward(self, info: Any, top: int, G: Any, lo: list[Fraction], hi: list[Fraction]) -> list[Fraction]:
        """The checker's ``backward``: lower bounds over the box of the rows of the integer
        matrix ``G`` times ``z_top`` (``fmpz_mat`` products, one denominator per matrix)."""
        n = G.nrows()
        lam: list[Any] = [None] * top
        const: list[Any] = [flint.fmpz_mat(n, 1), 1]

        def add(acc: Any, part: Any, d: int) -> list[Any]:
            if acc is None:
                return [part, d]
            m = math.lcm(acc[1], d)
            sa, sp = m // acc[1], m // d
            return [(acc[0] * sa if sa != 1 else acc[0]) + (part * sp if sp != 1 else part), m]

        def push(k: int, nu: Any, d: int) -> None:
            dd = d * self.layers[k - 1][3]
            for r, M in self.int_sources[k - 1]:
                lam[r] = add(lam[r], nu * M, dd)
            const[:] = add(const, nu * self.bias_z[k - 1], dd)

        push(top, G, 1)
        for k in range(top - 1, 0, -1):
            if lam[k] is None:
                continue
            g, dg = lam[k]
            rows = g.ncols()
            lines = info[k - 1]
            Pk = math.lcm(1, *(int(v.q) for kind, a, b, *_ in lines if kind not in (ON, OFF) for v in (a, b)))
            low_f = [Pk if kind in (ON, ID_BELOW) else 0 for kind, *_ in lines]
            up_f = [Pk if kind == ON else 0 if kind == OFF else int(a * Pk) for kind, a, *_ in lines]
            ent = g.entries()
            nu = flint.fmpz_mat(n, rows, [e * (f if e > 0 else h) for e, f, h in zip(ent, low_f * n, up_f * n, strict=True)])
            neg = flint.fmpz_mat(n, rows, [e if e < 0 else 0 for e in ent])
            shift = flint.fmpz_mat(rows, 1, [int(b * Pk) if kind not in (ON, OFF) else 0 for kind, _, b, *_ in lines])
            const[:] = add(const, neg * shift, dg * Pk)
            push(k, nu, dg * Pk)
        n0 = self.dims[0]
        bd = math.lcm(*(v.denominator for v in (*lo, *hi)))
        Lnum = [int(v * bd) for v in lo]
        Hnum = [int(v * bd) for v in hi]
        g0, d0 = lam[0] if lam[0] is not None else (flint.fmpz_mat(n, n0), 1)
        ent = g0.entries()
        corner = flint.fmpz_mat(n, 1, [sum(int(e) * (Lnum[i] if e >= 0 else Hnum[i])
                                           for i, e in enumerate(ent[t * n0 : (t + 1) * n0])) for t in range(n)])
        c, dc = const
        total = c * (d0 * bd // math.gcd(dc, d0 * bd)) + corner * (dc // math.gcd(dc, d0 * bd))
        den = dc * d0 * bd // math.gcd(dc, d0 * bd)
        return [Fraction(int(v), den) for v in total.entries()]

    def backsub_bounds(self, lo: list[Fraction], hi: list[Fraction], P: int) -> list[list[tuple[Any, ...]]]:
        """The checker's ``backsub_bounds`` (step 1 of ``"bounds": "backsub"``), as
        :meth:`bounds` lays it out."""
        info: list[list[tuple[Any, ...]]] = []
        for k in range(1, len(self.layers)):
            rows = self.dims[k]
            G = flint.fmpz_mat(2 * rows, rows, [s * (i == j) for s in (1, -1) for j in range(rows) for i in range(rows)])
            b = self.backward(info, k, G, lo, hi)
            out: list[tuple[Any, ...]] = []
            for j in range(rows):
                low = Fraction(_floor(b[j], P), P)
                u = Fraction(_ceil(-b[rows + j], P), P)
                lu = (flint.fmpq(low.numerator, low.denominator), flint.fmpq(u.numerator, u.denominator))
                if u <= 0:
                    out.append((OFF, None, None, *lu))
                elif low >= 0:
                    out.append((ON, None, None, *lu))
                else:
                    an = _ceil(u / (u - low), P)
                    bn = _ceil(-Fraction(an, P) * low, P)
                    out.append((ID_BELOW if u >= -low else ZERO_BELOW, flint.fmpq(an, P), flint.fmpq(bn, P), *lu))
            info.append(out)
        return info

    def check_leaf(self, cases: Any, lo: list[Fraction], hi: list[Fraction], refutes: Any, P: int,
                   bounds: str = "forward") -> bool:
        """The checker's ``check_leaf``."""
        info = self.backsub_bounds(lo, hi, P) if bounds == "backsub" else self.bounds(lo, hi, P)
        for index, mu in refutes:
            C, e = cases[index]
            if isinstance(mu, LPDual):
                bound = self.lp_lower_bound(info, C, e, mu, lo, hi)
                if bound is None or not bound > 0:
                    return False
                continue
            if len(mu) != len(C) or any(m < 0 for m in mu):
                return False
            obj = [sum((m * row[j] for m, row in zip(mu, C, strict=True)), Fraction(0)) for j in range(self.dims[-1])]
            rhs = sum((m * v for m, v in zip(mu, e, strict=True)), Fraction(0))
            if not self.lower_bound(info, obj, lo, hi) > rhs:
                return False
        return True

    def lp_lower_bound(self, info: Any, C: Any, e: Any, dual: LPDual, lo: list[Fraction],
                       hi: list[Fraction]) -> Fraction | None:
        """The checker's ``lp_lower_bound``: the exact minimum of an LP leaf's Lagrangian over
        the variable box (``fmpq`` row vectors pushed through the layers)."""
        L = len(self.layers)
        dims = self.dims
        if len(dual.y) != len(C) or any(v < 0 for v in dual.y):
            return None
        zero = flint.fmpq(0)

        def q(v: Fraction) -> Any:
            return flint.fmpq(v.numerator, v.denominator)

        nu: list[Any] = [None] * (L + 1)  # nu[k]: the coefficients of z_k, a 1 x l_k row
        direct: list[Any] = [[zero] * d for d in dims]  # direct[r][i]: of x_{r,i}
        const = -sum((q(y * d) for y, d in zip(dual.y, e, strict=True)), zero)
        nu[L] = [q(sum((y * row[j] for y, row in zip(dual.y, C, strict=True)), Fraction(0))) for j in range(dims[L])]
        for k, j, s, t in dual.units:
            if not (1 <= k < L and 0 <= j < dims[k]) or s < 0 or t < 0:
                return None
            kind, a, b, _, _ = info[k - 1][j]
            if kind == OFF:
                continue
            if kind == ON:
                a, b = flint.fmpq(1), zero
            if nu[k] is None:
                nu[k] = [zero] * dims[k]
            nu[k][j] += q(s) - q(t) * a
            direct[k][j] += q(t) - q(s)
            const -= q(t) * b
        pushed: list[Any] = [None] * L
        for k in range(1, L + 1):
            if nu[k] is None or not any(nu[k]):
                continue
            rows, sources, _, _ = self.layers[k - 1]
            row = flint.fmpq_mat(1, rows, nu[k])
            for r, Mq, _, _ in sources:
                part = row * Mq
                pushed[r] = part if pushed[r] is None else pushed[r] + part
            const += (row * self.bias_q[k - 1])[0, 0]
        for r in range(L):
            if pushed[r] is not None:
                direct[r] = [v + w for v, w in zip(direct[r], pushed[r].entries(), strict=True)]
        for v, a, b in zip(direct[0], lo, hi, strict=True):
            t = a if v >= 0 else b
            const += v * q(t)
        for k in range(1, L):
            for v, (kind, _, _, low, u) in zip(direct[k], info[k - 1], strict=True):
                if v != 0 and kind != OFF:
                    const += v * (max(low, zero) if v > 0 else u)
        return Fraction(int(const.p), int(const.q))
