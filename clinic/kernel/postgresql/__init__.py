"""Django's PostgreSQL backend, reading timestamps with psycopg's compiled loader.

Django registers its own `timestamptz` loader, a Python subclass of psycopg's pure-Python one,
so that every timestamp comes back in the connection's time zone. It parses each value in
Python: about 4.5 µs a value here, and a calendar or an availability search reads tens of
thousands of them (three per booking). When the connection's time zone is UTC, which is what
Django uses with USE_TZ and no per-database TIME_ZONE, psycopg's compiled loader returns the
same values (aware, `datetime.timezone.utc`) about ten times faster; this backend installs it on
each cursor. With any other connection time zone it changes nothing.

`DATABASE_URL` and `BENCH_DATABASE_URL` select it through `database_config`.
"""

from __future__ import annotations

from typing import Any

import dj_database_url

ENGINE = "clinic.kernel.postgresql"
DJANGO_ENGINE = "django.db.backends.postgresql"


def database_config(url: str, **kwargs: Any) -> dict[str, Any]:
    """`dj_database_url.parse`, with this backend in place of Django's PostgreSQL backend."""
    config = dict(dj_database_url.parse(url, **kwargs))
    if config.get("ENGINE") == DJANGO_ENGINE:
        config["ENGINE"] = ENGINE
    return config
