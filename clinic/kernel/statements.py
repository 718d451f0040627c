"""Statements compiled once and run many times: a hot queryset's SQL, with slots for its values.

Building a queryset and compiling it to SQL is Python work that grows with the statement, not
with the data: the screening read (intakes with their sites and clearances as JSON sub-selects)
cost more to build and compile than the database took to run it, on every page with a badge.

    INTAKES = Statement(Intake, lambda: Intake.objects.filter(
        In("client_id", "ids"), taken_on__lte=Slot("day", DateField())
    ))
    INTAKES.all(ids=[1, 2, 3], day=date.today())

`build` returns a queryset whose changing values are slots: `Slot(name, field)` where a value
goes (a filter's right-hand side, an annotation), `In(column, name)` for "column is one of a
list of ids". The queryset is built and compiled once per database alias, the first time it
runs; each run then binds the slots' values (each through its field, as a filter's value is)
and reads model instances through Django's own row iterator: select_related and annotations
come back as the queryset would give them. `build` must not read anything that changes between
runs (the time, a setting a test overrides): those are slots too.

`In` is one parameter whatever the list's length, so the statement's text never changes:
`column = ANY(%s)` with an array on PostgreSQL, `column IN (SELECT value FROM json_each(%s))`
with a JSON array on SQLite. An empty list matches no row (the statement still runs: callers
with nothing to look up do not call it).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models, router
from django.db.models import BooleanField, Expression, F, QuerySet
from django.db.models.query import ModelIterable

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True, eq=False)
class _Marker:
    """Where a slot's value goes in the compiled statement's parameters."""

    name: str
    field: models.Field[Any, Any] | None  # None: a list of ids (`In`)

    def bind(self, values: Mapping[str, Any], connection: Any) -> Any:
        value = values[self.name]
        if self.field is not None:
            return self.field.get_db_prep_value(value, connection, prepared=False)
        ids = [int(pk) for pk in value]
        return ids if connection.vendor == "postgresql" else json.dumps(ids)


class Slot(Expression):
    """A value given when the statement runs: `name` in `Statement.all(**values)`, prepared for
    the database as `field` prepares it (a DateField, an IntegerField...)."""

    def __init__(self, name: str, field: models.Field[Any, Any]) -> None:
        super().__init__(output_field=field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [_Marker(self.name, self.output_field)]


class In(Expression):
    """`column` is one of the ids given as `name` when the statement runs: one parameter, an
    array (PostgreSQL) or a JSON array (SQLite), whatever the number of ids."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str | Expression, name: str) -> None:
        super().__init__()
        self.column = F(column) if isinstance(column, str) else column
        self.name = name

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.column)
        marker = _Marker(self.name, None)
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, marker]
        return f"{column} IN (SELECT value FROM json_each(%s))", [*params, marker]  # noqa: S608 - a compiled column


@dataclass(frozen=True)
class _Compiled:
    compiler: Any  # the SQLCompiler that compiled it: its select and row layout are reused
    sql: str
    params: tuple[Any, ...]
    names: frozenset[str]


class _Bound:
    """The little of a Query that Django's row iterator asks for: the compiler to run."""

    def __init__(self, compiler: Any) -> None:
        self.compiler = compiler

    def get_compiler(self, using: str | None = None, connection: Any = None, elide_empty: bool = True) -> Any:
        return self.compiler


class Statement(Generic[M]):
    """A queryset (`build()`, with slots) compiled once per database alias and run with values."""

    def __init__(self, model: type[M], build: Callable[[], QuerySet[M]]) -> None:
        self.model = model
        self.build = build
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> _Compiled:
        with self._lock:
            if alias not in self._compiled:
                queryset = self.build()
                if queryset.model is not self.model:
                    raise ValueError(
                        f"The statement reads {queryset.model.__name__}, not {self.model.__name__}."
                    )
                if queryset._prefetch_related_lookups or queryset._iterable_class is not ModelIterable:  # type: ignore[attr-defined]
                    raise ValueError("A statement reads model instances, without prefetching.")
                compiler = queryset.query.get_compiler(using=alias)
                sql, params = compiler.as_sql()
                names = frozenset(p.name for p in params if isinstance(p, _Marker))
                self._compiled[alias] = _Compiled(compiler, sql, tuple(params), names)
            return self._compiled[alias]

    def all(self, **values: Any) -> list[M]:
        """The rows, as model instances, with each slot given its value."""
        model = self.model
        alias = router.db_for_read(model)
        compiled = self._compiled.get(alias) or self._compile(alias)
        if missing := compiled.names - values.keys():
            raise TypeError(f"No value for {', '.join(sorted(missing))}.")
        if extra := values.keys() - compiled.names:
            raise TypeError(f"No slot named {', '.join(sorted(extra))}.")
        connection = connections[alias]
        params = [p.bind(values, connection) if isinstance(p, _Marker) else p for p in compiled.params]
        # A copy of the compiler that compiled it, on this thread's connection, answering
        # with the compiled text and these values: the rest of the read is Django's own.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        rows: QuerySet[M] = QuerySet(model=model, query=_Bound(compiler), using=alias)  # type: ignore[arg-type]
        return list(ModelIterable(rows))
