"""Practitioners: the users who treat clients."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clinic.kernel.dates import local_span, validate_clinic_date


class PractitionerQuerySet(models.QuerySet["Practitioner"]):
    def active(self) -> PractitionerQuerySet:
        return self.filter(is_active=True)

    def with_live_feed(self, token: str, *, now: datetime | None = None) -> PractitionerQuerySet:
        """The active practitioner whose feed this token opens: set, and issued within
        ICAL_FEED_VALID_DAYS (served by practitioner_ical_token_unique)."""
        issued_after = (now or timezone.now()) - timedelta(days=settings.ICAL_FEED_VALID_DAYS)
        return (
            self.active()
            .exclude(ical_token="")
            .filter(ical_token=token, ical_token_issued_at__gt=issued_after)
        )


class Practitioner(models.Model):
    """A member of staff who treats clients; one per user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner"
    )
    display_name = models.CharField(max_length=100, help_text="As clients and the calendar see it.")
    credentials = models.CharField(
        max_length=100, blank=True, help_text="For example RMT, Dipl. Acupressure."
    )
    colour = models.CharField(
        max_length=7,
        default="#4a7c59",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour such as #4a7c59.")],
        help_text="The practitioner's colour on the calendar.",
    )
    bio = models.TextField(blank=True, max_length=2000)
    is_active = models.BooleanField(default=True, help_text="Inactive practitioners take no new bookings.")
    calendar_order = models.PositiveSmallIntegerField(default=0, help_text="Column order on the calendar.")
    # The secret in the private iCalendar feed URL; empty when no feed is published.
    ical_token = models.CharField(max_length=64, blank=True, default="", editable=False)
    # When the feed secret was made; it stops working ICAL_FEED_VALID_DAYS later.
    ical_token_issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    ical_shows_client_names = models.BooleanField(
        "show clients' names in the calendar feed",
        default=False,
        help_text='Off: each session shows as "Booked" and its service. On: the client\'s first name '
        "and initial too.",
    )

    objects = PractitionerQuerySet.as_manager()

    class Meta:
        ordering = ["calendar_order", "display_name"]
        constraints = [
            # Feed look-up by token; empty tokens (no feed) are exempt.
            models.UniqueConstraint(
                fields=["ical_token"],
                condition=~Q(ical_token=""),
                name="practitioner_ical_token_unique",
                violation_error_message=(
                    "Another practitioner's calendar feed already uses this address; make a new one."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def regenerate_ical_token(self) -> str:
        """A new feed secret; the old URL stops working at once."""
        self.ical_token = secrets.token_urlsafe(32)
        self.ical_token_issued_at = timezone.now()
        self.save(update_fields=["ical_token", "ical_token_issued_at"])
        return self.ical_token

    def revoke_ical_token(self) -> None:
        self.ical_token = ""
        self.ical_token_issued_at = None
        self.save(update_fields=["ical_token", "ical_token_issued_at"])

    @property
    def ical_token_expires_at(self) -> datetime | None:
        if not self.ical_token or self.ical_token_issued_at is None:
            return None
        return self.ical_token_issued_at + timedelta(days=settings.ICAL_FEED_VALID_DAYS)

    def ical_token_expired(self, now: datetime | None = None) -> bool:
        """A feed address that was made but has run out (the feed answers 404 to it)."""
        if not self.ical_token:
            return False
        expires = self.ical_token_expires_at
        return expires is None or expires <= (now or timezone.now())

    def show_client_names_in_feed(self, show: bool) -> None:
        self.ical_shows_client_names = show
        self.save(update_fields=["ical_shows_client_names"])


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """One interval of a practitioner's weekly pattern, in the clinic's local time.

    A day may have several (09:00-13:00 and 14:00-18:00 around lunch).
    """

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["practitioner", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="working_hours_end_after_start",
                violation_error_message="The end must be after the start.",
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6),
                name="working_hours_weekday_range",
                violation_error_message="Choose a day from Monday to Sunday.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class TimeOff(models.Model):
    """Days (or part of a day) a practitioner is away.

    Whole days leave the times empty; a part day sets the start time on the first day and
    the end time on the last. Dates and times are the clinic's local ones, so a day off stays
    midnight to midnight whatever the season.
    """

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="time_off")
    start_date = models.DateField(validators=[validate_clinic_date])
    end_date = models.DateField(
        validators=[validate_clinic_date], help_text="The last day away (the same as the start for one day)."
    )
    start_time = models.TimeField(null=True, blank=True, help_text="Empty: from the start of the day.")
    end_time = models.TimeField(null=True, blank=True, help_text="Empty: to the end of the day.")
    reason = models.CharField(max_length=200, blank=True, help_text="For the team; clients never see it.")

    class Meta:
        ordering = ["start_date", "start_time"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="time_off_dates_in_order",
                violation_error_message="The last day away can't be before the first.",
            ),
        ]
        indexes = [
            # Availability loads the time off overlapping a range of days.
            models.Index(fields=["practitioner", "end_date", "start_date"], name="time_off_range_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner}: {self.start_date} to {self.end_date}"

    def span(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The aware [start, end) this time off covers."""
        return local_span(self.start_date, self.end_date, self.start_time, self.end_time, tz)
