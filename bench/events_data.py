"""The data bench/events.py runs on: the demo world plus carrier-scale volume, cached.

Building it (a fresh migrated SQLite file, the demo data, ``--cdrs`` calls through the
demo generator as ``portal demo --cdrs N`` makes them, then ``--customers`` more customers
on five more brands as bench/bench_customers.py loads them) takes minutes at 1,000,000
calls, so the finished file is kept under bench/.data/ and each run works on a copy of
it: reruns skip the load, and no run's sessions end up in the cache.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data"


def database_file(customers: int, cdrs: int) -> Path:
    return DATA / f"events-{customers}-{cdrs}.db"


def point_at(path: Path) -> None:
    """The app modules read PORTAL_DATABASE_URL once: set it before importing them."""
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{path}"


def build(customers: int, cdrs: int) -> Path:
    """The cached file for these sizes, built now (in a process of its own: the app's
    settings and engine are read once per process) if missing."""
    cached = database_file(customers, cdrs)
    if not cached.exists():
        subprocess.run([sys.executable, __file__, str(customers), str(cdrs)], check=True)
    return cached


def _build(customers: int, cdrs: int) -> None:
    cached = database_file(customers, cdrs)
    DATA.mkdir(exist_ok=True)
    partial = cached.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    point_at(partial)
    from alembic import command
    from alembic.config import Config

    from portal_app.demo import demo_cdrs, demo_load
    from portal_app.services.db import get_engine, session_scope
    from portal_app.settings import PROJECT_ROOT

    started = time.perf_counter()
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    with session_scope() as session:
        demo_load(session=session)
    demo_cdrs(get_engine(), cdrs, seed=14)  # the demo customers' calls, before the crowd
    from bench_customers import load

    load(customers)  # 5 more brands, `customers` more customers, ANALYZE
    with get_engine().connect() as conn:  # everything into the file itself: it is copied
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    get_engine().dispose()
    partial.rename(cached)
    print(f"built {cached.name} in {time.perf_counter() - started:.0f} s", flush=True)


@dataclasses.dataclass(frozen=True)
class Logins:
    operator: list[str]  # session tokens of the demo administrator
    contact: list[str]  # session tokens of the demo contact Bea (Bluebird Call Centre)
    contact_origin_host: str  # the brand host Bea's portal is on
    customer_id: int  # Bluebird's id (the floor's queries need it)


def discard(run: Path) -> None:
    for path in (run, Path(f"{run}-wal"), Path(f"{run}-shm")):
        path.unlink(missing_ok=True)


def working_copy(cached: Path, operators: int, contacts: int) -> tuple[Path, Logins]:
    """A copy of the cached file with fresh sessions for this run's clients (discard()
    it after the run)."""
    run = DATA / f"run-{os.getpid()}.db"
    shutil.copyfile(cached, run)
    point_at(run)
    from sqlmodel import select

    from portal_app.demo import DEMO_CONTACTS
    from portal_app.models import Contact, Customer, OperatorUser, PortalDomain
    from portal_app.services.db import session_scope
    from portal_app.services.sessions import session_create

    email = DEMO_CONTACTS[0][2]
    with session_scope() as session:
        admin = session.exec(select(OperatorUser).order_by(OperatorUser.id)).first()
        bea = session.exec(select(Contact).where(Contact.email == email)).one()
        customer = session.get(Customer, bea.customer_id)
        host = session.get(PortalDomain, customer.domain_id).host
        ops = [session_create(session=session, user_id=admin.id) for _ in range(operators)]
        cts = [
            session_create(session=session, user_id=bea.id, principal="contact")
            for _ in range(contacts)
        ]
        session.commit()
    return run, Logins(ops, cts, host, customer.id)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    _build(int(sys.argv[1]), int(sys.argv[2]))
