"""The pain trend of a client's sessions as coordinates for a server-rendered SVG (no JS, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 640, 220
# RIGHT leaves room for half of the last date label, which is centred on the last session.
LEFT, RIGHT, TOP, BOTTOM = 36, 24, 12, 28


@dataclass(frozen=True)
class Session:
    day: date
    before: int | None
    after: int | None


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    value: int
    day: date


@dataclass(frozen=True)
class PainChart:
    width: int
    height: int
    before: tuple[Dot, ...]
    after: tuple[Dot, ...]
    gridlines: tuple[tuple[int, float], ...]
    x_labels: tuple[tuple[float, str], ...]
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT

    @property
    def before_path(self) -> str:
        return " ".join(f"{d.x:.1f},{d.y:.1f}" for d in self.before)

    @property
    def after_path(self) -> str:
        return " ".join(f"{d.x:.1f},{d.y:.1f}" for d in self.after)

    @property
    def has_data(self) -> bool:
        return bool(self.before or self.after)


def pain_chart(sessions: Sequence[Session]) -> PainChart:
    """Oldest session on the left; pain 0 at the bottom, 10 at the top."""
    ordered = sorted(sessions, key=lambda s: s.day)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / (len(ordered) - 1) if len(ordered) > 1 else 0

    def x(i: int) -> float:
        return LEFT + (i * step if len(ordered) > 1 else plot_w / 2)

    def y(value: int) -> float:
        return TOP + plot_h * (1 - value / 10)

    before = tuple(
        Dot(x(i), y(s.before), s.before, s.day) for i, s in enumerate(ordered) if s.before is not None
    )
    after = tuple(Dot(x(i), y(s.after), s.after, s.day) for i, s in enumerate(ordered) if s.after is not None)
    every = max(1, len(ordered) // 8)
    labels = tuple(
        (x(i), s.day.strftime("%d %b"))
        for i, s in enumerate(ordered)
        if i % every == 0 or i == len(ordered) - 1
    )
    grid = tuple((v, y(v)) for v in (0, 2, 4, 6, 8, 10))
    return PainChart(WIDTH, HEIGHT, before, after, grid, labels)
