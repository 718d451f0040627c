"""Template filters and tags for the clients pages (and the screening badge other apps show)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from clients import bodymap, phones
from clinic.kernel.render_cache import shared_cache

register = template.Library()

BADGE_TEMPLATE = "clients/_screening_badge.html"


@register.filter
def phone(value: str) -> str:
    """A stored number as people read it (clients.phones.display). Search matches the number
    typed in that form, in the international one, or as its bare digits."""
    return phones.display(value)


def _badge_key(screening: Any, compact: bool) -> tuple[Any, ...]:
    """Everything the badge shows: equal keys render the same markup."""
    return (
        screening.badge_class,
        screening.action,
        screening.status_label,
        screening.has_intake,
        screening.intake_out_of_date,
        screening.needs_review,
        compact,
    )


def render_badge(screening: Any, compact: bool, cache: dict[tuple[Any, ...], str]) -> str:
    """clients/_screening_badge.html for `screening`, rendered once per distinct badge in `cache`
    (a list of a hundred bookings shows a handful of distinct badges)."""
    if not screening:
        return ""
    key = _badge_key(screening, compact)
    html = cache.get(key)
    if html is None:
        html = cache[key] = get_template(BADGE_TEMPLATE).render({"screening": screening, "compact": compact})
    return html


@register.simple_tag(takes_context=True)
def screening_badge(context: template.Context, screening: Any, compact: bool = False) -> SafeString:
    """The same markup as {% include "clients/_screening_badge.html" with screening=... %},
    cached for the rest of this template's rendering."""
    cache = shared_cache(context, BADGE_TEMPLATE)  # included templates share it
    return mark_safe(render_badge(screening, bool(compact), cache))  # the template escaped it


@register.simple_tag
def body_map_figures() -> list[bodymap.DrawnFigure]:
    """Both figures with nothing marked: for a map that only drives form fields."""
    return bodymap.draw()
