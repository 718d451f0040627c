"""Client search: fold text the same way when writing and when searching.

The folded copies (`Client.search_name`, `Client.search_text`) are written by
clients.services whenever a client's contact details change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, overload

import phonenumbers
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate, Lower

from clients import phones

if TYPE_CHECKING:
    from clients.models import Client

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
    # Only digits and phone punctuation: a number, looked for by its digits as stored.
    if _is_number(query):
        return reduce(or_, (Q(search_text__contains=key) for key in typed_phone_keys(text)))
    if _searches_inside(query):
        return _name_prefix(query) | Q(search_text__contains=query)
    return _name_prefix(query)


def _name_prefix(query: str) -> Q:
    """Surnames (search_name) starting with the folded `query`, served by an index."""
    if connection.vendor == "postgresql":
        # LIKE 'q%' walks the varchar_pattern_ops btree whatever the database's collation.
        return Q(search_name__startswith=query)
    # SQLite compares text bytewise, so a range scan is exactly a prefix match.
    return Q(search_name__gte=query, search_name__lt=query + _TOP)


def _is_number(query: str) -> bool:
    number = digits(query)
    return len(number) >= 3 and len(number) == len(_PHONE_PUNCTUATION.sub("", query))


def _searches_inside(query: str) -> bool:
    """Is the folded `query` also looked for inside names, emails and numbers (three letters
    or more, not a number)?"""
    return len(query) >= 3 and not _is_number(query)


def _prefix_only(text: str) -> bool:
    """Does `search_filter(text)` look at name prefixes only (a short query, not a number)?"""
    query = fold(text)
    return bool(query) and len(query) < 3 and not _is_number(query)


def search_order(text: str) -> list[OrderBy | str]:
    """How search results are listed: by `search_name` (surname first, folded) in byte order,
    then id.

    A name prefix alone is read from an index in this order (PostgreSQL: the "C" btree of
    migration 0010; SQLite compares bytes), so LIMIT stops at the end of the page. A query
    that may also match inside names or numbers is found through the indexes and then sorted:
    its order goes through an expression no index provides, since an ordered walk of the
    names, filtering each, reads every name before the first match."""
    return _listing_order(in_index_order=_prefix_only(text))


def _listing_order(*, in_index_order: bool) -> list[OrderBy | str]:
    """By folded surname-first name in byte order, then id: `in_index_order` as the prefix index
    holds it (for a name-prefix filter alone), else through an expression (then sorted)."""
    key: F | Lower | Collate
    if connection.vendor == "postgresql":
        key = Collate(F("search_name"), "C") if in_index_order else Collate(Lower("search_name"), "C")
    else:
        key = F("search_name") if in_index_order else Lower("search_name")
    return [key.asc(), "pk"]


# A search counts and pages through at most this many matches; past it, the list asks for more
# of the name (a common surname can match a fifth of a large clinic's clients).
SEARCH_CAP = 200


class Matches:
    """The clients matching a search, for Paginator and the client picker: names starting with
    the text first, read in their listing order from the name index, then the clients it
    matches elsewhere (inside a name, an email, a phone number), by name.

    Its cost follows the page, not the number of clients: the page is read from each group with
    LIMIT, and `count()` counts each group up to SEARCH_CAP in one query. Pages reach as far as
    the cap; `capped` says that more clients match than are counted.
    """

    def __init__(self, clients: QuerySet[Client], text: str) -> None:
        query = fold(text)
        prefix = _name_prefix(query)
        if _searches_inside(query):
            # The two groups do not overlap: the second leaves out the names the first holds.
            inside = Q(search_text__contains=query) & ~prefix
            self.groups = [
                clients.filter(prefix).order_by(*_listing_order(in_index_order=True)),
                clients.filter(inside).order_by(*search_order(text)),
            ]
        else:
            self.groups = [clients.filter(search_filter(text)).order_by(*search_order(text))]
        self._sizes: list[int] | None = None

    def _group_sizes(self) -> list[int]:
        """Each group's size up to SEARCH_CAP + 1, in one query. A group after one that reaches
        the cap is not counted (SEARCH_CAP + 1 stands in): the pages never reach it, and
        counting it would read every match of a common name to find the few that are not
        prefix matches."""
        if self._sizes is None:
            counts: list[tuple[str, list[Any]]] = []
            for group in self.groups:
                sql, group_params = group.values("pk")[: SEARCH_CAP + 1].query.sql_with_params()
                counts.append((f"(SELECT COUNT(*) FROM ({sql}) AS g{len(counts)})", list(group_params)))  # noqa: S608 - ORM-built SQL
            first, params = counts[0]
            columns = [first]
            for later, later_params in counts[1:]:
                # CASE evaluates the later count only when the earlier one is under the cap.
                columns.append(f"CASE WHEN {first} > {SEARCH_CAP} THEN {SEARCH_CAP + 1} ELSE {later} END")
                params = [*params, *counts[0][1], *later_params]
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {', '.join(columns)}", params)
                self._sizes = [int(n) for n in cursor.fetchone()]
        return self._sizes

    @property
    def capped(self) -> bool:
        return sum(self._group_sizes()) > SEARCH_CAP

    def count(self) -> int:
        return min(sum(self._group_sizes()), SEARCH_CAP)

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Client]:
        return iter(self[:SEARCH_CAP])

    @overload
    def __getitem__(self, key: int) -> Client: ...

    @overload
    def __getitem__(self, key: slice) -> list[Client]: ...

    def __getitem__(self, key: int | slice) -> Client | list[Client]:
        if isinstance(key, int):
            one = self[key : key + 1] if key >= 0 else []
            if not one:
                raise IndexError(key)
            return one[0]
        if key.step is not None or key.stop is None:
            raise TypeError("Matches are read a slice [start:stop] at a time.")
        start, stop = key.start or 0, key.stop
        # The first page needs no count: each group gives what is still missing.
        sizes = self._group_sizes() if start else [SEARCH_CAP + 1] * len(self.groups)
        found: list[Client] = []
        for group, size in zip(self.groups, sizes, strict=True):
            wanted = stop - start - len(found)
            if wanted <= 0:
                break
            if start >= size:
                start -= size
                continue
            found.extend(group[start : start + wanted])
            start = 0
        return found
