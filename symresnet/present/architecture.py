"""The architecture picture of a ResNet (Def. 1.5.1): layers, neurons, ``W_k`` and the skip arcs.

:func:`layout` plans the picture as data (:class:`Layout`: the neuron columns, the ``W_k`` edge
bundles, the skip arcs ``V_{r,k}`` with their sides and heights, the labels, every coordinate
in centimetres); the template ``architecture.tex.j2`` only draws it.  :func:`architecture_tikz`
returns the ``tikzpicture`` (it needs ``\\usepackage{tikz}``, ``amsmath`` and ``amssymb``
for the activation's symbol, and no TikZ library: the arrow tip ``stealth`` and ``rounded
corners`` are in TikZ's core), :func:`architecture_document` a
standalone document whose page is the size of the picture.

The layout:

* column ``k`` (``x = k`` times the column distance) holds the ``l_k`` neurons of layer ``k``,
  centred on the axis ``y = 0``; a layer wider than ``max_neurons`` shows its first and last
  neurons with ``\\vdots`` between them, in ``max_neurons`` places;
* between columns ``k - 1`` and ``k`` the edges of ``W_k`` join every drawn neuron to every
  drawn neuron, labelled ``W_k`` on the axis;
* each skip ``(r, k) in S`` is an arc from the top (or bottom) of column ``r`` to column ``k``,
  labelled ``V_{r,k}`` (``I`` when ``V_{r,k}`` is the identity, Def. 1.5.5).  Two arcs whose
  spans ``[r, k]`` overlap without one containing the other would cross on the same side, so
  they go to opposite sides where the crossing graph allows it (else to the side where fewer
  cross).  On one side, an arc runs at least :data:`STEP` above every arc processed before it
  whose closed span meets its own; arcs are processed shortest first, so an arc contained in
  another runs below it, and two arcs at one height never share a column.  Where arcs leave or
  enter a column, the higher arc keeps closer to the column's centre, so nested arcs never
  cross.  A label sits on the widest stretch of its arc that no other arc crosses;
* under the picture every column names its width ``l_k = ...`` and its role, and a line names
  the activation; a title (free text, escaped) may head it.

A picture wider than :data:`MAX_WIDTH` is scaled down (nodes too), so it fits a page.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence

import sympy

from symresnet.base.errors import RenderError
from symresnet.model.network import ResNet
from symresnet.present.latex import Latex, escape, join
from symresnet.present.render import DEFAULT_RENDER, RenderOptions
from symresnet.present.templates import render_template
from symresnet.present.terms import TermPrinter

__all__ = [
    "DEFAULT_MAX_NEURONS",
    "MAX_LAYERS",
    "Arc",
    "Bundle",
    "Column",
    "Layout",
    "Neuron",
    "architecture_document",
    "architecture_tikz",
    "layout",
]

#: above this width a layer is drawn as its first and last neurons with dots between them
DEFAULT_MAX_NEURONS = 7
#: the range ``max_neurons`` may take
MIN_NEURONS, MAX_NEURONS = 3, 100
#: networks deeper than this are refused: their picture would not be readable on a page
MAX_LAYERS = 60

# distances in centimetres
COLUMN = 2.6  #: between two columns (at least; more when many arcs meet at one column)
SLOT = 0.8  #: between two neurons of a column
RADIUS = 0.22  #: of a neuron
PORT = 0.17  #: between the ends of two arcs at one column
GAP = 0.12  #: between a column and the ends of its arcs
CLEAR = 0.42  #: between the ends of the arcs and the lowest arc above them
STEP = 0.62  #: between two arcs whose spans meet (a label is about 0.4 high)
LABEL = 0.5  #: the room a label takes beyond its arc
MAX_WIDTH = 15.5  #: the widest picture drawn at full size (the text of A4 with 2.5 cm margins)

ABOVE, BELOW = 1, -1

_OUTPUT_ID = r"$\mathrm{id}_{\mathbb{R}}$ on the output layer"


@dataclasses.dataclass(frozen=True)
class Neuron:
    """Neuron ``index`` (from 1) of layer ``layer``, drawn at ``(x, y)``."""

    layer: int
    index: int
    x: float
    y: float


@dataclasses.dataclass(frozen=True)
class Column:
    """Layer ``k``: its width ``l_k``, the neurons drawn, the elided ones ``elided``
    (``(first, last)`` indices, drawn as dots at ``(x, dots_y)``) or ``None``, its role
    (``"input"``, ``"hidden"``, ``"output"``), ``fill`` (a colour) and its label lines."""

    k: int
    x: float
    width: int
    neurons: tuple[Neuron, ...]
    elided: tuple[int, int] | None
    dots_y: float
    top: float
    role: str
    fill: str
    label: tuple[Latex, ...]


@dataclasses.dataclass(frozen=True)
class Segment:
    """A straight line from ``(x1, y1)`` to ``(x2, y2)``."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclasses.dataclass(frozen=True)
