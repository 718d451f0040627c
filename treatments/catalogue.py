"""The point catalogue as an in-process look-up index, reloaded only when the points change.

Resolving what a practitioner types must not cost a query per word. The index over every
active point (with its cautions) is built once per process and kept until the catalogue
version moves. The version is one aggregate query (point count, highest id, newest change,
the same for cautions and for guides); a page asks for the catalogue once and reuses it.

The Point instances held here are shared between requests: treat them as read-only.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

from clients.screening import ScreeningResult
from treatments import safety
from treatments.lookup import Lookup, PointIndex
from treatments.models import Point, PointCaution, PointGuide


@dataclass(frozen=True)
class Catalogue:
    version: tuple[Any, ...]
    index: PointIndex[Point]
    cautions: dict[int, tuple[PointCaution, ...]] = field(default_factory=dict)
    # Where each point is drawn and how a client presses it. Part of the version too: guides
    # change by data migration, and a process that outlives one (a worker on another host, a
    # server not restarted) must not keep handing out the old texts.
    guides: dict[int, PointGuide] = field(default_factory=dict)

    def resolve(self, text: str, *, legacy_bladder: bool = False) -> Point | None:
        return self.index.resolve(text, legacy_bladder=legacy_bladder)

    def lookup(self, text: str, *, legacy_bladder: bool = False, numbering: str = "") -> Lookup[Point]:
        """Every point the text can mean and the one taken (see PointIndex.lookup)."""
        return self.index.lookup(text, legacy_bladder=legacy_bladder, numbering=numbering)

    def suggest(self, text: str, *, limit: int = 10) -> list[Point]:
        return self.index.suggest(text, limit=limit)

    def did_you_mean(self, text: str, *, limit: int = 5) -> list[Point]:
        return self.index.did_you_mean(text, limit=limit)

    def guide_for(self, point: Point) -> PointGuide | None:
        return self.guides.get(point.pk)

    def positioned_points(self) -> list[Point]:
        """The points that have a place on the body map."""
        return [guide.point for guide in self.guides.values()]

    def cautions_for(self, point: Point) -> tuple[PointCaution, ...]:
        return self.cautions.get(point.pk, ())

    def flags_for(
        self, point: Point, *, side: str | None, pressure: int | None, screening: ScreeningResult | None
    ) -> tuple[safety.Flag, ...]:
        """The cautions that apply to this point, side and pressure for a client's screening."""
        return safety.flags_for(
            point, side=side, pressure=pressure, cautions=self.cautions_for(point), screening=screening
        )


_lock = threading.Lock()
_cached: list[Catalogue] = []  # zero or one entry: the newest index built in this process


def catalogue_version() -> tuple[Any, ...]:
    """One query that changes whenever a point, a caution or a guide is added, edited or removed."""
    stats = Point.objects.aggregate(
        points=Count("id", distinct=True),
        top=Max("id"),
        changed=Max("updated_at"),
        caution_count=Count("cautions", distinct=True),
        caution_top=Max("cautions__id"),
        caution_changed=Max("cautions__updated_at"),
        guide_count=Count("guide", distinct=True),
        guide_top=Max("guide__id"),
        guide_changed=Max("guide__updated_at"),
    )
    return tuple(stats[key] for key in sorted(stats))


def _load(version: tuple[Any, ...]) -> Catalogue:
    points = list(Point.objects.filter(is_active=True))
    cautions: dict[int, list[PointCaution]] = defaultdict(list)
    for caution in PointCaution.objects.filter(point__is_active=True):
        cautions[caution.point_id].append(caution)
    return Catalogue(
        version=version,
        index=PointIndex(points),
        cautions={pk: tuple(rows) for pk, rows in cautions.items()},
        guides={
            g.point_id: g for g in PointGuide.objects.filter(point__is_active=True).select_related("point")
        },
    )


def current_catalogue() -> Catalogue:
    """The catalogue index, fresh as of this call (one query when nothing has changed)."""
    version = catalogue_version()
    with _lock:
        if not _cached or _cached[0].version != version:
            _cached[:] = [_load(version)]
        return _cached[0]
