"""The client list and the client page run a fixed number of queries, however much data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.tests.builders import make_clearance, make_client, make_health_update, make_intake

pytestmark = pytest.mark.django_db


def populate(count: int) -> list:
    clients = []
    for n in range(count):
        client = make_client(last_name=f"Query{n:03d}")
        for _ in range(3):
            make_intake(client, pregnant=True, sites=[{"condition": "varicose_veins", "region": "lower_leg"}])
        make_clearance(client, ["pregnancy"])
        make_health_update(client, changed=bool(n % 2))
        clients.append(client)
    return clients


# The request's own queries, the same on every page (4): the ATOMIC_REQUESTS savepoint and
# its release, the session, and the user with their roles (for the decorator and the nav) and
# whether the second-factor device that verified the session is theirs (clinic.kernel.identity).
# The session is saved at most once a minute (clinic.kernel.sessions), not on these pages.
REQUEST = 4
LIST_QUERIES = REQUEST + 2 + 2


@pytest.mark.parametrize("count", [5, 30])
def test_client_list_query_count_does_not_grow(reception_client, django_assert_num_queries, count):
    populate(count)
    # + count of clients, the page of clients, and screenings_for's two: newest intakes (with
    # their sites and the clients' valid clearances), rules
    with django_assert_num_queries(LIST_QUERIES):
        response = reception_client.get(reverse("clients:list"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 30])
def test_client_search_query_count_does_not_grow(reception_client, django_assert_num_queries, count):
    populate(count)
    with django_assert_num_queries(LIST_QUERIES):
        response = reception_client.get(reverse("clients:list"), {"q": "query0"})
    assert response.status_code == 200


# + the client, screening_for's two (newest intakes with their sites and this client's valid
# clearances, the rules), health updates with who recorded them, the
# open intake link, and the bookings panel's two (upcoming and past bookings, from
# templates/clinic/_client_bookings.html); clinicians also: intakes with their reviewers,
# clearances, their conditions, and the access log's INSERT (health section viewed).
CLIENT_PAGE = REQUEST + 1 + 2 + 2 + 2


@pytest.mark.parametrize("count", [5, 30])
@pytest.mark.parametrize(
    ("who", "queries"), [("practitioner_client", CLIENT_PAGE + 4), ("reception_client", CLIENT_PAGE)]
)
def test_client_page_query_count_does_not_grow(request, django_assert_num_queries, count, who, queries):
    http = request.getfixturevalue(who)
    clients = populate(count)
    for _ in range(count):
        make_intake(clients[0], blood_thinners=True)
        make_health_update(clients[0])
    with django_assert_num_queries(queries):
        response = http.get(reverse("clients:detail", args=[clients[0].pk]))
    assert response.status_code == 200
