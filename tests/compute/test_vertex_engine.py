"""The vertex engine (symresnet.compute.vertex_engine), chosen for planar inputs: random small
ResNets with random skips against the Fraction reference, the areas adding up to the box's."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regions_reference import RandomNet, area, check_decomposition

from symresnet.compute.polyhedra import Polyhedron
from symresnet.compute.regions import decompose


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.sampled_from(["relu", "leaky", "clip"]))
def test_random_planar_nets_cover_the_box(seed, act):
    rn = RandomNet(seed, n0=2, act=act)
    bounds = [(F(-2), F(1)), (F(-1), F(3, 2))]
    dec = decompose(rn.resnet(), Polyhedron.box(bounds))
    assert dec.method == "vertex"
    # the areas add up to the box's: with disjoint interiors, the regions cover it
    assert sum(area(r.vertices) for r in dec.regions) == F(3) * F(5, 2)
    check_decomposition(rn, dec, bounds, seed)
