"""The app as production runs it (tests/prodshape.py): PostgreSQL, Redis, three workers
behind Caddy, real Chromium over HTTPS.

Operators' tabs are spread over at least two workers (each tab's websocket is held by
one worker, which ``ss`` shows); a sign-up made on a brand domain (a certificate on
demand) reaches all of them, and so does an approval made in one of them. Then the
worker holding a tab is SIGKILLed: the tab reconnects to another worker, is still
logged in with its page state (kept in Redis), and Granian starts a new worker.
"""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from portal_app.devserver import free_port
from portal_app.models import Customer, PortalDomain
from portal_app.services.crypto import encrypt_secret
from portal_app.services.db import make_engine
from tests import backend, dnsserver, pgserver, prodshape, redisserver, smtpserver

from .conftest import ARTIFACTS, BROWSER_ARGS, attempt_tag
from .test_browser_flows import login, shot
from .test_signup import _mail_to

pytestmark = [
    pytest.mark.live,
    pytest.mark.browser,
    *[pytest.mark.filterwarnings(w) for w in smtpserver.QUIET],
    # The shape starts a PostgreSQL, a Redis and a Caddy of its own whatever the suite's
    # backend: it is the same test in both suites, so it runs in the PostgreSQL one only.
    pytest.mark.skipif(
        not backend.POSTGRES, reason="the production shape runs in the PostgreSQL suite"
    ),
]
ADMIN = ("admin@example.com", "admin-password-1")


SMTP_PORT = free_port()


@pytest.fixture(scope="module")
def shape(dns_server):
    for needed, name in ((pgserver, "PostgreSQL"), (redisserver, "redis-server")):
        if not needed.available():
            if os.environ.get("CI"):
                pytest.fail(f"{name} is missing: `make test` installs it")
            pytest.skip(f"{name} is not installed (make test installs it)")
    env = {
        "PORTAL_DNS_NAMESERVERS": f"127.0.0.1:{dns_server.port}",
        "PORTAL_CNAME_TARGET": dnsserver.TARGET,
    }
    # Production refuses SMTP on loopback and odd ports unless told: the brand's mail goes
    # to the tests' SMTP server as a deploy's would go to a local Postfix.
    env["PORTAL_SMTP_INTERNAL_HOSTS"] = "127.0.0.1"
    env["PORTAL_SMTP_PORTS"] = f"25,465,587,2525,{SMTP_PORT}"
    with prodshape.running(ARTIFACTS / "prod-shape-server.log", **env) as shape:
        yield shape


@pytest.fixture(scope="module")
def browser(shape):
    """Chromium whose test names (*.example.test) reach this shape's Caddy."""
    from playwright.sync_api import sync_playwright

    args = [a for a in BROWSER_ARGS if not a.startswith("--host-resolver-rules")]
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[*args, f"--host-resolver-rules={shape.browser_rules}"],
        )
        yield chromium
        chromium.close()


