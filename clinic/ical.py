"""iCalendar (RFC 5545) documents for bookings: email attachments and practitioners' feeds.

Only what a calendar needs: the service, the time, the place and at most the client's first
name and initial. Never anything clinical.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from clinic.models import Booking, BookingStatus

PRODID = "-//Clinic practice management//Bookings//EN"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def client_short_name(client) -> str:
    """ "Sam K." - enough for a practitioner's phone calendar, no more."""
    first = (client.preferred_name or client.first_name).strip()
    initial = client.last_name.strip()[:1]
    return f"{first} {initial}.".strip() if initial else first


def _calendar(method: str | None = None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _event(booking: Booking, *, summary: str, stamp: datetime, sequence: int = 0) -> Event:
    event = Event()
    event.add("uid", f"booking-{booking.pk}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("summary", summary)
    event.add(
        "location", settings.CLINIC_NAME + (f", {booking.room.name}" if booking.room is not None else "")
    )
    event.add("sequence", sequence)
    cancelled = booking.status == BookingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def client_invitation(bookings: Iterable[Booking], *, cancelled: bool = False) -> bytes:
    """The .ics attached to a client's confirmation: their own session(s)."""
    cal = _calendar(method="CANCEL" if cancelled else "PUBLISH")
    stamp = timezone.now()
    for booking in bookings:
        summary = f"{booking.service.name} with {booking.practitioner.display_name}"
        # A moved or cancelled session replaces the earlier copy in the client's calendar.
        sequence = int(stamp.timestamp()) - int(booking.created_at.timestamp())
        cal.add_component(_event(booking, summary=summary, stamp=stamp, sequence=max(sequence, 0)))
    return cal.to_ical()


def practitioner_feed(practitioner, bookings: Iterable[Booking]) -> bytes:
    """A practitioner's private feed: their sessions as "Booked" and the service, with the client
    as first name and initial only if the practitioner chose so (phone calendars leak)."""
    cal = _calendar(name=f"{practitioner.display_name} - {settings.CLINIC_NAME}")
    stamp = timezone.now()
    for booking in bookings:
        who = client_short_name(booking.client) if practitioner.ical_shows_client_names else "Booked"
        summary = f"{who} - {booking.service.name}"
        cal.add_component(_event(booking, summary=summary, stamp=stamp))
    return cal.to_ical()
