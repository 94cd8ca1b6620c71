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
import itertools
import random
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from math import lcm
from typing import Literal

import flint

from symresnet.base.errors import SpecError
from symresnet.claims.box import box_claim
from symresnet.claims.box_verdict import BoxVerdict
from symresnet.claims.variants_extrema import box_extrema
from symresnet.compute.core import Compiled, CompiledLayer, run
from symresnet.compute.kernels import kernel
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


def _layer(
    k: int,
    W: Sequence[Sequence[Fraction]],
    B: Sequence[Fraction],
    skips: Sequence[tuple[int, Sequence[Sequence[Fraction]]]],
    act: Activation,
) -> CompiledLayer:
    """Layer ``k`` on flint (:class:`~symresnet.compute.core.CompiledLayer`: the integer
    matrices ``q_k W_k``, ``q_k B_k``, ``q_k V_{r,k}`` over the common denominator ``q_k`` of
    their entries), straight from the Fractions."""
    mats = [W, [[b] for b in B], *(V for _, V in skips)]
    q = lcm(*(e.denominator for m in mats for row in m for e in row))

    def ints(m: Sequence[Sequence[Fraction]]) -> flint.fmpz_mat:
        if q == 1:
            return flint.fmpz_mat([[e.numerator for e in row] for row in m])
        return flint.fmpz_mat([[e.numerator * (q // e.denominator) for e in row] for row in m])

    return CompiledLayer(
        k,
        flint.fmpz(q),
        ints(W),
        ints(mats[1]),
        tuple((r, ints(V)) for r, V in skips),
        act,
        kernel(act),
    )


def compile_net(net: Net, act: Activation, *, output_act: Activation = IDENTITY) -> Compiled:
    """The network on flint (:class:`~symresnet.compute.core.Compiled`), without sympy."""
    W, B, skips = net
    L = len(W)
    layers = tuple(
        _layer(
            k,
            W[k - 1],
            B[k - 1],
            [(r, V) for r, kk, V in skips if kk == k],
            act if k < L else output_act,
        )
        for k in range(1, L + 1)
    )
    dims = (len(W[0][0]), *(len(w) for w in W))
    return Compiled(dims, layers)


def _without_skip(model: Compiled, net: Net, i: int) -> Compiled:
    """``model`` (of ``net``, output layer not activated) with the skip ``S[i]`` dropped: only
    its layer ``k`` is compiled again."""
    W, B, S = net
    k = S[i][1]
    rest = [(rr, V) for j, (rr, kk, V) in enumerate(S) if kk == k and j != i]
    layers = list(model.layers)
    layers[k - 1] = _layer(k, W[k - 1], B[k - 1], rest, model.layers[k - 1].activation)
    return Compiled(model.dims, tuple(layers))


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


@functools.cache
def _integers(lo: int, hi: int) -> tuple[Fraction, ...]:
    """``Fraction(lo), ..., Fraction(hi)``, made once (Fractions are immutable)."""
    return tuple(Fraction(n) for n in range(lo, hi + 1))


def _number(rng: random.Random, t: Template, lo: int, hi: int) -> Fraction:
    n = rng.randrange(lo, hi + 1)  # what rng.randint(lo, hi) does, one call less
    if t.fractions and rng.random() < 0.25:
        return Fraction(2 * n + rng.choice((-1, 1)), 2)
    return _integers(lo, hi)[n - lo]


def _matrix(rng: random.Random, t: Template, rows: int, cols: int):
    lo, hi = t.entries
    if not t.fractions:  # _number without halves, inlined: the same calls of rng
        ints, pick, top = _integers(lo, hi), rng.randrange, hi + 1
        return tuple(tuple(ints[pick(lo, top) - lo] for _ in range(cols)) for _ in range(rows))
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


def _fmpq(v: Fraction) -> flint.fmpq:
    return flint.fmpq(v.numerator, v.denominator)


class _Pass:
    """``z_1, ..., z_L`` (Def. 1.5.4) of one run of the core at the columns of ``points``, read
    as integer numerators over each layer's positive denominator (no Fractions built):
    ``z[k][i * n + j] / den[k]`` is ``z_{k+1, i}`` at point ``j``."""

    __slots__ = ("den", "n", "rows", "z")

    def __init__(self, model: Compiled, points: Sequence[Sequence[Fraction]]):
        steps = run(model, columns([[_fmpq(v) for v in x] for x in points]))
        self.n = len(points)
        self.z = [step.z.num.entries() for step in steps]
        self.den = [step.z.den for step in steps]
        self.rows = [step.z.num.nrows() for step in steps]

    def column(self, k: int, j: int) -> list[flint.fmpz]:
        """The numerators of ``z_{k+1}`` at point ``j``."""
        n = self.n
        return self.z[k][j::n]

    def value(self, k: int, i: int, j: int) -> Fraction:
        return Fraction(int(self.z[k][i * self.n + j]), int(self.den[k]))

    def bounded(self, j: int, max_abs: int) -> bool:
        """Every ``|z_{k,i}| <= max_abs`` at point ``j``."""
        return all(
            abs(v) <= max_abs * den for k, den in enumerate(self.den) for v in self.column(k, j)
        )


def _point_rule(t: Template, kinks, p: _Pass, j: int) -> str | None:
    """The first of the rules ``bounded``, ``kink``, ``integer`` that point ``j`` breaks."""
    if not p.bounded(j, t.max_abs):
        return "bounded"
    L = len(p.z)
    if t.kink and kinks:
        for k in range(L - 1):
            den = p.den[k]
            for v in p.column(k, j):
                if any(v * kq == kp * den for kp, kq in kinks):
                    return "kink"
    if t.integer_outputs and not all(_nice(p.value(L - 1, i, j), t) for i in range(p.rows[-1])):
        return "integer"
    return None


def _check_points(
    t: Template,
    act: Activation,
    model: Compiled,
    net: Net,
    points: Sequence[tuple[Fraction, ...]],
    extra: Sequence[tuple[Fraction, ...]],
    centres: Sequence[tuple[int, tuple[Fraction, ...]]],
) -> _Pass:
    """The rules at the points a student evaluates at: ``points`` (the point claims' inputs,
    the ends of the boxes' diagonals and of the parameter ranges) are bounded and off the
    kinks, in this order; at ``centres`` (the point claims' inputs: their index in ``points``
    and the points) every hidden layer has an active and an inactive unit and every skip
    changes the output or the pattern.  Decided on the exact numerators (over a positive
    denominator, which keeps every sign).  Returns the pass at ``points`` and then ``extra``.

    Most draws fail at the first point, so it is run alone first (the rule it breaks is the
    same either way)."""
    kinks = _kinks(act)
    rule = _point_rule(t, kinks, _Pass(model, points[:1]), 0)
    if rule is not None:
        raise _Reject(rule)
    p = _Pass(model, [*points, *extra])
    for j in range(1, len(points)):
        rule = _point_rule(t, kinks, p, j)
        if rule is not None:
            raise _Reject(rule)
    L = len(net[0])
    if t.active_inactive and act.name in ("relu", "leaky_relu", "repu"):
        for j, _ in centres:
            for k in range(L - 1):
                col = p.column(k, j)
                if not (any(v > 0 for v in col) and any(v < 0 for v in col)):
                    raise _Reject("active and inactive")
    if t.skips_matter:
        for i in range(len(net[2])):
            q = _Pass(_without_skip(model, net, i), [x for _, x in centres])
            for c, (j, _) in enumerate(centres):
                if _same_output(p, j, q, c) and _same_pattern(p, j, q, c):
                    raise _Reject("skips matter")
    return p


@functools.lru_cache(maxsize=16)
def _kinks(act: Activation) -> tuple[tuple[int, int], ...]:
    """The rational kinks ``p/q`` of ``act`` as ``(p, q)``."""
    return tuple((int(b.p), int(b.q)) for b in act.breakpoints)


def _same_output(p: _Pass, j: int, q: _Pass, c: int) -> bool:
    """``z_L`` of ``p`` at column ``j`` equals ``z_L`` of ``q`` at column ``c``."""
    dp, dq = p.den[-1], q.den[-1]
    return all(a * dq == b * dp for a, b in zip(p.column(-1, j), q.column(-1, c), strict=True))


def _same_pattern(p: _Pass, j: int, q: _Pass, c: int) -> bool:
    """The hidden units positive in ``p`` at ``j`` are those positive in ``q`` at ``c``."""
    return all(
        (a > 0) == (b > 0)
        for k in range(len(p.z) - 1)
        for a, b in zip(p.column(k, j), q.column(k, c), strict=True)
    )


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


def _net_extrema(net: Net, act: Activation, box) -> tuple[Fraction, Fraction]:
    """``(min R, max R)`` of ``net`` with ``act`` over ``box``, exactly: by the vertex engine on
    flint numbers (:func:`symresnet.claims.variants_extrema.box_extrema`) where it applies, else
    by the box engine (:func:`_extrema`)."""
    fast = box_extrema(*net, act, box)
    return fast if fast is not None else _extrema(_resnet(net, act), box)


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
    lo, hi = _net_extrema(w, a, box)
    return hi if side == "max" else lo


#: the relation of a box or parameter part, drawn independently of its truth
BOUND_RELATIONS = ("at_most", "at_least")


def _draw_once(rng: random.Random, t: Template, act: Activation) -> tuple[Net, tuple[Part, ...]]:
    net = _draw_net(rng, t)
    entries = _entries(net)
    if sum(1 for e in entries if not e.numerator) > t.zero_share * len(entries):
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
    # the point parts' inputs are the first point of their part in rule_points
    starts = list(itertools.accumulate((1 if k == "point" else 2 for k in t.parts), initial=0))
    starts.pop()
    centres = [(j, x) for j, (k, _, _, x, _) in zip(starts, plans, strict=True) if k == "point"] or [
        (0, rule_points[0])
    ]
    # every input a student meets is bounded (input_points): those that are no rule point, the
    # corners of the boxes off their diagonal (_corners lists (lo, ..., lo) first and
    # (hi, ..., hi) last), are checked after the rules
    extra = [c for k, _, _, _, b in plans if k == "box" for c in _corners(b)[1:-1]]
    p = _check_points(t, act, model, net, rule_points, extra, centres)
    if not all(p.bounded(j, t.max_abs) for j in range(len(rule_points), p.n)):
        raise _Reject("bounded")
    parts = []
    for (kind, holds, relation, x, box), start in zip(plans, starts, strict=True):
        if kind == "point":
            true = p.value(len(p.z) - 1, 0, start)  # R(x) = x_L = z_L: the output layer is affine
            compute = functools.partial(_point_value, x, act)
            part_box: tuple = ()
        else:
            full_box = box if kind == "box" else (box[0], *((v, v) for v in x))
            side = "max" if relation == "at_most" else "min"
            low, high = _net_extrema(net, act, full_box)
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
