"""Booking events for the webhooks: written by the booking services, inside their own
transaction, and handed to the task queue once it commits.

The event's body is fixed here (the booking as the API shows it), so it says what happened
then, whatever happens to the booking later. One `Delivery` per live endpoint that asked for
the event; each is unique per (event, endpoint), which is what makes it sent once.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django.db.models import Exists
from django.utils import timezone

from clinic.integrations.models import Delivery, Event, WebhookEndpoint, WebhookEvent
from clinic.integrations.schemas import BookingOut
from clinic.integrations.tasks import enqueue_deliveries
from clinic.models import Booking


def payload(kind: str, key: str, booking: Booking) -> dict[str, object]:
    return {
        "id": key,
        "type": kind,
        "created_at": timezone.now().isoformat(),
        "data": {"booking": BookingOut.from_orm(booking).model_dump(mode="json")},
    }


def emit(kind: WebhookEvent, booking: Booking, *, key: str, anyone_listening: bool = True) -> Event | None:
    """Record the event for every live endpoint that wants it (one query when none does).

    `key` names this one event ("booking:12:moved:345"): the callers build it from what the
    change itself wrote, so no two events share one. `anyone_listening=False`: the caller read
    `endpoints_live()` in the same transaction and no endpoint is live, so nothing is read.
    """
    endpoints = _listening(kind) if anyone_listening else []
    return _record(kind, booking, key=key, endpoints=endpoints)


def endpoints_live() -> Exists:
    """Whether any endpoint is live, as an expression a write folds into a read it makes
    anyway (booking create's offer read): with none, `emit` then reads nothing."""
    return Exists(WebhookEndpoint.objects.live())


def emit_many(kind: WebhookEvent, events: Sequence[tuple[Booking, str]]) -> None:
    """`emit` for many bookings (booking, key): the endpoints read once for all."""
    endpoints = _listening(kind) if events else []
    for booking, key in events if endpoints else ():
        _record(kind, booking, key=key, endpoints=endpoints)


def _listening(kind: WebhookEvent) -> list[WebhookEndpoint]:
    return [e for e in WebhookEndpoint.objects.live() if kind in e.events]


def _record(
    kind: WebhookEvent, booking: Booking, *, key: str, endpoints: list[WebhookEndpoint]
) -> Event | None:
    if not endpoints:
        return None
    event = Event.objects.create(
        key=key, kind=kind, booking_id=booking.pk, payload=payload(kind, key, booking)
    )
    deliveries = Delivery.objects.bulk_create([Delivery(event=event, endpoint=e) for e in endpoints])
    transaction.on_commit(partial(enqueue_deliveries, [d.pk for d in deliveries]))
    return event


def status_key(booking: Booking, kind: WebhookEvent) -> str:
    """A status change is named by its time (an arrival undone and marked again is a second one)."""
    assert booking.status_changed_at is not None  # set by the transition
    return f"booking:{booking.pk}:{kind.value.split('.')[1]}:{booking.status_changed_at.isoformat()}"
