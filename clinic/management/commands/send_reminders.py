"""Email reminders a configurable time before each booked session (REMINDER_HOURS_BEFORE)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinic.emails import queue_reminder
from clinic.models import Booking, BookingQuerySet, BookingStatus


def due_reminders(now: datetime) -> BookingQuerySet:
    """Booked sessions starting within the reminder window whose reminder is not queued yet,
    for clients with an email address who agreed to email reminders."""
    window_end = now + timedelta(hours=settings.REMINDER_HOURS_BEFORE)
    return (
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            start__gt=now,
            start__lte=window_end,
            reminder_queued_at__isnull=True,
            client__email_reminders=True,
        )
        .exclude(client__email="")
        .select_related("client", "practitioner", "service", "room")
        .order_by("start")
    )


class Command(BaseCommand):
    help = (
        "Queue email reminders for booked sessions starting within REMINDER_HOURS_BEFORE hours, to "
        "clients with an email address who consented to email reminders. Reads bookings and "
        "clients; writes one outbox message per reminder (key reminder:<booking>:<start>) and the "
        "booking's reminder_queued_at. Sends nothing itself: the outbox's workers send, retrying "
        "until sent or given up. Safe to run every few minutes, overlapping or after a crash: the "
        "key makes one message per booking and start time, so a reminder goes out at least once "
        "(until given up) and never twice; a moved booking gets a reminder for its new time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        queued = already = 0
        for booking in due_reminders(now):
            # Each in its own transaction: the message and the mark commit together, and the
            # message is handed to the workers as soon as it commits.
            with transaction.atomic():
                marked = Booking.objects.filter(pk=booking.pk, reminder_queued_at__isnull=True).update(
                    reminder_queued_at=timezone.now()
                )
                if not marked:  # an overlapping run got there first
                    already += 1
                    continue
                queue_reminder(booking)
                queued += 1
        self.stdout.write(f"Reminders: {queued} queued, {already} already queued by another run.")
