"""Writes to practitioners' schedules: weekly working hours and time off.

Every write of working hours (the weekly grid page, the back office's inline rows and its own
page) goes through `guarded_week`: the practitioner's row is locked (PostgreSQL; SQLite's
IMMEDIATE transaction already serialises writers), the write runs, and the whole week is read
back and checked, so two intervals of one day never overlap whoever wrote them. The database's
check constraints (end after start, a real weekday) stay as the last guard.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from practitioners.models import Practitioner, TimeOff, Weekday, WorkingHours

END_AFTER_START = "The end must be after the start."


@dataclass(frozen=True)
class HoursRow:
    """One interval of the weekly grid, in the clinic's local time."""

    weekday: int
    start: time
    end: time


def interval_label(start: time, end: time) -> str:
    return f"{start:%H:%M}\u2013{end:%H:%M}"


def overlap_message(weekday: int, start: time, end: time) -> str:
    return f"Overlaps {interval_label(start, end)} on {Weekday(weekday).label}."


def hours_problems(rows: Sequence[HoursRow]) -> dict[int, tuple[str, str]]:
    """What is wrong with a week of intervals: row index -> (field, message).

    An interval ending at or before its start is refused on its end; of two overlapping
    intervals of a day, the later one is refused on its start, naming the earlier.
    """
    problems: dict[int, tuple[str, str]] = {}
    for index, row in enumerate(rows):
        if row.end <= row.start:
            problems[index] = ("end", END_AFTER_START)
    by_day: dict[int, list[tuple[time, int]]] = {}
    for index, row in enumerate(rows):
        if index not in problems:
            by_day.setdefault(row.weekday, []).append((row.start, index))
    for entries in by_day.values():
        entries.sort()
        kept: list[HoursRow] = []
        for _start, index in entries:
            row = rows[index]
            clash = next((k for k in kept if k.start < row.end and row.start < k.end), None)
            if clash is not None:
                problems[index] = ("start", overlap_message(row.weekday, clash.start, clash.end))
            else:
                kept.append(row)
    return problems


class ScheduleInvalid(ValidationError):
    """A week that can't be saved as asked; `rows` maps row index -> (field, message)."""

    def __init__(self, rows: dict[int, tuple[str, str]]) -> None:
        self.rows = rows
        super().__init__([message for _field, message in rows.values()])


def _lock(practitioner: Practitioner) -> None:
    if connection.vendor == "postgresql":
        list(Practitioner.objects.select_for_update().filter(pk=practitioner.pk).values_list("pk"))


def week_of(practitioner: Practitioner) -> list[HoursRow]:
    return [
        HoursRow(weekday, start, end)
        for weekday, start, end in WorkingHours.objects.filter(practitioner=practitioner)
        .order_by("weekday", "start")
        .values_list("weekday", "start", "end")
    ]


@contextmanager
def guarded_week(practitioner: Practitioner) -> Iterator[None]:
    """Run a write of `practitioner`'s working hours in one transaction that refuses it
    (`ScheduleInvalid`, nothing saved) if the week it leaves behind has an overlap."""
    with transaction.atomic():
        _lock(practitioner)
        yield
        problems = hours_problems(week_of(practitioner))
        if problems:
            raise ScheduleInvalid(problems)


def set_working_hours(practitioner: Practitioner, rows: Sequence[HoursRow]) -> list[WorkingHours]:
    """Replace the practitioner's whole week with `rows`, or raise `ScheduleInvalid` naming the
    rows at fault (row indexes as given) and change nothing."""
    problems = hours_problems(rows)
    if problems:
        raise ScheduleInvalid(problems)
    with guarded_week(practitioner):
        WorkingHours.objects.filter(practitioner=practitioner).delete()
        saved = WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=r.weekday, start=r.start, end=r.end)
            for r in sorted(rows, key=lambda r: (r.weekday, r.start))
        )
    return saved


def interval_problem(
    practitioner: Practitioner, weekday: int, start: time, end: time, *, exclude_pk: int | None = None
) -> tuple[str, str] | None:
    """(field, message) if one interval can't join the practitioner's saved week, else None."""
    if end <= start:
        return ("end", END_AFTER_START)
    others = WorkingHours.objects.filter(
        practitioner=practitioner, weekday=weekday, start__lt=end, end__gt=start
    ).order_by("start")
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    clash = others.first()
    if clash is not None:
        return ("start", overlap_message(weekday, clash.start, clash.end))
    return None


def save_working_hours(hours: WorkingHours) -> WorkingHours:
    """Save one interval (added or changed), refused if it ends first or overlaps another."""
    with guarded_week(hours.practitioner):
        problem = interval_problem(
            hours.practitioner, hours.weekday, hours.start, hours.end, exclude_pk=hours.pk
        )
        if problem is not None:
            raise ScheduleInvalid({0: problem})
        hours.save()
    return hours


# --- Time off ------------------------------------------------------------------------------


def time_off_problems(
    start_date: date | None, end_date: date | None, start_time: time | None, end_time: time | None
) -> dict[str, str]:
    """Field -> message for a time off that doesn't read forwards."""
    problems: dict[str, str] = {}
    if start_date and end_date and end_date < start_date:
        problems["end_date"] = "The last day away can't be before the first."
    elif start_date and start_date == end_date and start_time and end_time and end_time <= start_time:
        problems["end_time"] = END_AFTER_START
    return problems


def save_time_off(time_off: TimeOff) -> TimeOff:
    problems = time_off_problems(
        time_off.start_date, time_off.end_date, time_off.start_time, time_off.end_time
    )
    if problems:
        raise ValidationError(problems)
    time_off.full_clean()
    time_off.save()
    return time_off


def delete_time_off(time_off: TimeOff) -> None:
    time_off.delete()
