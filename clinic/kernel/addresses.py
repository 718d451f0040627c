"""The address a request came from: one rule for the login lock-out, the access log and the logs.

`PROXY_COUNT` trusted proxies stand in front of the app, each appending the address it received
the request from to X-Forwarded-For (nginx: `$proxy_add_x_forwarded_for`). The right-most
`PROXY_COUNT` entries were therefore written by our own proxies, and the left-most of those is
the client's address. Anything further left came from the client and could be anything, so a
forged header neither hides an attacker nor gives it a fresh address. With no proxy (0, the
default) the header is ignored and the socket's address is the client's.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    entries = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) < count:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    return _valid(entries[-count]) or remote
