"""The request the staff views receive, as the type checker should see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `role_required` (or `login_required`): `user` is a signed-in User, never
    AnonymousUser, and HtmxMiddleware (settings) has set `htmx`. For annotations only: Django
    builds the request; nothing creates this class."""

    user: User
    htmx: HtmxDetails
