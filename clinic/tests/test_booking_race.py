"""Ten front-desk clicks racing for one slot: exactly one booking, nine clear conflicts."""

from __future__ import annotations

import functools
from datetime import date

import pytest
from django.db import connection

from clients.models import Client
from clients.tests.builders import make_client
from clinic.models import Booking, BookingSource
from clinic.online import services as online
from clinic.online.models import OnlineSettings
from clinic.tests.builders import future_day, give_hours, local, make_service, race, race_to_book
from conftest import make_practitioner, make_user

RACERS = 10


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME")


@pytest.mark.skipif(
    _in_memory_sqlite(),
    reason="The in-memory SQLite test database hides races; run with SQLITE_TEST_NAME=/tmp/x.sqlite3 "
    "(or on PostgreSQL, where this is the required run).",
)
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_bookings_of_one_slot_save_exactly_one():
    practitioner = make_practitioner()
    give_hours(practitioner)
    service = make_service(practitioners=[practitioner], needs_room=False)
    desk = make_user(role="Reception")
    clients = [make_client() for _ in range(RACERS)]
    start = local(future_day(), 10)
    requests = [
        {"client": c, "practitioner": practitioner, "service": service, "start": start} for c in clients
    ]

    outcomes = race_to_book(requests, by=desk)

    assert sorted(outcomes)[0] == "booked", outcomes
    assert outcomes.count("booked") == 1, outcomes
    conflicts = [o for o in outcomes if o.startswith("conflict")]
    assert len(conflicts) == RACERS - 1, outcomes
    assert all("already has a booking at that time" in c for c in conflicts)
    assert Booking.objects.filter(practitioner=practitioner).count() == 1


@pytest.mark.skipif(
    _in_memory_sqlite(),
    reason="The in-memory SQLite test database hides races (see above).",
)
@pytest.mark.django_db(transaction=True)
def test_clients_racing_online_for_one_slot_get_one_booking():
    """Online bookings (no staff member, source "online") race through the same service."""
    practitioner = make_practitioner()
    give_hours(practitioner)
    service = make_service(practitioners=[practitioner], needs_room=False)
    start = local(future_day(), 10)
    requests = [
        {"client": make_client(), "practitioner": practitioner, "service": service, "start": start,
         "source": BookingSource.ONLINE}
        for _ in range(4)
    ]  # fmt: skip

    outcomes = race_to_book(requests, by=None)

    assert outcomes.count("booked") == 1, outcomes
    assert all(o.startswith("conflict") for o in outcomes if o != "booked"), outcomes
    assert Booking.objects.get(practitioner=practitioner).source == BookingSource.ONLINE


@pytest.mark.skipif(
    _in_memory_sqlite(),
    reason="The in-memory SQLite test database hides races (see above).",
)
@pytest.mark.django_db(transaction=True)
def test_new_clients_racing_through_the_online_pages_service_get_one_booking_and_one_record():
    """The whole online unit (new client record, booking, links, confirmation) races: one
    wins; each loser gets the conflict (the page's "That time can't be booked") and leaves no
    client record behind."""
    practitioner = make_practitioner()
    give_hours(practitioner)
    service = make_service(practitioners=[practitioner], needs_room=False)
    config = OnlineSettings.current()
    config.enabled = True
    config.save()
    config.services.set([service])
    config.practitioners.set([practitioner])
    start = local(future_day(), 10)
    calls = [
        functools.partial(
            online.book_online,
            details=online.Details(
                first_name="Racer", last_name=f"Number{n}", email=f"racer{n}@example.com",
                phone="020 7946 0123", date_of_birth=date(1990, 1, n + 1),
            ),
            service=service, practitioner=practitioner, start=start,
        )
        for n in range(4)
    ]  # fmt: skip

    outcomes = race(calls)

    assert outcomes.count("booked") == 1, outcomes
    assert all(o.startswith("conflict") for o in outcomes if o != "booked"), outcomes
    booking = Booking.objects.get(practitioner=practitioner)
    assert booking.source == BookingSource.ONLINE
    assert list(Client.objects.filter(first_name="Racer")) == [booking.client]
