"""Call rollups kept exactly in step with the CDRs: every write of calls refreshes them
in its own transaction (models/rollups.py says what the tables hold).

A refresh recomputes a window of quarter hours from the CDRs themselves, so it is
exact whatever was there before: the import's publish and remove steps and the demo
generator call ``rollup_refresh`` with the window of the rows they wrote; any ORM write
of a ``Cdr`` (or delete of a ``Customer``) is caught by the session's flush hooks below.
The per-day and per-account tables follow by the difference between the old and the
new quarter rows, so a refresh costs what the window holds, not the table.

Peak concurrent calls: a call is in progress from its start for its duration (at most
``PEAK_HORIZON``: switches cut calls long before). A quarter's peak is the most calls in
progress at any instant of it, including the calls carried in at its start, so the
peak of a local day or month is the largest of its quarters' peaks, exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal_app.models import AccountRollup, CallPeak, CallRollup, CallRollupDay, Cdr, Customer

Q = timedelta(minutes=15)
PEAK_HORIZON = timedelta(hours=4)
SUMS = ("calls", "answered", "seconds", "billed_seconds", "cost")
CDR, ROLL, DAY = Cdr.__table__, CallRollup.__table__, CallRollupDay.__table__
ACCOUNT, PEAK, CUSTOMER = AccountRollup.__table__, CallPeak.__table__, Customer.__table__
CARRIER = "carrier"


def quarter(at: datetime) -> datetime:
    """The start of the UTC quarter hour ``at`` falls in."""
    return at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)


def _ceil(at: datetime) -> datetime:
    start = quarter(at)
    return start if start == at else start + Q


def _where(table: sa.Table, column: str, lo, hi, customers: set[int] | None) -> list:
    conditions = [table.c[column] >= lo, table.c[column] < hi]
    if customers is not None:
        conditions.append(table.c.customer_id.in_(sorted(customers)))
    return conditions


def _kinds(conn: sa.Connection, ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = conn.execute(sa.select(CUSTOMER.c.id, CUSTOMER.c.kind).where(CUSTOMER.c.id.in_(ids)))
    return dict(rows.all())


def _upsert_add(conn: sa.Connection, table: sa.Table, keys: tuple[str, ...], deltas: dict):
    """Add ``deltas`` ({key tuple: five sums}) to ``table``'s rows, then drop rows left
    with no calls (a row exists only while calls do)."""
    if not deltas:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    rows = [dict(zip(keys + SUMS, (*k, *v), strict=True)) for k, v in deltas.items() if any(v)]
    if rows:
        stmt = insert(table)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c[k] for k in keys],
                set_={s: table.c[s] + stmt.excluded[s] for s in SUMS},
            ),
            rows,
        )
        first = keys[0]
        firsts = sorted({r[first] for r in rows})
        conn.execute(sa.delete(table).where(table.c[first].in_(firsts), table.c.calls == 0))


def _sums(conn: sa.Connection, lo, hi, customers) -> dict[tuple, list[int]]:
    """The CDRs starting in [lo, hi) as quarter rows: (customer, quarter, currency) → sums."""
    c = CDR.c
    out: dict[tuple, list[int]] = {}
    query = sa.select(
        c.customer_id, c.call_start, c.currency, c.status, c.duration, c.billed_duration, c.cost
    ).where(*_where(CDR, "call_start", lo, hi, customers))
    for cid, at, currency, status, seconds, billed, cost in conn.execute(query):
        key = (cid, quarter(at), currency)
        row = out.get(key)
        if row is None:
            row = out[key] = [0, 0, 0, 0, 0]
        row[0] += 1
        row[1] += status == "answered"
        row[2] += seconds
        row[3] += billed
        row[4] += cost
    return out


def _stored(conn: sa.Connection, lo, hi, customers) -> dict[tuple, list[int]]:
    r = ROLL.c
    query = sa.select(r.customer_id, r.bucket_start, r.currency, *(r[s] for s in SUMS)).where(
        *_where(ROLL, "bucket_start", lo, hi, customers)
    )
    return {(cid, at, cur): list(v) for cid, at, cur, *v in conn.execute(query)}


def _follow(conn: sa.Connection, diff: dict[tuple, list[int]]) -> None:
    """Apply a change of quarter rows to the per-day and per-account tables."""
    kinds = _kinds(conn, (k[0] for k in diff))
    days: dict[tuple, list[int]] = defaultdict(lambda: [0] * 5)
    account: dict[tuple, list[int]] = defaultdict(lambda: [0] * 5)
    for (cid, at, currency), values in diff.items():
        targets = [days[(cid, at.date(), currency)]]
        if cid in kinds:  # a deleted customer's rows: see rollup_hooks.customer_gone
            targets.append(account[(kinds[cid], at, currency)])
        for target in targets:
            for i, v in enumerate(values):
                target[i] += v
    _upsert_add(conn, DAY, ("customer_id", "day", "currency"), dict(days))
    _upsert_add(conn, ACCOUNT, ("kind", "bucket_start", "currency"), dict(account))


def peaks(calls: Iterable[tuple[datetime, datetime]], lo: datetime, hi: datetime) -> dict:
    """{quarter: most calls in progress at once} for the quarters of [lo, hi), from
    half-open (start, end) intervals; quarters with none are left out."""
    events = sorted([(s, 1) for s, _ in calls] + [(e, -1) for _, e in calls])
    out: dict[datetime, int] = {}
    current, i, n = 0, 0, len(events)
    at = lo
    while at < hi:
        while i < n and events[i][0] <= at:  # ends before starts at the same instant
            current += events[i][1]
            i += 1
        if current == 0 and (i == n or events[i][0] >= at + Q):
            if i == n:
                break
            at = quarter(events[i][0])  # skip the quiet quarters
            continue
        peak, end = current, at + Q
        while i < n and events[i][0] < end:
            current += events[i][1]
            peak = max(peak, current)
            i += 1
        if peak:
            out[at] = peak
        at = end
    return {k: v for k, v in out.items() if k < hi}


def _refresh_peaks(conn: sa.Connection, lo: datetime, hi: datetime) -> None:
    c = CDR.c
    rows = conn.execute(
        sa.select(c.call_start, c.duration, CUSTOMER.c.kind)
        .join(CUSTOMER, CUSTOMER.c.id == c.customer_id)
        .where(c.call_start >= lo - PEAK_HORIZON, c.call_start < hi, c.duration > 0)
    ).all()
    every, customers = [], []
    for at, seconds, kind in rows:
        call = (at, at + min(timedelta(seconds=seconds), PEAK_HORIZON))
        if call[1] > lo:
            every.append(call)
            if kind != CARRIER:
                customers.append(call)
    conn.execute(
        sa.delete(PEAK).where(
            PEAK.c.scope.in_(("all", "customer")),
            PEAK.c.bucket_start >= lo,
            PEAK.c.bucket_start < hi,
        )
    )
    new = [
        {"scope": scope, "bucket_start": at, "peak": peak}
        for scope, calls in (("all", every), ("customer", customers))
        for at, peak in peaks(calls, lo, hi).items()
    ]
    if new:
        conn.execute(sa.insert(PEAK), new)


def rollup_refresh(
    conn: sa.Connection,
    first: datetime,
    last: datetime,
    end: datetime | None = None,
    customers: set[int] | None = None,
) -> None:
    """Recompute the rollups of the calls starting between ``first`` and ``last`` (of
    ``customers``, or everyone's); ``end`` is the latest end of a call written or
    removed, whose peaks change up to it. Call it in the transaction that wrote."""
    lo, hi = quarter(first), quarter(last) + Q
    old, new = _stored(conn, lo, hi, customers), _sums(conn, lo, hi, customers)
    diff = {}
    for key in old.keys() | new.keys():
        a, b = old.get(key, [0] * 5), new.get(key, [0] * 5)
        if a != b:
            diff[key] = [y - x for x, y in zip(a, b, strict=True)]
    if diff:
        conn.execute(sa.delete(ROLL).where(*_where(ROLL, "bucket_start", lo, hi, customers)))
        if new:
            keys = ("customer_id", "bucket_start", "currency")
            conn.execute(
                sa.insert(ROLL),
                [dict(zip(keys + SUMS, (*k, *v), strict=True)) for k, v in new.items()],
            )
        _follow(conn, diff)
    _refresh_peaks(conn, lo, max(hi, _ceil(end or hi)))


def rollup_rebuild(conn: sa.Connection) -> None:
    """Recompute every rollup from every CDR (the migration and benchmarks' bulk loads)."""
    for table in (ROLL, DAY, ACCOUNT, PEAK):
        conn.execute(sa.delete(table))
    first, last = conn.execute(
        sa.select(sa.func.min(CDR.c.call_start), sa.func.max(CDR.c.call_start))
    ).one()
    if first is None:
        return
    day = quarter(first)
    while day <= last:  # a day per step keeps memory flat
        next_day = day + timedelta(days=1)
        rollup_refresh(conn, day, next_day - Q, next_day + PEAK_HORIZON)
        day = next_day


def rollup_rows(conn: sa.Connection, rows: sa.Select) -> None:
    """Refresh the rollups over the calls ``rows`` selects (call_start and duration
    among its columns): the import's chunk just published or just removed."""
    sub = rows.subquery()
    first, last, longest = conn.execute(
        sa.select(
            sa.func.min(sub.c.call_start),
            sa.func.max(sub.c.call_start),
            sa.func.max(sub.c.duration),
        )
    ).one()
    if first is not None:
        rollup_refresh(conn, first, last, last + timedelta(seconds=int(longest or 0)))


def cost_between(conn: sa.Connection, customer_id: int, lo: datetime, hi: datetime) -> int:
    """What a customer's calls that started in [lo, hi) cost (micro-units), exactly: the
    whole quarter hours from the rollups, the calls of the part-quarters at either end
    from the CDRs. A week is at most 672 rollup rows and two quarters of calls, where the
    CDRs alone are every call of the week (35,000 for a busy customer)."""
    statement = sa.select(cost_expression(sa.bindparam("customer_id", type_=sa.Integer)))
    params = {"customer_id": customer_id, **cost_params(lo, hi)}
    return int(conn.execute(statement, params).scalar_one())


def cost_expression(customer_id: sa.ColumnElement) -> sa.ColumnElement:
    """``cost_between`` as one SQL expression, for a statement that reads it beside other
    figures (the Balance's runway): its times are the parameters ``cost_params`` gives."""
    at, start = CDR.c.call_start, ROLL.c.bucket_start
    lo, first, last, hi = (sa.bindparam(name, type_=at.type) for name in _COST_TIMES)

    def calls(lo: sa.BindParameter, hi: sa.BindParameter) -> sa.ScalarSelect:
        return (
            sa.select(sa.func.coalesce(sa.func.sum(CDR.c.cost), 0))
            .where(CDR.c.customer_id == customer_id, at >= lo, at < hi)
            .scalar_subquery()
        )

    rolled = (
        sa.select(sa.func.coalesce(sa.func.sum(ROLL.c.cost), 0))
        .where(ROLL.c.customer_id == customer_id, start >= first, start < last)
        .scalar_subquery()
    )
    return rolled + calls(lo, first) + calls(last, hi)


_COST_TIMES = ("cost_lo", "cost_first", "cost_last", "cost_hi")


def cost_params(lo: datetime, hi: datetime) -> dict[str, datetime]:
    """The times ``cost_expression`` reads for [lo, hi): the whole quarter hours inside it
    (none when it lies inside one quarter or two neighbouring part-quarters, so the CDRs
    give it all)."""
    first, last = _ceil(lo), quarter(hi)
    if first >= last:
        first = last = hi
    return dict(zip(_COST_TIMES, (lo, first, last, hi), strict=True))
