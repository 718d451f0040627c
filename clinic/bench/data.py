"""The benchmark clinic: generated row by row, written with COPY on PostgreSQL.

One size parameter, the number of bookings, sets everything else:

- 20 practitioners (each works 08:00-20:00 six days a week, a different day off), 10 rooms:
  on any day ten practitioners each hold one room (it rotates daily) and the other ten give
  room-free sessions (seated acupressure, hand therapy), so no room is ever double-held;
- clients = bookings / 10 (at least 60 a practitioner), each with an intake; a client sees one
  practitioner only, so a client never has two sessions at once;
- the *present* (yesterday to seven days ahead, so any week from now) is the same at every
  size: the pages measure the same days whatever the history behind them; it is laid out from
  a fixed seed, and its sessions go to the same clients (each practitioner's 60 regulars), so
  a page that looks at the week's clients looks at as many at every size;
- the *history* (six years back) and the *future* (three months ahead) fill the half-hour grid
  so the total reaches the size: past sessions mostly completed, some cancelled or no-shows
  (which free the slot, so they may share it with the session that replaced them), future ones
  booked or cancelled;
- one regular client has a weekly session for 50 weeks, each with a signed note of 6 points
  (the chart and note pages); 30% of the bookings get a signed note with about 5 points.

Nothing the application relies on is switched off: check constraints and triggers (the SQLite
overlap triggers, the signed-note triggers) check every row as it is written. On PostgreSQL the
loaded tables' foreign keys, unique and exclusion constraints and secondary indexes are set
aside for the COPY and put back, from their own definitions, in the same transaction, as
pg_restore does: putting a constraint back checks every row at once (an overlap is refused
then, and nothing commits), which is many times faster than checking row by row. Point
applications go in before their notes, as a practitioner adds points before signing (a signed
note takes no more points). The simple-history tables are not filled: an imported history
starts without an audit trail.
"""

from __future__ import annotations

import json
import random
import time as clock
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from clients.models import Client, Intake
from clients.regions import BodyRegion, Side
from clients.search import fold, search_name_for, search_text_for
from clinic.kernel.dates import clinic_tz
from clinic.kernel.roles import Role
from clinic.models import Booking, BookingStatus, Modality, Room, Service
from practitioners.models import Practitioner, WorkingHours
from treatments.models import NoteStatus, Point, PointApplication, PointCaution, Technique, TreatmentNote

# Bump when the generator changes: an older data set is rebuilt.
VERSION = 2
MARKER_TABLE = "bench_dataset"

SIZES = {"tiny": 300, "1k": 1_000, "20k": 20_000, "1m": 1_000_000}

PRACTITIONERS = 20
ROOMS = 10
DAY_START = time(8)
UNITS = 24  # half-hour slots from 08:00 to 20:00
UNIT = timedelta(minutes=30)
HISTORY_DAYS = 6 * 365
FUTURE_DAYS = 91
PRESENT = range(-1, 8)  # yesterday to seven days ahead, relative to the day the set is built
# The present's sessions go to each practitioner's first clients (their regulars), this many.
PRESENT_CLIENTS = 60
# Raised whenever the generator lays the clinic out differently, so older sets are rebuilt.
LAYOUT = 2
CHART_SESSIONS = 50
CHART_POINTS = 6
CHART_UNIT = 2  # the regular client's weekly session: 09:00
NOTE_SHARE = 0.3
INACTIVE_SHARE = 0.2  # cancelled or no-show bookings per active one in the history


def parse_size(label: str) -> int:
    """`1k`, `20k`, `1m`, `tiny` or a number of bookings such as `200k`."""
    label = label.strip().lower()
    if label in SIZES:
        return SIZES[label]
    factor = {"k": 1_000, "m": 1_000_000}.get(label[-1:], 1)
    digits = label[:-1] if factor > 1 else label
    if not digits.isdigit() or int(digits) * factor < 100:
        raise ValueError(f"Unknown size {label!r}: use tiny, 1k, 20k, 1m or a number such as 200k.")
    return int(digits) * factor


