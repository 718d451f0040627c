"""An absolute limit on a signed-in session, beside the idle timeout.

The idle timeout (SESSION_COOKIE_AGE, pushed forward by every request) never ends a session
that is kept busy: a front-desk tablet in use all day, or a stolen cookie replayed every few
minutes. This middleware records when the session signed in and signs it out once it is older
than SESSION_ABSOLUTE_HOURS (a working day by default), whatever its activity.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "clinic_signed_in_at"


class AbsoluteSessionLifetimeMiddleware:
    """Place after AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is not None and time.time() - signed_in_at > self.limit_seconds():
                logout(request)  # flushes the session: a new one starts with no user
                messages.info(request, "Your session has ended after a working day; please sign in again.")
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        # Stamped on the request that signs in (the view has just logged the user in), or on the
        # first request of a session that began some other way.
        if request.user.is_authenticated and SIGNED_IN_AT not in request.session:
            request.session[SIGNED_IN_AT] = time.time()
        return response

    @staticmethod
    def limit_seconds() -> float:
        return float(settings.SESSION_ABSOLUTE_HOURS) * 3600
