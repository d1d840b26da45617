"""Paying in Chromium against the served app: a contact pays through the local PayPal
(approval page, back in the portal, balance updated without a reload), the operator
sees the payment in Management › Payments. By card: Stripe's fields
(@stripe/react-stripe-js, Stripe.js from PORTAL_STRIPE_JS_URL = localstripe's stand-in)
under the brand page's CSP; paid, declined, 3-D Secure failed then completed, and a
payment settled by Stripe's webhook while the page is open."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from portal_app.models import PaymentAttempt, PaymentCredit, PaymentGateway
from portal_app.services.identity import SYSTEM
from portal_app.services.payment_gateways import gateway_create
from tests import stripeserver as ls
from tests.fakes.paypal import CLIENT_ID, SECRET

from .axe import ensure_axe, violations
from .test_browser_flows import login, shot, toast

pytestmark = [pytest.mark.live, pytest.mark.browser]


def _page(browser: Browser) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(20_000)
    return page


def _gateway(live_app, data: dict) -> int:
    """A new gateway, the only one enabled; its id."""
    with live_app.session() as session:
        for row in session.exec(select(PaymentGateway)).all():
            row.enabled = False  # one gateway offered at a time, whatever ran before
        gateway = gateway_create(session=session, actor=SYSTEM, data=data)
        session.commit()
        return gateway["id"]


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
    gateway_id = _gateway(
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
        # This attempt's gateway: other tests pay by card on the same server, and a failed
        # earlier attempt (before a rerun) may have paid through a PayPal gateway of its own.
        (paid,) = session.exec(
            select(PaymentAttempt).where(
                PaymentAttempt.status == "succeeded",
                PaymentAttempt.provider == "paypal",
                PaymentAttempt.gateway_id == gateway_id,
            )
        )
        assert (paid.amount, paid.surcharge) == (2500, 50)


WEBHOOK = "/api/payments/stripe/webhook"
CARD = "#portal-card input[placeholder={}]"
STRIPE = {
    "provider": "stripe",
    "name": "Cards",
    "mode": "test",
    "public_key": ls.PUBLIC_KEY,
    "secret_key": ls.SECRET_KEY,
    "webhook_secret": ls.WEBHOOK_SECRET,
    "currencies": "USD",
}


@pytest.fixture()
def stripe_hooks(live_app, stripe_api):
    """One Stripe gateway for all these tests, and localstripe's signed webhooks going to
    the served app for the test, then nowhere. (A new gateway per test would share the
    webhook secret with the older ones: the first that verifies an event is not the
    attempt's, and the event is refused.)"""
    with live_app.session() as session:
        rows = session.exec(select(PaymentGateway)).all()
        cards = next((row for row in rows if row.provider == "stripe"), None)
        for row in rows:
            row.enabled = row is cards
        session.commit()
    if cards is None:
        _gateway(live_app, STRIPE)
    ls.register_webhook(stripe_api, live_app.url + WEBHOOK)
    yield stripe_api
    ls.register_webhook(stripe_api, "http://127.0.0.1:9/")


def _card_step(me: Page, base: str, live_app, amount: str = "10") -> PaymentAttempt:
    """Make Payment by card up to the card fields; the attempt is already pending.
    A marker in the window tells later whether the page was ever reloaded."""
    me.goto(f"{base}/portal/payments")
    expect(me.locator("#submit-payment")).to_be_visible()
    me.evaluate("window.__sameDocument = true")
    me.fill("#amount", amount)
    me.click("#submit-payment")
    # localstripe's Stripe.js stand-in draws its inputs into the CardElement's box.
    expect(me.locator(CARD.format("number"))).to_be_visible()
    expect(me.locator("#payment-history")).to_contain_text("pending")
    with live_app.session() as session:
        return session.exec(select(PaymentAttempt).order_by(PaymentAttempt.id.desc())).first()


def _type_card(me: Page, number: str) -> None:
    for field, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "40"),
        ("cvc", "123"),
        ("postal_code", "75001"),
    ):
        me.fill(CARD.format(field), value)


def _credits(live_app, ref: str) -> int:
    with live_app.session() as session:
        found = session.exec(
            select(PaymentCredit).where(PaymentCredit.provider_payment_id == ref)
        ).all()
        return len(found)


