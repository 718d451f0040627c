"""Walking a large set of rows a batch at a time (clean-ups that delete as they go)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet


def id_batches(rows: QuerySet[Any], *, size: int = 1000) -> Iterator[list[int]]:
    """The ids of `rows` in ascending batches of `size`, each read after the one before was
    handled (deleted, say): a long clean-up holds its locks one batch at a time."""
    last = 0
    while ids := list(rows.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]):
        yield ids
        last = ids[-1]
