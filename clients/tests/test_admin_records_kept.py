"""The back office keeps client records: no delete page, no "delete selected"; links are revoked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import timezone

from clients.models import ContraindicationRule, HealthUpdate, IntakeLink, PhysicianClearance, hash_token
from clients.services import open_intake_link
from clients.tests.builders import back_office_client, make_clearance, make_client, make_health_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(manager):
    return back_office_client(manager)


def make_link(**overrides) -> IntakeLink:
    client = make_client()
    fields = {
        "client": client,
        "token_hash": f"{client.pk:064d}",
        "sent_to": client.email,
        "expires_at": timezone.now() + timedelta(days=7),
    }
    fields.update(overrides)
    return IntakeLink.objects.create(**fields)


RECORDS: dict[str, Callable[[], Any]] = {
    "intake link": make_link,
    "clearance": lambda: make_clearance(make_client(), ["pregnancy"]),
    "health update": lambda: make_health_update(make_client()),
    "screening rule": lambda: ContraindicationRule.objects.get(condition="pregnancy"),
}


@pytest.mark.parametrize("kind", RECORDS)
def test_a_manager_cannot_open_the_delete_page(back_office, kind):
    record = RECORDS[kind]()
    meta = record._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[record.pk])
    assert back_office.get(url).status_code == 403
    assert back_office.post(url, {"post": "yes"}).status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", [IntakeLink, PhysicianClearance, HealthUpdate, ContraindicationRule])
def test_the_list_offers_no_delete_selected(back_office, model, rf, manager):
    request = rf.get("/")
    request.user = manager
    assert "delete_selected" not in site._registry[model].get_actions(request)


def test_delete_selected_posted_anyway_deletes_nothing(back_office):
    link = make_link()
    response = back_office.post(
        reverse("admin:clients_intakelink_changelist"),
        {"action": "delete_selected", "_selected_action": [link.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert IntakeLink.objects.filter(pk=link.pk).exists()


def test_a_link_is_revoked_by_expiring_it_now(back_office):
    live, used = make_link(), make_link(used_at=timezone.now() - timedelta(hours=1))
    used_expiry = used.expires_at
    response = back_office.post(
        reverse("admin:clients_intakelink_changelist"),
        {"action": "revoke_links", "_selected_action": [live.pk, used.pk]},
    )
    assert response.status_code == 302
    live.refresh_from_db()
    used.refresh_from_db()
    assert live.is_expired()
    assert used.expires_at == used_expiry  # a used link is left as it was


def test_a_revoked_link_no_longer_opens_the_questionnaire():
    link = make_link(token_hash=hash_token("a-token"))
    link.revoke()
    assert open_intake_link("a-token") == (link, "expired")
