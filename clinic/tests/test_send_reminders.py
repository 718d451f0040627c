"""send_reminders: each reminder once, only to clients who agreed, never twice."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients.tests.builders import make_client
from clinic.models import Booking
from clinic.tests.builders import make_booking


@pytest.fixture
def soon(service):
    """A moment a few hours ahead, inside the default 24-hour reminder window."""
    return (timezone.now() + timedelta(hours=5)).replace(microsecond=0)


def run() -> str:
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def test_each_reminder_is_sent_once_even_when_run_twice(practitioner, service, soon, mailoutbox):
    consenting = make_client(first_name="Ada", email_reminders=True)
    booking = make_booking(practitioner=practitioner, service=service, start=soon, client=consenting)
    assert "1 sent" in run()
    assert "0 sent" in run()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [consenting.email]
    assert mailoutbox[0].attachments[0][0].endswith(".ics")
    booking.refresh_from_db()
    assert booking.reminder_claimed_at and booking.reminder_sent_at


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
    assert Booking.objects.get(pk=later.pk).reminder_claimed_at is None


def test_a_reminder_claimed_by_an_earlier_run_that_died_is_not_resent(
    practitioner, service, soon, mailoutbox
):
    booking = make_booking(
        practitioner=practitioner, service=service, start=soon, client=make_client(email_reminders=True)
    )
    # A run claimed it and was killed before sending: at-most-once means it stays unsent.
    Booking.objects.filter(pk=booking.pk).update(reminder_claimed_at=timezone.now())
    run()
    assert mailoutbox == []


def test_reminder_holds_no_clinical_content(practitioner, service, soon, mailoutbox):
    from clients.tests.builders import make_intake

    client = make_client(email_reminders=True)
    make_intake(client, diabetes=True, medications="Metformin")
    make_booking(practitioner=practitioner, service=service, start=soon, client=client)
    run()
    body = mailoutbox[0].body.lower()
    assert "diabetes" not in body and "metformin" not in body and "clearance" not in body
