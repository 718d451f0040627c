"""The shared test world: one user per role plus an outsider, and plain builders.

Apps add their own builders in `<app>/tests/builders.py`; this file holds what every app's
tests need. Browser fixtures live in `clinic/tests/e2e/conftest.py`.
"""

from __future__ import annotations

import itertools
import signal
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client as HttpClient

from clinic.kernel.outbox.tasks import sweep_and_enqueue
from clinic.kernel.roles import Role
from clinic.kernel.twofactor.testing import mark_verified
from practitioners.models import Practitioner

TEST_PASSWORD = "a-long-test-password-1"
_seq = itertools.count(1)


def make_user(*, role: str | None = None, **overrides: Any):
    """A staff user in the given role (None: an outsider with no role)."""
    n = next(_seq)
    fields = {
        "username": f"user{n}",
        "first_name": "Test",
        "last_name": f"User{n}",
        "email": f"user{n}@clinic.example",
    }
    fields.update(overrides)
    user = get_user_model().objects.create_user(password=TEST_PASSWORD, **fields)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def make_practitioner(**overrides: Any) -> Practitioner:
    """A practitioner with a user account in the Practitioner role."""
    user = overrides.pop("user", None) or make_user(role=Role.PRACTITIONER)
    fields = {"display_name": f"{user.first_name} {user.last_name}", "user": user}
    fields.update(overrides)
    return Practitioner.objects.create(**fields)


def login_client(user, *, verified: bool = True) -> HttpClient:
    """A client signed in as `user`; with `verified`, past the second step too (two-factor
    sign-in is on in tests, as in production: see clinic/kernel/twofactor/tests)."""
    client = HttpClient()
    client.force_login(user)
    if verified:
        mark_verified(client, user)
    return client


def run_outbox_worker() -> None:
    """What the background worker does, run here and now: enqueue every due outbox message (a
    test's own transaction never commits, so nothing was handed over on commit), then run the
    task backend's worker until no task is ready. Emails land in `mailoutbox`."""
    sweep_and_enqueue(grace=timedelta(0))
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    # Between tasks the worker closes a connection it finds inside a transaction (a real
    # worker's never is); here that transaction is the test's own, so it stays open.
    try:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:  # the worker installs its own shutdown handlers: give pytest its own back
        for sig, handler in kept.items():
            signal.signal(sig, handler)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres_only` tests exercise a PostgreSQL feature: skipped, with the reason, elsewhere."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a third of a second per user; tests make hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _letters_in_a_temporary_folder(settings, tmp_path_factory):
    """Uploaded letters go to a temporary folder, never to the developer's MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def manager(db):
    return make_user(role=Role.MANAGER, username="mgr", first_name="Morgan", last_name="Hale")


@pytest.fixture
def practitioner(db) -> Practitioner:
    return make_practitioner(
        user=make_user(role=Role.PRACTITIONER, username="prac1", first_name="Amara", last_name="Okafor")
    )


@pytest.fixture
def other_practitioner(db) -> Practitioner:
    return make_practitioner(
        user=make_user(role=Role.PRACTITIONER, username="prac2", first_name="Kenji", last_name="Sato")
    )


@pytest.fixture
def receptionist(db):
    return make_user(role=Role.RECEPTION, username="desk", first_name="Riley", last_name="Chen")


@pytest.fixture
def outsider(db):
    """Logged in, but with no role: must be refused everywhere."""
    return make_user(role=None, username="outsider", first_name="Otto", last_name="Side")


@pytest.fixture
def manager_client(manager) -> HttpClient:
    return login_client(manager)


@pytest.fixture
def practitioner_client(practitioner) -> HttpClient:
    return login_client(practitioner.user)


@pytest.fixture
def other_practitioner_client(other_practitioner) -> HttpClient:
    return login_client(other_practitioner.user)


@pytest.fixture
def reception_client(receptionist) -> HttpClient:
    return login_client(receptionist)


@pytest.fixture
def outsider_client(outsider) -> HttpClient:
    return login_client(outsider)
