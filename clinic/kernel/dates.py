"""The clinic's dates: its working range, its time zone, local times and spans, and safe readers
for dates and ids from requests.

Python's dates run from year 1 to 9999, and arithmetic at either end overflows (a calendar
showing 31 December 9999 asks for the day after). No clinic record lies outside these bounds,
so forms refuse such dates with a field error and query strings fall back to a default.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError

EARLIEST = date(1900, 1, 1)  # oldest date of birth, surgery or record
LATEST = date(2100, 12, 31)  # furthest booking, course end or clearance expiry


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def validate_clinic_date(value: date) -> None:
    """Form/model validator: a date inside the clinic's working range."""
    if not in_range(value):
        raise ValidationError(
            "Enter a date between %(earliest)s and %(latest)s.",
            code="date_out_of_range",
            params={"earliest": EARLIEST.strftime("%d/%m/%Y"), "latest": LATEST.strftime("%d/%m/%Y")},
        )


def day_from_query(raw: str | None, default: date) -> tuple[date, str]:
    """The day a `?date=` value asks for, and "" or, when it cannot be read or lies outside the
    clinic's range, `default` with a message saying so (for the page to show by its date field)."""
    if not raw:
        return default, ""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        shown = raw if len(raw) <= 20 else raw[:20] + "..."
        return default, f"\u201c{shown}\u201d is not a date (YYYY-MM-DD); showing {default:%d/%m/%Y} instead."
    if not in_range(day):
        return default, (
            f"Dates run from {EARLIEST:%d/%m/%Y} to {LATEST:%d/%m/%Y}; showing {default:%d/%m/%Y} instead."
        )
    return day, ""


def parse_day(raw: str | None, default: date) -> date:
    """A YYYY-MM-DD query-string value, or `default` when it is missing, malformed or out of range."""
    return day_from_query(raw, default)[0]


def parse_id(raw: str | None) -> int | None:
    """A positive database id from a query string, or None. Only ASCII digits count: "²" is a
    digit to str.isdigit() but not to int()."""
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return int(raw)


def clinic_tz() -> ZoneInfo:
    """The clinic's time zone: times are stored in UTC and shown, booked and counted in this one."""
    return ZoneInfo(settings.TIME_ZONE)


def local_datetime(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The aware datetime of a wall-clock time on a local date."""
    return datetime.combine(day, at).replace(tzinfo=tz)


def local_span(
    start_date: date, end_date: date, start_time: time | None, end_time: time | None, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """Local dates (and optional times) as an aware [start, end); whole days end at midnight
    (the last day of the calendar, 31 December 9999, has no next midnight: it ends at its last
    microsecond)."""
    start = datetime.combine(start_date, start_time or time(0)).replace(tzinfo=tz)
    if end_time is None and end_date == date.max:
        end = datetime.combine(end_date, time.max).replace(tzinfo=tz)
    elif end_time is None:
        end = datetime.combine(end_date + timedelta(days=1), time(0)).replace(tzinfo=tz)
    else:
        end = datetime.combine(end_date, end_time).replace(tzinfo=tz)
    return start, end
