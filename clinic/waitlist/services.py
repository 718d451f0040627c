"""Writes for the waitlist: add and withdraw entries, offer a freed time, claim it.

A claim books through `clinic.services.book` (hours, closures, time off, overlaps, screening,
the database's constraints), inside one booking write that first locks the offer's row: of two
claims racing, the second waits, then finds the offer taken and is told the time has gone.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clients.models import hash_token
from clinic.kernel.dates import clinic_tz
from clinic.kernel.outbox.services import write_message
from clinic.models import Booking
from clinic.services import BookingConflict, BookingError, book, booking_write
from clinic.waitlist.models import EntryStatus, Invite, Offer, WaitlistEntry
from clinic.waitlist.selectors import FreedSlot, freed_slots


class OfferError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ClaimClosed(Exception):
    """The claim link can't book: `state` says why ("unknown", "used", "expired", "gone",
    "refused")."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


def claim_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("waitlist:claim", args=[token])


@transaction.atomic
def add_entry(*, by: User | None, **fields: object) -> WaitlistEntry:
    """Put a client on the list: `by` the staff member, or None when the client joined online."""
    entry = WaitlistEntry(created_by=by, **fields)
    reason = f"Added by {by}" if by is not None else "Joined online by the client"
    entry._change_reason = reason  # type: ignore[attr-defined]  # django-simple-history
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def withdraw_entry(*, entry: WaitlistEntry, by: User) -> bool:
    """Take the entry off the list; False when it was no longer open."""
    locked = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.status not in (EntryStatus.WAITING, EntryStatus.OFFERED):
        return False
    locked.status = EntryStatus.WITHDRAWN
    locked._change_reason = f"Withdrawn by {by}"  # type: ignore[attr-defined]
    locked.save(update_fields=["status"])
    return True


def expire_entries(now: datetime | None = None) -> int:
    """Write down the expiry of open entries past it (reads already treat them as expired)."""
    now = now or timezone.now()
    expired = 0
    for entry in WaitlistEntry.objects.filter(
        status__in=(EntryStatus.WAITING, EntryStatus.OFFERED), expires_at__lte=now
    ):
        entry.status = EntryStatus.EXPIRED
        entry._change_reason = "Expired"  # type: ignore[attr-defined]
        entry.save(update_fields=["status"])
        expired += 1
    return expired


def _invite(offer: Offer, entry: WaitlistEntry, now: datetime) -> Invite | None:
    """The entry's claim link for the offer, emailed once: None when it already had one."""
    if Invite.objects.filter(offer=offer, entry=entry).exists():
        return None
    token = secrets.token_urlsafe(32)
    invite = Invite.objects.create(
        offer=offer,
        entry=entry,
        token_hash=hash_token(token),
        sent_to=entry.client.email,
        created_at=now,
        expires_at=min(offer.start, entry.expires_at),
    )
    context = {
        "client": entry.client,
        "service": entry.service,
        "offer": offer,
        "start": offer.start.astimezone(clinic_tz()),
        "url": claim_url(token),
        "clinic_name": settings.CLINIC_NAME,
    }
    write_message(
        key=f"waitlist-invite:{offer.pk}:{entry.pk}",
        kind="waitlist offer",
        topic=f"client:{entry.client_id}",
        recipient=entry.client.email,
        subject=render_to_string("waitlist/email/offer_subject.txt", context).strip(),
        body=render_to_string("waitlist/email/offer.txt", context),
        sensitive=True,
    )
    if entry.status == EntryStatus.WAITING:
        entry.status = EntryStatus.OFFERED
        entry._change_reason = "Offered a freed time"  # type: ignore[attr-defined]
        entry.save(update_fields=["status"])
    return invite


@transaction.atomic
def offer_slot(*, key: str, by: User, now: datetime | None = None) -> tuple[Offer, int]:
    """Offer the freed time named `key` to every open entry it suits, each emailed once (a
    second submit emails nobody again; an entry added since is emailed). Returns the offer
    and how many clients were emailed now."""
    now = now or timezone.now()
    slot: FreedSlot | None = next((s for s in freed_slots(now) if s.key == key), None)
    if slot is None:
        raise OfferError("That time is no longer free, or no waiting client suits it.")
    offer, _created = Offer.objects.get_or_create(
        key=key,
        defaults={
            "practitioner": slot.practitioner,
            "start": slot.start,
            "end": slot.end,
            "created_by": by,
            "created_at": now,
        },
    )
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.booking_id is not None:
        raise OfferError("That time has already been claimed.")
    emailed = 0
    for entry in slot.entries:
        if entry.client.email and _invite(offer, entry, now) is not None:
            emailed += 1
    return offer, emailed


