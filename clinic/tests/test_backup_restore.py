"""`manage.py backup` and `manage.py restore`: a clinic goes into one archive and comes back whole,
into an empty database or over its own, with the same rows, the same signed notes and the same
letters; a damaged archive or a disagreeing restore is refused with a non-zero exit.

Each test works in temporary folders and in the test database (or a database of its own): the
developer's db.sqlite3 and private_media are never touched. The dump is made by another process
(pg_dump) or another connection, so the tests commit their data (`transaction=True`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.utils import timezone

from clients.models import Client
from clients.tests.builders import make_clearance, make_client, make_intake
from clinic import backup
from clinic.tests.builders import future_day, local, make_booking, make_service
from conftest import make_practitioner
from treatments.models import Point, TreatmentNote
from treatments.tests.builders import add_point, make_note, sign

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n% Dr Reyes: fit for gentle treatment in the second trimester\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40

# The dump is read by another process or connection: the world is committed.
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clinic_world(media) -> dict[str, Any]:
    """Clients with intakes, bookings, a signed note with points, a draft, and two clearances
    with letters."""
    practitioner = make_practitioner()
    clients = [make_client(first_name=name) for name in ("Ada", "Bea", "Cyd", "Zoë")]
    make_intake(clients[0], pregnant=True, pregnancy_weeks=20)
    make_intake(clients[1])
    service = make_service(practitioners=[practitioner], duration_minutes=60)
    for hour, client in zip((9, 11, 14), clients, strict=False):
        make_booking(
            practitioner=practitioner, service=service, start=local(future_day(), hour), client=client
        )
    signed = make_note(
        practitioner,
        client=clients[1],
        subjective="Sore low back after gardening",
        pain_before=6,
        pain_after=3,
    )
    add_point(signed, "BL23", duration_seconds=90)
    add_point(signed, "LI4")
    signed.home_care_points.add(Point.objects.get(code="LI4"))
    sign(signed)
    make_note(practitioner, client=clients[2], subjective="Draft, not signed")
    letters = []
    for client, name, content in ((clients[0], "letter.pdf", PDF), (clients[3], "scan.png", PNG)):
        clearance = make_clearance(client, ["pregnancy"], issued_on=timezone.localdate() - timedelta(days=3))
        clearance.letter.save(name, ContentFile(content))
        letters.append(clearance.letter.name)
    return {"signed_note": signed.pk, "letters": letters}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_database(settings_dict: dict[str, Any]) -> Any:
    """A plain DB-API connection, so the source and the restored copy are read alike."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return sqlite3.connect(settings_dict["NAME"])
    import psycopg

    return psycopg.connect(
        dbname=settings_dict["NAME"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
    )


def read_clinic(settings_dict: dict[str, Any], vendor: str) -> dict[str, Any]:
    """Row counts of every table, and the signed notes with their points, read straight from SQL."""
    db = open_database(settings_dict)
    try:
        cursor = db.cursor()
        counts = backup.row_counts(cursor, vendor)
        cursor.execute("SELECT * FROM treatments_treatmentnote WHERE status = 'signed' ORDER BY id")
        notes = cursor.fetchall()
        cursor.execute(
            "SELECT a.* FROM treatments_pointapplication a "
            "JOIN treatments_treatmentnote n ON n.id = a.note_id WHERE n.status = 'signed' ORDER BY a.id"
        )
        points = cursor.fetchall()
        cursor.execute("SELECT letter FROM clients_physicianclearance ORDER BY id")
        letters = [row[0] for row in cursor.fetchall()]
    finally:
        db.close()
    return {"counts": counts, "signed_notes": notes, "signed_points": points, "letters": letters}


def letter_checksums(folder: Path, names: list[str]) -> dict[str, str]:
    return {name: sha256((folder / name).read_bytes()) for name in names}


def make_backup(tmp_path: Path) -> tuple[Path, str]:
    archive = tmp_path / "backups" / "clinic.tar.gz"
    archive.parent.mkdir()
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    return archive, out.getvalue()


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile(backup.MANIFEST).read())


