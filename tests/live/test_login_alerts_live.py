"""Login alerts in Chromium: a contact turns on "Email me every time I log in" in the
portal's Profile, logs out and in again, and the alert (brand, address, browser)
reaches the real test SMTP server; the login before the switch sent nothing."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import Customer, PortalDomain
from portal_app.services.contacts import contact_create
from portal_app.services.crypto import encrypt_secret
from portal_app.services.identity import SYSTEM
from tests import smtpserver

from .test_browser_flows import shot, toast

pytestmark = [
    pytest.mark.live,
    pytest.mark.browser,
    *[pytest.mark.filterwarnings(w) for w in smtpserver.QUIET],
]
EMAIL = "alert-me@login-alerts.example"
PASSWORD = "alert-me-pass-1"
SMTP = ("smtp_server", "smtp_from", "smtp_username", "smtp_password_enc")


def _seed(live_app, smtp) -> tuple[int, dict]:
    with live_app.session() as session:
        acme = session.exec(select(PortalDomain).where(PortalDomain.host == "acme.localhost")).one()
        saved = {k: getattr(acme, k) for k in SMTP}
        acme.smtp_server, acme.smtp_from = smtp.address, "noreply@acme.localhost"
        acme.smtp_username = smtpserver.USERNAME
        acme.smtp_password_enc = encrypt_secret(smtpserver.PASSWORD)
        customer = Customer(name="Login Alerts Co", domain_id=acme.id, currency="USD")
        session.add_all([acme, customer])
        session.flush()
        data = {"name": "Alex Alert", "email": EMAIL, "password": PASSWORD}
        contact_create(session=session, actor=SYSTEM, customer_id=customer.id, data=data)
        session.commit()
        return customer.id, saved


def _cleanup(live_app, customer_id: int, saved: dict) -> None:
    with live_app.session() as session:
        acme = session.exec(select(PortalDomain).where(PortalDomain.host == "acme.localhost")).one()
        for key, value in saved.items():
            setattr(acme, key, value)
        session.add(acme)
        customer = session.get(Customer, customer_id)
        if customer is not None:
            session.delete(customer)
        session.commit()


def _log_in(page: Page, brand: str) -> None:
    page.goto(brand + "/portal/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(re.escape(brand) + r"/portal/?$"))


def test_a_contact_turns_on_login_alerts_and_the_next_login_is_emailed(browser, live_app):
    port = live_app.url.rsplit(":", 1)[1]
    brand = f"http://acme.localhost:{port}"
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    me = context.new_page()
    me.set_default_timeout(20_000)
    with smtpserver.smtp_server() as smtp:
        customer_id, saved = _seed(live_app, smtp)
        try:
            _log_in(me, brand)
            me.goto(brand + "/portal/profile")
            switch = me.get_by_role("switch", name="Email me every time I log in")
            expect(switch).to_have_attribute("aria-checked", "false")
            time.sleep(1)  # the login's own (absent) alert would have been queued by now
            assert smtp.messages == []
            switch.click()
            expect(toast(me)).to_contain_text("You will get an email at every login")
            expect(switch).to_have_attribute("aria-checked", "true")
            shot(me, "90-portal-login-alerts-on")
            me.click("#portal-me")
            me.click("#portal-logout")
            me.wait_for_url(re.compile(r".*/portal/login/?(\?.*)?$"))
            _log_in(me, brand)
            deadline = time.monotonic() + 20
            while not smtp.messages:
                assert time.monotonic() < deadline, "no login alert reached the SMTP server"
                time.sleep(0.2)
        finally:
            _cleanup(live_app, customer_id, saved)
    (mail,) = smtp.messages
    assert mail.rcpt_tos == [EMAIL]
    assert mail.message["Subject"] == "New login to Acme Telecom"
    body = mail.message.get_body(("plain",)).get_content()
    assert "portal login" in body and "Chrome on Linux" in body and "127.0.0.1" in body
    context.close()
