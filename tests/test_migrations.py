"""The Alembic migrations build exactly the models' schema, and go down and up again,
on SQLite and on PostgreSQL (a fresh database on the run's throw-away server)."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import portal_app.models  # noqa: F401  (registers every table)
from portal_app.services.customer_text import include_object
from portal_app.services.db import make_engine
from portal_app.settings import PROJECT_ROOT
from tests import backend, pgserver

# The search index objects of migration 0021 have no SQLModel form (customer_text.py).
OPTS = {"include_object": include_object}


def _config(connection) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["connection"] = connection
    return config


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    if not pgserver.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries are missing: `make test` installs them")
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    return backend.fresh_database("migrations")


def test_upgrade_matches_the_models_and_downgrade_round_trips(empty_url):
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts=OPTS), SQLModel.metadata)
    assert diff == []
    with engine.begin() as conn:
        command.downgrade(_config(conn), "base")
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        if conn.dialect.name == "postgresql":  # nothing left behind: types, sequences
            types = conn.exec_driver_sql(
                "SELECT typname FROM pg_type t JOIN pg_namespace n "
                "ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'"
            ).all()
            assert types == []
    assert [t for t in tables if t != "alembic_version"] == []
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    with engine.connect() as conn:
        assert (
            compare_metadata(MigrationContext.configure(conn, opts=OPTS), SQLModel.metadata) == []
        )
    engine.dispose()
