"""Dates at the ends of the calendar (year 1, year 9999) are answered, never a 500."""

from __future__ import annotations

import pytest

from clinic.models import Booking, Course
from clinic.tests.builders import future_day, local, make_booking

EDGES = ["0001-01-01", "9999-12-31"]


@pytest.fixture
def client_(db):
    from clients.tests.builders import make_client

    return make_client(first_name="Sam", last_name="Kowalski")


@pytest.mark.parametrize("day", EDGES)
@pytest.mark.parametrize(
    "url",
    ["/clinic/calendar/?date={}", "/clinic/calendar/?by=rooms&date={}", "/clinic/calendar/sheet/?date={}"],
)
def test_calendar_pages_fall_back_to_today_at_the_ends_of_the_calendar(reception_client, room, url, day):
    response = reception_client.get(url.format(day))
    # Today's page, with a 400 and the reason next to the date field: nothing ignored silently.
    assert response.status_code == 400
    assert "Dates run from" in response.content.decode()


@pytest.mark.parametrize("day", EDGES)
def test_week_view_falls_back_at_the_ends_of_the_calendar(reception_client, practitioner, day):
    response = reception_client.get(f"/clinic/calendar/week/{practitioner.pk}/?date={day}")
    assert response.status_code == 400
    assert "Dates run from" in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_free_slot_search_refuses_a_start_outside_the_clinic_range(reception_client, service, day):
    response = reception_client.get(f"/clinic/bookings/free-slots/?service={service.pk}&from_date={day}")
    assert response.status_code == 400
    assert "from_date" in response.context["form"].errors
    assert day in response.content.decode()  # the input is kept


@pytest.mark.parametrize("day", EDGES)
def test_booking_form_refuses_a_date_outside_the_clinic_range(
    reception_client, client_, practitioner, service, room, day
):
    data = {"client": client_.pk, "service": service.pk, "practitioner": practitioner.pk,
            "date": day, "time": "10:00", "reception_note": "Kept"}  # fmt: skip
    response = reception_client.post("/clinic/bookings/new/", data)
    assert response.status_code == 400
    assert "between" in str(response.context["form"].errors["date"])
    assert day in response.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.parametrize("day", EDGES)
def test_move_form_refuses_a_date_outside_the_clinic_range(reception_client, practitioner, service, day):
    booking = make_booking(practitioner=practitioner, service=service, start=local(future_day(), 10))
    data = {"date": day, "time": "10:00", "practitioner": practitioner.pk}
    response = reception_client.post(f"/clinic/bookings/{booking.pk}/move/", data)
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    booking.refresh_from_db()
    assert booking.start == local(future_day(), 10)


@pytest.mark.parametrize(
    ("day", "sessions", "every_weeks", "field"),
    [
        ("0001-01-01", "6", "1", "date"),
        ("9999-11-01", "20", "8", "date"),
        ("2100-11-01", "20", "8", "sessions"),
    ],
)
def test_course_form_refuses_dates_outside_the_clinic_range(
    reception_client, client_, practitioner, service, day, sessions, every_weeks, field
):
    data = {"client": client_.pk, "service": service.pk, "practitioner": practitioner.pk,
            "date": day, "time": "10:00", "sessions": sessions, "every_weeks": every_weeks}  # fmt: skip
    response = reception_client.post("/clinic/courses/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert day in response.content.decode()  # the input is kept
    assert not Course.objects.exists()


def test_local_span_of_the_last_day_of_the_calendar_does_not_overflow():
    from datetime import date

    from clinic.kernel.dates import clinic_tz, local_span

    start, end = local_span(date.max, date.max, None, None, clinic_tz())
    assert start < end and end.date() == date.max


def test_calendar_survives_time_off_that_runs_to_the_end_of_the_calendar(reception_client, practitioner):
    from datetime import date

    from clinic.tests.builders import make_time_off

    make_time_off(practitioner, future_day(), date.max)
    assert reception_client.get(f"/clinic/calendar/?date={future_day()}").status_code == 200


def test_closures_and_time_off_keep_to_the_clinic_range(db, practitioner):
    from datetime import date

    from django.core.exceptions import ValidationError

    from clinic.models import Closure
    from practitioners.models import TimeOff

    far = date(9999, 12, 31)
    with pytest.raises(ValidationError, match="between"):
        Closure(start_date=far, end_date=far, reason="Forever").full_clean()
    with pytest.raises(ValidationError, match="between"):
        TimeOff(practitioner=practitioner, start_date=far, end_date=far).full_clean()
