"""Courses: a series booked in one action, at the same local time, all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from clients.tests.builders import make_client
from clinic.models import Booking, BookingStatus, Course
from clinic.services import (
    BookingConflict,
    book_course,
    cancel_booking,
    cancel_rest_of_course,
    course_starts,
    plan_course,
)
from clinic.tests.builders import future_day, local, make_booking, make_closure
from conftest import run_outbox_worker

LONDON = ZoneInfo("Europe/London")
LONG_AGO = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def london(settings):
    settings.TIME_ZONE = "Europe/London"


@pytest.mark.parametrize(
    ("first_monday", "utc_hours"),
    [
        # Clocks go forward on Sunday 28 March 2027: GMT (UTC+0) then BST (UTC+1).
        (date(2027, 3, 15), [10, 10, 9, 9]),
        # Clocks go back on Sunday 31 October 2027: BST then GMT.
        (date(2027, 10, 18), [9, 9, 10, 10]),
    ],
)
def test_weekly_ten_oclock_stays_ten_oclock_across_the_clock_change(
    london, practitioner, service, room, receptionist, first_monday, utc_hours
):
    starts = course_starts(first_monday, time(10), sessions=4, every_weeks=1)
    course = book_course(
        client=make_client(), practitioner=practitioner, service=service, starts=starts, by=receptionist,
        now=LONG_AGO,
    )  # fmt: skip
    bookings = list(course.bookings.order_by("start"))
    assert [b.start.astimezone(LONDON).strftime("%a %H:%M") for b in bookings] == ["Mon 10:00"] * 4
    assert [b.start.astimezone(UTC).hour for b in bookings] == utc_hours
    assert [b.start.astimezone(LONDON).date() for b in bookings] == [
        date.fromordinal(first_monday.toordinal() + 7 * n) for n in range(4)
    ]


def test_the_plan_lists_each_conflict_with_nearest_free_alternatives(practitioner, service, room):
    first = future_day()
    client = make_client()
    starts = course_starts(first, time(10), sessions=3)
    make_booking(practitioner=practitioner, service=service, start=starts[1], room=room)
    make_closure(starts[2].astimezone(LONDON).date())
    plan = plan_course(client=client, practitioner=practitioner, service=service, starts=starts)
    assert [p.free for p in plan] == [True, False, False]
    assert plan[1].problems == ["Already booked then (the practitioner, the client or the room)."]
    assert plan[2].problems == ["The clinic is closed then."]
    # The busy day: the 10:00 session holds the only room until 11:15. 08:45 ends (with its
    # buffer) exactly at 10:00; 11:15 starts when the room is free. Ties go to the earlier.
    assert [a.start.astimezone(LONDON).strftime("%H:%M") for a in plan[1].alternatives] == [
        "08:45",
        "11:15",
        "08:30",
    ]
    closed_day = starts[2].astimezone(LONDON).date()
    assert plan[2].alternatives
    assert all(a.start.astimezone(LONDON).date() != closed_day for a in plan[2].alternatives)
    assert not Booking.objects.filter(client=client).exists()


def test_a_conflict_anywhere_books_nothing(practitioner, service, room, receptionist):
    client = make_client()
    starts = course_starts(future_day(), time(10), sessions=4)
    make_booking(practitioner=practitioner, service=service, start=starts[3], room=room)
    with pytest.raises(BookingConflict, match="Session 4"):
        book_course(client=client, practitioner=practitioner, service=service, starts=starts, by=receptionist)
    assert not Booking.objects.filter(client=client).exists()
    assert not Course.objects.filter(client=client).exists()


def test_cancel_one_occurrence_or_the_rest(practitioner, service, room, receptionist):
    starts = course_starts(future_day(), time(10), sessions=5)
    course = book_course(
        client=make_client(), practitioner=practitioner, service=service, starts=starts, by=receptionist
    )
    first, second, third, *_ = course.bookings.order_by("start")
    cancel_booking(booking=second, by=receptionist, reason="Away that week")
    cancelled = cancel_rest_of_course(booking=third, by=receptionist, reason="Feeling better")
    assert len(cancelled) == 3
    statuses = list(course.bookings.order_by("start").values_list("status", flat=True))
    assert statuses == [BookingStatus.BOOKED] + [BookingStatus.CANCELLED] * 4
    first.refresh_from_db()
    assert first.status == BookingStatus.BOOKED


def test_course_confirmation_is_one_email_with_every_session(
    practitioner, service, room, receptionist, mailoutbox, django_capture_on_commit_callbacks
):
    starts = course_starts(future_day(), time(10), sessions=3)
    with django_capture_on_commit_callbacks(execute=True):
        book_course(
            client=make_client(), practitioner=practitioner, service=service, starts=starts, by=receptionist
        )
    assert mailoutbox == []  # written to the outbox; the worker sends it
    run_outbox_worker()
    assert len(mailoutbox) == 1
    ics = mailoutbox[0].attachments[0][1]
    assert (ics.decode() if isinstance(ics, bytes) else ics).count("BEGIN:VEVENT") == 3


def test_local_helper_matches_course_starts():
    day = future_day()
    assert course_starts(day, time(9, 30), sessions=1) == [local(day, 9, 30)]
