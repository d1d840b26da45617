"""The dashboard in Chromium: the demo's dollar and euro customers are ranked in a chart
and table of their own currency each, every value axis named after its currency."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]


def test_top_customers_by_spend_are_shown_per_currency(page: Page, live_app):
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    expect(page.locator("#top-customers")).to_be_visible()
    for code, symbol, other in (("USD", "$", "€"), ("EUR", "€", "$")):
        block = page.locator(f"#top-{code}")
        expect(block.locator("h3")).to_contain_text(code)
        expect(block.locator(".recharts-label")).to_have_text(code)
        expect(block.get_by_role("columnheader", name=f"Spend ({code})")).to_be_visible()
        cells = block.locator("tbody")
        expect(cells).to_contain_text(symbol)
        expect(cells).not_to_contain_text(other)
    shot(page, "03b-dashboard-spend-per-currency")
