"""Template filters for the treatments pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import dateformat, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from clients.regions import BodyRegion, Side
from clinic.kernel.render_cache import id_route

if TYPE_CHECKING:
    from treatments.models import PointApplication, TreatmentNote

register = template.Library()


@register.filter
def region_label(code: str) -> str:
    """ "lower_leg" -> "Lower leg (calf and shin)"; unknown codes are shown as they are."""
    return BodyRegion(code).label if code in BodyRegion.values else code


@register.filter
def side_label(code: str) -> str:
    return Side(code).label.lower() if code in Side.values else code


@register.simple_tag
def application_items(applications: Iterable[PointApplication]) -> SafeString:
    """A note's point applications as the chart lists them, one list item each: code and name,
    what was typed if it differs, side, duration, pressure, and any caution overridden.

    Written here rather than in the template: a chart of fifty sessions has hundreds of them,
    and the template language's lookups for each cost more than the rest of the page."""
    return mark_safe("".join(_application_item(a) for a in applications))  # each part escaped by format_html


def _application_item(a: PointApplication) -> str:
    parts = [format_html("<strong>{}</strong> {}", a.point.code, a.point.pinyin)]
    if label := a.entered_label:
        parts.append(format_html(" — {}", label))
    details = [a.get_side_display().lower()]
    if duration := a.duration_label:
        details.append(duration)
    if a.pressure is not None:
        details.append(f"{a.pressure}/5")
    parts.append(format_html(" ({})", ", ".join(details)))
    if a.override_reason:
        parts.append(format_html(' <span class="small">[caution overridden: {}]</span>', a.override_reason))
    return format_html('<li class="list-inline-item">{}</li>', mark_safe("".join(parts)))  # escaped above


@register.simple_tag
def note_body(note: TreatmentNote) -> SafeString:
    """A note's SOAP text as written (read-only), as a definition list: the pain scores, the
    four SOAP fields, the regions treated, the home-care points and the next session. The note
    page once signed shows one; the chart shows fifty, where the template's lookups cost more
    than the rest of the page. Values are escaped, line breaks kept."""
    rows: list[str] = []

    def row(label: str, value: str) -> None:
        rows.append(f'<dt class="col-sm-3">{label}</dt><dd class="col-sm-9">{value}</dd>')

    pain = []
    if note.pain_before is not None:
        pain.append(f"{int(note.pain_before)}/10 before")
    if note.pain_after is not None:
        pain.append(f" → {int(note.pain_after)}/10 after")
    if pain:
        row("Pain", "".join(pain))
    for label, text in (
        ("Subjective", note.subjective),
        ("Objective", note.objective),
        ("Assessment", note.assessment),
        ("Plan", note.plan),
    ):
        if text:
            row(label, linebreaksbr(text, autoescape=True))
    if note.regions_treated:
        row("Regions treated", ", ".join(escape(label) for label in note.region_labels()))
    home_care = list(note.home_care_points.all())
    if home_care:
        points = ", ".join(f"{escape(p.code)} {escape(p.pinyin)}" for p in home_care)
        if note.home_care_reason:
            reason = note.home_care_reason
            points += format_html(' <span class="small">[caution overridden: {}]</span>', reason)
        row("Home care", points)
    if note.next_session:
        row("Next time", linebreaksbr(note.next_session, autoescape=True))
    inner = "".join(f"\n  {r}" for r in rows)
    return mark_safe(f'<dl class="row mb-0 note-body">{inner}\n</dl>')  # every value escaped above


@register.simple_tag
def chart_notes(notes: Iterable[TreatmentNote]) -> SafeString:
    """The chart's sessions, one card each: the date (linked to the note), the practitioner and
    the status; the note's text (`note_body`); its points (`application_items`); its
    amendments. In one pass: fifty cards cost more in template lookups than the rest of the
    chart. Values are escaped."""
    note_url = id_route("treatments:note")
    cards = []
    for note in notes:
        url = escape(note_url(note.pk))
        badge = "text-bg-success" if note.is_signed else "text-bg-secondary"
        applications = list(note.applications.all())
        points = ""
        if applications:
            items = application_items(applications)
            points = f'\n      <ul class="list-inline mb-0 mt-2">\n        {items}\n      </ul>'
        amendments = "".join(
            format_html(
                '\n      <p class="mt-2 mb-0 small border-start border-3 ps-2">'
                "Amendment {} by {} ({}): {}</p>",
                dateformat.format(timezone.localtime(am.created_at), "j M Y"),
                am.author.get_full_name() or am.author.username,
                am.reason,
                am.text,
            )
            for am in note.amendments.all()
        )
        cards.append(
            '  <article class="card mb-3 session-note">\n'
            '    <div class="card-body">\n'
            f'      <h3 class="h6"><a href="{url}">{dateformat.format(note.service_date, "l j F Y")}</a>'
            f" · {escape(note.practitioner)}\n"
            f'        <span class="badge {badge}">{escape(note.get_status_display())}</span></h3>\n'
            f"      {note_body(note)}{points}{amendments}\n"
            "    </div>\n"
            "  </article>"
        )
    return mark_safe("\n".join(cards))  # every value escaped above
