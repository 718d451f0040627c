"""When the database gives up on a write that was itself fine: contention with other writers.

A deadlock or a serialization failure rolled the transaction back (running it again may
succeed); a lock wait or a statement that ran past the configured timeouts (DB_LOCK_TIMEOUT,
DB_STATEMENT_TIMEOUT, SQLITE_BUSY_TIMEOUT) timed out. The booking service retries and answers
these itself (clinic.services.contended); `BusyMiddleware` answers any other page that meets
one with a clear "busy, try again" (503) instead of a server error.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)


class Contention(enum.Enum):
    """Why the database gave up on a write that was itself fine."""

    ROLLED_BACK = "rolled back"  # chosen to break a deadlock, or a serialization failure: rerun it
    TIMED_OUT = "timed out"  # waited for a lock (or a statement ran) longer than the settings allow


def contention(error: BaseException) -> Contention | None:
    """What a database error says about contention with other writers (None: something else).

    Django wraps the driver's error; the driver's own class says what happened.
    """
    cause = error.__cause__ if isinstance(error, OperationalError) else error
    if isinstance(cause, pg_errors.DeadlockDetected | pg_errors.SerializationFailure):
        return Contention.ROLLED_BACK
    if isinstance(cause, pg_errors.LockNotAvailable | pg_errors.QueryCanceled):
        return Contention.TIMED_OUT
    if isinstance(cause, sqlite3.OperationalError) and (
        getattr(cause, "sqlite_errorname", "") in {"SQLITE_BUSY", "SQLITE_LOCKED"}
        or "database is locked" in str(cause)
    ):
        return Contention.TIMED_OUT
    return None


# Seconds a browser or a script is told to wait before trying again.
RETRY_AFTER = 5


class BusyMiddleware:
    """A page that meets contention answers 503 "busy, try again" (nothing was saved: the
    request's transaction was rolled back), never a bare server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        kind = contention(exception)
        if kind is None:
            return None
        logger.warning("%s %s: %s; answered busy", request.method, request.path, kind.value)
        template = "_busy.html" if request.headers.get("HX-Request") else "503.html"
        response = render(request, template, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
