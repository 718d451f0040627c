"""Issue #8: signing saves what is typed, in one transaction, and only a note with content is signed.

What a signature needs (services.signing_problems): some words in S, O, A or P (spaces and
punctuation alone do not count) and at least one point applied or one body region treated.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from treatments import services
from treatments.models import NoteStatus, Point
from treatments.tests.builders import add_point, make_note

pytestmark = pytest.mark.django_db

NOT_WORDS = ["", "   \n\t ", "...", "- - -", "?!", "__", "•"]


def _sign_url(note) -> str:
    return reverse("treatments:note_sign", args=[note.pk])


def _form(**fields) -> dict:
    """The note form as the browser posts it: every text field present, even when empty."""
    names = ("subjective", "objective", "assessment", "plan", "next_session", "pain_before", "pain_after")
    data = dict.fromkeys((*names, "home_care"), "")
    data.update(fields)
    return data


# -- The service ------------------------------------------------------------------------------


def test_the_service_saves_the_fields_and_signs_in_one_go(note, practitioner):
    services.sign_note(
        note_id=note.pk,
        user=practitioner.user,
        fields={"subjective": "Neck stiff since Monday", "pain_before": 5, "regions_treated": ["neck"]},
        home_care_points=[Point.objects.get(code="LI4")],
    )

    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED and note.signed_by == practitioner.user
    assert (note.subjective, note.pain_before) == ("Neck stiff since Monday", 5)
    assert note.regions_treated == ["neck"]
    assert [p.code for p in note.home_care_points.all()] == ["LI4"]
    # The signed version in the audit history holds the text: it was saved with the signature.
    assert note.history.filter(status=NoteStatus.SIGNED, subjective="Neck stiff since Monday").exists()


def test_the_service_refuses_an_empty_note_and_writes_nothing(note, practitioner):
    with pytest.raises(services.NoteIncomplete) as refused:
        services.sign_note(note_id=note.pk, user=practitioner.user)

    assert len(refused.value.problems) == 2
    assert "S, O, A or P" in str(refused.value) and "point applied or one body region" in str(refused.value)
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.signed_at is None


@pytest.mark.parametrize("text", NOT_WORDS)
def test_whitespace_or_punctuation_is_not_content(note, practitioner, text):
    add_point(note, "ST36")
    fields = dict.fromkeys(services.SOAP_TEXT_FIELDS, text) | {"next_session": "Recheck"}
    with pytest.raises(services.NoteIncomplete, match="S, O, A or P"):
        services.sign_note(note_id=note.pk, user=practitioner.user, fields=fields)

    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.next_session == ""


@pytest.mark.parametrize("text", ["Eased", "Pain 6/10", "頭痛が軽くなった", "7"])
def test_words_in_any_one_soap_field_are_content(note, practitioner, text):
    add_point(note, "ST36")
    services.sign_note(note_id=note.pk, user=practitioner.user, fields={"assessment": text})
    note.refresh_from_db()
    assert note.is_signed and note.assessment == text


def test_text_without_a_point_or_region_is_refused_and_not_saved(note, practitioner):
    with pytest.raises(services.NoteIncomplete) as refused:
        services.sign_note(note_id=note.pk, user=practitioner.user, fields={"subjective": "Headache"})

    assert refused.value.problems == [
        "Record at least one point applied or one body region treated before signing."
    ]
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.subjective == ""


def test_a_region_treated_is_enough_without_points(note, practitioner):
    services.sign_note(
        note_id=note.pk, user=practitioner.user, fields={"subjective": "Massage", "regions_treated": ["foot"]}
    )
    note.refresh_from_db()
    assert note.is_signed


def test_without_fields_the_note_is_signed_as_saved(practitioner):
    note = make_note(practitioner, objective="Tight trapezius")
    add_point(note, "GB21")
    services.sign_note(note_id=note.pk, user=practitioner.user)
    note.refresh_from_db()
    assert note.is_signed and note.objective == "Tight trapezius"


# -- The sign button and the sign URL -----------------------------------------------------------


def test_sign_saves_the_text_typed_since_the_last_save(note, practitioner, practitioner_client):
    add_point(note, "LI4")
    response = practitioner_client.post(
        _sign_url(note),
        _form(
            subjective="Low back ache after gardening",
            plan="Stretch twice a day",
            pain_before="6",
            pain_after="3",
            regions_treated=["lower_back"],
            home_care="Zusanli",
        ),
    )

    assert response.status_code == 302 and response["Location"] == note.get_absolute_url()
    note.refresh_from_db()
    assert note.is_signed and note.signed_by == practitioner.user
    assert (note.subjective, note.plan) == ("Low back ache after gardening", "Stretch twice a day")
    assert (note.pain_before, note.pain_after, note.regions_treated) == (6, 3, ["lower_back"])
    assert [p.code for p in note.home_care_points.all()] == ["ST36"]
    page = practitioner_client.get(note.get_absolute_url()).content.decode()
    assert "Low back ache after gardening" in page and "Sign and lock" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pain_before": "11"}, "less than or equal to 10"),
        ({"home_care": "LI4, Hegoo"}, "No point matches “Hegoo”"),
        ({"objective": "x" * 10_000}, "at most 5000 characters"),
    ],
)
def test_an_invalid_form_signs_nothing_and_comes_back_with_the_errors_and_the_text(
    note, practitioner_client, data, message
):
    add_point(note, "LI4")
    response = practitioner_client.post(_sign_url(note), _form(subjective="Words worth keeping", **data))

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and "Not signed" in page
    assert "Words worth keeping" in page  # the typed text is back in its field
    assert "Sign and lock the note" in page
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.subjective == "" and note.pain_before is None


def test_signing_an_empty_note_from_the_page_is_refused_with_the_reasons(note, practitioner_client):
    response = practitioner_client.post(_sign_url(note), _form(next_session="Recheck in a week"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Not signed" in page
    assert "Write what happened in at least one of S, O, A or P" in page
    assert "Record at least one point applied or one body region treated" in page
    assert "Recheck in a week" in page  # kept in the form, though not saved
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.next_session == ""


@pytest.mark.parametrize("text", NOT_WORDS)
def test_punctuation_only_text_is_refused_on_the_page(note, practitioner_client, text):
    add_point(note, "LI4")
    response = practitioner_client.post(_sign_url(note), _form(subjective=text, assessment=text))
    assert response.status_code == 400
    assert "S, O, A or P" in response.content.decode()
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT


def test_text_without_points_or_regions_is_refused_and_the_text_kept(note, practitioner_client):
    response = practitioner_client.post(_sign_url(note), _form(subjective="Felt calmer afterwards"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Record at least one point applied or one body region treated" in page
    assert "Felt calmer afterwards" in page
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.subjective == ""


def test_a_crafted_bare_post_cannot_sign_an_empty_note(note, practitioner_client):
    response = practitioner_client.post(_sign_url(note))

    assert response.status_code == 400
    assert "Not signed" in response.content.decode()
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.signed_at is None


def test_a_bare_post_signs_a_complete_note_as_saved_without_blanking_it(practitioner, practitioner_client):
    note = make_note(practitioner, subjective="Saved earlier", regions_treated=["neck"])
    response = practitioner_client.post(_sign_url(note))

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.is_signed and note.subjective == "Saved earlier" and note.regions_treated == ["neck"]


def test_another_practitioner_cannot_sign_a_draft(note, other_practitioner_client):
    add_point(note, "LI4")
    response = other_practitioner_client.post(_sign_url(note), _form(subjective="Not mine to write"))
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.subjective == ""


def test_the_sign_button_submits_the_note_form_and_the_page_says_what_signing_needs(
    note, practitioner_client
):
    page = practitioner_client.get(note.get_absolute_url()).content.decode()
    assert 'form="note-form"' in page and f'formaction="{_sign_url(note)}"' in page
    assert 'id="note-form"' in page
    assert "some words in S, O, A or P, and at least one point applied or one body region treated" in page
