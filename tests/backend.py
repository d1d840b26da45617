"""Which database and state store the whole suite runs on.

``PORTAL_TEST_BACKEND=sqlite`` (the default) is the embedded shape: a SQLite file and
Reflex's in-memory state. ``PORTAL_TEST_BACKEND=postgres`` is the production shape: one
throw-away PostgreSQL server and one Redis server, started before any app module reads
its settings and stopped when the run ends. Every tier then uses them: the services and
state tests on the server's ``portal_test`` database, each served app (live tier) on a
fresh database of its own, with Redis state and several workers.
"""

from __future__ import annotations

import contextlib
import os
import secrets

import sqlalchemy as sa

from portal_app.settings import PROJECT_ROOT
from tests import pgserver, redisserver

NAME = os.environ.get("PORTAL_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
if NAME not in ("sqlite", "postgres"):
    raise SystemExit(f"PORTAL_TEST_BACKEND must be sqlite or postgres, not {NAME!r}")
POSTGRES = NAME == "postgres"
# `make test` runs the two suites side by side: each keeps its logs, screenshots and
# served-app build (REFLEX_WEB_WORKDIR, set in tests/conftest.py) to itself.
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / NAME
WEB_DIR = ".web" if NAME == "sqlite" else f".web-{NAME}"
# Workers of each served app in the production shape (2 cores here).
LIVE_WORKERS = "2"

_servers = contextlib.ExitStack()
_pg_url: str | None = None


def start() -> tuple[str, str]:
    """Start PostgreSQL and Redis for this run; returns (database URL, Redis URL)."""
    global _pg_url
    if not pgserver.available() or not redisserver.available():
        raise SystemExit(
            "PORTAL_TEST_BACKEND=postgres needs PostgreSQL and redis-server (make test installs)"
        )
    _pg_url = _servers.enter_context(pgserver.postgres())
    return _pg_url, _servers.enter_context(redisserver.running())


def postgres_url() -> str:
    """The run's PostgreSQL server (started on first use in the SQLite run too)."""
    global _pg_url
    if _pg_url is None:
        _pg_url = _servers.enter_context(pgserver.postgres())
    return _pg_url


def fresh_database(prefix: str) -> str:
    """A new empty database on the run's PostgreSQL server; returns its URL."""
    url = sa.engine.make_url(postgres_url())
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def stop() -> None:
    _servers.close()
