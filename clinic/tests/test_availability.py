"""Next free slots: working hours, time off, closures, bookings, buffers and rooms."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clinic.availability import (
    Interval,
    Preferences,
    RoomSchedule,
    Schedule,
    ServiceSpec,
    World,
    free_slots,
    nearest,
    slot_problems,
)

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 6, 1)  # BST: local = UTC + 1
NOW = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
HOUR = ServiceSpec(duration=timedelta(minutes=60), buffer=timedelta(minutes=15), needs_room=True)
ON_FOOT = ServiceSpec(duration=timedelta(minutes=60), needs_room=False)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm)).replace(tzinfo=LONDON)


def local_times(slots) -> list[str]:
    return [s.start.astimezone(LONDON).strftime("%a %H:%M") for s in slots]


MORNING = {0: [(time(9), time(12))]}


def world(**overrides) -> World:
    fields: dict[str, Any] = {
        "tz": LONDON,
        "schedules": [Schedule(practitioner_id=1, weekly=MORNING)],
        "rooms": [RoomSchedule(room_id=10)],
    }
    fields.update(overrides)
    return World(**fields)


def test_slots_fill_the_working_interval_on_a_quarter_hour_grid():
    slots = free_slots(world(), ON_FOOT, now=NOW, first_day=MONDAY, days=1, limit=50)
    assert local_times(slots) == [f"Mon {h:02d}:{m:02d}" for h in (9, 10) for m in (0, 15, 30, 45)] + [
        "Mon 11:00"
    ]


def test_lunch_break_splits_the_day():
    split = {0: [(time(9), time(10)), (time(13), time(14, 30))]}
    w = world(schedules=[Schedule(practitioner_id=1, weekly=split)])
    slots = free_slots(w, ON_FOOT, now=NOW, first_day=MONDAY, days=1, step=timedelta(minutes=30), limit=50)
    assert local_times(slots) == ["Mon 09:00", "Mon 13:00", "Mon 13:30"]


def test_existing_booking_time_off_closure_and_buffers_combine():
    """One practitioner, one room, Monday to Wednesday 09:00-13:00, 60-minute sessions.

    Monday: the practitioner has a 10:00-11:00 booking whose room is turned over until 11:15.
    Tuesday: another practitioner's session holds the room 09:00-10:00 plus its buffer to
    10:15, and our practitioner is off from 12:00. Wednesday: the clinic is closed.
    """
    weekly = {d: [(time(9), time(13))] for d in (0, 1, 2)}
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    w = world(
        schedules=[
            Schedule(
                practitioner_id=1,
                weekly=weekly,
                busy=[Interval(at(MONDAY, 10), at(MONDAY, 11))],
                time_off=[Interval(at(tuesday, 12), at(tuesday, 18))],
            )
        ],
        rooms=[
            RoomSchedule(
                room_id=10,
                busy=[
                    Interval(at(MONDAY, 10), at(MONDAY, 11, 15)),
                    Interval(at(tuesday, 9), at(tuesday, 10, 15)),
                ],
            )
        ],
        closures=[Interval(at(wednesday, 0), at(wednesday + timedelta(days=1), 0))],
    )
    slots = free_slots(w, HOUR, now=NOW, first_day=MONDAY, days=3, limit=50)
    assert local_times(slots) == [
        # 09:00 would keep the room (with its buffer) until 10:15, into the 10:00 session;
        # 11:00 would start before that session's room turnover ends at 11:15.
        "Mon 11:15", "Mon 11:30", "Mon 11:45", "Mon 12:00",
        # The room is free from 10:15; the session must end by 12:00, when time off starts.
        "Tue 10:15", "Tue 10:30", "Tue 10:45", "Tue 11:00",
    ]  # fmt: skip
    # A service without a buffer also fits Monday 09:00-10:00.
    no_buffer = ServiceSpec(duration=timedelta(minutes=60), needs_room=True)
    slots = free_slots(w, no_buffer, now=NOW, first_day=MONDAY, days=3, limit=50)
    assert local_times(slots)[:2] == ["Mon 09:00", "Mon 11:15"]


def test_exact_slots_around_a_booking_in_a_single_room():
    weekly = {0: [(time(9), time(13))]}
    w = world(
        schedules=[
            Schedule(practitioner_id=1, weekly=weekly),
            Schedule(practitioner_id=2, weekly=weekly, busy=[Interval(at(MONDAY, 9), at(MONDAY, 10))]),
        ],
        # Practitioner 2's 09:00-10:00 session holds the only room until 10:15.
        rooms=[RoomSchedule(room_id=10, busy=[Interval(at(MONDAY, 9), at(MONDAY, 10, 15))])],
    )
    slots = free_slots(w, HOUR, now=NOW, first_day=MONDAY, days=1, step=timedelta(minutes=60), limit=50)
    # Practitioner 1 is free all morning, but the room isn't until 10:15: on the hourly grid
    # 10:00 is refused (its room time overlaps), 11:00 and 12:00 are free for either.
    assert [(local_times([s])[0], s.practitioner_id, s.room_id) for s in slots] == [
        ("Mon 11:00", 1, 10),
        ("Mon 11:00", 2, 10),
        ("Mon 12:00", 1, 10),
        ("Mon 12:00", 2, 10),
    ]


def test_a_chosen_practitioner_only():
    weekly = {0: [(time(9), time(11))]}
    w = world(schedules=[Schedule(1, weekly), Schedule(2, weekly)])
    slots = free_slots(
        w, ON_FOOT, now=NOW, first_day=MONDAY, days=1, practitioner_ids=[2], step=timedelta(hours=1)
    )
    assert [(local_times([s])[0], s.practitioner_id) for s in slots] == [("Mon 09:00", 2), ("Mon 10:00", 2)]


def test_preferred_days_and_times():
    weekly = {d: [(time(9), time(17))] for d in range(5)}
    w = world(schedules=[Schedule(1, weekly)])
    prefs = Preferences(weekdays=frozenset({1, 3}), earliest=time(15), latest=time(17))
    slots = free_slots(
        w, ON_FOOT, now=NOW, first_day=MONDAY, days=7, prefs=prefs, step=timedelta(hours=1), limit=10
    )
    assert local_times(slots) == ["Tue 15:00", "Tue 16:00", "Thu 15:00", "Thu 16:00"]


def test_the_past_is_never_offered():
    now = at(MONDAY, 10, 5)
    slots = free_slots(world(), ON_FOOT, now=now, first_day=MONDAY, days=1, step=timedelta(hours=1))
    assert local_times(slots) == ["Mon 11:00"]


def test_the_clients_own_bookings_are_avoided():
    w = world(client_busy=[Interval(at(MONDAY, 9, 30), at(MONDAY, 10, 30))])
    slots = free_slots(w, ON_FOOT, now=NOW, first_day=MONDAY, days=1, step=timedelta(minutes=30), limit=50)
    assert local_times(slots) == ["Mon 10:30", "Mon 11:00"]


def test_no_room_free_means_no_slot():
    w = world(rooms=[RoomSchedule(10, busy=[Interval(at(MONDAY, 8), at(MONDAY, 13))])])
    assert free_slots(w, HOUR, now=NOW, first_day=MONDAY, days=1) == []
    assert free_slots(w, ON_FOOT, now=NOW, first_day=MONDAY, days=1, step=timedelta(hours=1), limit=1)


def test_limit_stops_the_search():
    weekly = {d: [(time(9), time(17))] for d in range(7)}
    w = world(schedules=[Schedule(1, weekly)])
    assert len(free_slots(w, ON_FOOT, now=NOW, first_day=MONDAY, days=365, limit=3)) == 3


def test_slots_keep_local_wall_clock_across_the_clock_change():
    # Sunday 29 March 2026 the clocks go forward; Monday 30 March is in BST.
    before = date(2026, 3, 23)  # the Monday after, 30 March, is in BST
    w = world(schedules=[Schedule(1, {0: [(time(10), time(11))]})])
    slots = free_slots(w, ON_FOOT, now=datetime(2026, 3, 1, tzinfo=UTC), first_day=before, days=8)
    assert local_times(slots) == ["Mon 10:00", "Mon 10:00"]
    assert [s.start.astimezone(UTC).hour for s in slots] == [10, 9]


def test_slot_problems_name_each_rule():
    w = world(
        schedules=[Schedule(1, MORNING, time_off=[Interval(at(MONDAY, 11), at(MONDAY, 12))])],
        closures=[],
    )
    assert slot_problems(w, practitioner_id=1, start=at(MONDAY, 9), end=at(MONDAY, 10), now=NOW) == []
    assert slot_problems(w, practitioner_id=1, start=at(MONDAY, 13), end=at(MONDAY, 14), now=NOW) == [
        "That is outside the practitioner's working hours."
    ]
    assert "The practitioner is off then." in slot_problems(
        w, practitioner_id=1, start=at(MONDAY, 11), end=at(MONDAY, 12), now=NOW
    )
    assert "That time has already passed." in slot_problems(
        w, practitioner_id=1, start=at(MONDAY, 9), end=at(MONDAY, 10), now=at(MONDAY, 9, 30)
    )
    assert slot_problems(w, practitioner_id=1, start=at(MONDAY, 10), end=at(MONDAY, 9), now=NOW) == [
        "The end must be after the start."
    ]
    closed = world(closures=[Interval(at(MONDAY, 0), at(MONDAY, 23))])
    assert "The clinic is closed then." in slot_problems(
        closed, practitioner_id=1, start=at(MONDAY, 9), end=at(MONDAY, 10), now=NOW
    )


def test_nearest_orders_by_distance_from_the_wanted_time():
    weekly = {0: [(time(9), time(17))]}
    w = world(schedules=[Schedule(1, weekly)])
    slots = free_slots(w, ON_FOOT, now=NOW, first_day=MONDAY, days=1, step=timedelta(hours=1), limit=50)
    assert local_times(nearest(slots, at(MONDAY, 12, 10), 3)) == ["Mon 12:00", "Mon 13:00", "Mon 11:00"]


def test_gaps_are_the_free_stretches_of_the_working_day():
    from clinic.availability import gaps

    schedule = Schedule(
        1,
        {0: [(time(9), time(12)), (time(13), time(17))]},
        busy=[Interval(at(MONDAY, 10), at(MONDAY, 11)), Interval(at(MONDAY, 13), at(MONDAY, 16, 45))],
    )
    found = gaps(schedule, MONDAY, LONDON, after=at(MONDAY, 9, 30))
    assert [
        (g.start.astimezone(LONDON).strftime("%H:%M"), g.end.astimezone(LONDON).strftime("%H:%M"))
        for g in found
    ] == [
        ("09:30", "10:00"),
        ("11:00", "12:00"),
    ]
