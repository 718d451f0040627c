"""Signing in and out, password change and reset by email, lock-out and idle expiry."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from clinic.kernel.roles import Role
from conftest import TEST_PASSWORD, make_user


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
    response = client.post(reverse("password_reset"), {"email": "riley@clinic.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
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


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_pages_for_logged_in_users_are_not_cached(reception_client):
    response = reception_client.get(reverse("desk"))
    assert "no-store" in response["Cache-Control"]
