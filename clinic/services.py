"""Writes that span models: booking, moving, cancelling, and booking a course.

The overlap rules hold in two layers. Here, inside a write transaction, each write checks the
practitioner's, the room's and the client's existing active bookings. On SQLite the
transaction starts IMMEDIATE (settings), so a second writer waits for the first and then
sees its row; on PostgreSQL the practitioner's row is locked so racing bookings for one
practitioner queue up, and the exclusion constraints (migration 0003) catch anything else.
A constraint violation becomes the same `BookingConflict` a form shows next to the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clients.screening import ScreeningStatus, screening_for
from clinic import availability
from clinic.availability_loader import load_world, service_spec
from clinic.emails import queue_booking_email, withdraw_reminder
from clinic.kernel.dates import clinic_tz
from clinic.models import ACTIVE_STATUSES, Booking, BookingStatus, Course, Room, Service
from practitioners.models import Practitioner


class BookingError(Exception):
    """A booking that can't be made as asked; `field` names the form field to show it on."""

    field: str | None = "start"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class BookingConflict(BookingError):
    """Another active booking holds the practitioner, the room or the client then."""


class SlotUnavailable(BookingError):
    """The time itself is not bookable: the past, outside working hours, time off, closure."""


class ScreeningRefused(BookingError):
    """The client's screening says do not treat."""

    field = "client"


class ClearanceNeeded(BookingError):
    """The client needs a physician's clearance: book only with an explicit acknowledgement."""

    field = "acknowledge_clearance"


@dataclass(frozen=True)
class ScreeningCheck:
    """What the booking form tells reception about the client's screening."""

    status: str
    action: str
    warnings: tuple[str, ...] = ()
    needs_acknowledgement: bool = False
    refused: bool = False


def screening_check(client: Any, on: date) -> ScreeningCheck:
    """Reception-safe verdict of the client's screening for a session on `on`."""
    result = screening_for(client, on=on)
    status = str(result.status)
    show = (
        status != ScreeningStatus.CLEAR
        or not result.has_intake
        or result.intake_out_of_date
        or result.needs_review
    )
    return ScreeningCheck(
        status=status,
        action=result.action,
        warnings=(result.action,) if show else (),
        needs_acknowledgement=status == ScreeningStatus.NEEDS_CLEARANCE,
        refused=status == ScreeningStatus.DO_NOT_TREAT,
    )


# The database rule names (migration 0003) and what each means to the person booking.
_RULE_MESSAGES = {
    "booking_practitioner_no_overlap": ("start", "{practitioner} already has a booking at that time."),
    "booking_client_no_overlap": ("client", "{client} already has a booking at that time."),
    "booking_room_no_overlap": ("room", "{room} is taken then (or still being turned over)."),
}


def database_conflict(error: IntegrityError, booking: Booking) -> BookingConflict | None:
    """The overlap rule a database error names, as a form's message (None: another error)."""
    text = str(error)
    for rule, (field_name, template) in _RULE_MESSAGES.items():
        if rule in text:
            message = template.format(
                practitioner=booking.practitioner, client=booking.client, room=booking.room
            )
            return BookingConflict(message, field=field_name)
    return None


def _lock_practitioner(practitioner: Practitioner) -> None:
    """Queue writers for one practitioner (PostgreSQL); SQLite's IMMEDIATE transaction already
    serialises every writer, and select_for_update does nothing there."""
    if connection.vendor == "postgresql":
        list(Practitioner.objects.select_for_update().filter(pk=practitioner.pk).values_list("pk"))


def room_blocked_until(end: datetime, service: Service) -> datetime:
    """When the room is free again: the session's end plus the service's turnover buffer."""
    return end + service.buffer


def _check_overlaps(booking: Booking) -> None:
    """Refuse if an active booking holds the practitioner, the client or the room."""
    others = Booking.objects.filter(status__in=ACTIVE_STATUSES).exclude(pk=booking.pk)
    if others.filter(practitioner=booking.practitioner).overlapping(booking.start, booking.end).exists():
        raise BookingConflict(f"{booking.practitioner} already has a booking at that time.")
    if others.filter(client=booking.client).overlapping(booking.start, booking.end).exists():
        raise BookingConflict(f"{booking.client} already has a booking at that time.", field="client")
    if booking.room_id is not None:
        room_taken = others.filter(
            room=booking.room, start__lt=booking.blocks_until, blocks_until__gt=booking.start
        )
        if room_taken.exists():
            raise BookingConflict(f"{booking.room} is taken then (or still being turned over).", field="room")


