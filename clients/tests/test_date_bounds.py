"""Every date a form takes lies in the clinic's range (1900-2100): a field error, a 400, the input kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.forms import ClientForm
from clients.models import Client, Intake, IntakeSite, PhysicianClearance
from clients.tests.builders import make_client
from clients.tests.test_bad_input import intake_data, valid
from clients.tests.test_clearances import clearance_data
from clinic.kernel.dates import EARLIEST

pytestmark = pytest.mark.django_db
OUT_OF_RANGE = "Enter a date between 01/01/1900 and 31/12/2100."


def _field_error(response, form_name: str, field: str, value: str) -> None:
    assert response.status_code == 400
    form = response.context[form_name]
    assert OUT_OF_RANGE in form.errors[field]
    assert form[field].value() == value


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31"])
def test_an_intake_dated_before_1900_is_refused(practitioner_client, value):
    client = make_client()
    response = practitioner_client.post(
        reverse("clients:intake_new", args=[client.pk]), intake_data(taken_on=value)
    )
    _field_error(response, "form", "taken_on", value)
    assert not Intake.objects.exists()


def _with_a_knee_surgery_on(day: str) -> dict[str, str]:
    return intake_data(
        **{
            "sites-TOTAL_FORMS": "1",
            "sites-0-condition": "surgery",
            "sites-0-region": "knee",
            "sites-0-side": "left",
            "sites-0-occurred_on": day,
        }
    )


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31"])
def test_a_body_site_dated_before_1900_is_refused(practitioner_client, value):
    client = make_client()
    data = _with_a_knee_surgery_on(value)
    response = practitioner_client.post(reverse("clients:intake_new", args=[client.pk]), data)
    assert response.status_code == 400
    site_form = response.context["site_formset"].forms[0]
    assert OUT_OF_RANGE in site_form.errors["occurred_on"]
    assert site_form["occurred_on"].value() == value
    assert not IntakeSite.objects.exists()


def test_a_body_site_in_range_is_kept(practitioner_client):
    client = make_client()
    data = _with_a_knee_surgery_on("1900-01-01")
    response = practitioner_client.post(reverse("clients:intake_new", args=[client.pk]), data)
    assert response.status_code == 302
    assert IntakeSite.objects.get().occurred_on == EARLIEST


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issued_on", "0001-01-01"),
        ("issued_on", "1899-12-31"),
        ("expires_on", "2101-01-01"),
        ("expires_on", "9999-12-31"),
    ],
)
def test_a_clearance_date_out_of_range_is_refused(practitioner_client, field, value):
    client = make_client()
    response = practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]), clearance_data(**{field: value})
    )
    _field_error(response, "form", field, value)
    assert not PhysicianClearance.objects.exists()


def test_a_clearance_dated_in_the_future_is_refused(practitioner_client):
    client = make_client()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]), clearance_data(issued_on=tomorrow)
    )
    assert response.status_code == 400
    assert "can't be in the future" in response.context["form"].errors["issued_on"][0]


def test_a_clearance_must_expire_after_the_letter_date(practitioner_client):
    client = make_client()
    today = timezone.localdate().isoformat()
    response = practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]), clearance_data(issued_on=today, expires_on=today)
    )
    assert response.status_code == 400
    assert "expires_on" in response.context["form"].errors
    assert not PhysicianClearance.objects.exists()


def test_a_clearance_may_run_to_the_last_day_of_2100(practitioner_client):
    client = make_client()
    response = practitioner_client.post(
        reverse("clients:clearance_new", args=[client.pk]), clearance_data(expires_on="2100-12-31")
    )
    assert response.status_code == 302
    assert PhysicianClearance.objects.get().expires_on.isoformat() == "2100-12-31"


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31"])
def test_a_date_of_birth_before_1900_is_refused(reception_client, value):
    response = reception_client.post(reverse("clients:create"), valid(date_of_birth=value))
    _field_error(response, "form", "date_of_birth", value)
    assert not Client.objects.exists()


def test_the_oldest_date_of_birth_is_the_clinics_earliest_date():
    form = ClientForm(data=valid(date_of_birth=EARLIEST.isoformat()))
    assert form.is_valid(), form.errors
    form = ClientForm(data=valid(date_of_birth=(EARLIEST - timedelta(days=1)).isoformat()))
    assert not form.is_valid()
