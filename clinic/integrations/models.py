"""What other systems are let do: API keys with scopes, and webhook endpoints with their
deliveries.

An API key is shown once, when it is made; the table keeps its SHA-256 digest (a key is 32
random bytes, so a plain digest is enough: nothing to guess) and its first characters, for
telling keys apart on the page. Each key acts through a user of its own, with no role and no
password, so a booking made through the API names the integration in its history and the
access log names it for every call.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Scope(models.TextChoices):
    AVAILABILITY = "availability", "Read services, practitioners, rooms and free times"
    BOOKINGS = "bookings", "Read and manage bookings"
    CLIENTS = "clients", "Read clients' contact details"
    ADD_CLIENTS = "add_clients", "Add clients (contact details only)"


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def live(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    name = models.CharField(max_length=80, help_text="Which system uses it (the website, the accounts).")
    # The key's first characters, shown on the page; the key itself is never stored.
    prefix = models.CharField(max_length=12)
    # SHA-256 of the whole key: the lookup of every API call.
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    # The integration's own user: no role, no password, never signed in. Bookings and the access
    # log name it.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["revoked_at", "name", "id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in self.scopes if s in Scope.values]


class WebhookEvent(models.TextChoices):
    CREATED = "booking.created", "Booking created"
    MOVED = "booking.moved", "Booking moved"
    CANCELLED = "booking.cancelled", "Booking cancelled"
    ARRIVED = "booking.arrived", "Client arrived"
    NO_SHOW = "booking.no_show", "Client did not come"


class EndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def live(self) -> EndpointQuerySet:
        return self.filter(disabled_at__isnull=True)


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=80)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    # Signs every delivery (HMAC-SHA256); kept as is, since signing needs it. Shown once.
    secret = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["disabled_at", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    def event_labels(self) -> list[str]:
        return [WebhookEvent(e).label for e in self.events if e in WebhookEvent.values]


class Event(models.Model):
    """One booking event, as sent: its body is fixed when it happens, inside the booking's
    own transaction, so a rolled-back change sends nothing and a committed one is never lost."""

    # "booking:12:moved:345": one event, one row, however often the caller runs.
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=WebhookEvent.choices)
    # A plain id: the event outlives nothing it names, and it carries its own body.
    booking_id = models.PositiveBigIntegerField()
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.key


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed, will retry"
    GIVEN_UP = "given_up", "Given up"


CLAIMABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SENDING)


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def claimable(self, now: datetime) -> DeliveryQuerySet:
        """Due and free: pending, failed and due again, or "sending" by a worker whose lease ran out."""
        lease_free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        return self.filter(lease_free, status__in=CLAIMABLE, next_attempt_at__lte=now)


class Delivery(models.Model):
    """One event to one endpoint: the unique pair is what makes it sent once."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The receiver's last answer (an HTTP status), or the error when there was none.
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"],
                name="delivery_once_per_endpoint",
                violation_error_message="This event is already on its way to this address.",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="delivery_delivered_has_time",
                violation_error_message="A delivered event needs the time it was delivered.",
            ),
        ]
        indexes = [
            # The sweep and the claim: open deliveries by due time.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            # The webhooks page: each endpoint's newest delivery.
            models.Index(fields=["endpoint", "-id"], name="delivery_endpoint_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} to {self.endpoint_id} ({self.get_status_display().lower()})"
