"""Plain builders for treatment-note test data. Other apps may import these."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from clients.models import Client
from clients.tests.builders import make_client, make_intake
from clinic.kernel.dates import clinic_tz, local_datetime
from clinic.models import Booking
from clinic.tests.builders import make_booking, make_service
from practitioners.models import Practitioner
from treatments.catalogue import current_catalogue
from treatments.models import (
    NoteStatus,
    Point,
    PointApplication,
    Protocol,
    ProtocolItem,
    Technique,
    TreatmentNote,
)
from treatments.quickline import parse_quick_line, technique_names


def make_attended_booking(
    practitioner: Practitioner, *, client: Client | None = None, day: date | None = None, **overrides: Any
) -> Booking:
    """A past booking the client attended (status arrived), at the first hour of the day still free."""
    day = day or timezone.localdate() - timedelta(days=1)
    client = client or make_client()
    busy = Booking.objects.on_day(day).filter(Q(practitioner=practitioner) | Q(client=client))
    taken = {b.local_start.hour for b in busy}
    hour = next(h for h in range(6, 23) if h not in taken)
    start = local_datetime(day, time(hour), clinic_tz())
    service = overrides.pop("service", None) or make_service(
        practitioners=[practitioner], duration_minutes=60
    )
    return make_booking(
        practitioner=practitioner,
        service=service,
        start=start,
        client=client,
        status=overrides.pop("status", "arrived"),
        **overrides,
    )


def make_note(
    practitioner: Practitioner, *, client: Client | None = None, day: date | None = None, **fields: Any
) -> TreatmentNote:
    """A draft note on a new attended booking."""
    booking = make_attended_booking(practitioner, client=client, day=day)
    return TreatmentNote.objects.create(
        booking=booking,
        client=booking.client,
        practitioner=practitioner,
        service_date=booking.local_date,
        **fields,
    )


def add_point(note: TreatmentNote, code: str, **fields: Any) -> PointApplication:
    fields.setdefault("side", "both")
    fields.setdefault("order", note.applications.count() + 1)
    return PointApplication.objects.create(note=note, point=Point.objects.get(code=code), **fields)


def sign(note: TreatmentNote) -> TreatmentNote:
    note.status = NoteStatus.SIGNED
    note.signed_by = note.practitioner.user
    note.signed_at = timezone.now()
    note.save()
    return note


def make_pregnant_client(**overrides: Any) -> Client:
    client = make_client(**overrides)
    make_intake(client, pregnant=True, pregnancy_weeks=20)
    return client


def technique(short_name: str) -> Technique:
    return Technique.objects.get(short_names__contains=short_name)


def make_protocol(
    owner: Practitioner, line: str = "BL23 both 60s static; LI4 both 60s; ST36 R 90s p3", **fields: Any
) -> Protocol:
    """A protocol owned by `owner` (private unless shared=True), its points written as a quick line."""
    protocol = Protocol.objects.create(
        owner=owner, created_by=owner.user, name=fields.pop("name", "Low back"), **fields
    )
    entries = parse_quick_line(
        line, points=current_catalogue(), techniques=technique_names(Technique.objects.all())
    )
    for order, entry in enumerate(entries, start=1):
        assert entry.ok and entry.point is not None, entry
        ProtocolItem.objects.create(
            protocol=protocol,
            point=entry.point,
            side=entry.side or "both",
            technique=entry.technique,
            duration_seconds=entry.seconds,
            pressure=entry.pressure,
            order=order,
        )
    return protocol
