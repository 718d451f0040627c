"""send_reminders: each reminder written to the outbox once, only for clients who agreed; the
outbox's worker sends it at least once (retrying until given up) and never twice."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients.tests.builders import make_client
from clinic.kernel.outbox.models import Message, MessageStatus
from clinic.models import Booking
from clinic.services import cancel_booking, move_booking
from clinic.tests.builders import future_day, local, make_booking
from conftest import run_outbox_worker


@pytest.fixture
def soon(service):
    """A moment a few hours ahead, inside the default 24-hour reminder window."""
    return (timezone.now() + timedelta(hours=5)).replace(microsecond=0)


def run() -> str:
    """The cron job, then the worker."""
    out = StringIO()
    call_command("send_reminders", stdout=out)
    run_outbox_worker()
    return out.getvalue()


def test_each_reminder_is_sent_once_even_when_run_twice(practitioner, service, soon, mailoutbox):
    consenting = make_client(first_name="Ada", email_reminders=True)
    booking = make_booking(practitioner=practitioner, service=service, start=soon, client=consenting)
    assert "1 queued" in run()
    assert "0 queued" in run()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [consenting.email]
    assert mailoutbox[0].attachments[0][0].endswith(".ics")
    booking.refresh_from_db()
    assert booking.reminder_queued_at
    message = Message.objects.get()
    assert message.key == f"reminder:{booking.pk}:{booking.start.isoformat()}"
    assert message.status == MessageStatus.SENT


def test_no_consent_or_no_email_means_no_reminder(
    practitioner, other_practitioner, service, soon, mailoutbox
):
    make_booking(
        practitioner=practitioner, service=service, start=soon, client=make_client(email_reminders=False)
    )
    no_email = make_client(email="", email_reminders=True)
    make_booking(practitioner=other_practitioner, service=service, start=soon, client=no_email)
    run()
    assert mailoutbox == []


def test_only_sessions_inside_the_window_and_still_booked(practitioner, service, mailoutbox, settings):
    settings.REMINDER_HOURS_BEFORE = 24
    now = timezone.now().replace(microsecond=0)
    later = make_booking(
        practitioner=practitioner, service=service, start=now + timedelta(hours=30),
        client=make_client(email_reminders=True),
    )  # fmt: skip
    make_booking(
        practitioner=practitioner, service=service, start=now + timedelta(hours=3), status="cancelled",
        client=make_client(email_reminders=True),
    )  # fmt: skip
    run()
    assert mailoutbox == []
    assert Booking.objects.get(pk=later.pk).reminder_queued_at is None


def test_a_reminder_whose_worker_died_mid_send_is_sent_after_the_lease(
    practitioner, service, soon, mailoutbox
):
    make_booking(
        practitioner=practitioner, service=service, start=soon, client=make_client(email_reminders=True)
    )
    call_command("send_reminders", stdout=StringIO())
    # A worker claimed it and was killed before sending; its lease has run out since.
    Message.objects.update(
        status=MessageStatus.SENDING, attempts=1, claimed_until=timezone.now() - timedelta(seconds=1)
    )
    run_outbox_worker()
    assert len(mailoutbox) == 1
    assert Message.objects.get().status == MessageStatus.SENT


def test_a_failing_mail_server_loses_no_reminder(practitioner, service, soon, mailoutbox, settings):
    for _ in range(3):
        make_booking(
            practitioner=practitioner, service=service, start=soon, client=make_client(email_reminders=True)
        )
        soon += timedelta(hours=1)
    settings.EMAIL_BACKEND = "clinic.tests.failing_email.FailingEmailBackend"
    run()
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.FAILED}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Message.objects.update(next_attempt_at=timezone.now())  # the back-off has passed
    run()
    run()
    assert len(mailoutbox) == 3
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_moved_booking_gets_a_reminder_for_its_new_time_only(
    practitioner, service, room, receptionist, mailoutbox, settings
):
    settings.REMINDER_HOURS_BEFORE = 24 * 60  # both times inside the window, in working hours
    first, later = local(future_day(), 10), local(future_day(), 14)
    booking = make_booking(
        practitioner=practitioner, service=service, start=first, room=room,
        client=make_client(email_reminders=True),
    )  # fmt: skip
    call_command("send_reminders", stdout=StringIO())  # queued, not sent yet
    move_booking(booking=booking, start=later, by=receptionist)
    run()
    keys = dict(Message.objects.filter(kind="reminder").values_list("key", "status"))
    assert keys == {
        f"reminder:{booking.pk}:{first.isoformat()}": MessageStatus.GIVEN_UP,  # withdrawn
        f"reminder:{booking.pk}:{later.isoformat()}": MessageStatus.SENT,
    }
    reminders = [m for m in mailoutbox if m.subject.startswith("Reminder")]
    assert len(reminders) == 1


def test_a_cancelled_booking_withdraws_its_unsent_reminder(practitioner, service, soon, receptionist):
    booking = make_booking(
        practitioner=practitioner, service=service, start=soon, client=make_client(email_reminders=True)
    )
    call_command("send_reminders", stdout=StringIO())
    cancel_booking(booking=booking, by=receptionist, reason="Unwell")
    reminder = Message.objects.get(kind="reminder")
    assert reminder.status == MessageStatus.GIVEN_UP and "cancelled" in reminder.last_error


def test_reminder_holds_no_clinical_content(practitioner, service, soon, mailoutbox):
    from clients.tests.builders import make_intake

    client = make_client(email_reminders=True)
    make_intake(client, diabetes=True, medications="Metformin")
    make_booking(practitioner=practitioner, service=service, start=soon, client=client)
    run()
    body = mailoutbox[0].body.lower()
    assert "diabetes" not in body and "metformin" not in body and "clearance" not in body
