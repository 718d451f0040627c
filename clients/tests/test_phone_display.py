"""Phone numbers are stored in E.164 and shown the way people read them; search still goes by digits."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from clients.tests.builders import make_client


def render_phone(value: str) -> str:
    return Template("{% load clients_tags %}{{ value|phone }}").render(Context({"value": value}))


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+447700900123", "07700 900123"),  # the clinic's own country: national form
        ("+442079460018", "020 7946 0018"),
        ("+33123456789", "+33 1 23 45 67 89"),  # elsewhere: international form
        ("+12015550123", "+1 201-555-0123"),
        ("", ""),
        ("not a number", "not a number"),  # an old or odd value is shown as it is
    ],
)
def test_the_phone_filter(settings, stored, shown):
    settings.PHONE_DEFAULT_REGION = "GB"
    assert render_phone(stored) == shown


def test_the_national_form_follows_the_clinics_region(settings):
    settings.PHONE_DEFAULT_REGION = "FR"
    assert render_phone("+33123456789") == "01 23 45 67 89"
    assert render_phone("+447700900123") == "+44 7700 900123"


@pytest.mark.django_db
def test_the_client_list_shows_readable_numbers(reception_client, settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    make_client(last_name="Okafor", phone="+447700900123")
    body = reception_client.get(reverse("clients:list")).content.decode()
    assert "07700 900123" in body
    assert "+447700900123" not in body


@pytest.mark.django_db
def test_the_client_page_shows_readable_numbers_and_a_call_link(reception_client, settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    client = make_client(
        phone="+447700900123",
        emergency_contact_name="Sam Okafor",
        emergency_contact_phone="+442079460018",
        physician_name="Dr Reyes",
        physician_phone="+33123456789",
    )
    body = reception_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "07700 900123" in body
    assert 'href="tel:+447700900123"' in body
    assert "020 7946 0018" in body
    assert "+33 1 23 45 67 89" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["07700 900123", "07700900123", "900123", "+44 7700 900123", "+447700900123"]
)
def test_a_number_typed_as_shown_finds_the_client(reception_client, typed):
    client = make_client(last_name="Okafor", phone="+447700900123")
    make_client(last_name="Sato", phone="+447700900456")
    response = reception_client.get(reverse("clients:list"), {"q": typed})
    assert [c.pk for c, _ in response.context["rows"]] == [client.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["+1 201-555-0123", "201-555-0123", "(201) 555-0123", "201.555.0123"])
def test_a_foreign_number_typed_as_shown_finds_the_client(reception_client, typed):
    client = make_client(last_name="Rivera", phone="+12015550123")
    make_client(last_name="Sato", phone="+447700900456")
    response = reception_client.get(reverse("clients:list"), {"q": typed})
    assert [c.pk for c, _ in response.context["rows"]] == [client.pk]