def _not_reloaded(me: Page) -> None:
    assert me.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_contact_pays_by_card_in_the_stripe_fields_and_the_operator_sees_it(
    browser, live_app, stripe_hooks
):
    me, base = _portal(browser, live_app)
    refused: list[str] = []
    me.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    attempt = _card_step(me, base, live_app, "12.34")
    before = me.locator("#payments-balance").inner_text()
    _type_card(me, "4242424242424242")
    assert violations(me, ensure_axe()) == []  # the card step, the fields drawn
    shot(me, "payments-04-stripe-card")
    me.click("#pay-now")
    expect(toast(me)).to_contain_text("Thank you: your balance is now")
    expect(me.locator("#payments-balance")).not_to_have_text(before)
    expect(me.locator("#payment-history")).to_contain_text("succeeded")
    expect(me.locator("#submit-payment")).to_be_visible()  # back to Make Payment
    _not_reloaded(me)
    # Make Payment with its history, once the toast is gone: axe finds the contrast of
    # the success toast's title too low, an app-wide matter, not this page's.
    expect(me.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    assert violations(me, ensure_axe()) == []
    shot(me, "payments-05-stripe-paid")
    assert refused == []
    with live_app.session() as session:
        paid = session.get(PaymentAttempt, attempt.id)
        assert (paid.status, paid.amount) == ("succeeded", 1234)
    # Our retrieve and Stripe's webhook both saw it paid: one credit.
    assert _credits(live_app, attempt.provider_ref) == 1

    op = _page(browser)
    login(op, live_app.url, "admin@example.com", "admin-password-1")
    op.wait_for_url(live_app.url + "/")
    op.goto(live_app.url + "/management/payments")
    row = op.locator("#payments-table tr", has_text=attempt.provider_ref)
    expect(row).to_contain_text("Bluebird Call Centre")
    expect(row).to_contain_text("succeeded")


def test_a_declined_card_says_so_and_credits_nothing(browser, live_app, stripe_hooks):
    me, base = _portal(browser, live_app)
    attempt = _card_step(me, base, live_app)
    _type_card(me, "4000000000000341")  # localstripe declines this card when charging
    me.click("#pay-now")
    expect(me.locator("#pay-message")).to_have_text("Your card was declined.")
    expect(me.locator(CARD.format("number"))).to_be_visible()  # still on the card step
    shot(me, "payments-06-stripe-declined")
    with live_app.session() as session:  # failed once Stripe's payment_failed event is in
        assert session.get(PaymentAttempt, attempt.id).status in ("pending", "failed")
    assert _credits(live_app, attempt.provider_ref) == 0
    expect(me.locator("#pay-message")).to_have_text("Your card was declined.")  # still
    # Positive control: the same payment with a good card goes through.
    _type_card(me, "4242424242424242")
    me.click("#pay-now")
    expect(toast(me)).to_contain_text("Thank you: your balance is now")
    assert _credits(live_app, attempt.provider_ref) == 1


def test_three_d_secure_failed_then_completed(browser, live_app, stripe_hooks):
    me, base = _portal(browser, live_app)
    attempt = _card_step(me, base, live_app)
    _type_card(me, "4000002500003155")  # localstripe asks 3-D Secure for this card
    me.click("#pay-now")
    me.get_by_role("button", name="Fail authentication").click()
    expect(me.locator("#pay-message")).to_contain_text("failed authentication")
    assert _credits(live_app, attempt.provider_ref) == 0
    me.click("#pay-now")
    expect(me.get_by_role("button", name="Complete authentication")).to_be_visible()
    shot(me, "payments-07-stripe-3ds")
    me.get_by_role("button", name="Complete authentication").click()
    expect(toast(me)).to_contain_text("Thank you: your balance is now")
    expect(me.locator("#payment-history")).to_contain_text("succeeded")
    _not_reloaded(me)
    assert _credits(live_app, attempt.provider_ref) == 1


def test_the_webhook_settles_while_the_page_is_open(browser, live_app, stripe_hooks):
    """Paid without this page's answer (the tab lost it, the bank confirmed later):
    Stripe's webhook credits it and the open page follows, without a reload."""
    me, base = _portal(browser, live_app)
    attempt = _card_step(me, base, live_app)
    before = me.locator("#payments-balance").inner_text()
    ls.pay_intent(stripe_hooks, attempt.provider_ref)
    # The webhook, the worker's poller (0.5 s), then the watcher: slower on a busy machine.
    expect(toast(me)).to_contain_text("Thank you: your balance is now", timeout=20_000)
    expect(me.locator("#payments-balance")).not_to_have_text(before)
    expect(me.locator("#payment-history")).to_contain_text("succeeded")
    expect(me.locator("#submit-payment")).to_be_visible()
    _not_reloaded(me)
    with live_app.session() as session:
        assert session.get(PaymentAttempt, attempt.id).status == "succeeded"
    assert _credits(live_app, attempt.provider_ref) == 1
