"""What the API says and takes. Every field is named here, one by one: nothing clinical (no
intake, screening, note, point or reason typed by staff) can reach a response by a model
gaining a field. `clinic/integrations/tests/test_api_privacy.py` walks the published schema
against the clinical models' field names."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import AwareDatetime

from clinic.models import Booking


class Problem(Schema):
    detail: str
    field: str | None = None


class ServiceOut(Schema):
    id: int
    name: str
    modality: str
    duration_minutes: int
    buffer_minutes: int
    price: Decimal
    needs_room: bool


class PractitionerOut(Schema):
    id: int
    display_name: str
    credentials: str
    service_ids: list[int]

    @staticmethod
    def resolve_service_ids(obj: object) -> list[int]:
        return sorted(s.pk for s in obj.services.all())  # type: ignore[attr-defined]  # prefetched


class RoomOut(Schema):
    id: int
    name: str


class SlotOut(Schema):
    start: datetime
    end: datetime
    practitioner_id: int
    room_id: int | None


class NamedRef(Schema):
    id: int
    name: str


class BookingOut(Schema):
    id: int
    status: str
    start: datetime
    end: datetime
    client_id: int
    practitioner: NamedRef
    service: NamedRef
    room: NamedRef | None
    source: str
    created_at: datetime
    cancelled_at: datetime | None
    late_cancellation: bool

    @staticmethod
    def resolve_practitioner(obj: Booking) -> dict[str, object]:
        return {"id": obj.practitioner_id, "name": obj.practitioner.display_name}

    @staticmethod
    def resolve_service(obj: Booking) -> dict[str, object]:
        return {"id": obj.service_id, "name": obj.service.name}

    @staticmethod
    def resolve_room(obj: Booking) -> dict[str, object] | None:
        return None if obj.room is None else {"id": obj.room.pk, "name": obj.room.name}


class BookingIn(Schema):
    client_id: int
    service_id: int
    practitioner_id: int
    # With its UTC offset: a time without one is refused, never guessed.
    start: AwareDatetime
    room_id: int | None = Field(None, description="A room; none: the first free room.")


class MoveIn(Schema):
    start: AwareDatetime
    practitioner_id: int | None = Field(None, description="Another practitioner; none: the same one.")
    room_id: int | None = None
    reason: str = Field("", max_length=300)


class CancelIn(Schema):
    reason: str = Field("", max_length=300)
    by_clinic: bool = Field(False, description="The clinic called it off: never a late cancellation.")


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    preferred_name: str
    phone: str
    email: str
    email_reminders: bool
    is_archived: bool


class AvailabilityQuery(Schema):
    service_id: int
    practitioner_id: int | None = None
    from_date: date | None = Field(None, description="The first local day; none: today.")
    days: int = Field(7, ge=1, le=14, description="Local days searched, at most 14.")
