"""The calendar: a day by practitioner or by room, a practitioner's week, the printable sheet.

Each page runs a fixed number of queries whatever it shows (pinned in
clinic/tests/test_calendar_views.py): practitioners, their working hours, the bookings with
client/service/room/practitioner, time off, closures, rooms, and the screening badges in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import DateTimeField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from clients.screening import screenings_for
from clinic.availability import Interval, Schedule, gaps
from clinic.availability_loader import practitioners_for
from clinic.calendar import Column, bounds, build_grid
from clinic.kernel.dates import clinic_tz, day_from_query, local_span
from clinic.kernel.roles import staff_required
from clinic.kernel.statements import In, Slot, Statement
from clinic.models import ACTIVE_STATUSES, Booking, BookingStatus, Closure, Room
from practitioners.models import Practitioner, TimeOff


@dataclass
class DayData:
    day: date
    practitioners: list[Practitioner]
    bookings: list[Booking]
    off_by_practitioner: dict[int, list[Interval]]
    closures: list[Interval]
    closure_reasons: list[str]
    screenings: dict[int, Any]
    active: list[Booking] = field(init=False)  # the sessions that stay on the day
    inactive: list[Booking] = field(init=False)  # cancelled and no-shows

    def __post_init__(self) -> None:
        # Split once: a page reads each list several times (the desk: schedule, arrivals, gaps).
        self.active = [b for b in self.bookings if b.status in ACTIVE_STATUSES]
        self.inactive = [b for b in self.bookings if b.status not in ACTIVE_STATUSES]


# The calendar's read of its bookings, compiled once (clinic.kernel.statements): each with its
# client, service and room; the practitioners are in hand.
_DAYS_BOOKINGS = Statement(
    Booking,
    lambda: (
        Booking.objects.overlapping(Slot("start", DateTimeField()), Slot("end", DateTimeField()))
        .filter(In("practitioner_id", "practitioners"))
        .select_related("client", "service", "room")
    ),
)


def load_days(first: date, last: date, *, practitioners: list[Practitioner] | None = None) -> DayData:
    """Everything a calendar page shows for local days first..last, in fixed queries."""
    tz = clinic_tz()
    if practitioners is None:
        practitioners = practitioners_for(None)  # practitioners + working hours (2 queries)
    start, end = local_span(first, last, None, None, tz)
    # The practitioners are in hand: each booking is given its own rather than a copy joined in.
    by_id = {p.pk: p for p in practitioners}
    bookings = _DAYS_BOOKINGS.all(start=start, end=end, practitioners=list(by_id)) if by_id else []
    for booking in bookings:
        booking.practitioner = by_id[booking.practitioner_id]
    off: dict[int, list[Interval]] = defaultdict(list)
    for item in TimeOff.objects.filter(
        practitioner__in=practitioners, start_date__lte=last, end_date__gte=first
    ):
        off[item.practitioner_id].append(Interval(*item.span(tz)))
    closures = list(Closure.objects.filter(start_date__lte=last, end_date__gte=first))
    # Badges are shown on the sessions that stay on the day, never on the cancelled and
    # no-show list: only their clients are screened.
    client_ids = {b.client_id for b in bookings if b.status in ACTIVE_STATUSES}
    return DayData(
        day=first,
        practitioners=practitioners,
        bookings=bookings,
        off_by_practitioner=off,
        closures=[Interval(*c.span(tz)) for c in closures],
        closure_reasons=[c.reason for c in closures],
        screenings=screenings_for(client_ids, on=first) if client_ids else {},
    )


def _weekly(practitioner: Practitioner, day: date) -> list:
    return [(wh.start, wh.end) for wh in practitioner.working_hours.all() if wh.weekday == day.weekday()]


def _annotate(bookings: list[Booking], screenings: dict[int, Any]) -> None:
    for booking in bookings:
        booking.screening = screenings.get(booking.client_id)


def _nav(day: date, step: int) -> dict[str, date]:
    return {
        "day": day,
        "previous": day - timedelta(days=step),
        "next": day + timedelta(days=step),
        "today": timezone.localdate(),
    }


@staff_required
def day_view(request: HttpRequest) -> HttpResponse:
    """One day: a column per practitioner (or per room with ?by=rooms)."""
    tz = clinic_tz()
    day, date_error = day_from_query(request.GET.get("date"), timezone.localdate())
    by_rooms = request.GET.get("by") == "rooms"
    data = load_days(day, day)
    _annotate(data.bookings, data.screenings)
    if by_rooms:
        rooms = list(Room.objects.filter(is_active=True))
        columns = [
            Column(key=r.pk, label=r.name, day=day, room_id=r.pk, blocked=data.closures,
                   working=[(s, e) for p in data.practitioners for s, e in _weekly(p, day)])
            for r in rooms
        ]  # fmt: skip
        by_key = {c.key: c for c in columns}
        for booking in data.active:
            if booking.room_id in by_key:
                by_key[booking.room_id].bookings.append(booking)
        roomless = [b for b in data.active if b.room_id is None]
    else:
        columns = [
            Column(
                key=p.pk, label=p.display_name, day=day, practitioner_id=p.pk, colour=p.colour,
                working=_weekly(p, day), blocked=[*data.off_by_practitioner[p.pk], *data.closures],
            )
            for p in data.practitioners
        ]  # fmt: skip
        by_key = {c.key: c for c in columns}
        for booking in data.active:
            by_key[booking.practitioner_id].bookings.append(booking)
        roomless = []
    first, last = bounds(columns, [(b.start, b.end) for b in data.active], tz)
    context = {
        **_nav(day, 1),
        "by_rooms": by_rooms,
        "calendar_view": reverse("clinic:day") + ("?by=rooms" if by_rooms else ""),
        "columns": columns,
        "rows": build_grid(columns, first, last, tz) if columns else [],
        "inactive": data.inactive,
        "roomless": roomless,
        "closure_reasons": data.closure_reasons,
        "date_error": date_error,
    }
    return render(request, "clinic/calendar_day.html", context, status=400 if date_error else 200)


@staff_required
def week_view(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    """One practitioner's week, Monday to Sunday."""
    tz = clinic_tz()
    practitioner = get_object_or_404(
        Practitioner.objects.prefetch_related("working_hours"), pk=practitioner_id
    )
    day, date_error = day_from_query(request.GET.get("date"), timezone.localdate())
    monday = day - timedelta(days=day.weekday())
    data = load_days(monday, monday + timedelta(days=6), practitioners=[practitioner])
    _annotate(data.bookings, data.screenings)
    columns = []
    for offset in range(7):
        d = monday + timedelta(days=offset)
        columns.append(
            Column(
                key=d.isoformat(), label=f"{d:%a %d %b}", day=d, practitioner_id=practitioner.pk,
                working=_weekly(practitioner, d),
                blocked=[*data.off_by_practitioner[practitioner.pk], *data.closures],
            )
        )  # fmt: skip
    by_key = {c.key: c for c in columns}
    for booking in data.active:
        by_key[booking.local_date.isoformat()].bookings.append(booking)
    first, last = bounds(columns, [(b.start, b.end) for b in data.active], tz)
    context = {
        **_nav(monday, 7),
        "practitioner": practitioner,
        "calendar_view": reverse("clinic:week", args=[practitioner.pk]),
        "practitioners": Practitioner.objects.active(),
        "columns": columns,
        "rows": build_grid(columns, first, last, tz),
        "inactive": data.inactive,
        "closure_reasons": data.closure_reasons,
        "week_end": monday + timedelta(days=6),
        "date_error": date_error,
    }
    return render(request, "clinic/calendar_week.html", context, status=400 if date_error else 200)


