"""Free appointment slots: a pure function of plain data.

Nothing here touches the database or a request. `clinic.availability_loader` reads the models
with a fixed number of queries and builds these inputs; the booking service, the calendar and
the course planner call the functions below.

Times: bookings, time off and closures arrive as aware datetimes (any zone); weekly working
hours are local wall-clock times in the clinic's zone. Every candidate slot is built from a
local date and a local time and only then converted, so a 10:00 slot stays at 10:00 on the
wall clock on both sides of a daylight-saving change.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.kernel.dates import local_datetime

ALL_WEEKDAYS = frozenset(range(7))
DEFAULT_STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class Interval:
    """A half-open span of time [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Schedule:
    """One practitioner's week and what already takes their time."""

    practitioner_id: int
    # weekday (Monday 0) -> local (start, end) intervals; several a day (a lunch break).
    weekly: Mapping[int, Sequence[tuple[time, time]]]
    time_off: Sequence[Interval] = ()
    busy: Sequence[Interval] = ()  # their active bookings, [start, end)


@dataclass(frozen=True)
class RoomSchedule:
    room_id: int
    busy: Sequence[Interval] = ()  # active bookings in the room, [start, blocks_until)


@dataclass(frozen=True)
class ServiceSpec:
    duration: timedelta
    buffer: timedelta = timedelta(0)  # the room is turned over after each session
    needs_room: bool = True


@dataclass(frozen=True)
class Preferences:
    """When the client would like to come: weekdays and a local time-of-day window."""

    weekdays: frozenset[int] = ALL_WEEKDAYS
    earliest: time | None = None  # the session starts at or after this local time
    latest: time | None = None  # ... and ends at or before this one


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    practitioner_id: int
    room_id: int | None


@dataclass(frozen=True)
class World:
    """Everything availability depends on, as plain data."""

    tz: ZoneInfo
    schedules: Sequence[Schedule]
    rooms: Sequence[RoomSchedule] = ()
    closures: Sequence[Interval] = ()
    client_busy: Sequence[Interval] = ()  # the client's own active bookings
    schedule_by_id: dict[int, Schedule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule_by_id", {s.practitioner_id: s for s in self.schedules})


def exists_locally(moment: datetime, tz: ZoneInfo) -> bool:
    """False for wall-clock times skipped by a spring-forward change (01:30 in London)."""
    naive = moment.replace(tzinfo=None)
    return moment.astimezone(tz).replace(tzinfo=None) == naive


def _any_overlap(intervals: Iterable[Interval], start: datetime, end: datetime) -> bool:
    return any(iv.overlaps(start, end) for iv in intervals)


def within_working_hours(schedule: Schedule, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """Does [start, end) lie inside one of the practitioner's working intervals that day?"""
    day = start.astimezone(tz).date()
    for begin, finish in schedule.weekly.get(day.weekday(), ()):
        if local_datetime(day, begin, tz) <= start and end <= local_datetime(day, finish, tz):
            return True
    return False


def slot_problems(
    world: World,
    *,
    practitioner_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[str]:
    """Why a practitioner can't see a client at [start, end), ignoring other bookings.

    Existing bookings are checked by the booking service inside its transaction (and by the
    database on PostgreSQL); this covers the calendar rules: the past, working hours, time
    off and closures. An empty list means the time itself is fine.
    """
    problems: list[str] = []
    if end <= start:
        return ["The end must be after the start."]
    if start < now:
        problems.append("That time has already passed.")
    if _any_overlap(world.closures, start, end):
        problems.append("The clinic is closed then.")
    schedule = world.schedule_by_id.get(practitioner_id)
    if schedule is None:
        problems.append("This practitioner does not offer this service.")
        return problems
    if not within_working_hours(schedule, start, end, world.tz):
        problems.append("That is outside the practitioner's working hours.")
    if _any_overlap(schedule.time_off, start, end):
        problems.append("The practitioner is off then.")
    return problems


def free_room(rooms: Iterable[RoomSchedule], start: datetime, blocks_until: datetime) -> int | None:
    """The first room free from start until the room is turned over, or None."""
    for room in rooms:
        if not _any_overlap(room.busy, start, blocks_until):
            return room.room_id
    return None


def is_free(
    world: World,
    service: ServiceSpec,
    *,
    practitioner_id: int,
    start: datetime,
    now: datetime,
    room_id: int | None = None,
) -> Slot | None:
    """The slot if the practitioner (and a room) can take it, else None."""
    end = start + service.duration
    if slot_problems(world, practitioner_id=practitioner_id, start=start, end=end, now=now):
        return None
    schedule = world.schedule_by_id[practitioner_id]
    if _any_overlap(schedule.busy, start, end) or _any_overlap(world.client_busy, start, end):
        return None
    chosen_room: int | None = None
    if service.needs_room:
        rooms = [r for r in world.rooms if room_id is None or r.room_id == room_id]
        chosen_room = free_room(rooms, start, end + service.buffer)
        if chosen_room is None:
            return None
    return Slot(start=start, end=end, practitioner_id=practitioner_id, room_id=chosen_room)


class _Overlaps:
    """Intervals sorted by start, with the latest end so far: "does anything overlap
    [start, end)?" in one binary search instead of a scan of every interval."""

    __slots__ = ("latest_end", "starts")

    def __init__(self, intervals: Iterable[Interval]) -> None:
        ordered = sorted(intervals, key=lambda iv: iv.start)
        self.starts = [iv.start for iv in ordered]
        self.latest_end: list[datetime] = []
        for iv in ordered:
            self.latest_end.append(max(self.latest_end[-1], iv.end) if self.latest_end else iv.end)

    def any(self, start: datetime, end: datetime) -> bool:
        # The intervals starting before `end`; one of them overlaps iff the latest end among them
        # is after `start` (the same test as Interval.overlaps, for all of them at once).
        before = bisect_left(self.starts, end)
        return before > 0 and self.latest_end[before - 1] > start


class _SearchIndex:
    """The world's intervals indexed once for a search; answers what `is_free` answers."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.closures = _Overlaps(world.closures)
        self.client_busy = _Overlaps(world.client_busy)
        self.time_off = {s.practitioner_id: _Overlaps(s.time_off) for s in world.schedules}
        self.busy = {s.practitioner_id: _Overlaps(s.busy) for s in world.schedules}
        self.rooms = [(r.room_id, _Overlaps(r.busy)) for r in world.rooms]

    def is_free(
        self, service: ServiceSpec, schedule: Schedule, start: datetime, now: datetime
    ) -> Slot | None:
        """`is_free(world, service, practitioner_id=..., start=..., now=...)`, room_id None."""
        end = start + service.duration
        pk = schedule.practitioner_id
        schedule = self.world.schedule_by_id[pk]  # as is_free looks it up
        if end <= start or start < now or self.closures.any(start, end):
            return None
        if not within_working_hours(schedule, start, end, self.world.tz) or self.time_off[pk].any(start, end):
            return None
        if self.busy[pk].any(start, end) or self.client_busy.any(start, end):
            return None
        chosen_room: int | None = None
        if service.needs_room:
            blocks_until = end + service.buffer
            chosen_room = next(
                (room_id for room_id, busy in self.rooms if not busy.any(start, blocks_until)), None
            )
            if chosen_room is None:
                return None
        return Slot(start=start, end=end, practitioner_id=pk, room_id=chosen_room)


def _candidate_starts(
    schedule: Schedule, day: date, service: ServiceSpec, prefs: Preferences, tz: ZoneInfo, step: timedelta
) -> Iterable[datetime]:
    """Local wall-clock starts on `day`, every `step`, that fit a working interval."""
    for begin, finish in schedule.weekly.get(day.weekday(), ()):
        lower = max(begin, prefs.earliest) if prefs.earliest else begin
        upper = min(finish, prefs.latest) if prefs.latest else finish
        cursor = datetime.combine(day, begin)
        limit = datetime.combine(day, upper)
        # Starts stay on the grid of the working interval (09:00, 09:15...) even when the
        # preferred window opens at an odd minute.
        while cursor < datetime.combine(day, lower):
            cursor += step
        while cursor + service.duration <= limit:
            start = cursor.replace(tzinfo=tz)
            if exists_locally(start, tz):
                yield start
            cursor += step


def free_slots(
    world: World,
    service: ServiceSpec,
    *,
    now: datetime,
    first_day: date,
    days: int = 28,
    practitioner_ids: Sequence[int] | None = None,
    prefs: Preferences = Preferences(),
    step: timedelta = DEFAULT_STEP,
    limit: int = 10,
) -> list[Slot]:
    """The next free slots, earliest first, from `first_day` for `days` local days.

    `practitioner_ids` limits the search to those practitioners (None: anyone in the world,
    which the loader fills with the practitioners offering the service). Ties at one start
    time keep the order of `world.schedules` (the calendar's column order).
    """
    wanted = set(practitioner_ids) if practitioner_ids is not None else None
    schedules = [s for s in world.schedules if wanted is None or s.practitioner_id in wanted]
    index = _SearchIndex(world)
    found: list[Slot] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if day.weekday() not in prefs.weekdays:
            continue
        todays: list[tuple[datetime, int, Slot]] = []
        for order, schedule in enumerate(schedules):
            for start in _candidate_starts(schedule, day, service, prefs, world.tz, step):
                slot = index.is_free(service, schedule, start, now)
                if slot is not None:
                    todays.append((slot.start, order, slot))
        todays.sort(key=lambda item: (item[0], item[1]))
        found.extend(slot for _start, _order, slot in todays)
        if len(found) >= limit:
            break
    return found[:limit]


def nearest(slots: Iterable[Slot], wanted: datetime, count: int = 3) -> list[Slot]:
    """The `count` slots closest to the wanted time (earlier or later), closest first."""
    return sorted(slots, key=lambda s: (abs(s.start - wanted), s.start))[:count]


def gaps(
    schedule: Schedule,
    day: date,
    tz: ZoneInfo,
    *,
    after: datetime,
    minimum: timedelta = timedelta(minutes=30),
) -> list[Interval]:
    """Free stretches of a practitioner's working day (after `after`), at least `minimum` long."""
    taken = sorted([*schedule.busy, *schedule.time_off], key=lambda iv: iv.start)
    found: list[Interval] = []
    for begin, finish in schedule.weekly.get(day.weekday(), ()):
        cursor = max(local_datetime(day, begin, tz), after)
        end = local_datetime(day, finish, tz)
        for iv in taken:
            if iv.end <= cursor or iv.start >= end:
                continue
            if iv.start - cursor >= minimum:
                found.append(Interval(cursor, iv.start))
            cursor = max(cursor, iv.end)
        if end - cursor >= minimum:
            found.append(Interval(cursor, end))
    return found
