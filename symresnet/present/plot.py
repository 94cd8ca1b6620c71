"""Pictures of the linear regions and the realization, for ``l_0 = 1`` and ``l_0 = 2``.

:func:`picture` turns a :class:`~symresnet.compute.regions.Decomposition` into plain drawing data
(:class:`Picture`); :func:`save_plot` draws it with matplotlib (the optional extra ``plot``;
PNG, PDF, SVG by the file name) and :func:`tikz` lays it out as a one-page TikZ/pgfplots
document through the template ``regions.tikz.j2`` (LaTeX packages ``pgfplots``/``tikz`` come
from Debian's ``texlive-pictures``).

Drawing coordinates are decimals: a picture is an illustration, every number it shows in text
(breakpoints, extrema) is the exact one.  In 1-D the graph of each output coordinate is drawn
piece by piece, breakpoints dashed, open/closed ends marked where the realization jumps
(Heaviside).  In 2-D the regions are drawn as polygons filled by the value of the first output
at their interior point (the realization is affine on each), and matplotlib adds the surface.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from symresnet.base.errors import RenderError
from symresnet.base.files import write_figure
from symresnet.compute.linear_region import Region
from symresnet.compute.regions import Decomposition, breakpoints, pieces_1d
from symresnet.present.templates import environment

if TYPE_CHECKING:  # pragma: no cover (matplotlib is optional: imported where it draws)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Picture", "picture", "save_plot", "tikz"]


@dataclasses.dataclass(frozen=True)
class Segment:
    """One piece of a 1-D graph: from ``(x0, y0)`` to ``(x1, y1)``, ends closed or open."""

    x0: float
    y0: float
    x1: float
    y1: float
    closed0: bool
    closed1: bool
    output: int


@dataclasses.dataclass(frozen=True)
class Polygon:
    """A 2-D region: its corners, the realization's first output there, and its value
    ``value`` at the interior point (scaled to ``shade`` in ``[0, 1]`` over all regions)."""

    corners: tuple[tuple[float, float], ...]
    heights: tuple[float, ...]
    value: float
    shade: float
    pattern: str


@dataclasses.dataclass(frozen=True)
class Picture:
    """Drawing data: ``dim`` 1 (``segments``, ``breakpoints``) or 2 (``polygons``)."""

    dim: int
    title: str
    xrange: tuple[float, float]
    yrange: tuple[float, float]
    segments: tuple[Segment, ...] = ()
    breakpoints: tuple[float, ...] = ()
    breakpoint_labels: tuple[str, ...] = ()
    polygons: tuple[Polygon, ...] = ()
    value_range: tuple[float, float] = (0.0, 1.0)
    outputs: int = 1


def _f(q: Fraction) -> float:
    return float(q)


def picture(dec: Decomposition, *, title: str | None = None) -> Picture:
    """The drawing data of ``dec`` (``l_0`` must be 1 or 2)."""
    n = dec.domain.n
    name = title or "realization"
    if n == 1:
        return _picture_1d(dec, name)
    if n == 2:
        return _picture_2d(dec, name)
    raise RenderError(f"pictures need l_0 = 1 or 2, this network has l_0 = {n}", place="--plot")


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
            segs.append(Segment(_f(p.lo), _f(y0), _f(p.hi), _f(y1), closed0, closed1, j))
    ys = [s.y0 for s in segs] + [s.y1 for s in segs]
    bps = breakpoints(dec)
    return Picture(
        1,
        title,
        (_f(pieces[0].lo), _f(pieces[-1].hi)),
        _pad(min(ys), max(ys)),
        segments=tuple(segs),
        breakpoints=tuple(_f(b) for b in bps),
        breakpoint_labels=tuple(str(b) for b in bps),
        outputs=m,
    )


def _pad(lo: float, hi: float) -> tuple[float, float]:
    span = hi - lo or 1.0
    return lo - span / 20, hi + span / 20


def _corners(region: Region) -> list[tuple[float, float]]:
    """Corners of a 2-D region in order (from its vertices, or from its rows for drawing)."""
    if region.vertices is not None:
        return [(_f(x), _f(y)) for x, y in region.vertices]
    pts = []
    rows = list(zip(region.A, region.b, strict=True))
    for (a1, b1), (a2, b2) in itertools.combinations(rows, 2):
        det = a1[0] * a2[1] - a1[1] * a2[0]
        if det == 0:
            continue
        x = (b1 * a2[1] - b2 * a1[1]) / det
        y = (a1[0] * b2 - a2[0] * b1) / det
        if all(a[0] * x + a[1] * y <= bb for a, bb in rows):
            pts.append((_f(x), _f(y)))
    cx = sum(p[0] for p in pts) / len(pts)
    cy = sum(p[1] for p in pts) / len(pts)
    return sorted(set(pts), key=lambda p: math.atan2(p[1] - cy, p[0] - cx))


def _picture_2d(dec: Decomposition, title: str) -> Picture:
    raw = []
    for r in dec.regions:
        corners = _corners(r)
        C, d = r.C[0], r.d[0]
        heights = tuple(_f(C[0]) * x + _f(C[1]) * y + _f(d) for x, y in corners)
        raw.append(
            (corners, heights, _f(C[0] * r.point[0] + C[1] * r.point[1] + d), r.pattern_text)
        )
    values = [v for _, _, v, _ in raw]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    polys = tuple(Polygon(tuple(c), h, v, (v - lo) / span, p) for c, h, v, p in raw)
    (x0, x1), (y0, y1) = (
        [(_f(a), _f(b)) for a, b in dec.domain.bounds]
        if dec.domain.bounds
        else (
            (
                min(x for p in polys for x, _ in p.corners),
                max(x for p in polys for x, _ in p.corners),
            ),
            (
                min(y for p in polys for _, y in p.corners),
                max(y for p in polys for _, y in p.corners),
            ),
        )
    )
    return Picture(
        2,
        title,
        (x0, x1),
        (y0, y1),
        polygons=polys,
        value_range=(lo, hi),
        outputs=len(dec.regions[0].d),
    )


# -- matplotlib ---------------------------------------------------------------------------------


def save_plot(dec: Decomposition, path: str | Path, *, title: str | None = None) -> Path:
    """Draw the regions and the realization into ``path`` (PNG, PDF, SVG, ...)."""
    try:
        import matplotlib  # noqa: PLC0415 (optional dependency)

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise RenderError(
            "matplotlib is not installed",
            place="--plot",
            hint="pip install 'symresnet[plot]'",
        ) from None
    pic = picture(dec, title=title)
    path = Path(path)
    if pic.dim == 1:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        _draw_1d(ax, pic)
    else:
        fig = plt.figure(figsize=(12, 5))
        _draw_2d(fig, pic)
    fig.suptitle(pic.title)
    fig.tight_layout()
    try:
        write_figure(fig, path)
    except (OSError, ValueError) as err:
        raise RenderError(f"cannot write the picture: {err}", file=str(path)) from None
    finally:
        plt.close(fig)
    return path


def _draw_1d(ax: Axes, pic: Picture) -> None:
    colors = ["C0", "C1", "C2", "C3", "C4", "C5"]
    for s in pic.segments:
        c = colors[s.output % len(colors)]
        label = (
            f"R_{s.output + 1}"
            if s is next(t for t in pic.segments if t.output == s.output)
            else None
        )
        ax.plot([s.x0, s.x1], [s.y0, s.y1], color=c, lw=2, label=label)
        for x, y, closed in ((s.x0, s.y0, s.closed0), (s.x1, s.y1, s.closed1)):
            if not closed or s.x0 == s.x1:
                ax.plot([x], [y], "o", color=c, mfc=c if closed else "white", ms=5)
    for b, text in zip(pic.breakpoints, pic.breakpoint_labels, strict=True):
        ax.axvline(b, color="0.6", ls="--", lw=0.8)
        ax.annotate(text, (b, pic.yrange[0]), fontsize=8, ha="center", va="bottom")
    ax.set_xlim(*pic.xrange)
    ax.set_ylim(*pic.yrange)
    ax.set_xlabel("x")
    ax.legend(loc="best")


def _draw_2d(fig: Figure, pic: Picture) -> None:
    from matplotlib import cm  # noqa: PLC0415 (optional dependency)
    from matplotlib.collections import PolyCollection  # noqa: PLC0415 (optional dependency)
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection  # noqa: PLC0415 (optional dependency)

    cmap = cm.get_cmap("viridis") if hasattr(cm, "get_cmap") else None
    if cmap is None:  # pragma: no cover - newer matplotlib
        import matplotlib  # noqa: PLC0415 (optional dependency)

        cmap = matplotlib.colormaps["viridis"]
    ax = fig.add_subplot(1, 2, 1)
    colors = [cmap(p.shade) for p in pic.polygons]
    ax.add_collection(
        PolyCollection(
            [p.corners for p in pic.polygons], facecolors=colors, edgecolors="k", linewidths=0.3
        )
    )
    ax.set_xlim(*pic.xrange)
    ax.set_ylim(*pic.yrange)
    ax.set_aspect("equal")
    ax.set_title(f"{len(pic.polygons)} linear regions (colour: R_1 at the region's centre)")
    ax3 = fig.add_subplot(1, 2, 2, projection="3d")
    faces = [
        [(x, y, z) for (x, y), z in zip(p.corners, p.heights, strict=True)] for p in pic.polygons
    ]
    ax3.add_collection3d(Poly3DCollection(faces, facecolors=colors, edgecolors="k", linewidths=0.2))
    zs = [z for p in pic.polygons for z in p.heights]
    ax3.set_xlim(*pic.xrange)
    ax3.set_ylim(*pic.yrange)
    ax3.set_zlim(min(zs), max(zs) if max(zs) > min(zs) else min(zs) + 1)
    ax3.set_title("R_1(x)")


# -- TikZ / pgfplots -------------------------------------------------------------------------------


def _num(v: float) -> str:
    return f"{v:.6g}"


def tikz(dec: Decomposition, *, title: str | None = None) -> str:
    """A LaTeX document (one page, TikZ/pgfplots) of the same picture, from the template
    ``regions.tikz.j2``."""
    pic = picture(dec, title=title)
    template = environment().get_template("regions.tikz.j2")
    return template.render(
        pic=pic,
        num=_num,
        percent=lambda s: f"{round(100 * s)}",
    )
