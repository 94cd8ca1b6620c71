"""Fourier-Motzkin projection (symresnet.solve.projection): hand-worked projections, and (property)
a parameter value lies in the projection iff its fiber is nonempty, by an exact LP in x alone."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from symresnet.solve import lp
from symresnet.solve.projection import project

F = Fraction


def inside(rows, z) -> bool:
    def lhs(row):
        return sum(a * v for a, v in zip(row, z, strict=True))

    return all((lhs(row) < r) if s else (lhs(row) <= r) for row, r, s in rows)


def test_a_triangle_projects_to_an_interval():
    # 0 <= x, 0 <= p, x + p <= 2 (x eliminated): 0 <= p <= 2
    rows = [((F(-1), F(0)), F(0), False), ((F(0), F(-1)), F(0), False), ((F(1), F(1)), F(2), False)]
    out = project(rows, 1)
    assert out is not None
    assert sorted(out) == sorted([((F(-1),), F(0), False), ((F(1),), F(2), False)])


def test_strictness_survives():
    # 0 <= x < p - 1: projection p > 1
    rows = [((F(-1), F(0)), F(0), False), ((F(1), F(-1)), F(-1), True)]
    assert project(rows, 1) == [((F(-1),), F(-1), True)]


def test_an_empty_set_is_none():
    rows = [((F(1), F(0)), F(0), True), ((F(-1), F(0)), F(0), False)]  # x < 0 and x >= 0
    assert project(rows, 1) is None


small = st.integers(min_value=-3, max_value=3)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(small, small, small, st.booleans()), min_size=1, max_size=5),
    st.fractions(min_value=-4, max_value=4, max_denominator=3),
)
def test_membership_agrees_with_an_exact_lp_in_the_fiber(raw, p):
    # in x, p with the box -3 <= x <= 3 (so fibers are bounded)
    rows = [((F(a), F(c)), F(r), s) for a, c, r, s in raw]
    rows += [((F(1), F(0)), F(3), False), ((F(-1), F(0)), F(3), False)]
    out = project(rows, 1)
    fiber = [((a[0],), r - a[1] * p, s) for a, r, s in rows]
    extends = (
        lp.feasible_point(
            [list(a) for a, _, _ in fiber],
            [r for _, r, _ in fiber],
            strict=[s for *_, s in fiber],
            n=1,
        )
        is not None
    )
    assert (out is not None and inside(out, (p,))) == extends
