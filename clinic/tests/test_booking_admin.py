"""The booking admin: the service's overlap check and the date range apply, a database refusal
is a form error (never a 500), and the room's hold is computed, not typed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clinic.models import Booking, clinic_tz
from clinic.tests.builders import future_day, local, make_booking

DAY = future_day()


def change_data(booking, **overrides):
    start, end = booking.local_start, booking.local_end
    data = {
        "client": booking.client_id,
        "practitioner": booking.practitioner_id,
        "service": booking.service_id,
        "room": booking.room_id or "",
        "course": "",
        "start_0": start.date().isoformat(),
        "start_1": start.strftime("%H:%M:%S"),
        "end_0": end.date().isoformat(),
        "end_1": end.strftime("%H:%M:%S"),
        "status": booking.status,
        "reception_note": "",
        "cancel_reason": "",
    }
    data.update(overrides)
    return data


def url(booking):
    return f"/admin/clinic/booking/{booking.pk}/change/"


@pytest.fixture
def two_bookings(practitioner, other_practitioner, service, room):
    first = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    second = make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 14), room=room)
    return first, second


def test_moving_onto_another_bookings_room_and_time_is_a_form_error(back_office, two_bookings):
    _first, second = two_bookings
    response = back_office.post(url(second), change_data(second, start_1="10:30:00", end_1="11:30:00"))
    assert response.status_code == 200
    assert "Bamboo is taken then" in response.content.decode()
    second.refresh_from_db()
    assert second.start == local(DAY, 14)


def test_a_database_refusal_the_check_missed_is_a_form_error_not_a_500(
    back_office, two_bookings, monkeypatch
):
    _first, second = two_bookings
    monkeypatch.setattr("clinic.services._check_overlaps", lambda booking: None)  # a race: check passed
    response = back_office.post(url(second), change_data(second, start_1="10:30:00", end_1="11:30:00"))
    assert response.status_code == 200
    assert "is taken then" in response.content.decode()
    assert 'value="10:30:00"' in response.content.decode()  # input kept
    second.refresh_from_db()
    assert second.start == local(DAY, 14)


def test_blocks_until_is_read_only_and_follows_the_end_and_the_buffer(back_office, two_bookings):
    _first, second = two_bookings
    data = change_data(second, end_1="15:30:00", blocks_until_0="2030-01-01", blocks_until_1="00:00:00")
    response = back_office.post(url(second), data)
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.end == local(DAY, 15, 30)
    assert second.blocks_until == local(DAY, 15, 30) + second.service.buffer


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01", "1899-12-31"])
def test_dates_outside_the_clinic_range_are_refused(back_office, two_bookings, day):
    _first, second = two_bookings
    response = back_office.post(url(second), change_data(second, start_0=day, end_0=day))
    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()
    second.refresh_from_db()
    assert second.start.astimezone(clinic_tz()).date() == DAY


def test_a_clean_change_saves(back_office, two_bookings):
    _first, second = two_bookings
    response = back_office.post(url(second), change_data(second, start_1="16:00:00", end_1="17:00:00"))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.start == local(DAY, 16)
    assert second.blocks_until == local(DAY, 17) + timedelta(minutes=15)
    assert Booking.objects.count() == 2
