"""Seeded variants of an exercise: a template fixes the shape, the numbers are drawn (issue 14).

A :class:`Template` fixes ``dims``, the skip set ``S``, the activation and the kinds of the
parts (point, box, parameter claims); :func:`draw_variant` draws the entries of ``W_k``,
``B_k``, ``V_{r,k}`` (Def. 1.5.1) and the claims from ``random.Random(f"{seed}:{index}")``, so
that a variant is rebuilt exactly from ``(seed, index)``.  Every rule of docs/variants.md is
decided exactly on the python-flint core (:func:`symresnet.compute.core.run`), box and
parameter parts by the exact box engine (:func:`symresnet.claims.box_decide.decide_box`).
A false part claims the value a named mistake gives (:data:`MISTAKES`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import random
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

import flint

from symresnet.base.errors import SpecError
from symresnet.claims.box import box_claim
from symresnet.claims.box_verdict import BoxVerdict
from symresnet.compute.core import Compiled, CompiledLayer, run
from symresnet.compute.scaled import columns
from symresnet.model.activations import IDENTITY, Activation, activation
from symresnet.model.network import ResNet

__all__ = [
    "MISTAKES",
    "RULES",
    "Part",
    "Template",
    "Variant",
    "VariantsError",
    "draw_variant",
    "draw_variants",
    "evaluate",
    "input_points",
    "mistake_words",
]

PartKind = Literal["point", "box", "parameter"]
Net = tuple[
    tuple[tuple[tuple[Fraction, ...], ...], ...],  # W_1..W_L
    tuple[tuple[Fraction, ...], ...],  # B_1..B_L
    tuple[tuple[int, int, tuple[tuple[Fraction, ...], ...]], ...],  # (r, k, V)
]

#: the named mistakes a false part's value comes from (docs/variants.md)
MISTAKES = (
    "skip dropped",
    "activation forgotten",
    "W transposed",
    "bias dropped",
    "output layer activated",
)
#: the rules, in the order they are checked (the names used in messages and the audit)
RULES = ("zeros", "bounded", "kink", "active and inactive", "skips matter", "integer", "mistake")


class VariantsError(SpecError):
    """The template's rules could not be met (after ``max_tries`` draws)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Template:
    """A variant template (docs/variants.md): the shape is fixed, the numbers are drawn."""

    title: str = "Variant"
    activation: str = "relu"
    dims: tuple[int, ...]
    skips: tuple[tuple[int, int], ...] = ()
    parts: tuple[PartKind, ...] = ("point",)
    entries: tuple[int, int] = (-3, 3)
    inputs: tuple[int, int] = (-2, 2)
    box_width: int = 2
    zero_share: Fraction = Fraction(1, 4)
    fractions: bool = False
    max_abs: int = 100
    true_share: Fraction = Fraction(1, 2)
    max_tries: int = 2000
    kink: bool = True
    active_inactive: bool = True
    skips_matter: bool = True
    integer_outputs: bool = True


@dataclasses.dataclass(frozen=True)
class Part:
    """One part: ``kind``, the claim's data as spec entries, its truth, the exact ``value``
    (point: ``R(x_0)``; box and parameter: ``max R`` (``at_most``) or ``min R`` (``at_least``)
    over the box or ``t``) and the ``mistake`` that produced a false claim's ``claimed`` value
    (``None`` for a true part)."""

    kind: PartKind
    input: tuple[Fraction, ...]  # point: x_0; parameter: x_0 with t in coordinate 1
    box: tuple[tuple[Fraction, Fraction], ...]  # box: the box; parameter: ((lo, hi),) of t
    relation: str
    claimed: Fraction
    value: Fraction
    holds: bool
    mistake: str | None
    #: where the mistake is made (:func:`mistaken`): ``(r, k)`` or ``(k,)`` or ``()``
    where: tuple[int, ...] = ()

    def mistake_text(self, math=lambda s: s) -> str | None:
        """``the claimed value -7 is what one gets when the skip V_{1,3} is dropped`` (a
        false part), or ``None``."""
        if self.mistake is None:
            return None
        v = self.claimed
        value = str(v) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
        return (
            f"the claimed value {math(value)} is what one gets when "
            + mistake_words(self.mistake, self.where, math)
        )


