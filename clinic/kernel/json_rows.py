"""Related rows read with their parent rows, in the parent's statement: a JSON array sub-select.

`json_rows(queryset, "fk", ["id", ...])` is a scalar sub-select giving the queryset's rows
as one JSON array of arrays (one array of the named columns per row; NULL when there are
none), written once for both databases: json_group_array(json_array(...)) on SQLite,
jsonb_agg(jsonb_build_array(...)) on PostgreSQL. `instances(Model, columns, rows, db)`
turns those arrays back into model instances, each value through its field's `to_python`
(dates come back as dates), as if the rows had been read from the database.

The array's order is not the database's to keep: callers sort what they read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Aggregate, JSONField, QuerySet, Subquery, Value
from django.db.models.functions import JSONArray

M = TypeVar("M", bound=models.Model)


class JSONArrayAgg(Aggregate):
    """The rows' values as one JSON array. jsonb on PostgreSQL, which Django's connection
    hands back as text for JSONField to decode, as SQLite's json_group_array does."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def json_rows(queryset: QuerySet[Any], group_by: str, columns: Sequence[str]) -> Subquery:
    """The rows of `queryset` (filtered on an OuterRef down to one `group_by` value) as one
    JSON array of arrays of `columns`; NULL when it has no rows."""
    grouped = queryset.order_by().values(group_by).annotate(rows=JSONArrayAgg(JSONArray(*columns)))
    return Subquery(grouped.values("rows"), output_field=JSONField())


def json_table(queryset: QuerySet[Any], columns: Sequence[str]) -> Subquery:
    """All the rows of `queryset` (not correlated with the outer statement: the database works
    it out once) as one JSON array of arrays of `columns`; NULL when it has no rows."""
    whole = queryset.order_by().values(whole=Value(1)).annotate(rows=JSONArrayAgg(JSONArray(*columns)))
    return Subquery(whole.values("rows"), output_field=JSONField())


def nested(rows: Any) -> list[Any]:
    """A JSON array read inside another (`json_rows` over a column that is itself `json_rows`):
    PostgreSQL nests it as an array, SQLite as the array's text. NULL (no rows) is []."""
    if rows is None:
        return []
    return json.loads(rows) if isinstance(rows, str) else list(rows)


def instances(model: type[M], columns: Sequence[str], rows: Iterable[Sequence[Any]], db: str) -> list[M]:
    """Model instances from rows of `columns` (attnames) read as JSON: saved instances
    (`_state.adding` False), the values of the types the fields give (a date-time SQLite wrote
    in UTC without its offset comes back aware, as the database's own read gives it)."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    return [
        model.from_db(
            db, list(columns), [_value(field, value) for field, value in zip(fields, row, strict=True)]
        )
        for row in rows
    ]


def _value(field: models.Field[Any, Any], value: Any) -> Any:
    value = field.to_python(value)
    if isinstance(value, datetime) and value.tzinfo is None and settings.USE_TZ:
        return value.replace(tzinfo=UTC)
    return value
