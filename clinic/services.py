"""Writes that span models: booking, moving, cancelling, and booking a course.

The overlap rules hold in two layers. Here, inside a write transaction, each write checks the
practitioner's, the room's and the client's existing active bookings. On SQLite the
transaction starts IMMEDIATE (settings), so a second writer waits for the first and then
sees its row; on PostgreSQL the practitioner's row is locked so racing bookings for one
practitioner queue up, and the exclusion constraints (migration 0003) catch anything else.
A constraint violation becomes the same `BookingConflict` a form shows next to the field.

Every write here is one `booking_write` unit: a single transaction, run once more when the
database rolls it back to break a deadlock, and answered as `BookingBusy` (409, "try again")
when a lock wait or a statement runs out of time (settings: DB_LOCK_TIMEOUT and friends).
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple, ParamSpec, TypeVar

from django.contrib.auth.models import User
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clients.models import Client
from clients.screening import ScreeningResult, ScreeningStatus, screening_for, screenings_on
from clinic import availability
from clinic.availability_loader import clients_busy, load_world, load_world_and_rooms, service_spec
from clinic.emails import queue_booking_email, withdraw_reminder
from clinic.integrations.models import WebhookEvent
from clinic.integrations.webhooks import emit, emit_many, endpoints_live, status_key
from clinic.kernel.contention import Contention, contention
from clinic.kernel.dates import clinic_tz, local_datetime
from clinic.models import MAX_BOOKING_SPAN, Booking, BookingSource, BookingStatus, Course, Room, Service
from practitioners.models import Practitioner

logger = logging.getLogger(__name__)


class BookingError(Exception):
    """A booking that can't be made as asked; `field` names the form field to show it on."""

    field: str | None = "start"
    status_code = 400  # what the page answers; the form shows the message either way

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class BookingConflict(BookingError):
    """Another active booking holds the practitioner, the room or the client then."""


class BookingBusy(BookingConflict):
    """Someone else was changing the same bookings and we could not wait for them: nothing
    was saved, and the same request a moment later will most likely go through."""

    field = None
    status_code = 409


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


def screening_check(client: Client, on: date) -> ScreeningCheck:
    """Reception-safe verdict of the client's screening for a session on `on`."""
    return _verdict(screening_for(client, on=on))


def _verdict(result: ScreeningResult) -> ScreeningCheck:
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


BUSY_MESSAGE = (
    "Someone else is changing these bookings right now, so nothing was saved. Please try again in a moment."
)


P = ParamSpec("P")
R = TypeVar("R")
# Set while a booking write runs: a write called inside another (a course books its sessions)
# leaves retrying to the outermost one, which reruns the whole unit.
_in_write: ContextVar[bool] = ContextVar("in_booking_write", default=False)


# How many times a write runs again because the room it chose went to a racing booking first
# (each rerun reads afresh, and each such race means another booking was saved meanwhile).
ROOM_RERUNS = 5


def contended(unit: Callable[P, R]) -> Callable[P, R]:
    """Run `unit` (one whole transaction) so that contention never becomes a 500.

    A deadlock or serialization failure rolled the transaction back: it runs once more, and a
    second failure is a `BookingBusy`. A lock wait or statement that ran out of time is a
    `BookingBusy` at once (waiting again would only hold the web worker longer). A room taken
    by a racing booking (`RoomTakenMeanwhile`) runs it again, up to ROOM_RERUNS times.
    """

    @functools.wraps(unit)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if _in_write.get():
            return unit(*args, **kwargs)
        token = _in_write.set(True)
        try:
            rolled_back = rooms_raced = 0
            while True:
                try:
                    return unit(*args, **kwargs)
                except RoomTakenMeanwhile:
                    rooms_raced += 1
                    if rooms_raced > ROOM_RERUNS:
                        raise
                    logger.info(
                        "%s: the room went to another booking meanwhile; running it again", unit.__name__
                    )
                except OperationalError as error:
                    kind = contention(error)
                    if kind is None:
                        raise
                    rolled_back += 1
                    if kind is Contention.ROLLED_BACK and rolled_back == 1:
                        logger.warning("%s %s; running it once more", unit.__name__, kind.value)
                        continue
                    logger.warning("%s %s; answered as busy: %s", unit.__name__, kind.value, error)
                    raise BookingBusy(BUSY_MESSAGE) from error
        finally:
            _in_write.reset(token)

    return run


