"""Online booking: free times, emailed codes, the booking itself and the manage link.

Every booking goes through `clinic.services.book` (and moves and cancels through
`move_booking` / `cancel_booking`), so each rule of the desk holds for a client online. The
screening gate reveals nothing: a client who must not be treated is asked to call the clinic,
one who needs a physician's clearance is booked as a request reception confirms.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, hash_token
from clients.screening import ScreeningStatus, screening_for
from clients.services import intake_link_url, new_intake_link, possible_duplicates, save_client
from clinic import availability
from clinic.availability_loader import load_world, service_spec
from clinic.emails import queue_booking_email
from clinic.kernel.dates import clinic_tz
from clinic.kernel.outbox.services import write_message
from clinic.models import Booking, BookingSource, BookingStatus, Service
from clinic.online.models import EmailCode, ManageLink, OnlineSettings
from clinic.services import (
    BookingError,
    ScreeningRefused,
    book,
    booking_write,
    cancel_booking,
    move_booking,
)
from clinic.waitlist import services as waitlist
from clinic.waitlist.models import WaitlistEntry
from practitioners.models import Practitioner

CODE_VALID = timedelta(minutes=15)
CODE_ATTEMPTS = 5


def settings_problems(
    *, enabled: bool, services: Iterable[Service], practitioners: Iterable[Practitioner]
) -> dict[str, str]:
    """What keeps a choice of services and practitioners from being bookable, by field: open
    with nothing to book, or a service nobody chosen offers. Empty when all is well."""
    services, practitioners = list(services), list(practitioners)
    problems: dict[str, str] = {}
    if enabled and not services:
        problems["services"] = "Choose at least one service, or close online booking."
    if enabled and not practitioners:
        problems["practitioners"] = "Choose at least one practitioner, or close online booking."
    if services and practitioners:
        chosen = {p.pk for p in practitioners}
        offered = set(
            Service.practitioners.through.objects.filter(
                service__in=services, practitioner_id__in=chosen
            ).values_list("service_id", flat=True)
        )
        orphans = [s.name for s in services if s.pk not in offered]
        if orphans:
            problems["services"] = (
                f"No practitioner chosen offers {', '.join(orphans)}: choose one who does, or leave it out."
            )
    return problems


@transaction.atomic
def save_settings(*, fields: dict[str, Any]) -> OnlineSettings:
    """Change what is bookable online (the manager's page and the back office both call this).
    `fields`: the model's fields by name, `services` and `practitioners` as lists. Raises
    ValidationError, by field, when the model or the choice of services refuses it."""
    values = dict(fields)
    chosen_services = list(values.pop("services", []))
    chosen_practitioners = list(values.pop("practitioners", []))
    config = OnlineSettings.objects.select_for_update().get(pk=OnlineSettings.current().pk)
    for name, value in values.items():
        setattr(config, name, value)
    config.full_clean()
    problems = settings_problems(
        enabled=config.enabled, services=chosen_services, practitioners=chosen_practitioners
    )
    if problems:
        raise ValidationError(problems)
    config.save()
    config.services.set(chosen_services)
    config.practitioners.set(chosen_practitioners)
    return config


def bookable_services(config: OnlineSettings) -> list[Service]:
    return list(config.services.filter(is_active=True).order_by("name"))


def bookable_practitioners(config: OnlineSettings, service: Service | None) -> list[Practitioner]:
    found = config.practitioners.active()
    if service is not None:
        found = found.filter(services=service)
    return list(found.order_by("calendar_order", "pk"))


def window(config: OnlineSettings, now: datetime) -> tuple[datetime, date]:
    """The earliest start a client may book now, and the last local day."""
    earliest = now + timedelta(hours=config.minimum_notice_hours)
    return earliest, (now + timedelta(days=config.days_ahead)).astimezone(clinic_tz()).date()


def free_times(
    config: OnlineSettings,
    *,
    service: Service,
    practitioners: list[Practitioner],
    day: date,
    now: datetime,
    days: int = 1,
    limit: int = 40,
    exclude_booking_id: int | None = None,
) -> list[availability.Slot]:
    """Free starts from `day` for `days` days, inside the booking window."""
    earliest, last_day = window(config, now)
    first_day = max(day, earliest.astimezone(clinic_tz()).date())
    if first_day > last_day or not practitioners:
        return []
    days = min(days, (last_day - first_day).days + 1)
    world = load_world(
        first_day=first_day,
        last_day=first_day + timedelta(days=days),
        practitioners=practitioners,
        service=service,
        exclude_booking_id=exclude_booking_id,
    )
    # `now` moved forward by the notice: slots before it are "in the past" to free_slots.
    return availability.free_slots(
        world, service_spec(service), now=earliest, first_day=first_day, days=days, limit=limit
    )


def check_offer(
    config: OnlineSettings, *, service: Service, practitioner: Practitioner, start: datetime
) -> None:
    """Refuse what the manager has not put online, or a time outside the booking window."""
    if not config.enabled:
        raise BookingError("Online booking is closed: please call the clinic.", field=None)
    if not config.services.filter(pk=service.pk).exists():
        raise BookingError(f"{service.name} can't be booked online.", field="service")
    if not config.practitioners.filter(pk=practitioner.pk).exists():
        raise BookingError(f"{practitioner} can't be booked online.", field="practitioner")
    earliest, last_day = window(config, timezone.now())
    if start < earliest or start.astimezone(clinic_tz()).date() > last_day:
        raise BookingError("That time is outside the times open for online booking.")


def send_code(email: str) -> EmailCode:
    """Email a one-time code to the typed address, known or not (the answer is the same)."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    row = EmailCode.objects.create(
        email=email, code_hash=hash_token(code), created_at=now, expires_at=now + CODE_VALID
    )
    write_message(
        key=f"online-code:{row.pk}",
        kind="online booking code",
        recipient=email,
        subject=f"Your booking code - {settings.CLINIC_NAME}",
        body=(
            f"Your code to finish booking with {settings.CLINIC_NAME} is {code}.\n\n"
            "It works once, for 15 minutes. If you did not ask for it, ignore this email.\n"
        ),
        sensitive=True,
    )
    return row


