"""The booking admin is a window: bookings are read there with their history, and changed only
on the booking pages, through the booking service (screening, overlaps, the state machine).

Crafted admin posts, as a manager and as a practitioner given `is_staff`, change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.tests.builders import back_office_client, make_client, make_intake
from clinic.models import Booking, Course
from clinic.tests.builders import future_day, local, make_booking

DAY = future_day()


@pytest.fixture(params=["manager", "staff practitioner"])
def staff(request, manager, practitioner):
    return back_office_client(manager if request.param == "manager" else practitioner.user)


def booking_form(booking: Booking, **overrides) -> dict:
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


def state(booking: Booking) -> tuple:
    booking.refresh_from_db()
    return (booking.status, booking.start, booking.end, booking.client_id, booking.cancelled_at)


@pytest.fixture
def completed(practitioner, service, room):
    return make_booking(
        practitioner=practitioner,
        service=service,
        start=local(future_day(-2), 10),
        room=room,
        status="completed",
    )


def test_a_do_not_treat_client_cannot_be_booked_in_the_admin(staff, practitioner, service, room):
    client = make_client()
    make_intake(client, fever_or_illness_today=True, blood_clots="suspected")
    template = Booking(
        client=client, practitioner=practitioner, service=service, room=room, start=local(DAY, 10)
    )
    template.end = template.start + service.duration
    url = reverse("admin:clinic_booking_add")
    assert staff.get(url).status_code == 403
    assert staff.post(url, booking_form(template)).status_code == 403
    assert not Booking.objects.exists()


@pytest.mark.parametrize("status", ["booked", "cancelled", "no_show", "arrived"])
def test_a_completed_booking_keeps_its_state(staff, completed, status):
    before = state(completed)
    url = reverse("admin:clinic_booking_change", args=[completed.pk])
    assert staff.post(url, booking_form(completed, status=status, cancel_reason="x")).status_code == 403
    assert state(completed) == before


def test_a_booking_is_not_moved_in_the_admin(staff, practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 14), room=room)
    before = state(booking)
    url = reverse("admin:clinic_booking_change", args=[booking.pk])
    response = staff.post(url, booking_form(booking, start_1="16:00:00", end_1="17:00:00"))
    assert response.status_code == 403
    assert state(booking) == before


def test_an_old_version_is_not_written_back(staff, practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 14), room=room)
    booking.cancel(by=None, reason="Client phoned")
    first = booking.history.earliest("history_id")
    url = reverse("admin:clinic_booking_simple_history", args=[booking.pk, first.history_id])
    assert staff.post(url, booking_form(booking, status="booked")).status_code == 403
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_at is not None


def test_the_admin_shows_the_booking_and_links_to_its_page(back_office, practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 14), room=room)
    page = back_office.get(reverse("admin:clinic_booking_change", args=[booking.pk]))
    assert page.status_code == 200
    assert reverse("clinic:booking_detail", args=[booking.pk]) in page.content.decode()
    history = back_office.get(reverse("admin:clinic_booking_history", args=[booking.pk]))
    assert history.status_code == 200


def test_courses_are_booked_on_the_course_page_not_in_the_admin(staff, practitioner, service):
    response = staff.post(
        reverse("admin:clinic_course_add"),
        {"client": make_client().pk, "practitioner": practitioner.pk, "service": service.pk, "sessions": 4},
    )
    assert response.status_code == 403
    assert not Course.objects.exists()
