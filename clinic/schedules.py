"""Closures and time off over booked sessions: which bookings they hit, and what to do with each.

Saving a closure (or a practitioner's time off) and dealing with the sessions under it is one
booking write (`clinic.services.booking_write`): the closure is saved first, so that the
search for a new time and the move service's own checks both see it; then each booking is
moved through `move_booking` or cancelled through `cancel_booking`, with all their checks and
their one email per move or cancellation. The list is always read again inside the write:
a booking already moved out or cancelled (a second click of the same button) is not touched
again, so no client hears twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from clinic import availability
from clinic.availability_loader import load_world, service_spec
from clinic.kernel.dates import clinic_tz
from clinic.models import Booking, BookingStatus, Closure
from clinic.services import BookingError, booking_write, cancel_booking, move_booking
from practitioners.models import Practitioner, TimeOff
from practitioners.services import save_time_off

MOVE, CANCEL, KEEP = "move", "cancel", "keep"
DECISIONS = {
    MOVE: "Move to the next free time",
    CANCEL: "Cancel and tell the client",
    KEEP: "Leave it for now",
}
SEARCH_WEEKS = 12  # how far after the closure the next free time is looked for


@dataclass(frozen=True)
class Outcome:
    booking: Booking
    decision: str
    done: bool
    message: str


def bookings_between(
    start: datetime, end: datetime, practitioner: Practitioner | None = None
) -> list[Booking]:
    """Booked (not yet attended) sessions overlapping [start, end), in time order."""
    found = Booking.objects.filter(status=BookingStatus.BOOKED).overlapping(start, end)
    if practitioner is not None:
        found = found.filter(practitioner=practitioner)
    return list(found.select_related("client", "practitioner", "service", "room").order_by("start", "pk"))


def closure_bookings(closure: Closure) -> list[Booking]:
    return bookings_between(*closure.span(clinic_tz()))


def time_off_bookings(time_off: TimeOff) -> list[Booking]:
    return bookings_between(*time_off.span(clinic_tz()), practitioner=time_off.practitioner)


def next_free_start(booking: Booking, *, after: datetime, now: datetime) -> list[datetime]:
    """The first few free starts for the booking's practitioner, service and client at or after
    `after` (the end of the closure), earliest first; the move service checks each again."""
    tz = clinic_tz()
    earliest = max(after, now)
    first_day = earliest.astimezone(tz).date()
    last_day = first_day + timedelta(weeks=SEARCH_WEEKS)
    world = load_world(
        first_day=first_day,
        last_day=last_day,
        practitioners=[booking.practitioner],
        service=booking.service,
        client_id=booking.client_id,
        exclude_booking_id=booking.pk,
    )
    slots = availability.free_slots(
        world,
        service_spec(booking.service),
        now=earliest,
        first_day=first_day,
        days=(last_day - first_day).days + 1,
        practitioner_ids=[booking.practitioner_id],
        limit=5,
    )
    return [slot.start for slot in slots]


def _move(booking: Booking, *, after: datetime, by: Any, reason: str, now: datetime) -> Outcome:
    refusals: list[str] = []
    for start in next_free_start(booking, after=after, now=now):
        try:
            move_booking(booking=booking, start=start, by=by, reason=reason)
        except BookingError as error:
            refusals.append(error.message)
            continue
        local = booking.local_start
        return Outcome(booking, MOVE, True, f"Moved to {local:%a %d %b %H:%M}.")
    why = refusals[-1] if refusals else f"No free time in the {SEARCH_WEEKS} weeks after."
    return Outcome(booking, MOVE, False, f"Not moved: {why}")


def _cancel(booking: Booking, *, by: Any, reason: str) -> Outcome:
    try:
        # The clinic is closed (or the practitioner away): never the client's late cancellation.
        cancel_booking(booking=booking, by=by, reason=reason, by_clinic=True)
    except BookingError as error:
        return Outcome(booking, CANCEL, False, f"Not cancelled: {error.message}")
    return Outcome(booking, CANCEL, True, "Cancelled; the client is told by email.")


def resolve(
    bookings: list[Booking],
    decisions: Mapping[int, str],
    *,
    after: datetime,
    by: Any,
    move_reason: str,
    cancel_reason: str,
    now: datetime | None = None,
) -> list[Outcome]:
    """Move, cancel or keep each booking as decided (a booking with no decision is kept)."""
    now = now or timezone.now()
    outcomes = []
    for booking in bookings:
        decision = decisions.get(booking.pk, KEEP)
        if decision == MOVE:
            outcomes.append(_move(booking, after=after, by=by, reason=move_reason, now=now))
        elif decision == CANCEL:
            outcomes.append(_cancel(booking, by=by, reason=cancel_reason))
        else:
            outcomes.append(Outcome(booking, KEEP, True, "Left as it is."))
    return outcomes


def same_closure(closure: Closure) -> Closure:
    """A new closure identical to a saved one is that one (a form sent twice adds one)."""
    if closure.pk is not None:
        return closure
    twin = Closure.objects.filter(
        start_date=closure.start_date, end_date=closure.end_date, reason=closure.reason
    ).first()
    return twin or closure


@booking_write
def save_closure(
    closure: Closure, *, decisions: Mapping[int, str], by: Any, now: datetime | None = None
) -> tuple[Closure, list[Outcome]]:
    """Save the closure, then deal with the booked sessions under it as decided."""
    closure = same_closure(closure)
    closure.full_clean()
    closure.save()
    start, end = closure.span(clinic_tz())
    outcomes = resolve(
        bookings_between(start, end),
        decisions,
        after=end,
        by=by,
        move_reason=f"Clinic closed: {closure.reason}",
        cancel_reason=f"Clinic closed: {closure.reason}",
        now=now,
    )
    return closure, outcomes


def same_time_off(time_off: TimeOff) -> TimeOff:
    if time_off.pk is not None:
        return time_off
    fields = ("start_date", "end_date", "start_time", "end_time", "reason")
    same = {name: getattr(time_off, name) for name in fields}
    twin = TimeOff.objects.filter(practitioner=time_off.practitioner, **same).first()
    return twin or time_off


@booking_write
def save_time_off_over_bookings(
    time_off: TimeOff, *, decisions: Mapping[int, str], by: Any, now: datetime | None = None
) -> tuple[TimeOff, list[Outcome]]:
    """Save the time off, then deal with the practitioner's booked sessions under it."""
    time_off = same_time_off(time_off)
    save_time_off(time_off)
    start, end = time_off.span(clinic_tz())
    # The reason for time off is for the team only: the history says no more than "away".
    outcomes = resolve(
        bookings_between(start, end, practitioner=time_off.practitioner),
        decisions,
        after=end,
        by=by,
        move_reason=f"{time_off.practitioner} is away",
        cancel_reason=f"{time_off.practitioner} is away",
        now=now,
    )
    return time_off, outcomes
