"""Portal domains end to end: the editor, DNS verification against a real DNS server,
and the brand on its own host in Chromium."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import AuditEvent, Customer, PortalDomain
from portal_app.services.crypto import decrypt_secret
from tests import smtpserver

from .conftest import attempt_tag
from .test_browser_flows import login, served, shot, toast

pytestmark = [pytest.mark.live, pytest.mark.browser]


def _port(url: str) -> str:
    return url.rsplit(":", 1)[1]


def _open_editor(page: Page, url: str) -> None:
    login(page, url, "admin@example.com", "admin-password-1")
    page.wait_for_url(url + "/")
    page.goto(url + "/setup/integrations/portal")
    expect(page.locator("#add-domain")).to_be_visible()
    page.click("#add-domain")


def _tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


@pytest.fixture()
def smtp():
    with smtpserver.smtp_server() as server:
        yield server


def test_add_verify_and_open_a_brand_with_every_tab_filled(page: Page, live_app, smtp):
    _open_editor(page, live_app.url)
    page.fill("#host", "Good.Example.Test")
    page.fill("#brand_name", "Goodtel")
    page.click("#customer_signup")
    page.fill("#customer_limit", "7.50")
    page.click("#currency_add")
    page.get_by_role("option", name="EUR", exact=True).click()
    shot(page, "50-domain-basic")
    _tab(page, "User Access Area")
    page.click("#access-breakout")
    page.get_by_role("button", name="Move up Breakout").click()
    shot(page, "51-domain-access")
    _tab(page, "Breakout")
    page.get_by_role("button", name="Move up Cost").click()
    _tab(page, "CDR")
    page.click("#cdr-sip_call_id")
    _tab(page, "Advanced")
    page.fill("#custom_js", "window.__goodtel = 'ran';")
    page.fill("#custom_css", "#brand-name { color: rgb(12, 34, 56); }")
    page.click("#logo_file_id")
    page.get_by_role("option", name="acme.png").click()
    page.fill("#footer", "Copyright Goodtel Ltd")
    shot(page, "52-domain-advanced")
    _tab(page, "SMTP")
    page.fill("#smtp_server", smtp.address)
    page.fill("#smtp_username", smtpserver.USERNAME)
    page.fill("#smtp_password", smtpserver.PASSWORD)
    page.fill("#smtp_from", "noreply@goodtel.test")
    _tab(page, "DNS record")
    expect(page.get_by_text("portal.example.test.", exact=True)).to_be_visible()
    shot(page, "53-domain-dns-record")
    page.click("#domain-save")
    expect(toast(page)).to_contain_text("Domain added")
    table = page.locator("#domains-table")
    expect(table).to_contain_text("good.example.test")
    # Pending until checked; the background re-check may get there first, and the open
    # list follows it live.
    expect(table).to_contain_text(re.compile("Pending|Verified"))

    with live_app.session() as session:
        domain = session.exec(
            select(PortalDomain).where(PortalDomain.host == "good.example.test")
        ).one()
        assert domain.customer_signup and domain.customer_limit == 750
        assert domain.currencies == ["GBP", "EUR"]  # the account's currency (demo: GBP) first
        assert domain.access.index("breakout") < domain.access.index("profile")
        assert domain.breakout_columns[-2:] == ["cost", "acd"]
        assert "sip_call_id" in domain.cdr_columns
        assert decrypt_secret(domain.smtp_password_enc) == smtpserver.PASSWORD
        assert domain.logo_file_id is not None

    # SMTP: the saved password never comes back; Test Email goes through the real server.
    page.get_by_role("button", name="Edit good.example.test").click()
    _tab(page, "SMTP")
    expect(page.locator("#smtp_password")).to_have_value("")
    expect(page.locator("#smtp_password")).to_have_attribute("placeholder", "unchanged")
    page.click("#domain-test-email")
    expect(page.locator("#domain-mail-answer")).to_contain_text("250 OK queued as test-1")
    shot(page, "53b-domain-smtp-test-email")
    assert len(smtp.messages) == 1
    received = smtp.messages[0]
    assert received.rcpt_tos == ["admin@example.com"]
    assert received.login == smtpserver.USERNAME
    assert received.message["From"] == "noreply@goodtel.test"
    page.get_by_role("button", name="Cancel").click()

    page.get_by_role("row", name="good.example.test").get_by_role(
        "button", name="Verify now"
    ).click()
    expect(table).to_contain_text("Verified", timeout=15_000)
    shot(page, "54-domain-verified")
    with live_app.session() as session:
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity == "portal_domain")
        ).all()
        assert "domain.status" in actions

    # Like its certificate, the app serves a newly verified host once its in-memory list
    # of verified domains has it (reloaded every 5 s).
    for _ in range(150):
        if httpx.get(f"{live_app.url}/api/tls/ask?domain=good.example.test").status_code == 200:
            break
        time.sleep(0.1)
    brand = page.context.new_page()
    served(brand, f"http://good.example.test:{_port(live_app.url)}/")
    expect(brand.locator("#brand-name")).to_have_text("Goodtel")
    expect(brand.locator("#brand-name")).to_have_css("color", "rgb(12, 34, 56)")
    expect(brand.locator("#brand-footer")).to_have_text("Copyright Goodtel Ltd")
    expect(brand.locator("#brand-logo")).to_be_visible()
    expect(brand).to_have_title("Goodtel")
    brand.wait_for_function("window.__goodtel === 'ran'")
    shot(brand, "55-brand-goodtel")

    # The control panel and the operator login do not exist on the brand host: their
    # addresses lead to the brand's portal (its login, for a visitor).
    for path in ("/setup/account/users", "/login"):
        brand.goto(f"http://good.example.test:{_port(live_app.url)}{path}")
        brand.wait_for_url(re.compile(r".*/portal/login/?$"))
        expect(brand.locator("#brand-name")).to_have_text("Goodtel")
        expect(brand.get_by_text("Log in to Goodtel")).to_be_visible()
        expect(brand.get_by_text("admin@example.com")).to_have_count(0)


def test_misconfigured_domain_explains_and_its_host_shows_the_neutral_page(page, live_app):
    _open_editor(page, live_app.url)
    page.fill("#host", "arecord.example.test")
    page.fill("#brand_name", "Arecord")
    page.click("#domain-save")
    expect(toast(page)).to_contain_text("Domain added")
    row = page.get_by_role("row", name="arecord.example.test")
    row.get_by_role("button", name="Verify now").click()
    expect(row).to_contain_text("Misconfigured", timeout=15_000)
    expect(row).to_contain_text("203.0.113.5")
    shot(page, "56-domain-misconfigured")

    # A status change made elsewhere (another worker's re-check task) shows up in the
    # open panel without a reload.
    with live_app.session() as session:
        domain = session.exec(
            select(PortalDomain).where(PortalDomain.host == "arecord.example.test")
        ).one()
        domain.status, domain.status_detail = "verified", "Checked by another worker."
        session.add(domain)
        session.commit()
    expect(row).to_contain_text("Checked by another worker.", timeout=12_000)
    expect(row).to_contain_text("Verified")
    with live_app.session() as session:
        domain = session.get(PortalDomain, domain.id)
        domain.status = "misconfigured"
        session.add(domain)
        session.commit()
    expect(row).to_contain_text("Misconfigured", timeout=12_000)

    neutral = page.context.new_page()
    neutral.goto(f"http://arecord.example.test:{_port(live_app.url)}/")
    expect(neutral.locator("#not-configured")).to_be_visible()
    expect(neutral.get_by_text("Arecord")).to_have_count(0)
    shot(neutral, "57-unverified-host-neutral")

    # Deleting a domain that customers use asks where they go.
    with live_app.session() as session:
        session.add_all(
            [Customer(name=f"Arecord customer {n}", domain_id=domain.id) for n in range(2)]
        )
        session.commit()
        good = session.exec(
            select(PortalDomain).where(PortalDomain.host == "good.example.test")
        ).one()
    page.get_by_role("button", name="Delete arecord.example.test").click()
    expect(page.get_by_text("2 customer(s) use this domain")).to_be_visible()
    page.click("#customers_to")
    page.get_by_role("option", name="Move them to good.example.test").click()
    shot(page, "56b-domain-delete-with-customers")
    page.click("#confirm-delete")
    expect(toast(page)).to_contain_text("2 customer(s) moved")
    with live_app.session() as session:
        moved = session.exec(
            select(Customer.domain_id).where(Customer.name.startswith("Arecord customer"))
        ).all()
        assert moved == [good.id, good.id]
        assert session.get(PortalDomain, domain.id) is None


def test_demo_brands_open_with_their_own_look(page: Page, live_app):
    port = _port(live_app.url)
    page.goto(f"http://acme.localhost:{port}/")
    expect(page.locator("#brand-name")).to_have_text("Acme Telecom")
    expect(page.locator("#brand-footer")).to_contain_text("Acme")
    shot(page, "58-brand-acme")
    page.goto(f"http://globex.localhost:{port}/")
    expect(page.locator("#brand-name")).to_have_text("Globex Voice")
    shot(page, "59-brand-globex")


def test_only_an_administrator_edits_a_brands_javascript(page: Page, live_app):
    """An operator allowed the Portal area edits a brand but sees its Javascript and CSS
    read-only, and a save keeps them; the administrator's editor is the positive control."""
    from portal_app.services.groups import group_create
    from portal_app.services.identity import SYSTEM
    from portal_app.services.users import user_create

    desk = attempt_tag()
    with live_app.session() as session:
        group = group_create(
            session=session,
            actor=SYSTEM,
            data={"name": f"Brand desk {desk}", "grants": {"portal": "allow"}},
        )
        user_create(
            session=session,
            actor=SYSTEM,
            data={
                "name": "Bram Brand",
                "email": f"bram-{desk}@example.com",
                "password": "bram-password-1",
                "role": "user",
                "group_id": group.id,
                "enabled": True,
            },
        )
        session.commit()
        acme = session.exec(select(PortalDomain).where(PortalDomain.host == "acme.localhost")).one()
        script_before = acme.custom_js
    login(page, live_app.url, f"bram-{desk}@example.com", "bram-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/setup/integrations/portal")
    page.click(f"#domain-{acme.id}")
    _tab(page, "Advanced")
    expect(page.locator("#code-locked")).to_be_visible()
    expect(page.locator("#custom_js")).to_have_attribute("readonly", "")
    shot(page, "57-domain-code-locked")
    page.fill("#footer", "Footer by the brand desk")
    page.click("#domain-save")
    expect(toast(page)).to_contain_text("Domain saved")
    with live_app.session() as session:
        acme = session.get(PortalDomain, acme.id)
        assert acme.footer == "Footer by the brand desk" and acme.custom_js == script_before

    page.context.clear_cookies()
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/setup/integrations/portal")
    page.click(f"#domain-{acme.id}")
    _tab(page, "Advanced")
    expect(page.locator("#code-locked")).to_have_count(0)
    expect(page.locator("#custom_js")).not_to_have_attribute("readonly", "")


