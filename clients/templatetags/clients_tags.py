"""Template filters for the clients pages."""

from __future__ import annotations

from django import template

from clients import phones

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A stored number as people read it (clients.phones.display). Search matches the number
    typed in that form, in the international one, or as its bare digits."""
    return phones.display(value)
