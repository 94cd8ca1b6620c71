"""Exact values of derivation formulas (layer *explain*): what every ``=`` is checked against.

:func:`evaluate` computes the exact value of a formula of the derivation tree
(:mod:`symresnet.explain.tree`): matrices multiply (rational ones on python-flint, cached per
matrix by :class:`FlintCache`), sums add, ``M_{a,d}`` applies ``a`` to each entry, letters take
their values from an environment.  Shared by :mod:`symresnet.explain.derivation` and
:mod:`symresnet.explain.region_affine`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce

import flint
import sympy

from symresnet.base.errors import DerivationCheckError
from symresnet.explain.tree import Apply, Atom, MatrixTerm, Product, Sum, Term, ValueTerm, Var
from symresnet.model.activations import Activation
from symresnet.model.network import Matrix

__all__ = ["FlintCache", "evaluate"]


def _rational(m: Matrix) -> bool:
    return all(e.is_Rational for e in m.flat())


class FlintCache:
    """Rational matrices as ``flint.fmpq_mat`` (``None`` for the others), converted once per
    matrix object: a step multiplies the same ``W_k`` and ``x_j`` more than once."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Matrix, flint.fmpq_mat | None]] = {}

    def get(self, m: Matrix) -> flint.fmpq_mat | None:
        hit = self._seen.get(id(m))
        if hit is not None and hit[0] is m:
            return hit[1]
        flat = m.flat()
        conv = None
        if all(e.is_Rational for e in flat):
            conv = flint.fmpq_mat(m.rows, m.cols, [flint.fmpq(int(e.p), int(e.q)) for e in flat])
        self._seen[id(m)] = (m, conv)
        return conv


def _from_fmpq(m: flint.fmpq_mat) -> Matrix:
    return Matrix(m.nrows(), m.ncols(), [sympy.Rational(int(q.p), int(q.q)) for q in m.entries()])


def _matmul(a: Matrix, b: Matrix, cache: FlintCache) -> Matrix:
    fa = cache.get(a)
    fb = cache.get(b) if fa is not None else None
    if fa is not None and fb is not None:
        return _from_fmpq(fa * fb)
    return Matrix(a * b).applyfunc(sympy.expand)


def _add(a: Matrix, b: Matrix) -> Matrix:
    out = Matrix(a + b)
    return out if _rational(out) else out.applyfunc(sympy.expand)


def evaluate(
    term: Term, env: Mapping[Var, Matrix] | None = None, cache: FlintCache | None = None
) -> Matrix:
    """The exact value of a formula of a step: matrices multiply, sums add, ``M_{a,d}`` applies
    ``a`` to each entry; letters take their values from ``env``."""
    env = env or {}
    cache = cache if cache is not None else FlintCache()
    match term:
        case Var():
            if term not in env:
                raise DerivationCheckError(f"no value for {term.name}_{term.index}")
            return env[term]
        case MatrixTerm(value=v) | ValueTerm(value=v):
            return v
        case Atom(value=v):
            return Matrix([[v]])
        case Product(factors=fs):
            return reduce(lambda a, b: _matmul(a, b, cache), (evaluate(f, env, cache) for f in fs))
        case Sum(terms=ts):
            return reduce(_add, (evaluate(t, env, cache) for t in ts))
        case Apply(function=Activation() as act, argument=arg):
            return Matrix([act(e) for e in evaluate(arg, env, cache).flat()])
    raise DerivationCheckError(f"cannot evaluate a {type(term).__name__}")
