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


def test_installing_the_package_charging_never_charges_a_backlog(empty_url):
    """Migration 0025 records the current period of every existing auto-decrement
    assignment as settled (no ledger entry): charging starts with the next period."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session, select

    from portal_app.models import Customer, CustomerPackage, LedgerEntry, Package, PackageCharge
    from portal_app.services.package_billing import packages_charge
    from portal_app.services.package_periods import period_start

    engine = make_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0023")
    since = datetime.now(UTC) - timedelta(days=75)  # three monthly periods have begun
    with Session(engine) as db:
        shop = Customer(name="Upgraded Shop", currency="USD")
        monthly = Package(name="Monthly", currency="USD", retail=1500, auto_decrement=True)
        manual = Package(name="Manual", currency="USD", retail=900, auto_decrement=False)
        db.add_all([shop, monthly, manual])
        db.flush()
        db.add_all(
            [
                CustomerPackage(customer_id=shop.id, package_id=monthly.id, since=since),
                CustomerPackage(customer_id=shop.id, package_id=manual.id, since=since),
            ]
        )
        db.commit()
        shop_id, monthly_id = shop.id, monthly.id
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    with Session(engine) as db:
        rows = db.exec(select(PackageCharge)).all()
    current = period_start(since, "monthly", 2)
    assert [(r.package_id, r.ledger_entry_id) for r in rows] == [(monthly_id, None)]
    assert rows[0].period_start == current
    with Session(engine) as db:  # positive control: assigned after the upgrade, no baseline
        fresh = Customer(name="Assigned Later", currency="USD")
        db.add(fresh)
        db.flush()
        db.add(CustomerPackage(customer_id=fresh.id, package_id=monthly_id, since=since))
        db.commit()
        fresh_id = fresh.id
    charged = packages_charge(engine=engine).charged
    assert sorted(d.customer_id for d in charged) == [fresh_id] * 3  # its backlog; shop none
    later = period_start(since, "monthly", 3) + timedelta(hours=1)
    charged = packages_charge(engine=engine, now=later).charged
    assert sorted(d.customer_id for d in charged) == sorted([shop_id, fresh_id])
    with Session(engine) as db:
        amounts = db.exec(select(LedgerEntry.amount).where(LedgerEntry.customer_id == shop_id))
        assert amounts.all() == [-1500]  # the upgraded shop: only the period after it
    engine.dispose()
