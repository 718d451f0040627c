"""Pages reached through an emailed one-time link (the intake form, an online booking's manage
link, a waitlist claim): never cached, and with a Referrer-Policy chosen per page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from django.http import HttpResponse
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
