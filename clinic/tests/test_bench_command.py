"""`manage.py bench`: the benchmark clinic obeys every database rule, and every page is measured.

No timing is asserted (benchmarks are benchmarks): only that the report is complete.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from clients.models import Client, Intake
from clinic.bench import data, pages
from clinic.models import ACTIVE_STATUSES, Booking
from treatments.models import NoteStatus, PointApplication, TreatmentNote


@pytest.mark.django_db(transaction=True)  # committed: deferred foreign keys are checked too
def test_bench_at_tiny_size_reports_every_page_with_its_queries(tmp_path):
    out = StringIO()
    call_command(
        "bench", size="tiny", here=True, repeat=2, warmup=1, output=str(tmp_path), no_fail=True, stdout=out
    )

    report = json.loads((tmp_path / "tiny.json").read_text())
    assert set(report["pages"]) == set(pages.TARGETS)
    for key, page in report["pages"].items():
        assert page["queries"] > 0, key
        assert page["ms"] > 0, key
    assert report["bare"]["queries"] > 0
    assert report["database"] == connection.vendor
    assert "Load time" in out.getvalue()
    # The booking POST's bookings were taken away again.
    assert Booking.objects.count() == report["counts"]["bookings"]
    # The chart client's 50 sessions each have a signed note of 6 points.
    chart = Client.objects.get(pk=json.loads(_marker())["chart_client_id"])
    notes = TreatmentNote.objects.filter(client=chart, status=NoteStatus.SIGNED)
    assert notes.count() == data.CHART_SESSIONS
    assert {n.applications.count() for n in notes} == {data.CHART_POINTS}


def _marker() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT facts FROM {data.MARKER_TABLE}")  # noqa: S608 - a constant or model table name
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_generated_clinic_satisfies_the_database_rules():
    """Loaded with every constraint and trigger in place (COPY on PostgreSQL, INSERTs on
    SQLite) and committed; then, as a cross-check, no active bookings overlap."""
    facts = data.build("tiny", data.SIZES["tiny"], log=lambda line: None)

    assert 250 <= facts.counts["bookings"] == Booking.objects.count() <= 350
    assert Intake.objects.count() == Client.objects.count() == facts.counts["clients"]
    assert TreatmentNote.objects.exclude(status=NoteStatus.SIGNED).count() == 0
    assert PointApplication.objects.count() >= 5 * data.CHART_SESSIONS
    assert data.read_marker() == facts
    for column, end in (("practitioner_id", "end"), ("client_id", "end"), ("room_id", "blocks_until")):
        with connection.cursor() as cursor:
            statuses = ", ".join(f"'{s}'" for s in ACTIVE_STATUSES)
            both = f"a.status IN ({statuses}) AND b.status IN ({statuses})"
            overlap = (
                f'a.{column} = b.{column} AND a.id < b.id AND a.start < b."{end}" AND b.start < a."{end}"'
            )
            query = f"SELECT COUNT(*) FROM clinic_booking a JOIN clinic_booking b ON {overlap} WHERE {both}"  # noqa: S608 - constants
            cursor.execute(query)
            assert cursor.fetchone()[0] == 0, column


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgres_load_uses_copy_with_the_constraints_and_triggers_on():
    copied = []
    real = data.copy_rows

    def spy(table, values):
        copied.append(table.model.__name__)
        return real(table, values)

    data.copy_rows = spy
    try:
        facts = data.build("tiny", data.SIZES["tiny"], log=lambda line: None)
    finally:
        data.copy_rows = real
    assert {"Client", "Intake", "Booking", "PointApplication", "TreatmentNote"} <= set(copied)
    assert Booking.objects.count() == facts.counts["bookings"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'clinic_booking'::regclass "
            "AND contype = 'x' AND convalidated"
        )
        assert {row[0] for row in cursor.fetchall()} == {
            "booking_practitioner_no_overlap",
            "booking_client_no_overlap",
            "booking_room_no_overlap",
        }
        cursor.execute(
            "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = 'treatments_pointapplication'::regclass "
            "AND NOT tgisinternal AND tgenabled = 'D'"
        )
        assert cursor.fetchone()[0] == 0


def test_sizes_are_read_by_name_or_number():
    assert data.parse_size("1k") == 1_000
    assert data.parse_size("1M") == 1_000_000
    assert data.parse_size("200k") == 200_000
    assert data.parse_size("tiny") == data.SIZES["tiny"]
    with pytest.raises(ValueError, match="Unknown size"):
        data.parse_size("huge")


def _report(size: str, ratio: float, queries: int) -> dict:
    page = {"label": "desk", "ms": 2 * ratio, "ratio": ratio, "queries": queries}
    return {"size": size, "pages": {"desk": page}}


def test_growth_names_a_page_that_slows_down_or_adds_queries():
    _lines, misses = pages.growth(_report("1k", 10.0, 17), _report("1m", 15.0, 17))
    assert misses == []
    _lines, misses = pages.growth(_report("1k", 10.0, 17), _report("1m", 16.0, 18))
    assert misses == ["desk from 1k to 1m: 1.60x slower (limit 1.5x); 17 -> 18 queries"]
