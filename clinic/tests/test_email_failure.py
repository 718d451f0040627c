"""A confirmation email that can't be sent never undoes the booking nor shows a 500: it is
logged, and the user is warned."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from clients.tests.builders import make_client
from clinic.models import Booking, BookingStatus, Course
from clinic.tests.builders import future_day, local, make_booking

DAY = future_day()
FAILING = "clinic.tests.failing_email.FailingEmailBackend"

# The request's transaction must really commit for the email (sent on commit) to be tried.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_down(settings):
    settings.EMAIL_BACKEND = FAILING


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_booking_stands_and_the_user_is_warned_when_the_confirmation_fails(
    mail_down, reception_client, practitioner, service, room, caplog
):
    who = make_client()
    data = {"client": who.pk, "service": service.pk, "practitioner": practitioner.pk,
            "date": DAY.isoformat(), "time": "10:00"}  # fmt: skip
    with caplog.at_level(logging.ERROR, logger="clinic.services"):
        response = reception_client.post(reverse("clinic:booking_new"), data, follow=True)
    assert response.status_code == 200
    assert Booking.objects.filter(client=who, start=local(DAY, 10)).exists()
    assert "Booked, but the confirmation email could not be sent." in _messages(response)
    assert "Could not send the booked email" in caplog.text
    assert "SMTPServerDisconnected" in caplog.text  # logged with the traceback


def test_a_move_and_a_cancellation_stand_when_their_email_fails(
    mail_down, reception_client, practitioner, service, room
):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    moved = reception_client.post(
        reverse("clinic:booking_move", args=[booking.pk]),
        {"date": DAY.isoformat(), "time": "12:00", "practitioner": practitioner.pk},
        follow=True,
    )
    assert "Moved, but the confirmation email could not be sent." in _messages(moved)
    cancelled = reception_client.post(
        reverse("clinic:booking_cancel", args=[booking.pk]), {"reason": "Unwell"}, follow=True
    )
    assert "Cancelled, but the confirmation email could not be sent." in _messages(cancelled)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.start == local(DAY, 12)


def test_a_course_stands_when_its_email_fails(mail_down, reception_client, practitioner, service, room):
    who = make_client()
    data = {"client": who.pk, "service": service.pk, "practitioner": practitioner.pk,
            "date": DAY.isoformat(), "time": "10:00", "sessions": "2", "every_weeks": "1",
            "confirm": "1"}  # fmt: skip
    response = reception_client.post(reverse("clinic:course_new"), data, follow=True)
    assert response.status_code == 200
    assert Course.objects.get(client=who).bookings.count() == 2
    assert "Booked, but the confirmation email could not be sent." in _messages(response)


def test_no_warning_when_the_email_is_sent(reception_client, practitioner, service, room, mailoutbox):
    who = make_client()
    data = {"client": who.pk, "service": service.pk, "practitioner": practitioner.pk,
            "date": DAY.isoformat(), "time": "10:00"}  # fmt: skip
    response = reception_client.post(reverse("clinic:booking_new"), data, follow=True)
    assert len(mailoutbox) == 1
    assert not any("could not be sent" in m for m in _messages(response))
