"""The client search is backed by indexes: a name prefix walks a btree on both databases;
PostgreSQL also has a pg_trgm GIN index for substrings of name, email and phone."""

from __future__ import annotations

import pytest
from django.db import connection

from clients.models import Client

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            return plan
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_a_name_prefix_search_uses_a_btree_index():
    plan = _plan(Client.objects.search("ok").only("id"))
    assert "client_search_name" in plan, plan


@pytest.mark.postgres_only  # pg_trgm is PostgreSQL's
def test_a_substring_search_uses_the_trigram_index_on_postgresql():
    plan = _plan(Client.objects.search("kafor").only("id"))
    assert "client_search_text_trgm" in plan, plan


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite counterpart")
def test_a_substring_search_on_sqlite_still_answers_correctly():
    from clients.tests.builders import make_client

    wanted = make_client(first_name="Amara", last_name="Okafor")
    make_client(first_name="Someone", last_name="Else")
    assert list(Client.objects.search("kafor")) == [wanted]
