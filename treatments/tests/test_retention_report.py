"""retention_report: the clients past the retention period, in one query, deleting nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients.models import Client, Intake
from clients.tests.builders import make_client, make_intake
from clinic.models import Booking
from treatments.models import TreatmentNote
from treatments.retention import add_years, past_retention
from treatments.tests.builders import make_attended_booking, make_note, sign

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> date:
    return add_years(timezone.localdate(), -years) - timedelta(days=days)


def completed(practitioner, client, day):
    return make_attended_booking(practitioner, client=client, day=day, status="completed")


@pytest.fixture
def clients(practitioner):
    adult = date(1970, 5, 5)
    gone = make_client(last_name="Gone", date_of_birth=adult)
    completed(practitioner, gone, years_ago(10))
    # Cancelled sessions and draft notes are not visits.
    make_attended_booking(practitioner, client=gone, day=years_ago(1), status="cancelled")
    make_note(practitioner, client=gone, day=years_ago(2))

    back = make_client(last_name="Back", date_of_birth=adult)
    completed(practitioner, back, years_ago(10))
    sign(make_note(practitioner, client=back, day=years_ago(3)))

    intake_only = make_client(last_name="IntakeOnly", date_of_birth=adult, is_archived=True)
    make_intake(intake_only, taken_on=years_ago(9))

    just_inside = make_client(last_name="JustInside", date_of_birth=adult)
    make_intake(just_inside, taken_on=years_ago(8))

    # Seen at 3: kept until 18 + 8 = 26.
    child = make_client(last_name="Child", date_of_birth=years_ago(12))
    completed(practitioner, child, years_ago(9))
    # Seen at 10, now 30: the adult birthday plus 8 years is past too.
    grown = make_client(last_name="Grown", date_of_birth=years_ago(30))
    completed(practitioner, grown, years_ago(20))

    never = make_client(last_name="Never", date_of_birth=adult)
    return {c.last_name: c for c in (gone, back, intake_only, just_inside, child, grown, never)}


def test_lists_the_records_past_their_date(clients):
    rows = {row.name.split()[-1]: row for row in past_retention()}

    assert set(rows) == {"Gone", "IntakeOnly", "Grown"}
    assert rows["Gone"].last_visit == years_ago(10)
    assert rows["Gone"].retain_until == add_years(years_ago(10), 8)
    assert rows["IntakeOnly"].archived
    # The minor's years ran from their 18th birthday, not from the visit.
    grown = clients["Grown"]
    assert rows["Grown"].last_visit == years_ago(20)
    assert rows["Grown"].retain_until == add_years(grown.date_of_birth, 26)


def test_the_periods_are_settings(settings, clients):
    settings.RETENTION_YEARS = 2
    names = {row.name.split()[-1] for row in past_retention()}
    # Back's signed note 3 years ago is now old enough; the child (12) is still a minor + 2.
    assert names == {"Gone", "Back", "IntakeOnly", "JustInside", "Grown"}

    settings.RETENTION_ADULT_AGE = 40
    assert "Grown" not in {row.name.split()[-1] for row in past_retention()}


def test_the_table_and_the_json_delete_nothing(clients):
    counts = [m.objects.count() for m in (Client, Booking, TreatmentNote, Intake)]

    out = StringIO()
    call_command("retention_report", stdout=out)
    text = out.getvalue()
    assert "Client" in text and "Retain until" in text
    gone = clients["Gone"]
    assert f"{gone.pk}" in text and gone.full_name in text and years_ago(10).isoformat() in text
    assert "JustInside" not in text

    out = StringIO()
    call_command("retention_report", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {r["client_id"] for r in rows} == {clients[n].pk for n in ("Gone", "IntakeOnly", "Grown")}
    assert {"client_id", "name", "last_visit", "retain_until"} <= set(rows[0])

    assert [m.objects.count() for m in (Client, Booking, TreatmentNote, Intake)] == counts


def test_nothing_past_says_so(db):
    out = StringIO()
    call_command("retention_report", stdout=out)
    assert "No client record is past the retention period" in out.getvalue()


def _old_clients(practitioner, n):
    for _ in range(n):
        client = make_client(date_of_birth=date(1960, 1, 1))
        completed(practitioner, client, years_ago(12))
        make_intake(client, taken_on=years_ago(11))
        sign(make_note(practitioner, client=client, day=years_ago(10)))


@pytest.mark.parametrize("size", [2, 12])
def test_one_query_whatever_the_number_of_clients(practitioner, django_assert_num_queries, size):
    _old_clients(practitioner, size)

    with django_assert_num_queries(1):
        rows = past_retention()

    assert len(rows) == size
    assert {row.last_visit for row in rows} == {years_ago(10)}


def test_leap_day_birthdays():
    assert add_years(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert add_years(date(2008, 2, 29), 4) == date(2012, 2, 29)
