"""Build `clinic.availability.World` from the database with a fixed number of queries.

Queries, whatever the data size: practitioners (unless given), their working hours (one
prefetch), time off, closures, rooms (unless given), and the active bookings in the range, of
only those practitioners, rooms and the client, bounded on both sides (clinic.models.meets).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Any

from django.db.models import (
    CharField,
    DateField,
    F,
    Field,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    TimeField,
    Value,
)
from django.db.models.functions import Cast

from clinic.availability import Interval, RoomSchedule, Schedule, ServiceSpec, World
from clinic.kernel.dates import clinic_tz, local_span
from clinic.models import Booking, Closure, Room, Service, meets
from practitioners.models import Practitioner, TimeOff, WorkingHours


def service_spec(service: Service) -> ServiceSpec:
    return ServiceSpec(duration=service.duration, buffer=service.buffer, needs_room=service.needs_room)


def practitioners_for(service: Service | None) -> list[Practitioner]:
    """Active practitioners (offering the service, if given) in calendar order, hours prefetched."""
    qs = Practitioner.objects.active().prefetch_related(
        Prefetch("working_hours", queryset=WorkingHours.objects.order_by("weekday", "start"))
    )
    if service is not None:
        qs = qs.filter(services=service)
    return list(qs)


_OFF, _CLOSURE, _HOURS, _ROOM = 1, 2, 3, 4
_ROOM_FIELDS = ["id", "name", "is_active", "calendar_order"]
# The columns after the kind, each table's own or NULL: practitioner, dates, times, weekday.
_SHAPE: dict[str, type[Field[Any, Any]]] = {
    "o": IntegerField,
    "d1": DateField,
    "d2": DateField,
    "t1": TimeField,
    "t2": TimeField,
    "wd": IntegerField,
    "s": CharField,
}


def _hours_prefetched(practitioner: Practitioner) -> bool:
    return "working_hours" in getattr(practitioner, "_prefetched_objects_cache", {})


def _calendar_rows(
    practitioner_ids: list[int], first_day: date, last_day: date, *, with_hours: bool, with_rooms: bool
) -> list[tuple[Any, ...]]:
    """The practitioners' time off and the clinic's closures between the two local dates,
    `with_hours` the practitioners' weekly hours, `with_rooms` the active rooms, in one query
    (UNION ALL of the tables in one shape): (kind, practitioner or room id, start date, end
    date, start time, end time, weekday or the room's calendar order, the room's name), the
    columns a kind does not have left NULL."""

    def shaped(qs: QuerySet[Any], kind: int, **columns: Any) -> QuerySet[Any]:
        named = {"k": Value(kind, output_field=IntegerField())}
        for name, field in _SHAPE.items():
            # Typed: PostgreSQL matches a bare NULL to text, then refuses text against a date.
            named[name] = columns.get(name, Cast(Value(None), output_field=field()))
        rows: QuerySet[Any] = qs.order_by().annotate(**named).values_list(*named)
        return rows

    time_off = shaped(
        TimeOff.objects.filter(
            practitioner_id__in=practitioner_ids, start_date__lte=last_day, end_date__gte=first_day
        ),
        _OFF,
        o=F("practitioner_id"),
        d1=F("start_date"),
        d2=F("end_date"),
        t1=F("start_time"),
        t2=F("end_time"),
    )
    closures = shaped(
        Closure.objects.filter(start_date__lte=last_day, end_date__gte=first_day),
        _CLOSURE,
        d1=F("start_date"),
        d2=F("end_date"),
    )
    parts = [closures]
    if with_hours:
        hours = WorkingHours.objects.filter(practitioner_id__in=practitioner_ids)
        parts.append(
            shaped(hours, _HOURS, o=F("practitioner_id"), t1=F("start"), t2=F("end"), wd=F("weekday"))
        )
    if with_rooms:
        active = Room.objects.filter(is_active=True)
        parts.append(shaped(active, _ROOM, o=F("id"), wd=F("calendar_order"), s=F("name")))
    return list(time_off.union(*parts, all=True))


def load_world(
    *,
    first_day: date,
    last_day: date,
    practitioners: Sequence[Practitioner],
    service: Service | None = None,
    client_id: int | None = None,
    rooms: Sequence[int] | None = None,
    exclude_booking_id: int | None = None,
) -> World:
    """Schedules of `practitioners` (working hours prefetched or not) and everything that
    takes time between the local dates `first_day` and `last_day` inclusive. `rooms`: the ids
    of the active rooms, when the caller has them already."""
    world, _ = load_world_and_rooms(
        first_day=first_day,
        last_day=last_day,
        practitioners=practitioners,
        service=service,
        client_id=client_id,
        rooms=rooms,
        exclude_booking_id=exclude_booking_id,
    )
    return world


def load_world_and_rooms(
    *,
    first_day: date,
    last_day: date,
    practitioners: Sequence[Practitioner],
    service: Service | None = None,
    client_id: int | None = None,
    rooms: Sequence[int] | None = None,
    exclude_booking_id: int | None = None,
) -> tuple[World, dict[int, Room]]:
    """`load_world`, and the active rooms it read (in calendar order; none when the caller
    gave `rooms` or the service needs no room): two queries, the rooms read with the time off,
    closures and hours, then the bookings."""
    tz = clinic_tz()
    start, end = local_span(first_day, last_day, None, None, tz)
    ids = [p.pk for p in practitioners]
    needs_room = service is None or service.needs_room

    hours_read = all(_hours_prefetched(p) for p in practitioners)
    off: dict[int, list[Interval]] = defaultdict(list)
    closures: list[Interval] = []
    weekly_read: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    active_rooms: list[Room] = []
    for kind, owner, start_date, end_date, start_time, end_time, weekday, name in _calendar_rows(
        ids, first_day, last_day, with_hours=not hours_read, with_rooms=needs_room and rooms is None
    ):
        if kind == _HOURS:
            weekly_read[owner][weekday].append((start_time, end_time))
        elif kind == _OFF:
            off[owner].append(Interval(*local_span(start_date, end_date, start_time, end_time, tz)))
        elif kind == _ROOM:
            values = [owner, name, True, weekday]
            active_rooms.append(
                Room.from_db(Room.objects.db, ["id", "name", "is_active", "calendar_order"], values)
            )
        else:
            closures.append(Interval(*local_span(start_date, end_date, None, None, tz)))
    active_rooms.sort(key=lambda r: (r.calendar_order, r.name))  # Room's ordering

    if not needs_room:
        rooms = []
    elif rooms is None:
        rooms = [r.pk for r in active_rooms]

    by_practitioner: dict[int, list[Interval]] = defaultdict(list)
    by_room: dict[int, list[Interval]] = defaultdict(list)
    client_busy: list[Interval] = []
    # Sessions may start the day before and run past midnight; the buffer runs past `end`.
    whose = Q(practitioner_id__in=ids)
    if rooms:
        whose |= Q(room_id__in=rooms)
    if client_id is not None:
        whose |= Q(client_id=client_id)
    bookings = (
        Booking.objects.active()
        .filter(whose, meets(start - timedelta(days=1), end, until="blocks_until"))
        .order_by()  # no use for the calendar's order (a join to practitioners and a sort)
    )
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    fields = ("practitioner_id", "room_id", "client_id", "start", "end", "blocks_until")
    for practitioner_id, room_id, booked_client_id, b_start, b_end, blocks_until in bookings.values_list(
        *fields
    ):
        by_practitioner[practitioner_id].append(Interval(b_start, b_end))
        if room_id is not None:
            by_room[room_id].append(Interval(b_start, blocks_until))
        if client_id is not None and booked_client_id == client_id:
            client_busy.append(Interval(b_start, b_end))

    schedules = []
    for p in practitioners:
        if hours_read:
            weekly: dict[int, list[tuple[time, time]]] = defaultdict(list)
            for wh in p.working_hours.all():
                weekly[wh.weekday].append((wh.start, wh.end))
        else:
            weekly = {day: sorted(spans) for day, spans in weekly_read[p.pk].items()}
        schedules.append(
            Schedule(
                practitioner_id=p.pk,
                weekly=dict(weekly),
                time_off=tuple(off[p.pk]),
                busy=tuple(by_practitioner[p.pk]),
            )
        )
    world = World(
        tz=tz,
        schedules=schedules,
        rooms=[RoomSchedule(room_id=r, busy=tuple(by_room[r])) for r in rooms],
        closures=closures,
        client_busy=client_busy,
    )
    return world, {r.pk: r for r in active_rooms}


def clients_busy(client_ids: Sequence[int], *, first_day: date, last_day: date) -> dict[int, list[Interval]]:
    """The active bookings of many clients between the two local dates (`World.client_busy`
    for each, as `load_world` reads it for one), in one query per 5,000 clients."""
    tz = clinic_tz()
    start, end = local_span(first_day, last_day, None, None, tz)
    busy: dict[int, list[Interval]] = defaultdict(list)
    ids = list(client_ids)
    for n in range(0, len(ids), 5000):
        rows = (
            Booking.objects.active()
            .filter(client_id__in=ids[n : n + 5000])
            .filter(meets(start - timedelta(days=1), end, until="blocks_until"))
            .order_by()
            .values_list("client_id", "start", "end")
        )
        for client_id, b_start, b_end in rows:
            busy[client_id].append(Interval(b_start, b_end))
    return busy
