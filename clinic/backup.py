"""Backups: one archive (.tar.gz) holding the database, the physicians' letters and a manifest.

The archive holds
- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite3` (SQLite: a copy
  made with SQLite's online backup API, never a file copy of a live database);
- `letters/<name>`: every file of the letters' storage, read through Django's storage API (a
  local folder or an S3 bucket alike), under the name the clearance records;
- `manifest.json`, written last: the app's version and migration state, when, the database
  vendor, row counts per table, and the SHA-256 of the dump and of each letter.

The row counts and the migration state are read in the same snapshot the dump is made from
(PostgreSQL: an exported snapshot handed to pg_dump; SQLite: read from the copy), so a clinic
working during the backup cannot make the manifest disagree with its own dump. Letters are read
after the database: a letter is saved before its clearance row, so every letter the dump names is
already in the storage.

Restoring checks the archive against its manifest before touching anything, loads the database
(pg_restore, or the backup API the other way), writes the letters, then counts and hashes again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from clients.models import PhysicianClearance

FORMAT = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
LETTERS_DIR = "letters/"
# Where clients.models.clearance_letter_path puts every letter.
LETTERS_TOP = "clearances"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- Reading the database -----------------------------------------------------------------


def table_names(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname = ANY(current_schemas(false)) ORDER BY tablename"
        )
    return sorted(row[0] for row in cursor.fetchall())


def row_counts(cursor: Any, vendor: str) -> dict[str, int]:
    """Rows in every table (a DB-API cursor: Django's or sqlite3's)."""
    counts = {}
    for table in table_names(cursor, vendor):
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a quoted table name
        counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(cursor: Any, vendor: str) -> dict[str, list[str]]:
    if "django_migrations" not in table_names(cursor, vendor):
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


@dataclass
class DatabaseCopy:
    counts: dict[str, int]
    migrations: dict[str, list[str]]


# --- PostgreSQL through its own tools --------------------------------------------------------

# libpq reads these; the ones the settings leave empty are taken off the inherited environment so
# that a stray PGDATABASE cannot point the tools at another database.
_PG_VARIABLES = {
    "HOST": "PGHOST",
    "PORT": "PGPORT",
    "USER": "PGUSER",
    "PASSWORD": "PGPASSWORD",
    "NAME": "PGDATABASE",
}
_PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the connection settings as libpq variables, so
    the password never appears on a command line (where `ps` would show it)."""
    env = {k: v for k, v in os.environ.items() if k not in {*_PG_VARIABLES.values(), *_PG_OPTIONS.values()}}
    options = settings_dict.get("OPTIONS") or {}
    values = {variable: settings_dict.get(key) for key, variable in _PG_VARIABLES.items()}
    values.update({variable: options.get(key) for key, variable in _PG_OPTIONS.items()})
    env.update({variable: str(value) for variable, value in values.items() if value})
    env["PGAPPNAME"] = "clinic-backup"
    return env


