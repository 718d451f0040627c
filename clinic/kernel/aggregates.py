"""Aggregates the ORM lacks on both of the project's databases."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, TextField, Value


class JoinedText(Aggregate):
    """The group's texts joined by `separator`, in no particular order; NULL over no rows.

    group_concat on SQLite, string_agg on PostgreSQL (Django has a cross-database StringAgg only
    from 6.0). A caller that splits the result must know the separator never occurs in a text."""

    function = "GROUP_CONCAT"
    name = "JoinedText"
    output_field = TextField()

    def __init__(self, expression: Any, *, separator: str, **extra: Any) -> None:
        super().__init__(expression, Value(separator), **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)
