"""Importing a clinic's clients and future appointments: the dry run and the import.

Both run the same code, `_apply`: every row goes through the desk's own rules, a client
through the client form's checks, the duplicate check the desk warns with
(`clients.services.DuplicateFinder`, `possible_duplicates` for many) and `save_new_clients`
(`save_client` for many); an appointment through `clinic.services.BookingBatch` (`book`'s
checks: hours, time off, closures, rooms, overlaps, screening; then the database's rules), each
row in file order seeing the rows accepted before it. The dry run does it all in a
transaction that is then rolled back, so what it reports is exactly what the import would do;
the import does it again in one transaction and keeps it only if every row comes out as the
dry run said (else nothing is kept and the new dry run is shown). Imported bookings send no email.

Importing a file a second time creates nothing: its people are matched as duplicates and its
appointments found already booked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clients.forms import ClientForm
from clients.models import Client
from clients.search import fold
from clients.services import DuplicateFinder, save_new_clients
from clinic.imports.files import Table, table_or_error
from clinic.imports.layouts import APPOINTMENTS, CLIENTS, IGNORE, Layout
from clinic.imports.models import FileKind, ImportRow, ImportRun, ImportStatus, Outcome
from clinic.imports.values import CellError, parse_date, parse_datetime, parse_duration, parse_time
from clinic.kernel.dates import clinic_tz, local_datetime
from clinic.kernel.spreadsheets import FORMULA_STARTS
from clinic.models import ACTIVE_STATUSES, Booking, BookingSource, Service
from clinic.services import (
    BookingBatch,
    BookingBusy,
    BookingConflict,
    BookingError,
    BookingRequest,
    booking_write,
)
from practitioners.models import Practitioner

# An old system's statuses for appointments that will not take place: left out of the import.
NOT_HAPPENING = ("cancel", "no show", "noshow", "did not arrive", "dna", "deleted", "rescheduled")


@dataclass
class RowResult:
    kind: str
    line: int
    outcome: str
    summary: str = ""
    message: str = ""
    client_id: int | None = None
    booking_id: int | None = None


@dataclass
class _Run:
    """What one pass over the files has created so far (the ids, and which row made them)."""

    by: User
    day_order: str
    results: list[RowResult] = field(default_factory=list)
    client_rows: dict[int, int] = field(default_factory=dict)  # client id -> line
    booking_rows: dict[int, int] = field(default_factory=dict)  # booking id -> line
    booked: dict[int, list[tuple[datetime, datetime, int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # practitioner id -> (start, end, line, client id) booked by this run
    # (client, practitioner, service, start, end) of each booking made by this run -> its line
    same_rows: dict[tuple[int, int, int, datetime, datetime], int] = field(default_factory=dict)


class Changed(Exception):
    """The import found other outcomes than the dry run (something changed meanwhile)."""


def cells(layout: Layout, mapping: list[str], row: list[str]) -> dict[str, str]:
    """A row's values by field: address parts joined, the first filled of several phones."""
    values: dict[str, list[str]] = defaultdict(list)
    for name, cell in zip(mapping, row, strict=False):
        if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
            cell = cell[1:]  # the quote a CSV export (ours too) puts before "+44..." for spreadsheets
        if name != IGNORE and cell:
            values[name].append(cell)
    joined = {name: (", " if name == "address" else "\n").join(parts) for name, parts in values.items()}
    for target in layout.targets:
        if target.several and target.name != "address" and target.name in values:
            joined[target.name] = values[target.name][0]
    return joined


# -- clients ---------------------------------------------------------------------------------------


def _client_summary(values: dict[str, str]) -> str:
    name = " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)
    born = values.get("date_of_birth")
    return f"{name or '(no name)'}" + (f", born {born}" if born else "")


