"""Passwords hashed with Argon2 and at least 12 characters long, reset links valid one hour,
sessions ended a working day after sign-in and on another device's password change."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.tokens import default_token_generator
from django.test import Client as HttpClient
from django.urls import reverse

from clinic import settings as project_settings
from clinic.kernel.roles import Role
from clinic.kernel.sessions import SIGNED_IN_AT
from conftest import TEST_PASSWORD, make_user

NEW_PASSWORD = "a-brand-new-long-password-7"


@pytest.fixture
def riley(db):
    return make_user(role=Role.RECEPTION, username="riley", email="riley@clinic.example")


def signed_in(username: str = "riley") -> HttpClient:
    client = HttpClient()
    response = client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def test_argon2_hashes_new_passwords(settings):
    # The suite swaps in a fast hasher (conftest.py); the project's own list is put back here.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert identify_hasher(make_password("x" * 12)).algorithm == "argon2"


def test_a_password_shorter_than_twelve_characters_is_refused(riley):
    client = signed_in()
    short = "k9#vQ2!mZ7p"  # 11 characters, otherwise strong
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": short, "new_password2": short},
    )
    assert response.status_code == 200
    assert b"at least 12 characters" in response.content
    riley.refresh_from_db()
    assert riley.check_password(TEST_PASSWORD)


def test_a_password_reset_link_works_for_one_hour(riley, monkeypatch):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    made = datetime(2026, 3, 2, 9, 0)
    monkeypatch.setattr(default_token_generator, "_now", lambda: made)
    token = default_token_generator.make_token(riley)
    monkeypatch.setattr(default_token_generator, "_now", lambda: made + timedelta(minutes=59))
    assert default_token_generator.check_token(riley, token)
    monkeypatch.setattr(default_token_generator, "_now", lambda: made + timedelta(minutes=61))
    assert not default_token_generator.check_token(riley, token)


def test_signing_in_records_when(riley):
    before = time.time()
    client = signed_in()
    assert before <= client.session[SIGNED_IN_AT] <= time.time()


def _signed_in_hours_ago(client: HttpClient, hours: float) -> None:
    session = client.session
    session[SIGNED_IN_AT] = time.time() - hours * 3600
    session.save()


def test_a_busy_session_still_ends_a_working_day_after_signing_in(riley):
    assert settings.SESSION_ABSOLUTE_HOURS == 10
    client = signed_in()
    _signed_in_hours_ago(client, 9.9)
    assert client.get(reverse("desk")).status_code == 200

    _signed_in_hours_ago(client, 10.1)
    response = client.get(reverse("desk"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("desk")).status_code == 302


def test_the_working_day_is_a_setting(riley, settings):
    settings.SESSION_ABSOLUTE_HOURS = 2
    client = signed_in()
    _signed_in_hours_ago(client, 2.1)
    assert client.get(reverse("desk")).status_code == 302


def test_a_password_change_signs_out_the_other_devices(riley):
    desk_tablet = signed_in()
    phone = signed_in()
    assert desk_tablet.get(reverse("desk")).status_code == 200

    response = phone.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    # The device that changed the password stays signed in; the other is signed out.
    assert phone.get(reverse("desk")).status_code == 200
    response = desk_tablet.get(reverse("desk"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _session_writes(client: HttpClient, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)


def _expiry(client: HttpClient) -> datetime:
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_in_use_is_saved_at_most_once_a_minute_and_its_expiry_moves_on(riley, monkeypatch):
    from clinic.kernel import sessions

    client = signed_in()
    desk = reverse("desk")
    now = time.time()
    monkeypatch.setattr(sessions.time, "time", lambda: now)
    _session_writes(client, desk)  # the first page after signing in stamps the session
    first_expiry = _expiry(client)
    assert _session_writes(client, desk) == 0  # the same minute: nothing written
    monkeypatch.setattr(sessions.time, "time", lambda: now + settings.SESSION_TOUCH_SECONDS)
    assert _session_writes(client, desk) == 1
    assert _expiry(client) > first_expiry


def test_a_session_idle_past_its_age_is_signed_out(riley):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = signed_in()
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("desk"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
