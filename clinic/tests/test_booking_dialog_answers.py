"""The booking dialog's refusals name where they go, so they render in place on any page."""

from __future__ import annotations

from django.urls import reverse


def test_a_refused_dialog_booking_targets_its_own_form(reception_client, service):
    response = reception_client.post(
        reverse("clinic:booking_new"), {"service": service.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#booking-form-wrap"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'id="booking-form-wrap"' in response.content.decode()
    assert "<nav" not in response.content.decode()  # the form alone, not a page


def test_the_page_form_is_answered_as_a_page(reception_client, service):
    response = reception_client.post(reverse("clinic:booking_new"), {"service": service.pk})
    assert response.status_code == 400
    assert "HX-Retarget" not in response
    assert "<nav" in response.content.decode()
