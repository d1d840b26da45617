"""The CDR report's CSV export: a customer's whole range, oldest first, streamed in
keyset batches (services/cdrs.py has the queries' shapes and the access check)."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import Session

from portal_app.models import Cdr

from .cdr_format import column_label, columns_for, csv_column
from .cdrs import CdrQuery, _conditions, _shape, cdr_check
from .cursor_reads import fetch_rows
from .dates import as_utc, formatter
from .identity import Actor
from .policy import sees_routes

CSV_BATCH = 5000


@functools.cache
def _csv_statement(shape: tuple[bool, bool, bool], keyset: bool, columns: tuple[str, ...]):
    conditions = _conditions(shape, "newer" if keyset else "")
    table = Cdr.__table__.c
    return (
        sa.select(*(table[c] for c in columns))
        .where(*conditions)
        .order_by(Cdr.call_start, Cdr.id)
        .limit(sa.bindparam("limit"))
    )


def cdr_csv(
    *,
    session: Session,
    actor: Actor,
    query: CdrQuery,
    columns: list[str],
    tz: str,
    batch_size: int = CSV_BATCH,
) -> Iterator[str]:
    """The whole range as CSV, oldest first, streamed in keyset batches: memory stays
    flat whatever the range holds. Times are in ``tz``; costs are plain numbers."""
    cdr_check(session=session, actor=actor, customer_id=query.customer_id)
    cols = columns_for(columns, actor)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column_label(c, tz) for c in cols])
    yield out.getvalue()
    fmt = formatter(session=session, tz=tz)
    routes = sees_routes(actor)
    needed = tuple(sorted({"call_start", "id", *(c for c in cols if c != "route" or routes)}))
    at, last_id = needed.index("call_start"), needed.index("id")
    where = [needed.index(c) if c in needed else 0 for c in cols]  # a hidden route: any
    formats = [csv_column(c, fmt, actor) for c in cols]
    shape, params = _shape(query)
    params["limit"] = batch_size
    keyset = False
    while True:
        statement = _csv_statement(shape, keyset, needed)
        # Plain rows on the cursor; times as the driver gives them (SQLite: the stored
        # text, which a UTC export rearranges without parsing; as_utc for the cursor).
        batch = fetch_rows(session, statement, params)
        if not batch:
            return
        out.seek(0)
        out.truncate()
        values = list(zip(*batch, strict=True))  # column by column
        writer.writerows(
            zip(*[f(values[i]) for f, i in zip(formats, where, strict=True)], strict=True)
        )
        yield out.getvalue()
        keyset, params["at"], params["last_id"] = True, as_utc(batch[-1][at]), batch[-1][last_id]
