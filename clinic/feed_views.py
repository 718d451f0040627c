"""A practitioner's private iCalendar feed of their sessions (the bookings side of the feed;
the practitioner manages its secret URL on their own page in the practitioners app)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic.ical import practitioner_feed
from clinic.models import ACTIVE_STATUSES, Booking
from practitioners.models import Practitioner

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 180


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design: the unguessable, revocable, expiring token is the credential. Wrong,
    empty, revoked or expired tokens get the same 404."""
    if not token:
        raise Http404
    practitioner = Practitioner.objects.with_live_feed(token).first()
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
