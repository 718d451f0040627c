"""The PostgreSQL backend reads timestamps with psycopg's compiled loader, and the same values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from psycopg.pq import Format

from clinic.kernel.postgresql import DJANGO_ENGINE, ENGINE, database_config
from clinic.kernel.postgresql.base import FAST_LOADER, TIMESTAMPTZ_OID


def test_a_postgresql_url_selects_this_backend_and_a_sqlite_url_is_left_alone():
    assert database_config("postgres://u@h:5432/db")["ENGINE"] == ENGINE
    assert database_config("sqlite:///x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"
    assert ENGINE != DJANGO_ENGINE


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_timestamps_come_back_aware_in_utc_through_the_compiled_loader():
    written = datetime(2026, 3, 29, 0, 59, 59, 123456, tzinfo=UTC)  # the night the clocks change
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        assert loader is FAST_LOADER
        assert "psycopg_binary" in FAST_LOADER.__module__ or "psycopg_c" in FAST_LOADER.__module__
        cursor.execute("SELECT %s::timestamptz, %s::timestamptz + interval '1 hour'", [written, written])
        first, later = cursor.fetchone()
    assert first == written and first.tzinfo is UTC
    assert later - first == timedelta(hours=1) and later.tzinfo is UTC
