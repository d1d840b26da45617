"""Sessions live in the database: restarting the app logs nobody out; killing it
mid-import leaves no partial import and no upload file behind."""

from __future__ import annotations

import os
import signal
import time

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from portal_app.models import Cdr, Customer, ImportBatch, cdr_staging
from portal_app.services.import_files import IMPORT_DIR
from portal_app.state.rate_cards import UPLOAD_ID
from tests.services.import_child import cdr_lines

from .conftest import attempt_tag
from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
ROWS = 150_000  # publishing takes seconds, so the kill lands in the middle of it


def test_a_restart_does_not_log_anyone_out(page: Page, live_app):
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    expect(page.get_by_text("Operator users")).to_be_visible()
    logged = live_app.log.stat().st_size

    live_app.restart()
    # Nothing changed, so the start reused the SPA's build (portal_app/build_reuse.py) and
    # the pages below are that build's.
    with live_app.log.open() as log:
        log.seek(logged)
        assert "reusing the last production build" in log.read()

    page.goto(live_app.url + "/setup/account/users")
    expect(page.locator("#users-table")).to_contain_text("admin@example.com")
    assert page.url.rstrip("/").endswith("/setup/account/users")  # not sent to /login
    shot(page, "40-after-restart")


def test_a_kill_9_mid_import_is_completed_at_the_next_start(page: Page, live_app):
    """The app is SIGKILLed while it publishes an uploaded file; the restarted app's
    lifespan task completes the import and removes the upload file it left behind."""
    with live_app.session() as session:
        bluebird = session.exec(
            select(Customer).where(Customer.name == "Bluebird Call Centre")
        ).one()
    tag = f"restart-{attempt_tag()}"
    data = "".join(cdr_lines(bluebird.id, ROWS, tag)).encode()
    uploads_before = set(IMPORT_DIR.glob("upload-*.csv"))
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/management/rate-cards")
    expect(page.locator("#cards-table")).to_contain_text("Standard USD")
    page.locator(f"#{UPLOAD_ID} input[type=file]").set_input_files(
        files=[{"name": "restart.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.click("#import-start")
    expect(page.get_by_text("Writing")).to_be_visible(timeout=120_000)
    left = set(IMPORT_DIR.glob("upload-*.csv")) - uploads_before
    os.killpg(live_app.served.proc.pid, signal.SIGKILL)
    live_app.served.proc.wait()
    try:
        with live_app.session() as session:
            batch = session.exec(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
            assert batch.status in ("validated", "publishing")  # killed mid-way
            assert 0 <= _calls(session, tag) < ROWS
        assert len(left) == 1 and all(path.exists() for path in left)
    finally:  # started again even when these fail: a rerun, and the tests after, need it
        live_app.restart()
    deadline = time.monotonic() + 120  # the repair runs beside the server's start
    with live_app.session() as session:
        while session.get(ImportBatch, batch.id).status != "done":
            assert time.monotonic() < deadline, "the import was not repaired"
            time.sleep(0.5)
            session.expire_all()
        assert _calls(session, tag) == ROWS
        assert session.exec(select(func.count()).select_from(cdr_staging)).one() == 0
    assert not any(path.exists() for path in left)


def _calls(session, tag: str) -> int:
    like = Cdr.sip_call_id.like(f"{tag}-%")
    return session.exec(select(func.count()).select_from(Cdr).where(like)).one()
