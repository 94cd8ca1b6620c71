"""Test helpers for regions and box claims: random small ResNets, a Fraction reference and a
check of a decomposition against it (:func:`check_decomposition`).

Nothing here uses symresnet's engines: networks are nested lists of Fractions, the realization
and the activation pattern are computed by hand (Def. 1.5.4) with the functions of
``reference.py``; symresnet is only used to *build* the ResNet under test from the same lists.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

from reference import clip, heaviside, leaky, matvec, relu

#: activation spec -> (scalar function, breakpoints, side of each breakpoint: "left" if the
#: breakpoint itself belongs to the piece on its left)
ACTIVATIONS = {
    "relu": (relu, [F(0)]),
    "leaky": (leaky(F(1, 3)), [F(0)]),
    "clip": (clip(F(-1), F(1)), [F(-1), F(1)]),
    "heaviside": (heaviside, [F(0)]),
}
SPECS = {
    "relu": "relu",
    "leaky": {"name": "leaky_relu", "gamma": "1/3"},
    "clip": {"name": "clip", "u": -1, "v": 1},
    "heaviside": "heaviside",
}


class RandomNet:
    """A random small ResNet: dims, Fraction weights, random skips, activation name."""

    def __init__(
        self,
        seed: int,
        *,
        n0: int,
        act: str = "relu",
        depth: int | None = None,
        width: int | None = None,
        out: int = 1,
    ):
        rng = random.Random(seed)
        L = depth if depth is not None else rng.randint(2, 4)
        self.dims = [n0] + [width or rng.randint(1, 4) for _ in range(L - 1)] + [out]
        q = lambda: F(rng.randint(-6, 6), rng.choice([1, 2, 3]))  # noqa: E731
        self.W = [
            [[q() for _ in range(self.dims[k - 1])] for _ in range(self.dims[k])]
            for k in range(1, L + 1)
        ]
        self.B = [[q() for _ in range(self.dims[k])] for k in range(1, L + 1)]
        pairs = [(r, k) for k in range(2, L + 1) for r in range(0, k - 1)]
        self.skips = {
            rk: [[q() for _ in range(self.dims[rk[0]])] for _ in range(self.dims[rk[1]])]
            for rk in pairs
            if rng.random() < 0.4
        }
        self.act = act
        self.f, self.breaks = ACTIVATIONS[act]

    def resnet(self):
        from symresnet import ResNet

        s = lambda m: [[str(v) for v in row] for row in m]  # noqa: E731
        return ResNet(
            W=[s(w) for w in self.W],
            B=[[str(v) for v in b] for b in self.B],
            skips={rk: s(v) for rk, v in self.skips.items()},
            activation=SPECS[self.act],
        )

    def forward(self, x):
        """(output, pattern): the pattern is, per hidden neuron, the number of breakpoints
        below the pre-activation (for Heaviside: below or equal)."""
        xs = [list(x)]
        pattern = []
        L = len(self.W)
        for k in range(1, L + 1):
            z = [
                a + b for a, b in zip(matvec(self.W[k - 1], xs[k - 1]), self.B[k - 1], strict=True)
            ]
            for (r, kk), V in self.skips.items():
                if kk == k:
                    z = [a + b for a, b in zip(z, matvec(V, xs[r]), strict=True)]
            if k == L:
                return z, tuple(pattern)
            if self.act == "heaviside":
                pattern.append(tuple(sum(v >= t for t in self.breaks) for v in z))
            else:
                pattern.append(tuple(sum(v > t for t in self.breaks) for v in z))
            xs.append([self.f(v) for v in z])
        raise AssertionError


def grid(bounds, steps: int):
    """All points of the rational grid with ``steps`` intervals per coordinate."""
    axes = [[lo + (hi - lo) * F(i, steps) for i in range(steps + 1)] for lo, hi in bounds]
    return list(itertools.product(*axes))


def area(verts) -> F:
    """Shoelace area of a polygon (vertices in order), or the length of a segment."""
    if len(verts[0]) == 1:
        return abs(verts[1][0] - verts[0][0])
    m = len(verts)
    return (
        abs(
            sum(
                (
                    verts[i][0] * verts[(i + 1) % m][1] - verts[(i + 1) % m][0] * verts[i][1]
                    for i in range(m)
                ),
                F(0),
            )
        )
        / 2
    )


def satisfies(A, b, x, strict=None) -> bool:
    strict = strict or [False] * len(A)
    for row, bi, s in zip(A, b, strict, strict=True):
        lhs = sum((a * v for a, v in zip(row, x, strict=True)), F(0))
        if lhs > bi or (s and lhs == bi):
            return False
    return True


def affine(C, d, x):
    return [
        sum((c * v for c, v in zip(row, x, strict=True)), F(0)) + di
        for row, di in zip(C, d, strict=True)
    ]


# -- checking a decomposition against the reference ------------------------------------------------


def random_points(rng, bounds, count):
    return [
        tuple(lo + (hi - lo) * F(rng.randint(0, 60), 60) for lo, hi in bounds) for _ in range(count)
    ]


def inside(region, x):
    return satisfies(region.A, region.b, x, region.strict)


def interior(region, x):
    return satisfies(region.A, region.b, x, [True] * len(region.A))


def check_decomposition(rn: RandomNet, dec, bounds, seed):
    rng = random.Random(seed)
    regions = dec.regions
    # patterns are distinct and each region's point is interior, with the reference's pattern
    assert len({r.pattern for r in regions}) == len(regions)
    for r in regions:
        assert interior(r, r.point)
        out, pattern = rn.forward(r.point)
        assert pattern == r.pattern
        assert affine(r.C, r.d, r.point) == out
    # random rational points: in exactly one region's interior or on a boundary; the map of
    # every closed region containing the point is the realization there
    for x in random_points(rng, bounds, 40):
        out, _ = rn.forward(x)
        holding = [r for r in regions if inside(r, x)]
        assert holding, f"{x} is in no region"
        assert sum(interior(r, x) for r in regions) <= 1
        for r in holding:
            assert affine(r.C, r.d, x) == out
    # points inside each region (convex combinations of its vertices, or steps from its point)
    for r in regions[:15]:
        if r.vertices is not None:
            for _ in range(3):
                w = [F(rng.randint(1, 9)) for _ in r.vertices]
                x = tuple(
                    sum(wi * v[i] for wi, v in zip(w, r.vertices, strict=True)) / sum(w)
                    for i in range(len(bounds))
                )
                assert inside(r, x)
                assert affine(r.C, r.d, x) == rn.forward(x)[0]
