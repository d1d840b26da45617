"""Automatic top-up in Chromium: on a brand that allows it, a contact saves a card in
localstripe's Stripe.js stand-in fields (confirmCardSetup, straight to the fake
Stripe), sees a too-small amount refused next to the field, then turns it on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import delete, select

from portal_app.models import AutoTopup, PortalDomain
from tests import stripeserver as ls

from .axe import ensure_axe, violations
from .test_browser_flows import shot, toast
from .test_payments_browser import _gateway, _portal

pytestmark = [pytest.mark.live, pytest.mark.browser]


def _allow(live_app, allowed: bool) -> None:
    with live_app.session() as session:
        domain = session.exec(
            select(PortalDomain).where(PortalDomain.host == "acme.localhost")
        ).one()
        domain.auto_topup = allowed
        if not allowed:
            session.exec(delete(AutoTopup))
        session.commit()


def test_contact_saves_a_card_and_turns_on_automatic_top_up(browser: Browser, live_app, stripe_api):
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
            "min_amount": "5",
        },
    )
    _allow(live_app, True)
    try:
        me, base = _portal(browser, live_app)
        me.goto(f"{base}/portal/payments")
        me.click("#topup-start-card")
        box = me.locator("#autotopup-card")
        expect(box.locator("input[placeholder=number]")).to_be_visible()
        for name, value in (
            ("number", "4242424242424242"),
            ("exp_month", "12"),
            ("exp_year", "40"),
            ("cvc", "123"),
            ("postal_code", "10001"),
        ):
            box.locator(f"input[placeholder={name}]").fill(value)
        shot(me, "autotopup-01-card-fields")
        me.click("#topup-save-card")
        expect(me.locator("#topup-card")).to_have_text("visa •••• 4242")
        me.fill("#threshold", "10")
        me.fill("#topup_amount", "2")
        me.get_by_role("switch", name="Automatic top-up on").click()
        me.click("#topup-save")
        expect(me.locator("#topup_amount-error")).to_contain_text("The minimum is $5.00")
        shot(me, "autotopup-02-refused")
        me.fill("#topup_amount", "25")
        me.click("#topup-save")
        expect(toast(me)).to_contain_text("Automatic top-up saved.")
        expect(me.get_by_role("switch", name="Automatic top-up on")).to_be_checked()
        shot(me, "autotopup-03-on")
        assert violations(me, ensure_axe()) == []  # the card, its fields and the status
        with live_app.session() as session:
            (row,) = session.exec(select(AutoTopup)).all()
            assert (row.threshold, row.amount, row.enabled) == (1000, 2500, True)
            assert row.payment_method.startswith("pm_")
    finally:
        _allow(live_app, False)
