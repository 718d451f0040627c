"""The REST API, version 1 (django-ninja): /api/v1/, its schema at /api/v1/openapi.json and its
reference page at /api/v1/docs.

Every operation needs a live key with the operation's scope, sent as `X-Api-Key`: no key, an
unknown or revoked one is 401; a key without the scope is 403; past the key's rate limit 429.
Every call made with a known key is one access-log event, whatever its answer (`urls`).
Writes go through `clinic.services` like the desk's, so each desk rule holds; a refusal is
answered 4xx with the service's message and the field it names, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern
from django.utils import timezone
from ninja import NinjaAPI, Query, Router, Status
from ninja.errors import ValidationError
from ninja.security import APIKeyHeader

from clients.forms import ClientForm
from clients.models import Client
from clients.services import possible_duplicates, save_client
from clinic import availability
from clinic.availability_loader import load_world, practitioners_for, service_spec
from clinic.integrations import schemas
from clinic.integrations.models import ApiKey, Scope
from clinic.integrations.services import key_for, note_use
from clinic.kernel.access.models import What
from clinic.kernel.access.services import record_access
from clinic.kernel.dates import clinic_tz
from clinic.kernel.throttle import allow_key
from clinic.models import Booking, BookingSource, IllegalTransition, Room, Service
from clinic.services import (
    BookingConflict,
    BookingError,
    ClearanceNeeded,
    ScreeningRefused,
    SlotUnavailable,
    book,
    cancel_booking,
    move_booking,
)
from practitioners.models import Practitioner

# The widest range one call reads: free times (days) and bookings (a listing's span).
MAX_AVAILABILITY_DAYS = 14
MAX_BOOKINGS_RANGE = timedelta(days=31)
SLOTS_LIMIT = 500
# The screening gate says nothing about why: the same words for "do not treat" and "needs a
# physician's clearance", and no finding.
SCREENING_MESSAGE = "This client can't be booked through the API: please ask them to contact the clinic."


class OutOfScope(Exception):
    pass


class RateLimited(Exception):
    pass


class Refused(Exception):
    """A request the API answers with a message: 400 bad input, 404 unknown record, 409 conflict."""

    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field


class KeyAuth(APIKeyHeader):
    """A live key with `scope`. The call then acts as the key's own user (the booking's history
    and the access log name the integration). `request.user` stays anonymous: no session, no
    cookie, no sign-in stamp for an API call."""

    param_name = "X-Api-Key"

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        found = key_for(key) if key else None
        if found is None:
            return None
        request.api_key = found  # type: ignore[attr-defined]  # read by the access log
        if not allow_key("api", str(found.pk), limit=settings.API_RATE_LIMIT_PER_MINUTE, window=60):
            raise RateLimited
        if not found.allows(self.scope):
            raise OutOfScope
        note_use(found)
        return found


api = NinjaAPI(
    title="Clinic API",
    version="1",
    urls_namespace="api-v1",
    description=(
        "Services, practitioners, rooms, free times, bookings and clients' contact details, for "
        "the clinic's other systems. Never clinical content. Send the key a manager made as the "
        "X-Api-Key header."
    ),
)


def _problem(request: HttpRequest, status: int, detail: str, field: str | None = None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "field": field}, status=status)


@api.exception_handler(OutOfScope)
def _out_of_scope(request: HttpRequest, exc: OutOfScope) -> HttpResponse:
    return _problem(request, 403, "This key does not have the scope this call needs.")


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = _problem(request, 429, "Too many calls with this key: wait a minute and try again.")
    response["Retry-After"] = "60"
    return response


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return _problem(request, exc.status, exc.detail, exc.field)


@api.exception_handler(BookingError)
def _booking_refused(request: HttpRequest, exc: BookingError) -> HttpResponse:
    if isinstance(exc, ScreeningRefused | ClearanceNeeded):
        return _problem(request, 409, SCREENING_MESSAGE, "client_id")
    status = 409 if isinstance(exc, BookingConflict | SlotUnavailable) else exc.status_code
    field = {
        "client": "client_id", "service": "service_id", "practitioner": "practitioner_id", "room": "room_id",
    }  # fmt: skip
    return _problem(request, status, exc.message, field.get(exc.field or "", exc.field))


@api.exception_handler(IllegalTransition)
def _illegal(request: HttpRequest, exc: IllegalTransition) -> HttpResponse:
    return _problem(request, 409, str(exc))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


ERRORS: dict[int | str, Any] = {
    400: schemas.Problem,
    401: schemas.Problem,
    403: schemas.Problem,
    429: schemas.Problem,
}

catalogue = Router(tags=["catalogue"], auth=KeyAuth(Scope.AVAILABILITY))
bookings = Router(tags=["bookings"], auth=KeyAuth(Scope.BOOKINGS))
clients = Router(tags=["clients"], auth=KeyAuth(Scope.CLIENTS))


@catalogue.get("/services", response={200: list[schemas.ServiceOut], **ERRORS})
def list_services(request: HttpRequest) -> Any:
    return list(Service.objects.active().order_by("name"))


@catalogue.get("/practitioners", response={200: list[schemas.PractitionerOut], **ERRORS})
def list_practitioners(request: HttpRequest) -> Any:
    return list(Practitioner.objects.active().prefetch_related("services").order_by("calendar_order", "pk"))


@catalogue.get("/rooms", response={200: list[schemas.RoomOut], **ERRORS})
def list_rooms(request: HttpRequest) -> Any:
    return list(Room.objects.filter(is_active=True))


def _active(model: type[Any], pk: int | None, field: str) -> Any:
    """An offered service or a practitioner taking bookings, by id; 400 naming the field."""
    found = model.objects.active().filter(pk=pk).first()
    if found is None:
        raise Refused(400, f"No {model._meta.verbose_name} {pk} takes bookings.", field)
    return found


@catalogue.get("/availability", response={200: list[schemas.SlotOut], **ERRORS})
def free_times(request: HttpRequest, query: Query[schemas.AvailabilityQuery]) -> Any:
    """Free start times for a service from a local day, for at most 14 days (the desk's search)."""
    service = _active(Service, query.service_id, "service_id")
    practitioners = practitioners_for(service)
    if query.practitioner_id is not None:
        practitioners = [p for p in practitioners if p.pk == query.practitioner_id]
        if not practitioners:
            raise Refused(400, "This practitioner does not offer this service.", "practitioner_id")
    first = query.from_date or timezone.localdate(timezone.now(), clinic_tz())
    world = load_world(
        first_day=first,
        last_day=first + timedelta(days=query.days),
        practitioners=practitioners,
        service=service,
    )
    return availability.free_slots(
        world, service_spec(service), now=timezone.now(), first_day=first, days=query.days, limit=SLOTS_LIMIT
    )


def _integration(request: HttpRequest, booking: Booking | None = None) -> User:
    """The key's own user, who makes this write; named in the history of `booking` too."""
    user: User = request.auth.user  # type: ignore[attr-defined]  # KeyAuth's key
    if booking is not None:
        booking._history_user = user  # type: ignore[attr-defined]  # django-simple-history
    return user


def _booking(pk: int) -> Booking:
    found = Booking.objects.select_related("client", "practitioner", "service", "room").filter(pk=pk).first()
    if found is None:
        raise Refused(404, f"No booking {pk}.")
    return found


@bookings.get("/bookings", response={200: list[schemas.BookingOut], **ERRORS})
def list_bookings(request: HttpRequest, query: Query[schemas.BookingsQuery]) -> Any:
    """Bookings that meet [start, end), every status, at most 31 days at once."""
    if query.end <= query.start:
        raise Refused(400, "The end must be after the start.", "end")
    if query.end - query.start > MAX_BOOKINGS_RANGE:
        raise Refused(400, "Ask for at most 31 days at once.", "end")
    return list(Booking.objects.between(query.start, query.end).order_by("start", "pk"))


@bookings.get("/bookings/{booking_id}", response={200: schemas.BookingOut, 404: schemas.Problem, **ERRORS})
def get_booking(request: HttpRequest, booking_id: schemas.RecordId) -> Any:
    return _booking(booking_id)


@bookings.post(
    "/bookings", response={201: schemas.BookingOut, 404: schemas.Problem, 409: schemas.Problem, **ERRORS}
)
def create_booking(request: HttpRequest, data: schemas.BookingIn) -> Any:
    client = Client.objects.filter(pk=data.client_id).first()
    if client is None:
        raise Refused(400, f"No client {data.client_id}.", "client_id")
    request.api_client_id = client.pk  # type: ignore[attr-defined]  # the access log's client
    booking = book(
        client=client,
        practitioner=data.practitioner_id,
        service=data.service_id,
        start=data.start,
        room=data.room_id,
        by=_integration(request),
        source=BookingSource.API,
    )
    return Status(201, booking)


@bookings.post(
    "/bookings/{booking_id}/move",
    response={200: schemas.BookingOut, 404: schemas.Problem, 409: schemas.Problem, **ERRORS},
)
def move(request: HttpRequest, booking_id: schemas.RecordId, data: schemas.MoveIn) -> Any:
    booking = _booking(booking_id)
    request.api_client_id = booking.client_id  # type: ignore[attr-defined]
    practitioner = (
        None
        if data.practitioner_id is None
        else _active(Practitioner, data.practitioner_id, "practitioner_id")
    )
    room = None
    if data.room_id is not None:
        room = Room.objects.filter(pk=data.room_id, is_active=True).first()
        if room is None:
            raise Refused(400, f"No room {data.room_id} is in use.", "room_id")
    by = _integration(request, booking)
    return move_booking(
        booking=booking, start=data.start, by=by, practitioner=practitioner, room=room,
        reason=data.reason or f"Moved through the API by {by}",
    )  # fmt: skip


@bookings.post(
    "/bookings/{booking_id}/cancel",
    response={200: schemas.BookingOut, 404: schemas.Problem, 409: schemas.Problem, **ERRORS},
)
def cancel(request: HttpRequest, booking_id: schemas.RecordId, data: schemas.CancelIn) -> Any:
    booking = _booking(booking_id)
    request.api_client_id = booking.client_id  # type: ignore[attr-defined]
    by = _integration(request, booking)
    return cancel_booking(
        booking=booking, by=by, reason=data.reason or f"Cancelled through the API by {by}",
        by_clinic=data.by_clinic,
    )  # fmt: skip


@clients.get("/clients", response={200: list[schemas.ClientOut], **ERRORS})
def list_clients(request: HttpRequest, query: Query[schemas.ClientsQuery]) -> Any:
    """Clients by id, a page at a time: the next page starts after the last id of this one."""
    return list(Client.objects.filter(pk__gt=query.after).order_by("pk")[: query.limit])


@clients.get("/clients/{client_id}", response={200: schemas.ClientOut, 404: schemas.Problem, **ERRORS})
def get_client(request: HttpRequest, client_id: schemas.RecordId) -> Any:
    found = Client.objects.filter(pk=client_id).first()
    if found is None:
        raise Refused(404, f"No client {client_id}.")
    request.api_client_id = found.pk  # type: ignore[attr-defined]
    return found


@clients.post(
    "/clients",
    auth=KeyAuth(Scope.ADD_CLIENTS),
    tags=["clients-add"],
    response={201: schemas.ClientOut, 409: schemas.Problem, **ERRORS},
)
def add_client(request: HttpRequest, data: schemas.ClientIn) -> Any:
    """A new client with contact details only, checked as the desk's form checks them (a phone
    the app can't read is refused); a likely duplicate is refused unless asked for. No consent
    is recorded: the client gives it at the clinic."""
    fields = data.model_dump(exclude={"create_even_if_duplicate"})
    if data.email_reminders is None:
        fields["email_reminders"] = bool(data.email)
    form = ClientForm({**fields, "consent_to_treatment": False})
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        raise Refused(400, str(errors[0]), None if name == "__all__" else name)
    client = form.save(commit=False)
    if not data.create_even_if_duplicate and possible_duplicates(client=client).exists():
        raise Refused(
            409,
            "A client with the same name and date of birth, email or phone exists already: "
            "send create_even_if_duplicate to add this one anyway.",
        )
    save_client(client=client, consents=False)
    request.api_client_id = client.pk  # type: ignore[attr-defined]
    return Status(201, client)


api.add_router("/", catalogue)
api.add_router("/", bookings)
api.add_router("/", clients)


def _logged(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Every call made with a known key leaves one access-log event (after the answer, so a
    refused call is logged too). Not inside the request's transaction: a booking write is the
    service's own transaction (rerun after a deadlock), and the event stays if the view fails."""

    @wraps(view)
    def logged(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        key = getattr(request, "api_key", None)
        if key is not None:
            record_access(
                request,
                user=key.user,
                client_id=getattr(request, "api_client_id", None),
                what=What.API_CALL,
                obj=key,
                detail=f"{request.method} {request.path} {response.status_code}",
            )
        return response

    logged._non_atomic_requests = {DEFAULT_DB_ALIAS}  # type: ignore[attr-defined]
    return logged


def urls() -> tuple[list[Any], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _logged(pattern.callback)
    return patterns, app_name, namespace
