"""Acceptance 5: a signed note never changes (page, crafted POST, admin, service); amendments follow it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login_client
from treatments import services
from treatments.models import Amendment, NoteStatus, PointApplication, TreatmentNote
from treatments.tests.builders import add_point, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(manager):
    """The manager in the back office (staff flag on)."""
    manager.is_staff = True
    manager.save()
    return login_client(manager)


@pytest.fixture
def signed_note(note):
    note.subjective = "Original words"
    note.save()
    add_point(note, "ST36", side="left", pressure=2)
    return sign(note)


def test_signing_records_who_and_when_and_locks_the_page(note, practitioner, practitioner_client):
    add_point(note, "LI4")
    response = practitioner_client.post(
        reverse("treatments:note_sign", args=[note.pk]), {"subjective": "Tension headache"}
    )

    note.refresh_from_db()
    assert response.status_code == 302
    assert note.status == NoteStatus.SIGNED
    assert note.signed_by == practitioner.user and note.signed_at is not None
    page = practitioner_client.get(reverse("treatments:note", args=[note.pk])).content.decode()
    assert "Save draft" not in page and "Preview points" not in page and "Sign and lock" not in page
    assert "Add amendment" in page


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("treatments:note_update", {"subjective": "Rewritten", "pain_before": "2"}),
        ("treatments:application_add", {"point": "LI4", "side": "left"}),
        ("treatments:quick_preview", {"text": "LI4 L"}),
        ("treatments:quick_add", {"text": "LI4 L"}),
        ("treatments:copy_last", {}),
        ("treatments:note_sign", {}),
    ],
)
def test_crafted_posts_cannot_change_a_signed_note(signed_note, practitioner_client, name, data):
    signed_at = signed_note.signed_at
    response = practitioner_client.post(reverse(name, args=[signed_note.pk]), data)

    assert response.status_code == 403
    signed_note.refresh_from_db()
    assert signed_note.subjective == "Original words" and signed_note.signed_at == signed_at
    assert list(signed_note.applications.values_list("point__code", flat=True)) == ["ST36"]


def test_a_point_of_a_signed_note_cannot_be_removed(signed_note, practitioner_client):
    application = signed_note.applications.get()
    response = practitioner_client.post(
        reverse("treatments:application_remove", args=[signed_note.pk, application.pk])
    )
    assert response.status_code == 403
    assert PointApplication.objects.filter(pk=application.pk).exists()


def test_the_service_layer_refuses_too(signed_note, practitioner):
    user = practitioner.user
    with pytest.raises(services.NoteLocked):
        services.update_note(note_id=signed_note.pk, user=user, fields={"subjective": "x"})
    with pytest.raises(services.NoteLocked):
        services.sign_note(note_id=signed_note.pk, user=user)
    with pytest.raises(services.NoteLocked):
        services.remove_application(
            note_id=signed_note.pk, user=user, application_id=signed_note.applications.get().pk
        )
    signed_note.refresh_from_db()
    assert signed_note.subjective == "Original words"


def test_the_admin_shows_a_signed_note_read_only_and_deletes_nothing(signed_note, admin_client_):
    change_url = reverse("admin:treatments_treatmentnote_change", args=[signed_note.pk])
    page = admin_client_.get(change_url)
    assert page.status_code == 200  # view-only
    assert 'name="subjective"' not in page.content.decode()

    posted = admin_client_.post(change_url, {"subjective": "Admin rewrite"})
    delete = admin_client_.post(
        reverse("admin:treatments_treatmentnote_delete", args=[signed_note.pk]), {"post": "yes"}
    )
    application = signed_note.applications.get()
    app_change = admin_client_.post(
        reverse("admin:treatments_pointapplication_change", args=[application.pk]), {"pressure": "5"}
    )
    app_delete = admin_client_.post(
        reverse("admin:treatments_pointapplication_delete", args=[application.pk]), {"post": "yes"}
    )

    assert posted.status_code == 403
    assert delete.status_code == 403
    assert app_change.status_code == 403
    assert app_delete.status_code == 403
    signed_note.refresh_from_db()
    assert signed_note.subjective == "Original words"
    assert PointApplication.objects.get(pk=application.pk).pressure == 2


def test_the_admin_never_deletes_a_note_even_a_draft(note, admin_client_):
    response = admin_client_.post(
        reverse("admin:treatments_treatmentnote_delete", args=[note.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert TreatmentNote.objects.filter(pk=note.pk).exists()


def test_an_amendment_is_added_and_the_history_shows_original_and_amendment(
    signed_note, other_practitioner, other_practitioner_client
):
    response = other_practitioner_client.post(
        reverse("treatments:amendment_add", args=[signed_note.pk]),
        {"reason": "Wrong side recorded", "text": "ST36 was on the right, not the left."},
    )

    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.author == other_practitioner.user and amendment.note == signed_note
    page = other_practitioner_client.get(reverse("treatments:note", args=[signed_note.pk])).content.decode()
    assert "Original words" in page
    assert "ST36 was on the right, not the left." in page and "Wrong side recorded" in page
    chart = other_practitioner_client.get(
        reverse("treatments:chart", args=[signed_note.client_id])
    ).content.decode()
    assert "Original words" in chart and "ST36 was on the right" in chart


def test_an_amendment_needs_a_reason_and_text(signed_note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:amendment_add", args=[signed_note.pk]), {"reason": "", "text": "y" * 10_000}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page and "at most 5000 characters" in page
    assert not Amendment.objects.exists()


def test_a_draft_takes_no_amendment(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:amendment_add", args=[note.pk]), {"reason": "r", "text": "t"}
    )
    assert response.status_code == 403
    assert not Amendment.objects.exists()


def test_the_admin_adds_no_amendment_amendments_are_written_on_the_note_page(note, admin_client_):
    response = admin_client_.post(
        reverse("admin:treatments_amendment_add"), {"note": note.pk, "reason": "r", "text": "t"}
    )
    assert response.status_code == 403
    assert not Amendment.objects.exists()
