"""A network and a box claim as z3 terms (nonlinear real arithmetic), for the parameter engines
(:mod:`symresnet.claims.parameter_weights`, :mod:`symresnet.claims.parameter_several`).

Def. 1.5.4 written out with z3 reals: the entries of ``W_k``, ``B_k``, ``V_{r,k}`` are
polynomials in the parameters (rational coefficients), the activation is continuous piecewise
linear with rational breakpoints and is written as nested ``If`` case splits (its pieces,
boundary points to the left piece, which for a continuous activation changes nothing).  z3 is
an optional dependency: callers import it and pass the module in.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy

from symresnet.model.network import ResNet

if TYPE_CHECKING:  # pragma: no cover
    from symresnet.claims.box import BoxClaim

__all__ = ["claim_terms", "network_terms", "rational"]


def _q(v: Any) -> Fraction:
    return Fraction(int(v.p), int(v.q))


def rational(z3: Any, v: Fraction) -> Any:
    """The exact z3 rational ``v``."""
    return z3.RealVal(f"{v.numerator}/{v.denominator}")


def _entry(z3: Any, e: sympy.Expr, variables: Mapping[sympy.Symbol, Any]) -> Any:
    """A polynomial entry (``sympy.PolynomialError``/``CoercionFailed`` if it is not one)."""
    if not variables:
        return rational(z3, _q(sympy.nsimplify(e)))
    poly = sympy.Poly(sympy.expand(e), *variables.keys(), domain=sympy.QQ)
    terms = []
    for monom, coeff in poly.terms():
        term = rational(z3, _q(coeff))
        for v, power in zip(variables.values(), monom, strict=True):
            if power:
                term = term * v**power
        terms.append(term)
    return z3.Sum(*terms, z3.RealVal(0))


def network_terms(
    z3: Any, network: ResNet, params: Mapping[sympy.Symbol, Any], x0: list[Any]
) -> list[Any]:
    """The outputs ``R(x0; p)`` as z3 terms (module docstring)."""
    pieces = network.activation.pieces
    inner = [(_q(p.hi), _q(p.slope), _q(p.intercept)) for p in pieces[:-1]]
    last = pieces[-1]

    def act(z: Any) -> Any:
        out = rational(z3, _q(last.slope)) * z + rational(z3, _q(last.intercept))
        for hi, slope, intercept in reversed(inner):
            out = z3.If(
                z <= rational(z3, hi), rational(z3, slope) * z + rational(z3, intercept), out
            )
        return out

    xs = [x0]
    for k in range(1, network.L + 1):
        terms = [(network.W[k - 1], xs[k - 1])] + [(V, xs[r]) for r, V in network.skips_into(k)]
        z = [
            z3.Sum(
                _entry(z3, network.B[k - 1][i], params),
                *(_entry(z3, M[i, j], params) * xv[j] for M, xv in terms for j in range(len(xv))),
            )
            for i in range(network.dims[k])
        ]
        xs.append(z if k == network.L else [act(zi) for zi in z])
    return xs[-1]


def claim_terms(z3: Any, claim: BoxClaim, outputs: list[Any], x0: list[Any]) -> tuple[Any, Any]:
    """``(x0 in the box, R(x0) ~ y)`` as z3 formulas."""
    in_box = z3.And(
        *(
            z3.Sum(*(rational(z3, a) * v for a, v in zip(row, x0, strict=True)), z3.RealVal(0))
            <= rational(z3, r)
            for row, r in zip(claim.box.A, claim.box.b, strict=True)
        )
    )
    rel = claim.relation.value
    good = []
    for f, y in zip(outputs, claim.expected, strict=True):
        t = rational(z3, y)
        good.append(
            {
                "equals": f == t,
                "at_most": f <= t,
                "less": f < t,
                "at_least": f >= t,
                "greater": f > t,
            }[rel]
        )
    return in_box, z3.And(*good)
