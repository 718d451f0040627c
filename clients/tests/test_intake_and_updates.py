"""Staff intakes (prefilled from the last one) and the per-visit health update."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import HealthUpdate, Intake
from clients.tests.builders import make_client, make_intake
from clients.tests.test_bad_input import intake_data

pytestmark = pytest.mark.django_db


def test_a_practitioner_records_an_intake_with_body_sites(practitioner_client, practitioner):
    client = make_client()
    data = intake_data(
        blood_thinners="on",
        consent_signed="on",
        consent_signature="Test Client",
        **{
            "sites-TOTAL_FORMS": "1",
            "sites-0-condition": "varicose_veins",
            "sites-0-region": "lower_leg",
            "sites-0-side": "left",
        },
    )
    response = practitioner_client.post(reverse("clients:intake_new", args=[client.pk]), data)
    intake = Intake.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:intake_detail", args=[client.pk, intake.pk])
    assert intake.recorded_by == practitioner.user and intake.source == "staff"
    assert intake.consent_text_version
    assert [(s.condition, s.region, s.side) for s in intake.sites.all()] == [
        ("varicose_veins", "lower_leg", "left")
    ]
    page = practitioner_client.get(response["Location"]).content.decode()
    assert "Varicose veins" in page and "Lower leg (calf and shin) (left)" in page


def test_the_new_intake_form_is_prefilled_from_the_last_one(practitioner_client):
    client = make_client()
    make_intake(
        client,
        medications="Prefill-Me-Medication",
        diabetes=True,
        sites=[{"condition": "scar", "region": "abdomen", "side": "midline"}],
    )
    response = practitioner_client.get(reverse("clients:intake_new", args=[client.pk]))
    assert response.status_code == 200
    assert response.context["form"]["medications"].value() == "Prefill-Me-Medication"
    assert response.context["form"]["diabetes"].value() is True
    assert response.context["site_formset"].forms[0]["condition"].value() == "scar"
    assert "Prefilled from the last intake" in response.content.decode()


def test_every_intake_is_kept(practitioner_client):
    client = make_client()
    make_intake(client, taken_on=timezone.localdate() - timedelta(days=20), diabetes=True)
    practitioner_client.post(reverse("clients:intake_new", args=[client.pk]), intake_data())
    assert client.intakes.count() == 2
    page = practitioner_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "Clear to treat" in page  # the newest counts


class TestHealthUpdate:
    def test_reception_records_no_change(self, reception_client, receptionist):
        client = make_client()
        response = reception_client.post(
            reverse("clients:health_update", args=[client.pk]), {"changed": "no"}
        )
        assert response.status_code == 302
        update = HealthUpdate.objects.get()
        assert update.changed is False and update.recorded_by == receptionist
        assert update.recorded_on == timezone.localdate()

    def test_reception_cannot_write_a_clinical_note(self, reception_client):
        client = make_client()
        reception_client.post(
            reverse("clients:health_update", args=[client.pk]), {"changed": "yes", "note": "Sneaky note"}
        )
        update = HealthUpdate.objects.get()
        assert update.changed is True and update.note == ""
        page = reception_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
        assert "needs to update the intake" in page

    def test_a_clinician_yes_starts_a_prefilled_intake_linked_to_the_update(self, practitioner_client):
        client = make_client()
        make_intake(client, medications="Keep-Me")
        response = practitioner_client.post(
            reverse("clients:health_update", args=[client.pk]), {"changed": "yes", "note": "New knee pain"}
        )
        update = HealthUpdate.objects.get()
        assert update.note == "New knee pain"
        assert (
            response["Location"] == reverse("clients:intake_new", args=[client.pk]) + f"?update={update.pk}"
        )
        form_page = practitioner_client.get(response["Location"])
        assert form_page.context["form"]["medications"].value() == "Keep-Me"
        practitioner_client.post(
            reverse("clients:intake_new", args=[client.pk]),
            intake_data(update=str(update.pk), medications="Changed"),
        )
        update.refresh_from_db()
        assert update.new_intake == client.intakes.newest_first().first()
        assert update.new_intake.medications == "Changed"

    def test_the_client_page_lists_updates(self, reception_client):
        client = make_client()
        reception_client.post(reverse("clients:health_update", args=[client.pk]), {"changed": "no"})
        page = reception_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
        assert "nothing changed" in page
