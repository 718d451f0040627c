"""Template tags the clinic app lends other apps' pages (the client page's bookings panel)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from clinic.kernel.render_cache import shared_cache
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


_ID = 987654321  # a stand-in id: reversed once, then replaced by each booking's


@register.simple_tag(takes_context=True)
def booking_url(context: template.Context, name: str, pk: int, *args: Any) -> str:
    """{% url name pk *args %} for a list of bookings: each route is reversed once per rendering
    and the id written in (a desk of a hundred bookings reverses five routes, not five hundred)."""
    cache = shared_cache(context, "clinic:booking_url")
    key = (name, *args)
    parts = cache.get(key)
    if parts is None:
        parts = cache[key] = reverse(name, args=[_ID, *args]).split(str(_ID))
    return str(int(pk)).join(parts)
