"""Template tags the clinic app lends other apps' pages (the client page's bookings panel)."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from clients.templatetags.clients_tags import BADGE_TEMPLATE, render_badge
from clinic.kernel.render_cache import id_route, shared_cache
from clinic.models import Booking, BookingStatus
from clinic.templatetags.calendar_grid import booking_source

register = template.Library()

RECENT = 10


def _escape(value: Any) -> str:
    """What django.utils.html.escape writes, without its check for lazy strings on each call:
    these tags write a day's rows, a dozen values each."""
    return html.escape(str(value))


@register.inclusion_tag("clinic/_client_bookings_list.html", takes_context=True)
def client_bookings(context: template.Context, client: Any) -> dict[str, Any]:
    """A client's upcoming sessions and the most recent past ones (two queries)."""
    now = timezone.now()
    base = Booking.objects.filter(client=client).select_related("practitioner", "service", "room")
    upcoming = list(base.not_ended(now).order_by("start"))
    past = list(base.filter(end__lt=now).order_by("-start")[:RECENT])
    return {"client": client, "upcoming": upcoming, "past": past, "request": context.get("request")}


@register.simple_tag(takes_context=True)
def booking_url(context: template.Context, name: str, pk: int, *args: Any) -> str:
    """{% url name pk *args %} for a list of bookings: each route is reversed once per rendering
    and the id written in (a desk of a hundred bookings reverses five routes, not five hundred)."""
    cache = shared_cache(context, "clinic:booking_url")
    key = (name, *args)
    route = cache.get(key)
    if route is None:
        route = cache[key] = id_route(name, *args)
    return route(pk)


@register.simple_tag
def slot_buttons(day_slots: list[dict[str, Any]], short_day: str, name: str, htmx: Any = False) -> SafeString:
    """One practitioner's free start times on a day as booking buttons (the find-slots results):
    written in one pass rather than a dozen template lookups per button. Values are escaped."""
    out = []
    for slot in day_slots:
        url = _escape(slot["url"])
        at = timezone.localtime(slot["start"]).strftime("%H:%M")  # as `|time:"H:i"` shows it
        room = slot.get("room")
        where = f" in {_escape(room.name)}" if room else ""
        hx = f' hx-get="{url}" hx-target="#booking-form-wrap" hx-swap="outerHTML"' if htmx else ""
        out.append(
            f'\n        <a class="btn btn-sm btn-outline-primary" href="{url}"{hx}\n'
            f'           aria-label="Book {_escape(short_day)} {at} with {_escape(name)}{where}">{at}</a>'
        )
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def booking_actions(context: template.Context, booking: Booking) -> SafeString:
    """The quick status actions a booking offers now (arrived, no-show, completed, undo; move and
    cancel links; an online request's confirmation), as small POST forms returning to this page.

    Written in Python rather than a template: the desk lists every booking of the day with its
    actions, and an included template cost more than the rest of the row. The CSRF field, the
    return address and the routes are worked out once per rendering. Values are escaped."""
    cache = shared_cache(context, "clinic:booking_actions")
    if "hidden" not in cache:
        request = context["request"]
        cache["hidden"] = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}">',
            get_token(request),
            request.get_full_path(),
        )
    hidden = cache["hidden"]
    who = _escape(booking.client.display_name)

    def url(name: str, *args: Any) -> str:
        return _escape(booking_url(context, name, booking.pk, *args))

    def post(action: str, classes: str, label: str, hint: str = "", confirm: str = "") -> str:
        extra = f' data-confirm="{_escape(confirm)}"' if confirm else ""
        return (
            f'<form method="post" action="{action}">{hidden}<button class="btn btn-sm {classes}" '
            f'type="submit"{extra}>{label}{hint}</button></form>'
        )

    def status(step: str) -> str:
        return url("clinic:booking_status", step)

    named = f'<span class="visually-hidden">: {who}</span>'
    parts: list[str] = []
    if booking.status == BookingStatus.BOOKED:
        if booking.awaiting_confirmation:
            hint = f'<span class="visually-hidden"> the online request: {who}</span>'
            parts.append(post(url("online:confirm"), "btn-warning", "Confirm", hint))
        if booking.arrival_due:
            parts.append(post(status("arrived"), "btn-success", "Arrived", named))
        if booking.no_show_possible:
            question = f"Mark {booking.client.display_name} as a no-show?"
            parts.append(post(status("no_show"), "btn-outline-secondary", "No-show", named, question))
        for name, classes, label in (
            ("clinic:booking_move", "btn-outline-primary", "Move"),
            ("clinic:booking_cancel", "btn-outline-danger", "Cancel"),
        ):
            parts.append(f'<a class="btn btn-sm {classes}" href="{url(name)}">{label}{named}</a>')
    elif booking.status == BookingStatus.ARRIVED:
        if booking.completion_due:
            parts.append(post(status("completed"), "btn-primary", "Completed", named))
        parts.append(post(status("undo"), "btn-outline-secondary", "Undo arrival"))
    elif booking.status == BookingStatus.NO_SHOW:
        parts.append(post(status("undo"), "btn-outline-secondary", "Undo no-show"))
    inner = "\n  ".join(parts)
    return mark_safe(f'<div class="d-flex flex-wrap gap-1 d-print-none booking-actions">\n  {inner}\n</div>')


