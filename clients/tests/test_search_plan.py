"""A name-prefix search is read from the index in its listing order (PostgreSQL).

With many clients sharing a common surname late in the alphabet, the list's first page must
come from the search_name index walked from the prefix, with no sort and no walk of every
name before it (issue 12: the name-order index was walked, filtering 81k rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection

from clients.models import Client
from clients.search import SEARCH_CAP, Matches, search_name_for, search_order, search_text_for

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _many_smiths():
    names = [(f"F{n}", "Smith" if n % 5 == 0 else f"A{n:05d}") for n in range(20_000)]
    Client.objects.bulk_create(
        (
            Client(
                first_name=first,
                last_name=last,
                date_of_birth=date(1980, 1, 1),
                search_name=search_name_for(first_name=first, last_name=last),
                search_text=search_text_for(first_name=first, last_name=last),
            )
            for first, last in names
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")


def _plan(queryset: Any) -> list[tuple[str, str | None]]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    return [(n["Node Type"], n.get("Index Name")) for n in _nodes(plan)]


def test_a_surname_prefix_is_read_in_order_from_the_index():
    _many_smiths()
    page = Client.objects.active().search("sm").order_by(*search_order("sm"))[:25]
    kinds = _plan(page)
    assert ("Index Scan", "client_search_name_c_order") in kinds, kinds
    assert not [k for k in kinds if "Sort" in k[0]], kinds
    assert [c.last_name for c in page] == ["Smith"] * 25


def test_a_longer_search_reads_its_first_page_of_surnames_in_order_without_sorting_every_match():
    """4,000 Smiths: the first group of Matches ("smi" starting a surname) is read from the
    index in order and stops at the page; the count stops at the cap."""
    _many_smiths()
    matches = Matches(Client.objects.active(), "smi")
    kinds = _plan(matches.groups[0][:25])
    assert ("Index Scan", "client_search_name_c_order") in kinds, kinds
    assert not [k for k in kinds if "Sort" in k[0]], kinds
    assert [c.last_name for c in matches[:25]] == ["Smith"] * 25
    assert matches.count() == SEARCH_CAP and matches.capped
