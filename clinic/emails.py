"""Messages to clients: confirmations (booked, moved, changed, cancelled) and reminders.

Each is written to the outbox (clinic.kernel.outbox) inside the caller's transaction and sent
by a worker after it commits; nothing here waits on the mail server. Only to clients with an
email address; never any clinical content (no screening, intake or notes) - the service's name,
the practitioner, the time and the place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

from clinic.ical import client_invitation
from clinic.kernel.outbox.models import Message
from clinic.kernel.outbox.services import withdraw, write_message
from clinic.models import Booking

SUBJECTS = {
    "booked": "Your appointment is booked",
    "moved": "Your appointment has moved",
    "changed": "Your appointment has changed",
    "cancelled": "Your appointment is cancelled",
    "reminder": "Reminder: your appointment",
}


def topic_of(bookings: Sequence[Booking]) -> str:
    """What the booking page looks up: the booking, or the course for a course's email."""
    first = bookings[0]
    return f"course:{first.course_id}" if len(bookings) > 1 and first.course_id else f"booking:{first.pk}"


def topics_for(booking: Booking) -> list[str]:
    topics = [f"booking:{booking.pk}"]
    if booking.course_id:
        topics.append(f"course:{booking.course_id}")
    return topics


def reminder_key(booking_id: int, start: datetime) -> str:
    """One reminder per booking and start time: a moved booking gets a new one."""
    return f"reminder:{booking_id}:{start.isoformat()}"


def queue_booking_email(
    bookings: Sequence[Booking],
    kind: str,
    *,
    key: str,
    new_key: bool = False,
    links: dict[str, str] | None = None,
) -> Message | None:
    """Write the confirmation of booked, moved or cancelled session(s) of one client to the
    outbox under `key` (one key, one email); None when the client has no email address.
    `new_key`: see `write_message`. `links`: private links for the client (online booking's
    "manage_url", "intake_url"); they are credentials, so the message is then sensitive."""
    if not bookings or not bookings[0].client.email:
        return None
    client = bookings[0].client
    context = {"client": client, "bookings": bookings, "kind": kind, "clinic_name": settings.CLINIC_NAME}
    context.update(links or {})
    ics = client_invitation(bookings, cancelled=kind == "cancelled")
    return write_message(
        key=key,
        kind=kind,
        topic=topic_of(bookings),
        recipient=client.email,
        subject=f"{SUBJECTS[kind]} - {settings.CLINIC_NAME}",
        body=render_to_string("clinic/email/booking.txt", context),
        attachments=[("appointment.ics", ics.decode(), "text/calendar")],
        new_key=new_key,
        sensitive=bool(links),
    )


def queue_reminder(booking: Booking) -> Message | None:
    """A reminder, only to a client with an address who agreed to email reminders."""
    if not booking.client.email_reminders:
        return None
    return queue_booking_email([booking], "reminder", key=reminder_key(booking.pk, booking.start))


def withdraw_reminder(booking: Booking, start: datetime, reason: str) -> bool:
    """Stop an unsent reminder for a time the booking no longer has."""
    return withdraw(key=reminder_key(booking.pk, start), reason=reason)
