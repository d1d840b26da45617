"""Fixtures for the service tests: operators and groups made through the real services.

Every user costs one argon2 hash (about 0.1 s here), so tests create only the users
they need. All rows live in the migrated test database of ``tests/conftest.py`` and
are removed by its ``db`` fixture after each test.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from itertools import count

import pytest
from alembic import command
from alembic.config import Config
from sqlmodel import Session

from portal_app.models import OperatorGroup, OperatorUser, Role
from portal_app.services.db import make_engine
from portal_app.services.groups import group_create
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.users import actor_for, user_create
from portal_app.settings import PROJECT_ROOT
from tests import backend, pgserver

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def postgres_engine():
    """The same migrations on a real PostgreSQL server, started for this test run."""
    if not pgserver.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries are missing: `make test` installs them")
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    engine = make_engine(backend.fresh_database("services"))
    with engine.begin() as conn:
        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    yield engine
    engine.dispose()


# `make test` runs the suite on each backend, so every service test runs on SQLite and on
# PostgreSQL; within a suite, on that suite's database (the id names which).
@pytest.fixture(params=["postgresql"] if backend.POSTGRES else ["sqlite"])
def engine(app_engine):
    """The suite's database: SQLite on the embedded default, else PostgreSQL."""
    return app_engine


@pytest.fixture()
def make_user(db: Session) -> Callable[..., OperatorUser]:
    """Create and commit an operator user; returns the row."""
    serial = count(1)

    def make(
        *,
        email: str | None = None,
        role: str = Role.USER.value,
        group: OperatorGroup | None = None,
        password: str = PASSWORD,
        enabled: bool = True,
        name: str | None = None,
    ) -> OperatorUser:
        n = next(serial)
        data = {
            "name": name or f"Operator {n}",
            "email": email or f"operator{n}@example.com",
            "password": password,
            "role": role,
            "group_id": group.id if group else None,
            "enabled": enabled,
        }
        user = user_create(session=db, actor=SYSTEM, data=data)
        db.commit()
        return user

    return make


@pytest.fixture()
def make_group(db: Session) -> Callable[..., OperatorGroup]:
    """Create and commit an operator group with the given grants."""
    serial = count(1)

    def make(grants: dict[str, str] | None = None, name: str | None = None) -> OperatorGroup:
        data = {"name": name or f"Group {next(serial)}", "grants": grants or {}}
        group = group_create(session=db, actor=SYSTEM, data=data)
        db.commit()
        return group

    return make


@pytest.fixture()
def as_actor(db: Session) -> Callable[[OperatorUser], Actor]:
    """The Actor of a user, with their group's grants, as the app builds it."""
    return lambda user: actor_for(user, db)
