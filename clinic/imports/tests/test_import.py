"""The import through its pages: upload, columns, dry run, confirm, report (issue 16)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.models import Client
from clients.tests.builders import make_client
from clinic.imports.models import ImportRow, ImportRun, ImportStatus
from clinic.kernel.outbox.models import Message as OutboxMessage
from clinic.models import Booking, BookingSource
from clinic.tests.builders import local, make_booking
from conftest import run_outbox_worker as run_worker

START = "/manage/import/"

CLIENTS_CSV = """First name,Last name,DOB,Mobile,Email,Address,City,Notes
Amara,Lee,1985-03-14,07400 123456,amara.lee@example.com,1 High Street,Leeds,likes the quiet room
Ben,Stone,14/03/1990,07400 123457,,,,
Cara,Mills,03/04/1992,,,,,
Dan,Wood,1979-11-02,12345,,,,
Amara,Lee,1985-03-14,,AMARA.LEE@example.com,,,
Eve,Known,1970-01-01,,,,,
Fay,Young,30/02/1988,,,,,
"""


def appointments_csv(day: date) -> str:
    iso = day.isoformat()
    dmy = day.strftime("%d/%m/%Y")
    return f"""Appointment Start,Appointment End,Patient,Practitioner,Appointment Type,Status
{iso} 10:00,{iso} 11:00,Amara Lee,Amara Okafor,Acupressure 60,
{iso} 10:30,{iso} 11:30,Ben Stone,Amara Okafor,Acupressure 60,
{iso} 14:00,{iso} 15:00,Ben Stone,Dr Who,Acupressure 60,
{dmy} 12:00,{dmy} 13:00,Ben Stone,Kenji Sato,Acupressure 60,
{dmy} 3:00 PM,{dmy} 4:00 PM,Eve Known,Kenji Sato,Acupressure 60,
{iso} 17:00,{iso} 18:00,Cara Mills,Kenji Sato,Acupressure 60,
{iso} 18:00,{iso} 19:00,Amara Lee,Kenji Sato,Acupressure 60,Cancelled
03/04/{day.year + 1} 09:00,03/04/{day.year + 1} 10:00,Amara Lee,Kenji Sato,Acupressure 60,
{iso} 10:00,{iso} 11:00,Amara Lee,Amara Okafor,Acupressure 60,
"""


# Row by row, what the dry run must say: (file, row) -> (outcome, words in the reason).
EXPECTED = {
    ("clients", 2): ("created", ""),
    ("clients", 3): ("created", ""),
    ("clients", 4): ("refused", "could be 3 April or 4 March"),
    ("clients", 5): ("refused", "Phone"),
    ("clients", 6): ("duplicate", "row 2 of this file"),
    ("clients", 7): ("duplicate", "Eve Known"),
    ("clients", 8): ("refused", "not a date on the calendar"),
    ("appointments", 2): ("created", ""),
    ("appointments", 3): ("refused", "overlaps row 2 of this file"),
    ("appointments", 4): ("refused", "No practitioner here is called “Dr Who”"),
    ("appointments", 5): ("created", ""),
    ("appointments", 6): ("refused", "already has a booking"),
    ("appointments", 7): ("refused", "No client called “Cara Mills”"),
    ("appointments", 8): ("skipped", "Cancelled"),
    ("appointments", 9): ("refused", "choose the file's day order"),
    ("appointments", 10): ("existing", "The same appointment as row 2 of this file"),
}


@pytest.fixture
def world(manager, practitioner, other_practitioner, service, room, day):
    eve = make_client(first_name="Eve", last_name="Known", date_of_birth=date(1970, 1, 1), email="", phone="")
    # Kenji is busy at 15:00 with someone else: the file's 15:00 for Eve overlaps it.
    make_booking(practitioner=other_practitioner, service=service, start=local(day, 15))
    return {"eve": eve}


def upload(client, day, **extra):
    files = {
        "clients_file": SimpleUploadedFile("clients.csv", CLIENTS_CSV.encode(), content_type="text/csv"),
        "appointments_file": SimpleUploadedFile(
            "appointments.csv", appointments_csv(day).encode(), content_type="text/csv"
        ),
    }
    response = client.post(START, {"encoding": "utf-8", **files, **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))


def mapping_data(run: ImportRun, **overrides):
    data = {f"clients_{i}": name for i, name in enumerate(run.clients_mapping)}
    data.update({f"appointments_{i}": name for i, name in enumerate(run.appointments_mapping)})
    data["day_order"] = ""
    data.update(overrides)
    return data


def dry_run(client, run, **overrides):
    response = client.post(f"{START}{run.pk}/columns/", mapping_data(run, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    run.refresh_from_db()
    assert run.status == ImportStatus.CHECKING
    run_worker()
    run.refresh_from_db()
    return run


def confirm(client, run):
    response = client.post(f"{START}{run.pk}/confirm/")
    assert response.status_code == 302
    run_worker()
    run.refresh_from_db()
    return run


def outcomes(run: ImportRun) -> dict[tuple[str, int], tuple[str, str]]:
    return {(r.kind, r.line): (r.outcome, r.message) for r in run.rows.all()}


def assert_as_expected(run: ImportRun) -> None:
    found = outcomes(run)
    assert set(found) == set(EXPECTED)
    for key, (outcome, words) in EXPECTED.items():
        assert found[key][0] == outcome, (key, found[key])
        assert words in found[key][1], (key, found[key])


def counts() -> tuple[int, int, int, int]:
    return (
        Client.objects.count(),
        Booking.objects.count(),
        Booking.history.count(),
        OutboxMessage.objects.count(),
    )


def test_the_columns_of_known_exports_are_recognised(manager_client, world, day):
    run = upload(manager_client, day)
    assert run.clients_mapping == [
        "first_name", "last_name", "date_of_birth", "phone", "email", "address", "address", "",
    ]  # fmt: skip
    assert run.appointments_mapping == ["start", "end", "client", "practitioner", "service", "status"]
    page = manager_client.get(f"{START}{run.pk}/columns/")
    assert page.status_code == 200
    assert "look like an export from Cliniko" in page.content.decode()
    # The clients file's notes column is named as left out, and why.
    assert "no place for free notes" in page.content.decode()


def test_the_dry_run_reports_each_row_and_writes_nothing(manager_client, world, day):
    before = counts()
    run = dry_run(manager_client, upload(manager_client, day))
    assert counts() == before
    assert run.status == ImportStatus.CHECKED
    assert_as_expected(run)
    assert run.counts["clients"] == {"created": 2, "refused": 3, "duplicate": 2}
    report = manager_client.get(f"{START}{run.pk}/")
    assert report.status_code == 200
    assert "could be 3 April or 4 March" in report.content.decode()


def test_the_import_creates_exactly_the_valid_rows(manager_client, manager, world, day):
    clients_before = set(Client.objects.values_list("pk", flat=True))
    run = confirm(manager_client, dry_run(manager_client, upload(manager_client, day)))
    assert run.status == ImportStatus.IMPORTED
    assert run.imported_by == manager and run.imported_at is not None
    assert run.clients_sha256 == hashlib.sha256(CLIENTS_CSV.encode()).hexdigest()
    assert run.clients_text == "" and run.appointments_text == ""  # the files are not kept
    assert_as_expected(run)
    new = Client.objects.exclude(pk__in=clients_before)
    assert sorted((c.first_name, c.last_name, c.phone) for c in new) == [
        ("Amara", "Lee", "+447400123456"),
        ("Ben", "Stone", "+447400123457"),
    ]
    amara = new.get(first_name="Amara")
    assert amara.address == "1 High Street, Leeds"
    assert amara.search_name  # saved through clients.services: the search columns are filled
    imported = Booking.objects.filter(source=BookingSource.IMPORT).order_by("start")
    assert [(b.client.first_name, b.practitioner.display_name, b.local_start.hour) for b in imported] == [
        ("Amara", "Amara Okafor", 10),
        ("Ben", "Kenji Sato", 12),
    ]
    assert all(b.room is not None and b.created_by == manager for b in imported)
    # Each created row points to what it made.
    created = ImportRow.objects.filter(run=run, outcome="created", kind="appointments")
    assert {r.booking_id for r in created} == {b.pk for b in imported}
    # No email to the imported clients.
    assert not OutboxMessage.objects.exists()


def test_importing_the_same_files_again_creates_nothing(manager_client, world, day):
    confirm(manager_client, dry_run(manager_client, upload(manager_client, day)))
    before = counts()
    second = dry_run(manager_client, upload(manager_client, day))
    assert second.counts["clients"].get("created", 0) == 0
    assert second.counts["appointments"].get("created", 0) == 0
    found = outcomes(second)
    assert found[("clients", 2)][0] == "duplicate"
    assert found[("appointments", 2)] == ("existing", "This booking is already in the calendar.")
    second = confirm(manager_client, second)
    assert second.status == ImportStatus.IMPORTED
    assert counts()[:2] == before[:2]


def test_upload_of_a_file_imported_before_says_so(manager_client, world, day):
    confirm(manager_client, dry_run(manager_client, upload(manager_client, day)))
    response = manager_client.post(
        START,
        {"encoding": "utf-8", "clients_file": SimpleUploadedFile("again.csv", CLIENTS_CSV.encode())},
        follow=True,
    )
    assert "same content was imported" in response.content.decode()


def test_a_chosen_day_order_reads_the_ambiguous_dates(manager_client, world, day):
    run = dry_run(manager_client, upload(manager_client, day), day_order="dmy")
    found = outcomes(run)
    assert found[("clients", 4)][0] == "created"  # 03/04/1992 read as 3 April
    assert found[("appointments", 9)][0] == "created"


def test_a_change_since_the_dry_run_stops_the_import(manager_client, world, day, practitioner, service):
    run = dry_run(manager_client, upload(manager_client, day))
    # Meanwhile the desk books Amara Okafor at 10:00: row 2 would now be refused.
    make_booking(practitioner=practitioner, service=service, start=local(day, 10))
    before = counts()
    run = confirm(manager_client, run)
    assert counts() == before
    assert run.status == ImportStatus.CHECKED
    assert "Nothing was imported" in manager_client.get(f"{START}{run.pk}/").content.decode()
    assert outcomes(run)[("appointments", 2)][0] == "refused"


def test_a_mapping_without_the_required_columns_is_refused(manager_client, world, day):
    run = upload(manager_client, day)
    response = manager_client.post(f"{START}{run.pk}/columns/", mapping_data(run, clients_2=""))
    assert response.status_code == 400
    assert "Choose a column for “Date of birth”" in response.content.decode()
    response = manager_client.post(f"{START}{run.pk}/columns/", mapping_data(run, clients_1="first_name"))
    assert response.status_code == 400
    assert "Only one column can be “First name”" in response.content.decode()
    assert not ImportRow.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"   \n\n", "This file is empty."),
        (b"%PDF-1.4\x00\x01\x02binary", "not a CSV file"),
        ("First name,Last name\nZoë,Ångström\n".encode("utf-16"), "not a CSV file"),
        ("First name,Last name\nZoë,Ångström\n".encode("cp1252"), "not UTF-8"),
        (b"just a line of text\nand another\n", "fewer than two column names"),
        (b"First name,Last name\n", "no rows"),
        (b"First name,Last name\nA,B,C,D\n", "more or fewer columns"),
    ],
)
def test_bad_files_are_refused_beside_the_field(manager_client, content, message):
    response = manager_client.post(
        START, {"encoding": "utf-8", "clients_file": SimpleUploadedFile("c.csv", content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_file_too_big_is_refused(manager_client, settings):
    settings.IMPORT_MAX_BYTES = 100
    content = b"First name,Last name\n" + b"Ann,Smith\n" * 20
    response = manager_client.post(
        START, {"encoding": "utf-8", "clients_file": SimpleUploadedFile("c.csv", content)}
    )
    assert response.status_code == 400
    assert "at most" in response.content.decode()


def test_no_file_is_refused(manager_client):
    response = manager_client.post(START, {"encoding": "utf-8"})
    assert response.status_code == 400
    assert "Choose a clients file" in response.content.decode()


def test_a_windows_file_reads_with_the_windows_encoding(manager_client):
    content = "First name,Last name,Date of birth\nZoë,Ångström,1980-01-02\n".encode("cp1252")
    response = manager_client.post(
        START, {"encoding": "cp1252", "clients_file": SimpleUploadedFile("c.csv", content)}
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert "Zoë" in run.clients_text


def test_a_discarded_import_forgets_its_files(manager_client, world, day):
    run = upload(manager_client, day)
    response = manager_client.post(f"{START}{run.pk}/discard/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.DISCARDED and run.clients_text == ""
    assert manager_client.post(f"{START}{run.pk}/confirm/").status_code == 302
    assert not Booking.objects.filter(source=BookingSource.IMPORT).exists()


def test_pressing_confirm_twice_imports_once(manager_client, world, day):
    run = dry_run(manager_client, upload(manager_client, day))
    manager_client.post(f"{START}{run.pk}/confirm/")
    again = manager_client.post(f"{START}{run.pk}/confirm/", follow=True)
    assert "not waiting for confirmation" in again.content.decode()
    run_worker()
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED
    assert Booking.objects.filter(source=BookingSource.IMPORT).count() == 2


def test_the_report_says_while_the_dry_run_is_under_way(manager_client, world, day):
    run = upload(manager_client, day)
    manager_client.post(f"{START}{run.pk}/columns/", mapping_data(run))
    page = manager_client.get(f"{START}{run.pk}/").content.decode()
    assert "Dry run under way" in page and 'http-equiv="refresh"' in page
    # The columns can't be changed under the worker's feet.
    assert manager_client.get(f"{START}{run.pk}/columns/").status_code == 302


def test_a_semicolon_separated_file_reads_in_columns(manager_client):
    content = "Prénom;Nom;Date de naissance\nZoë;Durand;1980-01-02\n".encode()
    response = manager_client.post(
        START, {"encoding": "utf-8", "clients_file": SimpleUploadedFile("c.csv", content)}
    )
    assert response.status_code == 302
    page = manager_client.get(response["Location"]).content.decode()
    assert "Date de naissance" in page and "Zoë" in page
