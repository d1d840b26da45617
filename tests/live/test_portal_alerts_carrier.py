"""The portal's Alerts and Carrier Portal sections in Chromium, desktop and phone, with
axe: a customer's contact adds an alert within its brand's limits (an out-of-range
amount gets a message next to the field and nothing is stored), sends a test that
reaches the real test SMTP server; a carrier's contact sees the calls it sent and the
calls it terminated (the demo's CarrierA-LON route), the rates it is paid and its
balance, and nothing of the customers who sent those calls; a customer's contact gets
no Carrier Portal even when the operator shows it."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import Customer, CustomerAlert, PortalDomain
from portal_app.services.contacts import contact_create
from portal_app.services.crypto import encrypt_secret
from portal_app.services.identity import SYSTEM
from tests import smtpserver

from .axe import ensure_axe, violations
from .test_accessibility import CONTACT, acme
from .test_browser_flows import shot, toast

pytestmark = [
    pytest.mark.live,
    pytest.mark.browser,
    *[pytest.mark.filterwarnings(w) for w in smtpserver.QUIET],
]
expect.set_options(timeout=20_000)  # a shared, busy machine: nothing here is timed
EMAIL, PASSWORD = "ally@alerts-live.example", "ally-alerts-pass-1"
SAVED = ("smtp_server", "smtp_from", "smtp_username", "smtp_password_enc", "alert_editable")
SAVED += ("alert_min", "alert_max", "alert_max_count")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def axe_js():
    return ensure_axe()


def _page(browser, viewport=None) -> Page:
    page = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(20_000)
    return page


def _log_in(page: Page, brand: str, email: str, password: str) -> None:
    page.goto(brand + "/portal/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(re.compile(re.escape(brand) + r"/portal/?$"))


def _axe(page: Page, axe_js) -> None:
    page.mouse.move(1, 1)
    assert violations(page, axe_js) == []


def _seed_alerts(live_app, smtp) -> tuple[int, dict]:
    with live_app.session() as session:
        acme_d = session.exec(
            select(PortalDomain).where(PortalDomain.host == "acme.localhost")
        ).one()
        saved = {k: getattr(acme_d, k) for k in SAVED}
        acme_d.smtp_server, acme_d.smtp_from = smtp.address, "noreply@acme.localhost"
        acme_d.smtp_username = smtpserver.USERNAME
        acme_d.smtp_password_enc = encrypt_secret(smtpserver.PASSWORD)
        acme_d.alert_editable, acme_d.alert_min, acme_d.alert_max = True, 5, 1000
        acme_d.alert_max_count = 3
        customer = Customer(
            name="Alerts Live Co",
            domain_id=acme_d.id,
            currency="USD",
            portal_access={"alerts": "show"},
        )
        session.add_all([acme_d, customer])
        session.flush()
        data = {"name": "Ally Alert", "email": EMAIL, "password": PASSWORD}
        contact_create(session=session, actor=SYSTEM, customer_id=customer.id, data=data)
        session.commit()
        return customer.id, saved


def _restore(live_app, customer_id: int, saved: dict) -> None:
    with live_app.session() as session:
        acme_d = session.exec(
            select(PortalDomain).where(PortalDomain.host == "acme.localhost")
        ).one()
        for key, value in saved.items():
            setattr(acme_d, key, value)
        session.add(acme_d)
        customer = session.get(Customer, customer_id)
        if customer is not None:
            session.delete(customer)
        session.commit()


def _alerts(live_app, customer_id: int) -> list[int]:
    with live_app.session() as session:
        return list(
            session.exec(
                select(CustomerAlert.threshold).where(CustomerAlert.customer_id == customer_id)
            ).all()
        )


def test_a_customer_edits_its_alert_within_the_limits_and_sends_a_test(browser, live_app, axe_js):
    brand = acme(live_app)
    me = _page(browser)
    with smtpserver.smtp_server() as smtp:
        customer_id, saved = _seed_alerts(live_app, smtp)
        try:
            _log_in(me, brand, EMAIL, PASSWORD)
            me.click("#portal-nav-alerts")
            expect(me.locator("#alert-limits")).to_have_text(
                "Thresholds from $5.00 to $1,000.00, at most 3 alerts."
            )
            expect(me.locator("#alert_recipients")).to_have_value(EMAIL)
            me.fill("#alert_threshold", "1000.01")
            me.click("#alert-save")
            expect(me.locator("#alert_threshold-error")).to_have_text(
                "Enter an amount from $5.00 to $1,000.00."
            )
            expect(me.locator("#alert_threshold")).to_have_value("1000.01")
            expect(me.locator("#alert_threshold")).to_have_attribute("aria-invalid", "true")
            assert _alerts(live_app, customer_id) == []
            shot(me, "95-portal-alert-refused")
            _axe(me, axe_js)
            me.fill("#alert_threshold", "25")
            me.click("#alert-save")
            expect(toast(me)).to_contain_text("Alert added.")
            expect(me.locator("#portal-alerts")).to_contain_text("Below $25.00")
            assert _alerts(live_app, customer_id) == [2_500]
            me.get_by_role("button", name="Edit the alert below $25.00").click()
            expect(me.locator("#alert_threshold")).to_have_value("25.00")
            me.fill("#alert_threshold", "40")
            me.click("#alert-save")
            expect(me.locator("#portal-alerts")).to_contain_text("Below $40.00")
            assert _alerts(live_app, customer_id) == [4_000]
            me.get_by_role("button", name="Send test of the alert below $40.00").click()
            expect(toast(me)).to_contain_text(f"Test email sent to {EMAIL}.")
            deadline = time.monotonic() + 20
            while not smtp.messages:
                assert time.monotonic() < deadline, "the test email never reached SMTP"
                time.sleep(0.2)
            shot(me, "95-portal-alerts")
            _axe(me, axe_js)
            phone = _page(browser, PHONE)
            _log_in(phone, brand, EMAIL, PASSWORD)
            phone.goto(brand + "/portal/alerts")
            expect(phone.locator("#portal-alerts")).to_contain_text("Below $40.00")
            shot(phone, "95-portal-alerts-phone")
            _axe(phone, axe_js)
            phone.context.close()
        finally:
            _restore(live_app, customer_id, saved)
    # Only the test email: the contact's logins may send their own alerts beside it.
    (mail,) = [m for m in smtp.messages if m.message["Subject"].startswith("Test: ")]
    assert mail.rcpt_tos == [EMAIL]
    assert mail.message["Subject"] == "Test: Low balance: Alerts Live Co"
    body = mail.message.get_body(("plain",)).get_content()
    assert "test of the low-balance alert" in body and "$40.00" in body
    me.context.close()


def _carrier_access(live_app, name: str, access: dict) -> tuple[int, dict]:
    with live_app.session() as session:
        row = session.exec(select(Customer).where(Customer.name == name)).one()
        before = dict(row.portal_access or {})
        row.portal_access = {**before, **access}
        session.add(row)
        session.commit()
        return row.id, before


def _put_back(live_app, customer_id: int, access: dict) -> None:
    with live_app.session() as session:
        row = session.get(Customer, customer_id)
        row.portal_access = access
        session.add(row)
        session.commit()


def test_a_carrier_sees_its_traffic_both_ways_its_rates_and_balance(browser, live_app, axe_js):
    brand = acme(live_app)
    transit, before = _carrier_access(live_app, "Transit One Carrier", {"carrier_portal": "show"})
    try:
        for viewport, name in (
            ({"width": 1280, "height": 800}, "96-carrier-portal"),
            (PHONE, "96-carrier-portal-phone"),
        ):
            page = _page(browser, viewport)
            _log_in(page, brand, *CONTACT)
            page.goto(brand + "/portal/carrier")
            expect(page.locator("#carrier-received")).to_contain_text("CarrierA-LON")
            expect(page.locator("#carrier-sent tbody tr").first).to_be_visible()
            expect(page.locator("#carrier-days tbody tr").first).to_be_visible()
            expect(page.locator("#carrier-rates")).to_contain_text("United Kingdom")
            expect(page.locator("#portal-statement")).to_contain_text("Wire TX-5531")
            expect(page.locator("#portal-balance")).to_contain_text("$")
            assert int(page.locator("#carrier-received-calls").inner_text().replace(",", "")) > 0
            text = page.content()
            # The customers who sent the terminated calls never show: their names, their
            # caller numbers (the demo's 4420 + customer id), other carriers' routes.
            for secret in ("Bluebird", "Northwind", "Globex", "CarrierB-FRA", "CarrierC-NYC"):
                assert secret not in text
            page.click("#carrier-received-older")
            expect(page.locator("#carrier-received tbody tr").first).to_be_visible()
            shot(page, name)
            _axe(page, axe_js)
            page.context.close()
    finally:
        _put_back(live_app, transit, before)


def test_a_customer_gets_no_carrier_portal_even_when_shown(browser, live_app):
    brand = acme(live_app)
    bluebird, before = _carrier_access(live_app, "Bluebird Call Centre", {"carrier_portal": "show"})
    try:
        page = _page(browser)
        _log_in(page, brand, "bea@bluebird.example", "bluebird-pass-1")
        expect(page.locator("#portal-nav-balance")).to_be_visible()
        expect(page.locator("#portal-nav-carrier_portal")).to_have_count(0)
        page.goto(brand + "/portal/carrier")
        expect(page.locator("#portal-unavailable")).to_be_visible()
        expect(page.locator("#carrier-received")).to_have_count(0)
        page.context.close()
    finally:
        _put_back(live_app, bluebird, before)
