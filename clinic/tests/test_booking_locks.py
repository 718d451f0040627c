"""Locks, deadlocks and racing rooms (issue #10): another worker holding a lock gets a booking a
clear "try again" (409, input kept), never a 500 or a hung worker; a deadlock is rerun and
answered; four bookings racing for "any free room" land in four rooms.

The races run on real connections in real threads (`transaction=True`); the in-memory SQLite
test database would hide them, so on SQLite they need the file database (the default here).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from clients.tests.builders import make_client
from clinic import booking_views, services
from clinic.availability import RoomSchedule
from clinic.kernel.contention import contention
from clinic.models import Booking, BookingStatus, Room
from clinic.services import BUSY_MESSAGE, BookingBusy, BookingConflict, book
from clinic.tests.builders import (
    future_day,
    give_hours,
    local,
    make_booking,
    make_room,
    make_service,
    race_to_book,
)
from conftest import make_practitioner, make_user
from practitioners.models import Practitioner

DAY = future_day()
NEW = "/clinic/bookings/new/"
NOTE = "Parks round the back"


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME")


real_connections = pytest.mark.skipif(
    _in_memory_sqlite(),
    reason="The in-memory SQLite test database hides races; run with SQLITE_TEST_NAME=/tmp/x.sqlite3.",
)


class Holder(threading.Thread):
    """Another web worker: its own connection, in a transaction, holding the locks `take`
    takes until told to let go."""

    def __init__(self, take: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.take = take
        self.holding = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.take()
                self.holding.set()
                self.release.wait(timeout=30)
        except BaseException as error:
            self.error = error
        finally:
            self.holding.set()
            connection.close()

    def __enter__(self) -> Holder:
        self.start()
        assert self.holding.wait(timeout=10)
        assert self.error is None, self.error
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.join(timeout=30)


def lock_practitioner(practitioner: Practitioner) -> Callable[[], Any]:
    # On SQLite the holder's IMMEDIATE transaction already holds the database's write lock.
    return lambda: list(Practitioner.objects.select_for_update().filter(pk=practitioner.pk))


def lock_booking(booking: Booking) -> Callable[[], Any]:
    return lambda: list(Booking.objects.select_for_update().filter(pk=booking.pk))


@pytest.fixture
def short_lock_wait() -> Iterator[None]:
    """This connection (the test client's requests) waits 300 ms for a lock, not 5 s."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET lock_timeout = '300ms'")
        else:
            cursor.execute("PRAGMA busy_timeout = 300")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("RESET lock_timeout")
        else:
            cursor.execute(
                f"PRAGMA busy_timeout = {settings.DATABASES['default']['OPTIONS']['timeout'] * 1000}"
            )


def form_data(client: Any, practitioner: Practitioner, service: Any, **overrides: str) -> dict[str, Any]:
    data = {
        "client": client.pk,
        "service": service.pk,
        "practitioner": practitioner.pk,
        "date": DAY.isoformat(),
        "time": "10:00",
        "end_time": "",
        "room": "",
        "reception_note": NOTE,
    }
    data.update(overrides)
    return data


# --- A held lock: a clear "try again", not a 500 --------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_booking_behind_a_held_practitioner_lock_is_told_to_try_again(
    reception_client, practitioner, service, room, short_lock_wait
):
    client = make_client()
    data = form_data(client, practitioner, service)
    with Holder(lock_practitioner(practitioner)):
        response = reception_client.post(NEW, data)

    assert response.status_code == 409
    page = response.content.decode()
    assert BUSY_MESSAGE in page
    assert NOTE in page  # the input is kept: sending the form again is one click
    assert not Booking.objects.exists()
    again = reception_client.post(NEW, data)
    assert again.status_code == 302
    assert Booking.objects.get().reception_note == NOTE


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_course_behind_a_held_practitioner_lock_is_told_to_try_again(
    reception_client, practitioner, service, room, short_lock_wait
):
    data = {
        "client": make_client().pk,
        "service": service.pk,
        "practitioner": practitioner.pk,
        "date": DAY.isoformat(),
        "time": "10:00",
        "sessions": "3",
        "every_weeks": "1",
        "room": "",
        "confirm": "1",
    }
    with Holder(lock_practitioner(practitioner)):
        response = reception_client.post(reverse("clinic:course_new"), data)

    assert response.status_code == 409
    assert BUSY_MESSAGE in response.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_move_behind_a_held_booking_lock_is_told_to_try_again_and_shows_the_old_time(
    reception_client, practitioner, service, room, short_lock_wait
):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    url = reverse("clinic:booking_move", args=[booking.pk])
    data = {"date": DAY.isoformat(), "time": "14:00", "practitioner": practitioner.pk, "room": ""}
    data["reason"] = "Client asked for the afternoon"
    with Holder(lock_booking(booking)):
        response = reception_client.post(url, data)

    assert response.status_code == 409
    page = response.content.decode()
    assert BUSY_MESSAGE in page
    assert "Client asked for the afternoon" in page
    assert "10:00 with" in page  # "Now: ... 10:00 with ...": the booking as it stands
    booking.refresh_from_db()
    assert booking.start == local(DAY, 10)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_cancellation_behind_a_held_booking_lock_is_told_to_try_again(
    reception_client, practitioner, service, room, short_lock_wait
):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    url = reverse("clinic:booking_cancel", args=[booking.pk])
    with Holder(lock_booking(booking)):
        response = reception_client.post(url, {"reason": "Client unwell"})

    assert response.status_code == 409
    page = response.content.decode()
    assert BUSY_MESSAGE in page and "Client unwell" in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


