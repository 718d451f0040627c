"""manage.py restore: bring back an archive made by `manage.py backup`, and verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup`. Checks the archive against its manifest "
        "first; then REPLACES the configured database's content with the backup's (pg_restore "
        "--clean --if-exists --no-owner in one transaction on PostgreSQL; SQLite's backup API on "
        "SQLite) and writes the backup's letters into the letters' storage (other letters there are "
        "left alone). Refuses a database that holds data, or a letter that differs, unless --yes. "
        "Then counts every table's rows and hashes every letter against the manifest, prints a "
        "summary, and exits non-zero on any mismatch. Stop the web and worker processes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The archive made by `manage.py backup`.")
        parser.add_argument(
            "--yes", action="store_true", help="Replace a database that holds data, and differing letters."
        )
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args: Any, path: Path, yes: bool, database: str, **options: Any) -> None:
        try:
            summary = restore_backup(path, replace=yes, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stdout.write(line)
        for mismatch in summary.mismatches:
            self.stderr.write(f"Mismatch: {mismatch}")
        if summary.mismatches:
            count = len(summary.mismatches)
            raise CommandError(f"The restore does not match the backup: {count} mismatches.")
