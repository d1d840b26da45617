"""The floor for bench/events.py: a bare python-socketio server speaking Reflex's event
protocol, answering each request with the raw SQL it needs and nothing else.

No state tree, no session check, no ORM: on ``event`` it reads the handler's name, runs
the hand-written queries for it on the best index through one sqlite3 connection per
thread (off the event loop, as the app's handlers run), turns the rows into strings and
emits one ``{"delta": …}`` frame, as Reflex does. The customer the portal
requests are for comes in the connection's query string (the app takes it from the
session). Run: ``python bench/events_floor.py PORT DATABASE_FILE``.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
NS = "/_event"
_local = threading.local()


def _cursor() -> sqlite3.Cursor:
    if not hasattr(_local, "conn"):
        _local.conn = sqlite3.connect(DB, check_same_thread=False)
    return _local.conn.cursor()


def _ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def cdr_page(customer_id: int) -> dict:
    """Today's first page (50 calls, newest first) and the day's totals."""
    now = datetime.now(UTC)
    start = _ts(now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = _ts(now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1))
    cur = _cursor()
    where = "customer_id = ? AND call_start >= ? AND call_start < ?"
    cur.execute(
        "SELECT call_start, cli, dialled, destination, duration, cost, status FROM cdr "
        f"WHERE {where} ORDER BY call_start DESC, id DESC LIMIT 51",
        (customer_id, start, end),
    )
    rows = [[str(v) for v in r] for r in cur.fetchall()[:50]]
    cur.execute(
        "SELECT count(*), sum(CASE WHEN status = 'answered' THEN 1 ELSE 0 END), "
        f"sum(duration), sum(billed_duration), sum(cost) FROM cdr WHERE {where}",
        (customer_id, start, end),
    )
    calls, answered, seconds, billed, cost = cur.fetchone()
    return {"rows": rows, "calls": str(calls), "minutes": str((billed or 0) / 60), "cost": cost}


def balance(customer_id: int) -> dict:
    """The balance, the last 7 days' spend and the newest 20 ledger entries."""
    cur = _cursor()
    cur.execute("SELECT currency, credit_limit FROM customer WHERE id = ?", (customer_id,))
    currency, limit = cur.fetchone()
    cur.execute(
        "SELECT coalesce(sum(amount), 0) FROM ledger_entry WHERE customer_id = ?", (customer_id,)
    )
    money = cur.fetchone()[0]
    # The week's spend as the app reads it: whole quarter hours from the rollups, the
    # part-quarters at both ends from the CDRs (services/call_rollups.cost_between).
    now = datetime.now(UTC)
    lo, hi = now - timedelta(days=7), now
    first = lo.replace(minute=lo.minute - lo.minute % 15, second=0, microsecond=0)
    first += timedelta(minutes=15) if first < lo else timedelta()
    last = hi.replace(minute=hi.minute - hi.minute % 15, second=0, microsecond=0)
    ends = "SELECT coalesce(sum(cost), 0) FROM cdr WHERE customer_id = ? AND call_start >= ? "
    cur.execute(
        "SELECT (SELECT coalesce(sum(cost), 0) FROM call_rollup WHERE customer_id = ? AND "
        f"bucket_start >= ? AND bucket_start < ?) + ({ends} AND call_start < ?) "
        f"+ ({ends} AND call_start < ?)",
        (customer_id, _ts(first), _ts(last), customer_id, _ts(lo), _ts(first))
        + (customer_id, _ts(last), _ts(hi)),
    )
    spent = cur.fetchone()[0]
    cur.execute(
        "SELECT created_at, kind, amount, reference FROM ledger_entry WHERE customer_id = ? "
        "ORDER BY created_at DESC, id DESC LIMIT 20",
        (customer_id,),
    )
    rows = [[str(v) for v in r] for r in cur.fetchall()]
    cur.execute("SELECT count(*) FROM ledger_entry WHERE customer_id = ?", (customer_id,))
    total = cur.fetchone()[0]
    return {"rows": rows, "total": total, "balance": f"{money + limit} {currency}", "spent": spent}


def customer_search(text: str) -> dict:
    """The customer list's first page for a search, and its count: the trigram index
    counted alone, then the page read in name order for a broad text (bench_customers)."""
    from bench_customers import raw_sql

    cur = _cursor()
    cur.execute("SELECT count(*) FROM customer_fts WHERE customer_fts MATCH ?", (f'"{text}"',))
    total = cur.fetchone()[0]
    cur.execute("SELECT max(id) FROM customer")
    page, _count, params = raw_sql({"search": text}, total * total > 25 * cur.fetchone()[0])
    cur.execute(page, params)  # sa.text's :name binds are sqlite3's named style too
    return {"rows": [[str(v) for v in r] for r in cur.fetchall()], "total": total}


def answer(name: str, payload: dict, customer_id: int) -> dict:
    handler = name.rsplit(".", 1)[-1]
    if handler == "apply_cdr":
        return cdr_page(customer_id)
    if handler == "load":
        return balance(customer_id)
    if handler == "apply_filters":
        return customer_search(str(payload.get("form_data", {}).get("search", "")))
    return {}


sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*")
app = socketio.ASGIApp(sio, socketio_path="/_event")
_customers: dict[str, int] = {}


@sio.on("connect", namespace=NS)
async def connect(sid, environ, auth=None):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    _customers[sid] = int(query.get("customer", ["0"])[0])
    await sio.emit(
        "event", {"delta": {"state": {"is_hydrated_rx_state_": True}}}, to=sid, namespace=NS
    )


@sio.on("disconnect", namespace=NS)
async def disconnect(sid, *args):
    _customers.pop(sid, None)


@sio.on("event", namespace=NS)
async def event(sid, data):
    found = await asyncio.to_thread(answer, data["name"], data.get("payload", {}), _customers[sid])
    delta = {f"{var}_rx_state_": value for var, value in found.items()}
    await sio.emit("event", {"delta": {data["name"]: delta}, "events": []}, to=sid, namespace=NS)


DB = os.environ.get("EVENTS_FLOOR_DB", "")

if __name__ == "__main__":
    from granian import Granian

    os.environ["EVENTS_FLOOR_DB"] = sys.argv[2]
    Granian(
        "events_floor:app", address="127.0.0.1", port=int(sys.argv[1]), interface="asgi"
    ).serve()
