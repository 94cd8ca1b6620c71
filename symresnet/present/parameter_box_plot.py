"""Plot of the exact extremum of a box claim's realization against a swept parameter."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from symresnet.base.errors import StudyError
from symresnet.base.files import write_figure
from symresnet.values.exact import exact_str

__all__ = ["plot_extremum"]


def plot_extremum(
    name: str,
    rows: Sequence[tuple[Fraction, Fraction, Fraction]],
    *,
    expected: Fraction,
    ends: Sequence[Fraction],
    path: str,
    exact: Sequence[tuple[str, Sequence[tuple[Fraction, Fraction]]]] = (),
) -> None:
    """``rows``: (parameter, min, max) of output coordinate 1, all exact; floats only to draw.
    ``exact``: ``(label, points)`` of an extremum as an exact piecewise affine function (its
    breakpoints and the ends of the range), drawn as a line through them."""
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise StudyError(
            "--plot needs matplotlib: pip install 'symresnet[plot]'", place="--plot"
        ) from None
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    xs = [float(r[0]) for r in rows]
    ax.plot(xs, [float(r[2]) for r in rows], marker=".", label="max over the box")
    ax.plot(xs, [float(r[1]) for r in rows], marker=".", label="min over the box")
    for label, points in exact:
        ax.plot(
            [float(t) for t, _ in points],
            [float(v) for _, v in points],
            color="black",
            linewidth=0.8,
            label=label,
        )
    ax.axhline(float(expected), color="tab:red", linestyle="--", linewidth=1, label="claimed bound")
    for e in ends:
        if xs and min(xs) <= float(e) <= max(xs):
            ax.axvline(float(e), color="0.4", linestyle=":", linewidth=1)
            ax.annotate(
                f"{name} = {exact_str(e)}",
                (float(e), 0),
                xycoords=("data", "axes fraction"),
                rotation=90,
                fontsize=8,
                va="bottom",
                ha="right",
            )
    ax.set_xlabel(name)
    ax.set_ylabel("R")
    ax.legend(fontsize=8)
    write_figure(fig, path)
