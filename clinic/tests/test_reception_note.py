"""The front-desk note: a note that is too long is answered on the page (400), the text kept."""

from __future__ import annotations

from django.urls import reverse

from clinic.tests.builders import future_day, local, make_booking


def test_a_note_too_long_is_refused_next_to_the_field_with_the_text_kept(
    reception_client, practitioner, service, room
):
    booking = make_booking(practitioner=practitioner, service=service, start=local(future_day(), 10),
                           room=room, reception_note="Parking at back")  # fmt: skip
    text = "Needs the ground-floor room " + "x" * 372  # 400 characters
    response = reception_client.post(
        reverse("clinic:booking_note", args=[booking.pk]), {"reception_note": text}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{text}"' in page
    assert 'id="reception-note-error"' in page and "at most 300 characters" in page
    assert "reception_note" in response.context["note_form"].errors
    booking.refresh_from_db()
    assert booking.reception_note == "Parking at back"


def test_a_note_is_saved_and_the_page_shows_it(reception_client, practitioner, service, room):
    booking = make_booking(
        practitioner=practitioner, service=service, start=local(future_day(), 10), room=room
    )
    url = reverse("clinic:booking_note", args=[booking.pk])
    assert reception_client.post(url, {"reception_note": "  Parking at back "}).status_code == 302
    booking.refresh_from_db()
    assert booking.reception_note == "Parking at back"
    page = reception_client.get(reverse("clinic:booking_detail", args=[booking.pk])).content.decode()
    assert 'value="Parking at back"' in page
