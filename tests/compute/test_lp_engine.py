"""The LP engine (symresnet.compute.lp_engine), chosen for three or more inputs: random small
ResNets with random skips against the Fraction reference."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regions_reference import RandomNet, check_decomposition

from symresnet.compute.polyhedra import Polyhedron
from symresnet.compute.regions import decompose


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6))
def test_random_3d_nets_lp_engine(seed):
    rn = RandomNet(seed, n0=3, act="relu", depth=2, width=3)
    bounds = [(F(-1), F(1))] * 3
    dec = decompose(rn.resnet(), Polyhedron.box(bounds))
    assert dec.method == "lp"
    check_decomposition(rn, dec, bounds, seed)
