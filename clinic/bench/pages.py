"""Time the key pages through the real views, against the bare page, and check the targets.

Each page is requested through Django's test client (the whole middleware stack, signed in as
the benchmark's manager), warmed up, then timed `repeat` times; the median counts. Queries are
counted on one extra request, outside the timed ones, so counting costs the timings nothing.
"""

from __future__ import annotations

import logging
import statistics
import time as clock
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from clinic.bench import data
from clinic.bench.urls import BARE_PATH
from clinic.kernel.dates import clinic_tz
from clinic.kernel.outbox.models import Message
from clinic.kernel.twofactor.testing import mark_verified
from clinic.models import ACTIVE_STATUSES, Booking

# The growth allowed from the smallest to the largest size measured in one run.
GROWTH_LIMIT = 1.5


@dataclass(frozen=True)
class Target:
    label: str
    ratio: float  # at most this many times the bare page
    queries: int | None = None  # at most this many queries


# The targets of issue #12 (PostgreSQL, 1M bookings, 20 practitioners; median, ratio to bare).
TARGETS: dict[str, Target] = {
    "day_all": Target("day calendar, all practitioners", 15),
    "day_rooms": Target("day calendar, by room", 15),
    "desk": Target("desk", 10),
    "week": Target("practitioner week", 15),
    "free_one": Target("free slots, 1 practitioner, 1 day", 10),
    "free_all": Target("next free slot, 14 days, all", 30),
    "booking_post": Target("booking POST", 20, queries=12),
    "search_prefix": Target("client search: prefix", 8),
    "search_infix": Target("client search: infix", 8),
    "search_phone": Target("client search: phone", 8),
    "chart": Target("client chart, 50 sessions", 15),
    "note": Target("note page, 6 points", 10),
    "overview": Target("manager overview", 15),
}


@dataclass
class Timing:
    key: str
    label: str
    ms: float
    queries: int
    ratio: float = 0.0
    bare_ms: float = 0.0  # the bare page's median, timed in turn with this page
    target_ratio: float | None = None
    max_queries: int | None = None
    misses: list[str] = field(default_factory=list)


@dataclass
class Request:
    """One page request: `call` makes it and returns the response; `after` undoes its writes."""

    call: Callable[[HttpClient], Any]
    after: Callable[[Any], None] = lambda response: None
    ok: tuple[int, ...] = (200,)


def _get(url: str) -> Request:
    return Request(call=lambda http: http.get(url))


def _once(http: HttpClient, request: Request) -> float:
    began = clock.perf_counter()
    response = request.call(http)
    elapsed = (clock.perf_counter() - began) * 1000
    if response.status_code not in request.ok:
        raise RuntimeError(f"{response.status_code} answered: {response.content[:300]!r}")
    request.after(response)
    return elapsed


def _queries(http: HttpClient, request: Request) -> int:
    with CaptureQueriesContext(connection) as counted:
        response = request.call(http)
    request.after(response)
    return len(counted.captured_queries)


def _median_ms(
    http: HttpClient, request: Request, bare: Request, *, repeat: int, warmup: int
) -> tuple[float, float, int]:
    """The page's median and the bare page's, timed in turn (page, bare, page, bare...) so a
    neighbour's load on a shared machine weighs on both alike; and the page's query count."""
    for _ in range(warmup):
        _once(http, request)
    timings, bare_timings = [], []
    for _ in range(repeat):
        timings.append(_once(http, request))
        bare_timings.append(_once(http, bare))
    return statistics.median(timings), statistics.median(bare_timings), _queries(http, request)