def rewrite_archive(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with `change(name, data) -> data` applied to each member."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """manage.py in a process of its own, configured by `env` alone (as an operator runs it)."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "MEDIA_ROOT", "LETTERS_"))
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "LETTERS_STORAGE": "local", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- The archive --------------------------------------------------------------------------


@committed
def test_the_backup_holds_the_dump_the_letters_and_a_manifest_that_describes_them(
    clinic_world, media, tmp_path
):
    archive, printed = make_backup(tmp_path)

    assert "Backup written to" in printed and "Letters: 2 files" in printed
    assert archive.stat().st_mode & 0o777 == 0o600
    assert not list(archive.parent.glob("*.partial"))
    manifest = manifest_of(archive)
    database = manifest["database"]
    assert database["vendor"] == connection.vendor
    assert manifest["app"]["version"] == "0.1.0"
    assert "0010_signed_notes_are_final" in database["migrations"]["treatments"]
    assert database["row_counts"]["clients_client"] == Client.objects.count() == 4
    assert database["row_counts"]["clients_physicianclearance"] == 2
    assert database["row_counts"]["treatments_pointapplication"] == 2
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        assert sha256(tar.extractfile(database["file"]).read()) == database["sha256"]
        for letter in manifest["letters"]:
            data = tar.extractfile(backup.LETTERS_DIR + letter["name"]).read()
            assert letter["sha256"] == sha256(data) == sha256((media / letter["name"]).read_bytes())
    assert names == {backup.MANIFEST, database["file"]} | {"letters/" + n for n in clinic_world["letters"]}
    assert manifest["missing_letters"] == []


@committed
def test_a_letter_the_storage_lost_is_reported_not_silently_skipped(clinic_world, media, tmp_path):
    (media / clinic_world["letters"][0]).unlink()
    out = io.StringIO()
    # --output may name a folder: the archive gets its dated name there.
    call_command("backup", output=tmp_path, stdout=out)
    (archive,) = tmp_path.glob("clinic-backup-*Z.tar.gz")
    assert (
        f"Warning: a clearance names a letter the storage lacks: {clinic_world['letters'][0]}"
        in out.getvalue()
    )
    assert manifest_of(archive)["missing_letters"] == [clinic_world["letters"][0]]


def test_the_database_password_goes_to_pg_dump_through_the_environment(monkeypatch):
    settings_dict = {"NAME": "clinic", "USER": "clinic", "PASSWORD": "s3cret", "HOST": "db", "PORT": 5433}
    env = backup.pg_environment({**settings_dict, "OPTIONS": {"sslmode": "require"}})
    assert (env["PGPASSWORD"], env["PGHOST"], env["PGPORT"], env["PGSSLMODE"]) == (
        "s3cret",
        "db",
        "5433",
        "require",
    )

    calls = []
    monkeypatch.setattr(backup.shutil, "which", lambda tool: f"/usr/bin/{tool}")

    def run(args, **kw):
        calls.append((args, kw))
        return _Done()

    monkeypatch.setattr(backup.subprocess, "run", run)
    backup._run_pg_tool("pg_dump", ["--format=custom"], settings_dict)
    args, kwargs = calls[0]
    assert not any("s3cret" in arg for arg in args)
    assert kwargs["env"]["PGPASSWORD"] == "s3cret"


class _Done:
    returncode = 0
    stderr = ""


# --- Restoring ----------------------------------------------------------------------------


@committed
def test_restore_into_an_empty_database_brings_back_rows_notes_and_letters(clinic_world, media, tmp_path):
    """Back up, then restore with a fresh process into a database and a letters folder that hold
    nothing: the same row counts, the same signed note, the same letters."""
    before = read_clinic(connection.settings_dict, connection.vendor)
    letters_before = letter_checksums(media, clinic_world["letters"])
    archive, _ = make_backup(tmp_path)

    restored_media = tmp_path / "restored-media"
    with empty_database(tmp_path) as (url, settings_dict):
        result = manage("restore", str(archive), env={"DATABASE_URL": url, "MEDIA_ROOT": str(restored_media)})
        assert result.returncode == 0, result.stderr
        assert "Letters: 2 written" in result.stdout
        assert (
            f"row counts match in {len(before['counts'])} of {len(before['counts'])} tables" in result.stdout
        )
        assert "checksums match for 2 of 2 letters" in result.stdout
        after = read_clinic(settings_dict, connection.vendor)

    assert after == before
    assert after["signed_notes"][0][0] == clinic_world["signed_note"]
    assert letter_checksums(restored_media, clinic_world["letters"]) == letters_before


@committed
def test_restore_over_a_database_that_holds_data_needs_yes_and_then_replaces_it(
    clinic_world, media, tmp_path
):
    """Over the live database: the signed-note rules in the database do not stand in the way
    (the load never updates or deletes a signed row through them), and they still hold after."""
    before = read_clinic(connection.settings_dict, connection.vendor)
    archive, _ = make_backup(tmp_path)
    make_client(first_name="After the backup")

    with pytest.raises(CommandError, match=r"already holds data .* run again with --yes"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert Client.objects.filter(first_name="After the backup").exists()
    # A letter changed on disk after the backup is put back as it was.
    (media / clinic_world["letters"][1]).write_bytes(b"overwritten")

    out = io.StringIO()
    call_command("restore", str(archive), yes=True, stdout=out)

    assert read_clinic(connection.settings_dict, connection.vendor) == before
    assert not Client.objects.filter(first_name="After the backup").exists()
    assert "Letters: 1 written, 1 already there and identical." in out.getvalue()
    assert sha256((media / clinic_world["letters"][1]).read_bytes()) == sha256(PNG)
    with pytest.raises(IntegrityError, match="signed_note_is_final"):
        TreatmentNote.objects.filter(pk=clinic_world["signed_note"]).update(subjective="Rewritten")


@committed
def test_a_damaged_archive_is_refused_before_anything_changes(clinic_world, media, tmp_path):
    archive, _ = make_backup(tmp_path)
    letter = clinic_world["letters"][0]
    damaged = rewrite_archive(
        archive,
        tmp_path / "damaged.tar.gz",
        lambda name, data: data.replace(b"gentle", b"vigorous") if name.endswith(letter) else data,
    )
    make_client(first_name="After the backup")

    with pytest.raises(CommandError, match=f"damaged; nothing was restored: letter {letter} does not match"):
        call_command("restore", str(damaged), yes=True, stdout=io.StringIO())
    assert Client.objects.filter(first_name="After the backup").exists()


@committed
def test_a_restore_that_disagrees_with_the_manifest_exits_non_zero(clinic_world, media, tmp_path):
    archive, _ = make_backup(tmp_path)

    def wrong_count(name: str, data: bytes) -> bytes:
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["database"]["row_counts"]["clients_client"] += 1
        return json.dumps(manifest).encode()

    tampered = rewrite_archive(archive, tmp_path / "tampered.tar.gz", wrong_count)
    err = io.StringIO()
    with pytest.raises(CommandError, match="does not match the backup: 1 mismatches"):
        call_command("restore", str(tampered), yes=True, stdout=io.StringIO(), stderr=err)
    assert "Mismatch: table clients_client: 4 rows, the backup has 5" in err.getvalue()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "notes.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a readable backup archive"):
        call_command("restore", str(junk), stdout=io.StringIO())


# --- An empty database of the same vendor, for the fresh-process restore -----------------------


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A database that holds nothing, named for this test: a new SQLite file, or a new PostgreSQL
    database dropped afterwards. Yields its DATABASE_URL and its settings."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", {**source, "NAME": str(path)}
        return
    name = f"clinic_backup_restore_{uuid.uuid4().hex[:12]}"
    postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        auth = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
        host = f"{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}"
        yield f"postgres://{auth}@{host}/{name}", {**source, "NAME": name}
    finally:
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_admin(sql: str) -> None:
    db = open_database({**connection.settings_dict, "NAME": "postgres"})
    try:
        db.autocommit = True
        db.execute(sql)
    finally:
        db.close()


@pytest.mark.postgres_only
@committed
def test_on_postgresql_the_dump_is_pg_dump_custom_format(clinic_world, tmp_path):
    archive, _ = make_backup(tmp_path)
    with tarfile.open(archive) as tar:
        head = tar.extractfile("database.dump").read(5)
    assert head == b"PGDMP"


@committed
def test_on_sqlite_the_dump_is_a_sqlite_database(clinic_world, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own check; PostgreSQL has test_on_postgresql_the_dump_is_pg_dump_custom_format")
    archive, _ = make_backup(tmp_path)
    with tarfile.open(archive) as tar:
        head = tar.extractfile("database.sqlite3").read(16)
    assert head == b"SQLite format 3\x00"
