"""Horizontal bar charts as coordinates for a server-rendered SVG (no JS, no CDN).

The same approach as the pain trend (`treatments.charts`): the geometry is computed here, the
template draws it, and a table beside it carries the same numbers for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
ROW = 28  # each bar's band
BAR = 18  # each bar's thickness
LABEL_W = 190  # room for the labels on the left
VALUE_W = 90  # room for the value written after the longest bar
TOP, BOTTOM = 8, 8
LABEL_CHARS = 28


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as written after the bar
    y: float  # top of the bar
    width: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    left: int = LABEL_W

    @property
    def has_data(self) -> bool:
        return any(bar.value for bar in self.bars)

    @property
    def label_x(self) -> int:
        return self.left - 8


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(
    values: Sequence[tuple[str, float | None]], *, unit: str = "", scale_max: float | None = None
) -> BarChart:
    """One bar per (label, value), top to bottom in the given order. Bars are scaled to the
    largest value (or `scale_max`, if larger: 100 for percentages); a missing value draws no bar
    and is written as a dash."""
    plot_w = WIDTH - LABEL_W - VALUE_W
    top = max([scale_max or 0.0, *[v or 0.0 for _label, v in values]])
    bars = []
    for i, (label, value) in enumerate(values):
        y = TOP + i * ROW + (ROW - BAR) / 2
        width = plot_w * (value or 0) / top if top else 0.0
        text = "\N{EN DASH}" if value is None else f"{value:g}{unit}"
        bars.append(Bar(_short(label), value or 0.0, text, y, width, LABEL_W + width + 6, y + BAR / 2))
    return BarChart(WIDTH, TOP + ROW * max(len(values), 1) + BOTTOM, tuple(bars))
