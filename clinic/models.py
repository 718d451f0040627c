"""Rooms, services, closures, courses and bookings: what the front desk works with.

The overlap rules (a practitioner, a room and a client never hold two overlapping active
bookings) live in the database (PostgreSQL: exclusion constraints, migration 0003; SQLite:
triggers, 0003 then 0008) and in `clinic.services` inside a write transaction everywhere.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Expression, F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.kernel.dates import clinic_tz, local_span, validate_clinic_date

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from clients.screening import ScreeningResult


class Room(models.Model):
    name = models.CharField(max_length=60, unique=True)
    is_active = models.BooleanField(default=True, help_text="Inactive rooms take no new bookings.")
    calendar_order = models.PositiveSmallIntegerField(default=0, help_text="Column order on the rooms view.")

    class Meta:
        ordering = ["calendar_order", "name"]

    def __str__(self) -> str:
        return self.name


class Modality(models.TextChoices):
    TCM_ACUPRESSURE = "tcm_acupressure", "Traditional Chinese acupressure"
    JAPANESE = "japanese", "Japanese (shiatsu-style)"
    KOREAN = "korean", "Korean"
    MASSAGE = "massage", "Massage therapy"


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        return self.filter(is_active=True)


class Service(models.Model):
    name = models.CharField(max_length=100, unique=True)
    modality = models.CharField(max_length=20, choices=Modality.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(480)], help_text="Length of the session."
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(120)],
        help_text="Time after each session to turn the room over; the room stays blocked.",
    )
    price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"))
    needs_room = models.BooleanField(default=True)
    practitioners = models.ManyToManyField(
        "practitioners.Practitioner", related_name="services", blank=True, help_text="Who offers it."
    )
    is_active = models.BooleanField(default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0),
                name="service_duration_positive",
                violation_error_message="A service must last at least one minute.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)


class Closure(models.Model):
    """Whole days the clinic is shut (public holidays, a refit)."""

    start_date = models.DateField(validators=[validate_clinic_date])
    end_date = models.DateField(
        validators=[validate_clinic_date],
        help_text="The last closed day (the same as the start for one day).",
    )
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="closure_dates_in_order",
                violation_error_message="The last closed day can't be before the first.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.start_date} to {self.end_date})"

    def span(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        return local_span(self.start_date, self.end_date, None, None, tz)


class Course(models.Model):
    """A series of sessions booked in one action (acupressure works best as a series)."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="courses")
    practitioner = models.ForeignKey(
        "practitioners.Practitioner", on_delete=models.PROTECT, related_name="courses"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="courses")
    every_weeks = models.PositiveSmallIntegerField(default=1)
    sessions = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.service.name} x{self.sessions} for {self.client}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Statuses that hold the practitioner, the room and the client (the overlap rules).
ACTIVE_STATUSES = (BookingStatus.BOOKED, BookingStatus.ARRIVED, BookingStatus.COMPLETED)
# Statuses that mean the client came: only these sessions get a treatment note.
ATTENDED_STATUSES = (BookingStatus.ARRIVED, BookingStatus.COMPLETED)

# Allowed status changes: from -> the statuses it may become.
TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.BOOKED: frozenset({BookingStatus.ARRIVED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW}),
    BookingStatus.ARRIVED: frozenset({BookingStatus.COMPLETED, BookingStatus.BOOKED}),
    BookingStatus.COMPLETED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.NO_SHOW: frozenset({BookingStatus.BOOKED}),
}


class IllegalTransition(Exception):
    """A status change the workflow does not allow (cancelling a completed session...)."""


# The longest time one booking may hold anyone, from its start to the end of the room's
# turnover (`blocks_until`): a database rule (migration 0007), above the longest service
# (8 hours plus a 2-hour buffer). Every range query leans on it for its lower bound.
MAX_BOOKING_SPAN = timedelta(hours=12)
# Looked back by range queries: the limit plus a margin for SQLite, which checks it in
# floating-point days.
_LOOKBACK = MAX_BOOKING_SPAN + timedelta(minutes=1)

# A range bound: a moment, or an expression giving one (a slot of a compiled statement).
Moment = datetime | Expression