@dataclasses.dataclass(frozen=True)
class Variant:
    """Variant ``index`` of ``seed``: the network (Fractions), its parts and its hash."""

    seed: int
    index: int
    net: Net
    parts: tuple[Part, ...]
    digest: str
    tries: int


# -- the exact forward pass -------------------------------------------------------------------


def _fmpq(m: Sequence[Sequence[Fraction]]) -> flint.fmpq_mat:
    return flint.fmpq_mat([[flint.fmpq(e.numerator, e.denominator) for e in row] for row in m])


def compile_net(net: Net, act: Activation, *, output_act: Activation = IDENTITY) -> Compiled:
    """The network on flint (:class:`~symresnet.compute.core.Compiled`), without sympy."""
    W, B, skips = net
    L = len(W)
    layers = []
    for k in range(1, L + 1):
        Vs = [(r, _fmpq(V)) for r, kk, V in skips if kk == k]
        layers.append(
            CompiledLayer.from_fmpq(
                k,
                _fmpq(W[k - 1]),
                _fmpq([[b] for b in B[k - 1]]),
                Vs,
                act if k < L else output_act,
            )
        )
    dims = (len(W[0][0]), *(len(w) for w in W))
    return Compiled(dims, tuple(layers))


def evaluate(model: Compiled, points: Sequence[Sequence[Fraction]]) -> list[list[list[Fraction]]]:
    """``z_1..z_L`` (Def. 1.5.4) at every point: ``out[j][k-1]`` is ``z_k`` at point ``j``;
    the output ``R(x_0)`` is ``z_L`` (``x_L = z_L``)."""
    steps = run(model, columns(points))
    out: list[list[list[Fraction]]] = [[] for _ in points]
    for step in steps:
        z = step.z.to_fmpq_mat()
        for j in range(len(points)):
            out[j].append([Fraction(int(z[i, j].p), int(z[i, j].q)) for i in range(z.nrows())])
    return out


def _output(model: Compiled, points: Sequence[Sequence[Fraction]]) -> list[tuple[Fraction, ...]]:
    """``x_L`` at every point (``z_L`` unless the output layer is activated: a mistake)."""
    x = run(model, columns(points))[-1].x.to_fmpq_mat()
    return [
        tuple(Fraction(int(x[i, j].p), int(x[i, j].q)) for i in range(x.nrows()))
        for j in range(len(points))
    ]


# -- drawing --------------------------------------------------------------------------------


def _number(rng: random.Random, t: Template, lo: int, hi: int) -> Fraction:
    n = rng.randint(lo, hi)
    if t.fractions and rng.random() < 0.25:
        return Fraction(2 * n + rng.choice((-1, 1)), 2)
    return Fraction(n)


def _matrix(rng: random.Random, t: Template, rows: int, cols: int):
    lo, hi = t.entries
    return tuple(tuple(_number(rng, t, lo, hi) for _ in range(cols)) for _ in range(rows))


def _draw_net(rng: random.Random, t: Template) -> Net:
    d = t.dims
    L = len(d) - 1
    W = tuple(_matrix(rng, t, d[k], d[k - 1]) for k in range(1, L + 1))
    B = tuple(_matrix(rng, t, 1, d[k])[0] for k in range(1, L + 1))
    S = tuple((r, k, _matrix(rng, t, d[k], d[r])) for r, k in t.skips)
    return W, B, S


def _entries(net: Net) -> list[Fraction]:
    W, B, S = net
    out = [e for m in W for row in m for e in row] + [e for b in B for e in b]
    return out + [e for _, _, V in S for row in V for e in row]


def _point(rng: random.Random, t: Template, n: int) -> tuple[Fraction, ...]:
    return tuple(_number(rng, t, *t.inputs) for _ in range(n))


