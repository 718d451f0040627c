"""Delete old outgoing emails and webhook events that are done with, for cron."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinic.integrations.services import prune_events
from clinic.kernel.outbox.services import prune


class Command(BaseCommand):
    help = (
        "Delete the outbox's emails and the webhook events older than --days (default "
        "OUTBOX_KEEP_DAYS, 730) that are finished: emails sent or given up, events whose every "
        "delivery is delivered or given up. Anything still to send is kept whatever its age. "
        "A booking's page then no longer lists those emails. Deletes in batches of 1,000, each "
        "its own transaction, so it can run while the clinic works; --dry-run only counts. "
        "Safe to run from cron (weekly, say) and to run twice."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None, help="Keep what is younger than this.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.OUTBOX_KEEP_DAYS if options["days"] is None else options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1: today's emails are the booking pages' record.")
        before = timezone.now() - timedelta(days=days)
        dry_run = options["dry_run"]
        emails = prune(before=before, dry_run=dry_run)
        events = prune_events(before=before, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {emails} email(s) and {events} webhook event(s) finished before "
            f"{timezone.localtime(before):%Y-%m-%d %H:%M} ({days} days)."
        )