class Bundle:
    """The edges of ``W_k`` between columns ``k - 1`` and ``k``, labelled at ``(x, y)``."""

    k: int
    edges: tuple[Segment, ...]
    label: Latex
    x: float
    y: float


@dataclasses.dataclass(frozen=True)
class Arc:
    """The skip ``(r, k)``: on ``side`` (``1`` above, ``-1`` below), leaving column ``r`` at
    ``(x_start, y_start)``, running at height ``height`` (a ``y``), entering column ``k`` at
    ``(x_end, y_end)``; ``label`` (``V_{r,k}`` or ``I``) at ``(label_x, height)``, above the arc
    on side ``1`` and below it on side ``-1``."""

    r: int
    k: int
    side: int
    height: float
    x_start: float
    y_start: float
    x_end: float
    y_end: float
    identity: bool
    label: Latex
    label_x: float

    @property
    def distance(self) -> float:
        """How far the arc runs from the axis ``y = 0``."""
        return abs(self.height)


@dataclasses.dataclass(frozen=True)
class Layout:
    """The whole picture: ``columns`` (``k = 0..L``), ``bundles`` (``W_1..W_L``), ``arcs``
    (one per skip, in the order of ``S``), the ``title`` (escaped) at ``(centre, title_y)``,
    the column labels' row at ``labels_y``, the ``legend`` (the activation) at ``legend_y``,
    ``scale`` (below 1 for wide pictures) and ``neuron_size`` (the diameter)."""

    columns: tuple[Column, ...]
    bundles: tuple[Bundle, ...]
    arcs: tuple[Arc, ...]
    title: Latex | None
    centre: float
    title_y: float
    title_width: float
    labels_y: float
    legend: Latex
    legend_y: float
    scale: float
    neuron_size: float
    max_neurons: int

    @property
    def drawn_neurons(self) -> int:
        """The number of neurons drawn (elided ones are not)."""
        return sum(len(c.neurons) for c in self.columns)


# -- the columns ---------------------------------------------------------------------------------


def _shown(width: int, max_neurons: int) -> tuple[list[int | None], tuple[int, int] | None]:
    """The places of a column from top to bottom: neuron indices, ``None`` for the dots."""
    if width <= max_neurons:
        return list(range(1, width + 1)), None
    tail = (max_neurons - 1) // 2
    head = max_neurons - 1 - tail
    places: list[int | None] = [*range(1, head + 1), None, *range(width - tail + 1, width + 1)]
    return places, (head + 1, width - tail)


def _role(k: int, L: int) -> tuple[str, str]:
    if k == 0:
        return "input", "green!12"
    if k == L:
        return "output", "red!12"
    return "hidden", "blue!10"


def _columns(dims: Sequence[int], max_neurons: int, column: float) -> list[Column]:
    L = len(dims) - 1
    out = []
    for k, width in enumerate(dims):
        places, elided = _shown(width, max_neurons)
        x = _r(k * column)
        top = (len(places) - 1) * SLOT / 2
        neurons, dots_y = [], 0.0
        for i, index in enumerate(places):
            y = _r(top - i * SLOT)
            if index is None:
                dots_y = y
            else:
                neurons.append(Neuron(k, index, x, y))
        role, fill = _role(k, L)
        label = (Latex(f"$l_{{{k}}} = {width}$"), Latex(role))
        out.append(Column(k, x, width, tuple(neurons), elided, dots_y, _r(top), role, fill, label))
    return out


def _bundles(columns: Sequence[Column]) -> list[Bundle]:
    out = []
    for k in range(1, len(columns)):
        left, right = columns[k - 1], columns[k]
        edges = tuple(Segment(a.x, a.y, b.x, b.y) for a in left.neurons for b in right.neurons)
        out.append(Bundle(k, edges, Latex(f"$W_{{{k}}}$"), _r((left.x + right.x) / 2), 0.0))
    return out


# -- the arcs ------------------------------------------------------------------------------------


