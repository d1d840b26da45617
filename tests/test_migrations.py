"""The Alembic migrations build exactly the models' schema, and go down and up again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import portal_app.models  # noqa: F401  (registers every table)
from portal_app.services.db import make_engine
from portal_app.settings import PROJECT_ROOT


def _config(connection) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["connection"] = connection
    return config


def test_upgrade_matches_the_models_and_downgrade_round_trips(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    with engine.begin() as conn:
        command.downgrade(_config(conn), "base")
    with engine.connect() as conn:
        tables = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").all()
    assert [t for (t,) in tables if t != "alembic_version"] == []
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    engine.dispose()
