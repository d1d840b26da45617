"""The app as `make run` starts it (`portal serve`), on a fresh temporary database.

One server for the whole test session: the first production build takes a while. With
PORTAL_TEST_BACKEND=postgres it runs as production does: a fresh PostgreSQL database,
Redis state (PORTAL_REDIS_URL from tests/conftest.py) and several workers.
"""

from __future__ import annotations

import contextlib
import re
import secrets

import pytest
from sqlmodel import Session

from portal_app.devserver import Served, restart, serve
from portal_app.services.db import make_engine
from tests import backend, dnsserver

ARTIFACTS = backend.ARTIFACTS
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Brand hosts of the test DNS zone reach the app on loopback.
    "--host-resolver-rules=MAP *.example.test 127.0.0.1",
]


def attempt_tag() -> str:
    """A suffix of this attempt's own for what a browser test adds (names, emails, hosts,
    call ids): a browser test that fails runs once more (RERUN_ONCE, tests/conftest.py) on
    the same served app, and the rerun must not meet what the failed attempt left."""
    return secrets.token_hex(3)


class LiveApp:
    """The served app plus a way into its database."""

    def __init__(self, served: Served):
        self.served = served
        self.url, self.db_url, self.log = served.url, served.db_url, served.log
        self.engine = make_engine(served.db_url)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def restart(self) -> None:
        restart(self.served)


@pytest.fixture(scope="session")
def dns_server():
    """The test DNS zone (dnsmasq) the served app checks CNAMEs against."""
    with dnsserver.running() as server:
        yield server


@pytest.fixture(scope="session")
def live_app(dns_server) -> LiveApp:
    env = {
        "PORTAL_DNS_NAMESERVERS": f"127.0.0.1:{dns_server.port}",
        "PORTAL_CNAME_TARGET": dnsserver.TARGET,
    }
    db_url = None
    if backend.POSTGRES:
        db_url = backend.fresh_database("live")
        env["GRANIAN_WORKERS"] = backend.LIVE_WORKERS
    with serve(ARTIFACTS / "live-server.log", db_url, **env) as served:
        yield LiveApp(served)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, live_app):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


_UNSAFE = re.compile(r"[^\w.-]+")  # in a file name


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A browser test that fails shows where its page was: the URL and the page's text
    in the report (so in a CI log), and a full-page screenshot in test-artifacts."""
    from playwright.sync_api import Page

    report = yield
    if report.when != "call" or not report.failed:
        return report
    # A failure that its rerun mends leaves no report in the summary: say it here, in the
    # run's output (so in a CI log), and keep the whole of it beside the screenshots.
    crash = getattr(report.longrepr, "reprcrash", None)
    reason = crash.message.splitlines()[0][:300] if crash and crash.message else "failed"
    terminal = item.config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        terminal.write_line(f"\nFAILED (an attempt) {item.nodeid}: {reason}")
    with contextlib.suppress(OSError):
        (ARTIFACTS / "failures").mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "failures" / f"{_UNSAFE.sub('_', item.name)}.txt").write_text(
            report.longreprtext
        )
    for name, value in item.funcargs.items():
        if not isinstance(value, Page) or value.is_closed():
            continue
        shot = ARTIFACTS / "failures" / f"{_UNSAFE.sub('_', item.name)}-{name}.png"
        with contextlib.suppress(Exception):  # a page that cannot answer still fails the test
            shot.parent.mkdir(parents=True, exist_ok=True)
            value.screenshot(path=str(shot), full_page=True)
            text = value.locator("body").inner_text(timeout=2_000)
            report.sections.append(
                (f"page '{name}' at the failure", f"{value.url}\n{shot}\n{text[:3000]}")
            )
    return report
