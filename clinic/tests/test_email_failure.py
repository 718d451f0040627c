"""The booking pages never wait on the mail server: a confirmation is written to the outbox in
the booking's transaction and sent by a worker afterwards. A mail server that hangs or is down
neither delays nor undoes a booking, a move or a cancellation, and shows no 500; the worker
records the failure and tries again later."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.tests.builders import make_client
from clinic.kernel.outbox.models import Message, MessageStatus
from clinic.kernel.outbox.tests.backends import CountingEmailBackend, HangingEmailBackend
from clinic.models import Booking, BookingStatus, Course
from clinic.tests.builders import future_day, local, make_booking
from conftest import run_outbox_worker

DAY = future_day()
FAILING = "clinic.tests.failing_email.FailingEmailBackend"
HANGING = "clinic.kernel.outbox.tests.backends.HangingEmailBackend"

# The request's transaction really commits: what used to send "on commit" would run here.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_down(settings):
    settings.EMAIL_BACKEND = FAILING


@pytest.fixture
def mail_hangs(settings):
    settings.EMAIL_BACKEND = HANGING
    HangingEmailBackend.calls.clear()
    yield
    HangingEmailBackend.calls.clear()


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _book(reception_client, who, service, practitioner, time="10:00"):
    data = {"client": who.pk, "service": service.pk, "practitioner": practitioner.pk,
            "date": DAY.isoformat(), "time": time}  # fmt: skip
    return reception_client.post(reverse("clinic:booking_new"), data, follow=True)


def test_a_hanging_mail_server_is_never_called_by_the_booking_request(
    mail_hangs, reception_client, practitioner, service, room
):
    who = make_client()
    response = _book(reception_client, who, service, practitioner)
    assert response.status_code == 200
    assert HangingEmailBackend.calls == []  # the request did not touch the mail server
    booking = Booking.objects.get(client=who, start=local(DAY, 10))
    message = Message.objects.get(key=f"booking:{booking.pk}:booked")
    assert message.status == MessageStatus.PENDING and message.recipient == who.email
    assert not any("could not be sent" in m for m in _messages(response))


def test_booking_stands_and_its_email_waits_when_the_mail_server_is_down(
    mail_down, reception_client, practitioner, service, room
):
    who = make_client()
    response = _book(reception_client, who, service, practitioner)
    assert response.status_code == 200
    assert Booking.objects.filter(client=who, start=local(DAY, 10)).exists()
    assert "could not be sent" not in " ".join(_messages(response))
    run_outbox_worker()
    message = Message.objects.get()
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert "SMTPServerDisconnected" in message.last_error
    # The booking page says where the email stands.
    page = reception_client.get(reverse("clinic:booking_detail", args=[Booking.objects.get().pk]))
    assert "not sent yet, retrying" in page.content.decode()


def test_a_move_and_a_cancellation_stand_when_the_mail_server_is_down(
    mail_down, reception_client, practitioner, service, room
):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    moved = reception_client.post(
        reverse("clinic:booking_move", args=[booking.pk]),
        {"date": DAY.isoformat(), "time": "12:00", "practitioner": practitioner.pk},
        follow=True,
    )
    assert moved.status_code == 200
    cancelled = reception_client.post(
        reverse("clinic:booking_cancel", args=[booking.pk]), {"reason": "Unwell"}, follow=True
    )
    assert cancelled.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.start == local(DAY, 12)
    assert sorted(Message.objects.values_list("kind", flat=True)) == ["cancelled", "moved"]


def test_a_course_stands_when_the_mail_server_is_down(
    mail_down, reception_client, practitioner, service, room
):
    who = make_client()
    data = {"client": who.pk, "service": service.pk, "practitioner": practitioner.pk,
            "date": DAY.isoformat(), "time": "10:00", "sessions": "2", "every_weeks": "1",
            "confirm": "1"}  # fmt: skip
    response = reception_client.post(reverse("clinic:course_new"), data, follow=True)
    assert response.status_code == 200
    course = Course.objects.get(client=who)
    assert course.bookings.count() == 2
    assert Message.objects.get().key == f"course:{course.pk}:booked"  # one email for the course


def test_the_email_goes_out_once_the_mail_server_is_back(
    settings, reception_client, practitioner, service, room
):
    settings.EMAIL_BACKEND = "clinic.kernel.outbox.tests.backends.CountingEmailBackend"
    CountingEmailBackend.reset()
    CountingEmailBackend.down = True
    _book(reception_client, make_client(), service, practitioner)
    run_outbox_worker()
    assert CountingEmailBackend.sent == []
    CountingEmailBackend.down = False
    Message.objects.update(next_attempt_at=Message.objects.get().created_at)  # the back-off has passed
    run_outbox_worker()
    run_outbox_worker()
    assert len(CountingEmailBackend.sent) == 1
    assert Message.objects.get().status == MessageStatus.SENT
