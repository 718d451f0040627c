"""Contradictory answers are errors by the fields, on the staff form and the online form alike.

A follow-up answer (pregnancy weeks, cancer treatment, how seizures are controlled, an implant
marked on the body) that disagrees with the question it follows is never dropped: both fields
get an error, the input comes back, the status is 400 and nothing is saved.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clients.choices import ScreeningStatus
from clients.models import ContraindicationRule, Intake, IntakeLink
from clients.screening import screening_for
from clients.tests.builders import make_clearance, make_client, make_intake
from clients.tests.test_bad_input import intake_data
from clients.tests.test_online_intake import answers as online_answers
from conftest import run_outbox_worker

pytestmark = pytest.mark.django_db

IMPLANT_SITE = {"condition": "implant", "region": "chest", "side": "left"}


def _site_fields(sites: list[dict[str, str]]) -> dict[str, str]:
    data = {"sites-TOTAL_FORMS": str(len(sites))}
    for n, site in enumerate(sites):
        data.update({f"sites-{n}-{key}": value for key, value in site.items()})
    return data


def staff_data(answers: dict[str, Any], sites: list[dict[str, str]]) -> dict[str, str]:
    """A checkbox sends "on" when ticked and nothing when not."""
    data = intake_data(**_site_fields(sites))
    for name, value in answers.items():
        if value is True:
            data[name] = "on"
        elif value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def online_data(answers: dict[str, Any], sites: list[dict[str, str]]) -> dict[str, str]:
    data = online_answers(pregnant="no", **_site_fields(sites))
    for name, value in answers.items():
        data[name] = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
    return data


class Staff:
    def __init__(self, http: HttpClient) -> None:
        self.client = make_client()
        self.http = http
        self.url = reverse("clients:intake_new", args=[self.client.pk])

    def post(self, answers: dict[str, Any], sites: list[dict[str, str]] = ()) -> Any:  # type: ignore[assignment]
        return self.http.post(self.url, staff_data(answers, list(sites)))


class Online:
    def __init__(self, reception: HttpClient, mailoutbox: list) -> None:
        self.client = make_client(email="ada@example.com")
        reception.post(reverse("clients:send_intake_link", args=[self.client.pk]))
        run_outbox_worker()
        self.url = urlsplit(re.search(r"https?://\S+", mailoutbox[-1].body).group(0)).path
        self.http = HttpClient()
        self.http.get(self.url)  # the token is traded for the session; the form has its own URL
        self.url = reverse("clients:public_intake_form")

    def post(self, answers: dict[str, Any], sites: list[dict[str, str]] = ()) -> Any:  # type: ignore[assignment]
        return self.http.post(self.url, online_data(answers, list(sites)))


@pytest.fixture(params=["staff", "online"])
def form(request, practitioner_client, reception_client, mailoutbox):
    if request.param == "staff":
        return Staff(practitioner_client)
    return Online(reception_client, mailoutbox)


# answers, the dependent fields that must carry an error, the parent field
CONTRADICTIONS = [
    ("weeks_not_pregnant", {"pregnant": False, "pregnancy_weeks": "20"}, ["pregnancy_weeks"], "pregnant"),
    (
        "high_risk_not_pregnant",
        {"pregnant": False, "pregnancy_high_risk": True},
        ["pregnancy_high_risk"],
        "pregnant",
    ),
    (
        "weeks_and_high_risk_not_pregnant",
        {"pregnant": False, "pregnancy_weeks": "20", "pregnancy_high_risk": True},
        ["pregnancy_weeks", "pregnancy_high_risk"],
        "pregnant",
    ),
    ("chemo_never_cancer", {"cancer": "none", "chemotherapy": True}, ["chemotherapy"], "cancer"),
    ("radio_never_cancer", {"cancer": "none", "radiotherapy": True}, ["radiotherapy"], "cancer"),
    ("chemo_past_cancer", {"cancer": "past", "chemotherapy": True}, ["chemotherapy"], "cancer"),
    (
        "both_treatments_past_cancer",
        {"cancer": "past", "chemotherapy": True, "radiotherapy": True},
        ["chemotherapy", "radiotherapy"],
        "cancer",
    ),
    (
        "control_without_seizures",
        {"seizures": False, "seizure_control": "uncontrolled"},
        ["seizure_control"],
        "seizures",
    ),
    (
        "controlled_without_seizures",
        {"seizures": False, "seizure_control": "controlled"},
        ["seizure_control"],
        "seizures",
    ),
]


@pytest.mark.parametrize(
    ("answers", "children", "parent"), [c[1:] for c in CONTRADICTIONS], ids=[c[0] for c in CONTRADICTIONS]
)
def test_a_follow_up_that_contradicts_its_question_is_an_error_by_both(form, answers, children, parent):
    response = form.post({**answers, "medications": "Input-Kept-Marker"})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {parent, *children}
    for name in children:
        value = response.context["form"][name].value()
        assert value not in (None, "", False), name  # the answer given comes back
    assert "Input-Kept-Marker" in response.content.decode()
    assert not Intake.objects.exists()
    assert not IntakeLink.objects.filter(used_at__isnull=False).exists()


def test_an_implant_on_the_body_with_no_implant_answer_is_an_error_by_both(form):
    response = form.post({"pacemaker_or_implant": False}, [IMPLANT_SITE])
    assert response.status_code == 400
    assert "pacemaker_or_implant" in response.context["form"].errors
    site_form = response.context["site_formset"].forms[0]
    assert "condition" in site_form.errors
    assert site_form["region"].value() == "chest"
    assert not Intake.objects.exists()


# answers, sites, what is saved
CONSISTENT = [
    (
        "pregnant_with_weeks_high_risk",
        {"pregnant": True, "pregnancy_weeks": "20", "pregnancy_high_risk": True},
        [],
        {"pregnant": True, "pregnancy_weeks": 20, "pregnancy_high_risk": True},
    ),
    (
        "current_cancer_chemo",
        {"cancer": "current", "chemotherapy": True, "radiotherapy": False},
        [],
        {"chemotherapy": True, "radiotherapy": False},
    ),
    ("past_cancer_no_treatment", {"cancer": "past", "chemotherapy": False, "radiotherapy": False}, [], {}),
    (
        "uncontrolled_seizures",
        {"seizures": True, "seizure_control": "uncontrolled"},
        [],
        {"seizure_control": "uncontrolled"},
    ),
    (
        "controlled_seizures",
        {"seizures": True, "seizure_control": "controlled"},
        [],
        {"seizure_control": "controlled"},
    ),
    ("implant_marked", {"pacemaker_or_implant": True}, [IMPLANT_SITE], {"pacemaker_or_implant": True}),
]


@pytest.mark.parametrize(
    ("answers", "sites", "saved"), [c[1:] for c in CONSISTENT], ids=[c[0] for c in CONSISTENT]
)
def test_consistent_follow_ups_are_saved(form, answers, sites, saved):
    response = form.post(answers, sites)
    assert response.status_code in (200, 302)
    assert "form" not in (response.context or {}) or not response.context["form"].errors
    intake = Intake.objects.get()
    for name, value in saved.items():
        assert getattr(intake, name) == value, name
    assert intake.sites.count() == len(sites)


def test_seizures_need_to_say_whether_they_are_controlled(form):
    response = form.post({"seizures": True})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["seizure_control"]
    assert not Intake.objects.exists()


def test_the_staff_form_prefills_no_contradiction(practitioner_client):
    """A new intake prefilled from the last one is valid as it stands."""
    client = make_client()
    make_intake(client, pregnant=True, pregnancy_weeks=12, seizures=True, seizure_control="controlled")
    response = practitioner_client.get(reverse("clients:intake_new", args=[client.pk]))
    assert response.context["form"]["seizure_control"].value() == "controlled"


# Screening of seizures --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("control", "status", "condition"),
    [
        ("controlled", ScreeningStatus.CAUTION, "seizures"),
        ("uncontrolled", ScreeningStatus.NEEDS_CLEARANCE, "uncontrolled_seizures"),
        ("", ScreeningStatus.NEEDS_CLEARANCE, "uncontrolled_seizures"),  # not known: the careful reading
    ],
)
def test_uncontrolled_seizures_need_a_doctors_clearance(control, status, condition):
    client = make_client()
    make_intake(client, seizures=True, seizure_control=control)
    result = screening_for(client)
    assert result.status == status
    assert [f.condition for f in result.findings] == [condition]


def test_a_clearance_for_uncontrolled_seizures_lifts_it_to_caution():
    client = make_client()
    make_intake(client, seizures=True, seizure_control="uncontrolled")
    make_clearance(client, ["uncontrolled_seizures"])
    result = screening_for(client)
    assert result.status == ScreeningStatus.CAUTION and result.findings[0].cleared


def test_the_rule_for_uncontrolled_seizures_is_seeded_and_the_seizures_rule_stays():
    rule = ContraindicationRule.objects.get(condition="uncontrolled_seizures")
    assert (rule.kind, rule.outcome, rule.is_active) == ("relative", "needs_clearance", True)
    assert ContraindicationRule.objects.get(condition="seizures").outcome == "caution"


def test_the_clearance_form_offers_uncontrolled_seizures(practitioner_client):
    client = make_client()
    response = practitioner_client.get(reverse("clients:clearance_new", args=[client.pk]))
    assert "Seizures or epilepsy, not controlled" in response.content.decode()
