"""The body map: front and back figures as outline data, one shape per body region.

The figures are drawn for this project: a plain standing figure in a 200 x 460 box, arms a
little away from the body. Every shape is data here so that the SVG the pages draw and the
tests that check point positions read the same outlines (a point said to lie on the lower back
must fall inside the lower back's outline).

Orientation: the front figure faces the viewer, so the client's left is on the viewer's right
(x > 100); the back figure is seen from behind, so the client's left is on the viewer's left
(x < 100). Paired regions are written once, for the viewer's left, and mirrored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from clients.regions import BodyRegion, Side

WIDTH = 200
HEIGHT = 460
CENTRE = WIDTH / 2

Polygon = tuple[tuple[float, float], ...]


class Figure(models.TextChoices):
    FRONT = "front", "Front"
    BACK = "back", "Back"


@dataclass(frozen=True)
class Shape:
    region: str
    polygons: tuple[Polygon, ...]

    @property
    def label(self) -> str:
        return BodyRegion(self.region).label

    @property
    def path(self) -> str:
        """The SVG path data: one closed sub-path per polygon."""
        return " ".join(
            "M" + " L".join(f"{x:g},{y:g}" for x, y in polygon) + " Z" for polygon in self.polygons
        )

    def contains(self, x: float, y: float) -> bool:
        return any(inside(polygon, x, y) for polygon in self.polygons)


def mirror(polygon: Polygon) -> Polygon:
    return tuple((WIDTH - x, y) for x, y in polygon)


def inside(polygon: Polygon, x: float, y: float) -> bool:
    """Ray casting: is (x, y) inside the polygon (edges count as outside)?"""
    result = False
    count = len(polygon)
    for i in range(count):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % count]
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing:
                result = not result
    return result


def _pair(polygon: Polygon) -> tuple[Polygon, ...]:
    return (polygon, mirror(polygon))


# Shapes shared by both views (limbs, neck, shoulders, ears), for the viewer's left side.
_EAR: Polygon = ((71, 34), (77, 33), (78, 50), (74, 50), (70, 42))
_NECK: Polygon = ((90, 64), (110, 64), (113, 82), (87, 82))
_SHOULDER: Polygon = ((87, 82), (70, 84), (57, 90), (51, 104), (66, 106), (73, 94))
_UPPER_ARM: Polygon = ((51, 104), (66, 106), (62, 172), (45, 169))
_FOREARM: Polygon = ((45, 169), (62, 172), (55, 236), (39, 232))
_HAND: Polygon = ((39, 232), (55, 236), (56, 258), (47, 270), (36, 258))
_THIGH: Polygon = ((66, 252), (99, 252), (96, 322), (72, 322))
_KNEE: Polygon = ((72, 322), (96, 322), (95, 346), (73, 346))
_LOWER_LEG: Polygon = ((73, 346), (95, 346), (92, 410), (78, 410))
_ANKLE: Polygon = ((78, 410), (92, 410), (93, 424), (77, 424))
_CROWN: Polygon = ((80, 24), (84, 16), (92, 11), (100, 10), (108, 11), (116, 16), (120, 24))
_FACE: Polygon = (
    (80, 24),
    (120, 24),
    (122, 38),
    (119, 52),
    (112, 62),
    (100, 66),
    (88, 62),
    (81, 52),
    (78, 38),
)
_SHOULDERS_TO_WAIST: Polygon = (
    (87, 82),
    (113, 82),
    (127, 94),
    (134, 106),
    (132, 150),
    (68, 150),
    (66, 106),
    (73, 94),
)

_LIMBS = (
    Shape(BodyRegion.NECK, (_NECK,)),
    Shape(BodyRegion.SHOULDER, _pair(_SHOULDER)),
    Shape(BodyRegion.UPPER_ARM, _pair(_UPPER_ARM)),
    Shape(BodyRegion.FOREARM, _pair(_FOREARM)),
    Shape(BodyRegion.HAND, _pair(_HAND)),
    Shape(BodyRegion.THIGH, _pair(_THIGH)),
    Shape(BodyRegion.KNEE, _pair(_KNEE)),
    Shape(BodyRegion.LOWER_LEG, _pair(_LOWER_LEG)),
    Shape(BodyRegion.ANKLE, _pair(_ANKLE)),
    Shape(BodyRegion.EAR, _pair(_EAR)),
)

FRONT: tuple[Shape, ...] = (
    *_LIMBS,
    Shape(BodyRegion.HEAD, (_CROWN,)),
    Shape(BodyRegion.FACE, (_FACE,)),
    Shape(BodyRegion.CHEST, (_SHOULDERS_TO_WAIST,)),
    Shape(BodyRegion.ABDOMEN, (((68, 150), (132, 150), (130, 192), (70, 192)),)),
    Shape(BodyRegion.LOWER_ABDOMEN, (((70, 192), (130, 192), (128, 224), (100, 236), (72, 224)),)),
    Shape(
        BodyRegion.HIP, _pair(((70, 192), (72, 224), (100, 236), (100, 252), (66, 252), (63, 224), (65, 203)))
    ),
    Shape(BodyRegion.FOOT, _pair(((77, 424), (93, 424), (96, 446), (69, 446), (72, 434)))),
)

BACK: tuple[Shape, ...] = (
    *_LIMBS,
    Shape(BodyRegion.HEAD, (_CROWN[:-1] + _FACE[1:],)),
    Shape(
        BodyRegion.UPPER_BACK,
        (((87, 82), (113, 82), (127, 94), (134, 106), (132, 160), (68, 160), (66, 106), (73, 94)),),
    ),
    Shape(BodyRegion.LOWER_BACK, (((68, 160), (132, 160), (130, 204), (70, 204)),)),
    Shape(BodyRegion.SACRUM, (((70, 204), (130, 204), (120, 214), (118, 252), (82, 252), (80, 214)),)),
    Shape(BodyRegion.HIP, _pair(((70, 204), (80, 214), (82, 252), (66, 252), (64, 226)))),
    Shape(BodyRegion.FOOT, _pair(((77, 424), (93, 424), (92, 442), (78, 442)))),
)

FIGURES: dict[str, tuple[Shape, ...]] = {Figure.FRONT: FRONT, Figure.BACK: BACK}


def shape_of(figure: str, region: str) -> Shape | None:
    return next((s for s in FIGURES.get(figure, ()) if s.region == region), None)


def region_at(figure: str, x: float, y: float) -> str | None:
    """The region whose outline holds the spot (the last drawn wins, as on screen)."""
    found = None
    for shape in FIGURES.get(figure, ()):
        if shape.contains(x, y):
            found = shape.region
    return found


@dataclass(frozen=True)
class Dot:
    """A marker on a figure: a point pressed, a region's count, an intake's site."""

    x: float
    y: float
    label: str  # the point's code: what picking the dot types into the picker
    title: str  # what a hover or a screen reader gets: "1. BL23 Shenshu (caution: ...)"
    number: int | None = None
    caution: bool = False


@dataclass(frozen=True)
class DrawnShape:
    shape: Shape
    selected: bool = False
    level: int = 0  # 0-4: shading for how often a region was treated
    flagged: bool = False  # an intake's local condition (a region to avoid)
    title: str = ""


@dataclass(frozen=True)
class DrawnFigure:
    figure: str
    label: str
    shapes: tuple[DrawnShape, ...]
    dots: tuple[Dot, ...] = ()


def draw(
    *,
    selected: Iterable[str] = (),
    counts: Mapping[str, int] | None = None,
    flagged: Mapping[str, str] | None = None,
    dots: Mapping[str, Iterable[Dot]] | None = None,
) -> list[DrawnFigure]:
    """Both figures ready for the template: which regions are selected, shaded or flagged."""
    chosen = set(selected)
    counts = counts or {}
    flagged = flagged or {}
    top = max(counts.values(), default=0)
    figures = []
    for figure, shapes in FIGURES.items():
        drawn = []
        for shape in shapes:
            count = counts.get(shape.region, 0)
            level = 0 if not count else max(1, round(4 * count / top))
            notes = []
            if count:
                notes.append(f"treated in {count} session{'s' if count != 1 else ''}")
            if shape.region in flagged:
                notes.append(flagged[shape.region])
            title = shape.label + (": " + "; ".join(notes) if notes else "")
            drawn.append(DrawnShape(shape, shape.region in chosen, level, shape.region in flagged, title))
        figures.append(
            DrawnFigure(figure, Figure(figure).label, tuple(drawn), tuple((dots or {}).get(figure, ())))
        )
    return figures


def flagged_regions(screening: Any) -> dict[str, str]:
    """Each region a screening finding names, with what was found there ("Varicose veins (left)")."""
    flagged: dict[str, list[str]] = {}
    for finding in getattr(screening, "findings", ()) or ():
        side = f" ({finding.side})" if finding.side not in ("", Side.BOTH) else ""
        for region in finding.regions:
            flagged.setdefault(region, []).append(finding.label + side)
    return {region: "; ".join(labels) for region, labels in flagged.items()}
