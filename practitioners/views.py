"""The page where a practitioner manages the secret URL of their private iCalendar feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.kernel.roles import Role, role_required
from practitioners.forms import FeedPrivacyForm
from practitioners.models import Practitioner
from practitioners.selectors import get_practitioner_for


def feed_url(request: HttpRequest, practitioner: Practitioner) -> str:
    # The feed itself is served by the bookings app (clinic.feed_views), at a path under this
    # app's prefix so that subscribed calendars keep working.
    path = reverse("ical_feed", args=[practitioner.ical_token])
    return settings.SITE_URL.rstrip("/") + path


@role_required(Role.PRACTITIONER, Role.MANAGER)
def feed_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """See the feed URL; make a new one (the old stops working) or switch the feed off; choose
    whether it names clients. An expired address is not shown: only the offer of a new one."""
    practitioner = get_practitioner_for(request.user, pk)
    expired = practitioner.ical_token_expired()
    url = feed_url(request, practitioner) if practitioner.ical_token and not expired else ""
    context = {
        "practitioner": practitioner,
        "url": url,
        "expired": expired,
        "feed_valid_days": settings.ICAL_FEED_VALID_DAYS,
    }
    return render(request, "practitioners/feed_settings.html", context)


@role_required(Role.PRACTITIONER, Role.MANAGER)
@require_POST
def feed_privacy(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = get_practitioner_for(request.user, pk)
    form = FeedPrivacyForm(request.POST, instance=practitioner)
    if form.is_valid():
        practitioner.show_client_names_in_feed(form.cleaned_data["ical_shows_client_names"])
    if practitioner.ical_shows_client_names:
        messages.success(request, "The feed now shows each client's first name and initial.")
    else:
        messages.success(request, 'The feed now shows each session as "Booked", with no client\'s name.')
    return redirect("practitioners:feed_settings", pk=practitioner.pk)


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
