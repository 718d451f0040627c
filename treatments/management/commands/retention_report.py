"""List the clients whose records are past the retention period. Reads only: deletes nothing."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from treatments.retention import past_retention


class Command(BaseCommand):
    help = (
        "List the clients whose records are past the retention period: RETENTION_YEARS (default 8) "
        "after the last visit (the latest completed booking, signed note or intake), counted from "
        "the RETENTION_ADULT_AGE birthday (default 18) for a client who was a minor then. Prints "
        "client id, name, last visit and the last day to keep the record; --json for a machine. "
        "Deletes and changes nothing: what to do with each record is the clinic's decision."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the list as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = past_retention()
        if options["json"]:
            self.stdout.write(json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write(
                f"No client record is past the retention period ({settings.RETENTION_YEARS} years)."
            )
            return
        table = [("Client", "Name", "Last visit", "Retain until")]
        for row in rows:
            name = f"{row.name} (archived)" if row.archived else row.name
            visit = row.last_visit.isoformat() if row.last_visit else "never (record created)"
            table.append((str(row.client_id), name, visit, row.retain_until.isoformat()))
        widths = [max(len(line[i]) for line in table) for i in range(4)]
        for n, line in enumerate(table):
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write(f"{len(rows)} client record(s) past the retention period. Nothing was deleted.")
