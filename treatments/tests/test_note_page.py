"""Writing a note: start from a booking, quick line with preview, picker form, SOAP fields, bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from clients.tests.builders import make_client, make_intake
from treatments.models import NoteStatus, PointApplication, TreatmentNote
from treatments.tests.builders import add_point, make_attended_booking, make_note, sign

pytestmark = pytest.mark.django_db


def _days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def test_a_booking_without_a_note_offers_to_start_one_and_post_starts_it(practitioner, practitioner_client):
    booking = make_attended_booking(practitioner)
    url = reverse("treatments:booking_note", args=[booking.pk])
    assert "Start the note" in practitioner_client.get(url).content.decode()

    response = practitioner_client.post(url)

    note = TreatmentNote.objects.get(booking=booking)
    assert response.status_code == 302 and response["Location"] == note.get_absolute_url()
    assert (note.client, note.practitioner, note.status) == (booking.client, practitioner, NoteStatus.DRAFT)
    assert note.service_date == booking.local_date
    # A second visit opens the same note.
    assert practitioner_client.get(url)["Location"] == note.get_absolute_url()


def test_a_booking_the_client_has_not_attended_gets_no_note(practitioner, practitioner_client):
    booking = make_attended_booking(practitioner, status="booked")
    response = practitioner_client.post(reverse("treatments:booking_note", args=[booking.pk]))
    assert response.status_code == 409
    assert "mark the booking arrived" in response.content.decode()
    assert not TreatmentNote.objects.exists()


def test_a_do_not_treat_client_gets_no_note_and_the_action_is_shown(practitioner, practitioner_client):
    client = make_client()
    make_intake(client, fever_or_illness_today=True)
    booking = make_attended_booking(practitioner, client=client)
    url = reverse("treatments:booking_note", args=[booking.pk])

    page = practitioner_client.get(url).content.decode()
    response = practitioner_client.post(url)

    assert "Start the note" not in page and "cannot be treated" in page
    assert response.status_code == 409
    assert "cannot be treated" in response.content.decode()
    assert not TreatmentNote.objects.exists()


def test_quick_preview_shows_each_resolved_name_and_saves_nothing(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:quick_preview", args=[note.pk]),
        {"text": "LI4 both 60s static; UB23 L 90s; P6 R p2"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    for shown in ("LI4</strong> Hegu", "BL23</strong> Shenshu", "PC6</strong> Neiguan", "Union Valley"):
        assert shown in page
    assert not note.applications.exists()


def test_htmx_preview_returns_only_the_fragment(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:quick_preview", args=[note.pk]), {"text": "ST36 L"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="quick-preview"') and "<html" not in page


def test_quick_add_creates_the_rows_in_order(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:quick_add", args=[note.pk]),
        {"text": "LI4 both 60s static; BL23 L 90s p3\nGV20 30s"},
    )
    assert response.status_code == 302
    rows = list(note.applications.values_list("point__code", "side", "duration_seconds", "pressure", "order"))
    assert rows == [
        ("LI4", "both", 60, None, 1),
        ("BL23", "left", 90, 3, 2),
        ("GV20", "midline", 30, None, 3),
    ]
    assert note.applications.get(point__code="LI4").technique.chinese_name == "An fa"


def test_an_unknown_point_is_refused_with_did_you_mean_and_the_line_kept(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:quick_add", args=[note.pk]), {"text": "LI4 L 60s; Hegoo R 30s; BL99"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "No point matches “Hegoo”" in page and "Did you mean" in page
    assert "No point matches “BL99”" in page
    assert "Hegoo R 30s" in page  # the input is kept
    assert not note.applications.exists()


def test_unknown_words_are_reported_not_dropped(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:quick_add", args=[note.pk]), {"text": "LI4 L 60s wobble"}
    )
    assert response.status_code == 400
    assert "Not understood: wobble" in response.content.decode()
    assert not note.applications.exists()


def test_a_ten_thousand_character_quick_line_is_a_400(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:quick_preview", args=[note.pk]), {"text": "LI4 " * 2500}
    )
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()


def test_the_picker_form_adds_one_point(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:application_add", args=[note.pk]),
        {
            "point": "zu san li",
            "side": "left",
            "duration_seconds": "90",
            "pressure": "3",
            "response": "warmth",
        },
    )
    assert response.status_code == 302
    application = note.applications.get()
    assert (application.point.code, application.side, application.pressure) == ("ST36", "left", 3)


# The field as the page shows it again: the value typed, marked invalid, pointing at its error.
# A side that is not one of the choices cannot be shown selected: the list comes back with none
# selected (never quietly another side), marked invalid.
KEPT_POINT_INPUT = {
    "pressure": (
        '<input type="number" name="pressure" value="9" min="0" max="5" id="id_pressure"'
        ' class="numberinput form-control is-invalid" aria-invalid="true"'
        ' aria-describedby="id_pressure_error">'
    ),
    "point": (
        '<input type="text" name="point" id="id_point" value="XYZ" maxlength="60"'
        ' class="form-control is-invalid" autocomplete="off" role="combobox" aria-autocomplete="list"'
        ' aria-expanded="false" aria-controls="point-suggestions"'
        ' aria-describedby="id_point_help id_point_error"'
        ' hx-get="/treatments/points/search/" hx-vals=\'{{"note": "{note}"}}\''
        ' hx-trigger="input changed delay:150ms" hx-target="#point-suggestions" hx-swap="outerHTML">'
    ),
    "duration_seconds": (
        '<input type="number" name="duration_seconds" value="0" min="1" max="3600" id="id_duration_seconds"'
        ' class="numberinput form-control is-invalid" aria-invalid="true"'
        ' aria-describedby="id_duration_seconds_error">'
    ),
    "side": (
        '<select name="side" class="select form-select is-invalid" aria-invalid="true"'
        ' aria-describedby="id_side_error" id="id_side">'
        '<option value="left">Left</option><option value="right">Right</option>'
        '<option value="both">Both sides</option><option value="midline">Midline</option></select>'
    ),
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pressure", "9", "less than or equal to 5"),
        ("point", "XYZ", "No point matches “XYZ”"),
        ("duration_seconds", "0", "greater than or equal to 1"),
        ("side", "sideways", "Select a valid choice"),
    ],
)
def test_bad_point_input_gets_a_field_error_and_keeps_the_input(
    note, practitioner_client, field, value, message
):
    data = {"point": "ST36", "side": "left", "pressure": "2", "duration_seconds": "60"}
    data[field] = value
    response = practitioner_client.post(reverse("treatments:application_add", args=[note.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assertContains(response, KEPT_POINT_INPUT[field].format(note=note.pk), status_code=400, html=True)
    if field != "side":
        assertContains(response, '<option value="left" selected>Left</option>', status_code=400, html=True)
    assert not PointApplication.objects.exists()


def test_the_soap_fields_save(note, practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:note_update", args=[note.pk]),
        {
            "subjective": "Low back ache",
            "objective": "Tight QL on the left",
            "assessment": "Eased",
            "plan": "Stretch daily",
            "next_session": "Recheck QL",
            "pain_before": "6",
            "pain_after": "3",
            "regions_treated": ["lower_back", "sacrum"],
            "home_care": "LI4, Zusanli",
        },
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.subjective, note.pain_before, note.pain_after) == ("Low back ache", 6, 3)
    assert note.regions_treated == ["lower_back", "sacrum"]
    assert {p.code for p in note.home_care_points.all()} == {"LI4", "ST36"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pain_before": "11"}, "less than or equal to 10"),
        ({"pain_after": "-1"}, "greater than or equal to 0"),
        ({"subjective": "x" * 10_000}, "at most 5000 characters"),
        ({"home_care": "LI4, Hegoo"}, "No point matches “Hegoo”"),
        ({"regions_treated": ["elbowish"]}, "Select a valid choice"),
    ],
)
def test_bad_note_input_gets_a_400_with_the_message_and_kept_input(note, practitioner_client, data, message):
    posted = {"subjective": "kept text", **data}
    response = practitioner_client.post(reverse("treatments:note_update", args=[note.pk]), posted)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "kept text" in page or "x" * 100 in page
    note.refresh_from_db()
    assert note.subjective == "" and note.pain_before is None


def test_removing_a_point_from_a_draft(note, practitioner_client):
    application = add_point(note, "ST36")
    response = practitioner_client.post(
        reverse("treatments:application_remove", args=[note.pk, application.pk])
    )
    assert response.status_code == 302
    assert not note.applications.exists()


def test_start_from_last_session_copies_the_newest_signed_protocol(practitioner, practitioner_client):
    client = make_client()
    older = make_note(practitioner, client=client, day=_days_ago(20))
    add_point(older, "LI4")
    sign(older)
    newest = make_note(practitioner, client=client, day=_days_ago(10))
    add_point(newest, "BL23", side="left", duration_seconds=90, pressure=3)
    add_point(newest, "ST36", side="right")
    sign(newest)
    draft = make_note(practitioner, client=client, day=_days_ago(1))
    make_note(practitioner, day=_days_ago(15))  # another client's note is never copied

    page = practitioner_client.get(reverse("treatments:note", args=[draft.pk])).content.decode()
    response = practitioner_client.post(reverse("treatments:copy_last", args=[draft.pk]))

    assert "Start from last session" in page
    assert response.status_code == 302
    copied = list(draft.applications.values_list("point__code", "side", "duration_seconds", "pressure"))
    assert copied == [("BL23", "left", 90, 3), ("ST36", "right", None, None)]


def test_start_from_last_session_skips_points_now_cautioned(practitioner, practitioner_client):
    client = make_client()
    previous = make_note(practitioner, client=client, day=_days_ago(30))
    add_point(previous, "LI4")
    add_point(previous, "ST36")
    sign(previous)
    make_intake(client, pregnant=True)  # since then, the client is pregnant
    draft = make_note(practitioner, client=client)

    response = practitioner_client.post(reverse("treatments:copy_last", args=[draft.pk]), follow=True)

    assert list(draft.applications.values_list("point__code", flat=True)) == ["ST36"]
    assert "Not copied because a caution now applies for this client: LI4" in response.content.decode()


def test_start_from_last_session_without_a_signed_note_says_so(note, practitioner_client):
    response = practitioner_client.post(reverse("treatments:copy_last", args=[note.pk]))
    assert response.status_code == 409
    assert "no signed note" in response.content.decode()
