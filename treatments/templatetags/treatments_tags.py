"""Template filters for the treatments pages."""

from __future__ import annotations

from django import template

from clients.regions import BodyRegion, Side

register = template.Library()


@register.filter
def region_label(code: str) -> str:
    """ "lower_leg" -> "Lower leg (calf and shin)"; unknown codes are shown as they are."""
    return BodyRegion(code).label if code in BodyRegion.values else code


@register.filter
def side_label(code: str) -> str:
    return Side(code).label.lower() if code in Side.values else code
