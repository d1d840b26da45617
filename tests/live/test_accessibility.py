"""WCAG 2.1 AA in Chromium: axe-core finds no serious or critical violation on any page
of the control panel or the customer portal, in light and in dark mode, nor in the main
dialogs; every page has exactly one h1. Each page is screenshotted at desktop size for
each scheme (test-artifacts/<suite>/screenshots/a11y-*.png).

One browser context per kind of visitor (visitor, operator, contact) for the module, and
each page visited once per scheme.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import Customer

from .axe import ensure_axe, violations
from .lookup_seed import lookup_ready
from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
# The machine running these is shared and busy: a dialog can take longer than the 5 s
# default to fill in. Waiting longer changes no assertion (nothing here is timed).
expect.set_options(timeout=20_000)
SCHEMES = ["light", "dark"]
CONTACT = ("noc@transitone.example", "transit-pass-1")  # Transit One Carrier, on Acme


def _port(live_app) -> str:
    return live_app.url.rsplit(":", 1)[1]


def acme(live_app) -> str:
    return f"http://acme.localhost:{_port(live_app)}"


@pytest.fixture(scope="module")
def axe_js():
    return ensure_axe()


def _context_page(browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


@pytest.fixture(scope="module")
def visitor(browser, live_app):
    page = _context_page(browser)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def operator(browser, live_app):
    page = _context_page(browser)
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def contact(browser, live_app):
    page = _context_page(browser)
    page.goto(acme(live_app) + "/portal/login")
    page.fill("#email", CONTACT[0])
    page.fill("#password", CONTACT[1])
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/portal/?$"))
    yield page
    page.context.close()


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{name}: {problem}" for name, problems in found.items() for problem in problems
    )


def _check(page: Page, axe_js, name: str, scheme: str, found: dict) -> None:
    """axe on the page as it is now, one h1, and a screenshot."""
    problems = violations(page, axe_js)
    h1 = page.locator("h1").count()
    if h1 != 1:
        problems.append(f"{h1} h1 elements (one expected)")
    if problems:
        found[name] = problems
    shot(page, f"a11y-{scheme}-{name}")


def _visit(page: Page, url: str, ready: str, axe_js, name: str, scheme: str, found: dict):
    page.goto(url)
    expect(page.locator(ready).first).to_be_visible(timeout=20_000)  # reports take a moment
    _check(page, axe_js, name, scheme, found)


# Every control-panel screen as (name, path, what shows it is ready); the phone test
# visits the same ones.
CONTROL_SCREENS = [
    ("dashboard", "/", "#traffic-today"),
    ("customers", "/management/customers", "#customers-table"),
    ("pending", "/management/pending", "#pending-table, #pending-empty"),
    ("rate-cards", "/management/rate-cards", "#cards-table"),
    ("public-files", "/management/file/public", "#files-table"),
    ("portal-domains", "/setup/integrations/portal", "#domains-table"),
    ("configuration", "/setup/account/configuration", "#config-save"),
    ("personal", "/setup/account/personal", "#totp-start, #totp-status"),
    ("settings", "/setup/account/settings", "#security-save"),
    ("users", "/setup/account/users", "#users-table"),
    ("audit-log", "/setup/account/audit-log", "#audit-table tbody tr"),
    ("email-log", "/setup/account/email-log", "#tab-email-log"),
    ("my-servers", "/setup/account/servers", "#servers-table, #servers-empty"),
]


def _control_pages(live_app) -> list[tuple[str, str, str]]:
    with live_app.session() as session:
        transit = session.exec(
            select(Customer.id).where(Customer.name == "Transit One Carrier")
        ).one()
    return [
        *CONTROL_SCREENS,
        ("cdr-report", f"/management/customers/cdr?customer={transit}", "#cdr-calls:not(:empty)"),
        ("breakout-report", f"/report/breakout?customer={transit}", "#breakout-table"),
        ("not-found", "/no-such-page", "#not-found"),
    ]


def _control_dialogs(page: Page, live_app, axe_js, scheme: str, found: dict) -> None:
    page.goto(live_app.url + "/management/customers")
    page.get_by_role("button", name="Transit One Carrier").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    _check(page, axe_js, "customer-dialog", scheme, found)
    page.get_by_role("tab", name="Contacts").click()
    expect(page.locator("#contacts-table")).to_be_visible()
    _check(page, axe_js, "customer-contacts", scheme, found)

    page.goto(live_app.url + "/setup/integrations/portal")
    page.get_by_role("button", name="acme.localhost", exact=True).click()
    expect(page.locator("#host")).to_be_visible()
    _check(page, axe_js, "domain-editor", scheme, found)
    page.get_by_role("tab", name="Advanced").click()
    expect(page.locator("#accent_color")).to_be_visible()
    _check(page, axe_js, "domain-editor-advanced", scheme, found)

    page.goto(live_app.url + "/management/rate-cards")
    page.locator("#cards-table tbody button").first.click()
    expect(page.locator("#rates-table")).to_be_visible()
    _check(page, axe_js, "rate-card-dialog", scheme, found)
    page.goto(live_app.url + "/management/rate-cards")
    # Clicked once the page's loaders have run: a loader starts its page with no dialog.
    expect(page.locator("#cards-table tbody button").first).to_be_visible()
    page.click("#add-package")
    expect(page.locator("#package-save")).to_be_visible()
    _check(page, axe_js, "package-dialog", scheme, found)

    page.goto(live_app.url + "/setup/account/users")
    expect(page.locator("#users-table")).to_contain_text("admin@example.com")
    page.click("#add-user")
    expect(page.locator("#user-save")).to_be_visible()
    _check(page, axe_js, "user-dialog", scheme, found)

    # A toast in the page: its rich colours must read too (sonner's own light ones did not).
    page.goto(live_app.url + "/setup/account/configuration")
    page.click("#config-save")
    expect(page.locator("[data-sonner-toast][data-type=success]")).to_be_visible()
    page.mouse.move(1, 1)  # the pointer off Save: its hover colour is not the page's
    _check(page, axe_js, "success-toast", scheme, found)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_app.url + "/management/customers")
    page.click("#menu-button")
    expect(page.locator("#menu-drawer")).to_be_visible()
    _check(page, axe_js, "phone-menu", scheme, found)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("scheme", SCHEMES)
def test_control_panel_passes_axe(visitor, operator, live_app, axe_js, scheme):
    found: dict[str, list[str]] = {}
    for page in (visitor, operator):
        page.emulate_media(color_scheme=scheme)
    _visit(visitor, live_app.url + "/login", "#login-submit", axe_js, "login", scheme, found)
    for name, path, ready in _control_pages(live_app):
        _visit(operator, live_app.url + path, ready, axe_js, name, scheme, found)
    _control_dialogs(operator, live_app, axe_js, scheme, found)
    assert found == {}, _report(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_customer_portal_passes_axe(visitor, contact, live_app, axe_js, scheme):
    found: dict[str, list[str]] = {}
    for page in (visitor, contact):
        page.emulate_media(color_scheme=scheme)
    brand, globex = acme(live_app), f"http://globex.localhost:{_port(live_app)}"
    lookup_ready(live_app)  # the Packages section with its number lookup
    for name, url, ready in [
        ("portal-login", brand + "/portal/login", "#login-submit"),
        ("portal-forgot", brand + "/portal/forgot", "#email"),
        ("portal-signup", brand + "/portal/signup?kind=carrier", "#signup-submit"),
        ("portal-set-password-dead", brand + "/portal/set-password?token=x", "#link-dead"),
        (
            "portal-signup-confirm-dead",
            brand + "/portal/signup/confirm?token=x",
            "#signup-link-dead",
        ),
        ("globex-login", globex + "/portal/login", "#login-submit"),
        ("globex-signup", globex + "/portal/signup?kind=customer", "#signup-submit"),
        ("unknown-host", f"http://nobody.localhost:{_port(live_app)}/", "#not-configured"),
    ]:
        _visit(visitor, url, ready, axe_js, name, scheme, found)
    for name, path, ready in [
        ("portal-home", "/portal", "#portal-customer"),
        ("portal-balance", "/portal/balance", "#portal-statement"),
        ("portal-cdr", "/portal/cdr", "#cdr-calls:not(:empty)"),
        ("portal-rates", "/portal/rates", "#rates-search"),
        ("portal-contacts", "/portal/contacts", "#portal-team"),
        ("portal-profile", "/portal/profile", "#totp-start, #totp-status"),
        ("portal-packages", "/portal/packages", "#lookup-card"),
        ("portal-breakout-hidden", "/portal/breakout", "#portal-unavailable"),
    ]:
        _visit(contact, brand + path, ready, axe_js, name, scheme, found)
    contact.click("#portal-me")
    expect(contact.locator("#portal-logout")).to_be_visible()
    # Checked once the menu has faded in: mid-animation its text is still translucent.
    contact.wait_for_function("document.getAnimations().every((a) => a.playState !== 'running')")
    _check(contact, axe_js, "portal-account-menu", scheme, found)
    contact.keyboard.press("Escape")
    _visit(
        contact, brand + "/portal/no-such-page", "#not-found", axe_js, "portal-404", scheme, found
    )
    assert found == {}, _report(found)