@real_connections
@pytest.mark.django_db(transaction=True)
def test_sqlite_a_booking_behind_another_writer_is_busy_and_saves_nothing(
    practitioner, service, room, short_lock_wait
):
    """SQLite has one writer at a time: a booking waits the busy timeout, then says so."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock (PostgreSQL is covered by the row-lock tests above)")
    client, desk = make_client(), make_user(role="Reception")
    with Holder(lock_practitioner(practitioner)), pytest.raises(BookingBusy, match="try again"):
        book(client=client, practitioner=practitioner, service=service, start=local(DAY, 10), by=desk)
    assert not Booking.objects.exists()


# --- A deadlock: rerun, and answered ----------------------------------------------------------


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_deadlock_with_another_worker_is_rerun_and_the_booking_made(
    practitioner, service, room, monkeypatch
):
    """The other worker locks the room, waits until the booking (holding the practitioner) waits
    for the room, then asks for the practitioner: two locks in opposite order."""
    client, desk = make_client(), make_user(role="Reception")
    attempts = []
    offered_once = services._offered

    def counted(client: Any, who: Practitioner, service: Any) -> Any:
        attempts.append(who.pk)
        return offered_once(client, who, service)

    monkeypatch.setattr(services, "_offered", counted)

    room_locked = threading.Event()

    def room_then_practitioner() -> None:
        list(Room.objects.select_for_update().filter(pk=room.pk))
        room_locked.set()
        deadline = time.monotonic() + 10
        while not _someone_waits_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.01)
        list(Practitioner.objects.select_for_update().filter(pk=practitioner.pk))

    other = Holder(room_then_practitioner)
    other.release.set()  # it commits as soon as it has both locks
    other.start()
    assert room_locked.wait(timeout=10)
    outcome: Booking | BookingConflict
    try:
        outcome = book(
            client=client, practitioner=practitioner, service=service, start=local(DAY, 10), by=desk
        )
    except BookingConflict as refused:
        outcome = refused
    other.join(timeout=30)

    # PostgreSQL breaks the cycle by failing one side: the booking (rerun) or the other worker.
    other_failed = isinstance(other.error, OperationalError) and contention(other.error) is not None
    assert len(attempts) == 2 or other_failed, (attempts, other.error)
    assert isinstance(outcome, Booking | BookingConflict)
    if isinstance(outcome, Booking):
        assert Booking.objects.get().room == room
    else:
        assert outcome.message == BUSY_MESSAGE and not Booking.objects.exists()


# --- "Any free room" under a race -------------------------------------------------------------


@real_connections
@pytest.mark.django_db(transaction=True)
def test_four_bookings_racing_for_any_free_room_take_four_rooms():
    rooms = [make_room(name=f"Room {n}") for n in range(1, 5)]
    practitioners = [make_practitioner() for _ in rooms]
    for practitioner in practitioners:
        give_hours(practitioner)
    service = make_service(practitioners=practitioners)
    desk = make_user(role="Reception")
    clients = [make_client() for _ in rooms]
    start = local(DAY, 10)
    requests = [
        {"client": client, "practitioner": practitioner, "service": service, "start": start}
        for practitioner, client in zip(practitioners, clients, strict=True)
    ]

    outcomes = race_to_book(requests, by=desk)

    assert outcomes == ["booked"] * 4, outcomes
    taken = sorted(Booking.objects.values_list("room__name", flat=True))
    assert taken == ["Room 1", "Room 2", "Room 3", "Room 4"]


def take_room_meanwhile(
    monkeypatch: Any, room: Room, *, by: Practitioner, service: Any, every_time: bool = False
) -> list[int]:
    """Make certain what a racing booking does: `room` is booked (for `by`, at 10:00) by a
    write that committed after the booking service read the calendar: its first read does not
    show that booking (the room looks free), every later read does (`every_time`: a new racer
    takes it again before each read's write). The reads made are counted in the list returned."""
    make_booking(practitioner=by, service=service, start=local(DAY, 10), room=room)
    check_time = services._check_time
    reads: list[int] = []

    def read_before_the_racer_committed(**kwargs: Any) -> Any:
        world, rooms = check_time(**kwargs)
        reads.append(1)
        if len(reads) == 1 or every_time:
            seen = [r if r.room_id != room.pk else RoomSchedule(room.pk) for r in world.rooms]
            world = replace(world, rooms=seen)
        return world, rooms

    monkeypatch.setattr(services, "_check_time", read_before_the_racer_committed)
    return reads


@pytest.mark.django_db
def test_a_room_taken_after_the_calendar_was_read_sends_the_booking_to_the_next_room(
    practitioner, other_practitioner, service, monkeypatch
):
    """What a racing booking does, made certain: room 1 is taken between reading the calendar
    and saving, so the booking takes room 2 instead of answering "room is taken"."""
    first, second = make_room(name="Room 1", calendar_order=1), make_room(name="Room 2", calendar_order=2)
    reads = take_room_meanwhile(monkeypatch, first, by=other_practitioner, service=service)
    booking = book(
        client=make_client(), practitioner=practitioner, service=service, start=local(DAY, 10),
        by=make_user(role="Reception"),
    )  # fmt: skip
    assert booking.room == second
    assert len(reads) == 2  # the database refused room 1: the write ran again on a fresh read
    assert Booking.objects.filter(practitioner=practitioner).count() == 1


@pytest.mark.django_db
def test_a_room_lost_to_racers_every_time_ends_in_a_clear_refusal(
    practitioner, other_practitioner, service, monkeypatch
):
    """The reruns are bounded: a room lost on every read is answered, nothing saved."""
    make_room(name="Room 2", calendar_order=2)
    room = make_room(name="Room 1", calendar_order=1)
    reads = take_room_meanwhile(monkeypatch, room, by=other_practitioner, service=service, every_time=True)
    with pytest.raises(BookingConflict, match="Room 1 is taken") as refused:
        book(
            client=make_client(), practitioner=practitioner, service=service, start=local(DAY, 10),
            by=make_user(role="Reception"),
        )  # fmt: skip
    assert refused.value.field == "room"
    assert len(reads) == services.ROOM_RERUNS + 1
    assert Booking.objects.filter(practitioner=practitioner).count() == 0


@pytest.mark.django_db
def test_when_every_room_went_meanwhile_the_answer_is_no_room_free(
    practitioner, other_practitioner, service, monkeypatch
):
    room = make_room(name="Room 1")
    reads = take_room_meanwhile(monkeypatch, room, by=other_practitioner, service=service)
    with pytest.raises(BookingConflict, match="No room is free then"):
        book(
            client=make_client(), practitioner=practitioner, service=service, start=local(DAY, 10),
            by=make_user(role="Reception"),
        )  # fmt: skip
    assert len(reads) == 2
    assert Booking.objects.filter(practitioner=practitioner).count() == 0


@pytest.mark.django_db
def test_a_chosen_room_that_went_meanwhile_is_named_not_swapped(
    practitioner, other_practitioner, service, monkeypatch
):
    """The person asked for that room: they hear it is taken, and pick again."""
    wanted = make_room(name="Room 1")
    make_room(name="Room 2")
    reads = take_room_meanwhile(monkeypatch, wanted, by=other_practitioner, service=service)
    with pytest.raises(BookingConflict, match="Room 1 is taken"):
        book(
            client=make_client(), practitioner=practitioner, service=service, start=local(DAY, 10),
            by=make_user(role="Reception"), room=wanted,
        )  # fmt: skip
    assert len(reads) == 1


@pytest.mark.parametrize("name", ["booking_new", "booking_move", "booking_cancel", "course_new"])
def test_write_pages_leave_the_transaction_to_the_booking_service(name):
    """Outside the request's transaction the service's own is the whole unit: it can be rerun,
    and its locks are gone before the page renders."""
    view = getattr(booking_views, name)
    assert view._non_atomic_requests == {"default"}
