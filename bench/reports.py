"""CDR reports at carrier scale: our code path against the plain SQL it needs.

Loads 1,000,000 CDRs for 1,000 customers over 30 days into a fresh migrated database
(SQLite by default; set PORTAL_DATABASE_URL for PostgreSQL). One customer is a big
carrier with 100,000 calls; the others share the rest. Then times, for a typical
customer, the portal's first CDR page (page + totals, mapped to cells as the state
does), a deep keyset page, a 30-day breakout, and for the carrier a CSV export of its
100,000 rows; each against the same queries through the bare DB-API cursor. Also
prints the size of the first page as the browser receives it.

Usage: .venv/bin/python bench/reports.py [--cdrs 1000000] [--runs 9]
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
from portal_app.services import cdrs  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cdrs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    started = time.perf_counter()
    load(args.cdrs)
    engine = get_engine()
    print(
        f"{engine.dialect.name}: loaded {args.cdrs:,} CDRs for {CUSTOMERS:,} customers in "
        f"{time.perf_counter() - started:.1f} s"
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
        return _fetch_page(contact, first_q, None, columns, "UTC")

    def ours_first_queries():
        with Session(engine) as session:
            cdrs.cdr_page(session=session, actor=contact, query=first_q, limit=PAGE)
            return cdrs.cdr_totals(session=session, actor=contact, query=first_q)

    def ours_deep():
        return _fetch_page(contact, month_q, deep_cursor, columns, "UTC")

    def ours_breakout():
        with Session(engine) as session:
            return cdrs.breakout(session=session, actor=contact, query=month_q)

    def ours_csv():
        with Session(engine) as session:
            return sum(
                len(c)
                for c in cdrs.cdr_csv(
                    session=session, actor=SYSTEM, query=carrier_q, columns=columns, tz="UTC"
                )
            )

    rows, _, totals, cols = ours_first()
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
        ("  the same, queries only", ours_first_queries, lambda: raw_page(first_q, None)),
        ("deep page (11th of the month)", ours_deep, lambda: raw_page(month_q, deep_cursor)),
        ("breakout, 30 days", ours_breakout, lambda: raw_breakout(month_q)),
        (f"CSV export, {carrier_rows:,} rows", ours_csv, lambda: raw_csv(carrier_q)),
    ]:
        runs = args.runs if "CSV" not in label else 3
        a = median_ms(ours, runs)
        b = median_ms(raw, runs)
        print(f"{label:<34} {a:>8.1f}ms {b:>8.1f}ms {a / b:>6.2f}")


if __name__ == "__main__":
    main()
