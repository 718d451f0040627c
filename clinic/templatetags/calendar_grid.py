"""The calendar grid's body, written in one pass in Python.

A day at 20 practitioners has some 800 cells; as template markup (an include per booking, two
`{% url %}` and several `|date`/`|time` filters per empty cell) they cost most of the page's
time. Here the booking URL is reversed once, each row's time is formatted once, and the
screening badges (a handful of distinct ones) are rendered from their template once each.
The markup is what templates/clinic/_calendar_grid.html and its booking-card include wrote
before; the grid template keeps the header and the booking dialog.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clients.templatetags.clients_tags import render_badge
from clinic.calendar import Cell, Row
from clinic.models import BookingStatus

register = template.Library()

_FREE = (
    '<td class="cell-free"><a class="slot-link" href="{url}"\n'
    '         hx-get="{url}"\n'
    '         hx-target="#booking-dialog-body" data-bs-toggle="modal" data-bs-target="#booking-dialog"\n'
    '         aria-label="Book {label} at {at}"><span aria-hidden="true">+</span></a></td>'
)


class _Writer:
    """Caches for one grid: formatted times, booking links, screening badges."""

    def __init__(self, show_practitioner: bool) -> None:
        self.show_practitioner = show_practitioner
        self.new_url = reverse("clinic:booking_new")
        # clinic:booking_detail with a placeholder id, split once: prefix + pk + suffix.
        marker = 999999999
        self.detail_prefix, self.detail_suffix = reverse("clinic:booking_detail", args=[marker]).split(
            str(marker)
        )
        # clinic:booking_move the same way: the calendar's drag and keyboard moves post to it.
        self.move_prefix, self.move_suffix = reverse("clinic:booking_move", args=[marker]).split(str(marker))
        self.times: dict[datetime, str] = {}
        self.badges: dict[tuple[Any, ...], str] = {}
        # Per column (by identity; the grid holds its columns): link before and after the time, label.
        self.columns: dict[int, tuple[str, str, str]] = {}

    def hhmm(self, moment: datetime) -> str:
        """`moment|time:"H:i"`: in the current time zone, as templates show aware datetimes."""
        text = self.times.get(moment)
        if text is None:
            text = self.times[moment] = timezone.localtime(moment).strftime("%H:%M")
        return text

    def booking(self, cell: Cell) -> str:
        booking: Any = cell.booking
        colour = cell.column.colour
        style = f'style="border-left-color: {escape(colour)}"' if colour else ""
        if self.show_practitioner:
            extra = f" · {escape(booking.practitioner.display_name)}"
        elif booking.room:
            extra = f" · {escape(booking.room.name)}"
        else:
            extra = ""
        # A booked session can be moved (dragged, resized, or with the keys: calendar.js) through
        # the move form's address; the others (arrived, completed) stay put.
        movable = booking.status == BookingStatus.BOOKED
        move = (
            f' data-move-url="{self.move_prefix}{booking.pk}{self.move_suffix}"'
            f' data-start="{self.hhmm(booking.start)}" data-end="{self.hhmm(booking.end)}"'
            f' data-practitioner="{booking.practitioner_id}" data-room="{booking.room_id or ""}"'
            ' aria-describedby="calendar-keys-short"'
            if movable
            else ""
        )
        handle = '  <span class="resize-handle" aria-hidden="true"></span>\n' if movable else ""
        return (
            f'<td rowspan="{cell.rowspan}" class="cell-booking">\n'
            f'<a class="booking-card booking-{escape(booking.status)} d-block text-decoration-none" '
            f'href="{self.detail_prefix}{booking.pk}{self.detail_suffix}"{move}\n'
            f"   {style}>\n"
            f'  <span class="booking-time">{self.hhmm(booking.start)}\u2013{self.hhmm(booking.end)}</span>\n'
            f'  <span class="booking-client fw-semibold">{escape(booking.client.display_name)}</span>\n'
            f'  <span class="booking-service small">{escape(booking.service.name)}{extra}</span>\n'
            f'  <span class="booking-status-label small">{escape(booking.get_status_display())}</span>\n'
            f"{_source_badge(booking)}"
            f"  {render_badge(booking.screening, True, self.badges)}\n"
            f"{handle}"
            "</a>\n</td>"
        )

    def free(self, cell: Cell) -> str:
        column = cell.column
        cached = self.columns.get(id(column))
        if cached is None:
            params = ""
            if column.practitioner_id:
                params += f"&amp;practitioner={column.practitioner_id}"
            if column.room_id:
                params += f"&amp;room={column.room_id}"
            cached = self.columns[id(column)] = (
                f"{self.new_url}?date={column.day.isoformat()}&amp;time=",
                params,
                escape(column.label),
            )
        before, after, label = cached
        at = self.hhmm(cell.start)
        return _FREE.format(url=f"{before}{at}{after}", label=label, at=at)

    def rows(self, rows: Sequence[Row]) -> str:
        out: list[str] = []
        for row in rows:
            minutes = row.label[3:]
            hour = "hour-start" if minutes == "00" else ""
            out.append(f'\n    <tr class="{hour}" data-time="{escape(row.label)}">\n')
            shown = row.label if minutes in ("00", "30") else ""
            out.append(f'      <th scope="row" class="calendar-time">{escape(shown)}</th>')
            for cell in row.cells:
                out.append("\n      ")
                if cell.kind == "booking":
                    out.append(self.booking(cell))
                elif cell.kind == "free":
                    out.append(self.free(cell))
                else:
                    out.append('<td class="cell-off"></td>')
            out.append("\n    </tr>")
        return "".join(out)


@register.simple_tag
def booking_source(booking: Any) -> SafeString:
    return mark_safe(_source_badge(booking).strip())  # constant markup


@register.simple_tag
def calendar_rows(rows: Sequence[Row], show_practitioner: bool = False) -> SafeString:
    """The grid's <tr> rows: a booking card, a link to book the free slot, or an empty cell.
    Every value is escaped here; the result is marked safe."""
    return mark_safe(_Writer(bool(show_practitioner)).rows(rows))


def _source_badge(booking: Any) -> str:
    """A request made online that reception confirms, or a booking the client made online (no
    badge for the others): on the calendar's cards, and as {% booking_source booking %}."""
    if booking.awaiting_confirmation:
        return '  <span class="badge text-bg-warning">Requested online</span>\n'
    if booking.source == "online":
        return '  <span class="badge text-bg-info">Online</span>\n'
    return ""