def booking_write(write: Callable[P, R]) -> Callable[P, R]:
    """A booking write: one transaction, `contended`. Declared on every write below."""
    return contended(transaction.atomic(write))


@contextmanager
def _unchanged_on_failure(booking: Booking) -> Iterator[None]:
    """Put the caller's instance back as it was when the write fails: the page then shows the
    booking as it stands, and a rerun starts from the same values."""
    values = dict(booking.__dict__)
    related = dict(booking._state.fields_cache)
    try:
        yield
    except BaseException:
        booking.__dict__.clear()
        booking.__dict__.update(values)
        booking._state.fields_cache = related
        raise


def _lock_practitioner(practitioner: Practitioner, *, offering: Service) -> None:
    """Refuse a practitioner who does not offer the service and queue writers for one
    practitioner (PostgreSQL), in one query: the offer read with the practitioner's row
    locked. SQLite's IMMEDIATE transaction already serialises every writer, and
    select_for_update does nothing there."""
    rows = Practitioner.objects.filter(pk=practitioner.pk, services=offering).values_list("pk")
    if connection.vendor == "postgresql":
        rows = rows.select_for_update(of=("self",))
    if not list(rows):
        raise BookingError(f"{practitioner} does not offer {offering.name}.", field="practitioner")


class Offer(NamedTuple):
    """The practitioner and the service as `_offered` read them, and whether any webhook
    endpoint is live (read in the same statement, so an event with no one to hear it costs
    nothing)."""

    practitioner: Practitioner
    service: Service
    webhooks_live: bool = True


def _offered(client: Client, practitioner: Practitioner | int, service: Service | int) -> Offer:
    """The practitioner and the service, read fresh in one query that is also the offer check
    and (PostgreSQL) the practitioner's lock, `_lock_practitioner`'s job: the offer row
    (Service.practitioners' through table) joined to both, the practitioner's row locked.
    Refuses what `_validate_parties` refuses, then a practitioner who does not offer it."""
    practitioner_id = practitioner if isinstance(practitioner, int) else practitioner.pk
    service_id = service if isinstance(service, int) else service.pk
    rows = (
        Service.practitioners.through.objects.select_related("practitioner", "service")
        .filter(practitioner_id=practitioner_id, service_id=service_id)
        .annotate(webhooks_live=endpoints_live())
    )
    if connection.vendor == "postgresql":
        rows = rows.select_for_update(of=("practitioner",))
    offer = next(iter(rows.order_by()[:1]), None)
    if offer is not None:
        _validate_parties(client=client, practitioner=offer.practitioner, service=offer.service)
        live = offer.webhooks_live  # type: ignore[attr-defined]  # the annotation above
        return Offer(offer.practitioner, offer.service, webhooks_live=live)
    # Refused: which of the two is wrong (a query or two more, on this path only).
    if isinstance(service, int):
        found = Service.objects.filter(pk=service_id).first()
        if found is None:
            raise BookingError("Choose a service from the list.", field="service")
        service = found
    if isinstance(practitioner, int):
        who = Practitioner.objects.filter(pk=practitioner_id).first()
        if who is None:
            raise BookingError("Choose a practitioner from the list.", field="practitioner")
        practitioner = who
    _validate_parties(client=client, practitioner=practitioner, service=service)
    raise BookingError(f"{practitioner} does not offer {service.name}.", field="practitioner")


def _lock_room(room: Room | None) -> None:
    """Queue writers for one room (PostgreSQL), after the practitioner and in one room order,
    so two bookings for different practitioners never wait on each other inside the room's
    exclusion constraint (PostgreSQL breaks that tie with a deadlock error)."""
    if room is not None and connection.vendor == "postgresql":
        list(Room.objects.select_for_update(no_key=True).filter(pk=room.pk).values_list("pk"))


def room_blocked_until(end: datetime, service: Service) -> datetime:
    """When the room is free again: the session's end plus the service's turnover buffer."""
    return end + service.buffer