@dataclass
class WeekCell:
    """One practitioner on one day in the week of everyone: the sessions, or why none fit."""

    bookings: list[Booking]
    hours: list[tuple[Any, Any]]
    off: bool
    colour: str


@staff_required
def week_all(request: HttpRequest) -> HttpResponse:
    """Every practitioner's week at a glance: a row per day, a column per practitioner, each
    cell the day's sessions in order. The same fixed queries as the day view, over seven days."""
    tz = clinic_tz()
    day, date_error = day_from_query(request.GET.get("date"), timezone.localdate())
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=offset) for offset in range(7)]
    data = load_days(days[0], days[-1])
    _annotate(data.bookings, data.screenings)
    sessions: dict[tuple[date, int], list[Booking]] = defaultdict(list)
    for booking in sorted(data.active, key=lambda b: b.start):
        sessions[booking.local_date, booking.practitioner_id].append(booking)
    week = []
    for d in days:
        start, end = local_span(d, d, None, None, tz)
        closed = any(c.overlaps(start, end) for c in data.closures)
        cells = [
            WeekCell(
                bookings=sessions[d, p.pk],
                hours=_weekly(p, d),
                off=any(o.overlaps(start, end) for o in data.off_by_practitioner[p.pk]),
                colour=p.colour,
            )
            for p in data.practitioners
        ]
        week.append((d, closed, cells))
    context = {
        **_nav(monday, 7),
        "practitioners": data.practitioners,
        "calendar_view": reverse("clinic:week_all"),
        "week": week,
        "inactive": data.inactive,
        "closure_reasons": data.closure_reasons,
        "week_end": days[-1],
        "date_error": date_error,
    }
    return render(request, "clinic/calendar_week_all.html", context, status=400 if date_error else 200)


