"""The availability loader reads the calendar around a time in one statement: time off,
closures, hours, the active rooms and the active bookings of the window (the practitioners',
the client's and the rooms'), each bounded on both sides of its dates or its start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.tests.builders import make_client
from clinic.availability import Interval
from clinic.availability_loader import load_world_and_rooms
from clinic.models import MAX_BOOKING_SPAN, BookingStatus
from clinic.tests.builders import future_day, local, make_booking, make_closure, make_room, make_time_off
from conftest import make_practitioner

pytestmark = pytest.mark.django_db

DAY = future_day()
# The loader reads the sessions that may reach into the day: from the day before (one may start
# then and run past midnight) to the end of the day.
OPEN = local(DAY - timedelta(days=1), 0)
SHUT = local(DAY + timedelta(days=1), 0)


def _load(practitioner, service, client, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        world, rooms = load_world_and_rooms(
            first_day=DAY,
            last_day=DAY,
            practitioners=[practitioner],
            service=service,
            client_id=client.pk,
            **kwargs,
        )
    return world, rooms, [q["sql"] for q in ctx.captured_queries]


def _span(booking, until=None):
    return Interval(booking.start, until or booking.end)


def test_the_windows_bookings_arrive_with_the_calendar_in_one_statement(
    practitioner, other_practitioner, service, room
):
    """The practitioner's, the client's and the rooms' bookings of the window come through the
    calendar's one read; those ending as it opens, starting as it shuts, cancelled or in a room
    no longer in use do not count."""
    client, someone = make_client(), make_client()
    spare, retired = make_room(name="Spare"), make_room(name="Retired")
    make_time_off(practitioner, DAY)
    make_closure(DAY)
    hers = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), client=someone)
    theirs = make_booking(
        practitioner=other_practitioner, service=service, start=local(DAY, 12), client=client, room=None
    )
    in_the_room = make_booking(
        practitioner=other_practitioner, service=service, start=local(DAY, 14), client=someone, room=room
    )
    # The longest a booking may hold anyone, started as long before the window and reaching
    # a minute into it: the client's.
    longest = make_booking(
        practitioner=other_practitioner,
        service=service,
        start=OPEN + timedelta(minutes=1) - MAX_BOOKING_SPAN,
        end=OPEN + timedelta(minutes=1),
        blocks_until=OPEN + timedelta(minutes=1),
        client=client,
    )
    # Someone else's, ending as the window opens, its room being turned over a while after.
    turning_over = make_booking(
        practitioner=make_practitioner(),
        service=service,
        start=OPEN - timedelta(hours=1),
        end=OPEN,
        room=spare,
    )
    # The room's, started a minute before the window shuts.
    last = make_booking(
        practitioner=other_practitioner,
        service=service,
        start=SHUT - timedelta(minutes=1),
        client=someone,
        room=spare,
    )
    # Not in the window: the practitioner's in a room, ending (turnover included) exactly as
    # it opens; the practitioner's and the client's in a room, starting as it shuts.
    make_booking(
        practitioner=practitioner,
        service=service,
        start=OPEN - timedelta(hours=1),
        end=OPEN,
        blocks_until=OPEN,
        room=room,
    )
    make_booking(practitioner=practitioner, service=service, start=SHUT, client=client, room=room)
    # Not active, or in a room taken out of use since.
    make_booking(
        practitioner=practitioner,
        service=service,
        start=local(DAY, 16),
        client=client,
        room=room,
        status=BookingStatus.CANCELLED,
    )
    make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 9), room=retired)
    retired.is_active = False
    retired.save()
    # Someone else's booking in no room: none of the three.
    make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 18), room=None)

    world, rooms, statements = _load(practitioner, service, client)

    assert len(statements) == 1, statements
    assert "UNION ALL" in statements[0]
    (schedule,) = world.schedules
    assert schedule.weekly and schedule.time_off and world.closures
    assert set(schedule.busy) == {_span(hers)}
    assert set(world.client_busy) == {_span(theirs), _span(longest)}
    assert list(rooms) == [room.pk, spare.pk]  # the active rooms, in calendar order
    busy = {r.room_id: set(r.busy) for r in world.rooms}
    assert busy == {
        room.pk: {_span(in_the_room, in_the_room.blocks_until)},
        spare.pk: {_span(turning_over, turning_over.blocks_until), _span(last, last.blocks_until)},
    }


def test_the_rooms_given_are_the_rooms_read_and_a_moved_booking_is_left_out(
    practitioner, other_practitioner, service, room
):
    client = make_client()
    spare = make_room(name="Spare")
    moving = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), client=client)
    in_the_room = make_booking(
        practitioner=other_practitioner, service=service, start=local(DAY, 11), room=room
    )
    make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 13), room=spare)

    world, rooms, statements = _load(
        practitioner, service, client, rooms=[room.pk], exclude_booking_id=moving.pk
    )

    assert len(statements) == 1, statements
    assert rooms == {}  # the caller had them
    assert world.schedules[0].busy == () and world.client_busy == []
    assert [(r.room_id, r.busy) for r in world.rooms] == [
        (room.pk, (_span(in_the_room, in_the_room.blocks_until),))
    ]
