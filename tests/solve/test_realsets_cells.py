"""realsets.cells and RealSet.from_cells: the cells of the line cut by polynomial roots."""

from fractions import Fraction

import sympy

from symresnet.solve.realsets import RealSet, cells


def test_cells_of_x2_minus_2_and_x_minus_1():
    roots, samples = cells([[-2, 0, 1], [-1, 1]])
    assert [r.expr() for r in roots] == [-sympy.sqrt(2), 1, sympy.sqrt(2)]
    # one rational in each open cell, in order
    assert len(samples) == 4
    assert samples[0] ** 2 > 2 and samples[0] < 0
    assert samples[1] ** 2 < 2 and samples[1] < 1
    assert samples[2] > 1 and samples[2] ** 2 < 2
    assert samples[3] ** 2 > 2 and samples[3] > 0
    s = RealSet.from_cells([False, True, True, False, False, True, True], roots)
    assert s.text("b") == "-sqrt(2) <= b < 1 or b >= sqrt(2)"
    assert s.contains(Fraction(-1)) and not s.contains(Fraction(1)) and s.contains(Fraction(2))
