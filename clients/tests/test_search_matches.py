"""Search results: surnames starting with the text first, then the other matches; counted and
paged up to SEARCH_CAP, whatever the number of clients."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients import search
from clients.models import Client
from clients.search import Matches
from clients.tests.builders import make_client

pytestmark = pytest.mark.django_db


def _names(clients):
    return [c.last_name for c in clients]


def test_surnames_starting_with_the_text_come_first_then_other_matches_each_by_name():
    for last in ["Goldsmith", "Smithers", "Arrowsmith", "Smith", "Nasmith", "Smithson"]:
        make_client(last_name=last)
    make_client(last_name="Jones")
    found = Matches(Client.objects.active(), "smith")[:10]
    assert _names(found) == ["Smith", "Smithers", "Smithson", "Arrowsmith", "Goldsmith", "Nasmith"]


def test_pages_run_on_across_the_two_groups_without_repeating_or_losing_a_client():
    for n in range(7):
        make_client(last_name=f"Miller{n}")
        make_client(last_name=f"Keller{n}", first_name="Ann")
    matches = Matches(Client.objects.active(), "mil")
    everything = matches[:100]
    pages: Paginator[Client] = Paginator(Matches(Client.objects.active(), "ller"), 4)
    paged = [c for number in pages.page_range for c in pages.page(number).object_list]
    assert _names(everything) == [f"Miller{n}" for n in range(7)]
    assert len(paged) == 14 and len({c.pk for c in paged}) == 14
    # "ller" starts no surname: all are inside matches, by name.
    assert _names(paged) == sorted(_names(paged))


def test_a_search_matching_more_than_the_cap_is_counted_to_the_cap_and_says_so(reception_client, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_CAP", 5)
    for n in range(8):
        make_client(last_name=f"Smith{n}")
    matches = Matches(Client.objects.active(), "smi")
    assert matches.count() == 5 and matches.capped
    assert not Matches(Client.objects.active(), "smith7").capped
    monkeypatch.setattr("clients.views.SEARCH_CAP", 5)
    page = reception_client.get(reverse("clients:list"), {"q": "smi"}).content.decode()
    assert "More than 5 clients match" in page


@pytest.mark.parametrize("clients", [3, 40])
def test_the_first_page_is_read_without_counting_and_a_count_is_one_query(clients):
    for n in range(clients):
        make_client(last_name=f"Okafor{n:02d}")
        make_client(last_name=f"Bokafor{n:02d}")
    with CaptureQueriesContext(connection) as first:
        found = Matches(Client.objects.active(), "okafor")[:11]
    assert len(found) == 11 if clients > 5 else len(found) == 2 * clients
    # Prefix group only when it fills the slice; the inside matches too when it does not.
    assert len(first) == (1 if clients > 5 else 2)
    with CaptureQueriesContext(connection) as counted:
        assert Matches(Client.objects.active(), "okafor").count() == 2 * clients
    assert len(counted) == 1


def test_matches_inside_names_are_not_counted_once_the_surnames_alone_pass_the_cap(monkeypatch):
    monkeypatch.setattr(search, "SEARCH_CAP", 5)
    for n in range(8):
        make_client(last_name=f"Smith{n}")
    make_client(last_name="Goldsmith")
    many = Matches(Client.objects.active(), "smith")
    assert many._group_sizes() == [6, 6]  # the second is the cap's stand-in, not a count
    few = Matches(Client.objects.active(), "smith7")
    assert few._group_sizes() == [1, 0] and few[:5][0].last_name == "Smith7"
    both = Matches(Client.objects.active().exclude(last_name__in=["Smith5", "Smith6", "Smith7"]), "smith")
    assert both._group_sizes() == [5, 1] and both.count() == 5 and both.capped
