"""The busy queries read the bookings of their window, not the clinic's whole history.

On PostgreSQL, with a year of bookings and fresh statistics, the SQL that the real day
calendar, availability, booking service and overview run is explained, and no node of any
plan reads the bookings table sequentially. Each index scan of the bookings is bounded on
both sides of `start` (an overlap bounded on one side reads the history before the range).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Client
from clinic.availability_loader import load_world
from clinic.calendar_views import load_days
from clinic.kernel.dates import clinic_tz
from clinic.overview import overview_context
from clinic.services import book
from clinic.tests.builders import give_hours, local, make_room, make_service
from conftest import make_practitioner, make_user

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

PRACTITIONERS = 20
CLIENTS = 20_000
BOOKINGS = 40_000  # 2,000 each: one every 6 hours from ten months ago
EVERY = timedelta(hours=6)
SEQUENTIAL = {"Seq Scan", "Parallel Seq Scan"}


def _fill(practitioners: list[Any], rooms: list[Any], service: Any, first: datetime) -> None:
    """BOOKINGS bookings in one INSERT ... SELECT, clear of every overlap rule: practitioner p's
    k-th booking starts at first + k * EVERY (+1 hour for the second half of the team, which
    shares the rooms of the first half), lasts 50 minutes and holds its room 10 more."""
    Client.objects.bulk_create(
        (
            Client(
                first_name=f"F{n}",
                last_name=f"L{n}",
                date_of_birth=date(1980, 1, 1),
                search_name=f"l{n} f{n}",
            )
            for n in range(CLIENTS)
        ),
        batch_size=5000,
    )
    first_client = Client.objects.order_by("pk").values_list("pk", flat=True)[0]
    half = len(practitioners) // 2
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO clinic_booking (client_id, practitioner_id, service_id, room_id, start, "end",
                blocks_until, status, reception_note, created_at, cancel_reason, late_cancellation)
            SELECT %(client)s + (i %% %(clients)s),
                   (%(practitioners)s::int[])[1 + i %% %(n)s],
                   %(service)s,
                   (%(rooms)s::int[])[1 + (i %% %(n)s) %% %(half)s],
                   t, t + interval '50 minutes', t + interval '60 minutes',
                   CASE WHEN i %% 17 = 0 THEN 'cancelled' WHEN t < now() THEN 'completed' ELSE 'booked' END,
                   '', t, '', false
            FROM generate_series(0, %(count)s - 1) AS i,
                 LATERAL (SELECT %(first)s::timestamptz + (i / %(n)s) * %(every)s::interval
                         + ((i %% %(n)s) / %(half)s) * interval '1 hour' AS t) AS slot
            """,
            {
                "client": first_client,
                "clients": CLIENTS,
                "practitioners": [p.pk for p in practitioners],
                "n": len(practitioners),
                "half": half,
                "service": service.pk,
                "rooms": [r.pk for r in rooms],
                "first": first,
                "every": str(EVERY),
                "count": BOOKINGS,
            },
        )
        cursor.execute("ANALYZE")


@pytest.fixture
def clinic_history() -> dict[str, Any]:
    practitioners = [make_practitioner() for _ in range(PRACTITIONERS)]
    for practitioner in practitioners:
        give_hours(practitioner)
    rooms = [make_room() for _ in range(PRACTITIONERS // 2)]
    service = make_service(practitioners=practitioners, duration_minutes=50, buffer_minutes=10)
    today = timezone.localdate()
    first = datetime.combine(today - timedelta(days=300), datetime.min.time(), tzinfo=clinic_tz())
    _fill(practitioners, rooms, service, first)
    return {
        "practitioners": practitioners,
        "rooms": rooms,
        "service": service,
        "day": today + timedelta(days=14),
    }


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _booking_selects(run: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        run()
    # A UNION ALL of parenthesized SELECTs (the availability loader's calendar) is a read too.
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip("(").startswith("SELECT")]
    return [sql for sql in selects if '"clinic_booking"' in sql]


def _plan(sql: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        raw = cursor.fetchone()[0]
    document = json.loads(raw) if isinstance(raw, str) else raw
    return document[0]["Plan"]


def _problems(sql: str) -> list[str]:
    """Sequential reads of the bookings, and index scans of them open on one side of start."""
    found = []
    for node in _nodes(_plan(sql)):
        kind = node["Node Type"]
        if kind in SEQUENTIAL and node.get("Relation Name") == "clinic_booking":
            found.append(f"{kind} on clinic_booking")
        index = node.get("Index Name", "")
        if index.startswith("booking_") and "Index Cond" in node:
            condition = node["Index Cond"]
            lower = "(start >" in condition
            upper = "(start <" in condition
            if not (lower and upper):
                found.append(f"{kind} on {index} bounded on one side: {condition}")
    return found


def _assert_bounded(run: Callable[[], Any]) -> None:
    queries = _booking_selects(run)
    assert queries, "the function read no bookings"
    problems = {sql: found for sql in queries if (found := _problems(sql))}
    assert not problems, json.dumps(problems, indent=1)


def test_the_day_calendar_reads_only_the_day(clinic_history):
    day = clinic_history["day"]
    _assert_bounded(lambda: load_days(day, day))


def test_the_day_calendar_joins_clients_by_their_key(clinic_history):
    """The calendar's join: the day's bookings find their clients through the clients' primary
    key, not a read of every client."""
    day = clinic_history["day"]
    (calendar,) = [sql for sql in _booking_selects(lambda: load_days(day, day)) if "clients_client" in sql]
    scans = [(n["Node Type"], n.get("Relation Name")) for n in _nodes(_plan(calendar))]
    assert not [s for s in scans if s[0] in SEQUENTIAL and s[1] == "clients_client"], scans


def test_availability_of_one_practitioner_reads_only_the_window(clinic_history):
    day, practitioner = clinic_history["day"], clinic_history["practitioners"][0]
    _assert_bounded(
        lambda: load_world(
            first_day=day, last_day=day, practitioners=[practitioner], service=clinic_history["service"]
        )
    )


def test_the_booking_service_checks_overlaps_in_the_neighbourhood(clinic_history):
    day, practitioner = clinic_history["day"], clinic_history["practitioners"][0]
    client = Client.objects.order_by("pk")[0]
    desk = make_user(role="Reception")
    # Practitioner 0's bookings that day start at 00:00, 06:00, 12:00 and 18:00 (local): 09:00 is free.
    _assert_bounded(
        lambda: book(
            client=client,
            practitioner=practitioner,
            service=clinic_history["service"],
            start=local(day, 9),
            by=desk,
            notify=False,
        )
    )


def test_the_overview_counts_within_its_window(clinic_history):
    _assert_bounded(lambda: overview_context(timezone.now()))
