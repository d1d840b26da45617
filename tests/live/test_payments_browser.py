"""Paying in Chromium against the served app: a contact pays through the local PayPal
(approval page, back in the portal, balance updated without a reload), the operator
sees the payment in Management › Payments; Stripe's card fields load from
PORTAL_STRIPE_JS_URL (localstripe) under the brand page's CSP."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from portal_app.models import PaymentAttempt, PaymentGateway
from portal_app.services.identity import SYSTEM
from portal_app.services.payment_gateways import gateway_create
from tests import stripeserver as ls
from tests.fakes.paypal import CLIENT_ID, SECRET

from .test_browser_flows import login, shot, toast

pytestmark = [pytest.mark.live, pytest.mark.browser]


def _page(browser: Browser) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(20_000)
    return page


def _gateway(live_app, data: dict) -> None:
    with live_app.session() as session:
        for row in session.exec(select(PaymentGateway)).all():
            row.enabled = False  # one gateway offered at a time, whatever ran before
        gateway_create(session=session, actor=SYSTEM, data=data)
        session.commit()


def _portal(browser: Browser, live_app) -> tuple[Page, str]:
    base = f"http://acme.localhost:{urlsplit(live_app.url).port}"
    me = _page(browser)
    me.goto(f"{base}/portal/login")
    me.fill("#email", "bea@bluebird.example")
    me.fill("#password", "bluebird-pass-1")
    me.click("#login-submit")
    me.wait_for_url(re.compile(r".*/portal/?$"))
    return me, base


def test_contact_pays_with_paypal_and_the_operator_sees_it(browser, live_app, paypal_api):
    _gateway(
        live_app,
        {
            "provider": "paypal",
            "name": "PayPal",
            "mode": "test",
            "public_key": CLIENT_ID,
            "secret_key": SECRET,
            "currencies": "USD",
            "presets": "25, 50",
            "surcharge_percent": "2",
        },
    )
    me, base = _portal(browser, live_app)
    me.goto(f"{base}/portal/balance")
    me.click("#portal-make-payment")
    me.wait_for_url("**/portal/payments")
    before = me.locator("#payments-balance").inner_text()
    me.get_by_role("button", name="25.00").click()
    expect(me.get_by_text("Surcharge $0.50 · you pay $25.50")).to_be_visible()
    shot(me, "payments-01-make-payment")
    me.click("#submit-payment")
    me.wait_for_url(re.compile(re.escape(paypal_api.url) + r"/checkoutnow.*"))
    expect(me.get_by_text("USD 25.50")).to_be_visible()
    me.get_by_role("button", name="Approve").click()
    me.wait_for_url(re.compile(r".*/portal/payments/?\?token=.*"))
    expect(toast(me)).to_contain_text("Thank you: your balance is now")
    expect(me.locator("#payments-balance")).not_to_have_text(before)
    expect(me.locator("#payment-history")).to_contain_text("succeeded")
    shot(me, "payments-02-paid")

    op = _page(browser)
    login(op, live_app.url, "admin@example.com", "admin-password-1")
    op.wait_for_url(live_app.url + "/")
    op.goto(live_app.url + "/management/payments")
    table = op.locator("#payments-table")
    expect(table).to_contain_text("Bluebird Call Centre")
    expect(table).to_contain_text("succeeded")
    shot(op, "payments-03-operator-list")
    with live_app.session() as session:
        (paid,) = session.exec(select(PaymentAttempt).where(PaymentAttempt.status == "succeeded"))
        assert (paid.amount, paid.surcharge) == (2500, 50)


def test_stripe_card_fields_load_from_the_stripe_js_url(browser, live_app, stripe_api):
    _gateway(
        live_app,
        {
            "provider": "stripe",
            "name": "Cards",
            "mode": "test",
            "public_key": ls.PUBLIC_KEY,
            "secret_key": ls.SECRET_KEY,
            "webhook_secret": ls.WEBHOOK_SECRET,
            "currencies": "USD",
        },
    )
    me, base = _portal(browser, live_app)
    refused: list[str] = []
    me.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    me.goto(f"{base}/portal/payments")
    me.fill("#amount", "10")
    me.click("#submit-payment")
    # localstripe's Stripe.js stand-in draws its card inputs into our container.
    expect(me.locator("#portal-card input[placeholder=number]")).to_be_visible()
    shot(me, "payments-04-stripe-card")
    assert refused == []
