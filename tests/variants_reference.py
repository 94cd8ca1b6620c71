"""An independent exact reference for variant parts (issue 14): plain Fractions, no symresnet.

* :func:`realize` and :func:`pre_activations`: Def. 1.5.4 with ``reference.py``'s ``matvec``;
* :func:`extrema`: the exact minimum and maximum of a ReLU ResNet over a box of one or two
  dimensions (a coordinate may be fixed: ``lo == hi``), by cutting the box into convex polygons
  (Sutherland-Hodgman clipping written here) on which every hidden unit keeps its sign.  On
  such a piece the layers before ``k`` are affine, so the pre-activations of layer ``k`` are
  affine there and their zero lines cut the piece exactly where the values at its vertices
  change sign; on a final piece the realization is affine, so its extrema over the box are
  among the values at the pieces' vertices.  The vertex where an extremum is attained is
  returned as a witness;
* :func:`mistake_values`: every value a named mistake (docs/variants.md) can give.
"""

from __future__ import annotations

from fractions import Fraction

from reference import matvec, relu


def identity(x: Fraction) -> Fraction:
    return x


def lists(net):
    """A variant's ``net`` (tuples) as ``W, B, skips`` lists for ``reference.py``."""
    W, B, S = net
    return (
        [[list(r) for r in m] for m in W],
        [list(b) for b in B],
        {(r, k): [list(row) for row in V] for r, k, V in S},
    )


def pre_activations(W, B, S, act, x0):
    """``[z_1, ..., z_L]`` and ``[x_0, ..., x_L]`` at ``x0`` (Def. 1.5.4)."""
    xs = [list(x0)]
    zs = []
    L = len(W)
    for k in range(1, L + 1):
        z = [a + b for a, b in zip(matvec(W[k - 1], xs[k - 1]), B[k - 1], strict=True)]
        for (r, kk), V in S.items():
            if kk == k:
                z = [a + b for a, b in zip(z, matvec(V, xs[r]), strict=True)]
        zs.append(z)
        xs.append(z if k == L else [act(e) for e in z])
    return zs, xs


def realize(W, B, S, x0, act=relu) -> Fraction:
    """``R(x0)`` of a network with one output."""
    _, xs = pre_activations(W, B, S, act, x0)
    return xs[-1][0]


def _dedupe(poly):
    out = []
    for p in poly:
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def _clip(poly, vals, sign):
    """The part of the convex polygon ``poly`` where ``sign * f >= 0`` (``f`` affine on it,
    ``vals`` its values at the vertices)."""
    out = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp, fq = sign * vals[i], sign * vals[(i + 1) % n]
        if fp >= 0:
            out.append(p)
        if fp * fq < 0:
            s = fp / (fp - fq)
            out.append(tuple(a + s * (b - a) for a, b in zip(p, q, strict=True)))
    return _dedupe(out)


def _box_polygon(box):
    if len(box) == 1:
        ((a, b),) = box
        return _dedupe([(a,), (b,)])
    assert len(box) == 2, "the reference cuts boxes of one or two dimensions"
    (a1, b1), (a2, b2) = box
    return _dedupe([(a1, a2), (b1, a2), (b1, b2), (a1, b2)])


def pieces(W, B, S, box, act=relu):
    """Convex polygons (vertex lists) covering ``box`` on each of which every hidden unit has
    one sign (for ``act = identity`` the box itself)."""
    polys = [_box_polygon(box)]
    if act is identity:
        return polys
    for k in range(1, len(W)):
        for i in range(len(W[k - 1])):
            new = []
            for poly in polys:
                vals = [pre_activations(W, B, S, act, v)[0][k - 1][i] for v in poly]
                if all(v >= 0 for v in vals) or all(v <= 0 for v in vals):
                    new.append(poly)
                    continue
                new += [c for c in (_clip(poly, vals, 1), _clip(poly, vals, -1)) if c]
            polys = new
    return polys


def extrema(W, B, S, box, act=relu):
    """``(min, argmin), (max, argmax)`` of ``R`` over ``box`` exactly."""
    vertices = {v for poly in pieces(W, B, S, box, act) for v in poly}
    values = sorted((realize(W, B, S, v, act), v) for v in vertices)
    return values[0], values[-1]


def mistake_values(W, B, S, mistake, values_of):
    """Every value that ``mistake`` can give: the union of ``values_of(W, B, S, act,
    activated_output)`` (an iterable) over every choice of the skip, the bias or the ``W_k``
    it concerns."""
    out = set()
    if mistake == "skip dropped":
        for key in S:
            out.update(values_of(W, B, {k: V for k, V in S.items() if k != key}, relu, False))
    elif mistake == "bias dropped":
        for k in range(len(B)):
            B2 = [[Fraction(0)] * len(b) if j == k else b for j, b in enumerate(B)]
            out.update(values_of(W, B2, S, relu, False))
    elif mistake == "W transposed":
        for k, m in enumerate(W):
            t = [list(c) for c in zip(*m, strict=True)]
            if len(m) == len(m[0]) and t != m:  # a square W_k only
                W2 = [t if j == k else w for j, w in enumerate(W)]
                out.update(values_of(W2, B, S, relu, False))
    elif mistake == "activation forgotten":
        out.update(values_of(W, B, S, identity, False))
    elif mistake == "output layer activated":
        out.update(values_of(W, B, S, relu, True))
    else:
        raise AssertionError(f"unknown mistake {mistake!r}")
    return out


def part_decision(W, B, S, kind, inputs, box, relation, claimed):
    """The independent decision of one part: ``(holds, value asked for, witness)``.

    point: ``R(x0) == claimed``, value ``R(x0)``; box (``box`` in every coordinate) and
    parameter (``t`` in coordinate 1 over ``box``, then ``inputs``): ``at_most`` asks for the
    maximum, ``at_least`` for the minimum; the witness is a point where it is attained."""
    if kind == "point":
        value = realize(W, B, S, inputs)
        return value == claimed, value, tuple(inputs)
    full = list(box) if kind == "box" else [box[0], *((x, x) for x in inputs)]
    (mn, argmin), (mx, argmax) = extrema(W, B, S, full)
    if relation == "at_most":
        return mx <= claimed, mx, argmax
    assert relation == "at_least", relation
    return mn >= claimed, mn, argmin
