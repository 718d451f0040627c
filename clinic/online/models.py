"""Online booking's own records: the manager's settings, the emailed codes and manage links.

Codes and link tokens are kept only as their SHA-256 (clients.models.hash_token), like the
intake links: a copy of the database proves no email address and opens no booking.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone

from clients.models import hash_token
from clinic.models import Booking, Service
from practitioners.models import Practitioner


class OnlineSettings(models.Model):
    """What clients may book online (one row: `OnlineSettings.current()`)."""

    enabled = models.BooleanField(default=False, help_text="Clients can book on the public booking pages.")
    services = models.ManyToManyField(Service, blank=True, help_text="Bookable online.")
    practitioners = models.ManyToManyField(Practitioner, blank=True, help_text="Bookable online.")
    minimum_notice_hours = models.PositiveSmallIntegerField(default=12)
    days_ahead = models.PositiveSmallIntegerField(default=60)
    new_clients_allowed = models.BooleanField(default=True)
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text="The manage link cancels or moves a booking only until this many hours before it.",
    )

    class Meta:
        verbose_name = "online booking settings"
        verbose_name_plural = "online booking settings"

    def __str__(self) -> str:
        return "Online booking settings"

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