class Booker:
    """The booking POST: each repetition books the walk-in client into a fresh free slot, and the
    booking (with what booking it wrote: history, outbox) is deleted afterwards."""

    def __init__(self, facts: data.Facts) -> None:
        self.facts = facts
        self.slots = self._free_slots()

    def _free_slots(self) -> list[tuple[int, date, str]]:
        """(practitioner id, local day, HH:MM) half-hours in the coming week where the practitioner
        and at least one room are free: the present is the same at every size, so these are too."""
        tz = clinic_tz()
        anchor = date.fromisoformat(self.facts.anchor)
        first = datetime.combine(anchor + timedelta(days=1), data.DAY_START, tzinfo=tz)
        last = first + timedelta(days=6)
        taken = list(
            Booking.objects.filter(start__lt=last, end__gt=first, status__in=ACTIVE_STATUSES).values_list(
                "practitioner_id", "room_id", "start", "end"
            )
        )
        slots = []
        for offset in range(1, 7):
            day = anchor + timedelta(days=offset)
            for index, pk in enumerate(self.facts.practitioner_ids):
                if day.weekday() == index % 7:
                    continue
                for unit in range(4, data.UNITS - 4):
                    start = datetime.combine(day, data.DAY_START, tzinfo=tz) + unit * data.UNIT
                    end = start + data.UNIT
                    busy = [(p, r) for p, r, s, e in taken if s < end and e > start]
                    rooms_busy = {r for _, r in busy if r is not None}
                    if any(p == pk for p, _ in busy) or len(rooms_busy) >= data.ROOMS:
                        continue
                    slots.append((pk, day, start.astimezone(tz).strftime("%H:%M")))
        # Spread over practitioners and days, not twenty in a row for one.
        return slots[::7] + [s for i, s in enumerate(slots) if i % 7]

    def request(self) -> Request:
        slots = iter(self.slots)

        def call(http: HttpClient) -> Any:
            practitioner, day, at = next(slots)
            return http.post(
                reverse("clinic:booking_new"),
                {
                    "client": self.facts.walk_in_client_id,
                    "service": self.facts.room_service_id,
                    "practitioner": practitioner,
                    "date": day.isoformat(),
                    "time": at,
                    "end_time": "",
                    "room": "",
                    "reception_note": "",
                },
            )

        def after(response: Any) -> None:
            pk = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
            booking_table = Booking._meta.db_table
            history_table = Booking.history.model._meta.db_table
            Message.objects.filter(key__startswith=f"booking:{pk}:").delete()
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {history_table} WHERE id = %s", [pk])  # noqa: S608 - a constant or model table name
                cursor.execute(f"DELETE FROM {booking_table} WHERE id = %s", [pk])  # noqa: S608 - a constant or model table name

        return Request(call=call, after=after, ok=(302,))


def page_requests(facts: data.Facts) -> dict[str, Request]:
    anchor = date.fromisoformat(facts.anchor)
    tomorrow = anchor + timedelta(days=1)
    busy_practitioner = facts.practitioner_ids[1]
    day = reverse("clinic:day")
    slots = reverse("clinic:find_slots")
    clients = reverse("clients:list")
    return {
        "day_all": _get(f"{day}?date={anchor}"),
        "day_rooms": _get(f"{day}?date={anchor}&by=rooms"),
        "desk": _get(reverse("desk")),
        "week": _get(f"{reverse('clinic:week', args=[busy_practitioner])}?date={anchor}"),
        "free_one": _get(
            f"{slots}?service={facts.room_service_id}&practitioner={busy_practitioner}&from_date={tomorrow}"
        ),
        "free_all": _get(f"{slots}?service={facts.room_service_id}&from_date={anchor}"),
        "booking_post": Booker(facts).request(),
        "search_prefix": _get(f"{clients}?q={facts.common_prefix}"),
        "search_infix": _get(f"{clients}?q={facts.infix}"),
        "search_phone": _get(f"{clients}?q={facts.phone.replace(' ', '+')}"),
        "chart": _get(reverse("treatments:chart", args=[facts.chart_client_id])),
        "note": _get(reverse("treatments:note", args=[facts.chart_note_id])),
        "overview": _get(reverse("overview")),
    }


