"""Shared fixtures. The database is a real SQLite file, migrated with Alembic, or with
PORTAL_TEST_BACKEND=postgres a throw-away PostgreSQL server plus Redis (tests/backend.py).

PORTAL_* variables are set here, before any app module reads the settings, so
that every test (and the app code under test) uses the temporary database.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tests import backend

# The suite's own temporary folder, inherited by every server it starts: `make test` runs
# the two suites side by side, and one's upload files (services/import_files.py) or
# databases must not show up in the other's. Its served apps build in a `.web` of its own.
_TMP = Path(tempfile.mkdtemp(prefix=f"portal-tests-{backend.NAME}-"))
os.environ["TMPDIR"] = str(_TMP)
tempfile.tempdir = None  # gettempdir() reads TMPDIR again
os.environ["REFLEX_WEB_WORKDIR"] = backend.WEB_DIR
if backend.POSTGRES:
    os.environ["PORTAL_DATABASE_URL"], os.environ["PORTAL_REDIS_URL"] = backend.start()
else:
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{_TMP / 'test.db'}"
    os.environ.pop("PORTAL_REDIS_URL", None)
os.environ.setdefault("PORTAL_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ["PORTAL_ENV"] = "development"
# localstripe (tests/stripeserver.py) listens here; the settings read it once.
from portal_app.devserver import free_port  # noqa: E402

# Under pytest-xdist each worker process starts servers of its own: it takes fresh ports
# rather than the ones the controlling process chose (and passed down in the environment).
_OWN_PORTS = "PYTEST_XDIST_WORKER" in os.environ
if _OWN_PORTS or "PORTAL_STRIPE_API_BASE" not in os.environ:
    os.environ["PORTAL_STRIPE_API_BASE"] = f"http://127.0.0.1:{free_port()}"
    os.environ["PORTAL_STRIPE_JS_URL"] = os.environ["PORTAL_STRIPE_API_BASE"] + "/js.stripe.com/v3/"
# The payment services' local PayPal (the ``paypal_api`` fixture) listens here.
if _OWN_PORTS or "PORTAL_PAYPAL_API_BASE" not in os.environ:
    os.environ["PORTAL_PAYPAL_API_BASE"] = f"http://127.0.0.1:{free_port()}"

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from portal_app.settings import PROJECT_ROOT  # noqa: E402

LIVE_DIR = "tests/live/"
# Tiers whose failure can come from a loaded machine rather than the code: a real browser
# against the served app, and wall-clock comparisons. A failed test there runs once more
# (pytest-rerunfailures); the summary lists every rerun ("R"), so a flaky test stays seen.
RERUN_ONCE = (LIVE_DIR, "tests/services/test_timing.py", "tests/state/test_answer_times.py")


@pytest.fixture(scope="session")
def app_engine() -> sa.Engine:
    """The migrated test database (alembic upgrade head, as `make run` does)."""
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    from portal_app.services.db import get_engine

    return get_engine()


@pytest.fixture()
def engine(app_engine) -> sa.Engine:
    """The app's own database: the global engine the state code uses too."""
    return app_engine


@pytest.fixture()
def db(engine):
    """A session on the test database; every table is emptied after the test."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
    empty_tables(engine)


def empty_tables(engine: sa.Engine, *, bulk: bool = False) -> None:
    """Delete every row of every table, children first (what each test leaves).

    ``bulk``: after a load of tens of thousands of rows, PostgreSQL empties the tables with
    one TRUNCATE. Row by row, each deleted parent row has its foreign keys checked against
    the child tables, which still hold every deleted row until a vacuum: emptying the
    state-size test's load took 180-244 s in some runs of the whole suite (1.4 s alone)."""
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as conn:
        if bulk and conn.dialect.name == "postgresql":
            names = ", ".join(conn.dialect.identifier_preparer.format_table(t) for t in tables)
            # A connection left holding a table would make it wait: fail instead of hanging.
            conn.execute(sa.text("SET LOCAL lock_timeout = '30s'"))
            conn.execute(sa.text(f"TRUNCATE {names}"))
            return
        for table in tables:
            conn.execute(table.delete())


@pytest.fixture(scope="session")
def stripe_api() -> str:
    """localstripe at PORTAL_STRIPE_API_BASE for the whole run."""
    from tests.stripeserver import localstripe

    with localstripe(os.environ["PORTAL_STRIPE_API_BASE"]) as base:
        yield base


@pytest.fixture()
def paypal_api():
    """The local PayPal at PORTAL_PAYPAL_API_BASE, where the payment services look."""
    from urllib.parse import urlsplit

    from tests.fakes.paypal import paypal_server

    with paypal_server(port=urlsplit(os.environ["PORTAL_PAYPAL_API_BASE"]).port) as server:
        yield server


def pytest_collection_modifyitems(config, items):
    """In one process: fast tiers first, tests against the served app (slow to start) last,
    or first with PORTAL_TEST_LIVE_FIRST=1: `make test` runs the SQLite suite's browser
    tier beside the PostgreSQL suite's fast tiers, so that the two browser tiers overlap less.
    With pytest-xdist (`make test PYTEST_WORKERS="-n 4"`) the served-app tests come
    first, as one scope that one worker takes whole (``pytest_xdist_make_scheduler``),
    while the other workers run the rest.

    The production-shape test (tests/prodshape.py) builds the SPA again for its own port
    in the same `.web`, so it runs first of the live tests, before the session's served
    app is built: any later, it leaves that app's pages pointing at a dead websocket."""
    live = [item for item in items if item.get_closest_marker("live") is not None]
    live.sort(key=lambda item: item.module.__name__ != "tests.live.test_production_shape")
    rest = [item for item in items if item.get_closest_marker("live") is None]
    distributed = os.environ.get("PYTEST_XDIST_WORKER") or getattr(config.option, "dist", "no")
    live_first = distributed not in ("no", "") or os.environ.get("PORTAL_TEST_LIVE_FIRST") == "1"
    items[:] = live + rest if live_first else rest + live
    if config.pluginmanager.hasplugin("rerunfailures"):
        for item in items:
            if item.nodeid.startswith(RERUN_ONCE):
                item.add_marker(pytest.mark.flaky(reruns=1))


def pytest_xdist_make_scheduler(config, log):
    """Every test under tests/live/ in one scope, so one worker serves the app once (two
    would build the same `.web` at once); every other test is a scope of its own.
    (xdist's own `loadgroup` does not group under pytest 9: it renames `item._nodeid`,
    which pytest 9 no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class LiveTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "live" if nodeid.startswith(LIVE_DIR) else nodeid

    return LiveTogether(config, log)


@pytest.fixture()
def paypal():
    """A local PayPal REST server (tests/fakes/paypal) on a free port, for one test."""
    from tests.fakes.paypal import paypal_server

    with paypal_server() as server:
        yield server


def pytest_report_header(config):
    return f"backend: {backend.NAME} (PORTAL_TEST_BACKEND)"


def pytest_unconfigure(config):
    backend.stop()
