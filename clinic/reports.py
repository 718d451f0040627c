"""The manager's reports: figures over a chosen period, each as a table, a chart and a CSV.

Composition, like the overview: the reports read bookings, practitioners' schedules, clients'
histories, courses and treatment plans, so the module sits above every app (see
clinic/tests/test_import_layers.py).

Every report costs a fixed number of queries whatever the period or the clinic's size: figures
are aggregates in the database, and the only per-day work (a practitioner's available hours)
is arithmetic on a few rows read once. A period runs from the first local day to the last one,
inclusive: `start >= from and start < the midnight after the last day`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, Sum

from clients.models import Client
from clinic.kernel.charts import BarChart, bar_chart
from clinic.kernel.dates import clinic_tz, local_datetime
from clinic.kernel.periods import Period
from clinic.kernel.spreadsheets import Cell, csv_cell
from clinic.models import ACTIVE_STATUSES, ATTENDED_STATUSES, Booking, BookingStatus, Closure, Course, Room
from practitioners.models import Practitioner, TimeOff
from treatments.models import PlanStatus, TreatmentPlan


@dataclass
class Report:
    slug: str
    title: str
    summary: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: BarChart
    chart_title: str
    empty_message: str
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _hours(delta: timedelta | None) -> Decimal:
    seconds = Decimal((delta or timedelta()).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _chart_value(value: Cell) -> float | None:
    return None if value is None else float(value)


_DURATION = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())


# -- Available hours -------------------------------------------------------------------------------

Interval = tuple[datetime, datetime]


def _length_outside(start: datetime, end: datetime, blocked: Iterable[Interval]) -> timedelta:
    """The time in [start, end) not covered by any blocked interval (which may overlap)."""
    cuts = sorted((max(s, start), min(e, end)) for s, e in blocked if s < end and e > start)
    covered = timedelta()
    reach = start
    for s, e in cuts:
        if e <= reach:
            continue
        covered += e - max(s, reach)
        reach = e
    return (end - start) - covered


def _union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _days(period: Period) -> Iterable[date]:
    return (period.first + timedelta(days=i) for i in range(period.days))


def utilisation(period: Period) -> Report:
    """Booked hours against available hours, for each practitioner and each room.

    A practitioner's available hours are their weekly working hours on each day of the period,
    less their time off and the clinic's closures. A room has no hours of its own: it is
    available while the clinic is open, that is while any practitioner works, closures aside.
    Booked hours are the lengths of bookings that hold the time (booked, arrived or completed;
    not cancelled, not no-shows) starting in the period. Queries: 7.
    """
    tz = clinic_tz()
    start, end = period.span()
    in_period = Q(start__gte=start, start__lt=end, status__in=ACTIVE_STATUSES)

    # Query: practitioners who were bookable, or who had sessions in the period (+1: their hours).
    booked_by = {
        row["practitioner_id"]: row["booked"]
        for row in Booking.objects.filter(in_period)
        .values("practitioner_id")
        .annotate(booked=Sum(_DURATION))
        .order_by()
    }
    practitioners = [
        p for p in Practitioner.objects.prefetch_related("working_hours") if p.is_active or p.pk in booked_by
    ]
    away: dict[int, list[Interval]] = defaultdict(list)
    for item in TimeOff.objects.filter(start_date__lte=period.last, end_date__gte=period.first):
        away[item.practitioner_id].append(item.span(tz))
    closures = [
        c.span(tz) for c in Closure.objects.filter(start_date__lte=period.last, end_date__gte=period.first)
    ]

    available: dict[int, timedelta] = defaultdict(timedelta)
    open_hours: list[Interval] = []
    for day in _days(period):
        worked: list[Interval] = []
        for p in practitioners:
            for hours in p.working_hours.all():
                if hours.weekday != day.weekday():
                    continue
                # In UTC, so a day whose clocks change counts its real length.
                s = local_datetime(day, hours.start, tz).astimezone(UTC)
                e = local_datetime(day, hours.end, tz).astimezone(UTC)
                worked.append((s, e))
                available[p.pk] += _length_outside(s, e, [*away[p.pk], *closures])
        open_hours.extend(_union(worked))
    room_available = sum((_length_outside(s, e, closures) for s, e in open_hours), timedelta())

    # Query: rooms; query: booked time per room.
    booked_in = {
        row["room_id"]: row["booked"]
        for row in Booking.objects.filter(in_period, room__isnull=False)
        .values("room_id")
        .annotate(booked=Sum(_DURATION))
        .order_by()
    }
    rooms = [r for r in Room.objects.order_by("calendar_order", "name") if r.is_active or r.pk in booked_in]

    rows: list[list[Cell]] = []
    for p in practitioners:
        have, used = _hours(available[p.pk]), _hours(booked_by.get(p.pk))
        rows.append([p.display_name, "Practitioner", have, used, _percent(used, have)])
    for r in rooms:
        have, used = _hours(room_available), _hours(booked_in.get(r.pk))
        rows.append([r.name, "Room", have, used, _percent(used, have)])
    chart = bar_chart(
        [(f"{row[0]} ({str(row[1]).lower()})", _chart_value(row[4])) for row in rows], unit="%", scale_max=100
    )
    return Report(
        slug="utilisation",
        title="Utilisation",
        summary="Booked hours against available hours, by practitioner and by room.",
        columns=["Name", "Kind", "Available hours", "Booked hours", "Utilisation (%)"],
        rows=rows,
        chart=chart,
        chart_title="Utilisation by practitioner and room, in per cent",
        empty_message="No practitioners or rooms to report on.",
        notes=[
            "Available: working hours less time off and closures. A room is available while any "
            "practitioner works, closures aside.",
            "Booked: booked, arrived and completed sessions starting in the period (not cancelled, "
            "not no-shows).",
        ],
    )


# -- No-shows and late cancellations ---------------------------------------------------------------


def attendance(period: Period) -> Report:
    """Bookings starting in the period by outcome, per practitioner and for the clinic.

    No-show rate: no-shows out of the sessions that were due (attended or no-show). Late-cancel
    rate: cancellations within LATE_CANCEL_HOURS of the start (the booking's `late_cancellation`
    flag, set when it was cancelled) out of all bookings. Queries: 1.
    """
    start, end = period.span()
    # Query: counts by outcome, per practitioner.
    per = list(
        Booking.objects.filter(start__gte=start, start__lt=end)
        .values("practitioner_id", "practitioner__display_name")
        .annotate(
            total=Count("pk"),
            attended=Count("pk", filter=Q(status__in=ATTENDED_STATUSES)),
            no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
            cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
            late=Count("pk", filter=Q(status=BookingStatus.CANCELLED, late_cancellation=True)),
            upcoming=Count("pk", filter=Q(status=BookingStatus.BOOKED)),
        )
        .order_by("practitioner__display_name", "practitioner_id")
    )
    keys = ("total", "attended", "no_shows", "cancelled", "late", "upcoming")
    totals = {k: sum(row[k] for row in per) for k in keys}

    def line(name: str, c: dict[str, Any]) -> list[Cell]:
        return [
            name,
            *(c[k] for k in keys),
            _percent(c["no_shows"], c["attended"] + c["no_shows"]),
            _percent(c["late"], c["total"]),
        ]

    rows = [line(row["practitioner__display_name"], row) for row in per]
    if rows:
        rows.append(line("All practitioners", totals))
    chart = bar_chart(
        [
            ("Attended", totals["attended"]),
            ("No-shows", totals["no_shows"]),
            ("Late cancellations", totals["late"]),
            ("Other cancellations", totals["cancelled"] - totals["late"]),
            ("Still booked", totals["upcoming"]),
        ]
        if rows
        else []
    )
    return Report(
        slug="attendance",
        title="No-shows and late cancellations",
        summary="How the period's bookings turned out, with the no-show and late-cancel rates.",
        columns=[
            "Practitioner",
            "Bookings",
            "Attended",
            "No-shows",
            "Cancelled",
            "Late cancellations",
            "Still booked",
            "No-show rate (%)",
            "Late-cancel rate (%)",
        ],
        rows=rows,
        chart=chart,
        chart_title="The period's bookings by outcome",
        empty_message="No bookings in this period.",
        notes=[
            "No-show rate: no-shows out of sessions that were due (attended or no-show).",
            "Late-cancel rate: cancellations within the notice window (LATE_CANCEL_HOURS before the "
            "start) out of all bookings.",
        ],
    )


# -- New and returning clients ---------------------------------------------------------------------


def clients(period: Period) -> Report:
    """Clients who attended in the period: new (their first ever attended session is in the
    period) or returning (they had attended before). Queries: 1."""
    start, end = period.span()
    attended = Booking.objects.filter(status__in=ATTENDED_STATUSES)
    # Query: the period's attending clients (found from the period's bookings), split by whether
    # they had come before (one index probe per client: booking_client_idx).
    counts = (
        Client.objects.filter(pk__in=attended.filter(start__gte=start, start__lt=end).values("client_id"))
        .annotate(came_before=Exists(attended.filter(client=OuterRef("pk"), start__lt=start)))
        .aggregate(
            new=Count("pk", filter=Q(came_before=False)),
            returning=Count("pk", filter=Q(came_before=True)),
        )
    )
    total = counts["new"] + counts["returning"]
    rows: list[list[Cell]] = []
    if total:
        rows = [
            ["New", counts["new"], _percent(counts["new"], total)],
            ["Returning", counts["returning"], _percent(counts["returning"], total)],
            ["All clients seen", total, Decimal("100.0")],
        ]
    return Report(
        slug="clients",
        title="New and returning clients",
        summary="Clients who attended a session in the period, by whether it was their first visit.",
        columns=["Clients", "Count", "Share (%)"],
        rows=rows,
        chart=bar_chart([("New", counts["new"]), ("Returning", counts["returning"])] if total else []),
        chart_title="New and returning clients",
        empty_message="No client attended a session in this period.",
        notes=["New: the client's first ever attended session falls in the period."],
    )


# -- Courses and treatment plans completed ---------------------------------------------------------


def completed(period: Period) -> Report:
    """Courses and treatment plans completed in the period. Queries: 2.

    A course (sessions booked in one go) has no status of its own: it counts as completed in
    the period when none of its sessions is still to come (booked or arrived) and its last
    completed session falls in the period. A treatment plan counts when it is finished and its
    history records it becoming finished, the first time, in the period.
    """
    start, end = period.span()
    sessions = Booking.objects.filter(course=OuterRef("pk"))
    done = sessions.filter(status=BookingStatus.COMPLETED)
    in_period = Booking.objects.filter(start__gte=start, start__lt=end, status=BookingStatus.COMPLETED)
    # Query: completed courses by service, among the courses with a session in the period.
    courses = list(
        Course.objects.filter(
            Q(pk__in=in_period.filter(course__isnull=False).values("course_id")),
            ~Exists(done.filter(start__gte=end)),
            ~Exists(sessions.filter(status__in=(BookingStatus.BOOKED, BookingStatus.ARRIVED))),
        )
        .values("service__name")
        .annotate(n=Count("pk"))
        .order_by("service__name")
    )
    # Query: finished plans by practitioner; when a plan became finished is in its history.
    history = TreatmentPlan.history.model
    finished = history.objects.filter(status=PlanStatus.FINISHED)
    finished_in_period = (
        finished.filter(
            history_date__lt=end,
            id__in=finished.filter(history_date__gte=start, history_date__lt=end).values("id"),
        )
        .values("id")
        .annotate(first=Min("history_date"))
        .filter(first__gte=start)
        .values("id")
    )
    plans = list(
        TreatmentPlan.objects.filter(status=PlanStatus.FINISHED, pk__in=finished_in_period)
        .values("practitioner__display_name")
        .annotate(n=Count("pk"))
        .order_by("practitioner__display_name")
    )
    rows: list[list[Cell]] = [[row["service__name"], "Course", row["n"]] for row in courses]
    rows += [
        [row["practitioner__display_name"] or "No practitioner", "Treatment plan", row["n"]] for row in plans
    ]
    course_total, plan_total = sum(r["n"] for r in courses), sum(r["n"] for r in plans)
    return Report(
        slug="completed",
        title="Courses and plans completed",
        summary="Courses (by service) and treatment plans (by practitioner) completed in the period.",
        columns=["Service or practitioner", "Kind", "Completed"],
        rows=rows,
        chart=bar_chart([("Courses", course_total), ("Treatment plans", plan_total)] if rows else []),
        chart_title="Courses and treatment plans completed",
        empty_message="No course or treatment plan was completed in this period.",
        notes=[
            "A course is completed when none of its sessions is still to come and its last "
            "completed session falls in the period.",
            "A treatment plan is completed when it was marked finished in the period.",
        ],
    )


# -- Sessions by service ---------------------------------------------------------------------------


def sessions(period: Period) -> Report:
    """Sessions starting in the period, per service. Queries: 1."""
    start, end = period.span()
    held = Q(status__in=ACTIVE_STATUSES)
    # Query: counts and hours per service.
    per = list(
        Booking.objects.filter(start__gte=start, start__lt=end)
        .values("service__name")
        .annotate(
            sessions=Count("pk", filter=held),
            attended=Count("pk", filter=Q(status__in=ATTENDED_STATUSES)),
            upcoming=Count("pk", filter=Q(status=BookingStatus.BOOKED)),
            no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
            booked=Sum(_DURATION, filter=held),
        )
        .filter(Q(sessions__gt=0) | Q(no_shows__gt=0))
        .order_by("-sessions", "service__name")
    )
    rows: list[list[Cell]] = [
        [r["service__name"], r["sessions"], r["attended"], r["upcoming"], r["no_shows"], _hours(r["booked"])]
        for r in per
    ]
    return Report(
        slug="sessions",
        title="Sessions by service",
        summary="Sessions in the period for each service, with the hours they took.",
        columns=["Service", "Sessions", "Attended", "Still booked", "No-shows", "Hours"],
        rows=rows,
        chart=bar_chart([(str(row[0]), _chart_value(row[1])) for row in rows]),
        chart_title="Sessions by service",
        empty_message="No sessions in this period.",
        notes=["Sessions: booked, arrived and completed (cancellations and no-shows aside)."],
    )


REPORTS: dict[str, tuple[str, Callable[[Period], Report]]] = {
    "utilisation": ("Utilisation", utilisation),
    "attendance": ("No-shows and late cancellations", attendance),
    "clients": ("New and returning clients", clients),
    "completed": ("Courses and plans completed", completed),
    "sessions": ("Sessions by service", sessions),
}


# -- CSV -------------------------------------------------------------------------------------------


def csv_rows(report: Report) -> Sequence[list[str]]:
    return [[csv_cell(c) for c in report.columns], *([csv_cell(c) for c in row] for row in report.rows)]
