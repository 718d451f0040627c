"""A signed note is final in the database itself: writes straight through the ORM (a script, a
careless import, a door the services do not guard) are refused there, and drafts stay free."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from treatments.models import Amendment, Point, PointApplication, TreatmentNote
from treatments.tests.builders import add_point, make_note, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(practitioner):
    note = make_note(practitioner, subjective="Sore low back")
    add_point(note, "BL23")
    note.home_care_points.add(Point.objects.get(code="LI4"))
    return sign(note)


FINAL = r"signed_note_is_final|amendment_is_final"


def refused(write) -> None:
    with pytest.raises(IntegrityError, match=FINAL), transaction.atomic():
        write()


def test_a_signed_notes_row_is_not_updated(signed):
    signed.subjective = "Rewritten"
    refused(signed.save)
    refused(lambda: TreatmentNote.objects.filter(pk=signed.pk).update(status="draft", signed_at=None))
    signed.refresh_from_db()
    assert signed.subjective == "Sore low back" and signed.is_signed


def test_no_point_is_added_to_or_changed_on_a_signed_note(signed):
    refused(lambda: add_point(signed, "LI4", pressure=5))
    refused(lambda: signed.applications.update(pressure=5))
    refused(lambda: signed.home_care_points.add(Point.objects.get(code="SP6")))
    assert list(signed.applications.values_list("point__code", "pressure")) == [("BL23", None)]
    assert list(signed.home_care_points.values_list("code", flat=True)) == ["LI4"]


def test_a_drafts_point_is_not_moved_onto_a_signed_note(signed, practitioner):
    draft = make_note(practitioner)
    moved = add_point(draft, "ST36")
    refused(lambda: PointApplication.objects.filter(pk=moved.pk).update(note=signed))
    assert signed.applications.count() == 1


def test_an_amendment_is_not_rewritten(signed, practitioner):
    amendment = Amendment.objects.create(note=signed, author=practitioner.user, reason="Side", text="Left")
    refused(lambda: Amendment.objects.filter(pk=amendment.pk).update(text="Right"))
    amendment.refresh_from_db()
    assert amendment.text == "Left"


def test_drafts_are_written_freely_and_signing_is_allowed(practitioner):
    draft = make_note(practitioner)
    point = add_point(draft, "LI4")
    point.pressure = 3
    point.save()
    draft.home_care_points.add(Point.objects.get(code="SP6"))
    draft.subjective = "Better"
    draft.save()
    sign(draft)
    assert TreatmentNote.objects.get(pk=draft.pk).is_signed


@pytest.mark.postgres_only
def test_on_postgresql_a_signed_notes_points_are_not_deleted(signed):
    # Delete rules are PostgreSQL's only: SQLite's test flushes delete rows.
    refused(lambda: signed.applications.all().delete())
    refused(lambda: signed.home_care_points.clear())
    assert signed.applications.count() == 1 and signed.home_care_points.count() == 1


def test_signed_note_rules_exist_in_the_database():
    """A later migration that rebuilds a SQLite table drops its triggers: this notices (see
    treatments/migrations/0010_signed_notes_are_final.py)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
            found = set(cursor.fetchall())
            assert {
                ("signed_note_is_final", "treatments_treatmentnote"),
                ("signed_note_is_final", "treatments_pointapplication"),
                ("signed_note_is_final", "treatments_treatmentnote_home_care_points"),
                ("amendment_is_final", "treatments_amendment"),
            } <= found
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            found = {row[0] for row in cursor.fetchall()}
            assert {
                "signed_note_is_final_update",
                "signed_application_is_final_insert",
                "signed_application_is_final_update",
                "signed_home_care_is_final_insert",
                "amendment_is_final_update",
            } <= found
