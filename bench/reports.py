"""CDR reports at carrier scale: our code path against the plain SQL it needs.

Loads 1,000,000 CDRs for 1,000 customers over 30 days into a fresh migrated database
(SQLite by default; set PORTAL_DATABASE_URL for PostgreSQL). One customer is a big
carrier with 100,000 calls; the others share the rest. Then times, for a typical
customer, the portal's first CDR page (page + totals, mapped to cells as the state
does), a deep keyset page, a 30-day breakout, and for the carrier a CSV export of its
100,000 rows; each against the same queries through the bare DB-API cursor. Then the
charts, which read the call rollups (services/call_rollups.py, built once after the
load): the operator's top customers over 7 days, a customer's and the carrier's 30-day
daily chart in Asia/Kathmandu, and My Account › Usage by month; each against the raw
CDR aggregate that answers the same figures without rollups. Also prints the size of
the first page as the browser receives it.

Usage: .venv/bin/python bench/reports.py [--cdrs 1000000] [--runs 9]
(with PORTAL_DATABASE_URL naming an earlier run's database, that data is measured again)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "PORTAL_DATABASE_URL" not in os.environ:
    _TMP = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{_TMP / 'reports.db'}"

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlmodel import Session  # noqa: E402

from portal_app.demo.calls import DESTINATIONS, OUTCOMES, _adapt  # noqa: E402
from portal_app.models import Cdr, Customer  # noqa: E402
from portal_app.services import cdr_breakout, cdr_export, cdrs, usage  # noqa: E402
from portal_app.services.call_rollups import rollup_rebuild  # noqa: E402
from portal_app.services.dashboard import top_customers  # noqa: E402
from portal_app.services.dates import DateFormatter, zone  # noqa: E402
from portal_app.services.db import get_engine  # noqa: E402
from portal_app.services.identity import SYSTEM, Actor  # noqa: E402
from portal_app.settings import PROJECT_ROOT  # noqa: E402
from portal_app.state.cdr_report import PAGE, _fetch_page  # noqa: E402

CUSTOMERS = 1000
CARRIER_CALLS = 100_000
DAYS = 30


def load(total: int) -> None:
    engine = get_engine()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Customer.__table__),
            [
                {
                    "name": f"Customer {i:04d}",
                    "kind": "carrier" if i == 1 else "customer",
                    "status": "active",
                    "currency": "USD",
                    "credit_limit": 0,
                    "company_name": "",
                    "address": "",
                    "country": "",
                    "portal_access": {},
                    "created_at": datetime.now(UTC),
                }
                for i in range(1, CUSTOMERS + 1)
            ],
        )
    rnd = random.Random(11)
    now = datetime.now(UTC).replace(microsecond=0)
    cols = [c.name for c in Cdr.__table__.columns if c.name != "id"]
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    sql = f"INSERT INTO cdr ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
    raw = engine.raw_connection()
    cur = raw.cursor()
    batch = []
    outcomes = [o[:2] for o in OUTCOMES]
    weights = [o[2] for o in OUTCOMES]
    for i in range(total):
        cid = 1 if i < CARRIER_CALLS else 2 + (i % (CUSTOMERS - 1))
        prefix, name, _ = DESTINATIONS[i % len(DESTINATIONS)]
        status, reason = rnd.choices(outcomes, weights)[0]
        seconds = int(rnd.expovariate(1 / 150)) + 1 if status == "answered" else 0
        at = now - timedelta(seconds=rnd.randrange(DAYS * 86400))
        batch.append(
            (
                cid,
                at,
                "outbound",
                "4420000000",
                prefix + str(10_000_000 + i),
                name,
                prefix,
                seconds,
                max(60, seconds) if seconds else 0,
                10_000,
                seconds * 200,
                "USD",
                status,
                reason,
                1500,
                "BenchRoute",
                f"bench-{i}",
            )
        )
        if len(batch) == 20_000:
            cur.executemany(sql, _adapt(batch, engine))
            batch.clear()
    if batch:
        cur.executemany(sql, _adapt(batch, engine))
    raw.commit()
    cur.execute("ANALYZE")
    raw.commit()
    raw.close()


def median_ms(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def raw_page(q: cdrs.CdrQuery, after) -> int:
    """The page and the totals, by hand."""
    engine = get_engine()
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    start, end = (_adapt([(0, q.start)], engine)[0][1], _adapt([(0, q.end)], engine)[0][1])
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        where = f"customer_id = {mark} AND call_start >= {mark} AND call_start < {mark}"
        params = [q.customer_id, start, end]
        page_where, page_params = where, list(params)
        if after is not None:
            at = _adapt([(0, after[0])], engine)[0][1]
            page_where += f" AND (call_start < {mark} OR (call_start = {mark} AND id < {mark}))"
            page_params += [at, at, after[1]]
        cur.execute(
            f"SELECT * FROM cdr WHERE {page_where} "
            f"ORDER BY call_start DESC, id DESC LIMIT {PAGE + 1}",
            page_params,
        )
        rows = cur.fetchall()
        cur.execute(
            "SELECT count(*), sum(CASE WHEN status = 'answered' THEN 1 ELSE 0 END), "
            f"sum(duration), sum(billed_duration), sum(cost) FROM cdr WHERE {where}",
            params,
        )
        cur.fetchone()
        return len(rows)
    finally:
        raw.close()


def raw_breakout(q: cdrs.CdrQuery) -> int:
    engine = get_engine()
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    start, end = (_adapt([(0, q.start)], engine)[0][1], _adapt([(0, q.end)], engine)[0][1])
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(
            "SELECT destination, min(prefix), count(*), sum(CASE WHEN status = 'answered' THEN 1 "
            "ELSE 0 END), sum(duration), sum(billed_duration), sum(cost), avg(pdd_ms), max(rate) "
            f"FROM cdr WHERE customer_id = {mark} AND call_start >= {mark} AND call_start < {mark} "
            "GROUP BY destination ORDER BY sum(cost) DESC, destination LIMIT 500",
            [q.customer_id, start, end],
        )
        return len(cur.fetchall())
    finally:
        raw.close()


def raw_csv(q: cdrs.CdrQuery) -> int:
    engine = get_engine()
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    start, end = (_adapt([(0, q.start)], engine)[0][1], _adapt([(0, q.end)], engine)[0][1])
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(
            "SELECT call_start, cli, dialled, destination, duration, cost, status FROM cdr "
            f"WHERE customer_id = {mark} AND call_start >= {mark} AND call_start < {mark} "
            "ORDER BY call_start, id",
            [q.customer_id, start, end],
        )
        out = io.StringIO()
        writer = csv.writer(out)
        size = 0
        while rows := cur.fetchmany(5000):
            out.seek(0)
            out.truncate()
            writer.writerows(rows)
            size += len(out.getvalue())
        return size
    finally:
        raw.close()


KATHMANDU = "Asia/Kathmandu"  # +5:45: local days start at 18:15 UTC


def _raw(sql: str, params: list) -> int:
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(sql, params)
        return len(cur.fetchall())
    finally:
        raw.close()


def _local(expr: str, unit: str) -> str:
    """The Kathmandu day ("day") or month ("month") of a UTC time column, in SQL."""
    if get_engine().dialect.name == "sqlite":
        fmt = "%Y-%m-%d" if unit == "day" else "%Y-%m"
        return f"strftime('{fmt}', {expr}, '+345 minutes')"
    fmt = "YYYY-MM-DD" if unit == "day" else "YYYY-MM"
    return f"to_char({expr} AT TIME ZONE '{KATHMANDU}', '{fmt}')"


def _at(value: datetime):
    return _adapt([(0, value)], get_engine())[0][1]


def raw_top(days: int) -> int:
    """The top-customers query on the CDRs (what the dashboard ran before rollups)."""
    since = _at(datetime.now(UTC) - timedelta(days=days))
    return _raw(
        "SELECT * FROM (SELECT currency, customer_id, count(*) AS calls, sum(cost) AS cost, "
        "row_number() OVER (PARTITION BY currency ORDER BY sum(cost) DESC, customer_id) AS rnk, "
        "sum(count(*)) OVER (PARTITION BY currency), sum(sum(cost)) OVER (PARTITION BY currency) "
        "FROM cdr WHERE call_start >= ? GROUP BY currency, customer_id) AS t "
        "JOIN customer ON customer.id = t.customer_id WHERE rnk <= 10",
        [since],
    )


def raw_daily(customer_id: int, start: datetime, end: datetime) -> int:
    day = _local("call_start", "day")
    return _raw(
        f"SELECT {day}, count(*), sum(billed_duration), sum(cost) FROM cdr "
        "WHERE customer_id = ? AND call_start >= ? AND call_start < ? GROUP BY 1",
        [customer_id, _at(start), _at(end)],
    )


def raw_months(start: datetime, end: datetime) -> int:
    """Usage by month without rollups, and without the peak (which needs a sweep)."""
    month = _local("call_start", "month")
    return _raw(
        f"SELECT {month}, currency, count(*), sum(CASE WHEN status = 'answered' THEN 1 ELSE 0 "
        "END), sum(duration), sum(billed_duration), sum(cost) FROM cdr "
        "WHERE call_start >= ? AND call_start < ? GROUP BY 1, 2",
        [_at(start), _at(end)],
    )


def chart_cases(engine) -> list:
    """(label, ours, raw) for the charts, which read rollups only."""
    local_today = cdrs.today(KATHMANDU)
    start, end = cdrs.day_range(local_today - timedelta(days=29), local_today, KATHMANDU)
    first_month = (local_today - timedelta(days=DAYS)).replace(day=1)
    m_start, m_end = cdrs.day_range(first_month, local_today, KATHMANDU)

    def top():
        with Session(engine) as session:
            return top_customers(session=session, actor=SYSTEM, days=7)

    def daily(customer_id: int):
        def run():
            with Session(engine) as session:
                return usage.customer_daily(
                    session=session, actor=SYSTEM, customer_id=customer_id, days=30, tz=KATHMANDU
                )

        return run

    def months():
        with Session(engine) as session:
            return usage.usage_report(
                session=session,
                actor=SYSTEM,
                first=first_month,
                last=local_today,
                tz=KATHMANDU,
                by="month",
            )

    return [
        ("top customers, 7 days", top, lambda: raw_top(7)),
        ("daily chart, 30 days (Kathmandu)", daily(500), lambda: raw_daily(500, start, end)),
        ("  the carrier's (100,000 calls)", daily(1), lambda: raw_daily(1, start, end)),
        ("Usage by month (Kathmandu)", months, lambda: raw_months(m_start, m_end)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cdrs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    started = time.perf_counter()
    engine = get_engine()
    with engine.connect() as conn:
        held = conn.execute(sa.text("SELECT count(*) FROM cdr")).scalar_one()
    if held >= args.cdrs:  # a PORTAL_DATABASE_URL of an earlier run: measure it again
        print(f"{engine.dialect.name}: reusing {held:,} CDRs and their rollups")
    else:
        load(args.cdrs)
        print(
            f"{engine.dialect.name}: loaded {args.cdrs:,} CDRs for {CUSTOMERS:,} customers in "
            f"{time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        with engine.begin() as conn:
            rollup_rebuild(conn)
    with Session(engine) as session:
        counts = [
            session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("call_rollup", "call_rollup_day", "account_rollup", "call_peak")
        ]
    print(
        f"rollups built in {time.perf_counter() - started:.1f} s: {counts[0]:,} quarter rows, "
        f"{counts[1]:,} day rows, {counts[2]:,} account rows, {counts[3]:,} peaks"
    )
    customer = 500
    contact = Actor(kind="contact", id=1, label="bench", customer_id=customer)
    today = cdrs.today("UTC")
    day = cdrs.day_range(today, today, "UTC")
    month = cdrs.day_range(today - timedelta(days=DAYS), today, "UTC")
    first_q = cdrs.CdrQuery(customer_id=customer, start=day[0], end=day[1])
    month_q = cdrs.CdrQuery(customer_id=customer, start=month[0], end=month[1])
    carrier_q = cdrs.CdrQuery(customer_id=1, start=month[0], end=month[1])
    columns = ["call_start", "cli", "dialled", "destination", "duration", "cost", "status"]

    with Session(engine) as session:
        cursor = None
        for _ in range(10):  # ten pages deep into the month
            _, cursor = cdrs.cdr_page(
                session=session, actor=contact, query=month_q, after=cursor, limit=PAGE
            )
    deep_cursor = cursor

    def ours_first():
        return _fetch_page(contact, first_q, None, columns, DateFormatter())

    kolkata = DateFormatter("DD/MM/YYYY", zone("Asia/Kolkata"))

    def ours_first_kolkata():  # a viewer's zone and another date format
        return _fetch_page(contact, first_q, None, columns, kolkata)

    def ours_first_queries():
        with Session(engine) as session:
            cdrs.cdr_page(session=session, actor=contact, query=first_q, limit=PAGE)
            return cdrs.cdr_totals(session=session, actor=contact, query=first_q)

    def ours_deep():
        return _fetch_page(contact, month_q, deep_cursor, columns, DateFormatter())

    def ours_breakout():
        with Session(engine) as session:
            return cdr_breakout.breakout(session=session, actor=contact, query=month_q)

    def ours_csv(tz: str = "UTC"):
        with Session(engine) as session:
            return sum(
                len(c)
                for c in cdr_export.cdr_csv(
                    session=session, actor=SYSTEM, query=carrier_q, columns=columns, tz=tz
                )
            )

    rows, _, totals, cols, _ = ours_first()
    payload = json.dumps(
        {
            "rows": rows,
            "headers": [cdrs.column_label(c) for c in cols],
            "totals": [totals.calls, totals.answered],
        }
    )
    print(f"first page: {len(rows)} rows, {len(payload.encode()):,} bytes of state to the browser")
    with Session(engine) as session:
        carrier_rows = cdrs.cdr_totals(session=session, actor=SYSTEM, query=carrier_q).calls
    print(f"{'case':<34} {'ours':>10} {'raw SQL':>10} {'ratio':>6}")
    for label, ours, raw in [
        ("portal first CDR page", ours_first, lambda: raw_page(first_q, None)),
        ("  in Asia/Kolkata, DD/MM/YYYY", ours_first_kolkata, lambda: raw_page(first_q, None)),
        ("  the same, queries only", ours_first_queries, lambda: raw_page(first_q, None)),
        ("deep page (11th of the month)", ours_deep, lambda: raw_page(month_q, deep_cursor)),
        ("breakout, 30 days", ours_breakout, lambda: raw_breakout(month_q)),
        (f"CSV export, {carrier_rows:,} rows", ours_csv, lambda: raw_csv(carrier_q)),
        ("  the CSV in Asia/Kolkata", lambda: ours_csv("Asia/Kolkata"), lambda: raw_csv(carrier_q)),
        *chart_cases(engine),
    ]:
        runs = args.runs if "CSV" not in label else 3
        a = median_ms(ours, runs)
        b = median_ms(raw, runs)
        print(f"{label:<34} {a:>8.1f}ms {b:>8.1f}ms {a / b:>6.2f}")


if __name__ == "__main__":
    main()
