"""Dates on treatment forms lie in the clinic's range (1900-2100): a field error, a 400, the input kept."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from clients.tests.builders import make_client
from treatments.models import TreatmentNote, TreatmentPlan

pytestmark = pytest.mark.django_db
OUT_OF_RANGE = "Enter a date between 01/01/1900 and 31/12/2100."


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_a_plan_starting_out_of_range_is_refused(practitioner_client, value):
    client = make_client()
    response = practitioner_client.post(
        reverse("treatments:plan_create", args=[client.pk]),
        {"goal": "Sleep through the night", "planned_sessions": "4", "started_on": value},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert OUT_OF_RANGE in form.errors["started_on"]
    assert form["started_on"].value() == value
    assert not TreatmentPlan.objects.exists()


def test_a_plan_may_start_next_month(practitioner_client):
    client = make_client()
    response = practitioner_client.post(
        reverse("treatments:plan_create", args=[client.pk]),
        {"goal": "Sleep through the night", "planned_sessions": "4", "started_on": "2100-12-31"},
    )
    assert response.status_code == 302
    assert TreatmentPlan.objects.get().started_on.isoformat() == "2100-12-31"


@pytest.mark.parametrize("value", ["0001-01-01", "2101-01-01"])
def test_a_session_date_out_of_range_is_refused_by_any_form_on_the_note(note, value):
    """The admin's note form is a model form: the date of service is checked there too."""
    form_class = forms.modelform_factory(TreatmentNote, fields=["service_date"])
    form = form_class(data={"service_date": value}, instance=note)
    assert not form.is_valid()
    assert OUT_OF_RANGE in form.errors["service_date"]
