"""Exact LP (symresnet.solve.lp) against hand-worked systems and a brute-force vertex enumeration.

The brute force: a bounded polygon ``A x <= b`` in the plane is nonempty iff one of the
intersection points of two of its lines satisfies every row; a linear function's maximum is
the largest value at such a point; the interior is nonempty iff those points span the plane.
"""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.solve.lp import (
    feasible_point,
    interior_point,
    irredundant,
    maximize,
    minimize,
    redundant_rows,
)

BOX = [[1, 0], [-1, 0], [0, 1], [0, -1]]  # -1 <= x, y <= 1 with b = [1, 1, 1, 1]


def satisfies(A, b, x, strict=None):
    flags = strict or [False] * len(A)
    for row, bi, s in zip(A, b, flags, strict=True):
        lhs = sum((F(a) * xi for a, xi in zip(row, x, strict=True)), F(0))
        if lhs > bi or (s and lhs == bi):
            return False
    return True


def vertices(A, b):
    """Every point where two rows are tight and all rows hold (plain Fractions)."""
    out = set()
    for (a1, b1), (a2, b2) in itertools.combinations(zip(A, b, strict=True), 2):
        det = F(a1[0]) * a2[1] - F(a1[1]) * a2[0]
        if det == 0:
            continue
        x = (F(b1) * a2[1] - F(b2) * a1[1]) / det
        y = (F(a1[0]) * b2 - F(a2[0]) * b1) / det
        if satisfies(A, b, (x, y)):
            out.add((x, y))
    return out


def spans_plane(points) -> bool:
    pts = list(points)
    return any(
        (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]) != 0
        for p, q, r in itertools.combinations(pts, 3)
    )


# -- hand-worked systems --------------------------------------------------------------------


def test_box_feasible_and_interior():
    b = [1, 1, 1, 1]
    assert satisfies(BOX, b, feasible_point(BOX, b))
    x = interior_point(BOX, b)
    assert x is not None and satisfies(BOX, b, x, strict=[True] * 4)


def test_segment_has_no_interior_but_points():
    # 0 <= x <= 0 in R^1: the single point 0
    assert feasible_point([[1], [-1]], [0, 0]) == (F(0),)
    assert interior_point([[1], [-1]], [0, 0]) is None
    assert feasible_point([[1], [-1]], [0, 0], strict=[True, False]) is None


def test_infeasible_systems():
    assert feasible_point([[1, 1], [-1, -1]], [-3, 2]) is None  # x + y <= -3 and >= -2
    assert feasible_point([[1], [-1]], [-1, 0]) is None


def test_strict_half_open_interval():
    # 0 < x <= 1
    x = feasible_point([[-1], [1]], [0, 1], strict=[True, False])
    assert x is not None and F(0) < x[0] <= 1


def test_optimum_values_by_hand():
    b = [1, 1, 1, 1]
    assert maximize([1, 1], BOX, b).value == 2
    assert minimize([1, -1], BOX, b).value == -2
    res = minimize([F(1, 3), 2], BOX, b)
    assert res.status == "optimal" and res.value == F(-7, 3) and res.point == (F(-1), F(-1))


def test_unbounded_and_infeasible_status():
    assert maximize([1], [[-1]], [0]).status == "unbounded"
    assert maximize([1, 0], [[1, 1], [-1, -1]], [-3, 2]).status == "infeasible"
    assert minimize([0, 1], [[1, 0], [-1, 0]], [1, 1]).status == "unbounded"


def test_attained_optimum_comes_with_a_point_of_the_set():
    # max of -y over [0, 6] x [0, 1] with the strict row 3x + 2y > 1 (issue 16's audit case):
    # the closed LP may stop at the vertex (1/3, 0), which the strict row excludes; the optimum
    # 0 is attained (at y = 0, x > 1/3), so the point returned must lie in the set
    A = [[-1, 0], [1, 0], [0, -1], [0, 1], [-3, -2]]
    b = [0, 6, 0, 1, -1]
    strict = [False, False, False, False, True]
    res = maximize([0, -1], A, b, strict=strict)
    assert (res.value, res.attained) == (0, True)
    assert satisfies(A, b, res.point, strict=strict)
    assert -res.point[1] == res.value


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(-4, 4), min_size=2, max_size=2), min_size=1, max_size=4),
    st.lists(st.integers(-4, 4), min_size=4, max_size=4),
    st.lists(st.booleans(), min_size=4, max_size=4),
    st.lists(st.integers(-3, 3), min_size=2, max_size=2),
)
def test_attained_points_satisfy_the_strict_rows(rows, rhs, flags, c):
    # a box [-2, 2]^2 plus random rows, some strict: whenever the optimum is attained, the
    # point lies in the set (strict rows strict) and has the optimal value
    A = [[-1, 0], [1, 0], [0, -1], [0, 1], *rows]
    b = [2, 2, 2, 2, *rhs[: len(rows)]]
    strict = [False] * 4 + flags[: len(rows)]
    res = maximize(c, A, b, strict=strict)
    if res.status == "optimal" and res.attained:
        assert satisfies(A, b, res.point, strict=strict)
        assert sum((F(ci) * xi for ci, xi in zip(c, res.point, strict=True)), F(0)) == res.value


