"""Points on the body map: a note's points as numbered dots, the picker's points to click.

Pure: points, their guides (positions) and flags come in; dots per figure come out. A guide
gives the client's left side; the right side is its mirror image.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence

from clients.bodymap import WIDTH, Dot
from clients.regions import Side
from treatments import safety
from treatments.catalogue import Catalogue
from treatments.models import Point, PointApplication

Dots = dict[str, list[Dot]]


def spots(point: Point, catalogue: Catalogue, side: str | None) -> list[tuple[str, float, float]]:
    """(figure, x, y) where the point is drawn for work on `side` (None or both: both sides)."""
    guide = catalogue.guide_for(point)
    if guide is None:
        return []
    left = (guide.figure, guide.x, guide.y)
    right = (guide.figure, WIDTH - guide.x, guide.y)
    if point.midline or side in (Side.LEFT, Side.MIDLINE):
        return [left]
    if side == Side.RIGHT:
        return [right]
    return [left, right]


def application_dots(
    applications: Sequence[PointApplication], catalogue: Catalogue
) -> tuple[Dots, list[str]]:
    """Numbered dots in the note's order (cautions marked), and the codes that have no position."""
    dots: Dots = defaultdict(list)
    unplaced = []
    for number, application in enumerate(applications, start=1):
        point = application.point
        flags: Iterable[safety.Flag] = getattr(application, "flags", ())
        caution = bool(application.cautions_shown) or safety.needs_reason(flags)
        title = f"{number}. {point.label}, {application.get_side_display().lower()}"
        if caution:
            title += " (caution)"
        places = spots(point, catalogue, application.side)
        if not places:
            unplaced.append(point.code)
        for figure, x, y in places:
            dots[figure].append(Dot(x, y, point.code, title, number=number, caution=caution))
    return dict(dots), unplaced


def point_dots(points: Iterable[Point], catalogue: Catalogue, *, caution_codes: Collection[str] = ()) -> Dots:
    """One dot per point (its left side), for choosing points on the figure."""
    dots: Dots = defaultdict(list)
    for point in points:
        caution = point.code in caution_codes
        title = point.label + (" (caution for this client)" if caution else "")
        for figure, x, y in spots(point, catalogue, Side.LEFT):
            dots[figure].append(Dot(x, y, point.code, title, caution=caution))
    return dict(dots)
