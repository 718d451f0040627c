"""manage.py backup: the database, the physicians' letters and a manifest in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the clinic into one .tar.gz archive: the database (pg_dump --format=custom on "
        "PostgreSQL, SQLite's online backup API on SQLite), every physician's letter in the letters' "
        "storage (local folder or S3), and manifest.json (app version, migrations, time, database "
        "vendor, rows per table, SHA-256 of the dump and of each letter). Reads the database and the "
        "letters' storage and changes neither; writes only the archive, readable by its owner only "
        "(default: clinic-backup-<UTC time>.tar.gz in the current folder, or in the folder --output "
        "names). Safe while the clinic "
        "works: the dump and its row counts come from one snapshot."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="The archive to write (.tar.gz), or a folder for it.")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args: Any, output: Path | None, database: str, **options: Any) -> None:
        try:
            summary = create_backup(output, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stdout.write(line)
