"""Management > Customers in Chromium: filters, sorting, the edit dialog with Domain and
Portal Access overrides, and the ledger."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import Customer, LedgerEntry

from .test_browser_flows import login, shot, toast

pytestmark = [pytest.mark.live, pytest.mark.browser]


def _pick(page: Page, trigger: str, option: str) -> None:
    page.click(f"#{trigger}")
    page.get_by_role("option", name=option, exact=True).click()


def test_filter_edit_override_and_record_a_payment(page: Page, live_app):
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/management/customers")
    table = page.locator("#customers-table")
    expect(table).to_contain_text("Bluebird Call Centre")
    shot(page, "70-customers")

    _pick(page, "kind", "Carrier")
    page.click("#apply-filters")
    expect(table).not_to_contain_text("Bluebird")
    expect(table).to_contain_text("Transit One Carrier")
    _pick(page, "kind", "All")
    page.fill("#search", "north")
    page.click("#apply-filters")
    expect(page.locator("#customers-count")).to_have_text("1–1 of 1")
    page.fill("#search", "")
    page.click("#apply-filters")
    page.get_by_role("button", name="Sort by Name").click()  # name was ascending
    expect(table.locator("tbody tr").first).to_contain_text("Transit One Carrier")

    page.get_by_role("button", name="Bluebird Call Centre").click()
    page.get_by_role("tab", name="Config").click()
    _pick(page, "access_cdr", "Hide")
    _pick(page, "access_breakout", "Show")
    shot(page, "71-customer-portal-access")
    page.click("#customer-save")
    expect(toast(page)).to_contain_text("Customer saved")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("button", name="Bluebird Call Centre").click()
    page.get_by_role("tab", name="Config").click()
    cdr = page.get_by_role("row", name="CDR")
    expect(cdr).to_contain_text("Hidden")
    expect(page.get_by_role("row", name="Breakout")).to_contain_text("Shown")
    expect(page.get_by_role("row", name=re.compile("^Balance"))).to_contain_text("Shown")

    page.get_by_role("tab", name="Balance").click()
    # The demo ledger: $181.25 from five entries, and a $250.00 credit limit.
    expect(page.locator("#ledger-balance")).to_have_text("$181.25")
    expect(page.locator("#ledger-available")).to_have_text("$431.25")
    page.fill("#amount", "12.345")
    page.click("#ledger-add")
    expect(page.locator("#amount-error")).to_contain_text("2 decimal")
    page.fill("#amount", "25.00")
    page.fill("#reference", "Wire 4711")
    page.click("#ledger-add")
    expect(toast(page)).to_contain_text("Balance is now $206.25")
    expect(page.locator("#ledger-balance")).to_have_text("$206.25")
    page.get_by_role("button", name="Correct").first.click()
    expect(page.get_by_text("Correction of entry #")).to_be_visible()
    page.fill("#amount", "-5.00")
    page.fill("#note", "Bank fee deducted")
    page.click("#ledger-add")
    expect(page.locator("#ledger-balance")).to_have_text("$201.25")
    expect(page.locator("#ledger-table")).to_contain_text("correction")
    shot(page, "72-customer-ledger")

    with live_app.session() as session:
        bluebird = session.exec(
            select(Customer).where(Customer.name == "Bluebird Call Centre")
        ).one()
        assert bluebird.portal_access == {"cdr": "hide", "breakout": "show"}
        amounts = session.exec(
            select(LedgerEntry.amount)
            .where(LedgerEntry.customer_id == bluebird.id)
            .order_by(LedgerEntry.id)
        ).all()
        assert amounts[-2:] == [2500, -500] and len(amounts) == 7


def test_a_user_without_payment_sees_the_ledger_but_cannot_add(page: Page, live_app):
    login(page, live_app.url, "support@example.com", "support-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/management/customers")
    page.get_by_role("button", name="Northwind Trading").click()
    page.get_by_role("tab", name="Balance").click()
    expect(page.get_by_text("Adding payments needs the Payment permission.")).to_be_visible()
    expect(page.locator("#ledger-add")).to_have_count(0)
