"""What the screening's loader reads in its one statement: the intakes, each with exactly its body
sites (as IntakeSite rows, in order, with their types) and its client's valid clearances."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from clients.models import IntakeSite, IntakeSource
from clients.screening import LOADED_SITES, _intakes_of, screening_for, screenings_on
from clients.tests.builders import make_clearance, make_client, make_intake

pytestmark = pytest.mark.django_db

COLUMNS = ["id", "intake_id", "condition", "region", "side", "occurred_on", "note"]


def add_site(intake, condition: str, region: str, **fields) -> IntakeSite:
    return IntakeSite.objects.create(intake=intake, condition=condition, region=region, **fields)


def test_intakes_come_back_with_exactly_their_sites_in_order_and_typed():
    today = timezone.localdate()
    client, bare = make_client(), make_client()
    older = today - timedelta(days=90)
    make_intake(client, taken_on=older, sites=[{"condition": "bruise", "region": "knee"}])
    newest = make_intake(client, taken_on=today - timedelta(days=2))
    online = make_intake(client, source=IntakeSource.ONLINE, needs_review=True)
    empty = make_intake(bare)
    # Interleaved, so that neither intake's sites are neighbours by id.
    add_site(newest, "surgery", "lower_back", side="left", occurred_on=date(2026, 1, 5), note="Disc, «L4»")
    add_site(online, "varicose_veins", "lower_leg", side="right")
    add_site(newest, "scar", "abdomen")
    add_site(online, "implant", "chest", occurred_on=today - timedelta(days=400))
    add_site(newest, "fracture", "hand", occurred_on=today - timedelta(days=10), note="")

    reviewed, pending, _ = _intakes_of([client.pk, bare.pk], today, today)

    assert reviewed[client.pk].pk == newest.pk and reviewed[bare.pk].pk == empty.pk
    assert [intake.pk for intake in pending[client.pk]] == [online.pk]
    assert getattr(reviewed[bare.pk], LOADED_SITES) == []
    for intake in (reviewed[client.pk], pending[client.pk][0]):
        loaded = getattr(intake, LOADED_SITES)
        stored = list(IntakeSite.objects.filter(intake=intake).order_by("id").values_list(*COLUMNS))
        assert [tuple(getattr(site, name) for name in COLUMNS) for site in loaded] == stored
        for site in loaded:
            assert isinstance(site, IntakeSite) and not site._state.adding and site._state.db == "default"
            assert type(site.pk) is int and type(site.intake_id) is int
            assert all(type(getattr(site, name)) is str for name in ("condition", "region", "side", "note"))
            assert site.occurred_on is None or type(site.occurred_on) is date
            assert site.get_region_display()  # a real row: its choices' labels work
    assert [site.occurred_on for site in getattr(reviewed[client.pk], LOADED_SITES)] == [
        date(2026, 1, 5),
        None,
        today - timedelta(days=10),
    ]
    assert getattr(reviewed[client.pk], LOADED_SITES)[0].note == "Disc, «L4»"


def test_each_day_counts_the_clearances_valid_on_it(django_assert_num_queries):
    today = timezone.localdate()
    client = make_client()
    make_intake(client, pregnant=True, diabetes=True)
    make_clearance(client, ["pregnancy", "diabetes"], issued_on=today, expires_on=today + timedelta(days=9))
    later = today + timedelta(days=20)
    make_clearance(client, ["diabetes"], issued_on=later, expires_on=later + timedelta(days=10))
    days = [today - timedelta(days=1), today, today + timedelta(days=15), today + timedelta(days=25)]
    # 1 the intakes with their sites and the client's clearances valid from the first day to the last
    # 2 the rules
    with django_assert_num_queries(2):
        results = screenings_on([(client.pk, day) for day in days])
    cleared = [{f.condition for f in results[(client.pk, day)].cleared_findings} for day in days]
    assert cleared == [set(), {"pregnancy", "diabetes"}, set(), {"diabetes"}]
    for day in days:
        assert results[(client.pk, day)] == screening_for(client, on=day)


def test_a_client_with_no_intake_is_screened_in_one_query(django_assert_num_queries):
    client = make_client()
    make_clearance(client, ["pregnancy"])
    with django_assert_num_queries(1):  # the intakes: none, so there is nothing to screen
        result = screening_for(client)
    assert not result.has_intake and result.status == "caution"
