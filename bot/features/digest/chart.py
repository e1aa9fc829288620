"""The digest's chart: the share of expected villages that reported, one bar per unit (PNG).

Made to be read on a 412-px phone: a narrow figure whose text is large for its width, units
sorted from the least complete (on top, where the eye lands) to the most, long names wrapped
onto two lines (shortened with … beyond that), and a height that grows with the units."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PNG_MIME = "image/png"
FONT = "DejaVu Sans"  # ships with matplotlib and has every Vietnamese letter
COLOURS = ("#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a")
BAR_HEIGHT = 0.8  # of a unit's row, shared by its bars (one per report type)
WIDTH_IN, DPI = 4.6, 220  # ~1000 px wide; 10-pt text reads at about 12 px on a 412-px screen
FONT_SIZE = 10
LABEL_WIDTH, LABEL_LINES = 17, 2  # characters per line of a unit's name, and lines at most
# A long name breaks after its kind word first: "Phường / Bắc Hồng Lĩnh", not "… Hồng / Lĩnh".
KIND_WORDS = (
    "Trung tâm Y tế khu vực", "TTYT khu vực", "Khu vực", "Thành phố", "Thị xã", "Thị trấn",
    "Huyện", "Phường", "Xã", "Tổ dân phố", "Thôn", "Xóm", "Bản", "Ấp",
)  # fmt: skip
TITLE_WIDTH = 36

Counts = Sequence[tuple[int, int]]  # (reported, expected) per unit
Series = tuple[str, Counts]  # a type's name and its counts


def share(done: int, expected: int) -> float | None:
    """Reported of expected in percent; None when nobody is expected."""
    return 100 * done / expected if expected else None


def ranked(units: Sequence[str], series: Sequence[Series]) -> list[int]:
    """The units' order on the chart: the lowest share first (over every series together), so
    the units to chase come on top; units where nobody is expected last; ties keep their order."""

    def key(index: int) -> tuple[int, float, int]:
        done = sum(counts[index][0] for _, counts in series)
        expected = sum(counts[index][1] for _, counts in series)
        value = share(done, expected)
        return (value is None, value or 0.0, index)

    return sorted(range(len(units)), key=key)


def label(name: str) -> str:
    """A unit's name on at most LABEL_LINES lines of LABEL_WIDTH characters (the last one
    shortened with … if it still does not fit), broken after its kind word when that fits."""
    if len(name) <= LABEL_WIDTH:
        return name
    lines = textwrap.wrap(name, LABEL_WIDTH, break_long_words=True) or [""]
    for word in KIND_WORDS:
        rest = name[len(word) :].strip()
        if name.startswith(word + " ") and len(rest) <= LABEL_WIDTH + 2:
            lines = [word, rest]
            break
    if len(lines) > LABEL_LINES:
        last = " ".join(lines[LABEL_LINES - 1 :])
        lines = [*lines[: LABEL_LINES - 1], last[: LABEL_WIDTH - 1].rstrip() + "…"]
    return "\n".join(lines)


def completeness_figure(
    units: Sequence[str], series: Sequence[Series], *, title: str, axis: str
) -> Figure:
    """Horizontal bars of reported/expected in percent, sorted by `ranked`; the count ("8/12")
    is written after each bar. One series per report type; a legend below if several."""
    from matplotlib.figure import Figure  # loads only when a chart is drawn

    order = ranked(units, series)
    kinds = max(1, len(series))
    row = 0.28 + 0.18 * kinds  # inches per unit: room for two label lines, or a bar per type
    height = 1.4 + row * len(units) + (0.22 * kinds if kinds > 1 else 0)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    bar = BAR_HEIGHT / kinds
    for index, (name, counts) in enumerate(series):
        offsets = [i - BAR_HEIGHT / 2 + bar * (index + 0.5) for i in range(len(order))]
        shown = [counts[i] for i in order]
        bars = ax.barh(
            offsets, [share(d, e) or 0 for d, e in shown], height=bar,
            color=COLOURS[index % len(COLOURS)], label=name,
        )  # fmt: skip
        for rect, (done, expected) in zip(bars, shown, strict=True):
            ax.text(
                rect.get_width() + 1.5, rect.get_y() + rect.get_height() / 2,
                f"{done}/{expected}" if expected else "–", va="center",
                fontsize=FONT_SIZE - 1, fontfamily=FONT,
            )  # fmt: skip
    ax.set_yticks(range(len(order)), labels=[label(units[i]) for i in order])
    for tick in ax.get_yticklabels():
        tick.set_fontfamily(FONT)
        tick.set_fontsize(FONT_SIZE)
        tick.set_linespacing(1.0)
    ax.set_ylim(len(order) - 0.5, -0.5)  # the first unit on top
    ax.set_xlim(0, 125)  # room for the counts after a full bar
    ax.set_xticks([0, 50, 100])
    ax.tick_params(axis="x", labelsize=FONT_SIZE - 1)
    ax.set_xlabel(axis, fontfamily=FONT, fontsize=FONT_SIZE - 1)
    ax.set_title(textwrap.fill(title, TITLE_WIDTH), fontfamily=FONT, fontsize=FONT_SIZE + 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if len(series) > 1:  # below the chart, one type a line: long type names stay whole
        fig.legend(loc="outside lower center", ncols=1, frameon=False,
                   prop={"family": FONT, "size": FONT_SIZE - 1})  # fmt: skip
    return fig


def completeness_png(
    units: Sequence[str], series: Sequence[Series], *, title: str, axis: str
) -> bytes:
    """The chart as PNG bytes (Agg, no display needed)."""
    fig = completeness_figure(units, series, title=title, axis=axis)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
