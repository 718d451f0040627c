"""The calendar grid: rows of 15 minutes, a column per practitioner, room or day.

Pure layout over already-loaded data, so a page's query count never depends on what it shows.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.availability import Interval
from clinic.kernel.dates import local_datetime

STEP = timedelta(minutes=15)


@dataclass
class Column:
    key: int | str
    label: str
    day: date
    working: Sequence[tuple[time, time]] = ()
    blocked: Sequence[Interval] = ()  # time off, closures
    practitioner_id: int | None = None
    room_id: int | None = None
    colour: str = ""
    bookings: list = field(default_factory=list)


@dataclass
class Cell:
    kind: str  # "booking" | "free" | "off"
    column: Column
    start: datetime
    booking: object | None = None
    rowspan: int = 1


@dataclass
class Row:
    start: datetime
    label: str
    cells: list[Cell]


def bounds(
    columns: Sequence[Column], booking_times: Sequence[tuple[datetime, datetime]], tz: ZoneInfo
) -> tuple[time, time]:
    """From the earliest working hour or booking to the latest, on whole hours (default 8-18)."""
    starts = [s for c in columns for s, _e in c.working] + [
        s.astimezone(tz).time() for s, _e in booking_times
    ]
    ends = [e for c in columns for _s, e in c.working] + [e.astimezone(tz).time() for _s, e in booking_times]
    first, last = min(starts, default=time(8)), max(ends, default=time(18))
    last_hour = min(24, last.hour + (1 if last.minute or last.second else 0))
    last_hour = max(last_hour, first.hour + 1)
    return time(first.hour), time(23, 59) if last_hour >= 24 else time(last_hour)


def build_grid(columns: Sequence[Column], first: time, last: time, tz: ZoneInfo) -> list[Row]:
    """Rows of cells; a booking spans the rows it covers, covered cells are left out."""
    rows: list[Row] = []
    covered: dict[int | str, int] = {}
    anchor = columns[0].day if columns else date.today()
    n_rows = max(1, math.ceil((datetime.combine(anchor, last) - datetime.combine(anchor, first)) / STEP))
    pending = {c.key: deque(sorted(c.bookings, key=lambda b: b.start)) for c in columns}
    # Each column's working hours as aware datetimes, once (not once per cell).
    hours = {
        c.key: [(local_datetime(c.day, b, tz), local_datetime(c.day, e, tz)) for b, e in c.working]
        for c in columns
    }
    for index in range(n_rows):
        wall = (datetime.combine(anchor, first) + STEP * index).time()
        moments: dict[date, datetime] = {}  # the row's moment on each day shown (one in a day view)
        cells: list[Cell] = []
        for column in columns:
            if covered.get(column.key, 0) > index:
                continue
            moment = moments.get(column.day)
            if moment is None:
                moment = moments[column.day] = local_datetime(column.day, wall, tz)
            queue = pending[column.key]
            if queue and queue[0].start < moment + STEP:
                booking = queue.popleft()
                span = max(1, math.ceil((booking.end - moment) / STEP))
                span = min(span, n_rows - index)
                covered[column.key] = index + span
                cells.append(Cell("booking", column, moment, booking=booking, rowspan=span))
                continue
            end = moment + STEP
            working = any(s <= moment and end <= e for s, e in hours[column.key])
            blocked = working and any(iv.overlaps(moment, end) for iv in column.blocked)
            cells.append(Cell("free" if working and not blocked else "off", column, moment))
        rows.append(Row(start=local_datetime(anchor, wall, tz), label=wall.strftime("%H:%M"), cells=cells))
    return rows