def _crossing(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether arcs over the spans ``a`` and ``b`` cross when drawn on one side: the spans
    overlap and neither contains the other."""
    (r1, k1), (r2, k2) = sorted((a, b))
    return r1 < r2 < k1 < k2


def _meet(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether the closed spans ``[r, k]`` share a column."""
    return max(a[0], b[0]) <= min(a[1], b[1])


def sides(skips: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The side of each arc: crossing arcs on opposite sides where the crossing graph is
    bipartite; otherwise an arc goes to the side where fewer of the arcs placed so far cross
    it (ties: above).  Longer arcs are placed first."""
    order = sorted(skips, key=lambda s: (-(s[1] - s[0]), s))
    side: dict[tuple[int, int], int] = {}
    for start in order:
        if start in side:
            continue
        side[start] = ABOVE
        queue = [start]
        while queue:  # breadth first over the crossing graph: alternate the sides
            a = queue.pop(0)
            for b in order:
                if b not in side and _crossing(a, b):
                    counts = {
                        s: sum(1 for c, t in side.items() if t == s and _crossing(b, c))
                        for s in (ABOVE, BELOW)
                    }
                    side[b] = ABOVE if counts[ABOVE] < counts[BELOW] else BELOW
                    if counts[ABOVE] == counts[BELOW]:
                        side[b] = -side[a]
                    queue.append(b)
    return side


def _distances(
    skips: Sequence[tuple[int, int]], side: Mapping[tuple[int, int], int], tops: Sequence[float]
) -> dict[tuple[int, int], float]:
    """How far each arc runs from the axis: above its span's columns and at least
    :data:`STEP` beyond every arc on its side whose span meets its own and that was placed
    before it (shortest spans first)."""
    out: dict[tuple[int, int], float] = {}
    for a in sorted(skips, key=lambda s: (s[1] - s[0], s)):
        d = max(tops[a[0] : a[1] + 1]) + RADIUS + GAP + CLEAR
        for b, db in out.items():
            if side[b] == side[a] and _meet(a, b):
                d = max(d, db + STEP)
        out[a] = d
    return out


def _ports(
    skips: Sequence[tuple[int, int]],
    side: Mapping[tuple[int, int], int],
    distance: Mapping[tuple[int, int], float],
) -> dict[tuple[tuple[int, int], int], float]:
    """The horizontal offset of each end ``(skip, column)`` from its column's centre: arcs
    leave to the right and enter from the left, the farther an arc runs, the closer to the
    centre."""
    out: dict[tuple[tuple[int, int], int], float] = {}
    groups: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
    for s in skips:
        groups.setdefault((s[0], side[s], ABOVE), []).append(s)  # leaving column r
        groups.setdefault((s[1], side[s], BELOW), []).append(s)  # entering column k
    for (c, _, leaving), group in groups.items():
        group.sort(key=lambda s: (-distance[s], s))
        for i, s in enumerate(group):
            out[(s, c)] = (i + 1) * PORT * (1 if leaving == ABOVE else -1)
    return out


def _end_distance(c: int, offset: float, tops: Sequence[float], column: float) -> float:
    """How far from the axis an arc's end at ``offset`` beside column ``c`` lies: beyond the
    neuron and beyond the edges to the neighbouring column on that side."""
    d = tops[c] + RADIUS
    n = c + 1 if offset > 0 else c - 1
    if 0 <= n < len(tops):
        d = max(d, tops[c] + (tops[n] - tops[c]) * abs(offset) / column)
    return d + GAP


def _label_x(start: float, end: float, crossings: Sequence[float]) -> float:
    """The middle of the widest stretch of ``[start, end]`` between ``crossings``."""
    points = sorted({start, end, *(x for x in crossings if start < x < end)})
    gaps = [(b - a, (a + b) / 2) for a, b in itertools.pairwise(points)]
    return max(gaps, key=lambda g: (round(g[0], 6), -g[1]))[1] if gaps else (start + end) / 2


def is_identity(v: sympy.MatrixBase) -> bool:
    """Whether ``V_{r,k}`` is the identity matrix ``I`` (Def. 1.5.5)."""
    return v.rows == v.cols and v == sympy.eye(v.rows)


def _arcs(
    skips: Sequence[tuple[int, int]],
    identities: frozenset[tuple[int, int]],
    columns: Sequence[Column],
    column: float,
) -> list[Arc]:
    tops = [c.top for c in columns]
    side = sides(skips)
    distance = _distances(skips, side, tops)
    ports = _ports(skips, side, distance)
    ends: dict[tuple[int, int], tuple[float, float, float, float]] = {}
    for s in skips:
        r, k = s
        xs, xe = columns[r].x + ports[(s, r)], columns[k].x + ports[(s, k)]
        ds = _end_distance(r, ports[(s, r)], tops, column)
        de = _end_distance(k, ports[(s, k)], tops, column)
        ends[s] = (xs, side[s] * ds, xe, side[s] * de)
    out = []
    for s in skips:
        xs, ys, xe, ye = ends[s]
        crossings = [
            x
            for t in skips
            if side[t] == side[s] and distance[t] > distance[s]
            for x in (ends[t][0], ends[t][2])
        ]
        ident = s in identities
        label = Latex(f"$V_{{{s[0]},{s[1]}}}{' = I' if ident else ''}$")
        out.append(
            Arc(
                s[0],
                s[1],
                side[s],
                _r(side[s] * distance[s]),
                _r(xs),
                _r(ys),
                _r(xe),
                _r(ye),
                ident,
                label,
                _r(_label_x(xs, xe, crossings)),
            )
        )
    return out


# -- the whole -----------------------------------------------------------------------------------


def _r(x: float) -> float:
    """A coordinate rounded to 0.001 cm (what the template writes)."""
    return round(x, 3) + 0.0  # + 0.0: no "-0.0"


def check_max_neurons(max_neurons: object) -> int:
    """``max_neurons`` if it is an integer in ``MIN_NEURONS..MAX_NEURONS``, else a
    :class:`RenderError`."""
    if (
        isinstance(max_neurons, bool)
        or not isinstance(max_neurons, int)
        or not MIN_NEURONS <= max_neurons <= MAX_NEURONS
    ):
        raise RenderError(
            f"max_neurons must be an integer from {MIN_NEURONS} to {MAX_NEURONS}, "
            f"got {max_neurons!r}",
            place="max_neurons",
        )
    return max_neurons


def layout(
    network: ResNet,
    *,
    max_neurons: int = DEFAULT_MAX_NEURONS,
    title: str | None = None,
    activation_symbol: str | None = None,
) -> Layout:
    """The architecture picture of ``network`` as data (see the module docstring).

    ``max_neurons`` (3 to 100): wider layers are elided; ``title``: free text above the
    picture; ``activation_symbol``: the hidden layers' activation written differently (as
    :class:`~symresnet.present.render.RenderOptions` takes it).
    """
    max_neurons = check_max_neurons(max_neurons)
    dims = network.dims
    L = network.L
    if L > MAX_LAYERS:
        raise RenderError(
            f"the network has {L} layers: a picture of more than {MAX_LAYERS} is not readable",
            place="architecture",
            hint="draw a part of the network (a spec with fewer layers)",
        )
    skips = network.S
    meeting = [0] * (L + 1)
    for r, k in skips:
        meeting[r] += 1
        meeting[k] += 1
    column = max(COLUMN, 2 * PORT * (max(meeting) + 1) + 1.4)
    columns = _columns(dims, max_neurons, column)
    identities = frozenset(s for s, v in network.skips.items() if is_identity(v))
    arcs = _arcs(skips, identities, columns, column)
    top = max([c.top + RADIUS for c in columns] + [a.height + LABEL for a in arcs])
    bottom = min([-c.top - RADIUS for c in columns] + [a.height - LABEL for a in arcs])
    width = L * column + 2 * 0.9
    scale = min(1.0, MAX_WIDTH / width)
    symbol = TermPrinter(activation_symbol=activation_symbol).activation(network.activation)
    name = escape(network.activation.name.replace("_", " "))
    if L > 1:
        legend = join(
            [r"activation $", symbol, r"$ (", name, ") on the hidden layers, ", _OUTPUT_ID]
        )
    else:
        legend = join(
            [r"no hidden layer: ", _OUTPUT_ID, r" (the activation $", symbol, "$ is not used)"]
        )
    if identities:
        legend = join([legend, r"; $I$: an identity skip (Definition 1.5.5)"])
    return Layout(
        columns=tuple(columns),
        bundles=tuple(_bundles(columns)),
        arcs=tuple(arcs),
        title=None if title is None else escape(title),
        centre=_r(L * column / 2),
        title_y=_r(top + 0.35),
        title_width=_r(max(4.0, min(width, MAX_WIDTH / scale) - 1.0)),
        labels_y=_r(bottom - 0.2),
        legend=legend,
        legend_y=_r(bottom - 1.25),
        scale=round(scale, 4),
        neuron_size=_r(2 * RADIUS),
        max_neurons=max_neurons,
    )


def architecture_tikz(
    network: ResNet,
    *,
    max_neurons: int = DEFAULT_MAX_NEURONS,
    title: str | None = None,
    options: RenderOptions = DEFAULT_RENDER,
) -> str:
    """The architecture of ``network`` as a ``tikzpicture`` (needs ``\\usepackage{tikz}``,
    ``amsmath`` and ``amssymb``, no TikZ library), drawn by the template ``architecture.tex.j2``
    from :func:`layout`."""
    fig = layout(
        network,
        max_neurons=max_neurons,
        title=title,
        activation_symbol=options.activation_symbol,
    )
    return render_template("architecture.tex.j2", options, fig=fig)


def architecture_document(
    network: ResNet,
    *,
    max_neurons: int = DEFAULT_MAX_NEURONS,
    title: str | None = None,
    options: RenderOptions = DEFAULT_RENDER,
) -> str:
    """A standalone LaTeX document (``article``, ``amsmath``, ``amssymb``, ``tikz``) of one page the size of the
    picture, from the template ``figure.tex.j2``."""
    picture = architecture_tikz(network, max_neurons=max_neurons, title=title, options=options)
    return render_template("figure.tex.j2", options, picture=Latex(picture))
