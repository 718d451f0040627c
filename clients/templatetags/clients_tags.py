"""Template filters for the clients pages."""

from __future__ import annotations

import phonenumbers
from django import template
from django.conf import settings

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """An E.164 number as people read it: "07700 900123" for a number of the clinic's own
    country (PHONE_DEFAULT_REGION), "+33 1 23 45 67 89" for any other; anything that doesn't
    parse is shown as stored. Search matches the digits either way."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    home = phonenumbers.country_code_for_region(settings.PHONE_DEFAULT_REGION)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
