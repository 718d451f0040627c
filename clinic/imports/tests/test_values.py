"""Reading an imported file's cells: what is read, and what is refused rather than guessed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.imports.layouts import APPOINTMENTS, CLIENTS, guess_mapping, recognise_system
from clinic.imports.values import CellError, parse_date, parse_datetime, parse_duration, parse_time

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2025-03-04", "", date(2025, 3, 4)),
        ("13/03/2025", "", date(2025, 3, 13)),  # only one reading
        ("03/13/2025", "", date(2025, 3, 13)),
        ("05/05/2025", "", date(2025, 5, 5)),  # both readings agree
        ("03/04/2025", "dmy", date(2025, 4, 3)),
        ("03/04/2025", "mdy", date(2025, 3, 4)),
        ("4 Mar 2025", "", date(2025, 3, 4)),
        ("March 4, 2025", "", date(2025, 3, 4)),
    ],
)
def test_dates_that_read_one_way(text, order, expected):
    assert parse_date(text, order) == expected


@pytest.mark.parametrize(
    ("text", "order", "why"),
    [
        ("03/04/2025", "", "could be 3 April or 4 March"),
        ("04/03/25", "dmy", "two-digit year"),
        ("31/02/2025", "", "not a date on the calendar"),
        ("13/03/2025", "mdy", "not a date on the calendar"),  # month 13, as the manager chose
        ("1850-01-01", "", "outside the dates"),
        ("yesterday", "", "not a date this import can read"),
        ("", "", "missing"),
    ],
)
def test_dates_refused_with_the_reason(text, order, why):
    with pytest.raises(CellError, match=why):
        parse_date(text, order)


def test_times_and_lengths():
    assert parse_time("2:30 PM") == time(14, 30)
    assert parse_time("14:30:00") == time(14, 30)
    assert (
        parse_duration("1:30")
        == parse_duration("90 min")
        == parse_duration("1.5 hours")
        == timedelta(minutes=90)
    )
    for bad in ("13pm", "25:00", "14"):
        with pytest.raises(CellError):
            parse_time(bad)
    for bad in ("0", "soon"):
        with pytest.raises(CellError):
            parse_duration(bad)


def test_a_start_is_the_clinics_wall_clock_unless_an_offset_is_given():
    assert parse_datetime("2025-07-01 10:00", "", LONDON) == datetime(2025, 7, 1, 10, tzinfo=LONDON)
    utc = parse_datetime("2025-07-01T10:00:00+02:00", "", LONDON)
    assert utc == datetime(2025, 7, 1, 9, tzinfo=LONDON)  # 08:00 UTC is 09:00 in London (summer)
    with pytest.raises(CellError, match="no time of day"):
        parse_datetime("2025-07-01", "", LONDON)


def test_known_exports_are_recognised_by_their_headers():
    jane = ["Start At", "End At", "Patient", "Staff Member", "Treatment", "State"]
    assert recognise_system(APPOINTMENTS, jane) == "Jane App"
    assert guess_mapping(APPOINTMENTS, jane) == [
        "start",
        "end",
        "client",
        "practitioner",
        "service",
        "status",
    ]
    generic = ["First name", "Last name", "DOB", "Mobile", "Home phone", "Email", "Address", "Notes"]
    assert recognise_system(CLIENTS, generic) == ""
    assert guess_mapping(CLIENTS, generic) == [
        "first_name", "last_name", "date_of_birth", "phone", "phone", "email", "address", "",
    ]  # fmt: skip
