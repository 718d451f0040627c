"""/healthz says the process answers; /readyz says it can serve (database, migrations, worker)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.test import Client as HttpClient

from clinic.kernel import health


@pytest.fixture
def ready_settings(settings):
    settings.READYZ_REQUIRE_WORKER = False
    settings.WORKER_HEARTBEAT_MAX_AGE = 120
    return settings


def _reasons(response) -> list[str]:
    return json.loads(response.content)["problems"]


def test_healthz_answers_ok_without_login_or_database(client):
    # No `db` fixture: any query here would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "sessionid" not in response.cookies
    assert response["Cache-Control"] == "no-store"


def test_probes_are_not_redirected_nor_held_to_allowed_hosts(client, ready_settings, db):
    # Production: HTTPS redirect on, and the probe comes by the pod's address.
    ready_settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.1.2.3").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.1.2.3").status_code == 200
    assert client.head("/readyz/").status_code == 200


def test_readyz_is_ok_when_the_database_answers_and_migrations_are_applied(client, ready_settings, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "sessionid" not in response.cookies


def test_readyz_fails_when_the_database_is_down(client, ready_settings, db, monkeypatch):
    class Down:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Down())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert _reasons(response) == ["database unreachable (OperationalError)"]


def test_readyz_fails_against_a_database_that_is_not_there(client, ready_settings, db, monkeypatch):
    """A real connection to nowhere: PostgreSQL on a closed port, or SQLite in a missing folder."""
    unreachable = connections.create_connection("default")
    if connection.vendor == "postgresql":
        unreachable.settings_dict = {**unreachable.settings_dict, "HOST": "127.0.0.1", "PORT": "1"}
    else:
        unreachable.settings_dict = {**unreachable.settings_dict, "NAME": "/no/such/folder/clinic.sqlite3"}
    monkeypatch.setattr(health, "connection", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert _reasons(response) == ["database unreachable (OperationalError)"]


def test_readyz_fails_when_a_migration_is_not_applied(client, ready_settings, db, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("0099_pending", False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert _reasons(response) == ["1 migration(s) not applied"]


@pytest.mark.parametrize(
    ("age", "status", "problems"),
    [
        (5.0, 200, None),
        (119.0, 200, None),
        (600.0, 503, ["task worker silent for 600 s (limit 120 s)"]),
        (None, 503, ["task worker has not reported yet"]),
    ],
)
def test_readyz_checks_the_workers_heartbeat_when_a_worker_is_required(
    client, ready_settings, db, monkeypatch, age, status, problems
):
    ready_settings.READYZ_REQUIRE_WORKER = True
    monkeypatch.setattr(health, "worker_heartbeat_age", lambda: age)
    response = client.get("/readyz")
    assert response.status_code == status
    if problems:
        assert _reasons(response) == problems


def test_a_silent_worker_is_fine_when_none_is_required(client, ready_settings, db, monkeypatch):
    monkeypatch.setattr(health, "worker_heartbeat_age", lambda: 10_000.0)
    assert client.get("/readyz").status_code == 200


def test_the_worker_limit_is_a_setting(client, ready_settings, db, monkeypatch):
    ready_settings.READYZ_REQUIRE_WORKER = True
    ready_settings.WORKER_HEARTBEAT_MAX_AGE = 30
    monkeypatch.setattr(health, "worker_heartbeat_age", lambda: 45.0)
    assert client.get("/readyz").status_code == 503


def test_the_worker_is_judged_by_the_outboxs_real_heartbeat(client, ready_settings, db):
    """No stub: the probe reads the heartbeat the task runs write through the cache."""
    from clinic.kernel.outbox.health import beat

    ready_settings.READYZ_REQUIRE_WORKER = True
    cache.clear()
    assert client.get("/readyz").status_code == 503  # no task has run yet
    beat()
    assert client.get("/readyz").status_code == 200


def test_probes_show_no_data_and_need_no_login(ready_settings, db, manager):
    for path in ("/healthz", "/readyz"):
        anonymous = HttpClient().get(path)
        assert anonymous.status_code == 200
        assert len(anonymous.content) < 100
