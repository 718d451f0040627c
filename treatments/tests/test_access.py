"""Who sees what: clinicians read notes; reception and outsiders get 403 on every treatments page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from treatments.models import TreatmentNote
from treatments.tests.builders import add_point, make_attended_booking, make_protocol

pytestmark = pytest.mark.django_db


def _urls(note: TreatmentNote) -> list[tuple[str, str]]:
    application = add_point(note, "ST36")
    protocol = make_protocol(note.practitioner, shared=True)
    n, c, b, p = note.pk, note.client_id, note.booking_id, protocol.pk
    return [
        ("get", reverse("treatments:point_search") + "?q=shen"),
        ("get", reverse("treatments:booking_note", args=[b])),
        ("post", reverse("treatments:booking_note", args=[b])),
        ("get", reverse("treatments:note", args=[n])),
        ("post", reverse("treatments:note_update", args=[n])),
        ("post", reverse("treatments:note_autosave", args=[n])),
        ("post", reverse("treatments:application_add", args=[n])),
        ("post", reverse("treatments:application_remove", args=[n, application.pk])),
        ("post", reverse("treatments:quick_preview", args=[n])),
        ("post", reverse("treatments:quick_add", args=[n])),
        ("post", reverse("treatments:copy_last", args=[n])),
        ("post", reverse("treatments:note_sign", args=[n])),
        ("post", reverse("treatments:amendment_add", args=[n])),
        ("get", reverse("treatments:chart", args=[c])),
        ("get", reverse("treatments:plan_create", args=[c])),
        ("post", reverse("treatments:plan_create", args=[c])),
        ("post", reverse("treatments:protocol_apply", args=[n])),
        ("get", reverse("treatments:protocols")),
        ("get", reverse("treatments:protocol_create")),
        ("post", reverse("treatments:protocol_create")),
        ("get", reverse("treatments:protocol_edit", args=[p])),
        ("post", reverse("treatments:protocol_edit", args=[p])),
        ("post", reverse("treatments:protocol_delete", args=[p])),
    ]


@pytest.mark.parametrize("who", ["outsider_client", "reception_client"])
def test_outsiders_and_reception_are_refused_everywhere(request, note, who):
    http = request.getfixturevalue(who)
    for method, url in _urls(note):
        response = getattr(http, method)(url, {"text": "LI4", "subjective": "x"})
        assert response.status_code == 403, (method, url)
    note.refresh_from_db()
    assert note.subjective == "" and note.status == "draft"
    assert note.applications.count() == 1


def test_anonymous_visitors_are_sent_to_login(client, note):
    for method, url in _urls(note):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_reception_sees_no_clinical_content_in_the_nav(reception_client):
    page = reception_client.get(reverse("desk")).content.decode()
    assert "/treatments/" not in page


def test_practitioners_and_managers_read_any_note(note, manager_client, other_practitioner_client):
    note.subjective = "Low back ache since Tuesday"
    note.save()
    for http in (manager_client, other_practitioner_client):
        response = http.get(reverse("treatments:note", args=[note.pk]))
        assert response.status_code == 200
        assert "Low back ache since Tuesday" in response.content.decode()


def test_only_the_author_edits_a_draft(note, other_practitioner_client, manager_client):
    for http in (other_practitioner_client, manager_client):
        response = http.post(reverse("treatments:note_update", args=[note.pk]), {"subjective": "changed"})
        assert response.status_code == 403
    note.refresh_from_db()
    assert note.subjective == ""


def test_only_the_treating_practitioner_starts_a_note(practitioner, other_practitioner_client):
    booking = make_attended_booking(practitioner)
    response = other_practitioner_client.post(reverse("treatments:booking_note", args=[booking.pk]))
    assert response.status_code == 409
    assert not TreatmentNote.objects.filter(booking=booking).exists()


def test_unknown_records_give_404(practitioner_client):
    assert practitioner_client.get(reverse("treatments:note", args=[999999])).status_code == 404
    assert practitioner_client.get(reverse("treatments:chart", args=[999999])).status_code == 404
    assert practitioner_client.get(reverse("treatments:booking_note", args=[999999])).status_code == 404
