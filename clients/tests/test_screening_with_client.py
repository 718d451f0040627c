"""A client read `with_screening`: the client's own statement brings what its screening needs
(intakes with their sites, what the clearances cover, the rules), and the screening it gives is
the one `screening_for` reads for itself, on every day, with no query of its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from clients.models import Client, ContraindicationRule, Intake, IntakeSite, IntakeSource
from clients.screening import LOADED_SITES, _loaded_screening, screening_for, with_screening
from clients.tests.builders import make_clearance, make_client, make_intake

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAYS = [TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=15), TODAY + timedelta(days=400)]


def clients_to_screen() -> list[Client]:
    """Clients of every kind a screening tells apart."""
    nothing = make_client()
    clear = make_client()
    make_intake(clear)
    sites = make_client()
    older = make_intake(sites, taken_on=TODAY - timedelta(days=200), pregnant=True)
    IntakeSite.objects.create(intake=older, condition="bruise", region="knee")
    newest = make_intake(sites, taken_on=TODAY - timedelta(days=3))
    IntakeSite.objects.create(intake=newest, condition="varicose_veins", region="lower_leg", side="left")
    IntakeSite.objects.create(
        intake=newest,
        condition="surgery",
        region="abdomen",
        occurred_on=TODAY - timedelta(days=30),
        note="«x»",
    )
    IntakeSite.objects.create(intake=newest, condition="fracture", region="hand", side="right")
    cleared = make_client()
    make_intake(cleared, pregnant=True, diabetes=True)
    make_clearance(cleared, ["pregnancy"], issued_on=TODAY, expires_on=TODAY + timedelta(days=9))
    make_clearance(
        cleared, ["diabetes"], issued_on=TODAY + timedelta(days=10), expires_on=TODAY + timedelta(days=20)
    )
    online = make_client()
    make_intake(online, taken_on=TODAY - timedelta(days=500))  # out of date
    waiting = make_intake(online, source=IntakeSource.ONLINE, needs_review=True, blood_thinners=True)
    IntakeSite.objects.create(intake=waiting, condition="implant", region="chest")
    only_online = make_client()
    make_intake(only_online, source=IntakeSource.ONLINE, needs_review=True, pregnant=True)
    return [nothing, clear, sites, cleared, online, only_online]


def test_the_screening_read_with_the_client_is_the_one_screening_for_reads(django_assert_num_queries):
    ids = [client.pk for client in clients_to_screen()]
    for pk in ids:
        with django_assert_num_queries(1):
            loaded = with_screening(Client.objects.all()).get(pk=pk)
        plain = Client.objects.get(pk=pk)
        for day in DAYS:
            with django_assert_num_queries(0):
                from_the_client = screening_for(loaded, on=day)
            assert from_the_client == screening_for(plain, on=day), (pk, day)


def test_the_intakes_come_back_as_the_rows_they_are():
    client = clients_to_screen()[2]
    loaded = _loaded_screening(with_screening(Client.objects.all()).get(pk=client.pk))
    assert loaded is not None and loaded.pending == ()
    intake = loaded.intake
    stored = Intake.objects.filter(client=client).order_by("-taken_on").first()
    assert isinstance(intake, Intake) and not intake._state.adding
    for field in Intake._meta.concrete_fields:
        assert getattr(intake, field.attname) == getattr(stored, field.attname), field.name
        assert type(getattr(intake, field.attname)) is type(getattr(stored, field.attname)), field.name
    assert intake.created_at.tzinfo is not None
    sites = getattr(intake, LOADED_SITES)
    assert [(s.pk, s.condition, s.region, s.side, s.occurred_on, s.note) for s in sites] == list(
        IntakeSite.objects.filter(intake=stored)
        .order_by("id")
        .values_list("id", "condition", "region", "side", "occurred_on", "note")
    )
    assert all(type(s.occurred_on) in (date, type(None)) for s in sites)


def test_the_rules_come_back_as_the_table_holds_them():
    client = make_client()
    loaded = _loaded_screening(with_screening(Client.objects.all()).get(pk=client.pk))
    assert loaded is not None and loaded.intake is None
    stored = {rule.condition: rule for rule in ContraindicationRule.objects.all()}
    assert stored and set(loaded.rules) == set(stored)
    for condition, rule in loaded.rules.items():
        for field in ContraindicationRule._meta.concrete_fields:
            assert getattr(rule, field.attname) == getattr(stored[condition], field.attname), field.name


def test_a_rule_changed_after_the_read_is_seen_by_the_next_read():
    """The rows are the read's: a new read sees today's rules (nothing is kept between reads)."""
    client = make_client()
    make_intake(client, pregnant=True)
    before = screening_for(with_screening(Client.objects.all()).get(pk=client.pk))
    ContraindicationRule.objects.filter(condition="pregnancy").update(outcome="do_not_treat")
    after = screening_for(with_screening(Client.objects.all()).get(pk=client.pk))
    assert before.status != "do_not_treat" and after.status == "do_not_treat"
    assert after == screening_for(Client.objects.get(pk=client.pk))
