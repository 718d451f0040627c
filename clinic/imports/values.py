"""Reading the cells of an imported file: dates, times, lengths. Pure functions, no database.

Each reader returns the value or raises `CellError` with a sentence for the row's report. A
cell that could mean two things is refused, never guessed: "03/04/2025" is the 3rd of April or
the 4th of March, so it is read only once the manager has chosen the file's day order; a
two-digit year could be in either century, so it is refused whatever the order.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models

from clinic.kernel.dates import in_range, local_datetime


class CellError(ValueError):
    """A cell that can't be read; the message says why, in the manager's words."""


class DayOrder(models.TextChoices):
    """How numeric dates such as 03/04/2025 are read (ISO dates and month names are not
    affected)."""

    REFUSE = "", "Refuse dates that could be read both ways"
    DAY_FIRST = "dmy", "Day first (31/12/2025)"
    MONTH_FIRST = "mdy", "Month first (12/31/2025)"


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})")
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{2,4})")
_MONTH_NAME_DAY = re.compile(r"([a-z]+)\.?[\s-]+(\d{1,2})(?:st|nd|rd|th)?,?[\s-]+(\d{2,4})")
_TIME = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?(?::(\d{2})(?:\.\d+)?)?\s*(am|pm|a\.m\.|p\.m\.)?")
_OFFSET = re.compile(r"(?:z|([+-])(\d{2}):?(\d{2}))$")
_DURATION = re.compile(
    r"(?:(?P<hm>(\d+):(\d{2}))|(?:(?P<h>\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hours?))?\s*(?:(?P<m>\d+)\s*(?:m|min|mins|minutes?)?)?)"
)


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        value = date(year, month, day)
    except ValueError:
        raise CellError(f"“{text}” is not a date on the calendar.") from None
    if not in_range(value):
        raise CellError(f"“{text}” is outside the dates the clinic keeps (1900 to 2100).")
    return value


def _full_year(year: str, text: str) -> int:
    if len(year) != 4:
        raise CellError(f"“{text}” has a two-digit year: write the year in full (2025, 1987).")
    return int(year)


def _month(name: str, text: str) -> int:
    if name not in MONTHS:
        raise CellError(f"“{text}” is not a date this import can read.")
    return MONTHS[name]


def parse_date(text: str, order: str = DayOrder.REFUSE) -> date:
    """A date written as 2025-03-04, 04/03/2025 (with the day order), 4 Mar 2025 or March 4, 2025."""
    raw = text.strip()
    lowered = raw.lower()
    if match := _ISO.fullmatch(lowered):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _DAY_MONTH_NAME.fullmatch(lowered):
        return _make_date(_full_year(match[3], raw), _month(match[2], raw), int(match[1]), raw)
    if match := _MONTH_NAME_DAY.fullmatch(lowered):
        return _make_date(_full_year(match[3], raw), _month(match[1], raw), int(match[2]), raw)
    if match := _NUMERIC.fullmatch(lowered):
        first, second, year = int(match[1]), int(match[2]), _full_year(match[3], raw)
        if order == DayOrder.DAY_FIRST:
            return _make_date(year, second, first, raw)
        if order == DayOrder.MONTH_FIRST:
            return _make_date(year, first, second, raw)
        if first > 12 >= second:
            return _make_date(year, second, first, raw)
        if second > 12 >= first:
            return _make_date(year, first, second, raw)
        if first == second:
            return _make_date(year, first, first, raw)
        raise CellError(
            f"“{raw}” could be {date(year, second, first):%-d %B} or {date(year, first, second):%-d %B} "
            "(choose the file's day order)."
        )
    if not raw:
        raise CellError("The date is missing.")
    raise CellError(f"“{raw}” is not a date this import can read.")


def parse_time(text: str) -> time:
    """A time of day: 14:30, 14:30:00, 2:30 PM, 2pm."""
    raw = text.strip()
    match = _TIME.fullmatch(raw.lower())
    if not match or (match[2] is None and match[4] is None):
        raise CellError(f"“{raw}” is not a time this import can read." if raw else "The time is missing.")
    hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    if match[4]:
        if not 1 <= hour <= 12:
            raise CellError(f"“{raw}” is not a time of day.")
        hour = hour % 12 + (12 if match[4].startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(f"“{raw}” is not a time of day.")
    return time(hour, minute, second)


def parse_datetime(text: str, order: str, tz: ZoneInfo) -> datetime:
    """A date and a time in one cell ("2025-03-04 14:30", "04/03/2025 2:30 PM",
    "2025-03-04T14:30:00+01:00"): an offset is honoured, else the clinic's wall-clock time."""
    raw = text.strip()
    lowered = raw.lower()
    offset = None
    if "t" in lowered[8:12] and _ISO.match(lowered):
        lowered = lowered.replace("t", " ", 1)
    if (found := _OFFSET.search(lowered)) and ":" in lowered:
        offset = found
        lowered = lowered[: found.start()].strip()
    # The time is the end of the cell ("2:30 pm" is two words; "4 Mar 2025" has spaces too).
    parts = lowered.split()
    day_text = time_text = ""
    for cut in range(len(parts) - 1, 0, -1):
        candidate = " ".join(parts[cut:])
        if _TIME.fullmatch(candidate) and (":" in candidate or "m" in candidate):
            day_text, time_text = " ".join(parts[:cut]), candidate
            break
    if not time_text:
        raise CellError(f"“{raw}” has no time of day." if raw else "The start is missing.")
    day = parse_date(day_text, order)
    at = parse_time(time_text)
    if offset is None:
        return local_datetime(day, at, tz)
    if offset[0] == "z":
        return datetime.combine(day, at).replace(tzinfo=ZoneInfo("UTC"))
    sign = 1 if offset[1] == "+" else -1
    delta = sign * timedelta(hours=int(offset[2]), minutes=int(offset[3]))
    return (datetime.combine(day, at) - delta).replace(tzinfo=ZoneInfo("UTC"))


def parse_duration(text: str) -> timedelta:
    """A session's length: 60, 60 min, 1:30, 1h, 1h30, 1.5 hours."""
    raw = text.strip()
    match = _DURATION.fullmatch(raw.lower())
    if not raw or not match or not any(match.group(g) for g in ("hm", "h", "m")):
        raise CellError(f"“{raw}” is not a length this import can read (such as 60 or 1:30).")
    if match["hm"]:
        minutes = int(match[2]) * 60 + int(match[3])
    else:
        minutes = round(float(match["h"] or 0) * 60) + int(match["m"] or 0)
    if minutes <= 0:
        raise CellError(f"“{raw}” is not a length of time.")
    return timedelta(minutes=minutes)
