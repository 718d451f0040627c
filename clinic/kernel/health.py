"""Health probes for the load balancer and the orchestrator: `/healthz` and `/readyz`.

`/healthz` says the process is up and answering: "ok", nothing else, no database. `/readyz`
says this process can serve: the database answers, every migration is applied and (where the
setting asks for it) the task worker's heartbeat is fresh; otherwise 503 with the reason.

Neither needs a login, and neither shows any data. They are answered by a middleware at the
head of the chain, so a probe is not redirected to HTTPS, not held to ALLOWED_HOSTS (probes come
by address), opens no session and is not logged as a request.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse

from clinic.kernel.outbox.health import worker_heartbeat_age


def database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"database unreachable ({type(exc).__name__})"
    return None


def migrations_problem() -> str | None:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"migrations unknown ({type(exc).__name__})"
    return f"{len(plan)} migration(s) not applied" if plan else None


def worker_problem() -> str | None:
    """None when the worker is fresh or not required."""
    if not settings.READYZ_REQUIRE_WORKER:
        return None
    age = worker_heartbeat_age()
    if age is None:
        return "task worker has not reported yet"
    if age > settings.WORKER_HEARTBEAT_MAX_AGE:
        return f"task worker silent for {int(age)} s (limit {settings.WORKER_HEARTBEAT_MAX_AGE} s)"
    return None


def readiness() -> list[str]:
    """What stops this process from serving; empty when ready. No check runs past a dead database."""
    problem = database_problem()
    if problem:
        return [problem]
    return [p for p in (migrations_problem(), worker_problem()) if p]


def _answer(status: int, body: dict[str, object]) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def healthz() -> HttpResponse:
    response = HttpResponse("ok", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def readyz() -> HttpResponse:
    problems = readiness()
    if problems:
        return _answer(503, {"status": "unavailable", "problems": problems})
    return _answer(200, {"status": "ok"})


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answers GET and HEAD on /healthz and /readyz before anything else runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info.rstrip("/"))
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe()
        return self.get_response(request)
