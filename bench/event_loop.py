"""Does one user's slow action delay another user's cheap event?

Starts the app as `make run` does (a fresh database with demo data), then measures the
round trip of client B's cheap event (``AppState.sync_identity`` on the dashboard) while
client A, on its own connection, keeps doing something slow:

  (a) saving operator users (argon2 hashing on every save),
  (b) importing a 1,000,000-row CDR file (a long write),
  (c) sending test email through an SMTP server that takes 5 s to answer,
  (d) loading brand pages (one every 50 ms, as B clicks) while 200 brands are verified.

Each load is measured against B idle in the same run; the ratio busy/idle of p50 and
p95 is the figure (goal: at most 1.5). Run: ``.venv/bin/python bench/event_loop.py``
(``--rows N`` for a smaller import while trying it out).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, select  # noqa: E402

from portal_app.devclient import DevClient  # noqa: E402
from portal_app.devserver import serve  # noqa: E402
from portal_app.models import Customer, CustomerStatus, DomainStatus, OperatorUser  # noqa: E402
from portal_app.services.db import make_engine  # noqa: E402
from portal_app.services.domains import domain_create  # noqa: E402
from portal_app.services.identity import SYSTEM  # noqa: E402
from portal_app.services.sessions import SESSION_COOKIE, session_create  # noqa: E402
from portal_app.services.smtp_details import account_smtp_update  # noqa: E402
from portal_app.settings import get_settings  # noqa: E402
from portal_app.state.base import AppState  # noqa: E402
from portal_app.state.brand import BrandState  # noqa: E402
from portal_app.state.rate_cards import RateCardsState  # noqa: E402
from portal_app.state.smtp import SmtpState  # noqa: E402
from portal_app.state.users import UsersState  # noqa: E402

SAMPLES = 60
GAP = 0.05  # between B's events, so B is a person clicking, not a flood
CHEAP = f"{AppState.get_full_name()}.sync_identity"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _samples(b: DevClient) -> list[float]:
    out = []
    for _ in range(SAMPLES):
        out.append(await b.request(CHEAP))
        await asyncio.sleep(GAP)
    return out


class SlowSmtp:
    """A TCP server that waits 5 s before its greeting, then speaks just enough SMTP."""

    def __init__(self, delay: float = 5.0):
        self.delay = delay
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rwb") as f:
            time.sleep(self.delay)
            f.write(b"220 slow.test ESMTP\r\n")
            f.flush()
            data = False
            for line in f:
                if data:
                    if line == b".\r\n":
                        data = False
                        f.write(b"250 queued\r\n")
                    else:
                        continue
                elif line.upper().startswith(b"DATA"):
                    data = True
                    f.write(b"354 go on\r\n")
                elif line.upper().startswith(b"QUIT"):
                    f.write(b"221 bye\r\n")
                    f.flush()
                    return
                else:
                    f.write(b"250 ok\r\n")
                f.flush()


def _seed(db_url: str, smtp_port: int, brands: int) -> tuple[str, str, list[int]]:
    """Sessions for A and B, the account's (slow) SMTP, 200 verified brands."""
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        admin = session.exec(
            select(OperatorUser).where(OperatorUser.email == "admin@example.com")
        ).one()
        token_a = session_create(session=session, user_id=admin.id)
        token_b = session_create(session=session, user_id=admin.id)
        account_smtp_update(
            session=session,
            actor=SYSTEM,
            data={
                "server": f"127.0.0.1:{smtp_port}",
                "from": "noc@example.com",
                "email": "noc@example.com",
                "username": "",
            },
        )
        for n in range(brands):
            domain = domain_create(
                session=session,
                actor=SYSTEM,
                data={
                    "host": f"brand{n}.example.test",
                    "brand_name": f"Brand {n}",
                    "currencies": ["USD"],
                },
                settings=get_settings(),
            )
            domain.status = DomainStatus.VERIFIED.value
            domain.custom_css = "body { color: #123; }\n" * 50
            domain.next_check_at = datetime.now(UTC) + timedelta(days=1)  # no DNS noise
        ids = session.exec(
            select(Customer.id).where(Customer.status == CustomerStatus.ACTIVE.value)
        ).all()
        session.commit()
    engine.dispose()
    return token_a, token_b, list(ids)


def _cdr_file(rows: int, customers: list[int]) -> Path:
    path = Path(tempfile.mkdtemp(prefix="bench-import-")) / "calls.csv"
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["call_start", "customer_id", "dialled", "duration", "sip_call_id"])
        for n in range(rows):
            when = (start + timedelta(seconds=n * 2)).isoformat()
            cid = customers[n % len(customers)]
            writer.writerow([when, cid, f"4420794{n % 100000:05d}", 30 + n % 300, f"bench-{n}"])
    return path


