"""Screening rules tuned in the back office: absolute contraindications stay "do not treat",
point codes are catalogue codes, only a manager changes a rule, and each change is recorded."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clients.models import ALWAYS_ABSOLUTE, ContraindicationRule
from clients.screening import screening_for
from clients.tests.builders import back_office_client, make_client, make_intake, rules_changelist_post

pytestmark = pytest.mark.django_db

RULES_URL = reverse("admin:clients_contraindicationrule_changelist")


@pytest.fixture
def back_office(manager):
    return back_office_client(manager)


def change_url(rule: ContraindicationRule) -> str:
    return reverse("admin:clients_contraindicationrule_change", args=[rule.pk])


def form_data(rule: ContraindicationRule, **changes) -> dict:
    data = {
        "label": rule.label,
        "kind": rule.kind,
        "outcome": rule.outcome,
        "action": rule.action,
        "pressure_cap": "" if rule.pressure_cap is None else rule.pressure_cap,
        "points_to_avoid": rule.points_to_avoid,
        "regions": rule.regions,
        "is_active": "on" if rule.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if not (k == "is_active" and not v)}


def absolute_rules() -> list[ContraindicationRule]:
    return list(ContraindicationRule.objects.filter(kind="absolute").order_by("condition"))


@pytest.mark.parametrize("outcome", ["clear", "caution", "needs_clearance"])
def test_no_absolute_contraindication_is_lowered_in_the_change_form(back_office, outcome):
    for rule in absolute_rules():
        response = back_office.post(change_url(rule), form_data(rule, outcome=outcome))
        assert response.status_code == 200, rule.condition
        assert "cannot be lowered" in response.content.decode()
        rule.refresh_from_db()
        assert rule.outcome == "do_not_treat"


def test_no_absolute_contraindication_is_switched_off_or_made_relative(back_office):
    for rule in absolute_rules():
        off = back_office.post(change_url(rule), form_data(rule, is_active=""))
        relative = back_office.post(change_url(rule), form_data(rule, kind="relative", outcome="caution"))
        assert off.status_code == relative.status_code == 200, rule.condition
        rule.refresh_from_db()
        assert (rule.kind, rule.outcome, rule.is_active) == ("absolute", "do_not_treat", True)


def test_the_changelist_cannot_lower_the_fever_rule_either(back_office):
    rules = list(ContraindicationRule.objects.order_by("condition"))
    response = back_office.post(RULES_URL, rules_changelist_post(rules, fever={"outcome": "clear"}))
    assert response.status_code == 200
    assert ContraindicationRule.objects.get(condition="fever").outcome == "do_not_treat"
    client = make_client()
    make_intake(client, fever_or_illness_today=True)
    assert screening_for(client).status == "do_not_treat"


def test_a_rule_the_clinic_makes_absolute_stays_absolute(back_office):
    rule = ContraindicationRule.objects.get(condition="recent_stroke")
    made = back_office.post(change_url(rule), form_data(rule, kind="absolute", outcome="do_not_treat"))
    assert made.status_code == 302
    rule.refresh_from_db()
    lowered = back_office.post(change_url(rule), form_data(rule, outcome="needs_clearance"))
    back = back_office.post(change_url(rule), form_data(rule, kind="relative", outcome="needs_clearance"))
    assert lowered.status_code == back.status_code == 200
    rule.refresh_from_db()
    assert (rule.kind, rule.outcome) == ("absolute", "do_not_treat")


@pytest.mark.parametrize("condition", [c.value for c in ALWAYS_ABSOLUTE])
def test_the_database_refuses_a_lowered_absolute_written_straight_through_the_orm(condition):
    rules = ContraindicationRule.objects.filter(condition=condition)
    for change in ({"outcome": "clear"}, {"is_active": False}, {"kind": "relative", "outcome": "caution"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            rules.update(**change)
    assert rules.get().outcome == "do_not_treat"


def test_an_unknown_point_code_is_refused_with_a_suggestion(back_office):
    rule = ContraindicationRule.objects.get(condition="pregnancy")
    before = rule.points_to_avoid
    response = back_office.post(change_url(rule), form_data(rule, points_to_avoid="LI4 XX99 SP66 Hegu UB23"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "XX99 is not a point in the catalogue" in page
    assert "SP66" in page and "SP21" in page  # past the end of the channel: its nearest points
    assert "did you mean LI4" in page  # a name, not a code
    assert "did you mean BL23" in page  # an alias, not the catalogue's code
    rule.refresh_from_db()
    assert rule.points_to_avoid == before


def test_known_codes_and_ranges_are_kept_in_the_catalogues_spelling(back_office):
    rule = ContraindicationRule.objects.get(condition="pregnancy")
    response = back_office.post(change_url(rule), form_data(rule, points_to_avoid="li4, sp6  bl31-34 ex-hn3"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.points_to_avoid == "LI4 SP6 BL31-34 EX-HN3"


def test_a_range_with_a_code_past_the_channel_end_is_refused(back_office):
    rule = ContraindicationRule.objects.get(condition="pregnancy")
    response = back_office.post(change_url(rule), form_data(rule, points_to_avoid="LU9-14"))
    assert response.status_code == 200
    assert "LU12 is not a point" in response.content.decode()


def test_an_unknown_region_is_refused(back_office):
    rule = ContraindicationRule.objects.get(condition="varicose_veins")
    response = back_office.post(change_url(rule), form_data(rule, regions="lower_leg knee_pit"))
    assert response.status_code == 200
    assert "Not a body region: knee_pit" in response.content.decode()


def test_a_staff_practitioner_reads_the_rules_but_does_not_change_them(practitioner):
    back_office = back_office_client(practitioner.user)
    rule = ContraindicationRule.objects.get(condition="diabetes")
    assert back_office.get(RULES_URL).status_code == 200
    response = back_office.post(change_url(rule), form_data(rule, outcome="clear"))
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.outcome == "needs_clearance"


def test_every_rule_change_is_recorded_with_who_and_when(back_office, manager):
    rule = ContraindicationRule.objects.get(condition="diabetes")
    assert back_office.post(change_url(rule), form_data(rule, action="Ask about hypos")).status_code == 302
    rule.refresh_from_db()
    response = back_office.post(change_url(rule), form_data(rule, outcome="caution", action="Check sugar"))
    assert response.status_code == 302
    assert rule.history.count() == 2
    change = rule.history.latest("history_id")
    assert change.history_user == manager
    assert change.outcome == "caution" and change.history_date is not None
    delta = change.diff_against(change.prev_record)
    assert {c.field for c in delta.changes} >= {"outcome", "action"}
    history_page = back_office.get(reverse("admin:clients_contraindicationrule_history", args=[rule.pk]))
    assert history_page.status_code == 200