@dataclass
class Facts:
    """What the page timings need to know about the data set (kept in the marker row)."""

    size: str
    bookings: int
    anchor: str  # the local day the present was laid out around (ISO)
    manager_id: int = 0
    practitioner_ids: list[int] = field(default_factory=list)
    room_service_id: int = 0
    no_room_service_id: int = 0
    walk_in_client_id: int = 0
    chart_client_id: int = 0
    chart_note_id: int = 0
    common_prefix: str = ""
    infix: str = ""
    phone: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    load_seconds: float = 0.0
    layout: int = 0  # LAYOUT when built: a set laid out otherwise is built again

    def as_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> Facts:
        return cls(**json.loads(text))


# -- the marker --------------------------------------------------------------------------------


def read_marker() -> Facts | None:
    """The data set already in this database, if it is complete and of this generator version."""
    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT version, facts FROM {MARKER_TABLE}")  # noqa: S608 - a constant or model table name
        row = cursor.fetchone()
    if row is None or row[0] != VERSION:
        return None
    return Facts.from_json(row[1])


def write_marker(facts: Facts) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (version integer NOT NULL, facts text NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608 - a constant or model table name
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (version, facts) VALUES (%s, %s)",  # noqa: S608 - a constant or model table name
            [VERSION, facts.as_json()],
        )


# -- writing rows ------------------------------------------------------------------------------