def _check_overlaps(booking: Booking, world: availability.World) -> None:
    """Refuse if an active booking holds the practitioner or the client (the room: `_check_room`).

    Answered from `world`, read inside this write's transaction after the practitioner's lock
    (so no other write for the practitioner can come between) and holding every active
    booking of the practitioner, the client and the rooms around the new one. A booking that
    another practitioner's write commits for the client or the room in the meantime is the
    database's to refuse (exclusion constraints, SQLite triggers): `_save` turns its refusal
    into the same conflict."""
    schedule = world.schedule_by_id.get(booking.practitioner_id)
    busy = schedule.busy if schedule is not None else ()
    if any(iv.overlaps(booking.start, booking.end) for iv in busy):
        raise BookingConflict(f"{booking.practitioner} already has a booking at that time.")
    if any(iv.overlaps(booking.start, booking.end) for iv in world.client_busy):
        raise BookingConflict(f"{booking.client} already has a booking at that time.", field="client")


def _check_room(booking: Booking, world: availability.World) -> None:
    """Refuse if an active booking holds the booking's room until its turnover ends (as read in
    `world`; an inactive room's bookings are not in it: the database refuses those)."""
    if booking.room_id is None:
        return
    room = next((r for r in world.rooms if r.room_id == booking.room_id), None)
    if room is not None and any(iv.overlaps(booking.start, booking.blocks_until) for iv in room.busy):
        raise BookingConflict(f"{booking.room} is taken then (or still being turned over).", field="room")


def _save(booking: Booking, **kwargs: Any) -> None:
    """Save; a refusal by the database's overlap rules is the `BookingConflict` it names. The
    refusal ends the write (no savepoint: nothing runs in the transaction after it, which
    rolls back)."""
    try:
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
    client: Client,
    exclude_booking_id: int | None = None,
) -> tuple[availability.World, dict[int, Room]]:
    """The calendar around the new time (the practitioner's, the client's and the active rooms'
    bookings, the practitioner's hours and time off, closures), and the active rooms; refuses a
    time the calendar rules out."""
    tz = clinic_tz()
    world, rooms = load_world_and_rooms(
        first_day=start.astimezone(tz).date(),
        last_day=room_blocked_until(end, service).astimezone(tz).date(),
        practitioners=[practitioner],
        service=service,
        client_id=client.pk,
        exclude_booking_id=exclude_booking_id,
    )
    _check_slot(world, practitioner=practitioner, start=start, end=end, now=now)
    return world, rooms


def _check_slot(
    world: availability.World, *, practitioner: Practitioner, start: datetime, end: datetime, now: datetime
) -> None:
    """Refuse a time the calendar rules out (the past, hours, time off, closures)."""
    problems = availability.slot_problems(
        world, practitioner_id=practitioner.pk, start=start, end=end, now=now
    )
    if problems:
        raise SlotUnavailable(" ".join(problems))


