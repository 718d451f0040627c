"""The waitlist: clients waiting for a time to come free, and the offers of freed times.

An entry says what a client would take (a service, a practitioner or anyone, days of the week,
a time-of-day window, a date range). When a booking is cancelled or moved away, the desk lists
the entries its freed time suits (`selectors.freed_slots`); one action makes an `Offer` of that
time and emails each matching client an `Invite` with a claim link. The first claim books the
time; the others are told it has gone and keep their place on the list.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clients.models import hash_token

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class EntryStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a time"
    BOOKED = "booked", "Booked"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Entries still looking for a time: shown, matched, offered.
OPEN_STATUSES = (EntryStatus.WAITING, EntryStatus.OFFERED)


def default_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.WAITLIST_ENTRY_DAYS)


class WaitlistEntryQuerySet(models.QuerySet["WaitlistEntry"]):
    def open_at(self, now: datetime) -> WaitlistEntryQuerySet:
        """Still waiting (or offered a time) and not past its expiry: expiry is computed on read,
        the `expire_waitlist` command only writes the status down."""
        return self.filter(status__in=OPEN_STATUSES, expires_at__gt=now)


class WaitlistEntry(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="waitlist_entries")
    service = models.ForeignKey("clinic.Service", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        "practitioners.Practitioner",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty: any practitioner who offers the service.",
    )
    # Weekday numbers, Monday 0 ("024": Monday, Wednesday, Friday); empty: any day.
    weekdays = models.CharField(max_length=7, blank=True)
    earliest = models.TimeField(null=True, blank=True, help_text="Start no earlier than this.")
    latest = models.TimeField(null=True, blank=True, help_text="Finish by this time.")
    from_date = models.DateField()
    until_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.WAITING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_expiry)

    history = HistoricalRecords()
    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest__isnull=True) | Q(latest__isnull=True) | Q(earliest__lt=F("latest")),
                name="waitlist_entry_window_in_order",
                violation_error_message="The earliest time must be before the latest.",
            ),
            models.CheckConstraint(
                condition=Q(until_date__isnull=True) | Q(until_date__gte=F("from_date")),
                name="waitlist_entry_dates_in_order",
                violation_error_message="The last date must be on or after the first date.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EntryStatus.values),
                name="waitlist_entry_status_known",
                violation_error_message="A waitlist entry's status must be one of the listed ones.",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__regex=r"^[0-6]*$"),
                name="waitlist_entry_weekdays_digits",
                violation_error_message="Days of the week are stored as the digits 0 (Monday) to 6.",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="waitlist_entry_open")]

    def __str__(self) -> str:
        return f"{self.client} waiting for {self.service}"

    @property
    def weekday_labels(self) -> str:
        return ", ".join(WEEKDAY_NAMES[int(d)] for d in self.weekdays) or "Any day"


class Offer(models.Model):
    """A freed time offered to the waitlist; `booking` is set by the first claim."""

    # The freed time's identity (see selectors.FreedSlot.key): one offer per freed time.
    key = models.CharField(max_length=80, unique=True)
    practitioner = models.ForeignKey("practitioners.Practitioner", on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    booking = models.OneToOneField(
        "clinic.Booking", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="waitlist_offer_end_after_start",
                violation_error_message="An offered time must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer of {self.start:%Y-%m-%d %H:%M} with {self.practitioner}"


class InviteQuerySet(models.QuerySet["Invite"]):
    def for_token(self, token: str) -> InviteQuerySet:
        return self.filter(token_hash=hash_token(token))


class Invite(models.Model):
    """One client's claim link for one offer. Only a hash of the token is stored."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="invites")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="invites")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_to = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = InviteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "entry"],
                name="waitlist_invite_once_per_entry",
                violation_error_message="This client has already been offered this time.",
            ),
        ]

    def __str__(self) -> str:
        return f"Invite for {self.entry} to {self.offer}"