def _run_pg_tool(tool: str, args: list[str], settings_dict: dict[str, Any]) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not on the PATH: install the PostgreSQL client tools.")
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [executable, "--no-password", *args],
        env=pg_environment(settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


def dump_postgresql(connection: BaseDatabaseWrapper, target: Path) -> DatabaseCopy:
    """pg_dump in the snapshot of an open transaction, which then counts the rows it dumped."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # Counting a big table may outlast the statement timeout the web requests run under.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run_pg_tool(
            "pg_dump",
            ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            connection.settings_dict,
        )
        return DatabaseCopy(row_counts(cursor, "postgresql"), applied_migrations(cursor, "postgresql"))


def restore_postgresql(connection: BaseDatabaseWrapper, dump: Path) -> None:
    """pg_restore into the configured database, in one transaction: all of it or nothing.

    --clean --if-exists drops each object of the backup before creating it again, so a database
    that holds the schema (or an older copy) is replaced; tables the backup does not have are
    left, and the verification reports them. The rows are loaded before the triggers and
    constraints are created (pg_restore's post-data step), so the signed-note triggers never see
    the load. --no-owner/--no-privileges: the restoring user owns what it creates, whoever owned
    it where the backup was made.
    """
    connection.close()
    _run_pg_tool(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        connection.settings_dict,
    )


# --- SQLite through its online backup API -------------------------------------------------------


def dump_sqlite(connection: BaseDatabaseWrapper, target: Path) -> DatabaseCopy:
    """A consistent copy while others may write: the backup API copies page by page and starts
    over when another connection writes meanwhile. Counts are read from the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        return DatabaseCopy(row_counts(cursor, "sqlite"), applied_migrations(cursor, "sqlite"))
    finally:
        copy.close()


def restore_sqlite(connection: BaseDatabaseWrapper, dump: Path) -> None:
    """The backup API the other way: the configured database becomes a page copy of the backup
    (tables, indexes, triggers and rows at once; nothing is replayed, so no trigger fires)."""
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


# --- Letters through the storage API ----------------------------------------------------------


def letters_storage() -> Storage:
    """The storage the clearance's letter field writes to (local folder or S3, by setting)."""
    return PhysicianClearance._meta.get_field("letter").storage


def stored_names(storage: Storage, top: str = LETTERS_TOP) -> Iterator[str]:
    """Every file under `top` in the storage (listdir works on local folders and on S3)."""
    try:
        folders, files = storage.listdir(top)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{top}/{name}"
    for folder in folders:
        yield from stored_names(storage, f"{top}/{folder}")


def letter_names() -> tuple[list[str], list[str]]:
    """(names to back up, names a record points to that the storage lacks).

    The storage's files under clearances/, plus any name a clearance or an old version of one
    records (should a letter ever sit elsewhere).
    """
    storage = letters_storage()
    names = set(stored_names(storage))
    recorded = set(PhysicianClearance.objects.exclude(letter="").values_list("letter", flat=True))
    recorded |= set(PhysicianClearance.history.exclude(letter="").values_list("letter", flat=True))
    missing = sorted(name for name in recorded - names if not storage.exists(name))
    return sorted(names | (recorded - set(missing))), missing


class _Hashing:
    """A file wrapper that hashes what is read through it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def safe_letter_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


# --- The manifest -----------------------------------------------------------------------------


def app_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def code_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# --- Backup -----------------------------------------------------------------------------------


@dataclass
class BackupSummary:
    path: Path
    vendor: str
    tables: int
    rows: int
    letters: int
    letter_bytes: int
    missing_letters: list[str]
    size: int

    def lines(self) -> list[str]:
        lines = [
            f"Backup written to {self.path} ({self.size:,} bytes).",
            f"Database ({self.vendor}): {self.tables} tables, {self.rows:,} rows.",
            f"Letters: {self.letters} files, {self.letter_bytes:,} bytes.",
        ]
        lines += [f"Warning: a clearance names a letter the storage lacks: {n}" for n in self.missing_letters]
        return lines


def default_backup_path(now: datetime) -> Path:
    return Path(f"clinic-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz")


def create_backup(output: Path | None = None, *, using: str = "default") -> BackupSummary:
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backups cover PostgreSQL and SQLite, not {vendor}.")
    if connection.in_atomic_block:
        raise BackupError("Run the backup outside a transaction: a dump sees only committed rows.")
    created = datetime.now(UTC)
    output = Path(output or default_backup_path(created))
    if output.is_dir():
        output = output / default_backup_path(created)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="clinic-backup-") as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        copy = dump_postgresql(connection, dump) if vendor == "postgresql" else dump_sqlite(connection, dump)
        with dump.open("rb") as handle:
            dump_sha = sha256_of(handle)
        names, missing = letter_names()
        # Clinical records: the archive is readable by its owner only, from its first byte.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                archive.add(dump, arcname=dump.name)
                letters = _add_letters(archive, names, created)
                manifest = {
                    "format": FORMAT,
                    "app": {"name": "clinic", "version": app_version()},
                    "created_at": created.isoformat(),
                    "database": {
                        "vendor": vendor,
                        "file": dump.name,
                        "sha256": dump_sha,
                        "size": dump.stat().st_size,
                        "row_counts": copy.counts,
                        "migrations": copy.migrations,
                    },
                    "letters": letters,
                    "missing_letters": missing,
                }
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode(), created)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return BackupSummary(
        path=output,
        vendor=vendor,
        tables=len(copy.counts),
        rows=sum(copy.counts.values()),
        letters=len(letters),
        letter_bytes=sum(item["size"] for item in letters),
        missing_letters=missing,
        size=output.stat().st_size,
    )


def _tar_info(name: str, size: int, when: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(when.timestamp()), 0o600
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, when: datetime) -> None:
    archive.addfile(_tar_info(name, len(data), when), BytesIO(data))


def _add_letters(archive: tarfile.TarFile, names: list[str], when: datetime) -> list[dict[str, Any]]:
    storage = letters_storage()
    letters = []
    for name in names:
        size = storage.size(name)
        with storage.open(name, "rb") as handle:
            reader = _Hashing(handle)
            archive.addfile(_tar_info(LETTERS_DIR + name, size, when), reader)
        letters.append({"name": name, "size": size, "sha256": reader.sha256.hexdigest()})
    return letters


# --- Restore ----------------------------------------------------------------------------------


@dataclass
class RestoreSummary:
    vendor: str = ""
    created_at: str = ""
    tables: int = 0
    rows: int = 0
    tables_matching: int = 0
    letters_written: int = 0
    letters_unchanged: int = 0
    letters_matching: int = 0
    letters_total: int = 0
    notes: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"Restored the {self.vendor} backup made {self.created_at}: "
            f"{self.tables} tables, {self.rows:,} rows.",
            f"Letters: {self.letters_written} written, {self.letters_unchanged} already there and identical.",
            f"Verified: row counts match in {self.tables_matching} of {self.tables} tables; "
            f"checksums match for {self.letters_matching} of {self.letters_total} letters.",
            *self.notes,
        ]


@dataclass
class UnpackedArchive:
    manifest: dict[str, Any]
    dump: Path
    letters: dict[str, Path]


def unpack(path: Path, work: Path) -> UnpackedArchive:
    """Read the archive into `work`, checking every member against the manifest first: nothing
    is restored from an archive that does not agree with itself."""
    manifest: dict[str, Any] | None = None
    dump: Path | None = None
    dump_sha = ""
    letters: dict[str, tuple[Path, str]] = {}
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for number, member in enumerate(archive):
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                if member.name == MANIFEST:
                    manifest = json.loads(handle.read())
                    continue
                if member.name in DUMP_NAMES.values():
                    dump = work / member.name
                    dump_sha = _copy_hashing(handle, dump)
                elif member.name.startswith(LETTERS_DIR):
                    name = member.name[len(LETTERS_DIR) :]
                    if not safe_letter_name(name):
                        raise BackupError(f"The archive holds a letter with an unsafe name: {member.name!r}.")
                    # Stored under a number: the archive's names never choose a path on this disk.
                    target = work / f"letter-{number}"
                    letters[name] = (target, _copy_hashing(handle, target))
    except (OSError, EOFError, tarfile.TarError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc
    if manifest is None:
        raise BackupError(f"{path} has no {MANIFEST}: not a backup made by `manage.py backup`.")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')!r}: this version reads format {FORMAT}.")
    database = manifest["database"]
    problems = []
    if dump is None or dump.name != database["file"]:
        problems.append(f"the database file {database['file']} is missing")
    elif dump_sha != database["sha256"]:
        problems.append(f"the database file {database['file']} does not match its checksum")
    expected = {item["name"]: item["sha256"] for item in manifest["letters"]}
    for name, sha in expected.items():
        if name not in letters:
            problems.append(f"letter {name} is missing")
        elif letters[name][1] != sha:
            problems.append(f"letter {name} does not match its checksum")
    problems += [f"letter {name} is not in the manifest" for name in sorted(set(letters) - set(expected))]
    if problems:
        raise BackupError("The archive is damaged; nothing was restored: " + "; ".join(problems) + ".")
    assert dump is not None
    return UnpackedArchive(manifest, dump, {name: target for name, (target, _sha) in letters.items()})


def _copy_hashing(handle: IO[bytes], target: Path) -> str:
    digest = hashlib.sha256()
    with target.open("wb") as out:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def restore_backup(path: Path, *, replace: bool, using: str = "default") -> RestoreSummary:
    """Restore the archive into the configured database and letters' storage, then verify.

    Raises BackupError before changing anything when the archive is damaged, made on another
    database vendor, or the database holds data and `replace` is off. Mismatches found after the
    restore are returned in the summary (the caller reports them and exits non-zero).
    """
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Run the restore outside a transaction.")
    with tempfile.TemporaryDirectory(prefix="clinic-restore-") as work:
        unpacked = unpack(Path(path), Path(work))
        manifest = unpacked.manifest
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                f"This is a {vendor} backup; the configured database is {connection.vendor}. "
                "Restore it into the same kind of database."
            )
        with connection.cursor() as cursor:
            present = {table: n for table, n in row_counts(cursor, vendor).items() if n}
        if present and not replace:
            raise BackupError(
                f"The database {connection.settings_dict['NAME']} already holds data "
                f"({sum(present.values()):,} rows in {len(present)} tables). Restoring replaces it: "
                "run again with --yes, or restore into an empty database."
            )
        storage = letters_storage()
        if not replace:
            _refuse_to_overwrite_letters(storage, unpacked.letters)
        if vendor == "postgresql":
            restore_postgresql(connection, unpacked.dump)
        else:
            restore_sqlite(connection, unpacked.dump)
        summary = RestoreSummary(vendor=vendor, created_at=manifest["created_at"])
        _verify_rows(connection, manifest, summary)
        _restore_letters(storage, unpacked.letters, manifest, summary)
    _compare_migrations(manifest, summary)
    return summary


def _refuse_to_overwrite_letters(storage: Storage, letters: dict[str, Path]) -> None:
    for name, source in letters.items():
        if storage.exists(name):
            with storage.open(name, "rb") as held, source.open("rb") as ours:
                if sha256_of(held) != sha256_of(ours):
                    raise BackupError(
                        f"The letters' storage already holds a different {name}. "
                        "Run again with --yes to replace it."
                    )


def _verify_rows(connection: BaseDatabaseWrapper, manifest: dict[str, Any], summary: RestoreSummary) -> None:
    expected: dict[str, int] = manifest["database"]["row_counts"]
    with connection.cursor() as cursor:
        actual = row_counts(cursor, summary.vendor)
    summary.tables, summary.rows = len(expected), sum(expected.values())
    for table, count in sorted(expected.items()):
        if table not in actual:
            summary.mismatches.append(f"table {table} is missing (the backup has {count} rows)")
        elif actual[table] != count:
            summary.mismatches.append(f"table {table}: {actual[table]} rows, the backup has {count}")
        else:
            summary.tables_matching += 1
    for table in sorted(set(actual) - set(expected)):
        summary.mismatches.append(
            f"table {table} is not in the backup but is in the database ({actual[table]} rows): "
            "restore into an empty database"
        )


def _restore_letters(
    storage: Storage, letters: dict[str, Path], manifest: dict[str, Any], summary: RestoreSummary
) -> None:
    summary.letters_total = len(manifest["letters"])
    for item in manifest["letters"]:
        name, source = item["name"], letters[item["name"]]
        if storage.exists(name):
            with storage.open(name, "rb") as held:
                if sha256_of(held) == item["sha256"]:
                    summary.letters_unchanged += 1
                    summary.letters_matching += 1
                    continue
            storage.delete(name)
        with source.open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        summary.letters_written += 1
        if saved != name:
            summary.mismatches.append(f"letter {name} was stored as {saved}")
            continue
        with storage.open(saved, "rb") as held:
            if sha256_of(held) == item["sha256"]:
                summary.letters_matching += 1
            else:
                summary.mismatches.append(f"letter {name} reads back with a different checksum")


def _compare_migrations(manifest: dict[str, Any], summary: RestoreSummary) -> None:
    applied = {(app, name) for app, names in manifest["database"]["migrations"].items() for name in names}
    on_disk = code_migrations()
    unknown = sorted(applied - on_disk)
    pending = sorted(on_disk - applied)
    if unknown:
        summary.notes.append(
            f"Warning: the backup was made by a newer version ({manifest['app']['version']}): "
            f"this code lacks {len(unknown)} of its migrations, e.g. {'.'.join(unknown[0])}. "
            "Run this restore with the version that made it."
        )
    if pending:
        summary.notes.append(
            f"The backup predates {len(pending)} of this code's migrations: run `manage.py migrate`."
        )
