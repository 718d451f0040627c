"""Template tags the clinic app lends other apps' pages (the client page's bookings panel)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag
def slot_buttons(day_slots: list[dict[str, Any]], short_day: str, name: str, htmx: Any = False) -> SafeString:
    """One practitioner's free start times on a day as booking buttons (the find-slots results):
    written in one pass rather than a dozen template lookups per button. Values are escaped."""
    out = []
    for slot in day_slots:
        url = escape(slot["url"])
        at = timezone.localtime(slot["start"]).strftime("%H:%M")  # as `|time:"H:i"` shows it
        room = slot.get("room")
        where = f" in {escape(room.name)}" if room else ""
        hx = f' hx-get="{url}" hx-target="#booking-form-wrap" hx-swap="outerHTML"' if htmx else ""
        out.append(
            f'\n        <a class="btn btn-sm btn-outline-primary" href="{url}"{hx}\n'
            f'           aria-label="Book {escape(short_day)} {at} with {escape(name)}{where}">{at}</a>'
        )
    return mark_safe("".join(out))
