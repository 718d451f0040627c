"""The manager's overview: the week's figures, today's load and what needs attention.

Every figure is an aggregate query, so the page costs the same whatever the clinic's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

from clients.models import Intake
from clients.screening import ScreeningStatus, screenings_for
from clinic.models import Booking, BookingStatus
from practitioners.models import Practitioner

ACTIVE = (BookingStatus.BOOKED, BookingStatus.ARRIVED, BookingStatus.COMPLETED)


@dataclass(frozen=True)
class WeekFigures:
    start: date
    end: date
    booked: int
    completed: int
    cancelled: int
    late_cancelled: int
    no_shows: int

    @property
    def no_show_rate(self) -> int | None:
        """No-shows as a percentage of the week's appointments that were due to happen."""
        due = self.completed + self.no_shows
        return round(100 * self.no_shows / due) if due else None


def _local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def overview_context(now: datetime) -> dict[str, Any]:
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now, tz).date()
    week_start = today - timedelta(days=today.weekday())
    week_from, _ = _local_day_bounds(week_start, tz)
    _, week_to = _local_day_bounds(week_start + timedelta(days=6), tz)
    day_from, day_to = _local_day_bounds(today, tz)

    # Query: the week's bookings counted by outcome, in one aggregate.
    week = Booking.objects.filter(start__gte=week_from, start__lt=week_to).aggregate(
        booked=Count("pk", filter=Q(status__in=ACTIVE)),
        completed=Count("pk", filter=Q(status=BookingStatus.COMPLETED)),
        cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        late_cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED, late_cancellation=True)),
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )
    figures = WeekFigures(start=week_start, end=week_start + timedelta(days=6), **week)

    # Query: each active practitioner with today's and this week's active bookings.
    team = list(
        Practitioner.objects.active().annotate(
            today_count=Count(
                "bookings",
                filter=Q(
                    bookings__status__in=ACTIVE, bookings__start__gte=day_from, bookings__start__lt=day_to
                ),
            ),
            week_count=Count(
                "bookings",
                filter=Q(
                    bookings__status__in=ACTIVE, bookings__start__gte=week_from, bookings__start__lt=week_to
                ),
            ),
        )
    )

    # Query: the next seven days' upcoming bookings; then the screenings of their clients in
    # a fixed number of queries, to list the ones that must not go ahead as they stand.
    upcoming = list(
        Booking.objects.filter(status=BookingStatus.BOOKED, start__gte=now, start__lt=now + timedelta(days=7))
        .select_related("client", "practitioner", "service")
        .order_by("start")
    )
    screenings = screenings_for([b.client_id for b in upcoming], on=today)
    attention = []
    for booking in upcoming:
        screening = screenings.get(booking.client_id)
        if screening is None:
            continue
        blocked = screening.status == ScreeningStatus.DO_NOT_TREAT
        unacknowledged = (
            screening.status == ScreeningStatus.NEEDS_CLEARANCE and booking.clearance_acknowledged_at is None
        )
        if blocked or unacknowledged or not screening.has_intake:
            attention.append({"booking": booking, "screening": screening})

    # Query: intakes sent in by clients that a practitioner has not reviewed yet.
    to_review = Intake.objects.awaiting_review().count()

    # Query: notes still in draft for sessions that are over. The notes live in the
    # treatments app, which builds on this one; looked up by name to keep imports one-way.
    note_model = apps.get_model("treatments", "TreatmentNote")
    drafts = note_model.objects.filter(status="draft").count()

    return {
        "week": figures,
        "team": team,
        "attention": attention,
        "upcoming_count": len(upcoming),
        "intakes_to_review": to_review,
        "draft_notes": drafts,
    }