def test_supremum_not_attained_on_strict_rows():
    # sup of x over x < 1 is 1, not attained; over x <= 1 it is
    res = maximize([1], [[1], [-1]], [1, 0], strict=[True, False])
    assert (res.value, res.attained) == (1, False)
    res = maximize([1], [[1], [-1]], [1, 0])
    assert (res.value, res.attained) == (1, True)


def test_no_rows_and_zero_columns():
    assert feasible_point([], [], n=2) is not None
    assert feasible_point([[0, 0]], [-1]) is None
    assert feasible_point([[0, 0]], [0], strict=True) is None
    assert maximize([1, 0], [[0, 1]], [3]).status == "unbounded"


def test_sympy_rationals_accepted_floats_refused():
    assert feasible_point([[sympy.Rational(1, 2)]], [sympy.Integer(1)]) is not None
    with pytest.raises(TypeError):
        feasible_point([[0.5]], [1])


def test_redundant_rows_by_hand():
    A = [[1, 0], [1, 0], [-1, 0], [0, 1], [0, -1], [1, 1]]
    b = [1, 1, 0, 1, 0, 5]
    # the duplicate x <= 1 (first copy goes) and x + y <= 5 are redundant
    assert redundant_rows(A, b) == (0, 5)
    assert irredundant(A, b) == (1, 2, 3, 4)
    with pytest.raises(ValueError, match="nonempty"):
        redundant_rows([[1], [-1]], [-1, 0])


# -- brute force on random planar systems -----------------------------------------------------

small = st.integers(-4, 4)
row = st.tuples(small, small)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(row, st.integers(-6, 6)), max_size=5), st.tuples(small, small))
def test_random_planar_systems_against_vertices(extra, c):
    A = BOX + [list(r) for r, _ in extra]
    b = [3, 3, 3, 3] + [bi for _, bi in extra]
    verts = vertices(A, b)
    x = feasible_point(A, b)
    assert (x is not None) == bool(verts)
    if x is not None:
        assert satisfies(A, b, x)
    y = interior_point(A, b)
    # a row 0 x <= b_i holds strictly only if b_i > 0
    zero_rows_ok = all(bi > 0 for r, bi in zip(A, b, strict=True) if r == [0, 0])
    assert (y is not None) == (spans_plane(verts) and zero_rows_ok)
    if y is not None:
        assert satisfies(A, b, y, strict=[True] * len(A))
    res = maximize(list(c), A, b)
    if verts:
        best = max(F(c[0]) * v[0] + F(c[1]) * v[1] for v in verts)
        assert res.status == "optimal" and res.value == best
        assert satisfies(A, b, res.point)
        # the duality certificate: y >= 0, y A = c, y b = value
        y = res.dual
        assert all(v >= 0 for v in y)
        assert [sum(yi * row[j] for yi, row in zip(y, A, strict=True)) for j in range(2)] == list(c)
        assert sum(yi * bi for yi, bi in zip(y, b, strict=True)) == best
    else:
        assert res.status == "infeasible"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(row, st.integers(-6, 6)), min_size=1, max_size=5))
def test_random_redundancy_against_vertices(extra):
    A = BOX + [list(r) for r, _ in extra]
    b = [3, 3, 3, 3] + [bi for _, bi in extra]
    if not spans_plane(vertices(A, b)):
        return
    kept = irredundant(A, b)
    A2, b2 = [A[i] for i in kept], [b[i] for i in kept]
    assert vertices(A2, b2) == vertices(A, b)  # same polygon
    for i in range(len(kept)):  # each kept row is needed
        rest = [k for k in range(len(kept)) if k != i]
        A3, b3 = [A2[k] for k in rest], [b2[k] for k in rest]
        res = maximize(A2[i], A3, b3)
        assert res.status == "unbounded" or res.value > b2[i]
