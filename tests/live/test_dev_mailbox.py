"""The demo with no SMTP at all, in Chromium, as a fresh clone's `make run` serves it:
sign up on a brand host, read the confirmation in Setup › Email Log › Mailbox and click
its link, approve, then add a contact with "Auto-generate password", open its welcome
email in the mailbox, set the password and log in to the portal."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import AccountConfig, PortalDomain

from .conftest import attempt_tag
from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
SMTP_FIELDS = ("smtp_server", "smtp_username", "smtp_password_enc", "smtp_from")


@pytest.fixture()
def no_smtp(live_app):
    """Neither the Acme brand nor the account has SMTP (other tests may have set them)."""

    def rows(session):
        acme = select(PortalDomain).where(PortalDomain.host == "acme.localhost")
        return [r for r in (session.exec(acme).one(), session.get(AccountConfig, 1)) if r]

    with live_app.session() as session:
        saved = {type(r): {f: getattr(r, f) for f in SMTP_FIELDS} for r in rows(session)}
        for row in rows(session):
            for f in SMTP_FIELDS:
                setattr(row, f, None if f == "smtp_password_enc" else "")
            session.add(row)
        session.commit()
    yield
    with live_app.session() as session:
        for row in rows(session):
            for f, value in saved.get(type(row), {}).items():
                setattr(row, f, value)
            session.add(row)
        session.commit()


def _open_mail(page: Page, to: str, subject: str) -> None:
    """Mailbox tab: refresh until the sender has delivered it, then open it."""
    page.click("#tab-mailbox")
    button = page.get_by_role("button", name=f"Read {subject} to {to}")
    deadline = time.monotonic() + 20
    while not button.count():
        assert time.monotonic() < deadline, f"no '{subject}' to {to} in the mailbox"
        page.click("#email-log-refresh")
        time.sleep(0.5)
    button.first.click()
    expect(page.locator("#mailbox-message")).to_contain_text(subject)


def _follow(page: Page, link_part: str) -> Page:
    """Click the message's link (it opens in a new tab, like a mail client)."""
    link = page.locator("#mailbox-message a.mailbox-link", has_text=link_part).first
    with page.expect_popup() as opened:
        link.click()
    tab = opened.value
    tab.set_default_timeout(20_000)
    return tab


def test_demo_flows_complete_through_the_built_in_mailbox(page: Page, browser, live_app, no_smtp):
    port = live_app.url.rsplit(":", 1)[1]
    brand = f"http://acme.localhost:{port}"
    run = attempt_tag()
    company = f"Mailbox Demo Ltd {run}"
    mia_email, max_email = f"mia-{run}@mailbox-demo.example", f"max-{run}@mailbox-demo.example"
    visitor = browser.new_context(viewport={"width": 1000, "height": 900})
    me = visitor.new_page()
    me.set_default_timeout(20_000)
    me.goto(brand + "/portal/signup?kind=customer")
    me.fill("#company_name", company)
    me.fill("#contact_name", "Mia Mailbox")
    me.fill("#email", mia_email)
    me.fill("#password", "mailbox-pass-1")
    me.fill("#phone", "+44 20 7946 0456")
    me.fill("#country", "United Kingdom")  # a text box with suggestions
    me.click("#terms")
    me.click("#signup-submit")
    expect(me.locator("#signup-notice")).to_contain_text(mia_email)

    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    warning = page.locator(".dashboard-mail-warning").first
    expect(warning).to_contain_text("built-in mailbox")
    page.get_by_role("link", name="Email Log").click()
    page.wait_for_url("**/setup/account/email-log")
    expect(page.locator("#email-log-table")).to_contain_text(mia_email)
    expect(page.locator("#email-log-table")).not_to_contain_text("token=")  # metadata only
    shot(page, "99-email-log")
    _open_mail(page, mia_email, "Confirm your Acme Telecom sign-up")
    shot(page, "99b-dev-mailbox")
    confirm = _follow(page, "/portal/signup/confirm?token=")
    expect(confirm.locator("#signup-confirmed")).to_contain_text("waiting for approval")
    confirm.close()

    page.click("text=Pending Approval")
    page.wait_for_url("**/management/pending")
    page.get_by_role("checkbox", name=f"Select {company}").click()
    page.click("#pending-approve")
    expect(page.locator("#pending-table")).not_to_contain_text(company)
    page.get_by_role("link", name="Email Log").click()
    _open_mail(page, mia_email, "Your Acme Telecom account is approved")

    page.goto(live_app.url + "/management/customers")
    page.fill("#search", "Mailbox Demo")
    page.click("#apply-filters")
    page.get_by_role("button", name=company).click()
    page.get_by_role("tab", name="Contacts").click()
    page.click("#add-contact")
    page.fill("#contact_name", "Max Mailbox")
    page.fill("#contact_email", max_email)
    page.click("#contact-save")  # "Auto-generate password" is ticked for a new contact
    queued = page.locator("[data-sonner-toast]", has_text="development mailbox")
    expect(queued).to_be_visible()
    page.goto(live_app.url + "/setup/account/email-log")
    _open_mail(page, max_email, "Your Acme Telecom portal login")
    tab = _follow(page, "/portal/set-password?token=")
    expect(tab.locator("#brand-name")).to_have_text("Acme Telecom")
    tab.fill("#new_password", "max-mailbox-1")
    tab.fill("#confirm_password", "max-mailbox-1")
    tab.click("#set-password-submit")
    tab.wait_for_url("**/portal/login?welcome=1")
    tab.fill("#email", max_email)
    tab.fill("#password", "max-mailbox-1")
    tab.click("#login-submit")
    tab.wait_for_url(re.compile(re.escape(brand) + r"/portal/?$"))
    shot(tab, "99c-portal-after-mailbox-link")
    visitor.close()
