"""Concurrent Socket.IO clients on the app against the raw-SQL floor (issue #14).

1, 10 and 50 clients at once, each one browser tab speaking Reflex's event protocol
(bench/events_load.py): portal tabs of the demo contact Bea (Bluebird Call Centre) send
the CDR report's first page (today) and the Balance section's load, operator tabs send the
Customers page's search (texts of the bench's customer names). Against the app served as
`portal serve` runs it (backend only: no browser needs the pages), and against the floor
(bench/events_floor.py): a bare python-socketio server answering the same events with the
hand-written SQL on the best index. Prints p50/p95 per kind, events/s and server CPU per
event (utime+stime of the server's processes, from /proc) for both, and the ratios.

Then the same 50-client load on 1, 2 and 3 workers with Redis as the state manager
(tests/redisserver.py), and 500 connected portal tabs (50 of them active) on 3 workers:
p95, and the memory a connected tab costs (Redis used_memory and the workers' RSS, before
and after connecting, divided by the tabs).

Data: the demo world plus --customers and --cdrs (bench/events_data.py), cached in
bench/.data/. Usage: .venv/bin/python bench/events.py [--customers 100000]
[--cdrs 1000000] [--rounds 10] [--quick: 2,000 customers, 20,000 CDRs, 3 rounds]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import events_data  # noqa: E402
import httpx  # noqa: E402
from events_load import (  # noqa: E402
    SEARCHES,
    Client,
    Result,
    Work,
    drive,
    group_pids,
    load_average,  # noqa: E402
)

# The state names, as Reflex formats them (importing the states would import the app).
STATE = "reflex___state____state.portal_app___state___base____app_state."
REPORT = STATE + "portal_app___state___reports____portal_report_state"
BALANCE = STATE + "portal_app___state___portal_balance____portal_balance_state"
CUSTOMERS = STATE + "portal_app___state___customers____customers_state"


@contextlib.contextmanager
def server(argv: list[str], env: dict[str, str], port: int, log: Path):
    """A server process in its own process group, until it answers on ``port``."""
    out = open(log, "a")  # noqa: SIM115
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 600
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"{argv[:3]} exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/ping", timeout=2).status_code in (200, 404):
                break
        if time.monotonic() > deadline:
            raise SystemExit(f"no answer on {port}; see {log}")
        time.sleep(0.5)
    try:
        yield lambda: group_pids(proc.pid)
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


def app_argv(port: int) -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "events_app.py"), "--backend-port", str(port)]


def floor_argv(port: int, db: Path) -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "events_floor.py"), str(port), str(db)]


def tabs(
    url: str, logins, n: int, host: str, floor: bool, portal_only: bool = False
) -> list[list[tuple[Client, list]]]:
    """``n`` tabs, roles in turn portal, portal, operator; a single tab is run once as
    each role, one after the other (still one event in flight)."""
    port = url.rsplit(":", 1)[1]
    today = datetime.now(UTC).date().isoformat()
    cdr = {"form_data": {"first": today, "last": today, "status": "all", "search": ""}}
    query = f"&customer={logins.customer_id}" if floor else ""

    def portal(i: int) -> tuple[Client, list]:
        cookie = logins.contact[i % len(logins.contact)]
        client = Client(url, f"http://{host}:{port}", "/portal/balance", cookie, query)
        return client, [
            Work("cdr", f"{REPORT}.apply_cdr", cdr, "/portal/cdr"),
            Work("balance", f"{BALANCE}.load", {}, "/portal/balance"),
        ]

    def operator(i: int) -> tuple[Client, list]:
        cookie = logins.operator[i % len(logins.operator)]
        client = Client(url, f"http://localhost:{port}", "/management/customers", cookie)
        form = {"search": SEARCHES[i % len(SEARCHES)], "kind": "all", "status": "all"}
        work = [
            Work(
                "search", f"{CUSTOMERS}.apply_filters", {"form_data": form}, "/management/customers"
            )
        ]
        return client, work

    if portal_only:
        return [[portal(i) for i in range(n)]]
    if n == 1:
        return [[portal(0)], [operator(0)]]
    return [[portal(i) if i % 3 != 2 else operator(i) for i in range(n)]]


async def run_load(url, logins, n, rounds, pids, host, floor=False) -> Result:
    total = Result()
    for group in tabs(url, logins, n, host, floor):
        await asyncio.gather(*(c.connect() for c, _ in group))
        await drive(group, 1, pids)  # warm: the first events import and compile
        part = await drive(group, rounds, pids)
        await asyncio.gather(*(c.close() for c, _ in group))
        for kind, values in part.latencies.items():
            total.latencies.setdefault(kind, []).extend(values)
        total.seconds += part.seconds
        total.cpu += part.cpu
    return total


def line(label: str, r: Result) -> str:
    kinds = " ".join(f"{k} {r.p50(k):6.1f}/{r.p(k, 0.95):6.1f}" for k in sorted(r.latencies))
    per = r.cpu / max(r.events, 1) * 1000
    return (
        f"{label:<22} p50/p95 ms: all {r.p50():6.1f}/{r.p(None, 0.95):6.1f}  {kinds}  "
        f"{r.events / r.seconds:6.1f} ev/s  {per:6.2f} ms CPU/ev"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--cdrs", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--loads", default="1,10,50")
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip", default="", help="comma list of: floor,redis,sessions")
    args = parser.parse_args()
    if args.quick:
        args.customers, args.cdrs, args.rounds = 2_000, 20_000, 3
    skip = set(filter(None, args.skip.split(",")))
    loads = [int(x) for x in args.loads.split(",")]
    cached = events_data.build(args.customers, args.cdrs)
    db, logins = events_data.working_copy(cached, 20, args.sessions)
    try:
        run(args, db, logins, loads, skip)
    finally:
        events_data.discard(db)


def run(args, db: Path, logins, loads: list[int], skip: set) -> None:
    host = logins.contact_origin_host
    log = ROOT / "test-artifacts" / "bench-events.log"
    log.parent.mkdir(exist_ok=True)
    from portal_app.devserver import free_port

    print(f"{args.customers:,} customers, {args.cdrs:,} CDRs; load average {load_average()}")
    env = dict(os.environ, PORTAL_DATABASE_URL=f"sqlite:///{db}", GRANIAN_WORKERS="1")
    env.pop("PORTAL_REDIS_URL", None)
    embedded: dict[int, Result] = {}
    port = free_port()
    env["PORTAL_PORT"] = str(port)
    with server(app_argv(port), env, port, log) as pids:
        url = f"http://127.0.0.1:{port}"
        for n in loads:
            embedded[n] = asyncio.run(run_load(url, logins, n, args.rounds, pids, host))
            print(line(f"app, {n} clients", embedded[n]), flush=True)
    if "floor" not in skip:
        port = free_port()
        floor_env = dict(env, PYTHONPATH=f"{ROOT / 'bench'}{os.pathsep}{ROOT}")
        with server(floor_argv(port, db), floor_env, port, log) as pids:
            url = f"http://127.0.0.1:{port}"
            for n in loads:
                r = asyncio.run(run_load(url, logins, n, args.rounds, pids, host, floor=True))
                print(line(f"floor, {n} clients", r), flush=True)
                ours = embedded[n]
                kinds = ", ".join(
                    f"{k} {ours.p(k, 0.95) / r.p(k, 0.95):.2f}" for k in sorted(r.latencies)
                )
                print(
                    f"{'':<22} ratio app/floor: p95 {ours.p(None, 0.95) / r.p(None, 0.95):.2f} "
                    f"({kinds}), "
                    f"CPU/ev {ours.cpu / ours.events / max(r.cpu / r.events, 1e-9):.2f}, "
                    f"ev/s {(ours.events / ours.seconds) / (r.events / r.seconds):.2f}",
                    flush=True,
                )
    print(f"load average {load_average()}", flush=True)
    if "redis" not in skip or "sessions" not in skip:
        from events_redis import redis_phases

        redis_phases(args, env, logins, host, embedded[max(loads)], skip, log)


if __name__ == "__main__":
    main()
