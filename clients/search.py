"""Client search: fold text the same way when writing and when searching.

The folded copies (`Client.search_name`, `Client.search_text`) are written by
clients.services whenever a client's contact details change.
"""

from __future__ import annotations

import re
import unicodedata
from functools import reduce
from operator import or_

import phonenumbers
from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate, Lower

from clients import phones

_NON_WORD = re.compile(r"[^\w@.+]+")
# The highest code point: appended to a prefix it bounds a btree range scan.
_TOP = "\U0010ffff"
# What a phone number is written with besides digits: "+1 (201) 555-0123", "020.7946.0018".
_PHONE_PUNCTUATION = re.compile(r"[\s+\-().]")


def fold(text: str) -> str:
    """Lower-case, strip accents, squeeze spaces: "  Zoë  O'Brien" -> "zoe o'brien"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def digits(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isascii() and ch.isdigit())


def _forms(number: phonenumbers.PhoneNumber) -> list[str]:
    return [digits(phones.e164(number)), digits(phones.national(number))]


def stored_phone_keys(phone: str) -> tuple[str, ...]:
    """The digit strings the search column holds for a stored (E.164) number: its E.164 digits
    (447700900123) and those of its national form (07700900123). A stored number carries its
    country code, so these do not depend on PHONE_DEFAULT_REGION."""
    number = phones.parse(phone)
    keys = _forms(number) if number is not None else [digits(phone)]
    return tuple(key for key in dict.fromkeys(keys) if key)


def typed_phone_keys(text: str) -> tuple[str, ...]:
    """The digit strings a typed number is looked for by: its digits as written (a part of a
    number finds it too) and, when it reads as a valid number in the clinic's country, the
    digits of that number's E.164 and national forms. So "06 12 34 56 78",
    "+33 (0)6 12 34 56 78" and "0033 6 12 34 56 78" all find +33612345678 in a French clinic."""
    keys = [digits(text)]
    number = phones.parse(text)
    if number is not None and phonenumbers.is_valid_number(number):
        keys += _forms(number)
    return tuple(key for key in dict.fromkeys(keys) if key)


def search_name_for(*, first_name: str, last_name: str, preferred_name: str = "") -> str:
    """Surname first, so a prefix scan finds "okafor" and "okafor amara" alike."""
    parts = [last_name, first_name]
    if preferred_name and fold(preferred_name) != fold(first_name):
        parts.append(preferred_name)
    return fold(" ".join(parts))


def search_text_for(
    *, first_name: str, last_name: str, preferred_name: str = "", email: str = "", phone: str = ""
) -> str:
    name = fold(f"{first_name} {preferred_name} {last_name}")
    return " ".join(p for p in (name, fold(email), *stored_phone_keys(phone)) if p)


def search_filter(text: str) -> Q:
    """A filter for the client list.

    - A name prefix ("oka", "okafor am") uses a btree on search_name.
    - Anything else is a substring of search_text (name, email, phone digits); PostgreSQL
      answers it from the pg_trgm GIN index.
    - A phone number matches by any of its `typed_phone_keys`, read in the clinic's country.
    """
    query = fold(text)
    if not query:
        return Q()
    if connection.vendor == "postgresql":
        # LIKE 'q%' walks the varchar_pattern_ops btree whatever the database's collation.
        prefix = Q(search_name__startswith=query)
    else:
        # SQLite compares text bytewise, so a range scan is exactly a prefix match.
        prefix = Q(search_name__gte=query, search_name__lt=query + _TOP)
    number = digits(query)
    # Only digits and phone punctuation: a number, looked for by its digits as stored.
    if len(number) >= 3 and len(number) == len(_PHONE_PUNCTUATION.sub("", query)):
        return reduce(or_, (Q(search_text__contains=key) for key in typed_phone_keys(text)))
    if len(query) < 3:
        return prefix
    return prefix | Q(search_text__contains=query)


def _prefix_only(text: str) -> bool:
    """Does `search_filter(text)` look at name prefixes only (a short query, not a number)?"""
    query = fold(text)
    number = digits(query)
    is_number = len(number) >= 3 and len(number) == len(_PHONE_PUNCTUATION.sub("", query))
    return bool(query) and len(query) < 3 and not is_number


def search_order(text: str) -> list[OrderBy | str]:
    """How search results are listed: by `search_name` (surname first, folded) in byte order,
    then id.

    A name prefix alone is read from an index in this order (PostgreSQL: the "C" btree of
    migration 0010; SQLite compares bytes), so LIMIT stops at the end of the page. A query
    that may also match inside names or numbers is found through the indexes and then sorted:
    its order goes through an expression no index provides, since an ordered walk of the
    names, filtering each, reads every name before the first match."""
    key: F | Lower | Collate
    if connection.vendor == "postgresql":
        key = Collate(F("search_name"), "C") if _prefix_only(text) else Collate(Lower("search_name"), "C")
    else:
        key = F("search_name") if _prefix_only(text) else Lower("search_name")
    return [key.asc(), "pk"]
