"""build_grid: the cells of the calendar, from plain columns (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from clinic.availability import Interval
from clinic.calendar import Column, build_grid

LONDON = ZoneInfo("Europe/London")


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm)).replace(tzinfo=LONDON)


def kinds(rows, key) -> list[str]:
    out = []
    for row in rows:
        cell = next((c for c in row.cells if c.column.key == key), None)
        out.append(
            "-" if cell is None else cell.kind[0] + (str(cell.rowspan) if cell.kind == "booking" else "")
        )
    return out


def test_cells_follow_hours_time_off_and_bookings_per_column():
    day = date(2026, 6, 1)
    booking = SimpleNamespace(start=at(day, 9, 15), end=at(day, 9, 50))
    late = SimpleNamespace(start=at(day, 10, 30), end=at(day, 12))  # runs past the grid's end
    a = Column(
        key=1,
        label="A",
        day=day,
        working=[(time(9), time(10)), (time(10, 30), time(11))],
        bookings=[late, booking],
    )
    b = Column(
        key=2,
        label="B",
        day=day,
        working=[(time(9), time(11))],
        blocked=[Interval(at(day, 9, 30), at(day, 10))],
    )
    rows = build_grid([a, b], time(9), time(11), LONDON)
    assert [r.label for r in rows] == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45"]
    assert kinds(rows, 1) == ["f", "b3", "-", "-", "o", "o", "b2", "-"]
    assert kinds(rows, 2) == ["f", "f", "o", "o", "f", "f", "f", "f"]
    assert rows[1].cells[0].start == at(day, 9, 15) and rows[1].cells[0].booking is booking


def test_week_columns_each_get_their_own_days_moment_across_the_clock_change():
    saturday, sunday = date(2026, 3, 28), date(2026, 3, 29)  # BST starts on Sunday 29 March 2026
    columns = [
        Column(key=d.isoformat(), label=f"{d}", day=d, working=[(time(9), time(10))])
        for d in (saturday, sunday)
    ]
    rows = build_grid(columns, time(9), time(10), LONDON)
    assert [c.start for c in rows[0].cells] == [at(saturday, 9), at(sunday, 9)]
    assert rows[0].cells[1].start.astimezone(UTC) - rows[0].cells[0].start.astimezone(UTC) == timedelta(
        hours=23
    )
    assert [c.kind for row in rows for c in row.cells] == ["free"] * 8