@register.simple_tag(takes_context=True)
def desk_rows(context: template.Context, bookings: list[Booking]) -> SafeString:
    """The desk's list of today's sessions, one <li> each: time and client (linked to the
    booking), service, practitioner, room, status and where it was booked, the screening badge
    and the quick actions. Written in one pass like the calendar's grid: a day of a hundred and
    fifty sessions cost more in template lookups than in everything else on the page."""
    badges = shared_cache(context, BADGE_TEMPLATE)
    rows = []
    for booking in bookings:
        room = f" · {_escape(booking.room.name)}" if booking.room else ""
        status = _escape(BookingStatus(booking.status).label)
        rows.append(
            f'<li class="list-group-item booking-row booking-{_escape(booking.status)}">\n'
            '  <div class="d-flex flex-wrap justify-content-between gap-2">\n'
            f'    <a href="{_escape(booking_url(context, "clinic:booking_detail", booking.pk))}">'
            f"<strong>{booking.local_start:%H:%M}</strong> {_escape(booking.client.display_name)}</a>\n"
            f'    <span class="small">{_escape(booking.service.name)} · '
            f"{_escape(booking.practitioner.display_name)}{room} · {status} "
            f"{booking_source(booking)}</span>\n"
            "  </div>\n"
            '  <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mt-1">\n'
            f"    {render_badge(getattr(booking, 'screening', None), True, badges)}\n"
            f"    {booking_actions(context, booking)}\n"
            "  </div>\n"
            "</li>"
        )
    return mark_safe("\n".join(rows))  # every value escaped above


@register.simple_tag
def desk_gaps(gaps: list[tuple[Any, datetime, datetime]]) -> SafeString:
    """The desk's free gaps today, one <li> each: the time span linking to the booking form for
    that practitioner and time, and the practitioner. In one pass (the route reversed once, the
    times written as `|time:"H:i"` shows them): twenty practitioners' gaps cost more in the
    template's lookups and filters than the rest of the column. Values are escaped."""
    new = _escape(reverse("clinic:booking_new"))
    rows = []
    for practitioner, start, end in gaps:
        local_start, local_end = timezone.localtime(start), timezone.localtime(end)
        at = f"{local_start:%H:%M}"
        rows.append(
            f'<li><a href="{new}?practitioner={int(practitioner.pk)}&amp;date={local_start:%Y-%m-%d}'
            f'&amp;time={at}">{at}\u2013{local_end:%H:%M}</a> · {_escape(practitioner.display_name)}</li>'
        )
    return mark_safe("\n".join(rows))  # every value escaped above


@register.simple_tag(takes_context=True)
def inactive_rows(context: template.Context, bookings: list[Booking]) -> SafeString:
    """The cancelled and no-show list under a day's or a week's sessions, one <li> each: the
    status, the time and client linking to the booking, the practitioner, and "late" for a late
    cancellation. In one pass: each row cost more as template lookups than the whole schedule's
    row does here. Values are escaped."""
    rows = []
    for booking in bookings:
        status, label = _escape(booking.status), _escape(BookingStatus(booking.status).label)
        when = _escape(dateformat.format(booking.local_start, "D H:i"))  # as `|date:"D H:i"` writes it
        link = _escape(booking_url(context, "clinic:booking_detail", booking.pk))
        who, by = _escape(booking.client.display_name), _escape(booking.practitioner.display_name)
        late = " · late" if booking.late_cancellation else ""
        rows.append(
            f'<li><span class="badge booking-badge-{status}">{label}</span>\n'
            f'  <a href="{link}">{when} {who}</a> · {by}{late}</li>'
        )
    return mark_safe("\n".join(rows))  # every value escaped above


@register.simple_tag
def arrival_rows(arrived: list[Booking], due: list[Booking]) -> SafeString:
    """The desk's arrivals: who has arrived, then who is due in the next half hour, one <li>
    each with the session's time and practitioner. Values are escaped."""
    rows = []
    for label, kind, joiner, bookings in (
        ("Arrived", "arrived", "for", arrived),
        ("Due", "booked", "at", due),
    ):
        for booking in bookings:
            rows.append(
                f'<li><span class="badge booking-badge-{kind}">{label}</span> '
                f"{_escape(booking.client.display_name)} {joiner} {booking.local_start:%H:%M} "
                f"with {_escape(booking.practitioner.display_name)}</li>"
            )
    return mark_safe("\n".join(rows))  # every value escaped above
