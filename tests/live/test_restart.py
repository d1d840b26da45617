"""Sessions live in the database: restarting the app logs nobody out."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]


def test_a_restart_does_not_log_anyone_out(page: Page, live_app):
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    expect(page.get_by_text("Operator users")).to_be_visible()

    live_app.restart()

    page.goto(live_app.url + "/setup/account/users")
    expect(page.locator("#users-table")).to_contain_text("admin@example.com")
    assert page.url.rstrip("/").endswith("/setup/account/users")  # not sent to /login
    shot(page, "40-after-restart")