def mistaken(
    net: Net, mistake: str, rng: random.Random
) -> tuple[Net, bool, tuple[int, ...]] | None:
    """The network a student makes with ``mistake``, whether the output layer is activated,
    and where the mistake is made (``(r, k)`` of the dropped skip, ``(k,)`` of the dropped
    ``B_k`` or transposed ``W_k``, ``()`` otherwise), or ``None`` when the mistake does not
    apply to this shape."""
    W, B, S = net
    if mistake == "skip dropped":
        if not S:
            return None
        i = rng.randrange(len(S))
        return (W, B, S[:i] + S[i + 1 :]), False, (S[i][0], S[i][1])
    if mistake == "bias dropped":
        k = rng.randrange(len(B))
        zero = tuple(Fraction(0) for _ in B[k])
        return (W, (*B[:k], zero, *B[k + 1 :]), S), False, (k + 1,)
    if mistake == "W transposed":
        square = [k for k, m in enumerate(W) if len(m) == len(m[0]) and m != _t(m)]
        if not square:
            return None
        k = rng.choice(square)
        return ((*W[:k], _t(W[k]), *W[k + 1 :]), B, S), False, (k + 1,)
    if mistake == "output layer activated":
        return net, True, ()
    if mistake == "activation forgotten":
        return net, False, ()  # handled by the caller: identity on the hidden layers
    raise ValueError(mistake)


def mistake_words(mistake: str, where: tuple[int, ...], math=lambda s: s) -> str:
    """What a student did who made ``mistake`` at ``where`` (:func:`mistaken`), as the end
    of "the claimed value is what one gets when ...": ``the skip V_{1,3} is dropped``;
    ``math`` wraps the symbols (``$...$`` for LaTeX)."""
    if mistake == "skip dropped":
        return f"the skip {math(f'V_{{{where[0]},{where[1]}}}')} is dropped"
    if mistake == "bias dropped":
        return f"the bias {math(f'B_{{{where[0]}}}')} is dropped"
    if mistake == "W transposed":
        return f"{math(f'W_{{{where[0]}}}')} is transposed"
    if mistake == "output layer activated":
        return "the activation is applied to the output layer too"
    if mistake == "activation forgotten":
        return "the activation of the hidden layers is forgotten"
    raise ValueError(mistake)


def _t(m):
    return tuple(zip(*m, strict=True))


def _mistake_net(net: Net, act: Activation, mistake: str, rng: random.Random):
    """``(network, hidden activation, output activated)`` of ``mistake`` and where it is
    made, or ``None``."""
    got = mistaken(net, mistake, rng)
    if got is None:
        return None
    wrong, out_act, where = got
    return (wrong, (IDENTITY if mistake == "activation forgotten" else act), out_act), where


def _is_pattern_split(z: list[Fraction]) -> bool:
    return any(v > 0 for v in z) and any(v < 0 for v in z)


class _Reject(Exception):
    def __init__(self, rule: str):
        self.rule = rule


def _nice(value: Fraction, t: Template) -> bool:
    if t.integer_outputs and not t.fractions:
        return value.denominator == 1
    return value.denominator <= 4 or not t.integer_outputs


def _check_points(t: Template, act: Activation, model: Compiled, net: Net, points, centres) -> None:
    """The rules at the points a student evaluates at: ``points`` (the point claims' inputs,
    the ends of the boxes' diagonals and of the parameter ranges) are bounded and off the
    kinks; at ``centres`` (the point claims' inputs) every hidden layer has an active and an
    inactive unit and every skip changes the output or the pattern."""
    kinks = [Fraction(int(b.p), int(b.q)) for b in act.breakpoints]  # rational kinks only
    zs = evaluate(model, points)
    L = len(net[0])
    for z in zs:
        if any(abs(v) > t.max_abs for layer in z for v in layer):
            raise _Reject("bounded")
        if t.kink and any(v == c for layer in z[:-1] for v in layer for c in kinks):
            raise _Reject("kink")
        if t.integer_outputs and not all(_nice(v, t) for v in z[-1]):
            raise _Reject("integer")
    zc = evaluate(model, centres)
    if t.active_inactive and act.name in ("relu", "leaky_relu", "repu"):
        for z in zc:
            if not all(_is_pattern_split(z[k]) for k in range(L - 1)):
                raise _Reject("active and inactive")
    if t.skips_matter:
        W, B, S = net
        for i in range(len(S)):
            dropped = compile_net((W, B, S[:i] + S[i + 1 :]), act)
            for z, z2 in zip(zc, evaluate(dropped, centres), strict=True):
                same_out = z[-1] == z2[-1]
                same_pattern = all(
                    (a > 0) == (b > 0)
                    for l1, l2 in zip(z[:-1], z2[:-1], strict=True)
                    for a, b in zip(l1, l2, strict=True)
                )
                if same_out and same_pattern:
                    raise _Reject("skips matter")