async def _loop_until(stop: asyncio.Event, step) -> int:
    done = 0
    while not stop.is_set():
        await step()
        done += 1
    return done


async def _measure(b: DevClient, load) -> tuple[list[float], int]:
    """B's samples while ``load(stop)`` runs; how many rounds the load did."""
    stop = asyncio.Event()
    task = asyncio.create_task(load(stop))
    await asyncio.sleep(1.0)  # the load is under way
    busy = await _samples(b)
    stop.set()
    rounds = await task
    return busy, rounds


async def run(url: str, db_url: str, rows: int) -> list[tuple[str, list[float], list[float], str]]:
    slow = SlowSmtp()
    token_a, token_b, customers = await asyncio.to_thread(_seed, db_url, slow.port, 200)
    csv_path = await asyncio.to_thread(_cdr_file, rows, customers)
    b = DevClient(url, path="/")
    await b.connect(token_b)
    results = []

    async def compare(name: str, load, note) -> None:
        idle = await _samples(b)
        busy, rounds = await _measure(b, load)
        results.append((name, idle, busy, note(rounds)))

    users = UsersState.get_full_name()
    a = DevClient(url, path="/setup/account/users")
    await a.connect(token_a)

    async def save_users(stop):
        async def step():
            await a.request(f"{users}.open_user", user_id="new")
            email = f"bench{time.monotonic_ns()}@example.com"
            form = {"name": "Bench", "email": email, "password": "bench-password-123"}
            form |= {"role": "user", "group_id": "none", "enabled": "on"}
            await a.request(f"{users}.save_user", form_data=form)

        return await _loop_until(stop, step)

    await compare("(a) A saves users (argon2)", save_users, lambda n: f"{n} saves")

    cards = RateCardsState.get_full_name()
    importer = DevClient(url, path="/management/rate-cards")
    await importer.connect(token_a)

    async def import_cdrs(stop):
        await importer.request(f"{cards}.set_target", target="cdr")
        cookies = {SESSION_COOKIE: token_a}  # the upload route checks the session first
        async with httpx.AsyncClient(timeout=600, cookies=cookies) as http:
            with csv_path.open("rb") as f:
                response = await http.post(
                    f"{url}/_upload",
                    headers={
                        "Reflex-Client-Token": importer.token,
                        "Reflex-Event-Handler": f"{cards}.upload_import",
                    },
                    files={"files": ("calls.csv", f, "text/csv")},
                )
        response.raise_for_status()
        await stop.wait()
        return rows

    await compare("(b) A imports 1M CDRs", import_cdrs, lambda n: f"{n:,} rows uploaded")

    smtp = SmtpState.get_full_name()
    mailer = DevClient(url, path="/setup/account/personal")
    await mailer.connect(token_a)

    async def slow_mail(stop):
        async def step():
            await mailer.request(f"{smtp}.send_test")
            await mailer.wait_for(lambda m: "slow.test" in str(m) or "queued" in str(m), "mail", 30)
            mailer.messages.clear()

        return await _loop_until(stop, step)

    await compare("(c) A sends mail, SMTP 5 s", slow_mail, lambda n: f"{n} test emails")

    brand = DevClient(url, origin=url.replace("localhost", "brand7.example.test"), path="/")

    async def brand_pages(stop):
        await brand.connect()

        async def step():  # a person opening pages as fast as B clicks, not a flood
            await brand.request(f"{BrandState.get_full_name()}.load_brand")
            await asyncio.sleep(GAP)

        return await _loop_until(stop, step)

    await compare("(d) A loads a brand page, 200 brands", brand_pages, lambda n: f"{n} loads")

    for client in (a, b, importer, mailer, brand):
        with contextlib.suppress(Exception):
            await client.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    log = Path("test-artifacts/bench-event-loop.log")
    with serve(log) as served:
        results = asyncio.run(run(served.url, served.db_url, args.rows))
    print(f"B's cheap event round trip, {SAMPLES} samples each (ms); ratio = busy / idle")
    head = ("load", "idle p50", "p95", "busy p50", "p95", "p50×", "p95×")
    print("{:40} {:>9} {:>7} {:>9} {:>7} {:>6} {:>6}".format(*head))
    for name, idle, busy, note in results:
        i50, i95, b50, b95 = (
            statistics.median(idle) * 1000,
            _pct(idle, 0.95) * 1000,
            statistics.median(busy) * 1000,
            _pct(busy, 0.95) * 1000,
        )
        print(
            f"{name:40} {i50:9.1f} {i95:7.1f} {b50:9.1f} {b95:7.1f} "
            f"{b50 / i50:6.2f} {b95 / i95:6.2f}   ({note})"
        )


if __name__ == "__main__":
    main()
