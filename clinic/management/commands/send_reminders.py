"""Email reminders a configurable time before each booked session (REMINDER_HOURS_BEFORE)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinic.emails import send_reminder_email
from clinic.models import Booking, BookingStatus


def due_reminders(now):
    """Booked sessions starting within the reminder window whose reminder nobody claimed,
    for clients with an email address who agreed to email reminders."""
    window_end = now + timedelta(hours=settings.REMINDER_HOURS_BEFORE)
    return (
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            start__gt=now,
            start__lte=window_end,
            reminder_claimed_at__isnull=True,
            client__email_reminders=True,
        )
        .exclude(client__email="")
        .select_related("client", "practitioner", "service", "room")
        .order_by("start")
    )


class Command(BaseCommand):
    help = (
        "Send email reminders for booked sessions starting within REMINDER_HOURS_BEFORE hours, to "
        "clients with an email address who consented to email reminders. Reads bookings and "
        "clients; writes each booking's reminder_claimed_at and reminder_sent_at. Safe to run every "
        "few minutes: each reminder is claimed in the database (committed) before it is sent, so "
        "no rerun, overlapping run or run after a crash sends it twice. The price is at-most-once: "
        "a run killed between the claim and the send leaves that reminder unsent (it shows as "
        "claimed but not sent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        sent = skipped = failed = 0
        for booking in due_reminders(now):
            # The claim is its own committed transaction: a conditional UPDATE that only one
            # run can win.
            with transaction.atomic():
                claimed = Booking.objects.filter(pk=booking.pk, reminder_claimed_at__isnull=True).update(
                    reminder_claimed_at=timezone.now()
                )
            if not claimed:
                skipped += 1
                continue
            try:
                delivered = send_reminder_email(booking)
            except Exception as error:  # a bad address or a mail server hiccup: report, go on
                failed += 1
                self.stderr.write(f"Reminder for booking {booking.pk} failed: {error}")
                continue
            if delivered:
                Booking.objects.filter(pk=booking.pk).update(reminder_sent_at=timezone.now())
                sent += 1
        self.stdout.write(f"Reminders: {sent} sent, {skipped} already claimed, {failed} failed.")
