"""Report › Breakout Report in Chromium: the sidebar's Report menu opens it, the
customer picker finds a customer as the operator types, and picking it shows that
customer's breakout for the last days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import delete, select

from portal_app.models import Cdr, Customer
from portal_app.models.base import utcnow

from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
NAME = "Quokka Picker Trading"


def _seed(live_app) -> int:
    """A customer of its own with a few calls of today, so reruns start the same."""
    with live_app.session() as session:
        for old in session.exec(select(Customer).where(Customer.name == NAME)).all():
            session.exec(delete(Cdr).where(Cdr.customer_id == old.id))
            session.delete(old)
        customer = Customer(name=NAME, currency="USD")
        session.add(customer)
        session.commit()
        at = utcnow() - timedelta(minutes=5)
        for i, (prefix, dest) in enumerate([("44", "United Kingdom")] * 2 + [("33", "France")]):
            session.add(
                Cdr(
                    customer_id=customer.id,
                    call_start=at,
                    dialled=f"{prefix}20{i:07d}",
                    destination=dest,
                    prefix=prefix,
                    duration=60,
                    billed_duration=60,
                    cost=15_000,
                    currency="USD",
                    sip_call_id=f"quokka-{customer.id}-{i}",
                )
            )
        session.commit()
        return customer.id


def test_breakout_report_from_the_menu_with_the_customer_picker(page: Page, live_app):
    customer_id = _seed(live_app)
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.get_by_role("link", name="Breakout Report").click()
    page.wait_for_url(f"{live_app.url}/report/breakout**")
    expect(page.locator("#report-none")).to_be_visible()
    page.get_by_label("Customer", exact=True).fill("quokka pick")
    match = page.locator("#customer-matches").get_by_role("button", name=f"{NAME} · USD")
    expect(match).to_be_visible()
    expect(page.locator("#customer-matches button")).to_have_count(1)
    match.click()
    expect(page.locator("#report-customer")).to_have_text(NAME)
    table = page.locator("#breakout-table")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and two destinations
    expect(table.get_by_role("row").nth(1)).to_contain_text("United Kingdom")
    expect(table.get_by_role("row").nth(1)).to_contain_text("$0.03")
    expect(page.locator("#breakout-chart")).to_be_visible()
    shot(page, "report-breakout-picked")
    page.get_by_label("Customer", exact=True).fill("no such customer here")
    expect(page.locator("#customer-none")).to_contain_text("No customer matches")
    with live_app.session() as session:
        # As the app deletes a customer (an ORM delete): the call rollups' hooks take its
        # calls out of the account-wide rows; a bulk DELETE would leave them counted.
        session.delete(session.get(Customer, customer_id))
        session.commit()