def test_template_customer_is_found_as_you_type(page: Page, live_app):
    """The Template Customer is searched for (the browser never gets every customer):
    type part of a name, pick it, the preview says what approval copies, save."""
    with live_app.session() as session:
        acme = session.exec(select(PortalDomain).where(PortalDomain.host == "acme.localhost")).one()
        before = acme.template_customer_id
        bluebird = session.exec(
            select(Customer).where(Customer.name == "Bluebird Call Centre")
        ).one()
    try:
        _pick_and_save(page, live_app, acme.id)
        with live_app.session() as session:
            assert session.get(PortalDomain, acme.id).template_customer_id == bluebird.id
    finally:
        with live_app.session() as session:
            restore = session.get(PortalDomain, acme.id)
            restore.template_customer_id = before  # the other tests' template
            session.add(restore)
            session.commit()


def _pick_and_save(page: Page, live_app, domain_id: int) -> None:
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/setup/integrations/portal")
    page.click(f"#domain-{domain_id}")
    page.fill("#template-picker", "bluebird call")
    match = page.locator("#template-matches").get_by_role(
        "button", name="Bluebird Call Centre · USD"
    )
    match.click()
    expect(page.locator("#template-chosen")).to_contain_text("Bluebird Call Centre")
    expect(page.locator("#template-preview")).to_contain_text("Credit limit")
    expect(page.locator("#template-matches button")).to_have_count(0)
    shot(page, "58-template-customer-picked")
    page.click("#domain-save")
    expect(toast(page)).to_contain_text("Domain saved")