def open_invite(token: str, now: datetime | None = None) -> Invite:
    """The invite a claim link names, or ClaimClosed saying why it can't be used."""
    now = now or timezone.now()
    invite = (
        Invite.objects.for_token(token)
        .select_related("offer__practitioner", "entry__service", "entry__client")
        .first()
    )
    if invite is None:
        raise ClaimClosed("unknown")
    _check_open(invite, now)
    return invite


def granted_invite(pk: int, now: datetime | None = None) -> Invite:
    now = now or timezone.now()
    invite = (
        Invite.objects.select_related("offer__practitioner", "entry__service", "entry__client")
        .filter(pk=pk)
        .first()
    )
    if invite is None:
        raise ClaimClosed("unknown")
    _check_open(invite, now)
    return invite


def _check_open(invite: Invite, now: datetime) -> None:
    if invite.used_at is not None:
        raise ClaimClosed("used")
    if invite.offer.booking_id is not None:
        raise ClaimClosed("gone")
    entry = invite.entry
    if (
        invite.expires_at <= now
        or entry.expires_at <= now
        or entry.status not in (EntryStatus.WAITING, EntryStatus.OFFERED)
    ):
        raise ClaimClosed("expired")


@booking_write
def claim(*, invite_id: int, now: datetime | None = None) -> Booking:
    """Book the offered time for the invite's client; the first claim wins. The booking is made
    by the staff member who made the offer. Raises ClaimClosed (nothing written) otherwise."""
    now = now or timezone.now()
    offer_id = Invite.objects.values_list("offer_id", flat=True).get(pk=invite_id)
    offer = Offer.objects.select_for_update().select_related("practitioner", "created_by").get(pk=offer_id)
    invite = Invite.objects.select_related("entry__service", "entry__client").get(pk=invite_id)
    invite.offer = offer
    _check_open(invite, now)
    entry = invite.entry
    try:
        booking = book(
            client=entry.client,
            practitioner=offer.practitioner,
            service=entry.service,
            start=offer.start,
            by=offer.created_by,
            reception_note="Booked from the waitlist",
            now=now,
        )
    except BookingConflict as conflict:
        raise ClaimClosed("gone") from conflict
    except BookingError as refused:
        raise ClaimClosed("refused") from refused
    offer.booking, offer.claimed_at = booking, now
    offer._change_reason = f"Claimed by {entry.client}"  # type: ignore[attr-defined]
    offer.save(update_fields=["booking", "claimed_at"])
    invite.used_at = now
    invite.save(update_fields=["used_at"])
    entry.status = EntryStatus.BOOKED
    entry._change_reason = "Booked a freed time"  # type: ignore[attr-defined]
    entry.save(update_fields=["status"])
    # The others offered this time keep their place on the list, and are told it has gone.
    for other in WaitlistEntry.objects.filter(invites__offer=offer, status=EntryStatus.OFFERED).exclude(
        pk=entry.pk
    ):
        other.status = EntryStatus.WAITING
        other._change_reason = "The offered time was claimed by another client"  # type: ignore[attr-defined]
        other.save(update_fields=["status"])
    for lost in Invite.objects.filter(offer=offer).exclude(pk=invite.pk).select_related("entry__client"):
        _tell_gone(lost, offer)
    return booking


def _tell_gone(invite: Invite, offer: Offer) -> None:
    """Email a client whose claim link for `offer` can no longer book: another claimed it."""
    context = {
        "client": invite.entry.client,
        "start": offer.start.astimezone(clinic_tz()),
        "clinic_name": settings.CLINIC_NAME,
    }
    write_message(
        key=f"waitlist-gone:{offer.pk}:{invite.entry_id}",
        kind="waitlist offer gone",
        topic=f"client:{invite.entry.client_id}",
        recipient=invite.sent_to,
        subject=f"That time has gone - {settings.CLINIC_NAME}",
        body=render_to_string("waitlist/email/gone.txt", context),
        sensitive=True,
    )
