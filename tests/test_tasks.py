"""The purge task drops what has ended and keeps what still counts; the import repair
task finishes a dead process's import and removes its upload file; the package charging
task charges off the event loop."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from portal_app.models import (
    AuthSession,
    Cdr,
    Contact,
    Customer,
    ImportBatch,
    PackageCharge,
    PasswordLink,
    PortalDomain,
    RateLimit,
)
from portal_app.models.base import utcnow
from portal_app.portal_app import app
from portal_app.services.customer_packages import package_set
from portal_app.services.db import session_scope
from portal_app.services.identity import SYSTEM
from portal_app.services.imports import import_cdrs
from portal_app.services.ledger import balance
from portal_app.services.limiter import limit_hit
from portal_app.services.offloop import BlockingOnLoop, watch_loop
from portal_app.services.packages import PackageForm, package_create
from portal_app.services.processes import HOST
from portal_app.services.tls_allow import allow_list
from portal_app.startup import tls_allow_kept
from portal_app.tasks import (
    import_repair_loop,
    imports_repair,
    package_charge_loop,
    purge_expired,
)
from tests.services.import_child import cdr_lines


def test_purge_drops_ended_sessions_ended_rate_windows_and_expired_links(db):
    now = utcnow()
    customer = Customer(name="Acme")
    db.add(customer)
    db.flush()
    contact = Contact(customer_id=customer.id, name="Pat", email="pat@example.com")
    db.add(contact)
    db.flush()
    db.add_all(
        [
            AuthSession(token_hash="a" * 64, user_id=1, expires_at=now - timedelta(days=2)),
            AuthSession(token_hash="b" * 64, user_id=1, expires_at=now + timedelta(days=2)),
            PasswordLink(
                token_hash="c" * 64,
                contact_id=contact.id,
                purpose="reset",
                expires_at=now - timedelta(days=2),
            ),
            PasswordLink(
                token_hash="d" * 64,
                contact_id=contact.id,
                purpose="reset",
                expires_at=now - timedelta(minutes=5),
            ),
        ]
    )
    db.commit()
    limit_hit(session=db, name="login", key="x", now=now - timedelta(hours=1))
    limit_hit(session=db, name="signup_client", key="x", now=now - timedelta(minutes=30))
    db.commit()
    assert purge_expired() == (1, 1)
    db.expire_all()
    assert [s.token_hash[0] for s in db.exec(select(AuthSession)).all()] == ["b"]
    assert len(db.exec(select(RateLimit)).all()) == 1  # the live hour-long window stays
    assert [p.token_hash[0] for p in db.exec(select(PasswordLink)).all()] == ["d"]


def test_import_repair_completes_a_dead_import_and_removes_upload_files_left_behind(db):
    assert import_repair_loop in app.get_lifespan_tasks()
    customer = Customer(name="Carrier", currency="USD")
    db.add(customer)
    db.commit()

    def crash(done: int, total: int) -> None:
        if total and done:
            raise RuntimeError("the process dies here")

    with pytest.raises(RuntimeError):
        import_cdrs(
            session=db, actor=SYSTEM, lines=cdr_lines(customer.id, 6000, "t"), progress=crash
        )
    # An upload saved by a process that is gone, like the app before a crash.
    saved = subprocess.run(
        [
            sys.executable,
            "-c",
            "from portal_app.services.import_files import import_file_create as f; print(f()[1])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    upload = Path(saved.stdout.strip())
    gone = subprocess.Popen(["true"])
    gone.wait()
    db.exec(sa.update(ImportBatch).values(owner=f"{HOST}:{gone.pid}:gone"))
    db.commit()
    assert upload.exists()

    outcomes, removed = imports_repair()
    assert [outcome for _, outcome in outcomes] == ["completed"] and removed >= 1
    assert not upload.exists()
    assert len(db.exec(select(Cdr.id)).all()) == 6000


def test_the_package_charging_task_charges_off_the_event_loop(db):
    """The lifespan task charges a due Auto Decrement Credit period at start, on a loop
    declared the app's: a database call on it would raise (services/offloop.py)."""
    assert package_charge_loop in app.get_lifespan_tasks()
    customer = Customer(name="Monthly", currency="USD")
    db.add(customer)
    db.commit()
    form = PackageForm("Gold Plan", "USD", "19.00", auto_decrement=True)
    package = package_create(session=db, actor=SYSTEM, form=form)
    db.flush()
    package_set(session=db, actor=SYSTEM, customer_id=customer.id, package_id=package.id, on=True)
    db.commit()

    def charged() -> int:
        with session_scope() as session:
            return len(session.exec(select(PackageCharge.id)).all())

    async def run() -> int:
        watch_loop()
        with pytest.raises(BlockingOnLoop):  # positive control: on this loop it would fail
            charged()
        task = asyncio.create_task(package_charge_loop())
        try:
            for _ in range(200):
                if found := await asyncio.to_thread(charged):
                    return found
                await asyncio.sleep(0.05)
            return 0
        finally:
            task.cancel()

    assert asyncio.run(run()) == 1
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == -1900


def test_a_worker_knows_the_verified_brands_before_it_serves(db):
    """The allow-list (websocket origins, certificates) is loaded while the lifespan
    context is entered, which the server awaits before it accepts connections: a fresh
    worker must not refuse a brand page's websocket until a first background refresh."""
    assert tls_allow_kept in app.get_lifespan_tasks()
    host = "ready.example.test"
    db.add(PortalDomain(host=host, brand_name="Ready", status="verified"))
    db.commit()
    allow_list.replace([])
    assert not allow_list.allows(host)  # positive control: not known before

    async def run() -> bool:
        watch_loop()  # the app's loop: a database read on it would raise
        async with tls_allow_kept():
            return allow_list.allows(host)

    assert asyncio.run(run())
