"""A practitioner's private iCalendar feed and the page that manages its secret URL."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic.roles import Role, is_manager, role_required
from practitioners.models import Practitioner

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 180


def get_practitioner_for(user: Any, pk: int) -> Practitioner:
    """Managers reach every practitioner; a practitioner only themself (others: 404)."""
    practitioner = get_object_or_404(Practitioner, pk=pk)
    if is_manager(user) or practitioner.user_id == user.pk:
        return practitioner
    raise Http404("No such practitioner.")


def feed_url(request: HttpRequest, practitioner: Practitioner) -> str:
    path = reverse("practitioners:ical_feed", args=[practitioner.ical_token])
    return settings.SITE_URL.rstrip("/") + path


@role_required(Role.PRACTITIONER, Role.MANAGER)
def feed_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """See the feed URL; make a new one (the old stops working) or switch the feed off."""
    practitioner = get_practitioner_for(request.user, pk)
    url = feed_url(request, practitioner) if practitioner.ical_token else ""
    return render(request, "practitioners/feed_settings.html", {"practitioner": practitioner, "url": url})


@role_required(Role.PRACTITIONER, Role.MANAGER)
@require_POST
def feed_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = get_practitioner_for(request.user, pk)
    practitioner.regenerate_ical_token()
    messages.success(request, "A new feed address is ready; the old one no longer works.")
    return redirect("practitioners:feed_settings", pk=practitioner.pk)


@role_required(Role.PRACTITIONER, Role.MANAGER)
@require_POST
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = get_practitioner_for(request.user, pk)
    practitioner.revoke_ical_token()
    messages.success(request, "The calendar feed is switched off.")
    return redirect("practitioners:feed_settings", pk=practitioner.pk)


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design: the unguessable, revocable token is the credential. Wrong, empty or
    revoked tokens get the same 404."""
    from clinic.ical import practitioner_feed
    from clinic.models import ACTIVE_STATUSES, Booking

    if not token:
        raise Http404
    practitioner = (
        Practitioner.objects.filter(is_active=True).exclude(ical_token="").filter(ical_token=token).first()
    )
    if practitioner is None or not secrets.compare_digest(practitioner.ical_token, token):
        raise Http404
    now = timezone.now()
    bookings = (
        Booking.objects.filter(
            practitioner=practitioner,
            status__in=ACTIVE_STATUSES,
            start__gte=now - timedelta(days=FEED_PAST_DAYS),
            start__lte=now + timedelta(days=FEED_FUTURE_DAYS),
        )
        .select_related("client", "service", "room")
        .order_by("start")
    )
    response = HttpResponse(
        practitioner_feed(practitioner, bookings), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