def _why_duplicate(client: Client, match: Client) -> str:
    reasons = []
    if (match.first_name.lower(), match.last_name.lower(), match.date_of_birth) == (
        client.first_name.lower(),
        client.last_name.lower(),
        client.date_of_birth,
    ):
        reasons.append("name and date of birth")
    if client.email and match.email.lower() == client.email.lower():
        reasons.append("email")
    if client.phone and match.phone == client.phone:
        reasons.append("phone")
    return " and ".join(reasons) or "details"


def _label(name: str) -> str:
    """A client form field's name as the mapping page labels it ("Phone", not "phone")."""
    target = next((t for t in CLIENTS.targets if t.name == name), None)
    return target.label.split(" (")[0] if target else name.replace("_", " ").capitalize()


def _import_clients(run: _Run, table: Table, mapping: list[str]) -> None:
    new: list[Client] = []
    checked: list[tuple[RowResult, Client]] = []
    for line, row in table.rows:
        values = cells(CLIENTS, mapping, row)
        result = RowResult(FileKind.CLIENTS, line, Outcome.REFUSED, summary=_client_summary(values)[:300])
        run.results.append(result)
        try:
            born = parse_date(values.get("date_of_birth", ""), run.day_order)
        except CellError as error:
            result.message = f"Date of birth: {error}"
            continue
        form = ClientForm(data={**values, "date_of_birth": born.isoformat()})
        if not form.is_valid():
            result.message = " ".join(
                f"{_label(name)}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
            )[:500]
            continue
        checked.append((result, form.save(commit=False)))
    duplicates = DuplicateFinder([client for _, client in checked])
    made_by: dict[int, int] = {}  # id() of a client of this file -> its line
    matched: list[tuple[RowResult, Client]] = []
    for result, client in checked:
        match = duplicates.first_match(client)
        if match is not None:
            made = made_by.get(id(match)) or run.client_rows.get(match.pk or 0)
            where = f"the client of row {made} of this file" if made else f"{match.full_name} (#{match.pk})"
            result.outcome = Outcome.DUPLICATE
            result.message = f"Same {_why_duplicate(client, match)} as {where}: not created again."
            matched.append((result, match))  # its id: once the file's new clients are saved
            continue
        duplicates.add(client)
        made_by[id(client)] = result.line
        new.append(client)
        result.outcome = Outcome.CREATED
    save_new_clients(clients=new, consents=False, by=run.by)
    for result, client in checked:
        if result.outcome == Outcome.CREATED:
            run.client_rows[client.pk] = result.line
            result.client_id = client.pk
    for result, match in matched:
        result.client_id = match.pk


# -- appointments ----------------------------------------------------------------------------------


@dataclass
class _Appointment:
    line: int
    start: datetime
    end: datetime | None
    practitioner: str
    service: str
    client_name: str
    client_email: str
    client_born: date | None
    note: str


def _read_appointment(values: dict[str, str], line: int, day_order: str) -> _Appointment:
    tz = clinic_tz()
    if "start" in values or "start_date" not in values:
        start = parse_datetime(values.get("start", ""), day_order, tz)
    else:
        start = local_datetime(
            parse_date(values["start_date"], day_order), parse_time(values.get("start_time", "")), tz
        )
    end = None
    if values.get("end"):
        end = parse_datetime(values["end"], day_order, tz)
    elif values.get("end_time"):
        end = local_datetime(start.astimezone(tz).date(), parse_time(values["end_time"]), tz)
    elif values.get("duration"):
        end = start + parse_duration(values["duration"])
    name = values.get("client") or " ".join(
        v for v in (values.get("client_first_name"), values.get("client_last_name")) if v
    )
    born = values.get("client_date_of_birth")
    return _Appointment(
        line=line,
        start=start,
        end=end,
        practitioner=values.get("practitioner", ""),
        service=values.get("service", ""),
        client_name=name,
        client_email=values.get("client_email", "").strip().lower(),
        client_born=parse_date(born, day_order) if born else None,
        note=values.get("note", ""),
    )


