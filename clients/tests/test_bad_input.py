"""Bad input gets field errors, a 4xx and the user's input back; markup is shown escaped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from clients.models import Client, HealthUpdate, Intake
from clients.tests.builders import make_client

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


def valid(**overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "1980-01-02",
        "phone": "",
        "email": "",
    }
    data.update(overrides)
    return data


# Each field as the page shows it again: the value as typed, marked invalid, pointing at its error.
KEPT_INPUT = {
    "date_of_birth": (
        '<input type="date" name="date_of_birth" value="{value}" id="id_date_of_birth" required'
        ' class="dateinput form-control is-invalid" aria-invalid="true"'
        ' aria-describedby="id_date_of_birth_error">'
    ),
    "email": (
        '<input type="email" name="email" value="{value}" maxlength="254" id="id_email"'
        ' class="emailinput form-control is-invalid" aria-invalid="true" aria-describedby="id_email_error">'
    ),
    "phone": (
        '<input type="text" name="phone" value="{value}" maxlength="30" id="id_phone"'
        ' class="textinput form-control is-invalid" aria-invalid="true"'
        ' aria-describedby="id_phone_helptext id_phone_error">'
    ),
    "first_name": (
        '<input type="text" name="first_name" value="{value}" maxlength="100" id="id_first_name" required'
        ' class="textinput form-control is-invalid" aria-invalid="true"'
        ' aria-describedby="id_first_name_error">'
    ),
    "address": (
        '<textarea name="address" cols="40" rows="3" maxlength="500" id="id_address"'
        ' class="textarea form-control is-invalid" aria-invalid="true" aria-describedby="id_address_error">'
        "{value}</textarea>"
    ),
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            # A month ahead: the value is worked out when the tests are collected, and a run
            # may go past midnight before this one runs.
            "date_of_birth",
            (timezone.localdate() + timedelta(days=30)).isoformat(),
            "can&#x27;t be in the future",
        ),
        ("date_of_birth", "1850-01-01", "between 01/01/1900 and 31/12/2100"),
        ("date_of_birth", "31/31/2020", "Enter a valid date"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("phone", "12ab", "valid phone number"),
        ("phone", "07911 12", "not a valid phone number"),
        ("phone", "9" * 200, "at most 30 characters"),
        ("first_name", "A" * 10_000, "at most 100 characters"),
        ("address", "x" * 600, "at most 500 characters"),
    ],
)
def test_create_rejects_bad_fields_with_a_clear_error_and_keeps_the_input(
    reception_client, field, value, message
):
    response = reception_client.post(reverse("clients:create"), valid(**{field: value}))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert response.context["form"].errors[field]
    assertContains(response, KEPT_INPUT[field].format(value=value), status_code=400, html=True)
    assert not Client.objects.exists()


def test_edit_rejects_bad_fields_too(reception_client):
    client = make_client()
    response = reception_client.post(
        reverse("clients:edit", args=[client.pk]), valid(email="bad@", first_name="")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"email", "first_name"}


def test_email_reminders_need_an_email(reception_client):
    response = reception_client.post(reverse("clients:create"), valid(email_reminders="on"))
    assert response.status_code == 400
    assert "need an email address" in response.content.decode()


def test_markup_is_stored_as_typed_and_shown_escaped(reception_client, practitioner_client):
    response = reception_client.post(
        reverse("clients:create"), valid(first_name=SCRIPT, address=SCRIPT, pronouns="<b>x</b>")
    )
    client = Client.objects.get()
    assert response.status_code == 302
    assert client.first_name == SCRIPT
    for http in (reception_client, practitioner_client):
        for url in (reverse("clients:detail", args=[client.pk]), reverse("clients:list")):
            body = http.get(url).content.decode()
            assert SCRIPT not in body and "<b>x</b>" not in body
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
        in reception_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
    )


def test_markup_in_intake_answers_is_escaped(practitioner_client):
    client = make_client()
    data = intake_data(medications=SCRIPT, other_conditions=SCRIPT)
    response = practitioner_client.post(reverse("clients:intake_new", args=[client.pk]), data)
    intake = Intake.objects.get()
    assert response.status_code == 302
    body = practitioner_client.get(
        reverse("clients:intake_detail", args=[client.pk, intake.pk])
    ).content.decode()
    assert SCRIPT not in body and "&lt;script&gt;" in body


def intake_data(**overrides):
    data = {
        "taken_on": timezone.localdate().isoformat(),
        "blood_pressure": "normal",
        "heart_condition": "none",
        "blood_clots": "none",
        "cancer": "none",
        "osteoporosis": "none",
        "pressure_preference": "3",
        "sites-TOTAL_FORMS": "0",
        "sites-INITIAL_FORMS": "0",
        "sites-MIN_NUM_FORMS": "0",
        "sites-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"taken_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "taken_on"),
        ({"medications": "m" * 2001}, "medications"),
        ({"pregnant": "on", "pregnancy_weeks": "99"}, "pregnancy_weeks"),
        ({"chemotherapy": "on"}, "cancer"),
        ({"pressure_preference": "9"}, "pressure_preference"),
        ({"blood_pressure": "sky-high"}, "blood_pressure"),
        ({"consent_signed": "on", "consent_signature": ""}, "consent_signature"),
    ],
)
def test_intake_form_rejects_bad_answers(practitioner_client, overrides, field):
    client = make_client()
    response = practitioner_client.post(
        reverse("clients:intake_new", args=[client.pk]), intake_data(**overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Intake.objects.exists()


def test_intake_site_needs_a_date_for_surgery_and_no_future_date(practitioner_client):
    client = make_client()
    data = intake_data(
        **{
            "sites-TOTAL_FORMS": "2",
            "sites-0-condition": "surgery",
            "sites-0-region": "knee",
            "sites-0-side": "left",
            "sites-1-condition": "scar",
            "sites-1-region": "abdomen",
            "sites-1-side": "midline",
            "sites-1-occurred_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        }
    )
    response = practitioner_client.post(reverse("clients:intake_new", args=[client.pk]), data)
    assert response.status_code == 400
    formset = response.context["site_formset"]
    assert "occurred_on" in formset.forms[0].errors and "occurred_on" in formset.forms[1].errors


def test_a_broken_site_formset_is_a_400_not_a_500(practitioner_client):
    client = make_client()
    data = intake_data(**{"sites-TOTAL_FORMS": "abc"})
    response = practitioner_client.post(reverse("clients:intake_new", args=[client.pk]), data)
    assert response.status_code == 400


def test_health_update_needs_an_answer(reception_client):
    client = make_client()
    response = reception_client.post(reverse("clients:health_update", args=[client.pk]), {"changed": "maybe"})
    assert response.status_code == 400
    assert not HealthUpdate.objects.exists()


def test_overlong_search_is_a_400(reception_client):
    response = reception_client.get(reverse("clients:list"), {"q": "x" * 500})
    assert response.status_code == 400


@pytest.mark.parametrize("update", ["²", "١٢", "-1", "1.5", "9" * 40, ""])
def test_an_odd_update_id_is_ignored_not_a_500(practitioner_client, update):
    """An id such as "²" passes str.isdigit() but int() refuses it: it means no health update."""
    client = make_client()
    url = reverse("clients:intake_new", args=[client.pk])
    response = practitioner_client.get(url, {"update": update})
    assert response.status_code == 200
    assert response.context["health_update"] is None
    response = practitioner_client.post(f"{url}?update={update}", intake_data())
    assert response.status_code == 302
    assert Intake.objects.get().client == client