def check_code(code_id: int, typed: str) -> str:
    """ "ok" (the code is used up now), "wrong", "used" or "expired"."""
    with transaction.atomic():
        row = EmailCode.objects.select_for_update().filter(pk=code_id).first()
        if row is None:
            return "expired"
        if row.used_at is not None:
            return "used"
        if not row.is_open() or row.attempts >= CODE_ATTEMPTS:
            return "expired"
        if not row.matches(typed):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            return "wrong"
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        return "ok"


@dataclass(frozen=True)
class Details:
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: date


@dataclass(frozen=True)
class Outcome:
    """ "booked", "requested", "waitlisted", "call_us" or "no_new_clients"."""

    result: str
    booking: Booking | None = None
    entry: WaitlistEntry | None = None
    intake_sent: bool = False  # the confirmation carries the intake link: none is current


def manage_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("online:manage_link", args=[token])


def _client_for(details: Details, config: OnlineSettings) -> tuple[Client | None, bool]:
    """The client this proven email address belongs to, or a new one; and whether reception
    should check the record (a new client who looks like an existing one)."""
    known = Client.objects.filter(email__iexact=details.email, is_archived=False).order_by("pk").first()
    if known is not None:
        return known, False
    if not config.new_clients_allowed:
        return None, False
    client = Client(
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
        phone=details.phone,
        date_of_birth=details.date_of_birth,
    )
    suspect = possible_duplicates(client=client).exists()
    return save_client(client=client, consents=True), suspect


