"""The emailed intake link: sent by email, unguessable, works once, expires, shows one client."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.forms import HEALTH_YES_NO
from clients.models import Intake, IntakeLink, hash_token
from clients.tests.builders import make_client, make_intake
from clients.tests.test_bad_input import intake_data
from clients.views import INTAKE_GRANT_KEY
from clinic.kernel.outbox.models import Message, MessageStatus
from conftest import run_outbox_worker

pytestmark = pytest.mark.django_db

FORM = "/clients/intake/form/"


def answers(**overrides):
    """The online form's answers: every yes/no question answered (no), pregnant yes."""
    data = intake_data(consent_signed="on", consent_signature="Lena Virtanen")
    data.pop("taken_on")
    data.update(dict.fromkeys(HEALTH_YES_NO, "no"))
    data.update(pregnant="yes", pregnancy_high_risk="no")
    data.update(overrides)
    return data


@pytest.fixture
def sent(reception_client, mailoutbox):
    """Reception sends the link; returns the client and the path from the email."""
    client = make_client(first_name="Lena", last_name="Virtanen", email="lena@example.com")
    response = reception_client.post(reverse("clients:send_intake_link", args=[client.pk]))
    assert response.status_code == 302
    assert mailoutbox == []  # the request only writes it to the outbox
    run_outbox_worker()
    url = re.search(r"https?://\S+", mailoutbox[0].body).group(0)
    return client, urlsplit(url).path


def test_the_email_is_sent_to_the_client_with_the_link(sent, mailoutbox, settings):
    _client, path = sent
    (message,) = mailoutbox
    assert message.to == ["lena@example.com"]
    assert "health questionnaire" in message.subject
    # Plain-text email: the clinic's name as written, not HTML-escaped ("&amp;").
    assert message.subject.startswith(f"{settings.CLINIC_NAME}: ")
    assert "&amp;" not in message.subject + message.body
    assert settings.SITE_URL + path in message.body
    assert path.startswith("/clients/intake/")


def test_only_a_hash_of_a_long_random_token_is_stored(sent):
    _client, path = sent
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes, base64
    link = IntakeLink.objects.get()
    assert link.token_hash == hash_token(token)
    assert token not in link.token_hash


def test_the_link_opens_the_form_without_an_account(sent):
    _client, path = sent
    response = HttpClient().get(path, follow=True)
    assert response.status_code == 200
    assert "Hello Lena" in response.content.decode()


def test_the_form_shows_no_other_clients_data(sent):
    client, path = sent
    other = make_client(first_name="Otherperson", last_name="Elsewhere", email="else@example.com")
    make_intake(other, medications="Other-Client-Medication")
    make_intake(client, medications="Own-Earlier-Medication")
    body = HttpClient().get(path, follow=True).content.decode()
    for text in ("Otherperson", "Elsewhere", "else@example.com", "Other-Client-Medication"):
        assert text not in body
    # Nor the client's own earlier answers: the email may have reached the wrong person.
    assert "Own-Earlier-Medication" not in body


def test_submitting_creates_an_intake_that_needs_review_and_the_link_dies(sent):
    client, path = sent
    anonymous = HttpClient()
    anonymous.get(path)
    response = anonymous.post(FORM, answers())
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    intake = Intake.objects.get()
    assert intake.client == client
    assert intake.source == "online" and intake.needs_review and intake.pregnant
    link = IntakeLink.objects.get()
    assert link.used_at is not None and link.intake == intake
    client.refresh_from_db()
    assert client.consent_to_treatment_at is not None

    again = anonymous.get(path)
    assert again.status_code == 410
    assert "already been sent" in again.content.decode()
    assert anonymous.post(FORM, answers()).status_code == 410
    assert HttpClient().post(path, answers()).status_code == 410
    assert Intake.objects.count() == 1


def test_an_expired_link_gets_a_clear_page(sent):
    _client, path = sent
    opened_earlier = HttpClient()
    opened_earlier.get(path)
    IntakeLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = HttpClient().get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert HttpClient().post(path, answers()).status_code == 410
    # Opened before it expired, sent after: the link is checked again.
    assert opened_earlier.post(FORM, answers()).status_code == 410
    assert not Intake.objects.exists()


def test_the_link_lasts_the_configured_days(reception_client, settings, mailoutbox):
    settings.INTAKE_LINK_VALID_DAYS = 3
    client = make_client(email="x@example.com")
    reception_client.post(reverse("clients:send_intake_link", args=[client.pk]))
    link = IntakeLink.objects.get()
    assert timedelta(days=3) - timedelta(minutes=1) < link.expires_at - link.created_at <= timedelta(days=3)


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 43, "x" * 500])
def test_an_unknown_token_gets_a_friendly_404(db, token):
    response = HttpClient().get(reverse("clients:public_intake", args=[token]))
    assert response.status_code == 404
    assert "This link doesn" in response.content.decode()


def test_missing_consent_is_a_400_and_the_link_stays_usable(sent):
    _client, path = sent
    anonymous = HttpClient()
    anonymous.get(path)
    response = anonymous.post(FORM, answers(consent_signed="", consent_signature=""))
    assert response.status_code == 400
    assert "consent_signed" in response.context["form"].errors
    assert IntakeLink.objects.get().used_at is None


def test_a_clinician_marks_the_online_intake_reviewed(sent, practitioner_client, practitioner):
    client, path = sent
    anonymous = HttpClient()
    anonymous.get(path)
    anonymous.post(FORM, answers())
    intake = Intake.objects.get()
    listing = practitioner_client.get(reverse("clients:intakes_to_review")).content.decode()
    assert "Lena Virtanen" in listing
    response = practitioner_client.post(reverse("clients:intake_review", args=[client.pk, intake.pk]))
    assert response.status_code == 302
    intake.refresh_from_db()
    assert not intake.needs_review and intake.reviewed_by == practitioner.user
    assert "Lena" not in practitioner_client.get(reverse("clients:intakes_to_review")).content.decode()


