"""Self sign-up end to end in Chromium: the form on the brand host, the confirmation
email, the operator's open dashboard showing the new sign-up without a reload, the
approval, and the new customer's $5.00 template credit in its Balance."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import Customer, PortalDomain
from portal_app.services.crypto import encrypt_secret
from tests import smtpserver

from .conftest import attempt_tag
from .test_browser_flows import login, shot

pytestmark = [
    pytest.mark.live,
    pytest.mark.browser,
    *[pytest.mark.filterwarnings(w) for w in smtpserver.QUIET],
]


def _mail_to(smtp, address: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in smtp.messages if m.rcpt_tos == [address]]
        if found:
            return found[-1].message
        assert time.monotonic() < deadline, f"no email to {address}"
        time.sleep(0.2)


def test_sign_up_confirm_live_badge_approve_and_template_credit(page: Page, browser, live_app):
    port = live_app.url.rsplit(":", 1)[1]
    brand = f"http://acme.localhost:{port}"
    run = attempt_tag()
    company, email = f"Skyline Dialer Ltd {run}", f"sam-{run}@skyline.example"
    with smtpserver.smtp_server() as smtp:
        with live_app.session() as session:
            acme = session.exec(
                select(PortalDomain).where(PortalDomain.host == "acme.localhost")
            ).one()
            acme.smtp_server, acme.smtp_from = smtp.address, "noreply@acme.localhost"
            acme.smtp_username = smtpserver.USERNAME
            acme.smtp_password_enc = encrypt_secret(smtpserver.PASSWORD)
            session.add(acme)
            session.commit()
        with live_app.session() as session:
            waiting = len(
                session.exec(select(Customer.id).where(Customer.status == "pending")).all()
            )
        login(page, live_app.url, "admin@example.com", "admin-password-1")
        page.wait_for_url(live_app.url + "/")
        if waiting:  # the demo's own waiting sign-up
            expect(page.locator("#dashboard-pending")).to_have_text(str(waiting))

        visitor = browser.new_context(viewport={"width": 1000, "height": 900})
        me = visitor.new_page()
        me.set_default_timeout(20_000)
        me.goto(brand + "/portal/login")
        me.click("#signup-customer")
        me.wait_for_url("**/portal/signup?kind=customer")
        me.fill("#company_name", company)
        me.fill("#contact_name", "Sam Sky")
        me.fill("#email", email)
        me.fill("#password", "skyline-pass-1")
        me.fill("#phone", "020 7946")  # too short for a UK number
        me.fill("#country", "United Kingdom")  # a text box with suggestions
        me.click("#signup-submit")
        expect(me.locator("#phone-error")).to_contain_text("international format")
        expect(me.locator("#terms-error")).to_contain_text("accept the terms")
        me.fill("#phone", "020 7946 0123")  # national format, read as the country's
        me.click("#terms")
        shot(me, "95-signup-form")
        me.click("#signup-submit")
        expect(me.locator("#signup-notice")).to_contain_text(email)
        mail = _mail_to(smtp, email)
        assert mail["Subject"] == "Confirm your Acme Telecom sign-up"
        link = re.search(
            r"http://\S+/portal/signup/confirm\?token=\S+", mail.get_body(("plain",)).get_content()
        ).group(0)
        # Nothing reaches the operator before the address is confirmed.
        with live_app.session() as session:
            assert session.exec(select(Customer).where(Customer.name == company)).first() is None

        me.goto(link)
        expect(me.locator("#signup-confirmed")).to_contain_text("waiting for approval")
        started = time.monotonic()
        expect(page.locator("#dashboard-pending")).to_have_text(str(waiting + 1), timeout=5_000)
        seconds = time.monotonic() - started
        assert seconds < 2, f"the dashboard took {seconds:.1f} s to show the sign-up"
        expect(page.locator("#pending-badge")).to_have_text(str(waiting + 1))
        shot(page, "96-dashboard-pending")
        # The new contact cannot log in yet, and is told why.
        me.goto(brand + "/portal/login")
        me.fill("#email", email)
        me.fill("#password", "skyline-pass-1")
        me.click("#login-submit")
        expect(me.locator("#login-error")).to_contain_text("waiting for approval")

        page.click("text=Pending Approval")
        page.wait_for_url("**/management/pending")
        expect(page.locator("#pending-table")).to_contain_text(company)
        page.get_by_role("checkbox", name=f"Select {company}").click()
        shot(page, "97-pending")
        page.click("#pending-approve")
        expect(page.locator("#pending-table")).not_to_contain_text(company)
        if waiting:
            expect(page.locator("#pending-badge")).to_have_text(str(waiting))
        else:
            expect(page.locator("#pending-badge")).to_have_count(0)
        approved = _mail_to(smtp, email)
        assert approved["Subject"] == "Your Acme Telecom account is approved"

    me.fill("#email", email)
    me.fill("#password", "skyline-pass-1")
    me.click("#login-submit")
    me.wait_for_url(re.compile(re.escape(brand) + r"/portal/?$"))
    me.click("#portal-nav-balance")
    expect(me.locator("#portal-balance")).to_have_text("$5.00")
    expect(me.locator("#portal-statement")).to_contain_text("Welcome credit")
    shot(me, "98-signup-balance")
    with live_app.session() as session:
        row = session.exec(select(Customer).where(Customer.name == company)).one()
        assert (row.status, row.kind, row.decided_by) == ("active", "customer", "admin@example.com")
    visitor.close()
