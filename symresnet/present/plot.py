"""Pictures of the linear regions and the realization, for ``l_0 = 1`` and ``l_0 = 2``.

:func:`picture` turns a :class:`~symresnet.compute.regions.Decomposition` into plain drawing data
(:class:`Picture`); :func:`figure` draws it with matplotlib (the optional extra ``plot``),
:func:`save_plot` writes that figure (PNG, PDF, SVG by the file name) and :func:`tikz` lays the
same picture out as a one-page TikZ/pgfplots document through the template ``regions.tikz.j2``
(LaTeX packages ``pgfplots``/``tikz`` come from Debian's ``texlive-pictures``).

A picture holds the exact data (Fractions).  Every drawing coordinate is mapped onto ``[0, 1]``
by an :class:`Axis` *exactly* (``(q - lo) / (hi - lo)`` with Fractions) and only then turned
into a float, so boxes and values of any exact size draw (``0..10^400`` as well as
``0..10^-400``; a float of ``10^400`` does not exist).  The ticks carry the exact numbers as
text: in full where they are short, otherwise as ``≈1.00e400``
(:func:`short_number`); TikZ coordinates are decimals in ``[0, 1]`` with
:data:`DECIMALS` places, far from TeX's dimension limit.  In 1-D the graph of each output
coordinate is drawn piece by piece, breakpoints dashed, open/closed ends marked where the
realization jumps (Heaviside).  In 2-D the regions are drawn as polygons filled by the value of
the first output at their interior point (the realization is affine on each), and matplotlib
adds the surface.

User text (the spec's title) reaches matplotlib only as literal text: ``parse_math=False`` and
``usetex=False`` on its :class:`~matplotlib.text.Text`, so ``$\\frac{1}{$`` is shown as typed and
is never parsed as mathtext or handed to LaTeX; in TikZ it goes through the escape filter.
A box with a side of zero width has no picture: :func:`check_drawable` refuses it before the
regions are computed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import textwrap
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from symresnet.base.errors import RenderError
from symresnet.base.files import write_figure
from symresnet.compute.linear_region import Region
from symresnet.compute.polyhedra import Polyhedron
from symresnet.compute.regions import Decomposition, breakpoints, pieces_1d
from symresnet.present.templates import environment

if TYPE_CHECKING:  # pragma: no cover (matplotlib is optional: imported where it draws)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "Axis",
    "Picture",
    "Tick",
    "check_drawable",
    "figure",
    "picture",
    "save_plot",
    "short_number",
    "tikz",
]

#: decimal places of a TikZ coordinate in ``[0, 1]`` (1e-4 of a 12 cm axis is 1.2 micrometres)
DECIMALS = 4
#: characters of a number written in full on a tick; longer ones are shown as ``≈1.00e400``
MAX_NUMBER_TEXT = 14
#: significant digits of an approximate tick label
APPROX_DIGITS = 3
#: the height-to-width ratio of a 2-D picture follows the box's, within these bounds
MIN_ASPECT, MAX_ASPECT = Fraction(1, 10), Fraction(10)
#: matplotlib warnings about the machine's fonts, not about the picture (a missing glyph of the
#: title is drawn as a box): kept off stderr
_FONT_WARNINGS = (r"Glyph \d+ .*missing from", r"Matplotlib currently does not support .* natively")


# -- exact numbers as short text -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Tick:
    """A tick at ``at`` in ``[0, 1]``, labelled ``text`` (matplotlib) and ``latex`` (TikZ)."""

    at: float
    text: str
    latex: str


def _scientific(q: Fraction) -> tuple[str, int]:
    """``|q| ~ m * 10^e`` with :data:`APPROX_DIGITS` significant digits, exactly rounded:
    ``("1.00", 400)`` for ``10^400``; ``q != 0``."""
    n, d = abs(q.numerator), q.denominator
    e = math.floor((n.bit_length() - d.bit_length()) * math.log10(2))

    def at_least(k: int) -> bool:  # |q| >= 10^k, exactly
        return n >= d * 10**k if k >= 0 else n * 10**-k >= d

    while not at_least(e):
        e -= 1
    while at_least(e + 1):
        e += 1
    shift = APPROX_DIGITS - 1 - e
    scaled = Fraction(n * 10**shift, d) if shift >= 0 else Fraction(n, d * 10**-shift)
    m = round(scaled)
    if m >= 10**APPROX_DIGITS:
        m, e = m // 10, e + 1
    digits = str(m)
    return f"{digits[0]}.{digits[1:]}", e


def short_number(q: Fraction) -> tuple[str, str]:
    """``q`` as short text and LaTeX: exact (``1/4``, ``-5/3``) when that takes at most
    :data:`MAX_NUMBER_TEXT` characters, else rounded (``≈1.00e400``, ``\\approx 1.00\\cdot
    10^{400}``).  Never converts a huge integer to a string or to a float."""
    if q.numerator.bit_length() <= 48 and q.denominator.bit_length() <= 48:
        text = str(q)
        if len(text) <= MAX_NUMBER_TEXT:
            return text, text
    mantissa, e = _scientific(q)
    sign = "-" if q < 0 else ""
    return f"≈{sign}{mantissa}e{e}", rf"\approx {sign}{mantissa}\cdot 10^{{{e}}}"


# -- exact axes ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Axis:
    """One drawing coordinate: the view ``[lo, hi]`` (``lo < hi``) is mapped exactly onto
    ``[0, 1]``; the ticks mark the data range ``[data_lo, data_hi]`` inside it."""

    lo: Fraction
    hi: Fraction
    data_lo: Fraction
    data_hi: Fraction

    @classmethod
    def fit(cls, lo: Fraction, hi: Fraction, *, pad: bool = False) -> Axis:
        """The axis of the data range ``[lo, hi]``, padded by 1/20 on each side with ``pad``
        (a single value ``lo == hi`` gets the view ``[lo - 1, hi + 1]``)."""
        if lo == hi:
            return cls(lo - 1, hi + 1, lo, hi)
        margin = (hi - lo) / 20 if pad else Fraction(0)
        return cls(lo - margin, hi + margin, lo, hi)

    def unit(self, q: Fraction) -> float:
        """Where ``q`` is drawn: ``(q - lo) / (hi - lo)``, exact until the final float."""
        return float((q - self.lo) / (self.hi - self.lo))

    def ticks(self) -> tuple[Tick, ...]:
        """Ticks at the ends and quarters of the data range, labelled exactly where short (see
        :func:`short_number`); when short labels would not tell them apart (``10^400 ..
        10^400 + 1``), every tick but the first shows its offset from the first (``+1/4``)."""
        lo, width = self.data_lo, self.data_hi - self.data_lo
        if width == 0:
            text, latex = short_number(lo)
            return (Tick(self.unit(lo), text, latex),)
        steps = [Fraction(k, 4) for k in range(5)]
        labels = [short_number(lo + t * width) for t in steps]
        if len({text for text, _ in labels}) < len(labels):
            labels = [labels[0]] + [_offset(t * width) for t in steps[1:]]
        return tuple(
            Tick(self.unit(lo + t * width), text, latex)
            for t, (text, latex) in zip(steps, labels, strict=True)
        )


def _offset(q: Fraction) -> tuple[str, str]:
    text, latex = short_number(q)
    return f"+{text}", f"+{latex}"


# -- drawing data ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Segment:
    """One piece of a 1-D graph: from ``(x0, y0)`` to ``(x1, y1)`` (exact), ends closed or
    open."""

    x0: Fraction
    y0: Fraction
    x1: Fraction
    y1: Fraction
    closed0: bool
    closed1: bool
    output: int


@dataclasses.dataclass(frozen=True)
class Polygon:
    """A 2-D region: its corners, the realization's first output there (``heights``), and its
    value ``value`` at the interior point (scaled to ``shade`` in ``[0, 1]`` over all regions);
    all exact but ``shade``."""

    corners: tuple[tuple[Fraction, Fraction], ...]
    heights: tuple[Fraction, ...]
    value: Fraction
    shade: float
    pattern: str


@dataclasses.dataclass(frozen=True)
class Picture:
    """Drawing data: ``dim`` 1 (``segments``, ``breakpoints``) or 2 (``polygons``; ``z`` is the
    axis of the first output, ``aspect`` the drawn height-to-width ratio)."""

    dim: int
    title: str
    x: Axis
    y: Axis
    segments: tuple[Segment, ...] = ()
    breakpoints: tuple[Fraction, ...] = ()
    breakpoint_labels: tuple[str, ...] = ()
    polygons: tuple[Polygon, ...] = ()
    z: Axis | None = None
    aspect: float = 1.0
    outputs: int = 1

    @property
    def xrange(self) -> tuple[Fraction, Fraction]:
        """The exact view of the first coordinate."""
        return (self.x.lo, self.x.hi)

    @property
    def yrange(self) -> tuple[Fraction, Fraction]:
        """The exact view of the second coordinate (the value in 1-D)."""
        return (self.y.lo, self.y.hi)


def _box_text(bounds: Sequence[tuple[Fraction, Fraction]]) -> str:
    return " x ".join(f"[{short_number(lo)[0]}, {short_number(hi)[0]}]" for lo, hi in bounds)


def check_drawable(box: Polyhedron, *, place: str = "--plot") -> None:
    """Refuse, before any work, a domain that has no picture: ``l_0`` other than 1 or 2, or a
    box with a side of zero width (regions and claims take such a box; a picture of it would
    have no area).  Errors are :class:`RenderError`."""
    if box.n not in (1, 2):
        raise RenderError(
            f"pictures need l_0 = 1 or 2, this network has l_0 = {box.n}",
            place=place,
            hint="leave out --plot and --tikz",
        )
    for i, (lo, hi) in enumerate(box.bounds or (), start=1):
        if lo == hi:
            raise RenderError(
                f"the box {_box_text(box.bounds or ())} has zero width in coordinate {i}; "
                "plots need a box with positive width in every coordinate",
                place="--box",
            )


def picture(dec: Decomposition, *, title: str | None = None) -> Picture:
    """The drawing data of ``dec`` (``l_0`` must be 1 or 2, the box of positive width)."""
    check_drawable(dec.domain)
    name = title or "realization"
    if dec.domain.n == 1:
        return _picture_1d(dec, name)
    if not dec.regions:
        raise RenderError("the domain has no interior: there is nothing to draw", place="--plot")
    return _picture_2d(dec, name)


def _picture_1d(dec: Decomposition, title: str) -> Picture:
    pieces = pieces_1d(dec)
    m = len(pieces[0].slope)
    segs = []
    for j in range(m):
        ends = [
            (p.slope[j] * p.lo + p.intercept[j], p.slope[j] * p.hi + p.intercept[j]) for p in pieces
        ]
        for t, p in enumerate(pieces):
            (y0, y1) = ends[t]
            # an open end is drawn only where the graph jumps
            closed0 = p.lo_closed or (t > 0 and ends[t - 1][1] == y0)
            closed1 = p.hi_closed or (t + 1 < len(pieces) and ends[t + 1][0] == y1)
            segs.append(Segment(p.lo, y0, p.hi, y1, closed0, closed1, j))
    ys = [s.y0 for s in segs] + [s.y1 for s in segs]
    bps = breakpoints(dec)
    return Picture(
        1,
        title,
        Axis.fit(pieces[0].lo, pieces[-1].hi),
        Axis.fit(min(ys), max(ys), pad=True),
        segments=tuple(segs),
        breakpoints=bps,
        breakpoint_labels=tuple(short_number(b)[0] for b in bps),
        outputs=m,
    )


def _corners(region: Region) -> list[tuple[Fraction, Fraction]]:
    """Corners of a 2-D region in order (from its vertices, or from its rows for drawing)."""
    if region.vertices is not None:
        return [(x, y) for x, y in region.vertices]
    found: set[tuple[Fraction, Fraction]] = set()
    rows = list(zip(region.A, region.b, strict=True))
    for (a1, b1), (a2, b2) in itertools.combinations(rows, 2):
        det = a1[0] * a2[1] - a1[1] * a2[0]
        if det == 0:
            continue
        x = (b1 * a2[1] - b2 * a1[1]) / det
        y = (a1[0] * b2 - a2[0] * b1) / det
        if all(a[0] * x + a[1] * y <= bb for a, bb in rows):
            found.add((x, y))
    pts = sorted(found)
    # the exact centroid, then the angle of each corner around it (signs and ratios only)
    cx = sum((p[0] for p in pts), Fraction(0)) / len(pts)
    cy = sum((p[1] for p in pts), Fraction(0)) / len(pts)
    return sorted(pts, key=lambda p: _angle(p[0] - cx, p[1] - cy))


def _angle(dx: Fraction, dy: Fraction) -> float:
    """``atan2(dy, dx)`` without a float of a huge ``dx`` or ``dy``: scaled by the larger one."""
    big = max(abs(dx), abs(dy))
    if big == 0:
        return 0.0
    return math.atan2(float(dy / big), float(dx / big))


def _picture_2d(dec: Decomposition, title: str) -> Picture:
    raw = []
    for r in dec.regions:
        corners = _corners(r)
        C, d = r.C[0], r.d[0]
        heights = tuple(C[0] * x + C[1] * y + d for x, y in corners)
        raw.append((corners, heights, C[0] * r.point[0] + C[1] * r.point[1] + d, r.pattern_text))
    values = [v for _, _, v, _ in raw]
    lo, hi = min(values), max(values)
    span = (hi - lo) or Fraction(1)
    polys = tuple(Polygon(tuple(c), h, v, float((v - lo) / span), p) for c, h, v, p in raw)
    if dec.domain.bounds:
        (x0, x1), (y0, y1) = dec.domain.bounds
    else:
        xs = [x for p in polys for x, _ in p.corners]
        ys = [y for p in polys for _, y in p.corners]
        (x0, x1), (y0, y1) = (min(xs), max(xs)), (min(ys), max(ys))
    zs = [z for p in polys for z in p.heights]
    return Picture(
        2,
        title,
        Axis.fit(x0, x1),
        Axis.fit(y0, y1),
        polygons=polys,
        z=Axis.fit(min(zs), max(zs)),
        aspect=float(min(max((y1 - y0) / (x1 - x0), MIN_ASPECT), MAX_ASPECT)),
        outputs=len(dec.regions[0].d),
    )


# -- matplotlib ---------------------------------------------------------------------------------

#: the title's size in points, and the height of one of its lines in inches
TITLE_POINTS = 12
TITLE_LINE_INCHES = 1.3 * TITLE_POINTS / 72


@contextlib.contextmanager
def _quiet_fonts() -> Iterator[None]:
    """Keep matplotlib's font warnings (a glyph of the title missing from the font) off
    stderr; every other warning passes."""
    with warnings.catch_warnings():
        for pattern in _FONT_WARNINGS:
            warnings.filterwarnings("ignore", message=pattern)
        yield


def figure(dec: Decomposition, *, title: str | None = None) -> Figure:
    """The matplotlib figure of the regions and the realization (the title shown literally)."""
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise RenderError(
            "matplotlib is not installed",
            place="--plot",
            hint="pip install 'symresnet[plot]'",
        ) from None
    pic = picture(dec, title=title)
    width, height = (7.0, 4.5) if pic.dim == 1 else (12.0, 5.5)
    # a long title is wrapped; the figure grows by its lines, so the axes keep their size (and
    # constrained layout never collapses them)
    shown = _wrap_title(pic.title, width)
    height += TITLE_LINE_INCHES * shown.count("\n")
    with _quiet_fonts():
        fig = Figure(figsize=(width, height), layout="constrained")
        if pic.dim == 1:
            _draw_1d(fig.add_subplot(), pic)
        else:
            _draw_2d(fig, pic)
        # user text as itself: never parsed as mathtext, never handed to LaTeX
        fig.suptitle(shown, fontsize=TITLE_POINTS, parse_math=False, usetex=False)
    return fig


def _wrap_title(title: str, width: float) -> str:
    """``title`` broken into lines that fit ``width`` inches (an average glyph is taken as
    0.6 em wide, East Asian wide ones as two, and a line as 80 % full).  We wrap it ourselves:
    matplotlib's ``wrap=True`` measures the text as mathtext, whatever ``parse_math`` says."""
    per_line = max(10, int(0.8 * width * 72 / (0.6 * TITLE_POINTS)))
    wide = sum(unicodedata.east_asian_width(ch) in ("W", "F") for ch in title)
    if wide * 2 > len(title):
        per_line = max(5, per_line // 2)
    return "\n".join(textwrap.wrap(title, per_line, break_long_words=True)) or title


def save_plot(dec: Decomposition, path: str | Path, *, title: str | None = None) -> Path:
    """Draw the regions and the realization into ``path`` (PNG, PDF, SVG, ...)."""
    fig = figure(dec, title=title)
    path = Path(path)
    try:
        with _quiet_fonts():
            write_figure(fig, path)
    except (OSError, ValueError) as err:
        raise RenderError(f"cannot write the picture: {err}", file=str(path)) from None
    return path


def _set_ticks(ax: Axes, pic: Picture) -> None:
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    for axis, setter in ((pic.x, ax.set_xticks), (pic.y, ax.set_yticks)):
        ticks = axis.ticks()
        setter([t.at for t in ticks], [t.text for t in ticks])


def _draw_1d(ax: Axes, pic: Picture) -> None:
    colors = ["C0", "C1", "C2", "C3", "C4", "C5"]
    ux, uy = pic.x.unit, pic.y.unit
    labelled: set[int] = set()
    for s in pic.segments:
        c = colors[s.output % len(colors)]
        label = None if s.output in labelled else f"R_{s.output + 1}"
        labelled.add(s.output)
        x0, y0, x1, y1 = ux(s.x0), uy(s.y0), ux(s.x1), uy(s.y1)
        ax.plot([x0, x1], [y0, y1], color=c, lw=2, label=label)
        for x, y, closed in ((x0, y0, s.closed0), (x1, y1, s.closed1)):
            if not closed or s.x0 == s.x1:
                ax.plot([x], [y], "o", color=c, mfc=c if closed else "white", ms=5)
    for b, text in zip(pic.breakpoints, pic.breakpoint_labels, strict=True):
        ax.axvline(ux(b), color="0.6", ls="--", lw=0.8)
        ax.annotate(
            text, (ux(b), 0), fontsize=8, ha="center", va="bottom", parse_math=False, usetex=False
        )
    _set_ticks(ax, pic)
    ax.set_xlabel("x")
    ax.legend(loc="best")


def _draw_2d(fig: Figure, pic: Picture) -> None:
    import matplotlib  # noqa: PLC0415 (optional dependency)
    from matplotlib.collections import PolyCollection  # noqa: PLC0415 (optional dependency)
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection  # noqa: PLC0415 (optional dependency)

    cmap = matplotlib.colormaps["viridis"]
    ux, uy = pic.x.unit, pic.y.unit
    flat = [[(ux(x), uy(y)) for x, y in p.corners] for p in pic.polygons]
    ax = fig.add_subplot(1, 2, 1)
    colors = [cmap(p.shade) for p in pic.polygons]
    ax.add_collection(PolyCollection(flat, facecolors=colors, edgecolors="k", linewidths=0.3))
    _set_ticks(ax, pic)
    ax.set_box_aspect(pic.aspect)
    ax.set_xlabel("x_1")
    ax.set_ylabel("x_2")
    ax.set_title(f"{len(pic.polygons)} linear regions (colour: R_1 at the region's centre)")
    ax3 = fig.add_subplot(1, 2, 2, projection="3d")
    assert pic.z is not None, "a 2-D picture has a value axis"
    uz = pic.z.unit
    faces = [
        [(x, y, uz(z)) for (x, y), z in zip(corners, p.heights, strict=True)]
        for corners, p in zip(flat, pic.polygons, strict=True)
    ]
    ax3.add_collection3d(Poly3DCollection(faces, facecolors=colors, edgecolors="k", linewidths=0.2))
    _set_ticks(ax3, pic)
    ax3.set_zlim(0, 1)
    zticks = pic.z.ticks()
    ax3.set_zticks([t.at for t in zticks], [t.text for t in zticks])
    ax3.set_title("R_1(x)")


# -- TikZ / pgfplots -------------------------------------------------------------------------------


def _num(v: float) -> str:
    """A drawing coordinate in ``[0, 1]`` with :data:`DECIMALS` places."""
    return f"{v:.{DECIMALS}f}"


def _tick_options(name: str, axis: Axis) -> str:
    """``xtick={0.0000,...}, xticklabels={{$0$},...}`` (the labels are our numbers in math)."""
    ticks = axis.ticks()
    at = ",".join(_num(t.at) for t in ticks)
    labels = ",".join(f"{{${t.latex}$}}" for t in ticks)
    return f"{name}tick={{{at}}}, {name}ticklabels={{{labels}}}"


@dataclasses.dataclass(frozen=True)
class TikzSegment:
    """A 1-D segment for the template: its ends as ``x,y`` decimals, its colour, and which
    ends get a dot (``dot0``/``dot1``; ``fill0`` black for a closed one, else white)."""

    start: str
    end: str
    color: str
    dot0: bool
    fill0: str
    dot1: bool


@dataclasses.dataclass(frozen=True)
class TikzPolygon:
    """A 2-D region for the template: its fill and its path ``(axis cs:x,y) -- ... -- cycle``."""

    fill: str
    path: str


_TIKZ_COLORS = ("blue", "red", "teal", "orange", "violet", "brown")


def _tikz_segments(pic: Picture) -> tuple[TikzSegment, ...]:
    def at(x: Fraction, y: Fraction) -> str:
        return f"{_num(pic.x.unit(x))},{_num(pic.y.unit(y))}"

    return tuple(
        TikzSegment(
            at(s.x0, s.y0),
            at(s.x1, s.y1),
            _TIKZ_COLORS[s.output % len(_TIKZ_COLORS)],
            not s.closed0 or s.x0 == s.x1,
            "black" if s.closed0 else "white",
            not s.closed1,
        )
        for s in pic.segments
    )


def _tikz_polygons(pic: Picture) -> tuple[TikzPolygon, ...]:
    ux, uy = pic.x.unit, pic.y.unit
    return tuple(
        TikzPolygon(
            f"red!{round(100 * p.shade)}!blue!60!white",
            " -- ".join(f"(axis cs:{_num(ux(x))},{_num(uy(y))})" for x, y in p.corners)
            + " -- cycle",
        )
        for p in pic.polygons
    )


def tikz(dec: Decomposition, *, title: str | None = None) -> str:
    """A LaTeX document (one page, TikZ/pgfplots) of the same picture, from the template
    ``regions.tikz.j2``: coordinates in ``[0, 1]`` with :data:`DECIMALS` places (computed
    here, exactly, so the template only lays them out), ticks labelled with the exact
    numbers."""
    pic = picture(dec, title=title)
    template = environment().get_template("regions.tikz.j2")
    # a 2-D axis keeps the box's proportions (within MIN_ASPECT..MAX_ASPECT) inside 11 cm
    size = 11.0
    width, height = (size, size * pic.aspect) if pic.aspect <= 1 else (size / pic.aspect, size)
    return template.render(
        pic=pic,
        breakpoints=tuple(_num(pic.x.unit(b)) for b in pic.breakpoints),
        segments=_tikz_segments(pic),
        polygons=_tikz_polygons(pic),
        ticks=_tick_options("x", pic.x) + ", " + _tick_options("y", pic.y),
        width=f"{width:.2f}cm",
        height=f"{height:.2f}cm",
    )
