"""Template tags the clinic app lends other apps' pages (the client page's bookings panel)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from clinic.models import Booking

register = template.Library()

RECENT = 10


@register.inclusion_tag("clinic/_client_bookings_list.html", takes_context=True)
def client_bookings(context: template.Context, client: Any) -> dict[str, Any]:
    """A client's upcoming sessions and the most recent past ones (two queries)."""
    now = timezone.now()
    base = Booking.objects.filter(client=client).select_related("practitioner", "service", "room")
    upcoming = list(base.not_ended(now).order_by("start"))
    past = list(base.filter(end__lt=now).order_by("-start")[:RECENT])
    return {"client": client, "upcoming": upcoming, "past": past, "request": context.get("request")}