def meets(start: Moment, end: Moment, *, until: str = "end", prefix: str = "") -> Q:
    """Bookings whose [start, `until`) meets [start, end), bounded on both sides of `start`.

    `start < end AND until > start` alone leaves an index on start reading from the
    beginning of history; since no booking holds anyone for longer than MAX_BOOKING_SPAN,
    one that reaches into the range started at most that long before it. `prefix` names the
    bookings through a relation ("bookings__"). The bounds may be expressions: a compiled
    statement's slots (clinic.kernel.statements)."""
    return Q(
        **{
            f"{prefix}start__gte": start - _LOOKBACK,
            f"{prefix}start__lt": end,
            f"{prefix}{until}__gt": start,
        }
    )


class BookingQuerySet(models.QuerySet["Booking"]):
    def active(self) -> BookingQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def overlapping(self, start: Moment, end: Moment, *, until: str = "end") -> BookingQuerySet:
        """Bookings whose [start, until) meets [start, end); `until="blocks_until"` counts the
        room's turnover too. Both sides of `start` are bounded (see `meets`)."""
        return self.filter(meets(start, end, until=until))

    def not_ended(self, moment: datetime) -> BookingQuerySet:
        """Bookings still running or to come at `moment` (end >= moment): open towards the
        future, bounded below on `start` like every range (see `meets`)."""
        return self.filter(start__gte=moment - _LOOKBACK, end__gte=moment)

    def between(self, start: datetime, end: datetime) -> BookingQuerySet:
        """Bookings that touch [start, end), with what the calendar shows about each."""
        return self.overlapping(start, end).select_related("client", "practitioner", "service", "room")

    def on_day(self, day: date, tz: ZoneInfo | None = None) -> BookingQuerySet:
        start, end = local_span(day, day, None, None, tz or clinic_tz())
        return self.between(start, end)


class BookingSource(models.TextChoices):
    DESK = "desk", "At the desk"
    ONLINE = "online", "Online"
    # Another system, through the REST API with its own key (clinic.integrations).
    API = "api", "Through the API"
    # Brought in by an import of the clinic's old system (clinic.imports).
    IMPORT = "import", "Imported from another system"


