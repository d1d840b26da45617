"""Customer search and paging on 100,000 customers: our code path against raw SQL.

Loads 100,000 customers (5 domains, both kinds, every status) into a fresh migrated
database (SQLite by default; set PORTAL_DATABASE_URL for PostgreSQL), then times, for a
few list views an operator uses, ``services.customers.customer_list`` plus the row
mapping the Customers state does, against the same two queries (page and count) run
through the bare DB-API cursor. Prints the medians and the ratio of each.

Pages are found by key (services/customer_list.py); substring search goes through the
trigram index of migration 0021 in both our path and the raw one (FTS5 on SQLite,
pg_trgm on PostgreSQL): "the best raw query for the same rows".

Usage: .venv/bin/python bench/bench_customers.py [--customers 100000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "PORTAL_DATABASE_URL" not in os.environ:
    _TMP = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{_TMP / 'bench.db'}"

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlmodel import Session  # noqa: E402

from portal_app.models import Customer, PortalDomain  # noqa: E402
from portal_app.models.base import utcnow  # noqa: E402
from portal_app.services.customer_list import customer_list  # noqa: E402
from portal_app.services.db import get_engine  # noqa: E402
from portal_app.services.identity import SYSTEM  # noqa: E402
from portal_app.services.money import format_minor  # noqa: E402
from portal_app.settings import PROJECT_ROOT  # noqa: E402

WORDS = [
    "North",
    "South",
    "East",
    "West",
    "Blue",
    "Red",
    "Green",
    "Global",
    "Metro",
    "Prime",
    "Alpha",
    "Delta",
    "Nova",
    "Vector",
    "Apex",
    "Summit",
    "Harbor",
    "River",
    "Lake",
    "Stone",
    "Iron",
    "Silver",
    "Golden",
    "Bright",
    "Swift",
    "Clear",
]
TRADES = "Telecom Voice Networks Trading Retail Logistics Call-Centre Carrier Media Systems"
STATUSES = ["active"] * 7 + ["pending", "suspended", "rejected"]


def load(n: int) -> list[int]:
    engine = get_engine()
    rnd = random.Random(42)
    with Session(engine) as session:
        domains = [
            PortalDomain(host=f"portal{i}.bench.test", brand_name=f"Bench {i}", status="verified")
            for i in range(5)
        ]
        session.add_all(domains)
        session.commit()
        ids = [d.id for d in domains]
    now = utcnow()
    rows = []
    for i in range(n):
        name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {rnd.choice(TRADES.split())} {i}"
        rows.append(
            {
                "name": name,
                "kind": "carrier" if rnd.random() < 0.2 else "customer",
                "status": rnd.choice(STATUSES),
                "currency": rnd.choice(["USD", "EUR", "GBP"]),
                "credit_limit": rnd.randrange(0, 100_000),
                "company_name": name + " Ltd",
                "address": "",
                "country": "GB",
                "domain_id": rnd.choice(ids),
                "portal_access": {},
                "created_at": now,
            }
        )
    with engine.begin() as conn:
        conn.execute(sa.insert(Customer.__table__), rows)
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE customer")
    return ids


def ours(**kw) -> int:
    """The service call and the mapping to rows that CustomersState._fetch does."""
    with Session(get_engine()) as session:
        page = customer_list(session=session, actor=SYSTEM, limit=25, **kw)
        rows = [
            (
                c.id,
                c.name,
                c.kind,
                c.status,
                c.host or "—",
                c.currency,
                format_minor(c.credit_limit, c.currency),
            )
            for c in page.rows
        ]
    return len(rows) + page.total


FTS_COUNT = "SELECT count(*) FROM customer_fts WHERE customer_fts MATCH :phrase"


def broad_text(conn, text: str) -> bool:
    """Whether a search is broad enough to read in name order (services/customer_text.py)."""
    matches = conn.execute(sa.text(FTS_COUNT), {"phrase": f'"{text}"'}).scalar_one()
    highest = conn.exec_driver_sql("SELECT max(id) FROM customer").scalar()
    return matches * matches > 25 * highest


def raw_sql(kw: dict, broad: bool = False) -> tuple[str, str, dict]:
    """The same page and count queries, written by hand."""
    where, params = [], {}
    if kw.get("status"):
        where.append("c.status = :status")
        params["status"] = kw["status"]
    if kw.get("kind"):
        where.append("c.kind = :kind")
        params["kind"] = kw["kind"]
    if kw.get("domain_id"):
        where.append("c.domain_id = :domain_id")
        params["domain_id"] = kw["domain_id"]
    fts_count = None
    if kw.get("search") and get_engine().dialect.name == "sqlite":
        # The best SQLite can do for a substring: the trigram FTS5 table (migration 0021),
        # counted on its own when nothing else filters, and a broad text read in name
        # order (`id + 0`: not by id, then sorted), as services/customer_text.py does.
        params["phrase"] = f'"{kw["search"]}"'
        fts_count = FTS_COUNT
        probe = "c.id + 0" if broad else "c.id"
        where.append(
            f"{probe} IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH :phrase)"
        )
    elif kw.get("search"):  # PostgreSQL: the same LIKE, answered by the pg_trgm indexes
        where.append(
            "(lower(c.name) LIKE :pattern ESCAPE '\\' OR lower(c.company_name) LIKE :pattern "
            "ESCAPE '\\')"
        )
        params["pattern"] = f"%{kw['search'].lower()}%"
    column = {"name": "c.name", "created": "c.created_at", "status": "c.status"}[
        kw.get("sort", "name")
    ]
    direction = "DESC" if kw.get("descending") else "ASC"
    cond = f"WHERE {' AND '.join(where)} " if where else ""
    keyed = cond
    if kw.get("after"):
        op = "<" if kw.get("descending") else ">"
        keyed = f"{cond}{'AND' if cond else 'WHERE'} ({column}, c.id) {op} (:key, :key_id) "
        params["key"], params["key_id"] = kw["after"]
    page = (
        "SELECT c.id, c.name, c.kind, c.status, c.currency, c.credit_limit, d.host "
        "FROM customer c LEFT JOIN portal_domain d ON d.id = c.domain_id "
        f"{keyed}ORDER BY {column} {direction}, c.id {direction} LIMIT 25"
    )
    if fts_count and len(where) == 1:
        return page, fts_count, params
    return page, f"SELECT count(*) FROM customer c {cond}", params


def raw(kw: dict, broad: bool) -> int:
    page, count, params = raw_sql(kw, broad)
    with get_engine().connect() as conn:
        rows = conn.execute(sa.text(page), params).fetchall()
        total = conn.execute(sa.text(count), params).scalar_one()
    return len(rows) + total


def median_ms(fn, runs: int) -> float:
    fn()  # warm caches and the connection pool
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    started = time.perf_counter()
    domains = load(args.customers)
    print(
        f"{get_engine().dialect.name}: loaded {args.customers:,} customers in "
        f"{time.perf_counter() - started:.1f} s"
    )
    with get_engine().connect() as conn:  # the key of the 50,000th row, by name
        deep = tuple(
            conn.exec_driver_sql(
                "SELECT name, id FROM customer ORDER BY name, id LIMIT 1 OFFSET 49999"
            ).one()
        )
    views = [
        ("first page, by name", {}),
        ("page 2,001 (by key)", {"after": deep}),
        ("status = suspended", {"status": "suspended"}),
        ("one domain, carriers", {"domain_id": domains[2], "kind": "carrier"}),
        ("search 'river tele'", {"search": "river tele"}),
        ("search 'summit'", {"search": "summit"}),
        ("newest first", {"sort": "created", "descending": True}),
    ]
    print(f"{'view':<28} {'ours':>9} {'raw SQL':>9} {'ratio':>6}")
    for label, kw in views:
        with get_engine().connect() as conn:  # the plan a hand-writer picks for this text
            broad = bool(kw.get("search")) and broad_text(conn, kw["search"])
        assert ours(**kw) == raw(kw, broad), f"{label}: different results"
        a = median_ms(lambda kw=kw: ours(**kw), args.runs)
        b = median_ms(lambda kw=kw, broad=broad: raw(kw, broad), args.runs)
        print(f"{label:<28} {a:>7.2f}ms {b:>7.2f}ms {a / b:>6.2f}")


if __name__ == "__main__":
    main()
