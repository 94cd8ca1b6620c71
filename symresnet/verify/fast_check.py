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

__all__ = ["ID_BELOW", "OFF", "ON", "ZERO_BELOW", "FastNet"]

OFF, ON, ID_BELOW, ZERO_BELOW = range(4)


def _ceil(v: Fraction, P: int) -> int:
    return -((-v.numerator * P) // v.denominator)


def _floor(v: Fraction, P: int) -> int:
    return (v.numerator * P) // v.denominator


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

    def bounds(self, lo: list[Fraction], hi: list[Fraction], P: int) -> list[list[tuple[Any, ...]]]:
        """Per hidden layer and unit: its phase (:data:`OFF` ``u <= 0``, :data:`ON` ``l >= 0``,
        or unstable with the lower line ``x >= z`` (:data:`ID_BELOW`, ``u >= -l``) or
        ``x >= 0`` (:data:`ZERO_BELOW`)) and the upper line ``a z + b`` of an unstable unit."""
        n0 = self.dims[0]
        bd = math.lcm(*(v.denominator for v in (*lo, *hi)))
        Lnum = [int(v * bd) for v in lo]
        Hnum = [int(v * bd) for v in hi]
        ident = flint.fmpz_mat(n0, n0 + 1, [1 if i == t else 0 for t in range(n0) for i in range(n0 + 1)])
        forms: list[Any] = [(ident, ident, 1)]
        info = []
        for rows, sources, bias, den in self.layers[:-1]:
            D = 1
            for r, *_ in sources:
                D = math.lcm(D, forms[r][2])
            zlo = flint.fmpz_mat(rows, n0 + 1)
            zup = flint.fmpz_mat(rows, n0 + 1)
            for r, _, Mp, Mn in sources:
                flo, fup, fd = forms[r]
                s = D // fd
                if s != 1:
                    flo, fup = flo * s, fup * s
                zlo += Mp * flo + Mn * fup
                zup += Mp * fup + Mn * flo
            zden = den * D
            bias_col = flint.fmpz_mat(rows, n0 + 1)
            for j in range(rows):
                bias_col[j, n0] = bias[j] * D
            zlo += bias_col
            zup += bias_col
            a_all = zlo.entries()
            b_all = zup.entries()
            w = n0 + 1
            out: list[tuple[Any, ...]] = []
            slo = flint.fmpz_mat(rows, rows)
            sup = flint.fmpz_mat(rows, rows)
            shift = flint.fmpz_mat(rows, n0 + 1)
            for j in range(rows):
                a_row = a_all[j * w : (j + 1) * w]
                b_row = b_all[j * w : (j + 1) * w]
                lnum = int(a_row[n0]) * bd + sum(int(c) * (Lnum[i] if c >= 0 else Hnum[i]) for i, c in enumerate(a_row[:n0]))
                unum = int(b_row[n0]) * bd + sum(int(c) * (Hnum[i] if c >= 0 else Lnum[i]) for i, c in enumerate(b_row[:n0]))
                if unum <= 0:  # u <= 0 (the denominators are positive)
                    out.append((OFF, None, None))
                elif lnum >= 0:
                    out.append((ON, None, None))
                    slo[j, j] = P
                    sup[j, j] = P
                else:
                    low = Fraction(lnum, zden * bd)
                    ratio = Fraction(unum, unum - lnum)  # u / (u - l)
                    an = _ceil(ratio, P)
                    bn = _ceil(-Fraction(an, P) * low, P)
                    out.append((ID_BELOW if unum >= -lnum else ZERO_BELOW, flint.fmpq(an, P), flint.fmpq(bn, P)))
                    slo[j, j] = _floor(ratio, P)
                    sup[j, j] = an
                    shift[j, n0] = bn * zden
            forms.append((slo * zlo, sup * zup + shift, zden * P))
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
            for v, (kind, a, b) in zip(lam[k].entries(), info[k - 1], strict=True):
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
            Pk = math.lcm(1, *(int(v.q) for kind, a, b in lines if kind not in (ON, OFF) for v in (a, b)))
            low_f = [Pk if kind in (ON, ID_BELOW) else 0 for kind, _, _ in lines]
            up_f = [Pk if kind == ON else 0 if kind == OFF else int(a * Pk) for kind, a, _ in lines]
            ent = g.entries()
            nu = flint.fmpz_mat(n, rows, [e * (f if e > 0 else h) for e, f, h in zip(ent, low_f * n, up_f * n, strict=True)])
            neg = flint.fmpz_mat(n, rows, [e if e < 0 else 0 for e in ent])
            shift = flint.fmpz_mat(rows, 1, [int(b * Pk) if kind not in (ON, OFF) else 0 for kind, _, b in lines])
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
                if u <= 0:
                    out.append((OFF, None, None))
                elif low >= 0:
                    out.append((ON, None, None))
                else:
                    an = _ceil(u / (u - low), P)
                    bn = _ceil(-Fraction(an, P) * low, P)
                    out.append((ID_BELOW if u >= -low else ZERO_BELOW, flint.fmpq(an, P), flint.fmpq(bn, P)))
            info.append(out)
        return info

    def check_leaf(self, cases: Any, lo: list[Fraction], hi: list[Fraction], refutes: Any, P: int,
                   bounds: str = "forward") -> bool:
        """The checker's ``check_leaf``."""
        info = self.backsub_bounds(lo, hi, P) if bounds == "backsub" else self.bounds(lo, hi, P)
        for index, mu in refutes:
            C, e = cases[index]
            if len(mu) != len(C) or any(m < 0 for m in mu):
                return False
            obj = [sum((m * row[j] for m, row in zip(mu, C, strict=True)), Fraction(0)) for j in range(self.dims[-1])]
            rhs = sum((m * v for m, v in zip(mu, e, strict=True)), Fraction(0))
            if not self.lower_bound(info, obj, lo, hi) > rhs:
                return False
        return True