def _appointment_summary(values: dict[str, str]) -> str:
    when = values.get("start") or " ".join(
        v for v in (values.get("start_date"), values.get("start_time")) if v
    )
    who = values.get("client") or " ".join(
        v for v in (values.get("client_first_name"), values.get("client_last_name")) if v
    )
    parts = [when, who, values.get("practitioner", ""), values.get("service", "")]
    return ", ".join(p for p in parts if p)[:300]


class _Directory:
    """Practitioners, services and clients by the names a file gives them (folded), read once
    each: the clients after the clients file's rows, so the people just imported are found."""

    def __init__(self) -> None:
        self.practitioners: dict[str, set[int]] = defaultdict(set)
        for p in Practitioner.objects.select_related("user"):
            for name in (p.display_name, p.user.get_full_name(), p.user.username):
                if name.strip():
                    self.practitioners[fold(name)].add(p.pk)
        self.services = {fold(s.name): s for s in Service.objects.all()}
        self.clients: dict[str, list[tuple[int, str, date]]] = defaultdict(list)
        rows = Client.objects.values_list(
            "pk", "first_name", "last_name", "preferred_name", "email", "date_of_birth"
        )
        for pk, first, last, preferred, email, born in rows.order_by().iterator(chunk_size=5000):
            for key in {fold(f"{first} {last}"), fold(f"{preferred} {last}") if preferred else ""} - {""}:
                self.clients[key].append((pk, email.lower(), born))

    def practitioner(self, name: str) -> int:
        found = self.practitioners.get(fold(name), set())
        if not name.strip():
            raise CellError("The practitioner is missing.")
        if not found:
            raise CellError(f"No practitioner here is called “{name}”.")
        if len(found) > 1:
            raise CellError(f"More than one practitioner is called “{name}”.")
        return next(iter(found))

    def service(self, name: str) -> Service:
        if not name.strip():
            raise CellError("The service is missing.")
        if (service := self.services.get(fold(name))) is None:
            raise CellError(f"No service here is called “{name}”.")
        return service

    def client(self, appointment: _Appointment) -> int:
        name = appointment.client_name
        if not name.strip():
            raise CellError("The client's name is missing.")
        found = self.clients.get(fold(name), [])
        if appointment.client_email:
            found = [c for c in found if c[1] == appointment.client_email]
        if appointment.client_born:
            found = [c for c in found if c[2] == appointment.client_born]
        if not found:
            raise CellError(
                f"No client called “{name}” (import the clients file with it, or add them first)."
            )
        if len(found) > 1:
            raise CellError(
                f"{len(found)} clients are called “{name}”: add a column with the client's email or "
                "date of birth to tell them apart."
            )
        return found[0][0]


def _existing(appointments: list[_Appointment]) -> set[tuple[int, int, int, datetime, datetime]]:
    """The active bookings over the file's span (one bounded read): (client, practitioner,
    service, start, end) of each, to recognise an appointment imported before."""
    if not appointments:
        return set()
    first = min(a.start for a in appointments)
    last = max(a.end or a.start for a in appointments) + timedelta(days=1)
    rows = (
        Booking.objects.overlapping(first, last)
        .filter(status__in=ACTIVE_STATUSES)
        .values_list("client_id", "practitioner_id", "service_id", "start", "end")
    )
    return set(rows.order_by().iterator(chunk_size=5000))


def _this_file_overlap(
    run: _Run, practitioner_id: int, client_id: int, start: datetime, end: datetime
) -> str:
    for other_start, other_end, line, _ in run.booked[practitioner_id]:
        if other_start < end and start < other_end:
            return f"It overlaps row {line} of this file (the same practitioner)."
    for bookings in run.booked.values():
        for other_start, other_end, line, other_client in bookings:
            if other_client == client_id and other_start < end and start < other_end:
                return f"It overlaps row {line} of this file (the same client)."
    return ""


