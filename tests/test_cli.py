"""The `portal` console script, run as a user runs it, on its own database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, select

from portal_app.models import AuditEvent, OperatorUser
from portal_app.services.crypto import verify_password
from portal_app.services.db import make_engine

PORTAL = str(Path(sys.executable).parent / "portal")


def _portal(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PORTAL_DATABASE_URL=db_url)
    return subprocess.run([PORTAL, *args], env=env, capture_output=True, text=True, timeout=120)


def test_migrate_demo_and_idempotent_create_admin(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert _portal(db_url, "migrate").returncode == 0

    demo = _portal(db_url, "demo")
    assert demo.returncode == 0
    assert "Demo data loaded." in demo.stdout
    assert "admin@example.com" in demo.stdout
    again = _portal(db_url, "demo")
    assert "already has data" in again.stdout

    first = _portal(
        db_url,
        "create-admin",
        "--email",
        "Ops@Example.com",
        "--password",
        "first-password-1",
        "--name",
        "Ops",
    )
    assert first.returncode == 0, first.stderr
    assert "Created administrator ops@example.com" in first.stdout
    second = _portal(
        db_url, "create-admin", "--email", "ops@example.com", "--password", "second-password-2"
    )
    assert "Updated administrator ops@example.com" in second.stdout
    short = _portal(db_url, "create-admin", "--email", "x@example.com", "--password", "short")
    assert short.returncode == 2
    assert "password: Use at least 10 characters." in short.stderr

    with Session(make_engine(db_url)) as session:
        ops = session.exec(
            select(OperatorUser).where(OperatorUser.email == "ops@example.com")
        ).all()
        assert len(ops) == 1
        assert (ops[0].role, ops[0].name, ops[0].enabled) == ("admin", "Ops", True)
        assert verify_password("second-password-2", ops[0].password_hash)
        assert (
            session.exec(select(OperatorUser).where(OperatorUser.email == "x@example.com")).first()
            is None
        )
        actions = session.exec(
            select(AuditEvent.action).where(
                AuditEvent.entity_id == str(ops[0].id), AuditEvent.entity == "operator_user"
            )
        ).all()
        assert actions == ["user.create", "user.update"]


def test_demo_calls_and_csv_imports_from_the_command_line(tmp_path):
    from portal_app.models import Cdr, Customer, RateEntry

    db_url = f"sqlite:///{tmp_path / 'calls.db'}"
    assert _portal(db_url, "migrate").returncode == 0
    demo = _portal(db_url, "demo", "--cdrs", "5000")
    assert demo.returncode == 0 and "Generated 5,000 call records" in demo.stdout
    engine = make_engine(db_url)
    with Session(engine) as session:
        assert len(session.exec(select(Cdr.id)).all()) == 5000
        customer = session.exec(
            select(Customer).where(Customer.name == "Bluebird Call Centre")
        ).one()
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "call_start,customer_id,dialled,duration,sip_call_id\n"
        f"2026-11-25T09:00:00Z,{customer.id},441234567890,60,cli-1\n"
        f"2026-11-25T09:01:00Z,{customer.id},441234567891,61,cli-1\n"
    )
    refused = _portal(db_url, "import-cdrs", str(calls))
    assert refused.returncode == 1 and "line 3: sip_call_id repeats line 2" in refused.stderr
    calls.write_text(calls.read_text().replace("61,cli-1", "61,cli-2"))
    done = _portal(db_url, "import-cdrs", str(calls))
    assert done.returncode == 0 and "Imported 2 rows." in done.stdout
    rates = tmp_path / "rates.csv"
    rates.write_text("prefix,destination,rate\n44,United Kingdom,0.01\n4420,London,0.008\n")
    odd = _portal(db_url, "import-rates", str(rates), "--card", "Odd", "--currency", "XYZ")
    assert odd.returncode == 2 and "ISO 4217" in odd.stderr
    imported = _portal(
        db_url, "import-rates", str(rates), "--card", "Wholesale GBP", "--currency", "GBP"
    )
    assert imported.returncode == 0, imported.stderr
    with Session(engine) as session:
        assert len(session.exec(select(Cdr.id)).all()) == 5002
        assert len(session.exec(select(RateEntry.id)).all()) == 2 + 2 * 16  # demo cards: 16 each
