"""Rate limits for public forms (counters per client address and per typed email address)
and for API keys (a counter per key).

Each request is counted under a scope ("password-reset", "online-booking") for the address it
came from and, when one is typed, for the email address (kept only as a digest). Past either
limit within the window the request is refused (the caller answers 429) and not counted. An
email that matches nobody is counted the same way, so the answer reveals nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache

from clinic.kernel.addresses import client_address


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def allow(
    request: Any, scope: str, *, email: str | None, per_address: int, per_email: int, window: int
) -> bool:
    """Count this request unless its address or its email is over the limit already.
    `window`: seconds from the first counted request."""
    counters = [(f"{scope}:address:{client_address(request)}", per_address)]
    if email:
        counters.append((f"{scope}:email:{digest(email.strip().lower())}", per_email))
    return _count(counters, window)


def allow_key(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count this request under one named counter (an API key's) unless it is over `limit`."""
    return _count([(f"{scope}:{key}", limit)], window)


def _count(counters: list[tuple[str, int]], window: int) -> bool:
    seen = [(key, limit, cache.get(key)) for key, limit in counters]
    if any((count or 0) >= limit for _key, limit, count in seen):
        return False
    for key, _limit, count in seen:
        if count is None:
            cache.add(key, 0, timeout=window)  # starts the window (no-op if a racer just did)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
    return True
