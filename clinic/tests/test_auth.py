"""Signing in and out, password change and reset by email, lock-out and idle expiry."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client as HttpClient
from django.urls import reverse

from clinic.kernel.outbox.models import Message, MessageStatus
from clinic.kernel.roles import Role
from conftest import TEST_PASSWORD, make_user, run_outbox_worker


@pytest.fixture
def riley(db):
    return make_user(role=Role.RECEPTION, username="riley", email="riley@clinic.example")


def test_login_with_the_right_password_lands_on_home(client, riley):
    response = client.post(reverse("login"), {"username": "riley", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("desk")


def test_wrong_password_keeps_the_username_and_says_why(client, riley):
    response = client.post(reverse("login"), {"username": "riley", "password": "nope"})
    assert response.status_code == 200  # Django's LoginView re-renders the bound form
    assert b"Please enter a correct username and password" in response.content
    assert b'value="riley"' in response.content


def test_five_wrong_passwords_lock_the_account_out(client, riley):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "riley", "password": "nope"})
    response = client.post(reverse("login"), {"username": "riley", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert b"Too many wrong passwords" in response.content


def test_logout_is_a_post_and_ends_the_session(reception_client):
    assert reception_client.get(reverse("desk")).status_code == 200
    response = reception_client.post(reverse("logout"))
    assert response.status_code == 302
    assert reception_client.get(reverse("desk")).status_code == 302


def test_password_change(riley):
    client = HttpClient()
    client.force_login(riley)
    new = "a-brand-new-long-password-7"
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    riley.refresh_from_db()
    assert riley.check_password(new)


def test_password_reset_by_email(client, riley, mailoutbox):
    # The email leaves the request: written to the outbox, sent by the worker.
    response = client.post(reverse("password_reset"), {"email": "riley@clinic.example"})
    assert response.status_code == 302
    assert mailoutbox == []
    queued = Message.objects.get(kind="password reset")
    assert queued.sensitive
    run_outbox_worker()
    assert len(mailoutbox) == 1
    # Plain text: the clinic's name as written ("&", not "&amp;").
    assert mailoutbox[0].subject == f"Reset your password for {settings.CLINIC_NAME}"
    queued.refresh_from_db()
    assert queued.status == MessageStatus.SENT
    assert queued.body == ""  # the live link is not kept once sent
    message = mailoutbox[0]
    assert message.to == ["riley@clinic.example"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "reset-to-this-long-password-9"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert b"Password set" in done.content
    riley.refresh_from_db()
    assert riley.check_password(new)

    # The link works once.
    again = client.get(link, follow=True)
    assert b"expired or was already used" in again.content


def test_password_reset_for_an_unknown_address_says_nothing_more(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mailoutbox == []
    assert not Message.objects.exists()


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_password_reset_is_limited_per_account(client, riley, settings, fresh_cache):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 3
    for n in range(3):
        response = client.post(
            reverse("password_reset"), {"email": "Riley@clinic.example"}, REMOTE_ADDR=f"198.51.100.{n}"
        )
        assert response.status_code == 302
    written = Message.objects.filter(kind="password reset").count()
    assert written >= 1  # the same link asked for twice within a second is one message
    # From yet another address, and with the address typed differently: still this account.
    refused = client.post(
        reverse("password_reset"), {"email": " riley@CLINIC.example "}, REMOTE_ADDR="203.0.113.5"
    )
    assert refused.status_code == 429
    assert "Too many reset requests" in refused.content.decode()
    assert "riley@CLINIC.example" in refused.content.decode()  # the input is kept
    assert Message.objects.filter(kind="password reset").count() == written


def test_password_reset_is_limited_per_address(client, riley, settings, fresh_cache):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 4
    for n in range(4):
        response = client.post(
            reverse("password_reset"), {"email": f"guess{n}@example.com"}, REMOTE_ADDR="203.0.113.5"
        )
        assert response.status_code == 302
    refused = client.post(
        reverse("password_reset"), {"email": "riley@clinic.example"}, REMOTE_ADDR="203.0.113.5"
    )
    assert refused.status_code == 429
    assert not Message.objects.exists()
    # Riley, from her own address, is not affected.
    assert client.post(reverse("password_reset"), {"email": "riley@clinic.example"}).status_code == 302
    assert Message.objects.filter(kind="password reset", recipient="riley@clinic.example").count() == 1


def test_sessions_expire_after_at_most_an_hour_of_inactivity():
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert "clinic.kernel.sessions.IdleTimeoutMiddleware" in settings.MIDDLEWARE


def test_pages_for_logged_in_users_are_not_cached(reception_client):
    response = reception_client.get(reverse("desk"))
    assert "no-store" in response["Cache-Control"]