@pytest.fixture()
def db(shape):
    engine = make_engine(shape.served.db_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def _tab(browser, shape):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _logged_in_tab(browser, shape) -> tuple[object, object, int]:
    """A new tab logged in as the admin; returns it with the worker holding its socket."""
    before = set(shape.proxied())
    context, page = _tab(browser, shape)
    login(page, shape.url, *ADMIN)
    page.wait_for_url(shape.url + "/")
    expect(page.locator("#dashboard-pending-card")).to_be_visible()
    # The login page's socket closed on the way; the dashboard's is the one left.
    deadline = time.monotonic() + 20
    while (
        not (new := {p: w for p, w in shape.proxied().items() if p not in before}) or len(new) > 1
    ):
        assert time.monotonic() < deadline, f"no single new websocket: {new}"
        time.sleep(0.2)
    return context, page, next(iter(new.values()))


def _pending(db) -> int:
    db.expire_all()
    return len(db.exec(select(Customer.id).where(Customer.status == "pending")).all())


def test_a_sign_up_on_a_brand_and_an_approval_reach_tabs_on_other_workers(browser, shape, db):
    assert len(shape.workers()) == 3
    tabs = []
    while len({worker for *_, worker in tabs}) < 2:
        assert len(tabs) < 8, "eight tabs all landed on one worker"
        tabs.append(_logged_in_tab(browser, shape))
    waiting = _pending(db)
    run = attempt_tag()
    company, email = f"Caddy Relay Ltd {run}", f"cara-{run}@relay.example"
    for _, page, _ in tabs:
        expect(page.locator("#dashboard-pending")).to_have_text(str(waiting))

    with smtpserver.smtp_server(SMTP_PORT) as smtp:
        acme = db.exec(select(PortalDomain).where(PortalDomain.host == prodshape.BRAND)).one()
        acme.smtp_server, acme.smtp_from = smtp.address, "noreply@acme.localhost"
        acme.smtp_username = smtpserver.USERNAME
        acme.smtp_password_enc = encrypt_secret(smtpserver.PASSWORD)
        db.add(acme)
        db.commit()
        visitor, me = _tab(browser, shape)
        brand = shape.brand_url()  # Caddy asks the app, then issues a certificate
        me.goto(brand + "/portal/signup?kind=customer")
        me.fill("#company_name", company)
        me.fill("#contact_name", "Cara Relay")
        me.fill("#email", email)
        me.fill("#password", "relay-pass-12")
        me.fill("#phone", "+44 20 7946 0999")
        me.fill("#country", "United Kingdom")  # a text box with suggestions
        me.click("#terms")
        me.click("#signup-submit")
        expect(me.locator("#signup-notice")).to_contain_text(email)
        mail = _mail_to(smtp, email, timeout=30)
        body = mail.get_body(("plain",)).get_content()
        link = re.search(r"https://\S+/portal/signup/confirm\?token=\S+", body).group(0)
        assert link.startswith(brand + "/")  # links name the public https address
        me.goto(link)
        expect(me.locator("#signup-confirmed")).to_contain_text("waiting for approval")
        visitor.close()

    for _, page, _ in tabs:
        expect(page.locator("#dashboard-pending")).to_have_text(str(waiting + 1))
    shot(tabs[-1][1], "90-prod-shape-pending")

    # An approval in the last tab (one worker) reaches the first (another worker).
    _, approver, _ = tabs[-1]
    approver.click("text=Pending Approval")
    approver.wait_for_url("**/management/pending")
    approver.get_by_role("checkbox", name=f"Select {company}").click()
    approver.click("#pending-approve")
    expect(approver.locator("#pending-table")).not_to_contain_text(company)
    for _, page, _ in tabs[:-1]:
        expect(page.locator("#dashboard-pending")).to_have_text(str(waiting))
    for context, _, _ in tabs:
        context.close()


def test_a_worker_killed_mid_session_leaves_the_session_on_the_others(browser, shape):
    workers = shape.workers()
    assert len(workers) == 3
    context, page, holder = _logged_in_tab(browser, shape)
    page.click("text=Pending Approval")
    page.wait_for_url("**/management/pending")
    expect(page.locator("#pending-table")).to_be_visible()

    os.kill(holder, signal.SIGKILL)

    # The tab reconnects to a live worker and goes on: still logged in, events answered.
    deadline = time.monotonic() + 30
    while holder in set(shape.proxied().values()) or not shape.proxied():
        assert time.monotonic() < deadline, "the tab did not reconnect"
        time.sleep(0.2)
    page.click("text=Dashboard")
    page.wait_for_url(shape.url + "/")
    expect(page.locator("#dashboard-pending-card")).to_be_visible()
    assert "/login" not in page.url
    shot(page, "91-prod-shape-after-kill")
    # Granian replaced the dead worker; the app still has three.
    deadline = time.monotonic() + 30
    while len(alive := shape.workers()) != 3 or holder in alive:
        assert time.monotonic() < deadline, f"workers after the kill: {alive}"
        time.sleep(0.5)
    assert shape.served.proc.poll() is None
    context.close()
