"""gunicorn's settings for the clinic app: `gunicorn --config deploy/gunicorn.conf.py clinic.wsgi`.

Each value can be overridden through the environment (GUNICORN_*) without editing this file.
"""

from __future__ import annotations

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

wsgi_app = "clinic.wsgi:application"

# Behind nginx (deploy/nginx.conf) on the same host. To run several web servers, bind each to its
# private address (GUNICORN_BIND=10.0.0.12:8000) and list them in nginx's upstream.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Sync workers: one request at a time per process. The pages are short (server-rendered, a fixed
# number of queries each), every request runs in one database transaction (ATOMIC_REQUESTS), and
# nothing streams for long: nginx buffers whole requests (a 5 MB letter upload arrives complete)
# and whole responses (a letter download is handed over at once), so a slow phone on a bad line
# ties up nginx, not a worker. Threads (gthread) would only pay for waiting on the network inside
# a request, which this app does not do apart from reading a letter from S3; processes also keep
# one request's crash or memory from another's. The usual (2 x cores) + 1 keeps the cores busy
# while some workers wait on PostgreSQL.
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))

# Timeouts, coordinated with the database's statement timeout (about 15 s, settings): a slow
# query is cancelled by PostgreSQL first, its transaction rolled back and the request answered
# with an error page, long before gunicorn kills the worker (30 s, twice the statement timeout,
# room for a request that runs more than one slow statement). nginx waits a little longer still
# (proxy_read_timeout 35 s), so the proxy never gives up on a request the worker is finishing.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart or SIGTERM, requests in flight get as long to finish as any request may take.
# systemd waits longer than this before killing (TimeoutStopSec in deploy/clinic-web.service).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Sync workers close each connection after its response; nginx opens a new one per request.
keepalive = 2

# Restart each worker after about a thousand requests, so slow memory growth never adds up; the
# jitter spreads the restarts so the workers do not all restart at the same moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# Not preloaded: `systemctl reload clinic-web` (SIGHUP) starts workers on the new code one by one
# while the old ones finish their requests, and no database connection is opened before the fork.
preload_app = False
# The workers' heartbeat files on a memory filesystem: a slow or full disk must not make
# gunicorn believe its workers hung. (gunicorn makes its files there with mkstemp.)
SHM = "/dev/shm"  # noqa: S108 - private files by mkstemp, not names of ours
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

# Only the proxy on this host may say the request came over HTTPS (X-Forwarded-Proto); list the
# proxies' addresses when nginx runs elsewhere. Django reads the same header (BEHIND_PROXY=1).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr, i.e. journald under systemd.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client's address (from nginx), time, method, path WITHOUT its query string, protocol,
# status, bytes and milliseconds. No query string, no referrer: secrets travel in URLs here (the
# online intake link, a practitioner's calendar feed), and the referrer of a page reached through
# an intake link is that link. The path itself is redacted by the logger below.
access_log_format = '%({x-real-ip}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# A path segment that looks like a secret: at least 20 URL-safe characters (the intake link's
# and the calendar feed's tokens are 43). No page of the app has a segment that long.
SECRET_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}(?=(\.ics)?(/|$))")


def redact_path(path: str) -> str:
    return SECRET_SEGMENT.sub("[redacted]", path or "")


class RedactingLogger(Logger):
    """gunicorn's logger, with secret-looking path segments left out of the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms["U"])
        atoms["r"] = f"{atoms['m']} {atoms['U']} {atoms['H']}"
        atoms["q"] = "-"
        atoms["f"] = "-"
        return atoms


logger_class = RedactingLogger
