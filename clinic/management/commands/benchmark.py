"""Measure the busy pages at a large data size, inside a transaction that is rolled back."""

from __future__ import annotations

import statistics
import time as clock
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from clients.models import Client
from clinic.kernel.dates import clinic_tz
from clinic.kernel.roles import Role
from clinic.models import Booking, BookingStatus, Modality, Service
from practitioners.models import Practitioner

PER_DAY = 8  # appointments a day for the measured practitioner


class _Rollback(Exception):
    """Raised to undo everything the benchmark wrote."""


class Command(BaseCommand):
    help = (
        "Build a large schedule (one practitioner with --appointments bookings over the past "
        "years, --clients clients) inside a transaction, measure the calendar, week, client list, "
        "client page and overview (queries and median time), then roll everything back: the "
        "database is left as it was. Prints one line a page, at a small and at the full size."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--appointments", type=int, default=20_000)
        parser.add_argument("--clients", type=int, default=2_000)
        parser.add_argument("--repeat", type=int, default=5, help="Requests per page for the median.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.results: list[tuple[str, int, int, float]] = []
        try:
            with transaction.atomic():
                self._run(options["appointments"], options["clients"], options["repeat"])
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(f"{'page':<14}{'appointments':>13}{'queries':>9}{'median ms':>11}")
        for page, size, queries, ms in self.results:
            self.stdout.write(f"{page:<14}{size:>13}{queries:>9}{ms:>11.1f}")

    def _run(self, appointments: int, n_clients: int, repeat: int) -> None:
        User = get_user_model()
        manager = User.objects.create_user(username="benchmark-manager", is_staff=True)
        manager.groups.add(Group.objects.get_or_create(name=Role.MANAGER)[0])
        practitioner = Practitioner.objects.create(
            user=User.objects.create_user(username="benchmark-practitioner"), display_name="Benchmark"
        )
        service = Service.objects.create(
            name="Benchmark 45",
            modality=Modality.TCM_ACUPRESSURE,
            duration_minutes=45,
            buffer_minutes=0,
            price=Decimal("50"),
            needs_room=False,
        )
        clients = Client.objects.bulk_create(
            Client(
                first_name=f"Bench{i}",
                last_name=f"Client{i}",
                date_of_birth=date(1980, 1, 1) + timedelta(days=i % 9000),
                search_name=f"client{i} bench{i}",
                search_text=f"client{i} bench{i}",
            )
            for i in range(max(n_clients, 1))
        )
        http = HttpClient(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip("."))
        http.force_login(manager)
        # Past the second step, as a manager's session is (a backup-code device stands in).
        device = StaticDevice.objects.create(user=manager, name="benchmark", confirmed=True)
        session = http.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        busy_day = timezone.localdate() - timedelta(days=1)
        pages = {
            "day view": f"{reverse('clinic:day')}?date={busy_day.isoformat()}",
            "week view": f"{reverse('clinic:week', args=[practitioner.pk])}?date={busy_day.isoformat()}",
            "client list": reverse("clients:list"),
            "client page": reverse("clients:detail", args=[clients[0].pk]),
            "overview": reverse("overview"),
        }
        made = 0
        for size in sorted({min(PER_DAY * 7, appointments), appointments}):
            made += self._book(practitioner, service, clients, busy_day, start_index=made, count=size - made)
            for page, url in pages.items():
                self.results.append((page, size, *self._measure(http, url, repeat)))

    def _book(self, practitioner, service, clients, last_day: date, *, start_index: int, count: int) -> int:
        """`count` past bookings, PER_DAY a day, going back from `last_day`."""
        tz = clinic_tz()
        rows = []
        for n in range(start_index, start_index + count):
            day = last_day - timedelta(days=n // PER_DAY)
            start = datetime.combine(day, time(9), tzinfo=tz) + timedelta(minutes=45 * (n % PER_DAY))
            rows.append(
                Booking(
                    client=clients[n % len(clients)],
                    practitioner=practitioner,
                    service=service,
                    start=start,
                    end=start + service.duration,
                    blocks_until=start + service.duration,
                    status=BookingStatus.COMPLETED,
                )
            )
        Booking.objects.bulk_create(rows, batch_size=1000)
        return count

    def _measure(self, http: HttpClient, url: str, repeat: int) -> tuple[int, float]:
        http.get(url)  # warm caches (the point index, templates)
        timings = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                began = clock.perf_counter()
                response = http.get(url)
                timings.append((clock.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            queries = len(ctx.captured_queries)
        return queries, statistics.median(timings)