def _save(booking: Booking, **kwargs: Any) -> None:
    """Save inside a savepoint so a constraint violation leaves the transaction usable."""
    try:
        with transaction.atomic():
            booking.save(**kwargs)
    except IntegrityError as error:
        conflict = database_conflict(error, booking)
        if conflict is None:
            raise
        raise conflict from error


def _check_time(
    *,
    practitioner: Practitioner,
    service: Service,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> availability.World:
    day = start.astimezone(clinic_tz()).date()
    world = load_world(
        first_day=day,
        last_day=day,
        practitioners=[practitioner],
        service=service,
        exclude_booking_id=exclude_booking_id,
    )
    problems = availability.slot_problems(
        world, practitioner_id=practitioner.pk, start=start, end=end, now=now
    )
    if problems:
        raise SlotUnavailable(" ".join(problems))
    return world


def _choose_room(
    world: availability.World,
    service: Service,
    *,
    start: datetime,
    blocks_until: datetime,
    wanted: Room | None,
    keep: int | None = None,
) -> Room | None:
    """The wanted room, else the current one (on a move), else the first free room."""
    if not service.needs_room:
        return wanted
    if wanted is not None:
        return wanted  # checked by _check_overlaps, which names the room if it's taken
    order = sorted(world.rooms, key=lambda r: r.room_id != keep)
    room_id = availability.free_room(order, start, blocks_until)
    if room_id is None:
        raise BookingConflict("No room is free then.", field="room")
    return Room.objects.get(pk=room_id)


def _validate_parties(*, client: Any, practitioner: Practitioner, service: Service) -> None:
    if getattr(client, "is_archived", False):
        raise BookingError("This client is archived: restore the record before booking.", field="client")
    if not practitioner.is_active:
        raise BookingError(f"{practitioner} takes no new bookings.", field="practitioner")
    if not service.is_active:
        raise BookingError(f"{service.name} is no longer offered.", field="service")
    if not service.practitioners.filter(pk=practitioner.pk).exists():
        raise BookingError(f"{practitioner} does not offer {service.name}.", field="practitioner")


@transaction.atomic
def book(
    *,
    client: Any,
    practitioner: Practitioner,
    service: Service,
    start: datetime,
    by: Any,
    end: datetime | None = None,
    room: Room | None = None,
    reception_note: str = "",
    acknowledge_clearance: bool = False,
    course: Course | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Booking:
    """Book one session, or raise a `BookingError` saying why not (nothing is written then)."""
    now = now or timezone.now()
    end = end or start + service.duration
    if end <= start:
        raise BookingError("The end must be after the start.", field="end")
    _validate_parties(client=client, practitioner=practitioner, service=service)
    _lock_practitioner(practitioner)
    world = _check_time(practitioner=practitioner, service=service, start=start, end=end, now=now)

    screening = screening_check(client, start.astimezone(clinic_tz()).date())
    if screening.refused:
        raise ScreeningRefused(f"This client can't be booked: {screening.action}")
    acknowledged = screening.needs_acknowledgement
    if acknowledged and not acknowledge_clearance:
        raise ClearanceNeeded(
            f"This client needs a physician's clearance ({screening.action}). "
            "Tick the acknowledgement to book anyway."
        )

    blocks_until = room_blocked_until(end, service)
    booking = Booking(
        client=client,
        practitioner=practitioner,
        service=service,
        start=start,
        end=end,
        blocks_until=blocks_until,
        course=course,
        reception_note=reception_note,
        created_by=by,
        created_at=now,
        clearance_acknowledged_by=by if acknowledged else None,
        clearance_acknowledged_at=now if acknowledged else None,
    )
    _check_overlaps(booking)  # the practitioner and the client first: the clearest message
    booking.room = _choose_room(world, service, start=start, blocks_until=blocks_until, wanted=room)
    _check_overlaps(booking)
    booking._change_reason = "Booked"  # type: ignore[attr-defined]
    _save(booking)
    if notify:
        queue_booking_email([booking], "booked", key=f"booking:{booking.pk}:booked")
    return booking


@transaction.atomic
def move_booking(
    *,
    booking: Booking,
    start: datetime,
    by: Any,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    """Move a booked session to another time and/or practitioner, keeping its length.

    The history (django-simple-history) keeps the old time, who moved it and why.
    """
    now = now or timezone.now()
    practitioner = practitioner or booking.practitioner
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.status != BookingStatus.BOOKED:
        raise BookingError(f"A {locked.get_status_display().lower()} booking can't be moved.", field=None)
    old_start = locked.start
    _validate_parties(client=booking.client, practitioner=practitioner, service=booking.service)
    _lock_practitioner(practitioner)
    end = start + booking.duration
    world = _check_time(
        practitioner=practitioner,
        service=booking.service,
        start=start,
        end=end,
        now=now,
        exclude_booking_id=booking.pk,
    )
    booking.practitioner = practitioner
    booking.start, booking.end = start, end
    booking.blocks_until = room_blocked_until(end, booking.service)
    room_wanted, booking.room = booking.room, None
    _check_overlaps(booking)  # the practitioner and the client first: the clearest message
    booking.room = room_wanted
    booking.room = _choose_room(
        world,
        booking.service,
        start=start,
        blocks_until=booking.blocks_until,
        wanted=room,
        keep=booking.room_id,
    )
    booking.reminder_queued_at = None  # remind again, for the new time
    _check_overlaps(booking)
    booking._change_reason = reason or f"Moved by {by}"  # type: ignore[attr-defined]
    _save(booking)
    if booking.start != old_start:
        withdraw_reminder(booking, old_start, "the booking moved")
    # One email per move: the move's own history record names it.
    move_id = booking.history.values_list("history_id", flat=True).first()
    queue_booking_email([booking], "moved", key=f"booking:{booking.pk}:moved:{move_id}")
    return booking


def _lock(booking: Booking) -> None:
    """Hold the booking's row until the transaction ends and reread its state, so that of
    concurrent changes to one booking each sees the one before it (SQLite's IMMEDIATE
    transaction already serialises writers; select_for_update does nothing there)."""
    current = (
        Booking.objects.select_for_update()
        .filter(pk=booking.pk)
        .values("status", "status_changed_at", "cancelled_by_id", "cancelled_at", "cancel_reason")
        .get()
    )
    for name, value in current.items():
        setattr(booking, name, value)


def _cancelled(booking: Booking, *, by: Any, reason: str, now: datetime | None) -> None:
    booking.cancel(by=by, reason=reason, now=now)
    withdraw_reminder(booking, booking.start, "the booking was cancelled")


@transaction.atomic
def cancel_booking(*, booking: Booking, by: Any, reason: str, now: datetime | None = None) -> Booking:
    """Cancel one session and email the client once: of ten cancels racing, one cancels (the
    row is locked first) and the others are told it is already cancelled."""
    _lock(booking)
    booking._change_reason = reason or "Cancelled"  # type: ignore[attr-defined]
    _cancelled(booking, by=by, reason=reason, now=now)
    key = f"booking:{booking.pk}:cancelled:{booking.cancelled_at.isoformat()}"
    queue_booking_email([booking], "cancelled", key=key)
    return booking


@transaction.atomic
def cancel_rest_of_course(
    *, booking: Booking, by: Any, reason: str, now: datetime | None = None
) -> list[Booking]:
    """Cancel this session and every later booked session of its course."""
    if booking.course_id is None:
        return [cancel_booking(booking=booking, by=by, reason=reason, now=now)]
    later = Booking.objects.filter(course_id=booking.course_id, start__gte=booking.start)
    # Locked first, then read: a concurrent cancel of the same course waits, then finds none left.
    list(later.select_for_update().values_list("pk", flat=True))
    rest = list(
        later.filter(status=BookingStatus.BOOKED)
        .select_related("client", "practitioner", "service", "room")
        .order_by("start")
    )
    for item in rest:
        item._change_reason = reason or "Course cancelled"  # type: ignore[attr-defined]
        _cancelled(item, by=by, reason=reason, now=now)
    if rest:
        key = f"course:{booking.course_id}:cancelled:{rest[0].pk}:{rest[0].cancelled_at.isoformat()}"
        queue_booking_email(rest, "cancelled", key=key)
    return rest


# --- Courses -----------------------------------------------------------------------------


@dataclass
class PlannedSession:
    """One date of a course plan: free as asked, or why not and the nearest free times."""

    number: int
    start: datetime
    end: datetime
    free: bool
    problems: list[str] = field(default_factory=list)
    alternatives: list[availability.Slot] = field(default_factory=list)

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(clinic_tz())


def course_starts(first_day: date, at: time, *, sessions: int, every_weeks: int = 1) -> list[datetime]:
    """Each session at the same local wall-clock time, converted one by one, so a 10:00
    series stays at 10:00 across daylight-saving changes."""
    tz = clinic_tz()
    return [
        availability.local_datetime(first_day + timedelta(weeks=every_weeks * n), at, tz)
        for n in range(sessions)
    ]


def plan_course(
    *,
    client: Any,
    practitioner: Practitioner,
    service: Service,
    starts: Sequence[datetime],
    room: Room | None = None,
    now: datetime | None = None,
    alternatives: int = 3,
) -> list[PlannedSession]:
    """Check every date of a course; list conflicts with the nearest free alternatives.

    Reads only (a fixed number of queries for the whole plan); nothing is booked.
    """
    now = now or timezone.now()
    tz = clinic_tz()
    days = [s.astimezone(tz).date() for s in starts]
    world = load_world(
        first_day=min(days) - timedelta(days=3),
        last_day=max(days) + timedelta(days=3),
        practitioners=[practitioner],
        service=service,
        client_id=client.pk,
    )
    spec = service_spec(service)
    room_id = room.pk if room else None
    plan = []
    for number, start in enumerate(starts, 1):
        end = start + service.duration
        slot = availability.is_free(
            world, spec, practitioner_id=practitioner.pk, start=start, now=now, room_id=room_id
        )
        item = PlannedSession(number=number, start=start, end=end, free=slot is not None)
        if slot is None:
            item.problems = availability.slot_problems(
                world, practitioner_id=practitioner.pk, start=start, end=end, now=now
            ) or ["Already booked then (the practitioner, the client or the room)."]
            nearby = availability.free_slots(
                world,
                spec,
                now=now,
                first_day=start.astimezone(tz).date() - timedelta(days=3),
                days=7,
                practitioner_ids=[practitioner.pk],
                limit=500,
            )
            item.alternatives = availability.nearest(nearby, start, alternatives)
        plan.append(item)
    return plan


@transaction.atomic
def book_course(
    *,
    client: Any,
    practitioner: Practitioner,
    service: Service,
    starts: Sequence[datetime],
    by: Any,
    every_weeks: int = 1,
    room: Room | None = None,
    acknowledge_clearance: bool = False,
    now: datetime | None = None,
) -> Course:
    """Book every session of a course, or none: any refusal rolls the whole course back."""
    if not starts:
        raise BookingError("A course needs at least one session.", field="sessions")
    course = Course.objects.create(
        client=client,
        practitioner=practitioner,
        service=service,
        every_weeks=every_weeks,
        sessions=len(starts),
        created_by=by,
    )
    bookings = []
    for number, start in enumerate(starts, 1):
        try:
            bookings.append(
                book(
                    client=client,
                    practitioner=practitioner,
                    service=service,
                    start=start,
                    by=by,
                    room=room,
                    acknowledge_clearance=acknowledge_clearance,
                    course=course,
                    now=now,
                    notify=False,
                )
            )
        except BookingError as error:
            local = start.astimezone(clinic_tz())
            raise type(error)(
                f"Session {number} ({local:%a %d %b %H:%M}): {error.message}", field=error.field
            ) from error
    queue_booking_email(bookings, "booked", key=f"course:{course.pk}:booked")
    return course
