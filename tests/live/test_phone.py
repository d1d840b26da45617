"""The control panel and the portal on a phone (390×844) in Chromium: no page scrolls
sideways, the sidebar becomes a drawer behind a menu button, and dialogs fit the screen.
Every main screen is screenshotted at phone size (test-artifacts/<suite>/screenshots/phone-*.png).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .test_accessibility import CONTACT, CONTROL_SCREENS, acme
from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
# The machine running these is shared and busy: a dialog can take longer than the 5 s
# default to fill in. Waiting longer changes no assertion (nothing here is timed).
expect.set_options(timeout=20_000)
PHONE = {"width": 390, "height": 844}
SCREENS = [
    *CONTROL_SCREENS,
    ("not-found", "/no-such-page", "#not-found"),
]
PORTAL = [
    ("portal-home", "/portal", "#portal-customer"),
    ("portal-balance", "/portal/balance", "#portal-statement"),
    ("portal-cdr", "/portal/cdr", "#cdr-calls:not(:empty)"),
    ("portal-rates", "/portal/rates", "#rates-search"),
    ("portal-contacts", "/portal/contacts", "#portal-team"),
    ("portal-profile", "/portal/profile", "#totp-start, #totp-status"),
]


def _phone(browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


@pytest.fixture(scope="module")
def operator(browser, live_app):
    page = _phone(browser)
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    yield page
    page.context.close()


def _sideways(page: Page) -> int:
    """How far the page scrolls sideways (0: it fits the screen's width)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _fits(page: Page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_every_screen_fits_a_phone_and_the_menu_is_a_drawer(operator, live_app):
    page, wide = operator, {}
    for name, path, ready in SCREENS:
        page.goto(live_app.url + path)
        expect(page.locator(ready).first).to_be_visible()
        if name != "not-found":  # the 404 page has no menu, only its way back
            expect(page.locator(".cp-shell > .cp-sidebar")).to_be_hidden()
            expect(page.locator("#menu-button")).to_be_visible()
        if _sideways(page) > 0:
            wide[name] = _sideways(page)
        shot(page, f"phone-{name}")
    assert wide == {}

    # The drawer: the sidebar's links, the current page marked; a link goes there.
    page.goto(live_app.url + "/management/customers")
    page.click("#menu-button")
    drawer = page.locator("#menu-drawer")
    expect(drawer).to_be_visible()
    _fits(page, "#menu-drawer")
    expect(drawer.locator('a[aria-current="page"]')).to_have_text("Customers")
    shot(page, "phone-menu")
    page.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    expect(page.locator("#menu-button")).to_be_focused()  # focus goes back to the button
    page.click("#menu-button")
    drawer.get_by_role("link", name="Rate Cards").click()
    page.wait_for_url(re.compile(r".*/management/rate-cards/?$"))
    expect(page.locator("#cards-table")).to_be_visible()
    expect(drawer).to_have_count(0)


def test_dialogs_fit_a_phone(operator, live_app):
    page = operator
    page.goto(live_app.url + "/management/customers")
    page.get_by_role("button", name="Bluebird Call Centre").click()
    expect(page.locator("#customer-save")).to_be_visible()
    _fits(page, '[role="dialog"]')
    shot(page, "phone-customer-dialog")
    for tab in ("Config", "Contacts", "Balance", "Alerts & contracts"):
        page.get_by_role("tab", name=tab).click()
        _fits(page, '[role="dialog"]')
        assert _sideways(page) == 0
    shot(page, "phone-customer-dialog-extras")
    page.keyboard.press("Escape")

    page.goto(live_app.url + "/setup/integrations/portal")
    page.get_by_role("button", name="acme.localhost", exact=True).click()
    expect(page.locator("#host")).to_be_visible()
    _fits(page, '[role="dialog"]')
    for tab in ("User Access Area", "Advanced", "SMTP", "DNS record"):
        page.get_by_role("tab", name=tab).click()
        _fits(page, '[role="dialog"]')
    shot(page, "phone-domain-editor")
    page.keyboard.press("Escape")

    page.goto(live_app.url + "/management/rate-cards")
    page.locator("#cards-table tbody button").first.click()
    expect(page.locator("#rates-table")).to_be_visible()
    _fits(page, '[role="dialog"]')
    shot(page, "phone-rate-card")


def test_the_portal_fits_a_phone(browser, live_app):
    page = _phone(browser)
    brand = acme(live_app)
    page.goto(brand + "/portal/signup?kind=customer")
    expect(page.locator("#signup-submit")).to_be_visible()
    assert _sideways(page) == 0
    shot(page, "phone-portal-signup")
    page.goto(brand + "/portal/login")
    expect(page.locator("#login-submit")).to_be_visible()
    shot(page, "phone-portal-login")
    page.fill("#email", CONTACT[0])
    page.fill("#password", CONTACT[1])
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/portal/?$"))
    wide = {}
    for name, path, ready in PORTAL:
        page.goto(brand + path)
        expect(page.locator(ready).first).to_be_visible()
        if _sideways(page) > 0:
            wide[name] = _sideways(page)
        shot(page, f"phone-{name}")
    assert wide == {}
    page.context.close()
