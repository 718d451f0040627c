"""Online booking's own records: the manager's settings, the emailed codes and manage links.

Codes and link tokens are kept only as their SHA-256 (clients.models.hash_token), like the
intake links: a copy of the database proves no email address and opens no booking.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from clients.models import hash_token
from clinic.models import Booking, Service
from practitioners.models import Practitioner

# The longest notice and window a manager may set: past these a typo (7200 for 720) would
# silently close online booking or open years of diary.
MAX_NOTICE_HOURS = 24 * 30
MAX_DAYS_AHEAD = 365
NOTICE_LIMIT = [MaxValueValidator(MAX_NOTICE_HOURS, "At most %(limit_value)s hours (30 days).")]


class OnlineSettings(models.Model):
    """What clients may book online (one row: `OnlineSettings.current()`). Changed through
    `clinic.online.services.save_settings` (the manager's page and the back office)."""

    enabled = models.BooleanField(
        "online booking open", default=False, help_text="Clients can book on the public booking pages."
    )
    services = models.ManyToManyField(Service, blank=True, help_text="Bookable online.")
    practitioners = models.ManyToManyField(Practitioner, blank=True, help_text="Bookable online.")
    minimum_notice_hours = models.PositiveSmallIntegerField(
        default=12,
        validators=NOTICE_LIMIT,
        help_text="How long before a time it can still be booked online.",
    )
    days_ahead = models.PositiveSmallIntegerField(
        "days ahead",
        default=60,
        validators=[
            MinValueValidator(1, "At least one day."),
            MaxValueValidator(MAX_DAYS_AHEAD, "At most %(limit_value)s days (a year)."),
        ],
        help_text="How far ahead clients can book.",
    )
    new_clients_allowed = models.BooleanField(
        default=True, help_text="Off: only clients the clinic already knows can book online."
    )
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=NOTICE_LIMIT,
        help_text="The manage link moves a booking only until this many hours before it.",
    )
    waitlist_online = models.BooleanField(
        "clients may join the waitlist online",
        default=False,
        help_text="Clients can ask online to be told when a time comes free.",
    )

    class Meta:
        verbose_name = "online booking settings"
        verbose_name_plural = "online booking settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days_ahead__gte=1, days_ahead__lte=MAX_DAYS_AHEAD),
                name="online_days_ahead_in_range",
                violation_error_message="Clients book from one day to a year ahead.",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    minimum_notice_hours__lte=MAX_NOTICE_HOURS,
                    cancellation_notice_hours__lte=MAX_NOTICE_HOURS,
                ),
                name="online_notice_in_range",
                violation_error_message="A notice is at most 30 days.",
            ),
        ]

    def __str__(self) -> str:
        return "Online booking settings"

    def clean(self) -> None:
        if (
            self.minimum_notice_hours is not None
            and self.days_ahead is not None
            and self.minimum_notice_hours >= self.days_ahead * 24
        ):
            raise ValidationError(
                {
                    "minimum_notice_hours": "The minimum notice must be shorter than how far ahead "
                    "clients can book, or no time is ever open."
                }
            )

    @classmethod
    def current(cls) -> OnlineSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class EmailCode(models.Model):
    """A one-time 6-digit code emailed to prove an address, for the booking it would make."""

    email = models.EmailField(max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Code for {self.email}"

    def matches(self, code: str) -> bool:
        return hash_token(code.strip()) == self.code_hash

    def is_open(self, now: datetime | None = None) -> bool:
        return self.used_at is None and (now or timezone.now()) < self.expires_at


class ManageLink(models.Model):
    """The private link in an online booking's confirmation: view, move or cancel."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="manage_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Manage link for booking {self.booking_id}"

    @classmethod
    def for_token(cls, token: str) -> ManageLink | None:
        if not token or len(token) > 100:
            return None
        return cls.objects.filter(token_hash=hash_token(token)).select_related("booking").first()
