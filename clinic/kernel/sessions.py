"""How long a session lives: an idle timeout, and an absolute limit beside it.

Idle: a session ends SESSION_COOKIE_AGE after its last save, and `IdleTimeoutMiddleware` saves
a session in use at most once every SESSION_TOUCH_SECONDS, pushing its end forward. (Saving on
every request, Django's SESSION_SAVE_EVERY_REQUEST, wrote the session row on every page view:
three statements a page, for an expiry that a minute either way does not change.)

Absolute: the idle timeout never ends a session that is kept busy: a front-desk tablet in use
all day, or a stolen cookie replayed every few minutes. `AbsoluteSessionLifetimeMiddleware`
records when the session signed in and signs it out once it is older than
SESSION_ABSOLUTE_HOURS (a working day by default), whatever its activity.
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
TOUCHED_AT = "clinic_touched_at"


class IdleTimeoutMiddleware:
    """Place right after SessionMiddleware. A session the request read (a signed-in user's
    always is) and last saved SESSION_TOUCH_SECONDS ago or more is saved again, which moves its
    expiry to SESSION_COOKIE_AGE from now; a session being saved anyway is stamped as saved. A
    session nobody read is left alone (reading it would cost a query)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        if session.modified:
            session[TOUCHED_AT] = int(time.time())  # saved anyway (signing in, a form's state)
        elif session.accessed and session.session_key is not None:
            now = int(time.time())
            if now - session.get(TOUCHED_AT, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED_AT] = now  # marks it modified: SessionMiddleware saves it
        return response


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
