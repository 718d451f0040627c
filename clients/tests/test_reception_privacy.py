"""Reception sees the screening status and the action, never a condition or an answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.tests.builders import make_clearance, make_client, make_health_update, make_intake

pytestmark = pytest.mark.django_db

# Distinctive text that exists only in the intake, the clearance and the health update.
SECRETS = [
    "Zyloprim-Warfarin-7734",
    "Allergic-to-Quokka-Oil",
    "Quietly-Unique-Condition-Note",
    "Left-Shoulder-Avoid-Marker",
    "Dr-Secretive-Letterwriter",
    "Health-Update-Note-Marker",
    "Knee-Site-Note-Marker",
]
# Condition names and clinical words that must not reach the front desk.
CLINICAL_WORDS = ["Pregnan", "Diabetes", "Varicose", "blood thinners", "LI4", "SP6", "Warfarin", "Knee"]


@pytest.fixture
def client_record():
    client = make_client(first_name="Private", last_name="Person")
    make_intake(
        client,
        pregnant=True,
        diabetes=True,
        blood_thinners=True,
        medications=SECRETS[0],
        other_allergies=SECRETS[1],
        other_conditions=SECRETS[2],
        areas_to_avoid=SECRETS[3],
        sites=[
            {"condition": "varicose_veins", "region": "lower_leg", "side": "left"},
            {"condition": "scar", "region": "knee", "side": "right", "note": SECRETS[6]},
        ],
    )
    make_clearance(client, ["pregnancy"], physician_name=SECRETS[4])
    make_health_update(client, changed=True, note=SECRETS[5])
    return client


def _reception_pages(client):
    return [
        reverse("clients:list"),
        reverse("clients:list") + "?q=private",
        reverse("clients:detail", args=[client.pk]),
        reverse("clients:edit", args=[client.pk]),
        reverse("clients:health_update", args=[client.pk]),
        reverse("clients:create"),
    ]


def test_reception_sees_no_answers_or_conditions_on_any_client_page(reception_client, client_record):
    for url in _reception_pages(client_record):
        response = reception_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for text in SECRETS + CLINICAL_WORDS:
            assert text not in body, f"{text!r} leaked on {url}"


def test_reception_sees_the_status_and_the_action(reception_client, client_record):
    body = reception_client.get(reverse("clients:detail", args=[client_record.pk])).content.decode()
    assert "Needs a doctor&#x27;s clearance" in body
    assert "Needs a doctor&#x27;s letter before treatment." in body


def test_clinicians_see_the_findings_and_answers(practitioner_client, client_record):
    body = practitioner_client.get(reverse("clients:detail", args=[client_record.pk])).content.decode()
    for text in ("Diabetes", "Varicose veins", "LI4", SECRETS[4], SECRETS[5]):
        assert text in body
    intake = client_record.intakes.get()
    detail = practitioner_client.get(reverse("clients:intake_detail", args=[client_record.pk, intake.pk]))
    for text in [*SECRETS[:4], SECRETS[6]]:
        assert text in detail.content.decode()


def test_reception_health_update_form_has_no_note_field(reception_client, client_record):
    response = reception_client.get(reverse("clients:health_update", args=[client_record.pk]))
    assert "note" not in response.context["form"].fields
