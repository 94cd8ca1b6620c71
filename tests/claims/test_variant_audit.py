"""The audit of variants: counts checked against the variants themselves and a duplicate."""

from __future__ import annotations

from fractions import Fraction

import reference as ref

from symresnet.claims.variant_audit import audit
from symresnet.claims.variants import Template, draw_variants

T = Template(dims=(1, 3, 2, 1), skips=((0, 2),), parts=("point", "point"))


def test_audit_counts_and_finds_a_duplicate():
    variants, _ = draw_variants(T, count=8, seed=1)
    a = audit(T, [*variants, variants[3]])
    assert a.variants == 9 and a.parts == 18 and a.duplicates == 1
    assert a.true_parts == sum(p.holds for v in [*variants, variants[3]] for p in v.parts)
    assert sum(a.mistakes.values()) == a.parts - a.true_parts
    assert sum(a.patterns.values()) == 18
    # the smallest distance from the kink 0, recomputed with Fractions
    smallest = None
    for v in [*variants, variants[3]]:
        W, B, S = v.net
        W = [[list(r) for r in m] for m in W]
        B = [list(b) for b in B]
        S = {(r, k): [list(row) for row in V] for r, k, V in S}
        for p in v.parts:
            xs = ref.realization(W, B, S, lambda e: e, list(p.input))[:1]
            x = xs[0]
            for k in range(1, len(W)):
                z = [a_ + b for a_, b in zip(ref.matvec(W[k - 1], x), B[k - 1], strict=True)]
                for (r, kk), V in S.items():
                    if kk == k:
                        z = [u + w for u, w in zip(z, ref.matvec(V, xs[r]), strict=True)]
                d = min(abs(e) for e in z)
                smallest = d if smallest is None else min(smallest, d)
                x = [ref.relu(e) for e in z]
                xs.append(x)
    assert a.kink_distance == smallest and smallest >= Fraction(1)
    assert "duplicates: 1" in a.text()
