"""Structured logs: one JSON object per line, through structlog and django-structlog.

Each line has a timestamp, the level, the logger, the request id and the user's id (bound by
django-structlog's RequestMiddleware); a failed request is one line whose "exception" holds the
traceback. Logs never carry names, health data or secrets: query-string values are dropped
(a client search holds a name) and the secret part of a URL (the intake link's and the calendar
feed's token, a password-reset link) is replaced, wherever a path appears in a line.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import structlog
from django.urls import Resolver404, resolve

# URL parameters that are credentials: whoever holds the URL holds the access.
SECRET_URL_KWARGS = frozenset({"token", "uidb64"})
REDACTED = "[redacted]"
# A path as it appears in a log line: "GET /clients/intake/abc/?q=x", "Not Found: /x/".
_PATH = re.compile(r"(?<![\w/])/[^\s\"']*")


def redact_path(path: str) -> str:
    """The path with its secret URL parameters and every query-string value replaced."""
    parts = urlsplit(path)
    clean = parts.path
    try:
        match = resolve(parts.path)
    except Resolver404:
        match = None
    except Exception:  # the URLconf not loadable yet (start-up): no request path is logged then
        match = None
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and value:
                clean = clean.replace(str(value), REDACTED)
    if parts.query:
        names = [pair.partition("=")[0] for pair in parts.query.split("&") if pair]
        clean += "?" + "&".join(f"{name}=" for name in names)
    return clean


def redact_paths(text: str) -> str:
    return _PATH.sub(lambda m: redact_path(m.group(0)), text)


def redact_secrets(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: clean the request line, the message and any other text field."""
    for key, value in event_dict.items():
        if isinstance(value, str) and "/" in value and key not in ("timestamp", "logger"):
            event_dict[key] = redact_paths(value)
    return event_dict


# Shared by structlog's own loggers and by the standard library's (Django, axes, the apps).
PRE_CHAIN: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(*, level: str, renderer: str) -> dict[str, Any]:
    """The LOGGING setting: every record, Django's included, through one JSON (or console) handler.

    Django's own request logger is quietened: django-structlog's `request_failed` line already
    holds the traceback, and its `request_finished` line every 4xx, so a failure is logged once.
    """
    final = (
        structlog.dev.ConsoleRenderer(colors=False)
        if renderer == "console"
        else structlog.processors.JSONRenderer()
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": [*PRE_CHAIN, structlog.stdlib.ExtraAdder()],
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    redact_secrets,
                    final,
                ],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's defaults add a second console handler (DEBUG) and admin emails: one
            # handler, the root's, is enough.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.request": {"handlers": [], "level": "CRITICAL", "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            "axes": {"level": "WARNING"},
        },
    }


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *PRE_CHAIN,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def bind_client_address(sender: Any, request: Any, **kwargs: Any) -> None:
    """Request lines carry the client's address by the same rule as the lock-out and the access
    log (PROXY_COUNT), replacing the guess django-structlog makes from whatever headers came."""
    from django.conf import settings

    from clinic.kernel.addresses import client_address

    if not getattr(settings, "DJANGO_STRUCTLOG_IP_LOGGING_ENABLED", True):
        return
    structlog.contextvars.bind_contextvars(ip=client_address(request))
