"""The course form's picked alternative times: local values are the clinic's time, bad ones a
form error (400), never a 500."""

from __future__ import annotations

import pytest

from clients.tests.builders import make_client
from clinic.models import Booking, Course
from clinic.tests.builders import future_day, local

NEW = "/clinic/courses/new/"
FIRST = future_day()


def course_data(who, prac, svc, **extra):
    data = {"client": who.pk, "service": svc.pk, "practitioner": prac.pk,
            "date": FIRST.isoformat(), "time": "10:00", "sessions": "2", "every_weeks": "1"}  # fmt: skip
    data.update(extra)
    return data


def test_a_local_alternative_without_an_offset_is_the_clinics_wall_clock_time(
    reception_client, practitioner, service, room
):
    who = make_client()
    picked = local(FIRST, 14).replace(tzinfo=None).isoformat()  # "YYYY-MM-DDT14:00:00"
    data = course_data(who, practitioner, service, session_2=picked, confirm="1")
    response = reception_client.post(NEW, data)
    assert response.status_code == 302
    assert [b.start for b in Booking.objects.order_by("start")] == [local(FIRST, 10), local(FIRST, 14)]


def test_a_date_only_alternative_is_read_as_local_midnight_and_answered_on_the_form(
    reception_client, practitioner, service, room
):
    who = make_client()
    response = reception_client.post(NEW, course_data(who, practitioner, service, session_2=f"{FIRST}"))
    assert response.status_code == 200  # planned: midnight is outside working hours, shown as a conflict
    assert response.context["plan"][1].start == local(FIRST, 0)
    assert not response.context["plan"][1].free


@pytest.mark.parametrize(
    "raw", ["garbage", "9999-12-31T23:30:00-05:00", "0001-01-01T00:00:00+05:00", "2101-01-01"]
)
def test_an_unreadable_or_out_of_range_alternative_is_a_form_error(
    reception_client, practitioner, service, room, raw
):
    who = make_client()
    response = reception_client.post(NEW, course_data(who, practitioner, service, session_2=raw, confirm="1"))
    assert response.status_code == 400
    assert "Session 2" in str(response.context["form"].non_field_errors())
    assert not Course.objects.exists() and not Booking.objects.exists()
