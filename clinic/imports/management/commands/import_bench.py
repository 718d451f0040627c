"""Time the import of a large clinic: generated clients and appointments files, dry run, import."""

from __future__ import annotations

import hashlib
import time as clock
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from clinic.imports import services
from clinic.imports.files import table_or_error
from clinic.imports.layouts import APPOINTMENTS, CLIENTS, guess_mapping
from clinic.imports.models import ImportRun
from clinic.kernel.roles import Role
from clinic.models import Modality, Service
from practitioners.models import Practitioner, WorkingHours

HOURS = (time(8), time(20))


class Rollback(Exception):
    """Ends the benchmark's transaction so nothing it wrote is kept."""


def clients_file(count: int) -> str:
    lines = ["First name,Last name,Date of birth,Mobile,Email,Address"]
    for n in range(count):
        born = date(1950, 1, 1) + timedelta(days=(n * 37) % 20000)
        lines.append(
            f"Bench{n},Client{n},{born.isoformat()},07400 {100000 + n},bench{n}@example.com,{n} Bench Street"
        )
    return "\n".join(lines) + "\n"


def appointments_file(count: int, clients: int, practitioners: list[str], first_day: date) -> str:
    """`count` hour-long sessions shared out over the practitioners, each practitioner's back
    to back within working hours, day after day; each client's sessions at different times."""
    per_day = HOURS[1].hour - HOURS[0].hour
    lines = ["Start,Duration,Client,Practitioner,Service"]
    for k in range(count):
        slot = k // len(practitioners)
        day = first_day + timedelta(days=slot // per_day)
        hour = HOURS[0].hour + slot % per_day
        n = k % clients
        who = practitioners[k % len(practitioners)]
        lines.append(f"{day.isoformat()} {hour:02d}:00,60,Bench{n} Client{n},{who},Bench massage")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = (
        "Time an import on the configured database: generates a clients file and an "
        "appointments file (with bench practitioners and a service), runs the dry run and the "
        "import through clinic.imports.services, prints the times, then rolls everything back "
        "(nothing is kept unless --keep)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=10_000)
        parser.add_argument("--appointments", type=int, default=20_000)
        parser.add_argument("--practitioners", type=int, default=12)
        parser.add_argument("--keep", action="store_true", help="Keep what the import wrote.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                self._bench(options)
                if not options["keep"]:
                    raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: nothing kept.")

    def _bench(self, options: dict[str, Any]) -> None:
        stamp = timezone.now().strftime("%H%M%S%f")
        users = get_user_model().objects
        manager = users.create_user(username=f"bench-manager-{stamp}")
        manager.groups.add(Group.objects.get_or_create(name=Role.MANAGER)[0])
        names = [f"Bench Practitioner {stamp}-{i}" for i in range(options["practitioners"])]
        practitioners = [
            Practitioner.objects.create(
                user=users.create_user(username=f"bench-{stamp}-{i}"), display_name=name
            )
            for i, name in enumerate(names)
        ]
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=p, weekday=d, start=HOURS[0], end=HOURS[1])
            for p in practitioners
            for d in range(7)
        )
        service = Service.objects.filter(name="Bench massage").first() or Service.objects.create(
            name="Bench massage",
            modality=Modality.MASSAGE,
            duration_minutes=60,
            buffer_minutes=0,
            price=Decimal("50.00"),
            needs_room=False,
        )
        service.practitioners.add(*practitioners)
        first_day = timezone.localdate() + timedelta(days=2)
        texts = {
            "clients": clients_file(options["clients"]),
            "appointments": appointments_file(options["appointments"], options["clients"], names, first_day),
        }
        run = ImportRun(created_by=manager)
        for kind, text in texts.items():
            if text.count("\n") < 2:
                continue  # no rows asked for: no file
            setattr(run, f"{kind}_name", f"bench-{kind}.csv")
            setattr(run, f"{kind}_text", text)
            setattr(run, f"{kind}_sha256", hashlib.sha256(text.encode()).hexdigest())
            layout = CLIENTS if kind == "clients" else APPOINTMENTS
            setattr(run, f"{kind}_mapping", guess_mapping(layout, table_or_error(text).headers))
        run.save()
        self.stdout.write(
            f"{connection.vendor}: {options['clients']:,} clients, {options['appointments']:,} appointments, "
            f"{len(practitioners)} practitioners"
        )
        # Wall-clock time, and this process's CPU time (what a busy machine does not inflate;
        # the database server's own time is in the first only, on PostgreSQL).
        started, cpu = clock.perf_counter(), clock.process_time()
        services.dry_run(run, by=manager)
        checked, checked_cpu = clock.perf_counter(), clock.process_time()
        self.stdout.write(f"dry run: {checked - started:.1f} s (CPU {checked_cpu - cpu:.1f} s)  {run.counts}")
        done = services.confirm(run, by=manager)
        finished, finished_cpu = clock.perf_counter(), clock.process_time()
        run.refresh_from_db()
        self.stdout.write(
            f"import:  {finished - checked:.1f} s (CPU {finished_cpu - checked_cpu:.1f} s)  {run.counts} "
            f"(kept as checked: {done})"
        )
