"""The API's listings cost a fixed number of queries whatever the number of rows, and an API
call leaves no session behind (no cookie, no row)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from clients.tests.builders import make_client
from clinic.integrations.models import ApiKey
from clinic.tests.builders import future_day, local, make_booking, make_room, make_service

pytestmark = pytest.mark.django_db

DAY = future_day()


def queries_of_a_call(extra: int) -> int:
    """The key with its user; the key's rate counter in the database cache (its read, then the
    increment: a read and the write, which the cache wraps in a count of its table and a
    savepoint); `extra` reads of the rows; the access-log event. The window runs already (a
    call came first) and the key's last use is fresh, so neither is written again."""
    counter = 1 + 1 + 5
    return 1 + counter + extra + 1


@pytest.fixture
def fresh_key(key_and_raw):
    ApiKey.objects.update(last_used_at=timezone.now())
    return key_and_raw


@pytest.mark.parametrize("rows", [1, 5])
def test_listings_run_a_fixed_number_of_queries(
    api, fresh_key, practitioner, service, django_assert_num_queries, rows
):
    for n in range(rows):
        make_booking(practitioner=practitioner, service=service, start=local(DAY, 8) + timedelta(hours=2 * n))
        make_client()
        make_room()
        make_service(practitioners=[practitioner])
    span = {"start": local(DAY, 0).isoformat(), "end": local(DAY, 23).isoformat()}
    api.get("/services")  # opens the key's rate window
    calls = [
        ("/bookings", span, 1),  # the bookings with their client, practitioner, service and room
        ("/clients", {}, 1),
        ("/services", {}, 1),
        ("/rooms", {}, 1),
        ("/practitioners", {}, 2),  # the practitioners, then what each offers (one prefetch)
        # The service; those offering it, with their hours (one prefetch); the calendar of the
        # days (time off, closures, rooms and the bookings in the window: one UNION ALL).
        ("/availability", {"service_id": service.pk, "from_date": DAY.isoformat(), "days": 2}, 4),
    ]
    for path, params, extra in calls:
        with django_assert_num_queries(queries_of_a_call(extra)):
            assert api.get(path, **params).status_code == 200, path


def test_an_api_call_leaves_no_session(api, fresh_key):
    response = api.get("/services")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
