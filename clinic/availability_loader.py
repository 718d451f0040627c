"""Build `clinic.availability.World` from the database with a fixed number of queries.

Queries, whatever the data size: practitioners (unless given), their working hours (one
prefetch), then one UNION ALL of time off, closures, hours (unless prefetched), active rooms
(unless given) and the active bookings in the range, of only those practitioners, rooms and
the client, each bounded on both sides (clinic.models.meets).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Any

from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
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


_OFF, _CLOSURE, _HOURS, _ROOM, _BOOKED = 1, 2, 3, 4, 5
_ROOM_FIELDS = ["id", "name", "is_active", "calendar_order"]
# The union's columns after the kind `k`, each table's own or NULL: `o` the practitioner (a
# room's own id), `d1`/`d2` dates, `t1`/`t2` times, `wd` the weekday or the room's calendar
# order, `s` the room's name; a booking's room, client, start, end and the end of its room's
# turnover (`blocks_until`). `_calendar_rows` reads them, `load_world_and_rooms` by name.
_SHAPE: dict[str, type[Field[Any, Any]]] = {
    "o": IntegerField,
    "d1": DateField,
    "d2": DateField,
    "t1": TimeField,
    "t2": TimeField,
    "wd": IntegerField,
    "s": CharField,
    "b_room": IntegerField,
    "b_client": IntegerField,
    "b_start": DateTimeField,
    "b_end": DateTimeField,
    "b_until": DateTimeField,
}


def _hours_prefetched(practitioner: Practitioner) -> bool:
    return "working_hours" in getattr(practitioner, "_prefetched_objects_cache", {})


def _calendar_rows(
    practitioner_ids: list[int],
    first_day: date,
    last_day: date,
    *,
    with_hours: bool,
    with_rooms: bool,
    booked_rooms: Sequence[int] | None,
    client_id: int | None,
    exclude_booking_id: int | None,
) -> list[Any]:
    """Everything the calendar holds between the two local dates, in one query (UNION ALL of
    the tables in one shape, `_SHAPE`, rows named by its columns): the practitioners' time off,
    the clinic's closures, `with_hours` the practitioners' weekly hours, `with_rooms` the
    active rooms, and the active bookings of the practitioners, of `booked_rooms` (None: the
    active rooms) or of the client, the columns a kind does not have left NULL."""

    def shaped(qs: QuerySet[Any], kind: int, **columns: Any) -> QuerySet[Any]:
        named = {"k": Value(kind, output_field=IntegerField())}
        for name, field in _SHAPE.items():
            # Typed: PostgreSQL matches a bare NULL to text, then refuses text against a date.
            named[name] = columns.get(name, Cast(Value(None), output_field=field()))
        rows: QuerySet[Any] = qs.order_by().annotate(**named).values_list(*named, named=True)
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
    active = Room.objects.filter(is_active=True)
    if with_rooms:
        parts.append(shaped(active, _ROOM, o=F("id"), wd=F("calendar_order"), s=F("name")))

    # Sessions may start the day before and run past midnight; the buffer runs past the end.
    start, end = local_span(first_day, last_day, None, None, clinic_tz())
    whose = Q(practitioner_id__in=practitioner_ids)
    if booked_rooms is None:  # the active rooms as this statement sees them, like the rooms' rows
        whose |= Q(room_id__in=active.values("pk"))
    elif booked_rooms:
        whose |= Q(room_id__in=booked_rooms)
    if client_id is not None:
        whose |= Q(client_id=client_id)
    booked = Booking.objects.active().filter(
        whose, meets(start - timedelta(days=1), end, until="blocks_until")
    )
    if exclude_booking_id is not None:
        booked = booked.exclude(pk=exclude_booking_id)
    parts.append(
        shaped(
            booked,
            _BOOKED,
            o=F("practitioner_id"),
            b_room=F("room_id"),
            b_client=F("client_id"),
            b_start=F("start"),
            b_end=F("end"),
            b_until=F("blocks_until"),
        )
    )
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
    gave `rooms` or the service needs no room), all in one query (`_calendar_rows`)."""
    tz = clinic_tz()
    ids = [p.pk for p in practitioners]
    needs_room = service is None or service.needs_room
    hours_read = all(_hours_prefetched(p) for p in practitioners)

    off: dict[int, list[Interval]] = defaultdict(list)
    closures: list[Interval] = []
    weekly_read: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    active_rooms: list[Room] = []
    by_practitioner: dict[int, list[Interval]] = defaultdict(list)
    by_room: dict[int, list[Interval]] = defaultdict(list)
    client_busy: list[Interval] = []
    rows = _calendar_rows(
        ids,
        first_day,
        last_day,
        with_hours=not hours_read,
        with_rooms=needs_room and rooms is None,
        booked_rooms=rooms if needs_room else [],
        client_id=client_id,
        exclude_booking_id=exclude_booking_id,
    )
    for row in rows:
        kind = row.k
        if kind == _BOOKED:
            by_practitioner[row.o].append(Interval(row.b_start, row.b_end))
            if row.b_room is not None:
                by_room[row.b_room].append(Interval(row.b_start, row.b_until))
            if client_id is not None and row.b_client == client_id:
                client_busy.append(Interval(row.b_start, row.b_end))
        elif kind == _HOURS:
            weekly_read[row.o][row.wd].append((row.t1, row.t2))
        elif kind == _OFF:
            off[row.o].append(Interval(*local_span(row.d1, row.d2, row.t1, row.t2, tz)))
        elif kind == _ROOM:
            values = [row.o, row.s, True, row.wd]
            active_rooms.append(Room.from_db(Room.objects.db, _ROOM_FIELDS, values))
        else:
            closures.append(Interval(*local_span(row.d1, row.d2, None, None, tz)))
    active_rooms.sort(key=lambda r: (r.calendar_order, r.name))  # Room's ordering

    if not needs_room:
        rooms = []
    elif rooms is None:
        rooms = [r.pk for r in active_rooms]

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
