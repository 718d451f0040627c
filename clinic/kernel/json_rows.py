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

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import models
from django.db.models import Aggregate, JSONField, QuerySet, Subquery
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


def instances(model: type[M], columns: Sequence[str], rows: Iterable[Sequence[Any]], db: str) -> list[M]:
    """Model instances from rows of `columns` (attnames) read as JSON: saved instances
    (`_state.adding` False), the values of the types the fields give."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    return [
        model.from_db(
            db, list(columns), [field.to_python(value) for field, value in zip(fields, row, strict=True)]
        )
        for row in rows
    ]
