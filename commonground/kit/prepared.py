"""Reads whose SQL the ORM builds once: the queries every page sends, compiled once per connection.

Django builds and compiles a query's SQL each time it runs: cloning the queryset, resolving each filter,
choosing columns, quoting names. For the reads every request makes (the signed-in user, the patient the
gateway opens, the care-team check) that work costs more than SQLite takes to answer them
(docs/benchmarks.md, "What we learned"). A `PreparedRead` is written as an ordinary queryset whose changing
values are `Param`s; the ORM compiles it the first time it runs on a connection, and after that only the
values are bound:

    PATIENT = PreparedRead(lambda: Patient.objects.filter(pk=Param("id", UUIDField()))[:1])
    PATIENT.all(id=patient_id)  # a list of Patient, exactly as list(queryset) would give

Each value is made ready for the database by its `Param`'s field, as the ORM would make a filter's value
(a uuid is hex text on SQLite, a `UUID` for psycopg). The rows become model instances, with whatever
`select_related` joined, through Django's own converters and populators, or plain tuples for `values_list`.
What a `Param` may stand for: a single value, never None, compared with `=` or another lookup that takes
one value (never `__in` or `__isnull`, whose SQL depends on the value).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import connections, router
from django.db.models import Expression, Field, QuerySet
from django.db.models import query as django_query
from django.db.models.query import ModelIterable, ValuesListIterable


@dataclass(frozen=True, eq=False)
class _Slot:
    """Where a named value goes in the compiled parameters, and the field that makes it ready."""

    name: str
    field: Field[Any, Any]


class Param(Expression):
    """A named value of a prepared read; `field` makes it ready for the database when the read runs."""

    def __init__(self, name: str, field: Field[Any, Any]) -> None:
        super().__init__(output_field=field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return "%s", (_Slot(self.name, self.output_field),)


class _Compiled:
    """One read compiled for one connection: its SQL, where each value goes, and how rows become results."""

    def __init__(self, queryset: QuerySet[Any], connection: Any) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        self.sql = sql
        self.params = list(params)
        self.names = {value.name for value in self.params if isinstance(value, _Slot)}
        self.compiler = compiler
        self.columns = compiler.col_count if compiler.has_extra_select else None
        # What `results_iter` works out on every call, worked out once: each column's converters.
        selected = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(selected):
            raise ValueError("a prepared read cannot select a composite primary key")
        self.converters = compiler.get_converters(selected)
        self.make = self._maker(queryset, compiler)

    def _maker(self, queryset: QuerySet[Any], compiler: Any) -> Callable[[Iterable[Any]], list[Any]]:
        if getattr(queryset, "_prefetch_related_lookups", ()):
            raise ValueError("a prepared read runs one statement: no prefetch_related")
        if queryset._iterable_class is ValuesListIterable:
            if queryset.query.annotation_select or queryset.query.extra_select:
                # Django puts such columns back in the order asked for; the SQL has them elsewhere.
                raise ValueError("a prepared values_list names model fields only")
            return list
        if queryset._iterable_class is not ModelIterable or getattr(queryset, "_known_related_objects", None):
            raise ValueError("a prepared read gives model instances or values_list tuples")
        return _ModelRows(compiler, connection_alias=queryset.db)

    def bind(self, values: dict[str, Any], connection: Any) -> list[Any]:
        if set(values) != self.names:
            raise TypeError(f"a prepared read takes exactly {sorted(self.names)}, not {sorted(values)}")
        if any(value is None for value in values.values()):
            # The ORM would write `IS NULL` for None; the prepared SQL compares with `=` and would match nothing.
            raise ValueError("a prepared read's values cannot be None")
        return [
            value.field.get_db_prep_value(values[value.name], connection, prepared=False)
            if isinstance(value, _Slot)
            else value
            for value in self.params
        ]

    def run(self, values: dict[str, Any], connection: Any) -> list[Any]:
        params = self.bind(values, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.columns is not None:
            rows = [row[: self.columns] for row in rows]
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return self.make(map(tuple, rows))


class _ModelRows:
    """Rows to model instances, as Django's `ModelIterable` makes them (with `select_related` joins)."""

    def __init__(self, compiler: Any, *, connection_alias: str) -> None:
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.model = klass_info["model"]
        self.names = [column[0].target.attname for column in select[self.start : self.end]]
        populators: Any = django_query.get_related_populators  # Django 5.2's (klass_info, select, db)
        self.related = populators(klass_info, select, connection_alias)
        self.annotations = compiler.annotation_col_map
        self.alias = connection_alias

    def __call__(self, rows: Iterable[Any]) -> list[Any]:
        made = []
        for row in rows:
            instance = self.model.from_db(self.alias, self.names, row[self.start : self.end])
            for related in self.related:
                related.populate(row, instance)
            for name, position in (self.annotations or {}).items():
                setattr(instance, name, row[position])
            made.append(instance)
        return made


class PreparedRead:
    """A queryset with named values (`Param`), compiled once per connection and then run with new values."""

    def __init__(self, build: Callable[[], QuerySet[Any]]) -> None:
        self.build = build  # called when first run on a connection: nothing is built at import

    @cached_property
    def model(self) -> Any:
        return self.build().model

    def all(self, **values: Any) -> list[Any]:
        connection = connections[router.db_for_read(self.model)]
        compiled: dict[PreparedRead, _Compiled] = connection.__dict__.setdefault("prepared_reads", {})
        prepared = compiled.get(self)
        if prepared is None:
            prepared = compiled[self] = _Compiled(self.build(), connection)
        return prepared.run(values, connection)

    def first(self, **values: Any) -> Any:
        """The first result or None (the queryset should be sliced `[:1]`: this adds no ORDER BY)."""
        found = self.all(**values)
        return found[0] if found else None
