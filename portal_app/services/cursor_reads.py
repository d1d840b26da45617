"""Hot reads on the DB-API cursor: a SQLAlchemy statement compiled once per dialect and
run on the session's own connection, without SQLAlchemy's per-execution set-up.

For a report page (a 50-row keyset read and its totals, each one index range), that
set-up is most of the cost: on SQLite two Core executions take ~250 µs more than the
same two statements on the cursor (bench/reports.py). The statement is still built by
SQLAlchemy (its dialect's SQL, placeholders and bind casts), so nothing here writes SQL
by hand; values go through the column types' own bind processors (SQLite's DateTime
text), and rows come back as the driver gives them (on SQLite a time is its stored
text: ``dates.as_utc`` reads either). Reads only: writes keep the ORM
and its hooks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from .offloop import check_off_loop


@dataclass(frozen=True)
class Compiled:
    sql: str
    order: tuple[str, ...] | None  # parameter names in placeholder order; None: by name
    processors: Mapping[str, Callable[[Any], Any]]
    fixed: Mapping[str, Any]  # literals SQLAlchemy made parameters ("answered", 1, 0)

    def arguments(self, params: Mapping[str, Any]):
        values = {**self.fixed, **params}
        for name, process in self.processors.items():
            values[name] = process(values[name])
        return values if self.order is None else [values[n] for n in self.order]


@functools.cache
def _compiled(statement: sa.Select, dialect: sa.Dialect) -> Compiled:
    compiled = statement.compile(dialect=dialect)
    processors, fixed = {}, {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
        if not bind.required:
            fixed[name] = bind.value
    order = compiled.positiontup if dialect.positional else None
    return Compiled(compiled.string, tuple(order) if order else None, processors, fixed)


def fetch_rows(session: Session, statement: sa.Select, params: Mapping[str, Any]) -> list[tuple]:
    """All rows of ``statement`` (built once and cached by its caller: the cache here is
    keyed by the statement object) with ``params``, as plain tuples."""
    check_off_loop("a database statement")  # the engine's hook does not see the cursor
    if session.autoflush:  # as an ORM query would: it sees the session's pending changes
        session.flush()
    connection = session.connection()
    compiled = _compiled(statement, connection.dialect)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(compiled.sql, compiled.arguments(params))
        return cursor.fetchall()
    finally:
        cursor.close()
