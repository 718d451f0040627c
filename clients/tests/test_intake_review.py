"""An intake the client sends online counts only once a clinician has reviewed it.

Until then screening takes the strictest of the last reviewed intake and the waiting ones:
a waiting intake can raise the status, never lower it. Staff-taken intakes count as reviewed.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.choices import SEVERITY, ScreeningStatus
from clients.forms import HEALTH_CHOICES, HEALTH_YES_NO
from clients.models import Intake, IntakeLink, IntakeSource
from clients.screening import screening_for, screenings_for
from clients.tests.builders import make_clearance, make_client, make_intake
from clients.tests.test_bad_input import intake_data
from clients.tests.test_online_intake import FORM
from clients.tests.test_online_intake import answers as online_answers
from clinic.models import Booking
from clinic.services import screening_check
from clinic.tests.builders import future_day, give_hours, local, make_booking, make_room, make_service
from conftest import run_outbox_worker

pytestmark = pytest.mark.django_db

STOP = ScreeningStatus.DO_NOT_TREAT
WAITING = "intake waiting for review"
# Words of the fever + suspected DVT intake that must not reach the front desk.
CLINICAL_WORDS = ["Fever", "fever", "DVT", "clot", "embolism", "unwell", "Pregnan", "Varicose", "LI4"]


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


# Answer sets spanning every outcome, with places, points and pressure caps.
ANSWER_SETS: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    "nothing": ({}, []),
    "fever": ({"fever_or_illness_today": True}, []),
    "suspected_dvt": ({"blood_clots": "suspected"}, []),
    "pregnancy": ({"pregnant": True, "pregnancy_weeks": 20}, []),
    "diabetes": ({"diabetes": True}, []),
    "blood_thinners": ({"blood_thinners": True}, []),
    "severe_osteoporosis": ({"osteoporosis": "severe"}, []),
    "varicose_left": ({}, [{"condition": "varicose_veins", "region": "lower_leg", "side": "left"}]),
    "varicose_right": ({}, [{"condition": "varicose_veins", "region": "lower_leg", "side": "right"}]),
    "allergy_note": ({"allergy_oils": True}, []),
}
PAIRS = list(itertools.product(ANSWER_SETS, repeat=2))


def screened_alone(name: str, **extra):
    """The screening of one staff intake with this answer set, on a client of its own."""
    client = make_client()
    answers, sites = ANSWER_SETS[name]
    make_intake(client, sites=sites, **answers, **extra)
    return screening_for(client)


@pytest.mark.parametrize(("reviewed", "waiting"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_a_waiting_intake_only_ever_adds_to_the_reviewed_one(reviewed, waiting):
    alone = screened_alone(reviewed, taken_on=days_ago(3))
    other = screened_alone(waiting)
    client = make_client()
    answers, sites = ANSWER_SETS[reviewed]
    make_intake(client, sites=sites, taken_on=days_ago(3), **answers)
    answers, sites = ANSWER_SETS[waiting]
    make_intake(client, sites=sites, source=IntakeSource.ONLINE, needs_review=True, **answers)

    result = screening_for(client)

    assert result.status == max(alone.status, other.status, key=SEVERITY.__getitem__)
    assert SEVERITY[result.status] >= SEVERITY[alone.status]
    assert {f.condition for f in result.findings} == {f.condition for f in alone.findings + other.findings}
    assert set(result.points_to_avoid) == set(alone.points_to_avoid) | set(other.points_to_avoid)
    assert result.regions_to_avoid == alone.regions_to_avoid | other.regions_to_avoid
    caps = [c for c in (alone.pressure_cap, other.pressure_cap) if c is not None]
    assert result.pressure_cap == (min(caps) if caps else None)
    assert result.needs_review and result.intake_date == days_ago(3)


@pytest.mark.parametrize("name", list(ANSWER_SETS))
def test_once_reviewed_the_online_intake_counts_like_any_other(name, practitioner):
    expected = screened_alone(name)
    client = make_client()
    make_intake(client, fever_or_illness_today=True, blood_clots="suspected", taken_on=days_ago(2))
    answers, sites = ANSWER_SETS[name]
    online = make_intake(client, sites=sites, source=IntakeSource.ONLINE, needs_review=True, **answers)

    services.review_intake(intake=online, by=practitioner.user)

    result = screening_for(client)
    assert result.status == expected.status
    assert {f.condition for f in result.findings} == {f.condition for f in expected.findings}
    assert not result.needs_review and result.intake_id == online.pk


@pytest.mark.parametrize("name", list(ANSWER_SETS))
def test_with_no_reviewed_intake_a_waiting_one_is_at_least_caution(name):
    alone = screened_alone(name)
    client = make_client()
    answers, sites = ANSWER_SETS[name]
    make_intake(client, sites=sites, source=IntakeSource.ONLINE, needs_review=True, **answers)

    result = screening_for(client)

    assert result.status == max(alone.status, ScreeningStatus.CAUTION, key=SEVERITY.__getitem__)
    assert result.has_intake and result.needs_review and result.intake_date is None
    assert "waiting for a practitioner" in result.action


def test_every_waiting_intake_counts_even_behind_a_newer_staff_intake():
    client = make_client()
    make_intake(
        client, source=IntakeSource.ONLINE, needs_review=True, blood_clots="suspected", taken_on=days_ago(5)
    )
    make_intake(client, source=IntakeSource.ONLINE, needs_review=True, diabetes=True, taken_on=days_ago(4))
    make_intake(client, taken_on=days_ago(1))
    result = screening_for(client)
    assert result.status == STOP
    assert {"dvt_suspected", "diabetes"} <= {f.condition for f in result.findings}
    assert len(result.pending_intake_ids) == 2


def test_a_clearance_still_applies_to_a_waiting_intakes_finding():
    client = make_client()
    make_intake(client, taken_on=days_ago(1))
    make_intake(client, source=IntakeSource.ONLINE, needs_review=True, diabetes=True)
    make_clearance(client, ["diabetes"])
    assert screening_for(client).status == ScreeningStatus.CAUTION


def test_an_out_of_date_reviewed_intake_stays_out_of_date_until_the_new_one_is_reviewed(
    settings, practitioner
):
    settings.INTAKE_VALID_DAYS = 30
    client = make_client()
    make_intake(client, taken_on=days_ago(60))
    online = make_intake(client, source=IntakeSource.ONLINE, needs_review=True)
    assert screening_for(client).intake_out_of_date
    services.review_intake(intake=online, by=practitioner.user)
    result = screening_for(client)
    assert not result.intake_out_of_date and result.status == ScreeningStatus.CLEAR


def test_screenings_for_keeps_its_two_queries_with_waiting_intakes(django_assert_num_queries):
    clients = [make_client() for _ in range(6)]
    for n, client in enumerate(clients):
        make_intake(client, taken_on=days_ago(3), sites=[{"condition": "bruise", "region": "knee"}])
        for _ in range(n % 3):
            make_intake(client, source=IntakeSource.ONLINE, needs_review=True, pregnant=True)
    make_clearance(clients[0], ["pregnancy"])
    # 1 reviewed and waiting intakes with their sites and the clients' clearances, 2 rules
    with django_assert_num_queries(2):
        results = screenings_for(clients)
    assert [r.needs_review for r in results.values()] == [bool(n % 3) for n in range(6)]


# The review action --------------------------------------------------------------------------


def test_a_staff_intake_taken_through_the_page_counts_as_reviewed(practitioner_client):
    client = make_client()
    practitioner_client.post(reverse("clients:intake_new", args=[client.pk]), intake_data(diabetes="on"))
    intake = Intake.objects.get()
    assert intake.source == IntakeSource.STAFF and not intake.needs_review
    assert not screening_for(client).needs_review


def test_reception_cannot_take_an_intake_nor_review_one(reception_client, receptionist):
    client = make_client()
    online = make_intake(client, source=IntakeSource.ONLINE, needs_review=True)
    assert (
        reception_client.post(reverse("clients:intake_new", args=[client.pk]), intake_data()).status_code
        == 403
    )
    response = reception_client.post(reverse("clients:intake_review", args=[client.pk, online.pk]))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.review_intake(intake=online, by=receptionist)
    online.refresh_from_db()
    assert online.needs_review and online.reviewed_by is None


def test_reviewing_twice_keeps_the_first_reviewer(practitioner, other_practitioner):
    online = make_intake(make_client(), source=IntakeSource.ONLINE, needs_review=True)
    services.review_intake(intake=online, by=practitioner.user)
    services.review_intake(intake=online, by=other_practitioner.user)
    online.refresh_from_db()
    assert online.reviewed_by == practitioner.user


def test_clinicians_reach_the_review_from_the_client_page(practitioner_client, manager_client, manager):
    client = make_client()
    make_intake(client, taken_on=days_ago(2))
    online = make_intake(client, source=IntakeSource.ONLINE, needs_review=True, diabetes=True)
    review_page = reverse("clients:intake_detail", args=[client.pk, online.pk])
    page = practitioner_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert WAITING in page and review_page in page
    detail = manager_client.get(review_page).content.decode()
    assert reverse("clients:intake_review", args=[client.pk, online.pk]) in detail
    response = manager_client.post(reverse("clients:intake_review", args=[client.pk, online.pk]))
    assert response.status_code == 302
    online.refresh_from_db()
    assert not online.needs_review and online.reviewed_by == manager
    assert WAITING not in manager_client.get(reverse("clients:detail", args=[client.pk])).content.decode()


def test_reception_sees_waiting_for_review_on_the_list_the_page_and_the_calendar(
    reception_client, practitioner
):
    give_hours(practitioner)
    service = make_service(practitioners=[practitioner])
    client = make_client(first_name="Waiting", last_name="Person")
    make_intake(client, taken_on=days_ago(2), fever_or_illness_today=True)
    make_intake(client, source=IntakeSource.ONLINE, needs_review=True, pregnant=True)
    day = future_day()
    make_booking(practitioner=practitioner, service=service, start=local(day, 10), client=client)
    pages = [
        reverse("clients:detail", args=[client.pk]),
        reverse("clients:list"),
        reverse("clinic:day") + f"?date={day}",
        reverse("clinic:day_sheet") + f"?date={day}",
    ]
    for url in pages:
        body = reception_client.get(url).content.decode()
        assert WAITING in body, url
        assert "Do not treat today" in body, url
        for word in CLINICAL_WORDS:
            assert word not in body, f"{word!r} on {url}"


def test_the_booking_form_warns_of_a_waiting_intake_even_when_clear():
    client = make_client()
    make_intake(client, taken_on=days_ago(2))
    assert screening_check(client, future_day()).warnings == ()
    make_intake(client, source=IntakeSource.ONLINE, needs_review=True)
    check = screening_check(client, future_day())
    assert check.status == ScreeningStatus.CLEAR and not check.refused
    assert any("waiting for a practitioner" in w for w in check.warnings)


# Intake links ------------------------------------------------------------------------------


def _link_paths(mailoutbox) -> list[str]:
    run_outbox_worker()  # the links go out through the outbox
    return [urlsplit(re.search(r"https?://\S+", m.body).group(0)).path for m in mailoutbox]


def test_a_new_link_revokes_the_older_unused_ones_and_keeps_their_records(reception_client, mailoutbox):
    client = make_client(email="ola@example.com")
    other = make_client(email="else@example.com")
    url = reverse("clients:send_intake_link", args=[client.pk])
    for _ in range(3):
        reception_client.post(url)
    reception_client.post(reverse("clients:send_intake_link", args=[other.pk]))
    first, second, newest, others = _link_paths(mailoutbox)

    for path in (first, second):
        response = HttpClient().get(path)
        assert response.status_code == 410 and "expired" in response.content.decode()
        assert HttpClient().post(path, online_answers()).status_code == 410
    assert HttpClient().get(newest, follow=True).status_code == 200
    assert HttpClient().get(others, follow=True).status_code == 200
    links = IntakeLink.objects.filter(client=client)
    assert links.count() == 3  # kept, not deleted
    assert sum(link.history.filter(history_type="~").count() for link in links) == 2
    assert not Intake.objects.exists()


def test_a_new_link_leaves_a_used_link_and_its_intake_alone(reception_client, mailoutbox):
    client = make_client(email="ola@example.com")
    url = reverse("clients:send_intake_link", args=[client.pk])
    reception_client.post(url)
    (used,) = _link_paths(mailoutbox)
    browser = HttpClient()
    browser.get(used)
    browser.post(FORM, online_answers())
    link = IntakeLink.objects.get()
    expires = link.expires_at
    reception_client.post(url)
    link.refresh_from_db()
    assert link.expires_at == expires and link.intake is not None


# The online form: no answer chosen in advance ------------------------------------------------


def _send(link_path: str, data: dict[str, Any]) -> Any:
    """Open the emailed link (its token buys the session) and send the questionnaire."""
    browser = HttpClient()
    browser.get(link_path)
    return browser.post(FORM, data)


@pytest.fixture
def link_path(reception_client, mailoutbox):
    client = make_client(email="ola@example.com")
    reception_client.post(reverse("clients:send_intake_link", args=[client.pk]))
    return _link_paths(mailoutbox)[0]


def test_the_online_form_chooses_no_health_answer_in_advance(link_path):
    response = HttpClient().get(link_path, follow=True)
    form = response.context["form"]
    body = response.content.decode()
    for name in [*HEALTH_YES_NO, *HEALTH_CHOICES]:
        assert form[name].value() in (None, ""), name
        assert not re.search(rf'<input[^>]*name="{name}"[^>]*checked', body), name
    assert {"fever_or_illness_today", "pregnant", "seizures"} <= set(HEALTH_YES_NO)
    assert {"blood_pressure", "heart_condition", "blood_clots", "cancer", "osteoporosis"} <= set(
        HEALTH_CHOICES
    )


MUST_ANSWER = [
    name
    for name in [*HEALTH_YES_NO, *HEALTH_CHOICES]
    if name not in ("pregnancy_high_risk", "chemotherapy", "radiotherapy", "seizure_control")
]


@pytest.mark.parametrize("name", MUST_ANSWER)
def test_every_health_question_left_unanswered_is_an_error_by_it(link_path, name):
    other = "allergy_latex" if name != "allergy_latex" else "allergy_oils"
    data = online_answers(medications="Input-Kept-Marker", **{other: "yes"})
    data.pop(name)
    response = _send(link_path, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [name]
    assert form["medications"].value() == "Input-Kept-Marker"
    assert form[other].value() == "yes"
    assert "Input-Kept-Marker" in response.content.decode()
    assert not Intake.objects.exists()
    assert IntakeLink.objects.get().used_at is None


def test_a_follow_up_is_asked_only_after_a_yes(link_path):
    data = online_answers(pregnant="no", cancer="none")
    for name in ("pregnancy_high_risk", "chemotherapy", "radiotherapy"):
        data.pop(name)
    assert _send(link_path, data).status_code == 200
    intake = Intake.objects.get()
    assert not (intake.pregnant or intake.pregnancy_high_risk or intake.chemotherapy)


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"pregnant": "yes"}, "pregnancy_high_risk"),
        ({"cancer": "current"}, "chemotherapy"),
        ({"cancer": "current"}, "radiotherapy"),
        ({"seizures": "yes"}, "seizure_control"),
    ],
)
def test_a_follow_up_after_a_yes_must_be_answered(link_path, overrides, missing):
    data = online_answers(**overrides)
    data.pop(missing, None)
    response = _send(link_path, data)
    assert response.status_code == 400
    assert missing in response.context["form"].errors
    assert not Intake.objects.exists()


# The acceptance test, through the real pages ------------------------------------------------


def test_an_online_all_no_cannot_wipe_out_a_staff_finding(
    practitioner_client, reception_client, practitioner, mailoutbox
):
    give_hours(practitioner)
    service = make_service(practitioners=[practitioner])
    make_room()
    client = make_client(first_name="Noor", last_name="Haddad", email="noor@example.com")
    detail = reverse("clients:detail", args=[client.pk])

    # A practitioner takes the intake: fever and suspected DVT.
    response = practitioner_client.post(
        reverse("clients:intake_new", args=[client.pk]),
        intake_data(fever_or_illness_today="on", blood_clots="suspected"),
    )
    assert response.status_code == 302
    assert screening_for(client).status == STOP

    # Reception emails the link; whoever holds it answers "no" to everything.
    reception_client.post(reverse("clients:send_intake_link", args=[client.pk]))
    (path,) = _link_paths(mailoutbox)
    all_no = online_answers(pregnant="no", consent_signature="Noor Haddad")
    browser = HttpClient()
    browser.get(path)
    response = browser.post(FORM, all_no)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    online = Intake.objects.get(source=IntakeSource.ONLINE)
    assert online.needs_review and not online.fever_or_illness_today

    assert screening_for(client).status == STOP
    page = reception_client.get(detail).content.decode()
    assert "Do not treat today" in page and "Clear to treat" not in page
    assert WAITING in page
    for word in CLINICAL_WORDS:
        assert word not in page, word

    day = future_day()
    booking = {
        "client": client.pk,
        "service": service.pk,
        "practitioner": practitioner.pk,
        "date": day.isoformat(),
        "time": "10:00",
        "end_time": "",
        "room": "",
        "reception_note": "",
    }
    refused = reception_client.post(reverse("clinic:booking_new"), booking)
    assert refused.status_code == 400
    assert "client" in refused.context["form"].errors
    assert not Booking.objects.exists()

    # A practitioner reviews it on the page: now the reviewed intake counts.
    review = practitioner_client.get(detail).content.decode()
    assert reverse("clients:intake_detail", args=[client.pk, online.pk]) in review
    practitioner_client.post(reverse("clients:intake_review", args=[client.pk, online.pk]))
    assert screening_for(client).status == ScreeningStatus.CLEAR
    page = reception_client.get(detail).content.decode()
    assert "Clear to treat" in page and WAITING not in page
    assert reception_client.post(reverse("clinic:booking_new"), booking).status_code == 302
    assert Booking.objects.filter(client=client).exists()
