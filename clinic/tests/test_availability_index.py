"""free_slots answers through indexed intervals (sorted, searched by bisection): the same slots
as asking `is_free` for every candidate, over many random worlds."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.availability import (
    Interval,
    Preferences,
    RoomSchedule,
    Schedule,
    ServiceSpec,
    Slot,
    World,
    _candidate_starts,
    _Overlaps,
    free_slots,
    is_free,
)

LONDON = ZoneInfo("Europe/London")
FIRST = date(2026, 3, 26)  # the clocks go forward on Sunday 29 March 2026: the search crosses it
NOW = datetime(2026, 3, 26, 10, 0, tzinfo=UTC)
STEP = timedelta(minutes=15)


def _intervals(rng: random.Random, count: int, *, longest: int = 180) -> list[Interval]:
    out = []
    for _ in range(count):
        start = datetime.combine(FIRST, time(7), tzinfo=LONDON) + timedelta(
            days=rng.randrange(6), minutes=15 * rng.randrange(56)
        )
        out.append(Interval(start, start + timedelta(minutes=rng.choice([0, 15, 30, 45, 60, 90, longest]))))
    rng.shuffle(out)
    return out


def _world(rng: random.Random) -> World:
    schedules = [
        Schedule(
            practitioner_id=pk,
            weekly={d: [(time(8), time(12)), (time(13), time(18 + rng.randrange(3)))] for d in range(7)},
            time_off=_intervals(rng, rng.randrange(3), longest=600),
            busy=_intervals(rng, rng.randrange(25)),
        )
        for pk in range(1, 4)
    ]
    rooms = [RoomSchedule(room_id=r, busy=_intervals(rng, rng.randrange(30))) for r in range(1, 4)]
    return World(
        tz=LONDON,
        schedules=schedules,
        rooms=rooms,
        closures=_intervals(rng, rng.randrange(2), longest=300),
        client_busy=_intervals(rng, rng.randrange(4)),
    )


def _by_is_free(world: World, service: ServiceSpec, days: int) -> list:
    found: list[Slot] = []
    for offset in range(days):
        day = FIRST + timedelta(days=offset)
        todays: list[tuple[datetime, int, Slot]] = []
        for order, schedule in enumerate(world.schedules):
            for start in _candidate_starts(schedule, day, service, Preferences(), LONDON, STEP):
                slot = is_free(world, service, practitioner_id=schedule.practitioner_id, start=start, now=NOW)
                if slot is not None:
                    todays.append((slot.start, order, slot))
        found.extend(slot for _s, _o, slot in sorted(todays, key=lambda item: item[:2]))
    return found


@pytest.mark.parametrize("seed", range(40))
def test_free_slots_are_the_slots_is_free_accepts(seed):
    rng = random.Random(seed)
    world = _world(rng)
    service = ServiceSpec(
        duration=timedelta(minutes=rng.choice([30, 45, 60, 90])),
        buffer=timedelta(minutes=rng.choice([0, 15])),
        needs_room=rng.random() < 0.7,
    )
    expected = _by_is_free(world, service, days=6)
    assert free_slots(world, service, now=NOW, first_day=FIRST, days=6, limit=10_000) == expected


def test_overlap_index_sees_an_early_long_interval_behind_later_short_ones():
    day = datetime(2026, 6, 1, tzinfo=UTC)
    index = _Overlaps(
        [
            Interval(day + timedelta(hours=1), day + timedelta(hours=9)),
            Interval(day + timedelta(hours=2), day + timedelta(hours=3)),
        ]
    )
    assert index.any(day + timedelta(hours=5), day + timedelta(hours=6))  # inside the long one only
    assert not index.any(day + timedelta(hours=9), day + timedelta(hours=10))  # half-open: touching is free
    assert not index.any(day, day + timedelta(hours=1))
    assert not _Overlaps([]).any(day, day + timedelta(hours=1))
