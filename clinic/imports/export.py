"""The manager's CSV exports of clients and bookings: contact details and appointments, never
clinical content. Each is one query, read in chunks and streamed, whatever the clinic's size."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from clients.forms import ClientForm
from clients.models import Client
from clinic.kernel.dates import clinic_tz
from clinic.kernel.periods import Period
from clinic.kernel.spreadsheets import csv_cell
from clinic.models import Booking

CHUNK = 2000

# The client's contact details as reception keeps them (the client form's fields), with the
# record's id, state and dates. Nothing from the health intake, clearances or notes.
CLIENT_COLUMNS: tuple[str, ...] = (
    "id",
    *ClientForm.Meta.fields,
    "consent_to_treatment_at",
    "is_archived",
    "created_at",
)

# (header, value path) of each booking column.
BOOKING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "pk"),
    ("start", "start"),
    ("end", "end"),
    ("status", "status"),
    ("practitioner", "practitioner__display_name"),
    ("service", "service__name"),
    ("room", "room__name"),
    ("client_id", "client_id"),
    ("client_first_name", "client__first_name"),
    ("client_last_name", "client__last_name"),
    ("source", "source"),
    ("created_at", "created_at"),
)


class _Echo:
    """What csv.writer writes to: each line handed straight back for streaming."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value, clinic_tz()).isoformat(timespec="minutes")
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    elif value is None:
        value = ""
    return csv_cell(value if isinstance(value, str) else str(value))


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(list(header))
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def client_rows() -> QuerySet[Client, tuple[Any, ...]]:
    return Client.objects.order_by("pk").values_list(*CLIENT_COLUMNS)


def booking_rows(period: Period) -> QuerySet[Booking, tuple[Any, ...]]:
    """The bookings that start in the period (local days, both ends bounded)."""
    start, end = period.span()
    return (
        Booking.objects.filter(start__gte=start, start__lt=end)
        .order_by("start", "pk")
        .values_list(*(path for _, path in BOOKING_COLUMNS))
    )


def clients_csv() -> Iterator[str]:
    return csv_lines(CLIENT_COLUMNS, client_rows().iterator(chunk_size=CHUNK))


def bookings_csv(period: Period) -> Iterator[str]:
    return csv_lines((h for h, _ in BOOKING_COLUMNS), booking_rows(period).iterator(chunk_size=CHUNK))
