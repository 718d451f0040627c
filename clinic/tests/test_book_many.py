"""book_many: many bookings in one go, each with the outcome book() gives it one at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.tests.builders import make_client, make_intake
from clinic.integrations.models import Delivery, Event, WebhookEvent
from clinic.integrations.services import register_endpoint
from clinic.models import Booking, BookingSource
from clinic.services import (
    BookingBatch,
    BookingConflict,
    BookingError,
    BookingRequest,
    book,
    book_many,
    booking_write,
)
from clinic.tests.builders import (
    future_day,
    give_hours,
    local,
    make_booking,
    make_closure,
    make_room,
    make_time_off,
)
from conftest import make_practitioner

DAY = future_day()


def outcome(result: Booking | BookingError) -> tuple[object, ...]:
    if isinstance(result, BookingError):
        return (type(result).__name__, result.field, result.message)
    return ("booked", result.client_id, result.practitioner_id, result.room_id, result.start, result.end)


def one_by_one(requests: list[BookingRequest], *, by, now) -> list[tuple[object, ...]]:
    """What book() answers to each request in turn (then rolled back)."""
    answers = []
    with transaction.atomic():
        for r in requests:
            try:
                with transaction.atomic():
                    made = book(
                        client=r.client, practitioner=r.practitioner, service=r.service, start=r.start,
                        end=r.end, by=by, now=now, notify=False, source=BookingSource.IMPORT,
                        reception_note=r.reception_note,
                    )  # fmt: skip
                answers.append(outcome(made))
            except BookingError as error:
                answers.append(outcome(error))
        transaction.set_rollback(True)
    return answers


@pytest.fixture
def mixed(practitioner, other_practitioner, service, room, receptionist):
    """Requests that meet every rule: overlaps inside the batch and with the calendar, a
    closure, time off, a client not to be treated, outside hours, no room left, no offer."""
    third = make_practitioner()
    give_hours(third)
    service.practitioners.add(third)
    make_room(name="Cedar")  # two rooms in all
    stranger = make_practitioner()
    give_hours(stranger)
    sam, kim, lee, ana, bo, cy = (
        make_client(first_name=n, last_name="Batch") for n in ["Sam", "Kim", "Lee", "Ana", "Bo", "Cy"]
    )
    unwell = make_client(first_name="Unwell", last_name="Batch")
    make_intake(unwell, fever_or_illness_today=True)
    closed, away = DAY + timedelta(days=1), DAY + timedelta(days=2)
    make_closure(closed)
    make_time_off(other_practitioner, away)
    make_booking(practitioner=third, service=service, start=local(DAY, 16), room=None)
    p1, p2, p3, s = practitioner.pk, other_practitioner.pk, third.pk, service.pk
    return [
        BookingRequest(client=sam, practitioner=p1, service=s, start=local(DAY, 10), reception_note="first"),
        BookingRequest(client=kim, practitioner=p1, service=s, start=local(DAY, 10, 30)),  # p1 taken
        BookingRequest(client=sam, practitioner=p2, service=s, start=local(DAY, 10, 15)),  # Sam taken
        BookingRequest(client=lee, practitioner=p1, service=s, start=local(closed, 10)),  # closed
        BookingRequest(client=lee, practitioner=p2, service=s, start=local(away, 10)),  # time off
        BookingRequest(client=unwell, practitioner=p2, service=s, start=local(DAY, 14)),  # do not treat
        BookingRequest(client=lee, practitioner=p1, service=s, start=local(DAY, 6)),  # outside hours
        BookingRequest(client=ana, practitioner=p2, service=s, start=local(DAY, 12)),
        BookingRequest(client=bo, practitioner=p3, service=s, start=local(DAY, 12)),
        BookingRequest(client=cy, practitioner=p1, service=s, start=local(DAY, 12, 30)),  # no room left
        BookingRequest(client=kim, practitioner=p3, service=s, start=local(DAY, 16, 30)),  # in the calendar
        BookingRequest(client=kim, practitioner=stranger.pk, service=s, start=local(DAY, 9)),  # no offer
        BookingRequest(
            client=kim, practitioner=p1, service=s, start=local(DAY, 13, 15), end=local(DAY, 13, 45)
        ),
        BookingRequest(client=lee, practitioner=p2, service=s, start=local(DAY - timedelta(days=400), 10)),
    ]


def test_each_request_gets_the_outcome_book_gives_it_one_by_one(mixed, receptionist):
    now = timezone.now()
    expected = one_by_one(mixed, by=receptionist, now=now)
    kinds = {answer[0] for answer in expected}
    assert {"booked", "BookingConflict", "SlotUnavailable", "ScreeningRefused", "BookingError"} <= kinds
    assert any(answer[-1] == "No room is free then." for answer in expected)

    results = book_many(mixed, by=receptionist, source=BookingSource.IMPORT, now=now)

    assert [outcome(r) for r in results] == expected
    made = [r for r in results if isinstance(r, Booking)]
    assert len(made) == 4
    saved = Booking.objects.filter(pk__in=[b.pk for b in made])
    assert {outcome(b) for b in saved} == {outcome(b) for b in made}
    assert all(b.source == BookingSource.IMPORT and b.created_by == receptionist for b in saved)
    assert saved.get(reception_note="first").history.get().history_user == receptionist


def _requests(count: int, practitioner, service) -> list[BookingRequest]:
    clients = [make_client(first_name=f"Q{n}", last_name="Batch") for n in range(count)]
    return [
        BookingRequest(
            client=c,
            practitioner=practitioner.pk,
            service=service.pk,
            start=local(DAY + timedelta(days=n // 5), 8 + 2 * (n % 5)),
        )
        for n, c in enumerate(clients)
    ]


def test_the_number_of_queries_does_not_grow_with_the_number_of_bookings(
    practitioner, service, room, receptionist
):
    counts = []
    for size in (3, 25):
        requests = _requests(size, practitioner, service)
        with CaptureQueriesContext(connection) as queries:
            results = book_many(requests, by=receptionist, source=BookingSource.IMPORT)
        assert all(isinstance(r, Booking) for r in results)
        Booking.objects.filter(pk__in=[r.pk for r in results if isinstance(r, Booking)]).delete()
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_booking_the_database_refuses_at_the_insert_is_refused_alone(
    practitioner, other_practitioner, service, room, receptionist
):
    sam, kim = make_client(first_name="Sam"), make_client(first_name="Kim")
    make_room(name="Cedar")
    requests = [
        BookingRequest(client=sam, practitioner=practitioner.pk, service=service.pk, start=local(DAY, 10)),
        BookingRequest(
            client=kim, practitioner=other_practitioner.pk, service=service.pk, start=local(DAY, 10)
        ),
    ]

    @booking_write
    def run() -> list[Booking | BookingError]:
        batch = BookingBatch(requests, by=receptionist, source=BookingSource.IMPORT)
        for request in requests:
            batch.add(request)
        # Written behind the batch's back after its checks (another writer, say).
        make_booking(practitioner=practitioner, service=service, start=local(DAY, 10, 30), room=None)
        return batch.save()

    first, second = run()
    assert isinstance(first, BookingConflict) and "already has a booking" in first.message
    assert isinstance(second, Booking) and Booking.objects.filter(pk=second.pk, client=kim).exists()
    assert not Booking.objects.filter(client=sam).exists()


def test_each_booking_made_is_a_created_event_as_from_book(
    manager, practitioner, other_practitioner, service, room, receptionist
):
    register_endpoint(name="All", url="https://a.example/h", events=list(WebhookEvent.values), by=manager)
    make_room(name="Cedar")
    sam, kim = make_client(first_name="Sam"), make_client(first_name="Kim")
    requests = [
        BookingRequest(client=sam, practitioner=practitioner.pk, service=service.pk, start=local(DAY, 10)),
        BookingRequest(client=kim, practitioner=practitioner.pk, service=service.pk, start=local(DAY, 10)),
        BookingRequest(
            client=kim, practitioner=other_practitioner.pk, service=service.pk, start=local(DAY, 10)
        ),
    ]
    made = [r for r in book_many(requests, by=receptionist) if isinstance(r, Booking)]
    assert len(made) == 2
    events = Event.objects.order_by("id")
    assert [(e.kind, e.booking_id) for e in events] == [(WebhookEvent.CREATED, b.pk) for b in made]
    assert Delivery.objects.count() == 2
