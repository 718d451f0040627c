"""The admin is no way around the time-off page: time off over booked sessions is refused there
(on its own page and inline on the practitioner), pointing to the page that moves or cancels
the sessions first, as closures are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from clinic.tests.builders import (
    future_day,
    give_hours,
    local,
    make_booking,
    make_service,
    practitioner_admin_form,
)
from practitioners.models import TimeOff

DAY = future_day(weeks=3, weekday=2)


@pytest.fixture
def booked_day(practitioner):
    give_hours(practitioner)
    service = make_service(practitioners=[practitioner], duration_minutes=60, buffer_minutes=0)
    for hour in (9, 11):
        make_booking(practitioner=practitioner, service=service, start=local(DAY, hour))


def _time_off(practitioner, day, **extra):
    return {
        "practitioner": practitioner.pk,
        "start_date": day.isoformat(),
        "end_date": day.isoformat(),
        "start_time": "",
        "end_time": "",
        "reason": "Course",
        **extra,
    }


def test_time_off_over_booked_sessions_is_refused_pointing_to_the_page(back_office, practitioner, booked_day):
    response = back_office.post(reverse("admin:practitioners_timeoff_add"), _time_off(practitioner, DAY))

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 booked sessions fall in these days" in page and "Schedules &gt; Time off" in page
    assert not TimeOff.objects.exists()


def test_a_part_day_that_misses_the_sessions_is_saved(back_office, practitioner, booked_day):
    afternoon = _time_off(practitioner, DAY, start_time="13:00", end_time="17:00")
    response = back_office.post(reverse("admin:practitioners_timeoff_add"), afternoon)
    assert response.status_code == 302
    other_day = _time_off(practitioner, DAY + timedelta(days=1))
    assert back_office.post(reverse("admin:practitioners_timeoff_add"), other_day).status_code == 302
    assert TimeOff.objects.count() == 2


def test_a_morning_over_a_session_is_refused(back_office, practitioner, booked_day):
    morning = _time_off(practitioner, DAY, start_time="08:00", end_time="10:00")
    response = back_office.post(reverse("admin:practitioners_timeoff_add"), morning)
    assert "1 booked session falls in these days" in response.content.decode()
    assert not TimeOff.objects.exists()


def test_moving_existing_time_off_onto_sessions_is_refused(back_office, practitioner, booked_day):
    away = TimeOff.objects.create(
        practitioner=practitioner, start_date=DAY + timedelta(days=1), end_date=DAY + timedelta(days=1)
    )
    url = reverse("admin:practitioners_timeoff_change", args=[away.pk])
    response = back_office.post(url, _time_off(practitioner, DAY))
    assert "2 booked sessions fall" in response.content.decode()
    away.refresh_from_db()
    assert away.start_date == DAY + timedelta(days=1)


def test_the_practitioner_pages_inline_time_off_is_refused_too(back_office, practitioner, booked_day):
    url = reverse("admin:practitioners_practitioner_change", args=[practitioner.pk])
    data = practitioner_admin_form(
        practitioner,
        **{
            "time_off-TOTAL_FORMS": 1,
            "time_off-0-start_date": DAY.isoformat(),
            "time_off-0-end_date": DAY.isoformat(),
            "time_off-0-reason": "Course",
        },
    )
    response = back_office.post(url, data)

    assert response.status_code == 200
    assert "2 booked sessions fall in these days" in response.content.decode()
    assert not TimeOff.objects.exists()


def test_reception_cannot_reach_the_time_off_admin(reception_client):
    response = reception_client.get(reverse("admin:practitioners_timeoff_add"))
    assert response.status_code == 302 and "/login/" in response["Location"]
