"""A future booking can't be marked arrived (before its day) or completed (before its start),
and the quick actions don't offer those steps early."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import BookingStatus, IllegalTransition
from clinic.tests.builders import future_day, local, make_booking

DAY = future_day()


def test_arrival_is_refused_before_the_bookings_day(practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    with pytest.raises(IllegalTransition, match="only arrive on the day of the session"):
        booking.mark_arrived(now=local(DAY - timedelta(days=1), 23))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    booking.mark_arrived(now=local(DAY, 9, 40))  # early on the day is fine
    assert booking.status == BookingStatus.ARRIVED


def test_completion_is_refused_before_the_start(practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    booking.mark_arrived(now=local(DAY, 9, 40))
    with pytest.raises(IllegalTransition, match="completed once it has started"):
        booking.mark_completed(now=local(DAY, 9, 50))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED
    booking.mark_completed(now=local(DAY, 11))
    assert booking.status == BookingStatus.COMPLETED


@pytest.mark.parametrize("action", ["arrived", "completed"])
def test_the_quick_action_on_a_future_booking_is_refused_with_a_message(
    reception_client, practitioner, service, room, action
):
    status = BookingStatus.ARRIVED if action == "completed" else BookingStatus.BOOKED
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room,
                           status=status)  # fmt: skip
    url = reverse("clinic:booking_status", args=[booking.pk, action])
    response = reception_client.post(url)
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.status == status
    assert "only" in response.content.decode()


def test_a_future_booking_offers_neither_arrived_nor_no_show(reception_client, practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    page = reception_client.get(reverse("clinic:booking_detail", args=[booking.pk])).content.decode()
    assert reverse("clinic:booking_status", args=[booking.pk, "arrived"]) not in page
    assert reverse("clinic:booking_status", args=[booking.pk, "no_show"]) not in page
    assert reverse("clinic:booking_move", args=[booking.pk]) in page


def test_an_early_arrival_is_not_offered_completed_before_the_start(
    reception_client, practitioner, service, room
):
    soon = timezone.now() + timedelta(minutes=30)
    booking = make_booking(practitioner=practitioner, service=service, start=soon, room=room,
                           status=BookingStatus.ARRIVED)  # fmt: skip
    page = reception_client.get(reverse("clinic:booking_detail", args=[booking.pk])).content.decode()
    assert reverse("clinic:booking_status", args=[booking.pk, "completed"]) not in page
    assert reverse("clinic:booking_status", args=[booking.pk, "undo"]) in page


def test_todays_started_booking_offers_arrived_and_no_show(reception_client, practitioner, service, room):
    started = timezone.now() - timedelta(minutes=1)
    booking = make_booking(practitioner=practitioner, service=service, start=started, room=room)
    page = reception_client.get(reverse("clinic:booking_detail", args=[booking.pk])).content.decode()
    assert reverse("clinic:booking_status", args=[booking.pk, "arrived"]) in page
    assert reverse("clinic:booking_status", args=[booking.pk, "no_show"]) in page
