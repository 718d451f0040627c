"""Reads for the waitlist: the open entries, and the freed times with the entries they suit.

Freed times are computed when the desk is read, not recorded by a signal: a booking's history
(django-simple-history) keeps every time it once held, so a time is freed when some version of
a booking held it while booked and the booking does not hold it now (cancelled, or moved to
another time or practitioner), no active booking has taken it since, and no closure or time
off of the practitioner covers it now. The look-ahead is
bounded (WAITLIST_LOOKAHEAD_DAYS) and the work is a fixed number of queries however many
bookings, entries or practitioners there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet

from clinic.kernel.dates import clinic_tz, local_span
from clinic.kernel.roles import Role, has_role
from clinic.models import ACTIVE_STATUSES, Booking, BookingStatus, Closure, Service
from clinic.waitlist.models import Offer, WaitlistEntry
from practitioners.models import Practitioner, TimeOff

# Reception and managers keep the list; practitioners don't see it (it holds no clinical
# content, but it is the desk's work, and the desk is where offers are made).
WAITLIST_ROLES = (Role.RECEPTION, Role.MANAGER)


def check_waitlist_access(user: object) -> None:
    if not has_role(user, *WAITLIST_ROLES):
        raise PermissionDenied("Only reception and managers keep the waitlist.")


def get_open_entries_for(user: object, now: datetime) -> QuerySet[WaitlistEntry]:
    check_waitlist_access(user)
    return WaitlistEntry.objects.open_at(now).select_related("client", "service", "practitioner")


def get_entry_for(user: object, pk: int) -> WaitlistEntry:
    from django.shortcuts import get_object_or_404

    check_waitlist_access(user)
    return get_object_or_404(WaitlistEntry.objects.select_related("client", "service"), pk=pk)


@dataclass
class FreedSlot:
    booking_id: int
    practitioner: Practitioner
    start: datetime
    end: datetime
    entries: list[WaitlistEntry] = field(default_factory=list)
    offer: Offer | None = None

    @property
    def key(self) -> str:
        """Names this freed time: the booking that held it, the practitioner and the start."""
        return f"{self.booking_id}-{self.practitioner.pk}-{int(self.start.timestamp())}"

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(clinic_tz())

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(clinic_tz())


def suits(entry: WaitlistEntry, slot: FreedSlot, offered: set[tuple[int, int]]) -> bool:
    """Whether the entry would take this freed time (pure: no queries)."""
    if entry.practitioner_id not in (None, slot.practitioner.pk):
        return False
    if (entry.service_id, slot.practitioner.pk) not in offered:
        return False
    start = slot.local_start
    end = start + entry.service.duration
    if end > slot.local_end:
        return False
    day: date = start.date()
    if entry.weekdays and str(day.weekday()) not in entry.weekdays:
        return False
    if entry.earliest is not None and start.time() < entry.earliest:
        return False
    if entry.latest is not None and (end.date() != day or end.time() > entry.latest):
        return False
    return entry.from_date <= day and (entry.until_date is None or day <= entry.until_date)


def freed_slots(now: datetime, *, with_entries_only: bool = True) -> list[FreedSlot]:
    """The freed times from now to the look-ahead's end, each with the open entries it suits,
    soonest first. Eight queries when anything was freed, one when nothing was."""
    horizon = now + timedelta(days=settings.WAITLIST_LOOKAHEAD_DAYS)
    History = Booking.history.model
    still_there = Booking.objects.filter(
        pk=OuterRef("id"),
        practitioner_id=OuterRef("practitioner_id"),
        start=OuterRef("start"),
        status__in=ACTIVE_STATUSES,
    )
    rows = (
        History.objects.filter(status=BookingStatus.BOOKED, start__gte=now, start__lt=horizon)
        .exclude(Exists(still_there))
        .values_list("id", "practitioner_id", "start", "end")
        .distinct()
    )
    latest: dict[tuple[int, datetime], tuple[int, datetime]] = {}
    for booking_id, practitioner_id, start, end in rows:
        kept = latest.get((practitioner_id, start))
        if kept is None or booking_id > kept[0]:
            latest[(practitioner_id, start)] = (booking_id, end)
    if not latest:
        return []
    practitioner_ids = {p for p, _s in latest}
    taken = list(
        Booking.objects.filter(
            status__in=ACTIVE_STATUSES,
            practitioner_id__in=practitioner_ids,
            start__lt=horizon + timedelta(days=1),
            end__gt=now,
        ).values_list("practitioner_id", "start", "end")
    )
    # A time freed because the clinic closes or the practitioner is away is no time to offer.
    tz = clinic_tz()
    first_day, last_day = now.astimezone(tz).date(), (horizon + timedelta(days=1)).astimezone(tz).date()
    closed = [
        local_span(start_date, end_date, None, None, tz)
        for start_date, end_date in Closure.objects.filter(
            start_date__lte=last_day, end_date__gte=first_day
        ).values_list("start_date", "end_date")
    ]
    away = [
        (off.practitioner_id, *off.span(tz))
        for off in TimeOff.objects.filter(
            practitioner_id__in=practitioner_ids, start_date__lte=last_day, end_date__gte=first_day
        )
    ]
    practitioners = Practitioner.objects.in_bulk(practitioner_ids)
    slots = []
    for (practitioner_id, start), (booking_id, end) in sorted(latest.items(), key=lambda kv: kv[0][1]):
        if any(p == practitioner_id and s < end and e > start for p, s, e in taken):
            continue  # booked again since
        if any(s < end and e > start for s, e in closed):
            continue
        if any(p == practitioner_id and s < end and e > start for p, s, e in away):
            continue
        slots.append(FreedSlot(booking_id, practitioners[practitioner_id], start, end))
    if not slots:
        return []
    offered = set(
        Service.practitioners.through.objects.filter(practitioner_id__in=practitioner_ids).values_list(
            "service_id", "practitioner_id"
        )
    )
    entries = list(
        WaitlistEntry.objects.open_at(now)
        .filter(from_date__lte=slots[-1].local_start.date(), client__is_archived=False)
        .select_related("client", "service", "practitioner")
    )
    offers = {offer.key: offer for offer in Offer.objects.filter(key__in=[s.key for s in slots])}
    for slot in slots:
        slot.entries = [e for e in entries if suits(e, slot, offered)]
        slot.offer = offers.get(slot.key)
    return [s for s in slots if s.entries or not with_entries_only]


def get_freed_slots_for(user: object, now: datetime) -> list[FreedSlot]:
    check_waitlist_access(user)
    return freed_slots(now)