def _resnet(net: Net, act: Activation) -> ResNet:
    W, B, S = net
    return ResNet(
        W=[[list(r) for r in m] for m in W],
        B=[list(b) for b in B],
        skips={(r, k): [list(row) for row in V] for r, k, V in S},
        activation=act,
    )


def _extrema(net: ResNet, box) -> tuple[Fraction, Fraction]:
    """``(min R, max R)`` over ``box``, exactly (one decision of the box engine)."""
    claim = box_claim(
        net, quantifier="forall", box=[list(b) for b in box], relation="at_most", expected=[0]
    )
    verdict = claim.decide(net)
    assert isinstance(verdict, BoxVerdict)  # the variant networks have no parameters
    return verdict.minimum[0].value, verdict.maximum[0].value


def _extremum(net: ResNet, box, side: str) -> Fraction:
    lo, hi = _extrema(net, box)
    return hi if side == "max" else lo


def _false_side(relation: str, value: Fraction, true: Fraction) -> bool:
    """Whether claiming ``value`` with ``relation`` against the exact ``true`` value (the
    point value, or the extremum the relation bounds) is false."""
    if relation == "at_most":  # max R <= value is false
        return value < true
    if relation == "at_least":  # min R >= value is false
        return value > true
    return value != true


def _wrong_value(
    rng: random.Random,
    t: Template,
    act: Activation,
    net: Net,
    true: Fraction,
    compute,
    relation: str = "equals",
) -> tuple[str, tuple[int, ...], Fraction] | None:
    """A named mistake, where it is made, and the value it gives (``compute(model) -> value``) that makes the
    claim with ``relation`` false."""
    order = list(MISTAKES)
    rng.shuffle(order)
    for mistake in order:
        got = _mistake_net(net, act, mistake, rng)
        if got is None:
            continue
        wrong, where = got
        value = compute(*wrong)
        if (
            value is not None
            and _false_side(relation, value, true)
            and _nice(value, t)
            and abs(value) <= t.max_abs
        ):
            return mistake, where, value
    return None


def _point_value(x, act: Activation, w: Net, a: Activation, out_act: bool) -> Fraction | None:
    m = compile_net(w, a, output_act=act if out_act else IDENTITY)
    return _output(m, [x])[0][0]


def _box_value(box, side: str, w: Net, a: Activation, out_act: bool) -> Fraction | None:
    if out_act:  # an activated output layer is no ResNet: no box value for it
        return None
    return _extremum(_resnet(w, a), box, side)


#: the relation of a box or parameter part, drawn independently of its truth
BOUND_RELATIONS = ("at_most", "at_least")