@staff_required
def day_sheet(request: HttpRequest) -> HttpResponse:
    """The printable day: each practitioner's sessions in order."""
    day, date_error = day_from_query(request.GET.get("date"), timezone.localdate())
    data = load_days(day, day)
    _annotate(data.bookings, data.screenings)
    by_practitioner: dict[int, list[Booking]] = defaultdict(list)
    for booking in data.active:
        by_practitioner[booking.practitioner_id].append(booking)
    sections = [(p, by_practitioner[p.pk]) for p in data.practitioners if by_practitioner[p.pk]]
    return render(
        request,
        "clinic/day_sheet.html",
        {
            **_nav(day, 1),
            "sections": sections,
            "closure_reasons": data.closure_reasons,
            "date_error": date_error,
        },
        status=400 if date_error else 200,
    )


def desk_context(now: datetime) -> dict[str, Any]:
    """Reception's home: today's sessions, who has arrived or is due, and free gaps."""
    tz = clinic_tz()
    today = now.astimezone(tz).date()
    data = load_days(today, today)
    _annotate(data.bookings, data.screenings)
    busy: dict[int, list[Interval]] = defaultdict(list)
    for booking in data.active:
        busy[booking.practitioner_id].append(Interval(booking.start, booking.end))
    free = []
    if not data.closures:
        for p in data.practitioners:
            schedule = Schedule(
                p.pk,
                {today.weekday(): _weekly(p, today)},
                time_off=data.off_by_practitioner[p.pk],
                busy=busy[p.pk],
            )
            for gap in gaps(schedule, today, tz, after=now):
                free.append((p, gap.start, gap.end))
    soon = now + timedelta(minutes=30)
    return {
        "schedule": data.active,
        "arrived": [b for b in data.active if b.status == BookingStatus.ARRIVED],
        "due": [
            b for b in data.active if b.status == BookingStatus.BOOKED and b.start <= soon and b.end > now
        ],
        "gaps": sorted(free, key=lambda g: (g[1], g[0].calendar_order)),
        "inactive": data.inactive,
        "closure_reasons": data.closure_reasons,
    }


def my_day_context(practitioner: Practitioner | None, day: date) -> dict[str, Any]:
    if practitioner is None:
        return {"sessions": []}
    data = load_days(day, day, practitioners=[practitioner])
    _annotate(data.bookings, data.screenings)
    return {"sessions": data.active, "inactive": data.inactive, "closure_reasons": data.closure_reasons}
