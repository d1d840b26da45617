"""My Account › Configuration in Chromium: the searchable country picker (Babel's names,
a wrong one refused next to the field), a national phone number shown grouped after
saving, and the Date Format switched to DD/MM/YYYY reaching the audit log screen and the
CDR report's date fields. Screenshots at desktop and phone width, axe on the form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal_app import routes
from portal_app.models import AccountConfig

from .axe import ensure_axe, violations
from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
expect.set_options(timeout=20_000)
FIELDS = ("country", "phone", "date_format", "currency")


@pytest.fixture()
def config_restored(live_app):
    """Other browser tests read the account's format: put the row back afterwards."""
    with live_app.session() as session:
        row = session.get(AccountConfig, 1)
        before = {k: getattr(row, k) for k in FIELDS} if row else None
    yield
    with live_app.session() as session:
        row = session.get(AccountConfig, 1)
        if row is not None:
            for key, value in (before or {"date_format": "YYYY-MM-DD", "country": ""}).items():
                setattr(row, key, value)
            session.add(row)
            session.commit()


def test_country_picker_phone_and_date_format_on_screens(page: Page, browser, live_app,
                                                         config_restored):  # fmt: skip
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + routes.CONFIGURATION)
    country = page.locator("#country")
    expect(country).to_be_editable()
    # The suggestions are Babel's country names, not codes or regions.
    names = page.locator("#country-countries option").evaluate_all("os => os.map(o => o.value)")
    assert "United Kingdom" in names and "Côte d’Ivoire" in names and len(names) >= 249
    assert "Europe" not in names and "European Union" not in names

    country.fill("Narnia")
    page.fill("#phone", "020 7946 0000")
    page.click("#config-save")
    expect(page.locator("#country-error")).to_have_text("Choose a country from the list.")
    expect(country).to_have_attribute("aria-invalid", "true")
    shot(page, "formats-01-country-refused")
    assert violations(page, ensure_axe()) == []

    country.fill("")
    country.press_sequentially("United King")
    country.fill("United Kingdom")  # what choosing the suggestion puts in the box
    page.fill("#phone", "020 7946 0000")  # national: read in the country's format
    page.click("#date_format")
    page.get_by_role("option", name="DD/MM/YYYY").click()
    page.click("#config-save")
    expect(page.locator("[data-sonner-toast]").last).to_contain_text("Configuration saved.")
    with live_app.session() as session:
        row = session.get(AccountConfig, 1)
        assert (row.country, row.phone, row.date_format) == ("GB", "+442079460000", "DD/MM/YYYY")

    page.reload()
    expect(page.locator("#country")).to_have_value("United Kingdom")
    expect(page.locator("#phone")).to_have_value("+44 20 7946 0000")
    expect(page.locator("#country-error")).to_have_count(0)
    page.mouse.move(0, 0)
    shot(page, "formats-02-configuration-saved")
    assert violations(page, ensure_axe()) == []

    # The switched format on a screen: the audit log's newest row is this save.
    page.goto(live_app.url + routes.AUDIT_LOG)
    first = page.locator("table tbody tr").first
    expect(first).to_contain_text("config.update")
    when = first.locator("td").first.inner_text()
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", when), when
    expect(page.locator("#first")).to_have_attribute("placeholder", "DD/MM/YYYY")
    shot(page, "formats-03-audit-ddmmyyyy")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    small = phone.new_page()
    small.set_default_timeout(20_000)
    login(small, live_app.url, "admin@example.com", "admin-password-1")
    small.wait_for_url(live_app.url + "/")
    small.goto(live_app.url + routes.CONFIGURATION)
    expect(small.locator("#country")).to_have_value("United Kingdom")
    wide = small.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the page scrolls sideways: {wide}px"
    shot(small, "formats-04-configuration-phone")
    phone.close()
