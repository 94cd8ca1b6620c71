"""The audit of variants as a picture (``symresnet variants --audit DIR --plot FILE``): the
values asked for (a histogram), the true parts by position and the mistakes used.  Fixed
texts only (no user text), drawn with matplotlib, the optional extra ``plot``."""

from __future__ import annotations

from pathlib import Path

from symresnet.base.errors import RenderError
from symresnet.claims.variant_audit import Audit
from symresnet.present.plot import write_figure

__all__ = ["save_audit_plot"]


def save_audit_plot(audit: Audit, path: str | Path) -> Path:
    """Draw ``audit`` into ``path`` (PNG, PDF, SVG, ...)."""
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 (optional dependency)
    except ImportError:
        raise RenderError(
            "matplotlib is not installed", place="--plot", hint="pip install 'symresnet[plot]'"
        ) from None
    fig = Figure(figsize=(12.0, 3.8), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3)
    # exact values become floats only for drawing the histogram
    ax1.hist([float(v) for v in audit.values], bins=20, color="C0")
    ax1.set_title("values asked for", parse_math=False)
    per_position = audit.parts // max(1, audit.variants)
    ax2.bar(
        [chr(97 + i) for i in range(per_position)],
        [audit.true_positions.get(i, 0) for i in range(per_position)],
        color="C2",
    )
    ax2.axhline(audit.variants / 2, color="k", linestyle=":")
    ax2.set_title("true parts by position (dotted: half)", parse_math=False)
    names = [m for m, _ in audit.mistakes.most_common()]
    ax3.barh(names, [audit.mistakes[m] for m in names], color="C3")
    ax3.set_title("mistakes of the false parts", parse_math=False)
    path = Path(path)
    try:
        write_figure(fig, path)
    except (OSError, ValueError) as err:
        raise RenderError(f"cannot write the picture: {err}", file=str(path)) from None
    return path
