"""The manager's overview: the week's figures, today's load and what needs attention.

A home page, so it composes the apps (bookings, clients, notes) from above them all.

Every figure is an aggregate query, so the page costs the same whatever the clinic's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, FilteredRelation, Q

from clients.models import Intake
from clients.screening import ScreeningResult, ScreeningStatus, screenings_for
from clinic.kernel.dates import clinic_tz, local_span
from clinic.models import ACTIVE_STATUSES, Booking, BookingStatus
from practitioners.models import Practitioner
from treatments.models import NoteStatus, TreatmentNote


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


def overview_context(now: datetime) -> dict[str, Any]:
    tz = clinic_tz()
    today = now.astimezone(tz).date()
    week_start = today - timedelta(days=today.weekday())
    week_from, week_to = local_span(week_start, week_start + timedelta(days=6), None, None, tz)
    day_from, day_to = local_span(today, today, None, None, tz)

    # Query: the week's bookings counted by outcome, in one aggregate.
    week = Booking.objects.filter(start__gte=week_from, start__lt=week_to).aggregate(
        booked=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        completed=Count("pk", filter=Q(status=BookingStatus.COMPLETED)),
        cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        late_cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED, late_cancellation=True)),
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )
    figures = WeekFigures(start=week_start, end=week_start + timedelta(days=6), **week)

    # Query: each active practitioner with today's and this week's active bookings. The week's
    # bounds go into the join's condition, so only the week's rows are read (through the
    # index on practitioner and start), not every booking with the filter inside the count.
    week_bookings = FilteredRelation(
        "bookings",
        condition=Q(
            bookings__status__in=ACTIVE_STATUSES,
            bookings__start__gte=week_from,
            bookings__start__lt=week_to,
        ),
    )
    team = list(
        Practitioner.objects.active()
        .annotate(week_bookings=week_bookings)
        .annotate(
            today_count=Count(
                "week_bookings",
                filter=Q(week_bookings__start__gte=day_from, week_bookings__start__lt=day_to),
            ),
            week_count=Count("week_bookings"),
        )
    )

    # Query: the next seven days' upcoming bookings, only what the screening decision needs;
    # then the screenings of their clients in a fixed number of queries; then (one query) the
    # full rows of just the bookings that must not go ahead as they stand.
    upcoming = list(
        Booking.objects.filter(status=BookingStatus.BOOKED, start__gte=now, start__lt=now + timedelta(days=7))
        .order_by("start")
        .values_list("pk", "client_id", "clearance_acknowledged_at")
    )
    screenings = screenings_for([client_id for _pk, client_id, _ack in upcoming], on=today)
    flagged: dict[int, ScreeningResult] = {}
    for pk, client_id, acknowledged_at in upcoming:
        screening = screenings.get(client_id)
        if screening is None:
            continue
        blocked = screening.status == ScreeningStatus.DO_NOT_TREAT
        unacknowledged = screening.status == ScreeningStatus.NEEDS_CLEARANCE and acknowledged_at is None
        if blocked or unacknowledged or not screening.has_intake:
            flagged[pk] = screening
    attention = [
        {"booking": booking, "screening": flagged[booking.pk]}
        for booking in Booking.objects.filter(pk__in=flagged)
        .select_related("client", "practitioner", "service")
        .order_by("start")
    ]

    # Query: intakes sent in by clients that a practitioner has not reviewed yet.
    to_review = Intake.objects.awaiting_review().count()

    # Query: notes still in draft. The overview is a home page: it composes every app, so it
    # sits above treatments in the layers (see clinic/tests/test_import_layers.py).
    drafts = TreatmentNote.objects.filter(status=NoteStatus.DRAFT).count()

    return {
        "week": figures,
        "team": team,
        "attention": attention,
        "upcoming_count": len(upcoming),
        "intakes_to_review": to_review,
        "draft_notes": drafts,
    }
