"""treatments.demo: signed notes for past attended bookings and a plan; idempotent; skips without bookings."""

from __future__ import annotations

from io import StringIO

import pytest

from treatments import demo
from treatments.models import NoteStatus, PointApplication, TreatmentNote, TreatmentPlan
from treatments.tests.builders import make_attended_booking, make_pregnant_client

pytestmark = pytest.mark.django_db


def test_demo_notes_are_signed_and_a_second_run_changes_nothing(practitioner):
    pregnant = make_pregnant_client()
    for client in (None, pregnant, None):
        make_attended_booking(practitioner, client=client)
    make_attended_booking(practitioner, status="booked")

    demo.seed(StringIO())
    counts = (TreatmentNote.objects.count(), PointApplication.objects.count(), TreatmentPlan.objects.count())
    demo.seed(StringIO())

    assert counts == (3, counts[1], 1) and counts[1] > 6
    assert (
        TreatmentNote.objects.count(),
        PointApplication.objects.count(),
        TreatmentPlan.objects.count(),
    ) == counts
    assert set(TreatmentNote.objects.values_list("status", flat=True)) == {NoteStatus.SIGNED}
    # The pregnant client's demo session leaves out the points cautioned in pregnancy.
    assert not PointApplication.objects.filter(
        note__client=pregnant, point__code__in=["LI4", "GB21"]
    ).exists()


def test_without_attended_bookings_it_skips_and_says_so(db):
    out = StringIO()
    demo.seed(out)
    assert "skipped" in out.getvalue()
    assert not TreatmentNote.objects.exists()
