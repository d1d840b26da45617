"""With Redis configured the app runs several workers; a new sign-up still reaches every
open operator tab within seconds, whichever worker holds each tab's connection.

On the embedded default the served app is restarted for this test with PORTAL_REDIS_URL
(a real redis-server) and three workers, then restored. With PORTAL_TEST_BACKEND=postgres
the session's app already runs on Redis with several workers, and the test uses it as is.
"""

from __future__ import annotations

import os
import time

import pytest
import redis
from playwright.sync_api import expect
from sqlmodel import select

from portal_app.models import Customer, PortalDomain
from tests import backend, redisserver

from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
WORKERS = 3


@pytest.fixture()
def redis_app(live_app):
    if not redisserver.available():
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: `make test` installs it")
        pytest.skip("redis-server is not installed (make test installs it)")
    served = live_app.served
    if backend.POSTGRES:  # the session's app already runs so (tests/live/conftest.py)
        assert int(served.env["GRANIAN_WORKERS"]) > 1
        yield live_app, served.env["PORTAL_REDIS_URL"]
        return
    before = dict(served.env)
    with redisserver.running() as url:
        served.env = before | {"PORTAL_REDIS_URL": url, "GRANIAN_WORKERS": str(WORKERS)}
        live_app.restart()
        try:
            yield live_app, url
        finally:
            served.env = before
            live_app.restart()


def test_a_sign_up_reaches_every_operator_tab_across_workers(browser, redis_app):
    app, url = redis_app
    with app.session() as session:
        waiting = len(session.exec(select(Customer.id).where(Customer.status == "pending")).all())
    tabs = []
    for _ in range(3):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(20_000)
        login(page, app.url, "admin@example.com", "admin-password-1")
        page.wait_for_url(app.url + "/")
        if waiting:
            expect(page.locator("#dashboard-pending")).to_have_text(str(waiting))
        tabs.append((context, page))
    # The tabs' states live in Redis, shared by the workers.
    assert redis.Redis.from_url(url).dbsize() > 0

    with app.session() as session:
        acme = session.exec(select(PortalDomain).where(PortalDomain.host == "acme.localhost")).one()
        newcomer = Customer(
            name="Redis Relay Ltd", status="pending", domain_id=acme.id, currency="USD"
        )
        session.add(newcomer)
        session.commit()
    started = time.monotonic()
    try:
        for _, page in tabs:
            expect(page.locator("#dashboard-pending")).to_have_text(str(waiting + 1), timeout=5_000)
        seconds = time.monotonic() - started
        assert seconds < 2, f"the last tab took {seconds:.1f} s"
        shot(tabs[-1][1], "99-redis-workers-pending")
    finally:
        with app.session() as session:
            row = session.get(Customer, newcomer.id)
            row.status = "rejected"
            session.add(row)
            session.commit()
        for context, _ in tabs:
            context.close()
