"""Clinical records of a client are read in the back office and written on the pages.

Crafted admin forms (as a manager and as a practitioner given `is_staff`) change nothing:
health updates, clearances, intakes and their review stamps, intake links. Each record keeps
its history, and the one action that makes sense (revoking a link) is recorded with its author.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import HealthUpdate, Intake, IntakeLink, PhysicianClearance, hash_token
from clients.tests.builders import (
    back_office_client,
    make_clearance,
    make_client,
    make_health_update,
    make_intake,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["manager", "staff practitioner"])
def back_office(request, manager, practitioner):
    return back_office_client(manager if request.param == "manager" else practitioner.user)


def make_link(client, **overrides) -> IntakeLink:
    fields = {
        "client": client,
        "token_hash": hash_token(f"token-{client.pk}-{IntakeLink.objects.count()}"),
        "sent_to": client.email,
        "expires_at": timezone.now() + timedelta(days=7),
    }
    fields.update(overrides)
    return IntakeLink.objects.create(**fields)


def values(record) -> dict:
    record.refresh_from_db()
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}


def test_a_clearance_cannot_be_moved_to_another_client_or_extended(back_office):
    clearance = make_clearance(make_client(), ["pregnancy"])
    before, conditions = values(clearance), set(clearance.conditions.values_list("condition", flat=True))
    url = reverse("admin:clients_physicianclearance_change", args=[clearance.pk])
    response = back_office.post(
        url,
        {
            "client": make_client().pk,
            "physician_name": "Dr Other",
            "issued_on": clearance.issued_on.isoformat(),
            "expires_on": "2099-12-31",
            "conditions": [],
        },
    )
    assert response.status_code == 403
    assert values(clearance) == before
    assert set(clearance.conditions.values_list("condition", flat=True)) == conditions
    add = back_office.post(reverse("admin:clients_physicianclearance_add"), {"physician_name": "Dr X"})
    assert add.status_code == 403
    assert PhysicianClearance.objects.count() == 1


def test_a_health_update_cannot_be_added_or_rewritten(back_office):
    update = make_health_update(make_client(), changed=True, note="New knee pain")
    before = values(update)
    url = reverse("admin:clients_healthupdate_change", args=[update.pk])
    data = {"client": update.client_id, "recorded_on": "2020-01-01", "changed": "", "note": "Nothing"}
    assert back_office.post(url, data).status_code == 403
    assert back_office.post(reverse("admin:clients_healthupdate_add"), data).status_code == 403
    assert values(update) == before
    assert HealthUpdate.objects.count() == 1


def test_an_intakes_review_stamp_cannot_be_set_in_the_admin(back_office, manager):
    intake = make_intake(make_client(), source="online", needs_review=True, fever_or_illness_today=True)
    before = values(intake)
    url = reverse("admin:clients_intake_change", args=[intake.pk])
    data = {"needs_review": "", "reviewed_by": manager.pk, "reviewed_at_0": "2026-01-01"}
    assert back_office.post(url, data).status_code == 403
    assert values(intake) == before
    assert Intake.objects.get(pk=intake.pk).needs_review


def test_an_intake_links_expiry_cannot_be_changed_but_the_link_can_be_revoked(manager):
    back_office = back_office_client(manager)
    link = make_link(make_client())
    url = reverse("admin:clients_intakelink_change", args=[link.pk])
    assert back_office.post(url, {"expires_at_0": "2099-12-31", "expires_at_1": "00:00"}).status_code == 403
    link.refresh_from_db()
    assert link.expires_at < timezone.now() + timedelta(days=8)

    response = back_office.post(
        reverse("admin:clients_intakelink_changelist"),
        {"action": "revoke_links", "_selected_action": [link.pk]},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.is_expired()
    newest = link.history.order_by("-history_id").first()
    assert newest.history_user == manager and newest.expires_at == link.expires_at


def test_each_clinical_record_keeps_a_history_of_who_changed_what(manager):
    client = make_client()
    clearance = make_clearance(client, ["pregnancy"])
    update = make_health_update(client)
    link = make_link(client)
    for record in (clearance, update, link):  # created (a clearance's conditions add a "~")
        assert record.history.earliest("history_id").history_type == "+", type(record).__name__
    back_office = back_office_client(manager)
    for record, name in ((clearance, "physicianclearance"), (update, "healthupdate"), (link, "intakelink")):
        page = back_office.get(reverse(f"admin:clients_{name}_history", args=[record.pk]))
        assert page.status_code == 200, name


def test_an_old_version_of_an_intake_is_not_written_back(back_office):
    intake = make_intake(make_client(), fever_or_illness_today=True)
    first = intake.history.get()
    url = reverse("admin:clients_intake_simple_history", args=[intake.pk, first.history_id])
    assert back_office.post(url, {"fever_or_illness_today": ""}).status_code == 403
    assert Intake.objects.get(pk=intake.pk).fever_or_illness_today