def _draw_once(rng: random.Random, t: Template, act: Activation) -> tuple[Net, tuple[Part, ...]]:
    net = _draw_net(rng, t)
    entries = _entries(net)
    if sum(1 for e in entries if e == 0) > t.zero_share * len(entries):
        raise _Reject("zeros")
    model = compile_net(net, act)
    n0 = t.dims[0]
    plans: list[
        tuple[PartKind, bool, str, tuple[Fraction, ...], tuple[tuple[Fraction, Fraction], ...]]
    ] = []
    rule_points: list[tuple[Fraction, ...]] = []
    for kind in t.parts:
        holds = rng.random() < t.true_share
        relation = "equals" if kind == "point" else rng.choice(BOUND_RELATIONS)
        if kind == "point":
            x = _point(rng, t, n0)
            plans.append((kind, holds, relation, x, ()))
            rule_points.append(x)
        elif kind == "box":
            lo = _point(rng, t, n0)
            box = tuple((a, a + t.box_width) for a in lo)
            plans.append((kind, holds, relation, (), box))
            rule_points += [tuple(b[0] for b in box), tuple(b[1] for b in box)]
        else:
            x = _point(rng, t, n0)
            a = x[0]
            plans.append((kind, holds, relation, x[1:], ((a, a + t.box_width),)))
            rule_points += [(a, *x[1:]), (a + t.box_width, *x[1:])]
    centres = [x for kind, _, _, x, _ in plans if kind == "point"] or rule_points[:1]
    _check_points(t, act, model, net, rule_points, centres)
    met = evaluate(model, input_points((k, x, b) for k, _, _, x, b in plans))
    if any(abs(v) > t.max_abs for z in met for layer in z for v in layer):
        raise _Reject("bounded")
    resnet = None
    parts = []
    for kind, holds, relation, x, box in plans:
        if kind == "point":
            true = _output(model, [x])[0][0]
            compute = functools.partial(_point_value, x, act)
            part_box: tuple = ()
        else:
            resnet = resnet or _resnet(net, act)
            full_box = box if kind == "box" else (box[0], *((v, v) for v in x))
            side = "max" if relation == "at_most" else "min"
            low, high = _extrema(resnet, full_box)
            if abs(low) > t.max_abs or abs(high) > t.max_abs:
                raise _Reject("bounded")  # every value of R on the box, not only the asked
            true = high if side == "max" else low
            if not _nice(true, t):
                raise _Reject("integer")
            compute = functools.partial(_box_value, full_box, side)
            part_box = box
        if holds:
            parts.append(Part(kind, x, part_box, relation, true, true, True, None))
            continue
        wrong = _wrong_value(rng, t, act, net, true, compute, relation)
        if wrong is None:
            raise _Reject("mistake")
        mistake, where, value = wrong
        parts.append(Part(kind, x, part_box, relation, value, true, False, mistake, where))
    return net, tuple(parts)


def input_points(parts) -> list[tuple[Fraction, ...]]:
    """The inputs a student meets in ``parts``, triples ``(kind, input, box)`` as in
    :class:`Part`: each point part's ``x_0``, every corner of each box, both ends of the
    parameter range (with the other coordinates fixed)."""
    out: list[tuple[Fraction, ...]] = []
    for kind, x, box in parts:
        if kind == "point":
            out.append(tuple(x))
        elif kind == "box":
            out += _corners(box)
        else:
            out += [(box[0][0], *x), (box[0][1], *x)]
    return out


def _corners(box) -> list[tuple[Fraction, ...]]:
    out: list[tuple[Fraction, ...]] = [()]
    for lo, hi in box:
        out = [(*c, v) for c in out for v in (lo, hi)]
    return out


def digest(net: Net, parts: Sequence[Part]) -> str:
    """A canonical hash of the exact network and claims (equal variants, equal hashes)."""
    text = repr((net, [(p.kind, p.input, p.box, p.relation, p.claimed) for p in parts]))
    return hashlib.sha256(text.encode()).hexdigest()


def draw_variant(t: Template, seed: int, index: int) -> Variant:
    """Variant ``index`` of ``seed``: draws from ``random.Random(f"{seed}:{index}")`` until every
    rule holds (at most ``t.max_tries`` draws; then :class:`VariantsError` names the rule that
    rejected most draws)."""
    act = activation(t.activation)
    rng = random.Random(f"{seed}:{index}")
    rejected: Counter[str] = Counter()
    for tries in range(1, t.max_tries + 1):
        try:
            net, parts = _draw_once(rng, t, act)
        except _Reject as r:
            rejected[r.rule] += 1
            continue
        return Variant(seed, index, net, parts, digest(net, parts), tries)
    rule, count = rejected.most_common(1)[0]
    raise VariantsError(
        f"the rules could not be met in {t.max_tries} draws (variant {index}); the rule "
        f"'{rule}' rejected {count} of them: widen the ranges or turn it off in the template"
    )


def draw_variants(t: Template, *, count: int, seed: int) -> tuple[list[Variant], int]:
    """``count`` distinct variants of ``seed`` (indices 0, 1, ...; an index whose variant equals
    an earlier one is skipped) and the number of duplicates skipped."""
    out: list[Variant] = []
    seen: set[str] = set()
    index = duplicates = 0
    while len(out) < count:
        if index >= 4 * count + 100:
            raise VariantsError(
                f"only {len(out)} distinct variants in {index} indices: the template allows "
                "too few networks; widen the entry ranges"
            )
        v = draw_variant(t, seed, index)
        index += 1
        if v.digest in seen:
            duplicates += 1
            continue
        seen.add(v.digest)
        out.append(v)
    return out, duplicates