def measure(facts: data.Facts, *, repeat: int, warmup: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Time every page and the bare page; returns the report (also what goes in the JSON)."""
    # The request log lines (one per request) would drown the table: below warnings, logging is
    # off while the pages are timed, for the bare page as for the others.
    logging.disable(logging.INFO)
    try:
        return _measure(facts, repeat=repeat, warmup=warmup, log=log)
    finally:
        logging.disable(logging.NOTSET)


def _measure(facts: data.Facts, *, repeat: int, warmup: int, log: Callable[[str], None]) -> dict[str, Any]:
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "testserver")
    with override_settings(ROOT_URLCONF="clinic.bench.urls", DEBUG=False):
        http = HttpClient(HTTP_HOST=host)
        manager = get_user_model().objects.get(pk=facts.manager_id)
        http.force_login(manager)
        mark_verified(http, manager)  # past the second step, as a signed-in manager is
        bare = _get(f"/{BARE_PATH}")
        for _ in range(warmup):
            _once(http, bare)
        bare_queries = _queries(http, bare)
        results: list[Timing] = []
        for key, request in page_requests(facts).items():
            target = TARGETS[key]
            try:
                ms, bare_ms, queries = _median_ms(http, request, bare, repeat=repeat, warmup=warmup)
            except RuntimeError as error:
                raise RuntimeError(f"{target.label}: {error}") from error
            results.append(
                Timing(
                    key,
                    target.label,
                    ms,
                    queries,
                    ratio=ms / bare_ms,
                    bare_ms=bare_ms,
                    target_ratio=target.ratio,
                    max_queries=target.queries,
                )
            )
            log(f"  {target.label:<36}{ms:9.1f} ms {queries:4d} queries (bare page {bare_ms:.1f} ms)")
    bare_ms = statistics.median(t.bare_ms for t in results)
    for timing in results:
        if timing.target_ratio is not None and timing.ratio > timing.target_ratio:
            timing.misses.append(f"{timing.ratio:.1f}x the bare page (target <= {timing.target_ratio:g}x)")
        if timing.max_queries is not None and timing.queries > timing.max_queries:
            timing.misses.append(f"{timing.queries} queries (target <= {timing.max_queries})")
    return {
        "size": facts.size,
        "bookings": facts.counts.get("bookings", facts.bookings),
        "database": connection.vendor,
        "load_seconds": facts.load_seconds,
        "counts": facts.counts,
        "repeat": repeat,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "bare": {"ms": bare_ms, "queries": bare_queries},
        "pages": {t.key: asdict(t) for t in results},
    }


def table(report: dict[str, Any]) -> list[str]:
    bare = report["bare"]
    lines = [
        f"{report['database']} {report['size']} ({report['bookings']:,} bookings), "
        f"median of {report['repeat']}; "
        f"bare page {bare['ms']:.1f} ms ({bare['queries']} queries), timed in turn with each page",
        f"{'page':<36}{'ms':>9}{'x bare':>8}{'target':>8}{'queries':>9}  result",
    ]
    for page in report["pages"].values():
        target = f"{page['target_ratio']:g}x" if page["target_ratio"] else ""
        verdict = "MISS: " + "; ".join(page["misses"]) if page["misses"] else "ok"
        numbers = f"{page['ms']:9.1f}{page['ratio']:8.1f}{target:>8}{page['queries']:9d}"
        lines.append(f"{page['label']:<36}{numbers}  {verdict}")
    return lines


def growth(small: dict[str, Any], large: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Lines of the growth table from `small` to `large`, and the misses (time > 1.5x, or more queries).

    The two sizes are timed minutes apart on a machine others share, so the growth compares
    each page's time in bare-page units (its ratio), which a neighbour's load does not move;
    the milliseconds are shown beside it."""
    lines = [
        f"growth {small['size']} -> {large['size']} (time in bare-page units; ms shown)",
        f"{'page':<36}{small['size']:>9}{large['size']:>9}{'growth':>8}{'queries':>12}  result",
    ]
    misses = []
    for key, big in large["pages"].items():
        little = small["pages"].get(key)
        if little is None:
            continue
        factor = big["ratio"] / little["ratio"]
        problems = []
        if factor > GROWTH_LIMIT:
            problems.append(f"{factor:.2f}x slower (limit {GROWTH_LIMIT}x)")
        if big["queries"] != little["queries"]:
            problems.append(f"{little['queries']} -> {big['queries']} queries")
        if problems:
            misses.append(f"{big['label']} from {small['size']} to {large['size']}: " + "; ".join(problems))
        lines.append(
            f"{big['label']:<36}{little['ms']:9.1f}{big['ms']:9.1f}{factor:8.2f}"
            f"{little['queries']:>6}->{big['queries']:<5}  {'MISS' if problems else 'ok'}"
        )
    return lines, misses
