"""Pages reached through an emailed one-time link (the intake form, an online booking's manage
link, a waitlist claim): never cached, with a Referrer-Policy chosen per page, and the token
traded for a short grant in the session so the next page's address carries none."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

P = ParamSpec("P")


def private_link_page(
    referrer_policy: str,
) -> Callable[[Callable[P, HttpResponse]], Callable[P, HttpResponse]]:
    """Never cached, with the given Referrer-Policy.

    The emailed link's own address carries the token: "no-referrer" there, so it leaks to no
    page at all. The questionnaire's address carries none: "same-origin" there, so nothing goes
    to other sites, while the browser still sends the Origin that Django's CSRF check reads on
    the form's POST (with "no-referrer" browsers send `Origin: null` and the POST is refused).
    """

    def decorator(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            response = view(*args, **kwargs)
            add_never_cache_headers(response)
            response["Referrer-Policy"] = referrer_policy
            return response

        return wrapper

    return decorator


def grant(request: HttpRequest, key: str, record_id: int, seconds: int) -> None:
    """Trade an opened link's token for a grant in a fresh session: the next, token-free page
    reads which record this browser may see, for `seconds`."""
    request.session.cycle_key()
    request.session[key] = {"id": record_id, "until": int(time.time()) + seconds}


def granted(request: HttpRequest, key: str) -> int | None:
    """The record this session's grant names, or None when there is none or it has run out."""
    held = request.session.get(key)
    if not isinstance(held, dict) or held.get("until", 0) < time.time():
        return None
    record_id = held.get("id")
    return record_id if isinstance(record_id, int) else None
