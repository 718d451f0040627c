"""A manager tunes screening in the admin; records have no delete there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.models import Client, ContraindicationRule
from clients.screening import screening_for
from clients.tests.builders import back_office_client, make_client, make_intake, rules_changelist_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_as_manager(manager):
    return back_office_client(manager)


def test_changing_an_outcome_in_the_changelist_changes_the_screening(admin_client_as_manager):
    client = make_client()
    make_intake(client, diabetes=True)
    assert screening_for(client).status == "needs_clearance"

    rules = list(ContraindicationRule.objects.order_by("condition"))
    data = rules_changelist_post(rules, diabetes={"outcome": "caution", "action": "Check blood sugar first"})
    response = admin_client_as_manager.post(reverse("admin:clients_contraindicationrule_changelist"), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    result = screening_for(client)
    assert result.status == "caution"
    assert result.findings[0].action == "Check blood sugar first"


def test_changing_an_outcome_in_the_change_form_changes_the_screening(admin_client_as_manager):
    client = make_client()
    make_intake(client, sites=[{"condition": "varicose_veins", "region": "lower_leg", "side": "left"}])
    rule = ContraindicationRule.objects.get(condition="varicose_veins")
    url = reverse("admin:clients_contraindicationrule_change", args=[rule.pk])
    data = {
        "label": rule.label,
        "kind": rule.kind,
        "outcome": "do_not_treat",
        "action": "Reschedule",
        "pressure_cap": "",
        "points_to_avoid": "",
        "regions": "",
        "is_active": "on",
    }
    response = admin_client_as_manager.post(url, data)
    assert response.status_code == 302
    assert screening_for(client).status == "do_not_treat"


def test_a_bad_pressure_cap_is_refused(admin_client_as_manager):
    rules = list(ContraindicationRule.objects.order_by("condition"))
    data = rules_changelist_post(rules, blood_thinners={"pressure_cap": "9"})
    response = admin_client_as_manager.post(reverse("admin:clients_contraindicationrule_changelist"), data)
    assert response.status_code == 200  # the changelist shows the error
    assert ContraindicationRule.objects.get(condition="blood_thinners").pressure_cap == 2


def test_the_admin_offers_no_delete_for_clients(admin_client_as_manager):
    client = make_client()
    changelist = admin_client_as_manager.get(reverse("admin:clients_client_changelist")).content.decode()
    assert "delete_selected" not in changelist and "archive_clients" in changelist
    change = admin_client_as_manager.get(
        reverse("admin:clients_client_change", args=[client.pk])
    ).content.decode()
    assert reverse("admin:clients_client_delete", args=[client.pk]) not in change
    assert (
        admin_client_as_manager.get(reverse("admin:clients_client_delete", args=[client.pk])).status_code
        == 403
    )
    assert Client.objects.filter(pk=client.pk).exists()


def test_the_admin_archive_action(admin_client_as_manager):
    client = make_client()
    response = admin_client_as_manager.post(
        reverse("admin:clients_client_changelist"),
        {"action": "archive_clients", "_selected_action": [client.pk]},
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.is_archived


def test_the_clearance_admin_page_works_with_a_letter(admin_client_as_manager, settings, tmp_path):
    from django.core.files.base import ContentFile

    from clients.tests.builders import make_clearance

    settings.MEDIA_ROOT = tmp_path
    clearance = make_clearance(make_client(), ["pregnancy"])
    clearance.letter.save("x.pdf", ContentFile(b"%PDF-1.4"))
    url = reverse("admin:clients_physicianclearance_change", args=[clearance.pk])
    body = admin_client_as_manager.get(url).content.decode()
    assert reverse("clients:clearance_letter", args=[clearance.client_id, clearance.pk]) in body
