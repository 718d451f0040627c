"""The booking service: one session at a time, never two overlapping for anyone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clients.tests.builders import make_client, make_intake
from clinic.models import MAX_BOOKING_SPAN, Booking, BookingStatus, IllegalTransition
from clinic.services import (
    BookingConflict,
    BookingError,
    ClearanceNeeded,
    ScreeningRefused,
    SlotUnavailable,
    book,
    cancel_booking,
    move_booking,
    screening_check,
)
from clinic.tests.builders import future_day, local, make_booking, make_closure, make_room, make_time_off
from conftest import run_outbox_worker

DAY = future_day()


@pytest.fixture
def client_(db):
    return make_client(first_name="Sam", last_name="Kowalski")


def test_books_a_session_with_a_free_room_and_the_turnover_buffer(
    client_, practitioner, service, room, receptionist
):
    booking = book(
        client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert booking.room == room
    assert booking.end == local(DAY, 11)
    assert booking.blocks_until == local(DAY, 11, 15)
    assert booking.created_by == receptionist
    assert booking.history.count() == 1


def test_confirmation_email_goes_after_commit_with_an_ics(
    client_, practitioner, service, room, receptionist, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(
            client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
        )
    assert mailoutbox == []  # written to the outbox; the worker sends it
    run_outbox_worker()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [client_.email]
    assert "10:00" in message.body
    name, _content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype == "text/calendar"


def test_practitioner_overlap_is_refused(client_, practitioner, service, room, receptionist):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=make_room())
    with pytest.raises(BookingConflict, match="already has a booking"):
        book(
            client=client_,
            practitioner=practitioner,
            service=service,
            start=local(DAY, 10, 30),
            by=receptionist,
        )
    assert Booking.objects.filter(client=client_).count() == 0


def test_client_overlap_is_refused(client_, practitioner, other_practitioner, service, room, receptionist):
    make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 10), client=client_)
    with pytest.raises(BookingConflict) as info:
        book(
            client=client_,
            practitioner=practitioner,
            service=service,
            start=local(DAY, 10, 45),
            by=receptionist,
        )
    assert info.value.field == "client"


def test_room_is_blocked_until_the_buffer_ends(practitioner, other_practitioner, service, room, receptionist):
    make_booking(practitioner=other_practitioner, service=service, start=local(DAY, 9), room=room)
    with pytest.raises(BookingConflict) as info:
        # 10:00 is after the 09:00 session's end but inside its 15-minute turnover.
        book(
            client=make_client(),
            practitioner=practitioner,
            service=service,
            start=local(DAY, 10),
            by=receptionist,
        )
    assert info.value.field == "room"
    booking = book(
        client=make_client(),
        practitioner=practitioner,
        service=service,
        start=local(DAY, 10, 15),
        by=receptionist,
    )
    assert booking.room == room


def test_a_cancelled_booking_frees_the_slot(client_, practitioner, service, room, receptionist):
    old = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    cancel_booking(booking=old, by=receptionist, reason="Client unwell")
    booking = book(
        client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
    )
    assert booking.room == room


@pytest.mark.parametrize(
    ("start_hour", "setup", "message"),
    [
        (21, None, "outside the practitioner's working hours"),
        (10, "time_off", "off then"),
        (10, "closure", "closed"),
    ],
)
def test_times_the_calendar_does_not_allow(
    client_, practitioner, service, room, receptionist, start_hour, setup, message
):
    if setup == "time_off":
        make_time_off(practitioner, DAY)
    elif setup == "closure":
        make_closure(DAY)
    with pytest.raises(SlotUnavailable, match=message):
        book(
            client=client_,
            practitioner=practitioner,
            service=service,
            start=local(DAY, start_hour),
            by=receptionist,
        )
    assert not Booking.objects.exists()


def test_a_past_time_is_refused(client_, practitioner, service, room, receptionist):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(SlotUnavailable, match="already passed"):
        book(
            client=client_,
            practitioner=practitioner,
            service=service,
            start=local(yesterday, 10),
            by=receptionist,
        )


def test_end_before_start_is_refused(client_, practitioner, service, room, receptionist):
    with pytest.raises(BookingError) as info:
        book(
            client=client_,
            practitioner=practitioner,
            service=service,
            start=local(DAY, 10),
            end=local(DAY, 9),
            by=receptionist,
        )
    assert info.value.field == "end"


def test_a_practitioner_who_does_not_offer_the_service_is_refused(client_, service, room, receptionist):
    from conftest import make_practitioner

    stranger = make_practitioner()
    with pytest.raises(BookingError, match="does not offer") as info:
        book(client=client_, practitioner=stranger, service=service, start=local(DAY, 10), by=receptionist)
    assert info.value.field == "practitioner"


def test_do_not_treat_is_refused_with_the_action(client_, practitioner, service, room, receptionist):
    make_intake(client_, fever_or_illness_today=True)
    with pytest.raises(ScreeningRefused, match="can't be booked"):
        book(
            client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
        )
    assert not Booking.objects.exists()


def test_needs_clearance_is_booked_only_with_an_acknowledgement_that_is_recorded(
    client_, practitioner, service, room, receptionist
):
    make_intake(client_, diabetes=True)
    with pytest.raises(ClearanceNeeded):
        book(
            client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
        )
    booking = book(
        client=client_,
        practitioner=practitioner,
        service=service,
        start=local(DAY, 10),
        by=receptionist,
        acknowledge_clearance=True,
    )
    assert booking.clearance_acknowledged_by == receptionist
    assert booking.clearance_acknowledged_at is not None


def test_missing_intake_warns_without_blocking(client_, practitioner, service, room, receptionist):
    check = screening_check(client_, DAY)
    assert check.warnings and not check.refused and not check.needs_acknowledgement
    booking = book(
        client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
    )
    assert booking.clearance_acknowledged_by is None


def test_moving_keeps_the_history(client_, practitioner, other_practitioner, service, room, receptionist):
    booking = book(
        client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
    )
    move_booking(
        booking=booking,
        start=local(DAY, 14),
        practitioner=other_practitioner,
        by=receptionist,
        reason="Asked",
    )
    booking.refresh_from_db()
    assert booking.start == local(DAY, 14) and booking.practitioner == other_practitioner
    old, new = booking.history.order_by("history_date")
    assert old.start == local(DAY, 10) and old.practitioner_id == practitioner.pk
    assert new.history_change_reason == "Asked"


def test_moving_onto_a_taken_time_is_refused_and_changes_nothing(
    client_, practitioner, service, room, receptionist
):
    booking = book(
        client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
    )
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 14), room=make_room())
    with pytest.raises(BookingConflict):
        move_booking(booking=booking, start=local(DAY, 14, 30), by=receptionist)
    booking.refresh_from_db()
    assert booking.start == local(DAY, 10)


def test_moving_within_its_own_time_is_allowed(client_, practitioner, service, room, receptionist):
    booking = book(
        client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
    )
    move_booking(booking=booking, start=local(DAY, 10, 30), by=receptionist)
    booking.refresh_from_db()
    assert booking.start == local(DAY, 10, 30) and booking.room == room


def test_late_cancellation_is_flagged(client_, practitioner, service, room, receptionist, settings):
    settings.LATE_CANCEL_HOURS = 24
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    cancel_booking(booking=booking, by=receptionist, reason="Car broke down", now=local(DAY, 8))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.late_cancellation and booking.cancelled_by == receptionist
    assert booking.cancel_reason == "Car broke down"
    early = make_booking(practitioner=practitioner, service=service, start=local(DAY, 12), room=room)
    cancel_booking(booking=early, by=receptionist, reason="", now=local(DAY, 12) - timedelta(days=3))
    assert early.late_cancellation is False


def test_the_clinic_cancelling_late_is_not_a_late_cancellation(
    client_, practitioner, service, room, receptionist, settings, reception_client
):
    settings.LATE_CANCEL_HOURS = 24 * 365
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    response = reception_client.post(
        reverse("clinic:booking_cancel", args=[booking.pk]),
        {"reason": "Practitioner off sick", "by_clinic": "on"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.late_cancellation is False
    by_client = make_booking(practitioner=practitioner, service=service, start=local(DAY, 12), room=room)
    reception_client.post(reverse("clinic:booking_cancel", args=[by_client.pk]), {"reason": "Unwell"})
    by_client.refresh_from_db()
    assert by_client.late_cancellation is True


def test_illegal_transitions_are_refused(practitioner, service, room):
    booking = make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    with pytest.raises(IllegalTransition):
        booking.mark_completed()
    with pytest.raises(IllegalTransition, match="no-show once the session has started"):
        booking.mark_no_show(now=local(DAY, 9))
    booking.mark_arrived(now=local(DAY, 9))
    booking.mark_completed(now=local(DAY, 11))
    with pytest.raises(IllegalTransition):
        booking.cancel(by=None, reason="")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


# --- The same rules in the database, bypassing the service ----------------------------------


def _overlapping_create(**kwargs):
    with transaction.atomic():
        make_booking(**kwargs)


def test_database_refuses_a_practitioner_overlap_written_through_the_orm(practitioner, service):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10))
    with pytest.raises(IntegrityError):
        _overlapping_create(practitioner=practitioner, service=service, start=local(DAY, 10, 30))


def test_database_refuses_a_room_overlap_inside_the_buffer(practitioner, other_practitioner, service, room):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    with pytest.raises(IntegrityError):
        _overlapping_create(
            practitioner=other_practitioner, service=service, start=local(DAY, 11, 5), room=room
        )


def test_database_refuses_a_client_overlap(practitioner, other_practitioner, service):
    client = make_client()
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), client=client)
    with pytest.raises(IntegrityError):
        _overlapping_create(
            practitioner=other_practitioner, service=service, start=local(DAY, 10), client=client
        )


def test_database_lets_a_cancelled_booking_be_overlapped(practitioner, service, room):
    make_booking(
        practitioner=practitioner, service=service, start=local(DAY, 10), room=room, status="cancelled"
    )
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    assert Booking.objects.count() == 2


def test_database_refuses_end_before_start(practitioner, service):
    with pytest.raises(IntegrityError):
        _overlapping_create(
            practitioner=practitioner, service=service, start=local(DAY, 10), end=local(DAY, 9)
        )


def test_database_refuses_moving_onto_another_booking(practitioner, service):
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10))
    other = make_booking(practitioner=practitioner, service=service, start=local(DAY, 12))
    other.start, other.end = local(DAY, 10, 30), local(DAY, 11, 30)
    other.blocks_until = other.end
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_overlap_rules_exist_in_the_database(db):
    """A later migration that rebuilds the SQLite table would drop the triggers: this notices."""
    names = {"booking_practitioner_no_overlap", "booking_client_no_overlap", "booking_room_no_overlap"}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = 'clinic_booking'::regclass AND contype = 'x'"
            )
            assert {row[0] for row in cursor.fetchall()} == names
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'clinic_booking'"
            )
            found = {row[0] for row in cursor.fetchall()}
            rules = names | {"booking_span_limit"}
            assert found == {f"{n}_{e}" for n in rules for e in ("insert", "update")}


def test_the_database_refuses_a_booking_longer_than_the_span_range_queries_rely_on(
    practitioner, service, room
):
    """Range queries look back MAX_BOOKING_SPAN from a range's start: a longer booking, written
    past the service (a script, the shell), would slip out of them, so the database refuses it."""
    start, later = local(DAY, 8), local(DAY + timedelta(days=1), 8)
    eleven_hours = timedelta(hours=11)
    make_booking(
        practitioner=practitioner, service=service, start=start,
        end=start + eleven_hours, blocks_until=start + MAX_BOOKING_SPAN,
    )  # fmt: skip
    with pytest.raises(IntegrityError, match="booking_span_limit"), transaction.atomic():
        make_booking(
            practitioner=practitioner, service=service, start=later,
            end=later + eleven_hours, blocks_until=later + MAX_BOOKING_SPAN + timedelta(seconds=1),
        )  # fmt: skip


def test_a_constraint_violation_becomes_a_booking_conflict(
    client_, practitioner, service, room, receptionist, monkeypatch
):
    """When the service's own check is raced past, the database's refusal reads the same."""
    make_booking(practitioner=practitioner, service=service, start=local(DAY, 10), room=room)
    monkeypatch.setattr("clinic.services._check_overlaps", lambda booking, world: None)
    monkeypatch.setattr("clinic.services._check_time", lambda **kw: (None, {}))
    monkeypatch.setattr("clinic.services._choose_room", lambda *a, **kw: None)
    with pytest.raises(BookingConflict, match="already has a booking"):
        book(
            client=client_, practitioner=practitioner, service=service, start=local(DAY, 10), by=receptionist
        )


def test_sqlite_overlap_triggers_read_only_the_neighbourhood(db):
    """Each trigger's search is bounded on both sides of start (migration 0008), so an insert
    reads the bookings around the new one through the (…, start) index, not the history."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL checks overlaps with GiST exclusion constraints")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%no_overlap%'"
        )
        triggers = cursor.fetchall()
    assert len(triggers) == 6
    for name, sql in triggers:
        assert "b.start >= strftime('%Y-%m-%d %H:%M:%S', NEW.start, '-721 minutes')" in sql, name
