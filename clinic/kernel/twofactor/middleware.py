"""Until the second step is done, a signed-in session reaches only the sign-in pages.

Place after the OTP middleware (clinic.kernel.identity.VerifiedDeviceMiddleware, which sets
`request.user.is_verified()`). Every other page, the back office included, sends the user to the
verify page (or, with no device yet, to enrolment), with `next` kept; an htmx request is told
through HX-Redirect, so the whole page moves rather than a fragment being swapped for a sign-in
form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django_otp import user_has_device

from clinic.kernel.twofactor.policy import must_verify

# The pages an unverified session may open: the second step itself and signing out (or in
# as someone else).
OPEN_URL_NAMES = frozenset({"twofactor:verify", "twofactor:enrol", "logout", "login"})


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        static = request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/"))
        if user.is_authenticated and not static and not user.is_verified():
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            name = match.view_name if match else ""
            back_office = bool(match and match.app_name == "admin")
            if name not in OPEN_URL_NAMES and must_verify(user, back_office=back_office):
                return self.second_step(request)
        return self.get_response(request)

    @staticmethod
    def second_step(request: HttpRequest) -> HttpResponse:
        view = "twofactor:verify" if user_has_device(request.user) else "twofactor:enrol"
        url = reverse(view)
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
