"""The backend's connection: Django's, with the compiled timestamp loader (see the package)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import adapters
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ_OID = types["timestamptz"].oid
# What psycopg itself registers: the compiled loader when psycopg[binary] or [c] is installed.
FAST_LOADER = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: Any = None) -> Any:
        cursor = super().create_cursor(name)
        if settings.USE_TZ and self.timezone is UTC:
            # Values come back aware, in the session's zone (UTC: Django set it on connecting).
            cursor.adapters.register_loader(TIMESTAMPTZ_OID, FAST_LOADER)
        return cursor
