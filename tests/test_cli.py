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
