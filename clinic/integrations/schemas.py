"""What the API says and takes. Every field is named here, one by one: nothing clinical (no
intake, screening, note, point or reason typed by staff) can reach a response by a model
gaining a field. `clinic/integrations/tests/test_api_privacy.py` walks the published schema
against the clinical models' field names."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime

from clinic.kernel.dates import EARLIEST, LATEST, in_range
from clinic.models import Booking

OUT_OF_RANGE = f"Give a time between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}."


def _clinic_day(value: date) -> date:
    if not in_range(value):
        raise ValueError(OUT_OF_RANGE)
    return value


def _clinic_time(value: datetime) -> datetime:
    _clinic_day(value.date())
    return value


# A record's id as the API takes it: positive, and no longer than the database's ids (a number
# past them is refused here, not by the database with a 500).
RecordId = Annotated[int, Field(ge=1, le=10**18)]
# A time with its UTC offset (one without is refused, never guessed), inside the clinic's dates.
ClinicTime = Annotated[AwareDatetime, AfterValidator(_clinic_time)]
ClinicDate = Annotated[date, AfterValidator(_clinic_day)]


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
    client_id: RecordId
    service_id: RecordId
    practitioner_id: RecordId
    start: ClinicTime
    room_id: RecordId | None = Field(None, description="A room; none: the first free room.")


class MoveIn(Schema):
    start: ClinicTime
    practitioner_id: RecordId | None = Field(None, description="Another practitioner; none: the same one.")
    room_id: RecordId | None = None
    reason: str = Field("", max_length=300)


class CancelIn(Schema):
    reason: str = Field("", max_length=300)
    by_clinic: bool = Field(False, description="The clinic called it off: never a late cancellation.")


class BookingsQuery(Schema):
    start: ClinicTime
    end: ClinicTime


class ClientsQuery(Schema):
    after: int = Field(0, ge=0, le=10**18, description="The last id of the page before; 0: the first page.")
    limit: int = Field(100, ge=1, le=100)


class ClientIn(Schema):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    preferred_name: str = ""
    date_of_birth: ClinicDate
    phone: str = Field("", max_length=30, description="E.164 (+447700900123), or a local number.")
    email: str = Field("", max_length=254)
    email_reminders: bool | None = Field(
        None, description="Reminders by email; none: on when an email is given."
    )
    create_even_if_duplicate: bool = Field(
        False,
        description="Add the client although one with the same name and birth date, email or phone exists.",
    )


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
    service_id: RecordId
    practitioner_id: RecordId | None = None
    from_date: ClinicDate | None = Field(None, description="The first local day; none: today.")
    days: int = Field(7, ge=1, le=14, description="Local days searched, at most 14.")
