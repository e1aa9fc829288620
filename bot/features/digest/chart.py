"""The digest's chart: the share of expected villages that reported, one bar per unit (PNG)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PNG_MIME = "image/png"
FONT = "DejaVu Sans"  # ships with matplotlib and has every Vietnamese letter
COLOURS = ("#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a")
BAR_HEIGHT = 0.8  # of a unit's row, shared by its bars (one per report type)

Series = tuple[str, Sequence[tuple[int, int]]]  # a type's name, (reported, expected) per unit


def completeness_figure(
    units: Sequence[str], series: Sequence[Series], *, title: str, axis: str
) -> Figure:
    """Horizontal bars of reported/expected in percent, units top to bottom as given; the
    count ("8/12") is written after each bar. One series per report type; a legend if several."""
    from matplotlib.figure import Figure  # loads only when a chart is drawn

    fig = Figure(figsize=(7.5, 1.4 + 0.42 * len(units) * max(1, len(series))), dpi=110)
    ax = fig.subplots()
    height = BAR_HEIGHT / max(1, len(series))
    for index, (name, counts) in enumerate(series):
        offsets = [i - BAR_HEIGHT / 2 + height * (index + 0.5) for i in range(len(units))]
        shares = [100 * done / expected if expected else 0 for done, expected in counts]
        bars = ax.barh(
            offsets, shares, height=height, color=COLOURS[index % len(COLOURS)], label=name
        )
        for bar, (done, expected) in zip(bars, counts, strict=True):
            ax.text(
                bar.get_width() + 1, bar.get_y() + bar.get_height() / 2,
                f"{done}/{expected}" if expected else "–", va="center", fontsize=9,
                fontfamily=FONT,
            )  # fmt: skip
    ax.set_yticks(range(len(units)), labels=list(units), fontfamily=FONT)
    ax.invert_yaxis()  # the first unit on top, as in the text
    ax.set_xlim(0, 115)  # room for the counts after a full bar
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(axis, fontfamily=FONT)
    ax.set_title(title, fontfamily=FONT, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        ax.legend(loc="lower right", prop={"family": FONT, "size": 8})
    fig.tight_layout()
    return fig


def completeness_png(
    units: Sequence[str], series: Sequence[Series], *, title: str, axis: str
) -> bytes:
    """The chart as PNG bytes (Agg, no display needed)."""
    fig = completeness_figure(units, series, title=title, axis=axis)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
