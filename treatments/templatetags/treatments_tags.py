"""Template filters for the treatments pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from clients.regions import BodyRegion, Side

if TYPE_CHECKING:
    from treatments.models import PointApplication

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
