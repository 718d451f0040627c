"""Every wait on the database has a bound, read from the environment, and the bound reaches the
connection: a held lock or a hung query ends in a clear answer instead of tying up the web
workers (issue #10)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from clinic.settings import env_seconds, postgres_options
from clinic.tests.test_settings import _manage

PRINT_DATABASE = "from django.conf import settings; print(settings.DATABASES['default'])"


def test_postgres_options_bound_statements_locks_idle_transactions_and_connecting():
    options = postgres_options(connect=5, statement=15, lock=5, idle_in_transaction=60)
    assert options == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=15s -c lock_timeout=5s -c idle_in_transaction_session_timeout=60s",
    }


def test_postgres_options_keep_the_database_urls_own_options_last_so_they_win():
    options = postgres_options(
        connect=5, statement=15, lock=5, idle_in_transaction=60, extra="-c lock_timeout=1s"
    )
    assert str(options["options"]).endswith("-c lock_timeout=1s")


def test_env_seconds_refuses_negative_and_words(monkeypatch):
    monkeypatch.setenv("WAIT", "-1")
    with pytest.raises(ImproperlyConfigured, match="WAIT"):
        env_seconds("WAIT", 5)
    monkeypatch.setenv("WAIT", "soon")
    with pytest.raises(ImproperlyConfigured, match="WAIT"):
        env_seconds("WAIT", 5)
    monkeypatch.setenv("WAIT", "0")
    assert env_seconds("WAIT", 5) == 0


def test_postgres_timeouts_come_from_the_environment():
    result = _manage(
        "shell",
        "-c",
        PRINT_DATABASE,
        DEBUG="1",
        DATABASE_URL="postgres://clinic@db.example:5432/clinic",
        DB_STATEMENT_TIMEOUT="20",
        DB_LOCK_TIMEOUT="2",
        DB_IDLE_IN_TRANSACTION_TIMEOUT="30",
        DB_CONNECT_TIMEOUT="3",
        CONN_MAX_AGE="60",
    )
    assert result.returncode == 0, result.stderr
    assert "-c statement_timeout=20s -c lock_timeout=2s -c idle_in_transaction_session_timeout=30s" in (
        result.stdout
    )
    assert "'connect_timeout': 3" in result.stdout
    assert "'CONN_MAX_AGE': 60" in result.stdout
    assert "'CONN_HEALTH_CHECKS': True" in result.stdout


def test_a_typo_in_a_timeout_stops_start_up():
    result = _manage("check", DEBUG="1", DB_LOCK_TIMEOUT="5s")
    assert result.returncode != 0
    assert "DB_LOCK_TIMEOUT" in result.stderr


def test_kept_connections_are_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def _configured_seconds(name: str) -> int:
    """The timeout the settings pass to PostgreSQL (`-c name=Ns` in the connection options)."""
    flags = settings.DATABASES["default"]["OPTIONS"]["options"].split()
    value = next(flag.split("=", 1)[1] for flag in flags if flag.startswith(f"{name}="))
    return int(value.removesuffix("s"))


@pytest.mark.postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("name", ["statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"])
def test_postgres_sessions_run_with_the_configured_timeouts(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting, unit FROM pg_settings WHERE name = %s", [name])
        setting, unit = cursor.fetchone()
    assert unit == "ms"
    assert int(setting) == _configured_seconds(name) * 1000 > 0


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_show_lock_timeout_gives_the_setting():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        shown = cursor.fetchone()[0]
    assert shown == f"{_configured_seconds('lock_timeout')}s"


@pytest.mark.django_db
def test_sqlite_writers_wait_a_bounded_time_in_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's busy timeout")
    assert connection.transaction_mode == "IMMEDIATE"  # type: ignore[attr-defined]  # SQLite wrapper only
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == settings.DATABASES["default"]["OPTIONS"]["timeout"] * 1000
