"""Which client records are past the clinic's retention period (read-only: nothing is deleted).

A record is kept RETENTION_YEARS after the client's last visit: the latest of their last
completed booking, last signed treatment note and last intake. For a client who was a minor at
that visit, the years run from their birthday at RETENTION_ADULT_AGE when that is later. A
client with no visit at all counts from the day the record was created.

One query, whatever the number of clients: each client's last visit is the greatest of three
per-client subqueries (Max of each), and both halves of the rule are date comparisons the
database makes, so only the clients past their date come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import DateField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from clients.models import Client, Intake
from clinic.kernel.dates import clinic_tz
from clinic.models import Booking, BookingStatus
from treatments.models import NoteStatus, TreatmentNote

# Stands for "no visit of this kind" inside the database (Greatest is NULL on SQLite as soon as
# one argument is NULL); earlier than any date the clinic records.
NO_VISIT = date(1, 1, 1)


def add_years(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February falls on 1 March in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28) + timedelta(days=1)


def retain_until(last_visit: date, date_of_birth: date) -> date:
    """The last day the record is kept."""
    adult_on = add_years(date_of_birth, settings.RETENTION_ADULT_AGE)
    return add_years(max(last_visit, adult_on), settings.RETENTION_YEARS)


def _latest(rows: QuerySet, day: object) -> Coalesce:
    """Per client (the outer row): the latest `day` among `rows`, or NO_VISIT."""
    latest = (
        rows.filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(latest=Max(day, output_field=DateField()))
        .values("latest")[:1]
    )
    return Coalesce(Subquery(latest, output_field=DateField()), Value(NO_VISIT), output_field=DateField())


def with_last_visit(clients: QuerySet[Client]) -> QuerySet[Client]:
    """The clients, each annotated with `last_visit` (NO_VISIT when they never came)."""
    return clients.annotate(
        last_visit=Greatest(
            _latest(
                Booking.objects.filter(status=BookingStatus.COMPLETED), TruncDate("start", tzinfo=clinic_tz())
            ),
            _latest(TreatmentNote.objects.filter(status=NoteStatus.SIGNED), "service_date"),
            _latest(Intake.objects.all(), "taken_on"),
            output_field=DateField(),
        )
    )


@dataclass(frozen=True)
class RetentionRow:
    client_id: int
    name: str
    last_visit: date | None  # None: never came; the record's creation date counts
    retain_until: date
    archived: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "client_id": self.client_id,
            "name": self.name,
            "last_visit": self.last_visit.isoformat() if self.last_visit else None,
            "retain_until": self.retain_until.isoformat(),
            "archived": self.archived,
        }


def past_retention(today: date | None = None) -> list[RetentionRow]:
    """The clients whose records are past the retention period on `today`, oldest date first."""
    today = today or timezone.localdate()
    years, adult = settings.RETENTION_YEARS, settings.RETENTION_ADULT_AGE
    # Past means max(last visit, adult birthday) + years < today: both dates must lie before
    # these cut-offs. The database narrows on them; the exact rule is checked below.
    visit_cutoff = add_years(today, -years)
    birth_cutoff = add_years(today, -(years + adult))
    created_cutoff = datetime.combine(visit_cutoff + timedelta(days=1), time.min, tzinfo=clinic_tz())
    candidates = (
        with_last_visit(Client.objects.all())
        .filter(date_of_birth__lte=birth_cutoff)
        .filter(
            Q(last_visit__gt=NO_VISIT, last_visit__lte=visit_cutoff)
            | Q(last_visit=NO_VISIT, created_at__lt=created_cutoff)
        )
        .only("id", "first_name", "last_name", "date_of_birth", "created_at", "is_archived")
        .order_by("id")
    )
    rows = []
    for client in candidates.iterator(chunk_size=2000):
        last: date = getattr(client, "last_visit")  # noqa: B009 (an annotation mypy cannot see)
        visited = last if last != NO_VISIT else None
        since = visited or timezone.localtime(client.created_at, clinic_tz()).date()
        until = retain_until(since, client.date_of_birth)
        if until < today:
            rows.append(RetentionRow(client.pk, client.full_name, visited, until, client.is_archived))
    return sorted(rows, key=lambda row: (row.retain_until, row.client_id))
