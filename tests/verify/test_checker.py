"""The reference checker's step 1 (verify/checker.py, certificate version 2): the symbolic
forms of every hidden layer, rounded outward to the grid 1/P, are still bounds of the network.

The network's hidden values are computed here by Def. 1.5.4 in plain Fractions (no code of the
package), at random points of random boxes (non-dyadic corners, so the rounding error term
matters), with a coarse grid (P = 2^2 .. 2^6) where rounding changes the forms a lot."""

from __future__ import annotations

import random
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.verify.checker import VERSION, load_network, symbolic_forms


def _net_json(rng: random.Random):
    dims = [2, 3, 3, 2]

    def q():
        return str(F(rng.randint(-9, 9), rng.choice([1, 2, 3, 7])))

    layers = [{"W": [[q() for _ in range(dims[k - 1])] for _ in range(dims[k])], "B": [q() for _ in range(dims[k])]}
              for k in range(1, 4)]
    skips = [{"from": 0, "to": 2, "V": [[q() for _ in range(2)] for _ in range(3)]}]
    return {"dims": dims, "activation": "relu", "layers": layers, "skips": skips}


def _hidden(data, x):
    """x_0, x_1, ..., x_{L-1} at x (Def. 1.5.4 with ReLU), in Fractions."""
    xs = [list(x)]
    L = len(data["dims"]) - 1
    for k in range(1, L):
        layer = data["layers"][k - 1]
        z = [F(b) + sum((F(w) * v for w, v in zip(row, xs[k - 1], strict=True)), F(0))
             for row, b in zip(layer["W"], layer["B"], strict=True)]
        for s in data["skips"]:
            if s["to"] == k:
                z = [zj + sum((F(w) * v for w, v in zip(row, xs[s["from"]], strict=True)), F(0))
                     for zj, row in zip(z, s["V"], strict=True)]
        xs.append([max(v, F(0)) for v in z])
    return xs


def _value(form, x, P):
    *c, c0 = form
    return (sum((F(ci) * xi for ci, xi in zip(c, x, strict=True)), F(0)) + c0) / P


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 6))
def test_rounded_forms_bound_every_hidden_unit(seed, rounding):
    rng = random.Random(seed)
    data = _net_json(rng)
    lo = [F(rng.randint(-30, 10), rng.choice([3, 10, 7])) for _ in range(2)]
    hi = [a + F(rng.randint(1, 40), rng.choice([3, 10, 9])) for a in lo]
    P = 2**rounding
    _, forms = symbolic_forms(load_network(data), lo, hi, P)
    for form_lo, form_up in forms:  # the rounded forms sit on the grid 1/P: integers over P
        assert all(isinstance(v, int) for row in (*form_lo, *form_up) for v in row)
    points = [list(lo), list(hi), [lo[0], hi[1]], [hi[0], lo[1]]]
    points += [[a + (b - a) * F(rng.randint(0, 97), 97) for a, b in zip(lo, hi, strict=True)] for _ in range(12)]
    for x in points:
        xs = _hidden(data, x)
        for k in range(1, len(xs)):
            for j, v in enumerate(xs[k]):
                assert _value(forms[k][0][j], x, P) <= v <= _value(forms[k][1][j], x, P)


def test_the_rounding_step_by_hand():
    # x_1 = relu(x_0 / 3) on [1/10, 1] with P = 4: l = 1/30 >= 0, so x_1 = z = x_0 / 3, whose
    # forms (1/3, 0) round to the coefficients floor_4(1/3) = 1/4 and ceil_4(1/3) = 2/4, with
    # the constants floor_4((1/3 - 1/4) / 10) = 0 and ceil_4((1/3 - 1/2) / 10) = ceil(-1/15) = 0:
    # the lower form x_0 / 4 and the upper form x_0 / 2
    data = {"dims": [1, 1, 1], "activation": "relu",
            "layers": [{"W": [["1/3"]], "B": ["0"]}, {"W": [["1"]], "B": ["0"]}]}
    _, forms = symbolic_forms(load_network(data), [F(1, 10)], [F(1)], 4)
    assert forms[1] == ([[1, 0]], [[2, 0]])
    # with the box [-1, 1] instead the lower constant goes down: the error (1/3 - 1/4) x_0 is
    # at least -1/12 on it, so floor_4(-1/12) = -1/4; x_1 = relu(x_0/3) is unstable there
    # (u = 1/3, l = -1/3), with lam = floor_4(1/2) = 1/2 and the upper line a = 2/4, b = 1/4
    info, forms = symbolic_forms(load_network(data), [F(-1)], [F(1)], 4)
    assert info[0] == [(F(-1, 3), F(1, 3), F(1, 2), F(1, 4))]
    # lower form lam z = x_0 / 6: coefficient floor_4(1/6) = 0, constant floor_4((1/6) (-1)) = -1/4;
    # upper form x_0 / 6 + 1/4: coefficient ceil_4(1/6) = 1/4, constant
    # ceil_4(1/4 + (1/6 - 1/4) (-1)) = ceil_4(1/3) = 2/4
    assert forms[1] == ([[0, -1]], [[1, 2]])
    assert VERSION == 2
