"""Issue #8: the draft saves itself while the practitioner types (htmx), and only its author's draft.

The answer is only the save-state line (#autosave-status), never the form, so a refusal leaves
what is in the browser as typed.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from treatments.models import NoteStatus
from treatments.tests.builders import add_point, sign

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _autosave(http, note, **data):
    return http.post(reverse("treatments:note_autosave", args=[note.pk]), data, **HTMX)


def test_autosave_saves_the_draft_and_answers_saved_at(note, practitioner_client):
    response = _autosave(
        practitioner_client,
        note,
        subjective="Shoulder ache",
        pain_before="4",
        regions_treated=["shoulder"],
        home_care="LI4",
    )

    note.refresh_from_db()
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip() == f"Saved at {timezone.localtime(note.updated_at):%H:%M}"
    assert (note.subjective, note.pain_before, note.regions_treated) == ("Shoulder ache", 4, ["shoulder"])
    assert [p.code for p in note.home_care_points.all()] == ["LI4"]
    assert note.status == NoteStatus.DRAFT  # saving never signs


def test_autosave_is_recorded_in_the_history_like_save_draft(note, practitioner_client):
    _autosave(practitioner_client, note, subjective="First")
    _autosave(practitioner_client, note, subjective="First, then more")
    texts = list(note.history.order_by("history_date").values_list("subjective", flat=True))
    assert texts[-2:] == ["First", "First, then more"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"pain_before": "11"}, "Pain before (0-10): Ensure this value is less than or equal to 10."),
        ({"subjective": "x" * 10_000}, "S: subjective: Ensure this value has at most 5000 characters"),
        ({"home_care": "Hegoo"}, "Home-care points: No point matches “Hegoo”"),
        ({"regions_treated": ["elbowish"]}, "Body regions treated: Select a valid choice."),
    ],
)
def test_invalid_input_is_a_400_with_the_reason_and_saves_nothing(note, practitioner_client, data, reason):
    response = _autosave(practitioner_client, note, **{"objective": "typed so far", **data})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Not saved:" in body and reason in body
    # Only the state line comes back: nothing that would replace the fields in the browser.
    assert "<textarea" not in body and "<form" not in body
    note.refresh_from_db()
    assert note.objective == "" and note.pain_before is None


def test_autosave_of_a_signed_note_is_refused_with_409(note, practitioner_client):
    note.subjective = "As signed"
    note.save()
    add_point(note, "LI4")
    sign(note)

    response = _autosave(practitioner_client, note, subjective="Rewritten after signing")

    assert response.status_code == 409
    assert "Not saved: this note is signed" in response.content.decode()
    note.refresh_from_db()
    assert note.subjective == "As signed"


@pytest.mark.parametrize("who", ["other_practitioner_client", "manager_client"])
def test_autosave_of_another_practitioners_draft_is_refused_with_403(request, note, who):
    response = _autosave(request.getfixturevalue(who), note, subjective="Not my note")

    assert response.status_code == 403
    assert "Not saved: only the note&#x27;s author" in response.content.decode()
    note.refresh_from_db()
    assert note.subjective == ""


@pytest.mark.parametrize("who", ["reception_client", "outsider_client"])
def test_reception_and_outsiders_cannot_autosave(request, note, who):
    response = _autosave(request.getfixturevalue(who), note, subjective="x")
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.subjective == ""


def test_anonymous_autosave_goes_to_login(client, note):
    response = _autosave(client, note, subjective="x")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    note.refresh_from_db()
    assert note.subjective == ""


def test_autosave_takes_only_post(note, practitioner_client):
    response = practitioner_client.get(reverse("treatments:note_autosave", args=[note.pk]))
    assert response.status_code == 405


def test_the_note_form_autosaves_and_keeps_its_plain_save_button(note, practitioner_client):
    page = practitioner_client.get(note.get_absolute_url()).content.decode()
    autosave_url = reverse("treatments:note_autosave", args=[note.pk])
    assert f'hx-post="{autosave_url}"' in page and 'hx-trigger="input delay:1.5s"' in page
    assert 'id="autosave-status" role="status" aria-live="polite"' in page
    # Without JavaScript the form still posts to Save draft.
    assert f'action="{reverse("treatments:note_update", args=[note.pk])}" id="note-form"' in page
    assert "Save draft" in page
