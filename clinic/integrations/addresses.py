"""Where webhooks may go: one rule for the form, the service and the worker that sends them.

An endpoint is an address on the internet. One inside the clinic's own network (loopback,
private ranges, link-local such as a cloud's metadata service at 169.254.169.254, shared or
reserved ranges) would let whoever registers it have the server POST to machines that trust
it, so it is refused unless `WEBHOOK_ALLOW_PRIVATE` is on (a receiver on the same machine
during development). Plain http:// is refused unless `WEBHOOK_ALLOW_HTTP` is on.

The address is checked three times: on the form (a message next to the field), in
`register_endpoint` (whatever calls it), and when each delivery connects. The last check is the
one that counts: a name can point elsewhere tomorrow, so the worker resolves it itself and
connects to the very address it checked (a name re-pointed between the check and the
connection reaches nothing new). A name that does not resolve yet is accepted on the form:
its deliveries fail, and are retried, until it does.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

NOT_HTTPS = "Use an https:// address: the events name clients and their times."
INSIDE = "This address is inside the clinic's own network (%s); webhooks go to addresses on the internet."


class AddressRefused(OSError):
    """A delivery's address resolved inside the clinic's network: nothing was sent."""


def _outside(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") aside
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _inside(addresses: list[str]) -> str | None:
    """Why these resolved addresses may not be reached (some are inside), or None (all are on
    the internet, or WEBHOOK_ALLOW_PRIVATE)."""
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return None
    inside = sorted({a for a in addresses if not _outside(a)})
    return INSIDE % ", ".join(inside) if inside else None


def url_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint's address, or None. A name that does not resolve (yet)
    is no problem here: the worker checks again on each delivery."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        return NOT_HTTPS
    if settings.WEBHOOK_ALLOW_PRIVATE or not parts.hostname:
        return None
    try:
        addresses = _resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError, ValueError):
        return None
    return _inside(addresses)


def _connect_outside(
    address: tuple[str, int], timeout: Any = None, source_address: Any = None
) -> socket.socket:
    """socket.create_connection, to an address of the name that is on the internet (every
    address the name resolves to is checked: one inside refuses them all)."""
    host, port = address
    addresses = _resolve(host, port)
    if problem := _inside(addresses):
        raise AddressRefused(problem)
    error: OSError | None = None
    for resolved in dict.fromkeys(addresses):
        try:
            return socket.create_connection((resolved, port), timeout, source_address)
        except OSError as failed:
            error = failed
    raise error or OSError(f"No address for {host}.")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_outside  # http.client sets socket.create_connection


class _HTTPSConnection(http.client.HTTPSConnection):
    # TLS still checks the certificate against the name in the URL (server_hostname).
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_outside


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_HTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


def opener(*handlers: type[urllib.request.BaseHandler]) -> urllib.request.OpenerDirector:
    """A urllib opener that connects only to addresses outside the clinic's network (unless
    WEBHOOK_ALLOW_PRIVATE), straight: a proxy from the environment would be a way around it."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _HTTPHandler, _HTTPSHandler, *handlers
    )
