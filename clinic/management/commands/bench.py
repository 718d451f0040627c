"""`manage.py bench` (and `make bench`): build a large clinic once, time the key pages, check the targets."""

from __future__ import annotations

import json
import os
import sqlite3
import time as clock
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.utils import timezone
from psycopg import sql

from clinic.bench import data, pages
from clinic.kernel.dates import clinic_tz
from clinic.kernel.postgresql import database_config

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench"


class Command(BaseCommand):
    help = (
        "Build (once) a large clinic in a benchmark database of its own per size (COPY on "
        "PostgreSQL), time the key pages through the real views against a bare page, print the "
        "table, write bench-results/<size>.json, and fail naming each target missed. "
        "Never touches the project's own database (unless --here)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            default="",
            help="tiny, 1k, 20k or 1m (bookings), or several: 1k,1m. "
            "Default: 1m on PostgreSQL, 20k on SQLite.",
        )
        parser.add_argument(
            "--database-url",
            default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL,
            help="Where the data sets live (BENCH_DATABASE_URL); each size gets its own database, "
            "named with the size appended (clinic_bench_1m, bench_20k.sqlite3).",
        )
        parser.add_argument(
            "--here",
            action="store_true",
            help="Use the configured database as it is (an empty one: the tests' database).",
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Build the data set again even if it is there."
        )
        parser.add_argument(
            "--repeat", type=int, default=15, help="Timed requests per page (the median counts)."
        )
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per page first.")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "bench-results"))
        parser.add_argument("--no-fail", action="store_true", help="Report misses without failing.")
        parser.add_argument(
            "--load-only", action="store_true", help="Build (or reuse) the data sets; time no page."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base: dict[str, Any] | None = None if options["here"] else database_config(options["database_url"])
        vendor = connection.vendor if base is None else _vendor(base)
        labels = [s for s in (options["size"] or ("1m" if vendor == "postgresql" else "20k")).split(",") if s]
        try:
            sizes = [(label.strip().lower(), data.parse_size(label)) for label in labels]
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.")
        output = Path(options["output"])
        output.mkdir(parents=True, exist_ok=True)
        reports = []
        misses: list[str] = []
        for label, bookings in sorted(sizes, key=lambda s: s[1]):
            if base is not None:
                self._use(base, label)
            facts = self._data_set(label, bookings, rebuild=options["rebuild"], here=base is None)
            if options["load_only"]:
                continue
            self.stdout.write(
                f"Timing the pages at {label} ({options['repeat']} runs each, after {options['warmup']})"
            )
            try:
                report = pages.measure(
                    facts, repeat=options["repeat"], warmup=options["warmup"], log=self.stdout.write
                )
            except RuntimeError as error:
                raise CommandError(str(error)) from error
            (output / f"{label}.json").write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write("\n".join(pages.table(report)))
            self.stdout.write(f"Written {output / f'{label}.json'}\n")
            misses += [f"{p['label']} at {label}: {m}" for p in report["pages"].values() for m in p["misses"]]
            reports.append(report)
        if len(reports) > 1:
            lines, grown = pages.growth(reports[0], reports[-1])
            self.stdout.write("\n".join(lines))
            growth_file = output / f"growth-{reports[0]['size']}-{reports[-1]['size']}.json"
            growth_file.write_text(json.dumps({"lines": lines, "misses": grown}, indent=2) + "\n")
            misses += grown
        if misses:
            message = f"{len(misses)} target(s) missed:\n  " + "\n  ".join(misses)
            if options["no_fail"]:
                self.stdout.write(message)
            else:
                raise CommandError(message)
        else:
            self.stdout.write(self.style.SUCCESS("Every target met."))

    # -- the database of a size ----------------------------------------------------------------

    def _use(self, base: dict[str, Any], label: str) -> None:
        """Point the default connection at this size's benchmark database, creating it if missing."""
        config = dict(base)
        if _vendor(base) == "postgresql":
            config["NAME"] = f"{base['NAME']}_{label}"
            _ensure_postgres_database(config)
        else:
            path = Path(base["NAME"])
            config["NAME"] = str(path.with_name(f"{path.stem}_{label}{path.suffix or '.sqlite3'}"))
        current = settings.DATABASES["default"]
        options = dict(current.get("OPTIONS", {})) if current["ENGINE"] == config["ENGINE"] else {}
        if _vendor(config) == "sqlite":
            options = {"transaction_mode": "IMMEDIATE", "timeout": 5, **options}
        config.update(ATOMIC_REQUESTS=True, CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False, OPTIONS=options)
        connections.close_all()
        configured = connections.configure_settings({"default": config})
        settings.DATABASES = configured
        connections.settings = configured
        del connections["default"]
        self.stdout.write(f"Benchmark database: {config['NAME']}")

    def _data_set(self, label: str, bookings: int, *, rebuild: bool, here: bool) -> data.Facts:
        """The size's data set: reused when built today at this size by this generator, else built."""
        began = clock.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
        self.stdout.write(f"Migrated in {clock.perf_counter() - began:.1f} s")
        facts = data.read_marker()
        today = timezone.localdate(timezone.now(), clinic_tz()).isoformat()
        if (
            facts is not None
            and not rebuild
            and facts.bookings == bookings
            and facts.anchor == today
            and facts.layout == data.LAYOUT
        ):
            self.stdout.write(
                f"Reusing the {label} data set ({facts.counts.get('bookings', bookings):,} bookings, "
                f"loaded in {facts.load_seconds:.1f} s)"
            )
            return facts
        if facts is not None or _has_bookings():
            if here:
                raise CommandError("--here needs an empty database; this one already holds a clinic.")
            why = (
                "asked to"
                if rebuild
                else ("a different size" if facts and facts.bookings != bookings else "stale")
            )
            self.stdout.write(f"Rebuilding the {label} data set ({why})")
            self._recreate()
        self.stdout.write(f"Loading the {label} clinic ({bookings:,} bookings)")
        facts = data.build(label, bookings, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Load time: {facts.load_seconds:.1f} s ({facts.counts})"))
        return facts

    def _recreate(self) -> None:
        config: dict[str, Any] = dict(settings.DATABASES["default"])
        connections.close_all()
        if _vendor(config) == "postgresql":
            _ensure_postgres_database(config, drop=True)
        else:
            Path(config["NAME"]).unlink(missing_ok=True)
            sqlite3.connect(config["NAME"]).close()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)


def _vendor(config: dict[str, Any]) -> str:
    engine = config["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite" in engine:
        return "sqlite"
    raise CommandError(f"The benchmark runs on PostgreSQL or SQLite, not {engine}.")


def _has_bookings() -> bool:
    from clinic.models import Booking

    return Booking.objects.exists()


def _ensure_postgres_database(config: dict[str, Any], *, drop: bool = False) -> None:
    """Create the database if missing (dropping it first with `drop`), through the server's
    `postgres` database."""
    name = config["NAME"]
    params: dict[str, Any] = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        quoted = sql.Identifier(name)
        if drop:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(quoted))
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(quoted))
