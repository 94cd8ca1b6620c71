"""The domain of a decomposition (symresnet.compute.polyhedra): boxes read exactly from
``lo..hi`` text, and their errors."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from symresnet.base.errors import InputError
from symresnet.compute.polyhedra import parse_box


def test_parse_box_negative_and_fractions():
    box = parse_box("-2..1, -1/2..0.25", 2)
    assert box.bounds == ((F(-2), F(1)), (F(-1, 2), F(1, 4)))


@pytest.mark.parametrize(
    ("text", "dim", "message"),
    [
        ("0..1", 2, r"^--box: expected 2 intervals \(l_0 = 2\), got 1$"),
        ("0..1, 2", 2, r"interval 2: write lo\.\.hi"),
        ("1..0", 1, r"--box: interval 1 is empty: 1 > 0"),
        ("0..sqrt(2)", 1, r"not rational"),
        ("0..x", 1, r"^--box: interval 1"),
    ],
)
def test_parse_box_errors(text, dim, message):
    with pytest.raises(InputError, match=message):
        parse_box(text, dim)
