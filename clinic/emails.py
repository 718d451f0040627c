"""Messages to clients: confirmations (booked, moved, cancelled) and reminders.

Only to clients with an email address; never any clinical content (no screening, intake or
notes) - the service's name, the practitioner, the time and the place.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from clinic.ical import client_invitation
from clinic.models import Booking

SUBJECTS = {
    "booked": "Your appointment is booked",
    "moved": "Your appointment has moved",
    "cancelled": "Your appointment is cancelled",
    "reminder": "Reminder: your appointment",
}


def _message(bookings: Sequence[Booking], kind: str) -> EmailMessage | None:
    client = bookings[0].client
    if not client.email:
        return None
    context = {"client": client, "bookings": bookings, "kind": kind, "clinic_name": settings.CLINIC_NAME}
    body = render_to_string("clinic/email/booking.txt", context)
    subject = f"{SUBJECTS[kind]} - {settings.CLINIC_NAME}"
    message = EmailMessage(subject=subject, body=body, to=[client.email])
    message.attach(
        "appointment.ics", client_invitation(bookings, cancelled=kind == "cancelled"), "text/calendar"
    )
    return message


def send_booking_email(bookings: Sequence[Booking], kind: str) -> int:
    """Confirm booked, moved or cancelled session(s) of one client; returns messages sent."""
    if not bookings:
        return 0
    message = _message(bookings, kind)
    return message.send() if message else 0


def send_reminder_email(booking: Booking) -> int:
    """A reminder, only to a client who agreed to email reminders."""
    if not booking.client.email_reminders:
        return 0
    message = _message([booking], "reminder")
    return message.send() if message else 0