class Booking(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="bookings")
    practitioner = models.ForeignKey(
        "practitioners.Practitioner", on_delete=models.PROTECT, related_name="bookings"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings", null=True, blank=True)
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="bookings", null=True, blank=True
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The room is held until the session ends plus the service's turnover buffer.
    blocks_until = models.DateTimeField()
    status = models.CharField(max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    reception_note = models.CharField(
        max_length=300, blank=True, help_text="Practical, non-clinical (parking, prefers the quiet room)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    late_cancellation = models.BooleanField(
        default=False, help_text="Cancelled within the notice period (LATE_CANCEL_HOURS)."
    )
    # The screening gate: who accepted a "needs clearance" warning, and when.
    clearance_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    clearance_acknowledged_at = models.DateTimeField(null=True, blank=True)
    # When send_reminders wrote this booking's reminder to the outbox (cleared by a move, so the
    # new time gets its own); whether it went out is the outbox message's status.
    reminder_queued_at = models.DateTimeField(null=True, blank=True)
    # Where the booking was made: at the desk by staff, online by the client (clinic.online), or
    # by another system through the API (created_by is then the integration's own user), or
    # brought in by an import of the clinic's old system (clinic.imports).
    source = models.CharField(
        max_length=6, choices=BookingSource.choices, default=BookingSource.DESK, db_default=BookingSource.DESK
    )
    # An online request reception must confirm (the client's screening needs a clearance); the
    # booking holds its time meanwhile, so the overlap rules (over statuses) are unchanged.
    awaiting_confirmation = models.BooleanField(default=False, db_default=False)

    # Set by the calendar and the booking page for their templates (not stored).
    screening: ScreeningResult | None
    # The state of the session's note ("draft", "signed" or None), set by My day for its template.
    note_status: str | None

    history = HistoricalRecords(excluded_fields=["reminder_queued_at"])
    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["start", "practitioner__calendar_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="booking_end_after_start",
                violation_error_message="The end must be after the start.",
            ),
            models.CheckConstraint(
                condition=Q(blocks_until__gte=F("end")),
                name="booking_blocks_after_end",
                violation_error_message="The room can't be free again before the session ends.",
            ),
        ]
        indexes = [
            # The calendar: bookings in a range of time.
            models.Index(fields=["start", "end"], name="booking_time_idx"),
            # Overlap checks and the week view per practitioner.
            models.Index(fields=["practitioner", "start"], name="booking_practitioner_idx"),
            # Overlap checks per room and per client; a client's bookings on their page.
            models.Index(fields=["room", "start"], name="booking_room_idx"),
            models.Index(fields=["client", "start"], name="booking_client_idx"),
            # send_reminders: booked sessions whose reminder is not queued yet, by start.
            models.Index(fields=["status", "reminder_queued_at", "start"], name="booking_reminder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client} with {self.practitioner} at {self.local_start:%Y-%m-%d %H:%M}"

    @property
    def local_start(self) -> datetime:
        return timezone.localtime(self.start, clinic_tz())

    @property
    def local_end(self) -> datetime:
        return timezone.localtime(self.end, clinic_tz())

    @property
    def local_date(self) -> date:
        return self.local_start.date()

    @property
    def local_time(self) -> time:
        return self.local_start.time()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def was_attended(self) -> bool:
        """The client came: the session can have a treatment note."""
        return self.status in ATTENDED_STATUSES

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    def _transition(self, status: str, *, now: datetime | None = None) -> None:
        if not self.can_become(status):
            raise IllegalTransition(
                f"A {self.get_status_display().lower()} booking can't be marked "
                f"{BookingStatus(status).label.lower()}."
            )
        self.status = status
        self.status_changed_at = now or timezone.now()

    def can_arrive(self, now: datetime | None = None) -> bool:
        """Booked, and its local day has come (a client may arrive early, not on another day)."""
        now = now or timezone.now()
        return self.can_become(BookingStatus.ARRIVED) and self.local_date <= timezone.localdate(
            now, clinic_tz()
        )

    def can_complete(self, now: datetime | None = None) -> bool:
        return self.can_become(BookingStatus.COMPLETED) and self.start <= (now or timezone.now())

    def can_be_no_show(self, now: datetime | None = None) -> bool:
        return self.can_become(BookingStatus.NO_SHOW) and self.start <= (now or timezone.now())

    # Template-friendly forms of the checks above, at the current time.
    arrival_due = property(can_arrive)
    completion_due = property(can_complete)
    no_show_possible = property(can_be_no_show)

    def mark_arrived(self, *, now: datetime | None = None) -> None:
        now = now or timezone.now()
        if self.status == BookingStatus.BOOKED and not self.can_arrive(now):
            raise IllegalTransition(
                f"A client can only arrive on the day of the session ({self.local_start:%a %d %b %Y})."
            )
        self._transition(BookingStatus.ARRIVED, now=now)
        self.save(update_fields=["status", "status_changed_at"])

    def mark_completed(self, *, now: datetime | None = None) -> None:
        now = now or timezone.now()
        if self.status == BookingStatus.ARRIVED and not self.can_complete(now):
            raise IllegalTransition(
                f"A session can only be completed once it has started ({self.local_start:%H:%M})."
            )
        self._transition(BookingStatus.COMPLETED, now=now)
        self.save(update_fields=["status", "status_changed_at"])

    def mark_no_show(self, *, now: datetime | None = None) -> None:
        now = now or timezone.now()
        if self.status == BookingStatus.BOOKED and not self.can_be_no_show(now):
            raise IllegalTransition("A client can only be a no-show once the session has started.")
        self._transition(BookingStatus.NO_SHOW, now=now)
        self.save(update_fields=["status", "status_changed_at"])

    def undo_status(self, *, now: datetime | None = None) -> None:
        """Back to booked (an arrival or no-show marked by mistake)."""
        self._transition(BookingStatus.BOOKED, now=now)
        self.save(update_fields=["status", "status_changed_at"])

    def is_late_cancellation(self, now: datetime) -> bool:
        return self.start - now < timedelta(hours=settings.LATE_CANCEL_HOURS)

    def cancel(
        self, *, by: User | None, reason: str, now: datetime | None = None, by_clinic: bool = False
    ) -> None:
        """Cancel; the client's cancelling within LATE_CANCEL_HOURS of the start counts as late.
        The clinic's own (a closure, a practitioner off sick) never does."""
        now = now or timezone.now()
        self._transition(BookingStatus.CANCELLED, now=now)
        self.cancelled_by = by
        self.cancelled_at = now
        self.cancel_reason = reason
        self.late_cancellation = not by_clinic and self.is_late_cancellation(now)
        self.save(
            update_fields=[
                "status",
                "status_changed_at",
                "cancelled_by",
                "cancelled_at",
                "cancel_reason",
                "late_cancellation",
            ]
        )
