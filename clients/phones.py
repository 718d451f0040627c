"""Phone numbers: read in the clinic's country, stored in E.164, shown as people write them.

The clinic's country is the PHONE_DEFAULT_REGION setting: a number written without a country
code is read as one of its numbers, and its numbers are shown in national form.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from phonenumbers import PhoneNumber, PhoneNumberFormat


def parse(text: str) -> PhoneNumber | None:
    """The number `text` is, read in the clinic's country when it has no country code; None
    when it cannot be read as a number at all (it may still be incomplete or invalid)."""
    try:
        return phonenumbers.parse(text, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None


def national(number: PhoneNumber) -> str:
    """The number as it is dialled inside its own country ("06 12 34 56 78", "07700 900123")."""
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display(value: str) -> str:
    """An E.164 number as people read it: national form ("07700 900123") for a number of the
    clinic's own country, international ("+33 1 23 45 67 89") for any other; anything that
    doesn't parse is shown as stored."""
    if not value:
        return ""
    number = parse(value)
    if number is None:
        return value
    if number.country_code == phonenumbers.country_code_for_region(settings.PHONE_DEFAULT_REGION):
        return national(number)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