def _choose_room(
    world: availability.World,
    rooms: dict[int, Room],
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
        return wanted  # checked by _check_room, which names the room if it's taken
    order = sorted(world.rooms, key=lambda r: r.room_id != keep)
    room_id = availability.free_room(order, start, blocks_until)
    if room_id is None:
        raise BookingConflict("No room is free then.", field="room")
    return rooms[room_id]


class RoomTakenMeanwhile(BookingConflict):
    """The room chosen as "any free room" was free as read, but a booking for another
    practitioner took it before this one was saved (the database refused it). The write is
    run again from the start (`contended`): its fresh read sees that booking and chooses
    another room, or answers "No room is free then"."""

    field = "room"


def _save_in_a_room(
    booking: Booking,
    world: availability.World,
    rooms: dict[int, Room],
    *,
    wanted: Room | None,
    keep: int | None = None,
) -> None:
    """Give the booking its room, check it and save it.

    With "any free room", a room that a racing booking took since the world was read (the
    database refuses it) is `RoomTakenMeanwhile`: the whole write runs again on a fresh read,
    rather than every save paying for a savepoint to go on after a refusal that is rare.
    """
    booking.room = _choose_room(
        world,
        rooms,
        booking.service,
        start=booking.start,
        blocks_until=booking.blocks_until,
        wanted=wanted,
        keep=keep,
    )
    _lock_room(booking.room)
    _check_room(booking, world)
    try:
        _save(booking)
    except BookingConflict as conflict:
        if conflict.field == "room" and wanted is None and booking.room is not None:
            raise RoomTakenMeanwhile(conflict.message) from conflict
        raise


def _room_by_id(room_id: int, rooms: dict[int, Room], service: Service) -> Room:
    """A room chosen by id: one of the active rooms already read, else (a service without a
    room; a room no longer in use) read here."""
    if (room := rooms.get(room_id)) is not None:
        return room
    found = Room.objects.filter(pk=room_id, is_active=True).first()
    if found is None:
        raise BookingError("Choose a room that is in use, or any free room.", field="room")
    return found


def _check_length(start: datetime, end: datetime, service: Service) -> None:
    """A session ends after it starts and, with the room's turnover, fits the longest span."""
    if end <= start:
        raise BookingError("The end must be after the start.", field="end")
    if room_blocked_until(end, service) - start > MAX_BOOKING_SPAN:
        hours = MAX_BOOKING_SPAN // timedelta(hours=1)
        raise BookingError(f"A session can last at most {hours} hours, turnover included.", field="end")


def _screening_allows(client: Client, start: datetime) -> ScreeningCheck:
    """The client's screening for a session at `start`; a client who must not be treated
    then is refused (booked or moved there)."""
    return _allowed(screening_check(client, start.astimezone(clinic_tz()).date()))


def _allowed(screening: ScreeningCheck) -> ScreeningCheck:
    """A verdict that lets the booking go ahead, else `ScreeningRefused`."""
    if screening.refused:
        raise ScreeningRefused(f"This client can't be booked: {screening.action}")
    return screening


def _validate_parties(*, client: Client, practitioner: Practitioner, service: Service) -> None:
    if getattr(client, "is_archived", False):
        raise BookingError("This client is archived: restore the record before booking.", field="client")
    if not practitioner.is_active:
        raise BookingError(f"{practitioner} takes no new bookings.", field="practitioner")
    if not service.is_active:
        raise BookingError(f"{service.name} is no longer offered.", field="service")
    # Whether the practitioner offers the service: `_lock_practitioner`, with the lock.


def _new_booking(
    world: availability.World,
    *,
    screening: ScreeningCheck,
    client: Client,
    practitioner: Practitioner,
    service: Service,
    start: datetime,
    end: datetime,
    by: User | None,
    now: datetime,
    source: str,
    reception_note: str,
    acknowledge_clearance: bool,
    course: Course | None,
) -> Booking:
    """The new booking (unsaved, no room yet) once the clearance rule and the overlaps as read
    in `world` allow it: `book`'s and `book_many`'s last checks before the room."""
    online = source == BookingSource.ONLINE
    held = online and screening.needs_acknowledgement
    acknowledged = screening.needs_acknowledgement and not held
    if acknowledged and not acknowledge_clearance:
        raise ClearanceNeeded(
            f"This client needs a physician's clearance ({screening.action}). "
            "Tick the acknowledgement to book anyway."
        )
    booking = Booking(
        client=client,
        practitioner=practitioner,
        service=service,
        start=start,
        end=end,
        blocks_until=room_blocked_until(end, service),
        course=course,
        reception_note=reception_note,
        created_by=by,
        created_at=now,
        clearance_acknowledged_by=by if acknowledged else None,
        clearance_acknowledged_at=now if acknowledged else None,
        source=source,
        awaiting_confirmation=held,
    )
    _check_overlaps(booking, world)  # the practitioner and the client first: the clearest message
    reason = "Booked online by the client" if online else "Booked"
    if source == BookingSource.API:
        reason = f"Booked through the API by {by}"
    booking._change_reason = reason  # type: ignore[attr-defined]  # django-simple-history
    if by is not None:
        # Who the history names: the one booking, whoever the request's user is (an API call
        # has none: the integration's key acts as its own user).
        booking._history_user = by  # type: ignore[attr-defined]  # django-simple-history
    return booking


@booking_write
def book(
    *,
    client: Client,
    practitioner: Practitioner | int,
    service: Service | int,
    start: datetime,
    by: User | None,
    end: datetime | None = None,
    room: Room | int | None = None,
    reception_note: str = "",
    acknowledge_clearance: bool = False,
    course: Course | None = None,
    now: datetime | None = None,
    notify: bool = True,
    source: str = BookingSource.DESK,
) -> Booking:
    """Book one session, or raise a `BookingError` saying why not (nothing is written then).

    The practitioner, the service and the room may be given by id (the booking page does):
    they are read inside the transaction, the first two with the offer check in one query.

    `by`: the staff member booking, or None for the client online (`source` "online"). Online,
    a client whose screening needs a clearance is not refused: the booking holds the time as a
    request (`awaiting_confirmation`) for reception to confirm (`confirm_request`)."""
    online = source == BookingSource.ONLINE
    if by is None and not online:
        raise BookingError("Only an online booking is made without a staff member.", field=None)
    now = now or timezone.now()
    practitioner, service, webhooks_live = _offered(client, practitioner, service)
    end = end or start + service.duration
    _check_length(start, end, service)
    world, rooms = _check_time(
        practitioner=practitioner, service=service, start=start, end=end, now=now, client=client
    )
    if isinstance(room, int):
        room = _room_by_id(room, rooms, service)

    booking = _new_booking(
        world,
        screening=_screening_allows(client, start),
        client=client,
        practitioner=practitioner,
        service=service,
        start=start,
        end=end,
        by=by,
        now=now,
        source=source,
        reception_note=reception_note,
        acknowledge_clearance=acknowledge_clearance,
        course=course,
    )
    _save_in_a_room(booking, world, rooms, wanted=room)
    emit(WebhookEvent.CREATED, booking, key=_created_key(booking), anyone_listening=webhooks_live)
    if notify:
        # The key names the booking just inserted: no message can have it yet.
        queue_booking_email([booking], "booked", key=f"booking:{booking.pk}:booked", new_key=True)
    return booking


def _created_key(booking: Booking) -> str:
    """The created event's key, named by its time as well as its id: SQLite may give a
    removed row's id out again."""
    return f"booking:{booking.pk}:created:{booking.created_at.isoformat()}"


# --- Many bookings at once (an import) ----------------------------------------------------


@dataclass(frozen=True)
class BookingRequest:
    """One booking asked of `book_many` (what `book` is given, for a file's row)."""

    client: Client
    practitioner: int
    service: int
    start: datetime
    end: datetime | None = None
    reception_note: str = ""


class _Busy:
    """Active bookings' intervals by owner (a practitioner, a room, a client), filed by the
    UTC day they start, so that a check reads only those that can reach its time: none
    lasts longer than MAX_BOOKING_SPAN."""

    def __init__(self) -> None:
        self._days: dict[int, dict[date, list[availability.Interval]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def add(self, owner: int, interval: availability.Interval) -> None:
        self._days[owner][interval.start.astimezone(UTC).date()].append(interval)

    def near(self, owner: int, start: datetime, end: datetime) -> list[availability.Interval]:
        days = self._days.get(owner)
        if not days:
            return []
        day, last = (start - MAX_BOOKING_SPAN).astimezone(UTC).date(), end.astimezone(UTC).date()
        found: list[availability.Interval] = []
        while day <= last:
            found.extend(days.get(day, ()))
            day += timedelta(days=1)
        return found


class BookingBatch:
    """`book` for many bookings in one transaction, with its checks (the same functions) run
    on one calendar read for them all: `add` checks a booking and holds its time (the later
    ones see it), `save` inserts those accepted in bulk. Use inside a `booking_write`.

    Reads, whatever the number of bookings: the offers (the practitioners' rows locked, as
    `book` locks them; then the active rooms, PostgreSQL), one `load_world` over the first to
    the last day, the clients' bookings, their screenings (`screenings_on`). The database's
    rules stay the final word: when the bulk insert breaks one, every accepted booking goes
    through `book` one by one instead, so each refusal names its own booking."""

    def __init__(
        self,
        requests: Sequence[BookingRequest],
        *,
        by: User,
        source: str,
        now: datetime | None = None,
        notify: bool = False,
    ) -> None:
        self.by, self.source, self.notify = by, source, notify
        self.now = now or timezone.now()
        self.accepted: list[tuple[BookingRequest, Booking]] = []
        offers = Service.practitioners.through.objects.select_related("practitioner", "service").filter(
            practitioner_id__in={r.practitioner for r in requests},
            service_id__in={r.service for r in requests},
        )
        if connection.vendor == "postgresql":
            offers = offers.select_for_update(of=("practitioner",))
        self._offers = {
            (o.practitioner_id, o.service_id): (o.practitioner, o.service)
            for o in offers.order_by("practitioner_id", "service_id")
        }
        if connection.vendor == "postgresql" and requests:  # `_lock_room`'s, for every room at once
            list(
                Room.objects.select_for_update(no_key=True)
                .filter(is_active=True)
                .order_by("pk")
                .values_list("pk")
            )
        tz = clinic_tz()
        first_day = min((r.start for r in requests), default=self.now).astimezone(tz).date()
        last_day = (
            (max((r.end or r.start for r in requests), default=self.now) + MAX_BOOKING_SPAN)
            .astimezone(tz)
            .date()
        )
        practitioners = list({p.pk: p for p, _ in self._offers.values()}.values())
        self._world, self._rooms = load_world_and_rooms(
            first_day=first_day, last_day=last_day, practitioners=practitioners
        )
        self._practitioner_busy, self._room_busy, self._client_busy = _Busy(), _Busy(), _Busy()
        for schedule in self._world.schedules:
            for interval in schedule.busy:
                self._practitioner_busy.add(schedule.practitioner_id, interval)
        for room in self._world.rooms:
            for interval in room.busy:
                self._room_busy.add(room.room_id, interval)
        clients = list({r.client.pk: None for r in requests})
        for client_id, intervals in clients_busy(clients, first_day=first_day, last_day=last_day).items():
            for interval in intervals:
                self._client_busy.add(client_id, interval)
        self._screenings = screenings_on((r.client.pk, r.start.astimezone(tz).date()) for r in requests)

    def _view(
        self, practitioner_id: int, client_id: int, start: datetime, until: datetime
    ) -> availability.World:
        """The calendar as `book` would read it for one booking: what is near its time."""
        schedule = self._world.schedule_by_id.get(practitioner_id)
        schedules = (
            []
            if schedule is None
            else [replace(schedule, busy=self._practitioner_busy.near(practitioner_id, start, until))]
        )
        return availability.World(
            tz=self._world.tz,
            schedules=schedules,
            rooms=[
                availability.RoomSchedule(r.room_id, tuple(self._room_busy.near(r.room_id, start, until)))
                for r in self._world.rooms
            ],
            closures=self._world.closures,
            client_busy=self._client_busy.near(client_id, start, until),
        )

    def add(self, request: BookingRequest) -> Booking:
        """Check one booking as `book` does (a `BookingError` says why not) and hold its time."""
        client, start = request.client, request.start
        offer = self._offers.get((request.practitioner, request.service))
        if offer is None:  # refused: `book`'s reading says why
            offer = _offered(client, request.practitioner, request.service)[:2]
        practitioner, service = offer
        _validate_parties(client=client, practitioner=practitioner, service=service)
        end = request.end or start + service.duration
        _check_length(start, end, service)
        world = self._view(practitioner.pk, client.pk, start, room_blocked_until(end, service))
        _check_slot(world, practitioner=practitioner, start=start, end=end, now=self.now)
        day = start.astimezone(world.tz).date()
        booking = _new_booking(
            world,
            screening=_allowed(_verdict(self._screenings[(client.pk, day)])),
            client=client,
            practitioner=practitioner,
            service=service,
            start=start,
            end=end,
            by=self.by,
            now=self.now,
            source=self.source,
            reception_note=request.reception_note,
            acknowledge_clearance=False,
            course=None,
        )
        booking.room = _choose_room(
            world, self._rooms, service, start=start, blocks_until=booking.blocks_until, wanted=None
        )
        _check_room(booking, world)
        self._practitioner_busy.add(practitioner.pk, availability.Interval(start, end))
        self._client_busy.add(client.pk, availability.Interval(start, end))
        if booking.room is not None:
            self._room_busy.add(booking.room.pk, availability.Interval(start, booking.blocks_until))
        self.accepted.append((request, booking))
        return booking

    def save(self) -> list[Booking | BookingError]:
        """Insert the accepted bookings and their history; the saved booking of each (in the
        order added), or, when the database refused the bulk insert, each one's own answer
        from `book`."""
        bookings = [booking for _, booking in self.accepted]
        try:
            with transaction.atomic():
                bulk_create_with_history(bookings, Booking, batch_size=1000)
        except IntegrityError:
            logger.warning(
                "The database refused a batch of %s bookings: booking them one by one", len(bookings)
            )
            return [self._one(request) for request, _ in self.accepted]
        emit_many(WebhookEvent.CREATED, [(b, _created_key(b)) for b in bookings])
        if self.notify:
            for booking in bookings:
                queue_booking_email([booking], "booked", key=f"booking:{booking.pk}:booked", new_key=True)
        return list(bookings)

    def _one(self, request: BookingRequest) -> Booking | BookingError:
        try:
            with transaction.atomic():
                return book(
                    client=request.client,
                    practitioner=request.practitioner,
                    service=request.service,
                    start=request.start,
                    end=request.end,
                    by=self.by,
                    reception_note=request.reception_note,
                    now=self.now,
                    notify=self.notify,
                    source=self.source,
                )
        except BookingError as error:
            return error


@booking_write
def book_many(
    requests: Sequence[BookingRequest],
    *,
    by: User,
    source: str = BookingSource.DESK,
    notify: bool = False,
    now: datetime | None = None,
) -> list[Booking | BookingError]:
    """Book each of `requests` in order as `book` would (a later one sees the earlier ones),
    in one transaction and a fixed number of reads (`BookingBatch`): the booking made for
    each, or the `BookingError` saying why not."""
    batch = BookingBatch(requests, by=by, source=source, now=now, notify=notify)
    outcomes: list[Booking | BookingError] = []
    for request in requests:
        try:
            outcomes.append(batch.add(request))
        except BookingError as error:
            outcomes.append(error)
    saved = iter(batch.save())
    return [next(saved) if isinstance(outcome, Booking) else outcome for outcome in outcomes]


@booking_write
def move_booking(
    *,
    booking: Booking,
    start: datetime,
    by: User | None,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
    reason: str = "",
    end: datetime | None = None,
    now: datetime | None = None,
) -> Booking:
    """Move a booked session to another time and/or practitioner, keeping its length unless
    a new `end` is given (the calendar's resize: the same checks as any move).

    The history (django-simple-history) keeps the old time, who moved it and why. Refused,
    `booking` keeps its old values.
    """
    with _unchanged_on_failure(booking):
        return _move(
            booking=booking, start=start, by=by, practitioner=practitioner, room=room,
            reason=reason, end=end, now=now,
        )  # fmt: skip


def _move(
    *,
    booking: Booking,
    start: datetime,
    by: Any,
    practitioner: Practitioner | None,
    room: Room | None,
    reason: str,
    end: datetime | None,
    now: datetime | None,
) -> Booking:
    now = now or timezone.now()
    practitioner = practitioner or booking.practitioner
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.status != BookingStatus.BOOKED:
        raise BookingError(f"A {locked.get_status_display().lower()} booking can't be moved.", field=None)
    old_start = locked.start
    seen_before = (locked.start, locked.end, locked.practitioner_id)  # what the client's email shows
    _validate_parties(client=booking.client, practitioner=practitioner, service=booking.service)
    _lock_practitioner(practitioner, offering=booking.service)
    end = end or start + locked.duration
    _check_length(start, end, booking.service)
    world, rooms = _check_time(
        practitioner=practitioner,
        service=booking.service,
        start=start,
        end=end,
        now=now,
        client=booking.client,
        exclude_booking_id=booking.pk,
    )
    _screening_allows(booking.client, start)
    booking.practitioner = practitioner
    booking.start, booking.end = start, end
    booking.blocks_until = room_blocked_until(end, booking.service)
    keep, booking.room = booking.room_id, None
    _check_overlaps(booking, world)  # the practitioner and the client first: the clearest message
    booking.reminder_queued_at = None  # remind again, for the new time
    booking._change_reason = reason or f"Moved by {by}"  # type: ignore[attr-defined]  # django-simple-history
    _save_in_a_room(booking, world, rooms, wanted=room, keep=keep)
    if booking.start != old_start:
        withdraw_reminder(booking, old_start, "the booking moved")
    # One email (and one event) per move: the move's own history record names it.
    move_id = booking.history.values_list("history_id", flat=True).first()
    emit(WebhookEvent.MOVED, booking, key=f"booking:{booking.pk}:moved:{move_id}")
    # The client hears of what they see: a new start has "moved", a new end or practitioner at
    # the same start has "changed"; another room alone is the clinic's business (no email).
    if (booking.start, booking.end, booking.practitioner_id) != seen_before:
        kind = "moved" if booking.start != old_start else "changed"
        queue_booking_email([booking], kind, key=f"booking:{booking.pk}:moved:{move_id}")
    return booking


@booking_write
def confirm_request(*, booking: Booking, by: User) -> Booking:
    """Reception confirms an online request (the client's screening needed a clearance): the
    booking keeps its time and is an ordinary booking from now on. Confirming twice is harmless."""
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if not locked.awaiting_confirmation:
        booking.awaiting_confirmation = False
        return booking
    booking.awaiting_confirmation = False
    booking.clearance_acknowledged_by = by
    booking.clearance_acknowledged_at = timezone.now()
    booking._change_reason = f"Online request confirmed by {by}"  # type: ignore[attr-defined]
    booking.save(
        update_fields=["awaiting_confirmation", "clearance_acknowledged_by", "clearance_acknowledged_at"]
    )
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


def _cancelled(
    booking: Booking, *, by: User | None, reason: str, now: datetime | None, by_clinic: bool = False
) -> None:
    booking.cancel(by=by, reason=reason, now=now, by_clinic=by_clinic)
    withdraw_reminder(booking, booking.start, "the booking was cancelled")
    emit(WebhookEvent.CANCELLED, booking, key=_cancel_key(booking))


def _cancel_key(booking: Booking) -> str:
    """One cancellation email per cancellation (a booking is cancelled once: its time names it)."""
    assert booking.cancelled_at is not None  # set by Booking.cancel
    return f"booking:{booking.pk}:cancelled:{booking.cancelled_at.isoformat()}"


@booking_write
def cancel_booking(
    *, booking: Booking, by: User | None, reason: str, now: datetime | None = None, by_clinic: bool = False
) -> Booking:
    """Cancel one session and email the client once: of ten cancels racing, one cancels (the
    row is locked first) and the others are told it is already cancelled. `by_clinic`: the
    clinic called it off, so it is never the client's late cancellation."""
    with _unchanged_on_failure(booking):
        _lock(booking)
        booking._change_reason = reason or "Cancelled"  # type: ignore[attr-defined]  # django-simple-history
        _cancelled(booking, by=by, reason=reason, now=now, by_clinic=by_clinic)
    queue_booking_email([booking], "cancelled", key=_cancel_key(booking))
    return booking


# The desk's quick status actions: the model's transition for each.
STATUS_ACTIONS = {
    "arrived": "mark_arrived",
    "completed": "mark_completed",
    "no_show": "mark_no_show",
    "undo": "undo_status",
}
# The statuses other systems hear of (webhooks); completing and undoing are the desk's own.
STATUS_EVENTS = {BookingStatus.ARRIVED: WebhookEvent.ARRIVED, BookingStatus.NO_SHOW: WebhookEvent.NO_SHOW}


@transaction.atomic
def change_status(*, booking: Booking, action: str, reason: str, now: datetime | None = None) -> Booking:
    """A quick status action (`STATUS_ACTIONS`), or `IllegalTransition` saying why not. An
    arrival or a no-show is a webhook event, written with the change."""
    booking._change_reason = reason  # type: ignore[attr-defined]  # django-simple-history
    getattr(booking, STATUS_ACTIONS[action])(now=now)
    event = STATUS_EVENTS.get(BookingStatus(booking.status))
    if event is not None:
        emit(event, booking, key=status_key(booking, event))
    return booking


@booking_write
def cancel_rest_of_course(
    *, booking: Booking, by: User, reason: str, now: datetime | None = None, by_clinic: bool = False
) -> list[Booking]:
    """Cancel this session and every later booked session of its course."""
    if booking.course_id is None:
        return [cancel_booking(booking=booking, by=by, reason=reason, now=now, by_clinic=by_clinic)]
    later = Booking.objects.filter(course_id=booking.course_id, start__gte=booking.start)
    # Locked first, then read: a concurrent cancel of the same course waits, then finds none left.
    list(later.select_for_update().values_list("pk", flat=True))
    rest = list(
        later.filter(status=BookingStatus.BOOKED)
        .select_related("client", "practitioner", "service", "room")
        .order_by("start")
    )
    for item in rest:
        item._change_reason = reason or "Course cancelled"  # type: ignore[attr-defined]  # django-simple-history
        _cancelled(item, by=by, reason=reason, now=now, by_clinic=by_clinic)
    if rest:
        key = f"course:{booking.course_id}:cancelled:{rest[0].pk}:{_cancel_key(rest[0]).rsplit(':', 1)[-1]}"
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
    return [local_datetime(first_day + timedelta(weeks=every_weeks * n), at, tz) for n in range(sessions)]


def plan_course(
    *,
    client: Client,
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


@booking_write
def book_course(
    *,
    client: Client,
    practitioner: Practitioner,
    service: Service,
    starts: Sequence[datetime],
    by: User,
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
