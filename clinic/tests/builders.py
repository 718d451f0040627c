"""Plain builders for clinic test data: rooms, services, working hours, bookings."""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from clients.tests.builders import make_client
from clinic.kernel.dates import clinic_tz, local_datetime
from clinic.models import Booking, Closure, Modality, Room, Service
from clinic.services import BookingConflict, book
from practitioners.models import Practitioner, TimeOff, WorkingHours

_seq = itertools.count(1)


def make_room(**overrides: Any) -> Room:
    fields: dict[str, Any] = {"name": f"Room {next(_seq)}"}
    fields.update(overrides)
    return Room.objects.create(**fields)


def make_service(*, practitioners: list[Practitioner] = (), **overrides: Any) -> Service:  # type: ignore[assignment]
    fields: dict[str, Any] = {
        "name": f"Acupressure session {next(_seq)}",  # never the fixtures' "Acupressure 60"
        "modality": Modality.TCM_ACUPRESSURE,
        "duration_minutes": 60,
        "buffer_minutes": 15,
        "price": Decimal("60.00"),
        "needs_room": True,
    }
    fields.update(overrides)
    service = Service.objects.create(**fields)
    service.practitioners.set(practitioners)
    return service


def give_hours(
    practitioner: Practitioner,
    *,
    days: tuple[int, ...] = tuple(range(7)),
    intervals: tuple[tuple[time, time], ...] = ((time(8), time(20)),),
) -> None:
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=practitioner, weekday=d, start=s, end=e) for d in days for s, e in intervals
    )


def make_time_off(
    practitioner: Practitioner, start_date: date, end_date: date | None = None, **kw: Any
) -> TimeOff:
    return TimeOff.objects.create(
        practitioner=practitioner, start_date=start_date, end_date=end_date or start_date, **kw
    )


def practitioner_admin_form(practitioner: Practitioner, **rows: Any) -> dict[str, Any]:
    """The admin's practitioner page as posted: the record unchanged, no inline rows unless
    given (`rows`: management-form counts and the rows' fields, e.g. `time_off-0-start_date`)."""
    return {
        "user": practitioner.user_id,
        "display_name": practitioner.display_name,
        "credentials": "",
        "colour": practitioner.colour,
        "bio": "",
        "is_active": "on",
        "calendar_order": 0,
        "working_hours-TOTAL_FORMS": 0,
        "working_hours-INITIAL_FORMS": 0,
        "time_off-TOTAL_FORMS": 0,
        "time_off-INITIAL_FORMS": 0,
        **rows,
    }


def make_closure(start_date: date, end_date: date | None = None, reason: str = "Bank holiday") -> Closure:
    return Closure.objects.create(start_date=start_date, end_date=end_date or start_date, reason=reason)


def future_day(weeks: int = 2, weekday: int = 0) -> date:
    """A local date `weeks` ahead on the given weekday (Monday 0), safely in the future."""
    today = timezone.localdate()
    return today + timedelta(days=7 * weeks + (weekday - today.weekday()) % 7)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return local_datetime(day, time(hh, mm), clinic_tz())


def make_booking(
    *,
    practitioner: Practitioner,
    service: Service,
    start: datetime,
    client: Any = None,
    room: Room | None = None,
    **overrides: Any,
) -> Booking:
    """Straight through the ORM, as a script or a careless import would: no service checks."""
    end = overrides.pop("end", start + service.duration)
    return Booking.objects.create(
        client=client or make_client(),
        practitioner=practitioner,
        service=service,
        room=room,
        start=start,
        end=end,
        blocks_until=overrides.pop("blocks_until", end + service.buffer),
        **overrides,
    )


def race(calls: Sequence[Callable[[], object]]) -> list[str]:
    """Run each call in its own thread, all released at once; each outcome is "booked",
    "conflict: <message>" or "error: <what>"."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def racer(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
            result = "booked"
        except BookingConflict as conflict:
            result = f"conflict: {conflict.message}"
        except Exception as error:
            result = f"error: {type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=racer, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def race_to_book(requests: list[dict[str, Any]], *, by: Any) -> list[str]:
    """`race` each request (keyword arguments of `clinic.services.book`) through the service."""
    return race([functools.partial(book, by=by, notify=False, **request) for request in requests])
