"""Session hooks that keep the call rollups in step with ORM writes of calls.

Any ``Cdr`` added, changed or deleted through a session, any ``Customer`` deleted
(the database cascades its calls and quarter rows) and any whose kind changes (the
per-kind account rows and the customers-only peak follow), refreshes the rollups it
touches in the same flush, so no service can write calls and forget them. Bulk writes
that bypass the ORM (the import's publish and remove steps, the demo generator) call
``call_rollups.rollup_refresh`` themselves. Registered on import by services/db.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession

from portal_app.models import Cdr, Customer

from . import call_rollups as cr

PENDING = "call_rollups_pending"
KIND_MOVES = "call_rollups_kind_moves"


def _call(customer_id: int, at: datetime | None, seconds: int | None) -> tuple | None:
    if customer_id is None or at is None:
        return None
    return customer_id, at, at + timedelta(seconds=int(seconds or 0))


def _touched(session: OrmSession) -> list[tuple]:
    """(customer, start, end) of every call this flush writes, before and after."""
    calls = []
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Cdr):
            calls.append(_call(obj.customer_id, obj.call_start, obj.duration))
    for obj in session.dirty:
        if isinstance(obj, Cdr) and session.is_modified(obj):
            calls.append(_call(obj.customer_id, obj.call_start, obj.duration))
            state = sa.inspect(obj)
            old = {
                key: (state.attrs[key].history.deleted or [getattr(obj, key)])[0]
                for key in ("customer_id", "call_start", "duration")
            }
            calls.append(_call(old["customer_id"], old["call_start"], old["duration"]))
    return [c for c in calls if c is not None]


def _quarters(conn: sa.Connection, customer_id: int) -> list[tuple]:
    """The customer's quarter rows: (quarter, currency, *sums)."""
    r = cr.ROLL.c
    return conn.execute(
        sa.select(r.bucket_start, r.currency, *(r[s] for s in cr.SUMS)).where(
            r.customer_id == customer_id
        )
    ).all()


def _shift(conn: sa.Connection, rows: list[tuple], old: str, new: str | None) -> None:
    """Take quarter ``rows`` out of ``old``'s account rows and, unless ``new`` is None,
    add them to ``new``'s."""
    deltas: dict[tuple, list[int]] = {}
    for at, currency, *sums in rows:
        for kind, sign in ((old, -1), (new, 1)):
            if kind is not None:
                target = deltas.setdefault((kind, at, currency), [0] * len(cr.SUMS))
                for i, v in enumerate(sums):
                    target[i] += sign * v
    cr._upsert_add(conn, cr.ACCOUNT, ("kind", "bucket_start", "currency"), deltas)


def customer_gone(conn: sa.Connection, customer_id: int) -> tuple | None:
    """Take a customer about to be deleted out of the account rows (its own rows go
    with it by cascade); returns its calls' span, whose peaks change."""
    rows = _quarters(conn, customer_id)
    if not rows:
        return None
    _shift(conn, rows, cr._kinds(conn, [customer_id]).get(customer_id, "customer"), None)
    first, last = min(r[0] for r in rows), max(r[0] for r in rows)
    return None, first, last + cr.Q + cr.PEAK_HORIZON


def _kind_moves(session: OrmSession) -> list[tuple[int, str, str]]:
    """(customer, old kind, new kind) of every customer whose kind this flush changes."""
    moves = []
    for obj in session.dirty:
        if isinstance(obj, Customer) and obj.id is not None:
            old = sa.inspect(obj).attrs.kind.history.deleted
            if old and old[0] != obj.kind:
                moves.append((obj.id, old[0], obj.kind))
    return moves


def _spans(buckets: list[datetime]) -> list[tuple[datetime, datetime]]:
    """The quarters whose peaks calls starting in ``buckets`` (sorted) can change,
    as merged [lo, hi) spans."""
    spans: list[list[datetime]] = []
    for at in buckets:
        hi = at + cr.Q + cr.PEAK_HORIZON
        if spans and at <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([at, hi])
    return [(lo, hi) for lo, hi in spans]


def customer_kind_moved(conn: sa.Connection, customer_id: int, old: str, new: str) -> None:
    """Move a customer's calls from ``old``'s account rows to ``new``'s, then refresh
    the peaks over them (the customers-only peak leaves carriers out). Called once the
    flush has written the new kind, before any call of the same flush is refreshed."""
    rows = _quarters(conn, customer_id)
    if not rows:
        return
    _shift(conn, rows, old, new)
    for lo, hi in _spans(sorted({row[0] for row in rows})):
        cr._refresh_peaks(conn, lo, hi)


def _before_flush(session: OrmSession, _context, _instances) -> None:
    if moves := _kind_moves(session):
        session.info.setdefault(KIND_MOVES, []).extend(moves)
    calls = _touched(session)
    for obj in session.deleted:
        if isinstance(obj, Customer) and obj.id is not None:
            span = customer_gone(session.connection(), obj.id)
            if span is not None:
                calls.append(span)
    if calls:
        session.info.setdefault(PENDING, []).extend(calls)


def _after_flush(session: OrmSession, _context) -> None:
    # Moves first: they carry the quarter rows as they stood before this flush's calls.
    for customer_id, old, new in session.info.pop(KIND_MOVES, None) or []:
        customer_kind_moved(session.connection(), customer_id, old, new)
    calls = session.info.pop(PENDING, None)
    if not calls:
        return
    ids = {c[0] for c in calls}
    customers = None if None in ids else ids
    first = min(c[1] for c in calls)
    last = max(c[1] for c in calls)
    end = max(c[2] for c in calls)
    cr.rollup_refresh(session.connection(), first, last, end, customers)


def _forget(session: OrmSession, *_args) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(KIND_MOVES, None)


sa.event.listen(OrmSession, "before_flush", _before_flush)
sa.event.listen(OrmSession, "after_flush", _after_flush)
sa.event.listen(OrmSession, "after_soft_rollback", _forget)