def _import_appointments(run: _Run, table: Table, mapping: list[str]) -> None:
    directory = _Directory()
    now = timezone.now()
    parsed: list[tuple[RowResult, dict[str, str], _Appointment | None]] = []
    for line, row in table.rows:
        values = cells(APPOINTMENTS, mapping, row)
        result = RowResult(FileKind.APPOINTMENTS, line, Outcome.REFUSED, summary=_appointment_summary(values))
        run.results.append(result)
        status = fold(values.get("status", ""))
        if status and (status in ("yes", "true") or any(word in status for word in NOT_HAPPENING)):
            result.outcome, result.message = Outcome.SKIPPED, f"Marked “{values['status']}” in the file."
            parsed.append((result, values, None))
            continue
        try:
            parsed.append((result, values, _read_appointment(values, line, run.day_order)))
        except CellError as error:
            result.message = str(error)
            parsed.append((result, values, None))
    resolved: list[tuple[RowResult, _Appointment, int, Service, int]] = []
    for result, _values, appointment in parsed:
        if appointment is None:
            continue
        try:
            practitioner_id = directory.practitioner(appointment.practitioner)
            service = directory.service(appointment.service)
            client_id = directory.client(appointment)
        except CellError as error:
            result.message = str(error)
            continue
        resolved.append((result, appointment, practitioner_id, service, client_id))
    existing = _existing([a for _, a, _, _, _ in resolved])
    clients = Client.objects.in_bulk({client_id for *_, client_id in resolved})
    requests = [
        BookingRequest(
            client=clients[client_id],
            practitioner=practitioner_id,
            service=service.pk,
            start=appointment.start,
            end=appointment.end or appointment.start + service.duration,
            reception_note=appointment.note,
        )
        for _, appointment, practitioner_id, service, client_id in resolved
    ]
    batch = BookingBatch(requests, by=run.by, source=BookingSource.IMPORT, now=now)
    made: list[RowResult] = []
    for (result, appointment, practitioner_id, service, client_id), request in zip(
        resolved, requests, strict=True
    ):
        end = request.end
        assert end is not None
        result.client_id = client_id
        key = (client_id, practitioner_id, service.pk, appointment.start, end)
        if key in existing:
            result.outcome, result.message = Outcome.EXISTING, "This booking is already in the calendar."
            continue
        same = run.same_rows.get(key)
        if same is not None:
            result.outcome, result.message = (
                Outcome.EXISTING,
                f"The same appointment as row {same} of this file.",
            )
            continue
        if len(appointment.note) > 300:
            result.message = "The note is longer than 300 characters; shorten it in the file."
            continue
        try:
            booking = batch.add(request)
        except BookingError as error:
            overlap = ""
            if isinstance(error, BookingConflict):  # name the file's row it collides with, if one
                overlap = _this_file_overlap(run, practitioner_id, client_id, appointment.start, end)
            result.message = (overlap or error.message)[:500]
            continue
        run.booked[practitioner_id].append((booking.start, booking.end, result.line, client_id))
        run.same_rows[key] = result.line
        result.outcome = Outcome.CREATED
        made.append(result)
    for result, saved in zip(made, batch.save(), strict=True):
        if isinstance(saved, BookingError):  # the database's rules refused it (a race)
            result.outcome, result.message = Outcome.REFUSED, saved.message[:500]
            continue
        run.booking_rows[saved.pk] = result.line
        result.booking_id = saved.pk


# -- the run ---------------------------------------------------------------------------------------


def tables(run: ImportRun) -> Iterator[tuple[str, Table, list[str]]]:
    if run.clients_text:
        yield FileKind.CLIENTS, table_or_error(run.clients_text), run.clients_mapping
    if run.appointments_text:
        yield FileKind.APPOINTMENTS, table_or_error(run.appointments_text), run.appointments_mapping


