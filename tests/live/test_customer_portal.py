"""The customer portal end to end in Chromium: the operator adds a contact with an
auto-generated password, the real test SMTP server receives the email, its link sets
the password, the contact logs in on the brand host and sees its public notes and
exactly the allowed sections; hiding a section removes it; the other brand refuses."""

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
from .test_browser_flows import login, shot, toast

pytestmark = [
    pytest.mark.live,
    pytest.mark.browser,
    *[pytest.mark.filterwarnings(w) for w in smtpserver.QUIET],
]
PRIVATE = "PRIVATE-only-for-staff-7731"
PUBLIC = "Hello from your Acme account team"


def _seed(live_app, smtp, name: str) -> int:
    """A fresh customer ``name`` on the demo brand acme.localhost, whose mail goes to the
    test SMTP server."""
    with live_app.session() as session:
        acme = session.exec(select(PortalDomain).where(PortalDomain.host == "acme.localhost")).one()
        acme.smtp_server, acme.smtp_from = smtp.address, "noreply@acme.localhost"
        acme.smtp_username = smtpserver.USERNAME
        acme.smtp_password_enc = encrypt_secret(smtpserver.PASSWORD)
        customer = Customer(name=name, domain_id=acme.id, currency="USD")
        session.add_all([acme, customer])
        session.commit()
        return customer.id


def _wait_for_mail(smtp, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while not smtp.messages:
        assert time.monotonic() < deadline, "no email reached the test SMTP server"
        time.sleep(0.2)
    return smtp.messages[-1]


def _open_customer(page: Page, url: str, name: str) -> None:
    page.goto(url + "/management/customers")
    page.fill("#search", "Portal Live")
    page.click("#apply-filters")
    page.get_by_role("button", name=name).click()


def test_contact_from_email_link_to_portal_sections(browser, live_app):
    port = live_app.url.rsplit(":", 1)[1]
    brand = f"http://acme.localhost:{port}"
    operator = browser.new_context(viewport={"width": 1280, "height": 900})
    customer = browser.new_context(viewport={"width": 1280, "height": 800})
    op, me = operator.new_page(), customer.new_page()
    for page in (op, me):
        page.set_default_timeout(20_000)
    run = attempt_tag()
    name, lee = f"Portal Live Co {run}", f"lee-{run}@portal-live.example"
    with smtpserver.smtp_server() as smtp:
        _seed(live_app, smtp, name)
        login(op, live_app.url, "admin@example.com", "admin-password-1")
        op.wait_for_url(live_app.url + "/")
        _open_customer(op, live_app.url, name)
        op.get_by_role("tab", name="Contacts").click()
        expect(op.get_by_text("No contacts yet")).to_be_visible()
        expect(op.locator("#customer-save")).to_have_count(0)  # not this tab's button
        op.click("#add-contact")
        op.fill("#contact_name", "Lee Live")
        op.fill("#contact_email", "lee@portal-live")  # the browser accepts it; we do not
        op.fill("#public_notes", PUBLIC)
        op.fill("#private_notes", PRIVATE)
        op.click("#contact-save")
        expect(op.locator("#contact_email-error")).to_contain_text("valid email")
        op.fill("#contact_email", lee)
        shot(op, "80-contact-add")
        op.click("#contact-save")
        emailed = op.locator("[data-sonner-toast]", has_text=f"on its way to {lee}")
        expect(emailed).to_be_visible()
        expect(op.locator("#contacts-table")).to_contain_text("no password yet")
        shot(op, "81-contacts-tab")
        mail = _wait_for_mail(smtp)
    assert mail.rcpt_tos == [lee]
    assert mail.message["Subject"] == "Your Acme Telecom portal login"
    link = re.search(
        r"http://\S+/portal/set-password\?token=\S+",
        mail.message.get_body(("plain",)).get_content(),
    )
    assert link and link.group(0).startswith(f"{brand}/portal/set-password?token=")

    me.goto(link.group(0))
    expect(me.locator("#brand-name")).to_have_text("Acme Telecom")
    me.fill("#new_password", "short")
    me.fill("#confirm_password", "short")
    me.click("#set-password-submit")
    expect(me.locator("#new_password-error")).to_contain_text("at least 10")
    me.fill("#new_password", "lee-live-pass-1")
    me.fill("#confirm_password", "lee-live-pass-1")
    shot(me, "82-portal-set-password")
    me.click("#set-password-submit")
    me.wait_for_url("**/portal/login?welcome=1")
    expect(me.locator("#login-notice")).to_contain_text("Your password is set")
    me.goto(link.group(0))  # single use
    expect(me.locator("#link-dead")).to_be_visible()

    me.goto(brand + "/portal/login")
    me.fill("#email", lee)
    me.fill("#password", "lee-live-pass-1")
    me.click("#login-submit")
    me.wait_for_url(re.compile(re.escape(brand) + r"/portal/?$"))
    expect(me.locator("#portal-notes")).to_contain_text(PUBLIC)
    nav = me.locator(".cp-portal-nav a")
    expect(nav).to_have_text(
        ["Overview", "Balance", "CDR", "Rate Card", "Payments", "Contacts", "Profile"]
    )
    assert PRIVATE not in me.content()
    # The overview's money line: available money, its runway, and the way to pay.
    expect(me.locator("#home-available")).to_have_text("$0.00")
    expect(me.locator("#home-runway")).to_have_text("No calls cost anything in the last 7 days.")
    expect(me.locator("#home-make-payment")).to_be_visible()
    shot(me, "83-portal-home")
    me.click("#portal-nav-balance")
    expect(me.locator("#portal-balance")).to_have_text("$0.00")
    expect(op.locator("#contacts-table")).to_be_visible()

    # The operator hides Balance for this customer: the menu loses it, the page refuses.
    op.get_by_role("tab", name="Config").click()
    op.click("#access_balance")
    op.get_by_role("option", name="Hide", exact=True).click()
    op.click("#customer-save")
    expect(toast(op)).to_contain_text("Customer saved")
    me.reload()
    expect(me.locator("#portal-unavailable")).to_be_visible()
    expect(nav).to_have_text(["Overview", "CDR", "Rate Card", "Payments", "Contacts", "Profile"])
    me.click("#portal-nav-home")
    expect(me.locator("#portal-customer")).to_be_visible()
    expect(me.locator("#home-available")).to_have_count(0)  # no Balance, no money line
    me.goto(brand + "/portal/balance")
    expect(me.locator("#portal-unavailable")).to_be_visible()
    shot(me, "84-portal-section-hidden")
    _open_customer(op, live_app.url, name)
    op.get_by_role("tab", name="Contacts").click()
    expect(op.locator("#contacts-table")).to_contain_text(
        re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d UTC")  # the demo account's DD/MM/YYYY
    )

    # Log out; the same login on the other brand's host is refused like a wrong password.
    me.click("#portal-me")
    me.click("#portal-logout")
    me.wait_for_url(re.compile(r".*/portal/login/?(\?.*)?$"))
    me.goto(f"http://globex.localhost:{port}/portal/login")
    expect(me.locator("#brand-name")).to_have_text("Globex Voice")
    me.fill("#email", lee)
    me.fill("#password", "lee-live-pass-1")
    me.click("#login-submit")
    expect(me.locator("#login-error")).to_have_text("Email or password is incorrect.")
    shot(me, "85-portal-other-brand-refused")
    with live_app.session() as session:
        row = session.exec(select(Customer).where(Customer.name == name)).one()
        assert row.portal_access.get("balance") == "hide"
    operator.close()
    customer.close()
