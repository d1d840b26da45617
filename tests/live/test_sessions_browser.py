"""Where you are logged in, in Chromium: two browsers of one contact and one operator.

Each lists both sessions; "Sign out everywhere" in one browser ends the other browser's
session too (its next page is the login), and signing out one other session leaves
this browser logged in.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, update

from portal_app.models import AuthSession
from portal_app.models.base import utcnow

from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]


# The second browser says it is Firefox, so its row is told apart from the sessions
# other tests' Chromium pages left on the same shared app.
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _no_firefox_left(live_app) -> None:
    """End the Firefox sessions a failed earlier attempt (before a rerun) may have left:
    each test expects one "Firefox on Linux" row, its own second browser's."""
    with live_app.session() as session:
        session.exec(
            update(AuthSession)
            .where(col(AuthSession.user_agent).contains("Firefox/"))
            .where(AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        session.commit()


def _browser(browser: Browser, agent: str | None = None) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, user_agent=agent)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _portal_login(page: Page, base: str) -> None:
    page.goto(f"{base}/portal/login")
    page.fill("#email", "bea@bluebird.example")
    page.fill("#password", "bluebird-pass-1")
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/portal/?$"))


def test_a_contact_signs_out_everywhere(browser: Browser, live_app):
    base = f"http://acme.localhost:{urlsplit(live_app.url).port}"
    _no_firefox_left(live_app)
    first, second = _browser(browser), _browser(browser, FIREFOX)
    try:
        _portal_login(first, base)
        _portal_login(second, base)
        first.goto(f"{base}/portal/profile")
        rows = first.locator("#sessions-table tbody tr")
        expect(rows.filter(has_text="Firefox on Linux")).to_have_count(1)
        expect(first.get_by_text("This browser")).to_have_count(1)
        shot(first, "95-portal-sessions")
        first.click("#sessions-end-all")
        first.wait_for_url(re.compile(r".*/portal/login/?(\?.*)?$"))
        # The other browser's cookie names a session that no longer exists.
        second.goto(f"{base}/portal/balance")
        second.wait_for_url(re.compile(r".*/portal/login/?(\?.*)?$"))
        expect(second.locator("#email")).to_be_visible()
    finally:
        first.context.close()
        second.context.close()


def test_an_operator_signs_out_one_other_browser(browser: Browser, live_app):
    _no_firefox_left(live_app)
    first, second = _browser(browser), _browser(browser, FIREFOX)
    try:
        for page in (first, second):
            login(page, live_app.url, "support@example.com", "support-password-1")
            page.wait_for_url(lambda u: "/login" not in u)
        first.goto(f"{live_app.url}/setup/account/personal")
        rows = first.locator("#sessions-table tbody tr")
        other = rows.filter(has_text="Firefox on Linux")
        expect(other).to_have_count(1)
        other.get_by_role("button", name=re.compile("^Sign out the session")).click()
        expect(other).to_have_count(0)
        expect(rows.filter(has_text="This browser")).to_have_count(1)
        second.goto(f"{live_app.url}/setup/account/personal")
        second.wait_for_url(re.compile(r".*/login/?(\?.*)?$"))
        # Positive control: the browser that signed the other out is still logged in.
        first.reload()
        expect(first.locator("#sessions-table").get_by_text("This browser")).to_have_count(1)
        assert "/login" not in first.url
    finally:
        first.context.close()
        second.context.close()