class Table:
    """A model's table: full rows from the few columns the generator sets, the rest defaulted."""

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        now = timezone.now()
        base: list[Any] = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = now
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            else:
                value = ""
            if isinstance(f, models.JSONField):
                value = json.dumps(value)
            base.append(value)
        self.base = base
        names = [f.attname for f in self.fields]
        missing = set(given) - set(names)
        if missing:
            raise ValueError(f"{model.__name__} has no {sorted(missing)}")
        self.positions = [names.index(name) for name in given]

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]

    def rows(self, values: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
        positions = self.positions
        for given in values:
            row = self.base.copy()
            for position, value in zip(positions, given, strict=True):
                row[position] = value
            yield row


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def copy_rows(table: Table, values: Iterable[Sequence[Any]]) -> int:
    """Write the rows: COPY on PostgreSQL, batched INSERTs elsewhere. Returns how many."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in table.columns)
    name = connection.ops.quote_name(table.model._meta.db_table)
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for copy()
            with raw.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in table.rows(values):
                    copy.write_row(row)
                    count += 1
        return count
    marks = ", ".join(["%s"] * len(table.columns))
    sql = f"INSERT INTO {name} ({quoted}) VALUES ({marks})"  # noqa: S608 - a constant or model table name
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in table.rows(values):
            batch.append([_sqlite_value(v) for v in row])
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def set_aside_constraints(tables: Sequence[type[models.Model]]) -> list[str]:
    """PostgreSQL: drop the tables' foreign keys, unique and exclusion constraints and secondary
    indexes (primary keys, check constraints and triggers stay, but for the one below); returns
    the statements that put them back, indexes first and foreign keys last."""
    quote = connection.ops.quote_name
    indexes: list[str] = []
    constraints: list[str] = []
    foreign_keys: list[str] = []
    triggers: list[str] = []
    with connection.cursor() as cursor:
        # Check the reference rows' deferred foreign keys now: a table with checks pending
        # cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in tables:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'x') ORDER BY conname",
                [table],
            )
            for name, kind, definition in cursor.fetchall():
                restore = f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                (foreign_keys if kind == "f" else constraints).append(restore)
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                [table],
            )
            for name, definition in cursor.fetchall():
                indexes.append(definition)
                cursor.execute(f"DROP INDEX {name}")
        # The signed-note trigger on point applications (a point is never added to a signed
        # note) runs a PL/pgSQL function per row: the COPY's slowest part by far. The points go
        # in before their notes exist, so it could refuse none of them; it is put back with
        # the rest, from its own definition, before anything commits.
        table = PointApplication._meta.db_table
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND NOT tgisinternal ORDER BY tgname",
            [table],
        )
        for name, definition in cursor.fetchall():
            triggers.append(definition)
            cursor.execute(f"DROP TRIGGER {quote(name)} ON {quote(table)}")
    return indexes + constraints + foreign_keys + triggers


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1


# -- the clinic --------------------------------------------------------------------------------

FIRST_NAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Freya",
    "Lily",
    "Sophia",
    "Emily",
    "Ella",
    "Poppy",
    "Chloe",
    "Ruby",
    "Zoe",
    "Sienna",
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Leo",
    "Harry",
    "Oscar",
    "Jack",
    "Charlie",
    "Jacob",
    "Thomas",
    "Henry",
    "William",
    "Samuel",
    "Amara",
    "Kenji",
    "Lucia",
    "Mateo",
    "Aisha",
    "Ravi",
    "Yuki",
    "Chen",
    "Priya",
    "Omar",
    "Ines",
    "Jonas",
    "Zoë",
    "Renée",
    "José",
    "Björn",
]
# Zipf-weighted: a few surnames are very common, as in any town.
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "James",
    "Phillips",
    "Mason",
    "Mitchell",
    "Rose",
    "Davis",
    "Rodriguez",
    "Cox",
    "Alexander",
    "Morgan",
    "Moore",
    "Lee",
    "Miller",
    "Keller",
    "Fuller",
    "Okafor",
    "Nakamura",
    "Fernández",
    "O'Brien",
    "Müller",
    "Kowalski",
    "Nguyen",
    "Haddad",
    "Rossi",
    "Dubois",
    "Novak",
    "Silva",
    "Garcia",
]
SURNAME_WEIGHTS = [1 / (rank + 1) for rank in range(len(SURNAMES))]


def _phone(i: int) -> str:
    return f"+447{(400_000_000 + i * 37) % 1_000_000_000:09d}"


def _phone_keys(phone: str) -> str:
    """The digits clients.search stores for a +447... number (E.164 and national forms)."""
    return f"{phone[1:]} 0{phone[3:]}"


@dataclass
class Plan:
    """Ids of the small reference rows the generator points at."""

    practitioners: list[int]  # practitioner ids, calendar order
    users: list[int]  # their user ids
    rooms: list[int]
    room_services: list[tuple[int, int]]  # (id, minutes) needing a room
    no_room_services: list[tuple[int, int]]
    points: list[int]
    techniques: list[int]


def _make_reference(facts: Facts) -> Plan:
    User = get_user_model()
    manager = User.objects.create_user(username="bench-manager", is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name=Role.MANAGER)[0])
    reception = User.objects.create_user(username="bench-reception")
    reception.groups.add(Group.objects.get_or_create(name=Role.RECEPTION)[0])
    practitioner_group = Group.objects.get_or_create(name=Role.PRACTITIONER)[0]
    practitioners = []
    for n in range(PRACTITIONERS):
        user = User.objects.create_user(username=f"bench-p{n + 1:02d}", first_name=f"P{n + 1:02d}")
        user.groups.add(practitioner_group)
        practitioner = Practitioner.objects.create(
            user=user, display_name=f"Practitioner {n + 1:02d}", calendar_order=n
        )
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=weekday, start=DAY_START, end=time(20))
            for weekday in range(7)
            if weekday != n % 7
        )
        practitioners.append(practitioner)
    rooms = [Room.objects.create(name=f"Room {n + 1}", calendar_order=n) for n in range(ROOMS)]
    specs = [
        ("Acupressure 30", Modality.TCM_ACUPRESSURE, 30, True),
        ("Shiatsu 60", Modality.JAPANESE, 60, True),
        ("Massage 60", Modality.MASSAGE, 60, True),
        ("Seated acupressure 30", Modality.TCM_ACUPRESSURE, 30, False),
        ("Korean hand therapy 30", Modality.KOREAN, 30, False),
        ("Chair massage 60", Modality.MASSAGE, 60, False),
    ]
    services = []
    for name, modality, minutes, needs_room in specs:
        service = Service.objects.create(
            name=name, modality=modality, duration_minutes=minutes, needs_room=needs_room, price=Decimal("45")
        )
        service.practitioners.set(practitioners)
        services.append(service)
    cautioned = PointCaution.objects.values_list("point_id", flat=True)
    points = list(
        Point.objects.filter(is_active=True, kind="who")
        .exclude(pk__in=cautioned)
        .values_list("pk", flat=True)
    )
    techniques = list(Technique.objects.filter(is_active=True).values_list("pk", flat=True))
    if not points or not techniques:
        raise RuntimeError("The point catalogue or the techniques are empty: run the migrations first.")
    facts.manager_id = manager.pk
    facts.practitioner_ids = [p.pk for p in practitioners]
    facts.room_service_id = services[0].pk
    facts.no_room_service_id = services[3].pk
    return Plan(
        practitioners=[p.pk for p in practitioners],
        users=[p.user_id for p in practitioners],
        rooms=[r.pk for r in rooms],
        room_services=[(s.pk, s.duration_minutes) for s in services[:3]],
        no_room_services=[(s.pk, s.duration_minutes) for s in services[3:]],
        points=points,
        techniques=techniques,
    )


@dataclass
class Session:
    booking_id: int
    client_id: int
    practitioner: int  # index
    start: datetime
    minutes: int
    points: int  # how many point applications its note gets


class Generator:
    def __init__(self, bookings: int, plan: Plan, anchor: date, now: datetime) -> None:
        self.target = bookings
        self.plan = plan
        self.anchor = anchor
        self.now = now
        self.tz = clinic_tz()
        self.n_clients = max(PRESENT_CLIENTS * PRACTITIONERS, bookings // 10)
        self.client_base = _next_id(Client)
        self.booking_base = _next_id(Booking)
        # Read now: while a COPY runs, its connection takes no other query.
        self.intake_base = _next_id(Intake)
        self.application_base = _next_id(PointApplication)
        self.note_base = _next_id(TreatmentNote)
        self.next_booking = self.booking_base
        self.notes: list[Session] = []
        self.chart_client = self.client_base  # client 0: practitioner 0's regular
        self.walk_in_client = self.client_base + self.n_clients  # the booking POST's client
        self.counts: dict[str, int] = {}

    # clients: client i sees practitioner i % 20
    def client_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(7)
        for i in range(self.n_clients + 1):
            first = rng.choice(FIRST_NAMES)
            last = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
            if i == self.n_clients:
                first, last = "Walk", "In"
            phone = _phone(i)
            email = f"{fold(first)}.{fold(last).replace(' ', '')}{i}@example.com".replace("'", "")
            yield (
                self.client_base + i,
                first,
                last,
                date(1950, 1, 1) + timedelta(days=(i * 97) % 20_000),
                phone,
                email,
                self.now,
                "2025-01",
                fold(f"{last} {first}"),
                f"{fold(f'{first} {last}')} {email} {_phone_keys(phone)}",
            )

    def intake_rows(self) -> Iterator[tuple[Any, ...]]:
        base = self.intake_base
        for i in range(self.n_clients + 1):
            # The walk-in (the booking POST's client) filled theirs in today.
            taken = self.anchor - timedelta(days=(i * 13) % 300 if i < self.n_clients else 0)
            yield (base + i, self.client_base + i, taken, True, "signed")

    def _client_for(self, rng: random.Random, practitioner: int, *, among: int | None = None) -> int:
        """A client of this practitioner's list (client i belongs to practitioner i % 20), of its
        first `among` if given; lower numbers come more often, as regulars do. Never the chart's
        regular (client 0)."""
        per = max(1, (self.n_clients - practitioner + PRACTITIONERS - 1) // PRACTITIONERS)
        per = min(per, among) if among else per
        k = int(per * rng.random() ** 2)
        if practitioner == 0 and k == 0:
            k = 1 if per > 1 else 0
        index = practitioner + PRACTITIONERS * min(k, per - 1)
        if index == 0:  # a clinic too small for practitioner 0 to have another client
            index = PRACTITIONERS if self.n_clients > PRACTITIONERS else 1
        return self.client_base + index

    def _day_layout(self, day: date) -> tuple[datetime, list[tuple[int, int | None]]]:
        """The aware 08:00 of the day and, per practitioner, (index, room id or None), for those
        working that day."""
        first = datetime.combine(day, DAY_START, tzinfo=self.tz).astimezone(UTC)
        offset = (day - self.anchor).days
        working = []
        for p in range(PRACTITIONERS):
            if day.weekday() == p % 7:
                continue
            slot = (p + offset) % PRACTITIONERS
            working.append((p, self.plan.rooms[slot] if slot < ROOMS else None))
        return first, working

    def _booking(
        self,
        *,
        client: int,
        practitioner: int,
        service: int,
        room: int | None,
        start: datetime,
        minutes: int,
        status: str,
    ) -> tuple[Any, ...]:
        pk = self.next_booking
        self.next_booking += 1
        end = start + timedelta(minutes=minutes)
        changed = cancelled_at = None
        reason = ""
        late = False
        if status == BookingStatus.CANCELLED:
            cancelled_at = start - timedelta(hours=6 + pk % 90)
            changed = cancelled_at
            reason = "Client unwell" if pk % 3 else "Work clash"
            late = cancelled_at > start - timedelta(hours=24)
        elif status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW, BookingStatus.ARRIVED):
            changed = end
        created = min(start - timedelta(days=3 + pk % 20), self.now)
        self.counts[str(status)] = self.counts.get(str(status), 0) + 1
        return (
            pk,
            client,
            self.plan.practitioners[practitioner],
            service,
            room,
            start,
            end,
            end,
            status,
            created,
            changed,
            cancelled_at,
            reason,
            late,
        )

    BOOKING_COLUMNS = (
        "id",
        "client_id",
        "practitioner_id",
        "service_id",
        "room_id",
        "start",
        "end",
        "blocks_until",
        "status",
        "created_at",
        "status_changed_at",
        "cancelled_at",
        "cancel_reason",
        "late_cancellation",
    )

    def _past_status(self, rng: random.Random, start: datetime) -> str:
        if start >= self.now:
            return BookingStatus.BOOKED
        return BookingStatus.COMPLETED

    def _inactive_status(self, rng: random.Random, start: datetime) -> str:
        if start >= self.now or rng.random() < 0.7:
            return BookingStatus.CANCELLED
        return BookingStatus.NO_SHOW

    def _maybe_note(self, rng: random.Random, row: tuple[Any, ...], practitioner: int, share: float) -> None:
        if row[8] == BookingStatus.COMPLETED and rng.random() < share:
            minutes = int((row[6] - row[5]).total_seconds() // 60)
            self.notes.append(Session(row[0], row[1], practitioner, row[5], minutes, rng.randint(3, 7)))

    def present_rows(self) -> Iterator[tuple[Any, ...]]:
        """Yesterday to six days ahead: the same at every size (fixed seed), a realistic day
        of about eight sessions a practitioner, thinning out into the future."""
        rng = random.Random(1)
        keep = min(1.0, 0.7 * self.target / 1_000)  # only the tiny test size trims it
        for offset in PRESENT:
            day = self.anchor + timedelta(days=offset)
            fill = 0.45 if offset <= 0 else max(0.15, 0.45 - 0.05 * offset)
            first, working = self._day_layout(day)
            for p, room in working:
                services = self.plan.room_services if room else self.plan.no_room_services
                unit = 0
                while unit < UNITS:
                    draw = rng.random()
                    service, minutes = services[rng.randrange(len(services))]
                    units = minutes // 30
                    if draw >= fill or unit + units > UNITS:
                        unit += 1
                        continue
                    start = first + unit * UNIT
                    client = self._client_for(rng, p, among=PRESENT_CLIENTS)
                    if rng.random() < keep:
                        row = self._booking(
                            client=client,
                            practitioner=p,
                            service=service,
                            room=room,
                            start=start,
                            minutes=minutes,
                            status=self._past_status(rng, start + timedelta(minutes=minutes)),
                        )
                        self._maybe_note(rng, row, p, NOTE_SHARE)
                        yield row
                    if rng.random() < 0.08 and rng.random() < keep:
                        yield self._booking(
                            client=self._client_for(rng, p, among=PRESENT_CLIENTS),
                            practitioner=p,
                            service=service,
                            room=room,
                            start=start,
                            minutes=minutes,
                            status=self._inactive_status(rng, start),
                        )
                    unit += units

    def chart_days(self) -> list[date]:
        """The regular client's weekly session with practitioner 0, on Tuesdays before the present."""
        day = self.anchor + timedelta(days=PRESENT.start - 1)
        while day.weekday() != 1:
            day -= timedelta(days=1)
        return [day - timedelta(weeks=w) for w in range(CHART_SESSIONS)]

    def chart_rows(self) -> Iterator[tuple[Any, ...]]:
        service, minutes = self.plan.room_services[0]
        for day in self.chart_days():
            first, working = self._day_layout(day)
            room = dict(working)[0]
            if room is None:
                service, minutes = self.plan.no_room_services[0]
            else:
                service, minutes = self.plan.room_services[0]
            row = self._booking(
                client=self.chart_client,
                practitioner=0,
                service=service,
                room=room,
                start=first + CHART_UNIT * UNIT,
                minutes=minutes,
                status=BookingStatus.COMPLETED,
            )
            self.notes.append(Session(row[0], row[1], 0, row[5], minutes, CHART_POINTS))
            yield row

    def history_rows(self, already: int) -> Iterator[tuple[Any, ...]]:
        """Six years back and three months ahead (around the present), half-hour sessions filling
        the grid evenly enough to reach the size."""
        rng = random.Random(2)
        days = [
            self.anchor + timedelta(days=offset)
            for offset in range(-HISTORY_DAYS, FUTURE_DAYS)
            if offset not in PRESENT
        ]
        chart = set(self.chart_days())
        layouts: list[tuple[date, datetime, dict[int, int | None]]] = []
        for day in days:
            first, rooms = self._day_layout(day)
            layouts.append((day, first, dict(rooms)))
        capacity = sum(len(working) for _day, _first, working in layouts) * UNITS
        wanted = max(0, self.target - already)
        active = wanted / (1 + INACTIVE_SHARE) / capacity
        if active > 0.97:
            raise ValueError(f"{self.target} bookings do not fit in {capacity} half-hour slots.")
        inactive = active * INACTIVE_SHARE
        notes_wanted = NOTE_SHARE * self.target - len(self.notes) - CHART_SESSIONS
        completed = wanted / (1 + INACTIVE_SHARE) * HISTORY_DAYS / (HISTORY_DAYS + FUTURE_DAYS)
        note_share = min(1.0, max(0.0, notes_wanted / max(1.0, completed)))
        for day, first, working in layouts:
            for p, room in working.items():
                services = self.plan.room_services if room else self.plan.no_room_services
                service = services[0][0]
                for unit in range(UNITS):
                    start = first + unit * UNIT
                    if p == 0 and unit == CHART_UNIT and day in chart:
                        continue
                    draw = rng.random()
                    if draw < active:
                        row = self._booking(
                            client=self._client_for(rng, p),
                            practitioner=p,
                            service=service,
                            room=room,
                            start=start,
                            minutes=30,
                            status=self._past_status(rng, start + UNIT),
                        )
                        self._maybe_note(rng, row, p, note_share)
                        yield row
                    # Drawn apart from the active one: a cancelled session and the one that took
                    # its place share a slot.
                    if rng.random() < inactive:
                        yield self._booking(
                            client=self._client_for(rng, p),
                            practitioner=p,
                            service=service,
                            room=room,
                            start=start,
                            minutes=30,
                            status=self._inactive_status(rng, start),
                        )

    def application_rows(self, note_base: int) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(3)
        points, techniques = self.plan.points, self.plan.techniques
        sides = [Side.LEFT, Side.RIGHT, Side.BOTH]
        pk = self.application_base
        for n, session in enumerate(self.notes):
            for order, point in enumerate(rng.sample(points, session.points)):
                yield (
                    pk,
                    note_base + n,
                    point,
                    sides[order % 3],
                    techniques[rng.randrange(len(techniques))],
                    rng.choice((30, 45, 60, 90, 120)),
                    rng.randint(1, 4),
                    order,
                    "Eased" if order % 2 else "",
                )
                pk += 1

    def note_rows(self, note_base: int) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(4)
        regions = list(BodyRegion.values)
        for n, session in enumerate(self.notes):
            end = session.start + timedelta(minutes=session.minutes)
            day = session.start.astimezone(self.tz).date()
            before = rng.randint(3, 8)
            yield (
                note_base + n,
                session.booking_id,
                session.client_id,
                self.plan.practitioners[session.practitioner],
                day,
                end,
                end,
                "Tight shoulders after long days at the desk.",
                "Raised right shoulder; tender upper trapezius.",
                "Relaxed well; range of movement better.",
                "Neck stretches twice a day.",
                json.dumps(rng.sample(regions, 2)),
                before,
                max(0, before - rng.randint(0, 3)),
                NoteStatus.SIGNED,
                self.plan.users[session.practitioner],
                end + timedelta(minutes=10),
            )


def build(size: str, bookings: int, *, log: Callable[[str], None]) -> Facts:
    """Build the data set into the current (migrated, empty) database; returns its facts."""
    began = clock.perf_counter()
    now = timezone.now()
    anchor = timezone.localdate(now, clinic_tz())
    facts = Facts(size=size, bookings=bookings, anchor=anchor.isoformat(), layout=LAYOUT)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
                cursor.execute("SET LOCAL lock_timeout = 0")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        plan = _make_reference(facts)
        gen = Generator(bookings, plan, anchor, now)

        def step(label: str, count: int) -> None:
            log(f"  {label:<22}{count:>10,}  {clock.perf_counter() - began:6.1f} s")

        clients = Table(
            Client,
            (
                "id",
                "first_name",
                "last_name",
                "date_of_birth",
                "phone",
                "email",
                "consent_to_treatment_at",
                "consent_text_version",
                "search_name",
                "search_text",
            ),
        )
        restore: list[str] = []
        if connection.vendor == "postgresql":
            restore = set_aside_constraints([Client, Intake, Booking, TreatmentNote, PointApplication])
        step("clients", copy_rows(clients, gen.client_rows()))
        intakes = Table(Intake, ("id", "client_id", "taken_on", "consent_signed", "consent_signature"))
        step("intakes", copy_rows(intakes, gen.intake_rows()))
        booking_table = Table(Booking, Generator.BOOKING_COLUMNS)
        present = copy_rows(booking_table, gen.present_rows())
        present += copy_rows(booking_table, gen.chart_rows())
        step("bookings (present)", present)
        step("bookings (history)", copy_rows(booking_table, gen.history_rows(present)))
        note_base = gen.note_base
        applications = Table(
            PointApplication,
            (
                "id",
                "note_id",
                "point_id",
                "side",
                "technique_id",
                "duration_seconds",
                "pressure",
                "order",
                "response",
            ),
        )
        # Points first, then the signed notes they belong to (the foreign key waits for the commit).
        step("point applications", copy_rows(applications, gen.application_rows(note_base)))
        notes = Table(
            TreatmentNote,
            (
                "id",
                "booking_id",
                "client_id",
                "practitioner_id",
                "service_date",
                "written_at",
                "updated_at",
                "subjective",
                "objective",
                "assessment",
                "plan",
                "regions_treated",
                "pain_before",
                "pain_after",
                "status",
                "signed_by_id",
                "signed_at",
            ),
        )
        step("signed notes", copy_rows(notes, gen.note_rows(note_base)))
        with connection.cursor() as cursor:
            for statement in restore:
                started = clock.perf_counter()
                cursor.execute(statement)
                if clock.perf_counter() - started > 2:
                    log(f"    {clock.perf_counter() - started:5.1f} s  {statement[:90]}")
        if restore:
            step("constraints, indexes", len(restore))
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Client, Intake, Booking, TreatmentNote, PointApplication]
            ):
                cursor.execute(sql)
        facts.walk_in_client_id = gen.walk_in_client
        facts.chart_client_id = gen.chart_client
        facts.chart_note_id = note_base + next(
            i for i, s in enumerate(gen.notes) if s.client_id == gen.chart_client
        )
        _check_search_keys(gen)
        facts.common_prefix = fold(SURNAMES[0])[:3]
        facts.infix = "ller"  # Miller, Keller, Fuller, Müller
        walk_in_phone = _phone(gen.n_clients)
        facts.phone = f"0{walk_in_phone[3:7]} {walk_in_phone[7:]}"
        facts.counts = {
            "clients": gen.n_clients + 1,
            "bookings": gen.next_booking - gen.booking_base,
            "notes": len(gen.notes),
            **gen.counts,
        }
    step("committed", facts.counts["bookings"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    facts.load_seconds = round(clock.perf_counter() - began, 1)
    step("analyzed", facts.counts["bookings"])
    write_marker(facts)
    return facts


def _check_search_keys(gen: Generator) -> None:
    """The folded search columns written here must be what clients.services would write."""
    for client in Client.objects.filter(pk__in=[gen.client_base, gen.client_base + 1, gen.walk_in_client]):
        expected = search_text_for(
            first_name=client.first_name, last_name=client.last_name, email=client.email, phone=client.phone
        )
        name = search_name_for(first_name=client.first_name, last_name=client.last_name)
        if client.search_name != name:
            raise RuntimeError(f"Search name {client.search_name!r} differs from the app's {name!r}")
        if client.search_text != expected:
            raise RuntimeError(f"Search text {client.search_text!r} differs from the app's {expected!r}")
