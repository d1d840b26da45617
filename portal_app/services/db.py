"""Database engine and sessions, from PORTAL_DATABASE_URL."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import Session, create_engine

from portal_app.settings import get_settings

from .offloop import POOL_SIZE, install_engine_check

# Connections kept open, one for every thread that runs handler bodies: QueuePool's
# default (5 kept, 10 more opened and closed as needed) churned under load, and a new
# SQLite connection runs the pragmas, parses the schema and starts with a cold
# statement cache (bench/events.py: a fifth of an event's CPU at 10 clients). Last in,
# first out: the connection just used, whose page cache is warm, serves the next read,
# and a light load keeps using a few connections rather than cycling through them all.
SQLITE_POOL = {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE, "pool_use_lifo": True}


def make_engine(url: str) -> sa.Engine:
    """An engine with the pragmas SQLite needs for several workers and FKs, and the
    check that no statement ever runs on the event loop (services/offloop.py)."""
    engine = _engine(url)
    install_engine_check(engine)
    return engine


def _engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **SQLITE_POOL
        )

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@functools.cache
def get_engine() -> sa.Engine:
    return make_engine(get_settings().database_url.get_secret_value())


@contextmanager
def session_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """A session for reads only (a report page): nothing is committed, so no commit hook
    runs; its transaction ends when the connection goes back to the pool (rolled back)."""
    with Session(engine or get_engine()) as session:
        yield session


# Session hooks every process that writes must have, installed with the engine module so
# no script, CLI command or import child can write without them: the call rollups follow
# every ORM write of calls, and a change that can alter a resolved login raises the auth
# epoch (without it, other processes kept serving a session's stale sections).
from . import auth_epoch, rollup_hooks  # noqa: E402,F401
