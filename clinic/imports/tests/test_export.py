"""The manager's CSV exports: contact details and bookings, never clinical content (issue 16)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.db import models
from django.utils import timezone

from clients.forms import ANSWER_FIELDS
from clients.models import Client, HealthUpdate, Intake, IntakeSite, PhysicianClearance
from clients.tests.builders import make_client, make_intake
from clinic.imports import export
from clinic.imports.layouts import CLIENTS, guess_mapping
from clinic.imports.services import cells
from clinic.tests.builders import local, make_booking
from treatments.models import TreatmentNote

# session, the user with their roles and second factor, savepoint, the rows (one read),
# release (the session is saved at most once a minute, not here).
QUERIES = 5
CLINICAL_MODELS = (Intake, IntakeSite, HealthUpdate, PhysicianClearance, TreatmentNote)


def read(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# Names the clinical models share with contact details or a booking's bookkeeping, where they
# mean something else: a note's or a clearance's practitioner and state, an intake's source,
# the clearance's signing doctor (the client's family physician is a contact detail).
SHARED_NAMES = {
    "id",
    "client",
    "created_at",
    "updated_at",
    "practitioner",
    "status",
    "source",
    "physician_name",
}


def clinical_field_names() -> set[str]:
    """The intake's answers and every own field of the clinical records."""
    names = set(ANSWER_FIELDS)
    for model in CLINICAL_MODELS:
        names |= {
            f.name for f in model._meta.get_fields() if isinstance(f, models.Field) and not f.is_relation
        }
    return names - SHARED_NAMES


def test_the_clients_export_has_contact_details_and_no_clinical_field(manager_client, practitioner):
    who = make_client(first_name="Zoë", last_name="=cmd|' /C calc'!A0", phone="+447400123456")
    make_intake(who, medications="warfarin", pregnant=True)
    response = manager_client.get("/manage/export/clients.csv")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    header, *rows = read(response)
    assert "medications" in clinical_field_names() and "subjective" in clinical_field_names()
    assert not set(header) & clinical_field_names()
    assert set(header) <= {f.name for f in Client._meta.get_fields()}
    assert "warfarin" not in str(rows)
    row = dict(zip(header, rows[0], strict=True))
    assert row["first_name"] == "Zoë"
    assert row["last_name"].startswith("'=")  # a spreadsheet does not run it
    assert row["phone"] == "'+447400123456"


def test_an_exported_client_file_reads_back_as_the_same_details():
    header = list(export.CLIENT_COLUMNS)
    row = ["1", "Ann", "Smith", "", "1980-01-02", "", "'+447400123456", "a@example.com"]
    values = cells(CLIENTS, guess_mapping(CLIENTS, header), row + [""] * (len(header) - len(row)))
    assert values["phone"] == "+447400123456"  # the export's protective quote is dropped
    assert values["first_name"] == "Ann"


def test_the_bookings_export_covers_the_period(manager_client, practitioner, service):
    day = timezone.localdate() + timedelta(days=3)
    inside = make_booking(practitioner=practitioner, service=service, start=local(day, 10))
    make_booking(practitioner=practitioner, service=service, start=local(day + timedelta(days=40), 10))
    response = manager_client.get(f"/manage/export/bookings.csv?start={day}&end={day + timedelta(days=1)}")
    assert response.status_code == 200
    header, *rows = read(response)
    assert header == [h for h, _ in export.BOOKING_COLUMNS]
    assert not set(header) & clinical_field_names()
    assert [r[0] for r in rows] == [str(inside.pk)]
    row = dict(zip(header, rows[0], strict=True))
    assert row["practitioner"] == practitioner.display_name
    assert row["service"] == service.name
    assert row["status"] == "booked"
    assert row["start"].startswith(f"{day.isoformat()}T10:00")


def test_a_bad_period_is_refused_beside_the_field(manager_client):
    response = manager_client.get("/manage/export/bookings.csv?start=2026-02-01&end=2026-01-01")
    assert response.status_code == 400
    assert "comes before the first" in response.content.decode()
    assert manager_client.get("/manage/export/bookings.csv?start=junk&end=").status_code == 400


def test_the_exports_run_a_fixed_number_of_queries(
    manager_client, practitioner, service, django_assert_num_queries
):
    day = timezone.localdate() + timedelta(days=3)
    for n in range(5):
        make_booking(practitioner=practitioner, service=service, start=local(day, 8 + n))

    def bookings():
        response = manager_client.get(f"/manage/export/bookings.csv?start={day}&end={day}")
        return read(response)

    # session, the user with their roles and second factor, then one read of the rows (+ the
    # request's savepoint around the view, and its release)
    with django_assert_num_queries(QUERIES):
        assert len(bookings()) == 6
    for n in range(5):
        make_booking(practitioner=practitioner, service=service, start=local(day, 14 + n))
    with django_assert_num_queries(QUERIES):
        assert len(bookings()) == 11
    clients = Client.objects.count()
    with django_assert_num_queries(QUERIES):
        assert len(read(manager_client.get("/manage/export/clients.csv"))) == clients + 1