def test_no_email_address_means_no_link(reception_client, mailoutbox):
    client = make_client(email="")
    response = reception_client.post(reverse("clients:send_intake_link", args=[client.pk]))
    assert response.status_code == 302
    assert not mailoutbox and not IntakeLink.objects.exists()


def test_the_link_waits_in_the_outbox_while_the_mail_server_is_down(reception_client, settings):
    """The request never talks to the mail server: the link is kept and its email waits to be
    retried (it used to be rolled back with "could not be sent")."""
    settings.EMAIL_BACKEND = "clinic.tests.failing_email.FailingEmailBackend"
    client = make_client(email="x@example.com")
    response = reception_client.post(reverse("clients:send_intake_link", args=[client.pk]), follow=True)
    assert response.status_code == 200
    assert "on its way to x@example.com" in response.content.decode()
    link = IntakeLink.objects.get()
    run_outbox_worker()
    message = Message.objects.get(key=f"intake-link:{link.pk}")
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert "SMTPServerDisconnected" in message.last_error


def test_the_link_is_hidden_in_the_outbox_and_wiped_once_sent(reception_client, mailoutbox):
    client = make_client(email="x@example.com")
    reception_client.post(reverse("clients:send_intake_link", args=[client.pk]))
    message = Message.objects.get()
    assert message.sensitive and "/clients/intake/" in message.body
    run_outbox_worker()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.body == ""
    assert "/clients/intake/" in mailoutbox[0].body


# The token is traded for a session at the first hop -----------------------------------------


def test_opening_the_link_redirects_to_a_token_free_address(sent):
    _client, path = sent
    token = path.rstrip("/").rsplit("/", 1)[1]
    response = HttpClient().get(path, follow=True)
    ((hop, status),) = response.redirect_chain
    assert status == 302 and hop == FORM == reverse("clients:public_intake_form")
    assert token not in hop
    assert response.request["PATH_INFO"] == FORM
    assert token not in response.content.decode()


def test_the_link_sends_no_referrer_the_form_none_to_other_sites_and_neither_is_stored(sent):
    _client, path = sent
    anonymous = HttpClient()
    responses = [
        anonymous.get(path),
        anonymous.get(FORM),
        anonymous.post(FORM, answers(consent_signed="")),  # 400
        anonymous.post(FORM, answers()),  # done
        anonymous.get(path),  # 410
        HttpClient().get("/clients/intake/not-a-token/"),  # 404
        HttpClient().get(FORM),  # no grant
    ]
    assert [r.status_code for r in responses] == [302, 200, 400, 200, 410, 404, 404]
    # The token's addresses send no referrer at all; the token-free questionnaire keeps it on
    # this site (its POST needs the Origin header for the CSRF check).
    policies = [r["Referrer-Policy"] for r in responses]
    assert policies == [
        "no-referrer",
        "same-origin",
        "same-origin",
        "same-origin",
        "no-referrer",
        "no-referrer",
        "same-origin",
    ]
    for response in responses:
        assert "no-store" in response["Cache-Control"]


def test_the_form_without_opening_a_link_asks_for_the_link_again(sent):
    response = HttpClient().post(FORM, answers())
    assert response.status_code == 404
    assert "open the link in your email again" in response.content.decode()
    assert not Intake.objects.exists()
    assert IntakeLink.objects.get().used_at is None


def test_the_grant_is_short_lived(sent):
    _client, path = sent
    anonymous = HttpClient()
    anonymous.get(path)
    session = anonymous.session
    session[INTAKE_GRANT_KEY] = {**session[INTAKE_GRANT_KEY], "until": int(time.time()) - 1}
    session.save()
    assert anonymous.post(FORM, answers()).status_code == 404
    assert not Intake.objects.exists()


def test_the_grant_is_for_the_last_link_opened(reception_client, mailoutbox):
    lena = make_client(first_name="Lena", email="lena@example.com")
    omar = make_client(first_name="Omar", email="omar@example.com")
    for client in (lena, omar):
        reception_client.post(reverse("clients:send_intake_link", args=[client.pk]))
    run_outbox_worker()
    lena_path, omar_path = (urlsplit(re.search(r"https?://\S+", m.body).group(0)).path for m in mailoutbox)
    browser = HttpClient()
    browser.get(lena_path)
    browser.get(omar_path)
    assert "Hello Omar" in browser.get(FORM).content.decode()
    browser.post(FORM, answers())
    assert Intake.objects.get().client == omar
    assert IntakeLink.objects.get(client=lena).used_at is None


def test_two_browsers_holding_one_link_send_one_intake(sent):
    """Both opened the link; the first to send wins, the second is told it was sent."""
    _client, path = sent
    first, second = HttpClient(), HttpClient()
    first.get(path)
    second.get(path)
    assert first.post(FORM, answers()).status_code == 200
    assert second.post(FORM, answers()).status_code == 410
    assert Intake.objects.count() == 1


def test_a_link_read_before_another_submission_is_not_used_twice(sent):
    """The race itself: the link was loaded as unused, then someone else used it; the
    conditional UPDATE refuses the second submission."""
    _client, path = sent
    stale = IntakeLink.objects.get()
    HttpClient().get(path)
    IntakeLink.objects.update(used_at=timezone.now())
    with pytest.raises(services.LinkUnavailable):
        services.submit_online_intake(link=stale, answers={}, sites=[])
    assert not Intake.objects.exists()
