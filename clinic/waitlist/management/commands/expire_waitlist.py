"""Mark waitlist entries past their expiry as expired (pages already treat them so; this keeps
the stored status honest for the back office and reports). Safe to run as often as wanted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from clinic.waitlist.services import expire_entries


class Command(BaseCommand):
    help = "Mark waitlist entries past their expiry date as expired."

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_entries()
        self.stdout.write(f"{count} waitlist entr{'y' if count == 1 else 'ies'} expired.")