@booking_write
def _apply(import_run: ImportRun, *, by: User, keep: bool) -> list[RowResult]:
    """Every row of the run's files through the services, in this one transaction; rolled
    back unless `keep` (and, when kept, only if the outcomes are those of the dry run)."""
    run = _Run(by=by, day_order=import_run.day_order)
    for kind, table, mapping in tables(import_run):
        if kind == FileKind.CLIENTS:
            _import_clients(run, table, mapping)
        else:
            _import_appointments(run, table, mapping)
    if not keep:
        transaction.set_rollback(True)
        for result in run.results:  # what this run made is gone: no ids to point to
            if result.client_id in run.client_rows:
                result.client_id = None
            if result.booking_id in run.booking_rows:
                result.booking_id = None
        return run.results
    checked = list(import_run.rows.order_by("kind", "line").values_list("kind", "line", "outcome"))
    found = sorted((r.kind, r.line, r.outcome) for r in run.results)
    if checked != found:
        raise Changed
    _record(import_run, run.results)
    import_run.status = ImportStatus.IMPORTED
    import_run.imported_by = by
    import_run.imported_at = timezone.now()
    import_run.notice = ""
    import_run.clients_text = import_run.appointments_text = ""
    import_run.save()
    return run.results


def _record(import_run: ImportRun, results: Iterable[RowResult]) -> None:
    import_run.rows.all().delete()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    rows = []
    for r in results:
        counts[str(r.kind)][str(r.outcome)] += 1
        rows.append(
            ImportRow(
                run=import_run,
                kind=r.kind,
                line=r.line,
                outcome=r.outcome,
                summary=r.summary[:300],
                message=r.message[:500],
                client_id=r.client_id,
                booking_id=r.booking_id,
            )
        )
    ImportRow.objects.bulk_create(rows, batch_size=2000)
    import_run.counts = {kind: dict(c) for kind, c in counts.items()}


def dry_run(import_run: ImportRun, *, by: User, notice: str = "") -> ImportRun:
    """Run the import and roll it back; keep the row-by-row outcomes for the manager to read.
    When the calendar is too busy to wait for, nothing is recorded but the reason."""
    try:
        results = _apply(import_run, by=by, keep=False)
    except BookingBusy as busy:
        import_run.status, import_run.notice = ImportStatus.UPLOADED, busy.message
        import_run.save(update_fields=["status", "notice"])
        return import_run
    with transaction.atomic():
        _record(import_run, results)
        import_run.status = ImportStatus.CHECKED
        import_run.checked_at = timezone.now()
        import_run.notice = notice
        import_run.save()
    return import_run


CHANGED = (
    "Nothing was imported: some rows would now come out differently from the dry run (the "
    "calendar or the client list changed meanwhile). Here is the new dry run: check it and "
    "confirm again."
)


def confirm(import_run: ImportRun, *, by: User) -> bool:
    """Import for real, in one transaction, if the rows come out as the dry run said (True);
    else nothing is written, the new dry run is recorded with a notice, and the answer is False."""
    if import_run.status not in (ImportStatus.CHECKED, ImportStatus.IMPORTING):
        raise ValueError("Only a checked import can be confirmed.")
    try:
        _apply(import_run, by=by, keep=True)
    except Changed:
        import_run.refresh_from_db()
        dry_run(import_run, by=by, notice=CHANGED)
        return False
    except BookingBusy as busy:
        import_run.refresh_from_db()
        import_run.status, import_run.notice = ImportStatus.CHECKED, busy.message
        import_run.save(update_fields=["status", "notice"])
        return False
    return True


def discard(import_run: ImportRun) -> None:
    """Forget an import that will not be done: its files' text goes, its record stays."""
    import_run.status = ImportStatus.DISCARDED
    import_run.clients_text = import_run.appointments_text = ""
    import_run.save(update_fields=["status", "clients_text", "appointments_text"])


def earlier_imports(checksums: Iterable[str]) -> list[ImportRun]:
    """Imports done before of a file with one of these checksums (to say so on upload)."""
    wanted = [c for c in checksums if c]
    if not wanted:
        return []
    match = Q(clients_sha256__in=wanted) | Q(appointments_sha256__in=wanted)
    return list(
        ImportRun.objects.filter(match, status=ImportStatus.IMPORTED).select_related("imported_by")[:5]
    )