@booking_write  # the whole unit (client record, booking, links) is one write, rerun as one
def book_online(
    *, details: Details, service: Service, practitioner: Practitioner, start: datetime
) -> Outcome:
    """Book for the client whose address the code proved; `BookingError` when the time is gone."""
    config = OnlineSettings.current()
    check_offer(config, service=service, practitioner=practitioner, start=start)
    client, suspect = _client_for(details, config)
    if client is None:
        return Outcome("no_new_clients")
    on = start.astimezone(clinic_tz()).date()
    screening = screening_for(client, on=on)
    if screening.status == ScreeningStatus.DO_NOT_TREAT:
        return Outcome("call_us")
    note = "Online: possibly a duplicate client record, check before confirming." if suspect else ""
    try:
        booking = book(
            client=client,
            practitioner=practitioner,
            service=service,
            start=start,
            by=None,
            source=BookingSource.ONLINE,
            reception_note=note,
            notify=False,
        )
    except ScreeningRefused:
        return Outcome("call_us")
    if suspect and not booking.awaiting_confirmation:
        booking.awaiting_confirmation = True
        booking.save(update_fields=["awaiting_confirmation"])
    links = {"manage_url": manage_url(new_manage_link(booking))}
    if not screening.has_intake or screening.intake_out_of_date:
        _link, intake_token = new_intake_link(client=client, by=None)
        links["intake_url"] = intake_link_url(intake_token)
    queue_booking_email([booking], "booked", key=f"booking:{booking.pk}:booked", new_key=True, links=links)
    result = "requested" if booking.awaiting_confirmation else "booked"
    return Outcome(result, booking, intake_sent="intake_url" in links)


@transaction.atomic
def join_waitlist(*, details: Details, preferences: dict[str, Any]) -> Outcome:
    """Put the client whose address the code proved on the waitlist, through the waitlist's
    own `add_entry` (its rules, its expiry). `preferences`: the entry's fields (service,
    practitioner or None, weekdays, times, dates). A client who must not be treated is asked to
    call, as when booking."""
    config = OnlineSettings.current()
    if not (config.enabled and config.waitlist_online):
        raise BookingError("The waitlist can't be joined online: please call the clinic.", field=None)
    service = preferences["service"]
    practitioner = preferences.get("practitioner")
    if not config.services.filter(pk=service.pk).exists():
        raise BookingError(f"{service.name} can't be booked online.", field="service")
    if practitioner is not None and not config.practitioners.filter(pk=practitioner.pk).exists():
        raise BookingError(f"{practitioner} can't be booked online.", field="practitioner")
    client, suspect = _client_for(details, config)
    if client is None:
        return Outcome("no_new_clients")
    if screening_for(client, on=timezone.localdate()).status == ScreeningStatus.DO_NOT_TREAT:
        return Outcome("call_us")
    note = "Joined online" + (": possibly a duplicate client record, check it." if suspect else ".")
    entry = waitlist.add_entry(by=None, client=client, note=note, **preferences)
    return Outcome("waitlisted", entry=entry)


def new_manage_link(booking: Booking) -> str:
    token = secrets.token_urlsafe(32)
    ManageLink.objects.create(booking=booking, token_hash=hash_token(token), expires_at=booking.end)
    return token


def link_state(link: ManageLink | None, now: datetime | None = None) -> str:
    """ "ok", "expired" (the session is over) or "unknown"."""
    if link is None:
        return "unknown"
    if (now or timezone.now()) >= link.expires_at:
        return "expired"
    return "ok"


def can_move(booking: Booking, config: OnlineSettings, now: datetime | None = None) -> bool:
    """Whether the client may still move it online (the manager's notice period). Cancelling
    stays open until the start; within LATE_CANCEL_HOURS it counts as late."""
    now = now or timezone.now()
    return booking.status == BookingStatus.BOOKED and booking.start - now >= timedelta(
        hours=config.cancellation_notice_hours
    )


def cancel_online(booking: Booking) -> Booking:
    """The client cancels, until the start; within LATE_CANCEL_HOURS it is flagged late, as at
    the desk."""
    if booking.start <= timezone.now():
        raise BookingError("This appointment has started: please call the clinic.", field=None)
    return cancel_booking(booking=booking, by=None, reason="Cancelled online by the client")


@booking_write
def move_online(booking: Booking, start: datetime) -> Booking:
    """Move through the desk's service; the booking's manage links now expire after its new end."""
    if start == booking.start:
        raise BookingError("That is the time you have already.")
    moved = move_booking(booking=booking, start=start, by=None, reason="Moved online by the client")
    ManageLink.objects.filter(booking=moved).update(expires_at=moved.end)
    return moved
