"""The audit of a set of variants (issue 14): true share, spread of values, the smallest
distance of a pre-activation from a kink, activation patterns, mistakes, duplicates.

Everything is recomputed exactly from the variants' networks on the flint core.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from fractions import Fraction

from symresnet.claims.variants import Template, Variant, compile_net, evaluate, input_points
from symresnet.model.activations import activation

__all__ = ["Audit", "audit"]


@dataclasses.dataclass(frozen=True)
class Audit:
    """The figures of :func:`audit`."""

    variants: int
    parts: int
    true_parts: int
    values: tuple[Fraction, ...]
    kink_distance: Fraction | None
    patterns: Counter[str]
    mistakes: Counter[str]
    duplicates: int
    true_positions: Counter[int]
    #: the largest ``|value|`` asked for or claimed, and the largest ``|z_k|`` (every layer,
    #: the output too) at the inputs a student meets (point inputs, box corners, ends of t)
    largest_value: Fraction = Fraction(0)
    largest_intermediate: Fraction = Fraction(0)

    @property
    def true_share(self) -> Fraction:
        return Fraction(self.true_parts, self.parts) if self.parts else Fraction(0)

    def text(self) -> str:
        lines = [
            f"variants: {self.variants}, parts: {self.parts}, duplicates: {self.duplicates}",
            f"true share: {self.true_parts}/{self.parts} = {float(self.true_share):.3f}",
            "true parts by position: "
            + ", ".join(f"({chr(97 + i)}) {n}" for i, n in sorted(self.true_positions.items())),
        ]
        if self.values:
            vs = sorted(self.values)
            lines.append(
                f"values: min {vs[0]}, median {vs[len(vs) // 2]}, max {vs[-1]}, "
                f"{len(set(vs))} distinct"
            )
        lines.append(
            f"largest |value| asked for or claimed: {self.largest_value}; largest "
            f"|pre-activation| at the inputs, box corners and ends of t: "
            f"{self.largest_intermediate}"
        )
        lines.append(
            f"smallest |pre-activation - kink| at the claims' inputs: {self.kink_distance}"
        )
        lines.append(
            "mistakes: " + (", ".join(f"{m} {n}" for m, n in self.mistakes.most_common()) or "none")
        )
        lines.append(
            f"activation patterns at the point claims' inputs: {len(self.patterns)} distinct; "
            "most common: " + ", ".join(f"{p} ({n})" for p, n in self.patterns.most_common(3))
        )
        return "\n".join(lines) + "\n"


def audit(t: Template, variants: list[Variant]) -> Audit:
    """The audit of ``variants`` (of template ``t``)."""
    act = activation(t.activation)
    kinks = [Fraction(int(b.p), int(b.q)) for b in act.breakpoints]
    parts = [p for v in variants for p in v.parts]
    dist: Fraction | None = None
    patterns: Counter[str] = Counter()
    for v in variants:
        points = [p.input for p in v.parts if p.kind == "point"]
        if not points or not kinks:
            continue
        for z in evaluate(compile_net(v.net, act), points):
            hidden = [e for layer in z[:-1] for e in layer]
            d = min(abs(e - c) for e in hidden for c in kinks)
            dist = d if dist is None else min(dist, d)
            patterns[
                "|".join("".join("1" if e > 0 else "0" for e in layer) for layer in z[:-1])
            ] += 1
    largest = Fraction(0)
    for v in variants:
        met = input_points((p.kind, p.input, p.box) for p in v.parts)
        for z in evaluate(compile_net(v.net, act), met):
            largest = max([largest, *(abs(e) for layer in z for e in layer)])
    digests = Counter(v.digest for v in variants)
    return Audit(
        variants=len(variants),
        parts=len(parts),
        true_parts=sum(p.holds for p in parts),
        values=tuple(p.value for p in parts),
        kink_distance=dist,
        patterns=patterns,
        mistakes=Counter(p.mistake for p in parts if p.mistake),
        duplicates=sum(n - 1 for n in digests.values()),
        true_positions=Counter(i for v in variants for i, p in enumerate(v.parts) if p.holds),
        largest_value=max((abs(q) for p in parts for q in (p.value, p.claimed)), default=Fraction(0)),
        largest_intermediate=largest,
    )
