"""The client picker on the booking, free-slot and course forms: a search endpoint with at most
ten matches, and pages whose size and queries don't grow with the number of clients."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.tests.builders import make_client

SEARCH = reverse("clinic:client_search")
PAGES = [reverse("clinic:booking_new"), reverse("clinic:find_slots"), reverse("clinic:course_new")]


def test_the_search_returns_matching_active_clients_as_buttons(reception_client, db):
    noor = make_client(first_name="Noor", last_name="Haddad")
    make_client(first_name="Sam", last_name="Kowalski")
    gone = make_client(first_name="Nora", last_name="Hadley")
    gone.archive()
    response = reception_client.get(SEARCH, {"client_search": "Had"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-client-id="{noor.pk}"' in page and "Noor Haddad" in page
    assert "Kowalski" not in page and f'data-client-id="{gone.pk}"' not in page
    assert page.count('type="button"') == 1


def test_the_search_returns_at_most_ten_and_says_there_are_more(reception_client, db):
    for n in range(12):
        make_client(first_name=f"Alex{n}", last_name="Morgan")
    page = reception_client.get(SEARCH, {"client_search": "morgan"}).content.decode()
    assert page.count("client-picker-option") == 10
    assert "More clients match" in page


def test_a_short_or_unmatched_search_lists_nothing(reception_client, db):
    make_client(first_name="Noor", last_name="Haddad")
    assert "client-picker-option" not in reception_client.get(SEARCH, {"client_search": "H"}).content.decode()
    empty = reception_client.get(SEARCH, {"client_search": "zzzz"}).content.decode()
    assert "No active client matches" in empty


def test_outsiders_are_refused_and_anonymous_users_sent_to_log_in(outsider_client, client, db):
    assert outsider_client.get(SEARCH, {"client_search": "Had"}).status_code == 403
    response = client.get(SEARCH, {"client_search": "Had"})
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("role_client", ["practitioner_client", "manager_client"])
def test_clinicians_may_search_too(request, role_client, db):
    assert request.getfixturevalue(role_client).get(SEARCH, {"client_search": "Ha"}).status_code == 200


def _measure(http, url):
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    return len(response.content), len(queries)


@pytest.mark.parametrize("url", PAGES)
def test_the_form_pages_do_not_grow_with_the_number_of_clients(reception_client, service, url):
    make_client()
    size_one, queries_one = _measure(reception_client, url)
    for _ in range(60):
        make_client()
    size_many, queries_many = _measure(reception_client, url)
    assert queries_many == queries_one
    assert size_many == size_one
    assert '<select name="client"' not in reception_client.get(url).content.decode()


def test_a_preselected_client_is_shown_by_name(reception_client, db):
    noor = make_client(first_name="Noor", last_name="Haddad")
    page = reception_client.get(reverse("clinic:booking_new"), {"client": noor.pk}).content.decode()
    assert 'value="Noor Haddad · born' in page
    assert f'name="client" id="id_client" value="{noor.pk}"' in page


def test_without_javascript_the_client_number_is_validated(reception_client, practitioner, service, room):
    archived = make_client()
    archived.archive()
    data = {"client": archived.pk, "service": service.pk, "practitioner": practitioner.pk,
            "date": "2030-01-07", "time": "10:00"}  # fmt: skip
    response = reception_client.post(reverse("clinic:booking_new"), data)
    assert response.status_code == 400
    assert "no active client has that number" in str(response.context["form"].errors["client"])
    assert f'value="{archived.pk}"' in response.content.decode()  # the input is kept
