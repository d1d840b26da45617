"""Contact roles end to end in Chromium and over a raw Socket.IO client.

An Owner invites a colleague as Billing; the real test SMTP server receives the email;
the colleague (on a phone) accepts it, is logged in and sees Billing's sections only; a
forged CDR event from that session is refused by the server. The operator sees the
role, opens "View as this contact" in a new tab and gets the same menu, read-only, with
the banner. Separately, the demo's Owner Bea sends another customer's contact ids to
the team handlers, as an attacker would: refused, nothing changes (and her own
colleague's role does change, the positive control). axe checks and screenshots.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import Contact, Customer, PortalDomain
from portal_app.services.contacts import contact_create
from portal_app.services.crypto import encrypt_secret
from portal_app.services.identity import SYSTEM
from portal_app.services.sessions import SESSION_COOKIE
from portal_app.state.portal_team import PortalTeamState
from portal_app.state.reports import PortalReportState
from tests import smtpserver

from .axe import ensure_axe, violations
from .conftest import attempt_tag
from .test_browser_flows import login, shot, toast
from .test_customer_portal import _wait_for_mail
from .test_socketio_portal import BrandClient

pytestmark = [
    pytest.mark.live,
    pytest.mark.browser,
    *[pytest.mark.filterwarnings(w) for w in smtpserver.QUIET],
]
PHONE = {"width": 390, "height": 844}
OWNER, OWNER_PW = "olive@roles-live.example", "olive-owner-pass-1"
BILL, BILL_PW = "bill@roles-live.example", "bill-billing-pass-1"
SECTIONS = ["balance", "cdr", "rate_card", "payments", "contacts", "profile"]
BILLING_NAV = ["Overview", "Balance", "Payments", "Profile"]


def _seed(live_app, smtp, name: str) -> None:
    with live_app.session() as session:
        for old in session.exec(select(Contact).where(Contact.email.in_([OWNER, BILL]))).all():
            session.delete(old)  # a rerun starts afresh
        session.commit()
        acme = session.exec(select(PortalDomain).where(PortalDomain.host == "acme.localhost")).one()
        acme.smtp_server, acme.smtp_from = smtp.address, "noreply@acme.localhost"
        acme.smtp_username = smtpserver.USERNAME
        acme.smtp_password_enc = encrypt_secret(smtpserver.PASSWORD)
        customer = Customer(
            name=name,
            domain_id=acme.id,
            currency="USD",
            portal_access=dict.fromkeys(SECTIONS, "show"),
        )
        session.add_all([acme, customer])
        session.flush()
        contact_create(
            session=session,
            actor=SYSTEM,
            customer_id=customer.id,
            data={"name": "Olive Owner", "email": OWNER, "password": OWNER_PW},
        )
        session.commit()


def _axe(page: Page, where: str) -> None:
    found = violations(page, ensure_axe())
    assert found == [], f"{where}: {found}"


def _portal_login(page: Page, brand: str, email: str, password: str) -> None:
    page.goto(brand + "/portal/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(re.compile(re.escape(brand) + r"/portal/?$"))


def _forged_cdr(port: str, token: str) -> str:
    """The Billing session's raw socket asks for CDRs anyway."""

    async def scenario() -> str:
        client = BrandClient(
            f"http://127.0.0.1:{port}", f"http://acme.localhost:{port}", "/portal/cdr"
        )
        await client.connect(cookie=token)
        replies = await client.call(f"{PortalReportState.get_full_name()}.load_cdr")
        replies += await client.call(
            f"{PortalReportState.get_full_name()}.apply_cdr",
            form_data={"first": "2020-01-01", "last": "2030-01-01", "status": "all"},
        )
        await client.close()
        return str(replies)

    # Playwright's sync API holds this thread's event loop: the socket runs in another.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


def test_owner_invites_billing_colleague_and_operator_views_as(browser, live_app):
    port = live_app.url.rsplit(":", 1)[1]
    brand = f"http://acme.localhost:{port}"
    owner_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    phone_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    operator_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    owner, bill, op = owner_ctx.new_page(), phone_ctx.new_page(), operator_ctx.new_page()
    for page in (owner, bill, op):
        page.set_default_timeout(20_000)
    run = attempt_tag()
    company, tess = f"Roles Live Co {run}", f"tess.tech-{run}@example.com"
    with smtpserver.smtp_server() as smtp:
        _seed(live_app, smtp, company)
        _portal_login(owner, brand, OWNER, OWNER_PW)
        owner.click("#portal-nav-contacts")
        expect(owner.locator("#portal-team")).to_contain_text("Olive Owner")
        owner.fill("#invite_email", BILL)
        owner.click("#invite_role")
        owner.get_by_role("option", name="Billing", exact=True).click()
        owner.click("#invite-send")
        expect(toast(owner)).to_contain_text(f"Invitation sent to {BILL}")
        expect(owner.locator("#team-invites")).to_contain_text(BILL)
        shot(owner, "95-roles-owner-invites")
        _axe(owner, "portal contacts (Owner)")
        mail = _wait_for_mail(smtp)
    assert mail.rcpt_tos == [BILL]
    body = mail.message.get_body(("plain",)).get_content()
    assert "as Billing" in body
    link = re.search(r"http://\S+/portal/invite\?token=\S+", body).group(0)
    assert link.startswith(f"{brand}/portal/invite?token=")

    # The colleague, on a phone: the link, a name and a password, and in.
    bill.goto(link)
    expect(bill.locator("#invite-email")).to_have_text(BILL)
    bill.fill("#name", "Bill Payer")
    bill.fill("#new_password", "short")
    bill.fill("#confirm_password", "short")
    bill.click("#invite-accept")
    expect(bill.locator("#new_password-error")).to_contain_text("at least")
    shot(bill, "96-roles-invite-accept-phone")
    _axe(bill, "invitation page")
    bill.fill("#new_password", BILL_PW)
    bill.fill("#confirm_password", BILL_PW)
    bill.click("#invite-accept")
    bill.wait_for_url(re.compile(re.escape(brand) + r"/portal/?$"))
    nav = bill.locator(".cp-portal-nav a")
    expect(nav).to_have_text(BILLING_NAV)
    shot(bill, "97-roles-billing-home-phone")
    _axe(bill, "portal home (Billing)")
    bill.goto(brand + "/portal/cdr")
    expect(bill.locator("#portal-unavailable")).to_contain_text("Billing")
    bill.goto(link)  # single use
    expect(bill.locator("#invite-problem")).to_contain_text("already used")
    shot(bill, "98-roles-invite-used-phone")
    # A forged CDR event from Bill's own session: the server refuses it.
    token = next(c["value"] for c in phone_ctx.cookies() if c["name"] == SESSION_COOKIE)
    replies = _forged_cdr(port, token)
    assert "Your role (Billing) cannot open this section." in replies
    assert "4420" not in replies  # no caller numbers came back

    # The operator: the role in the Contacts tab, then "View as" in a new tab.
    login(op, live_app.url, "admin@example.com", "admin-password-1")
    op.wait_for_url(live_app.url + "/")
    op.goto(live_app.url + "/management/customers")
    op.fill("#search", "Roles Live")
    op.click("#apply-filters")
    op.get_by_role("button", name=company).click()
    op.get_by_role("tab", name="Contacts").click()
    table = op.locator("#contacts-table")
    expect(table).to_contain_text(BILL)
    bill_row = table.locator("tr", has_text=BILL)
    expect(bill_row.get_by_role("combobox", name="Role of Bill Payer")).to_have_text("Billing")
    # The operator adds a contact with its role from the start.
    op.click("#add-contact")
    op.fill("#contact_name", "Tess Tech")
    op.fill("#contact_email", tess)
    op.click("#contact_role")
    op.get_by_role("option", name="Technical", exact=True).click()
    shot(op, "102-roles-operator-add-contact")
    _axe(op, "customer dialog, Add contact")
    op.click("#contact-save")
    tess_row = op.locator("#contacts-table tr", has_text=tess)
    expect(tess_row.get_by_role("combobox", name="Role of Tess Tech")).to_have_text("Technical")
    bill_row.get_by_role("button", name="Contact actions").click()
    op.get_by_role("menuitem", name="View as this contact").click()
    expect(op.locator("#view-as-open")).to_be_visible()
    shot(op, "99-roles-operator-contacts")
    _axe(op, "customer dialog, Contacts tab")
    with op.expect_popup() as popup_info:
        op.click("#view-as-open")
    view = popup_info.value
    view.set_default_timeout(20_000)
    view.wait_for_url(re.compile(re.escape(brand) + r"/portal/?$"))
    expect(view.locator("#view-as-banner")).to_contain_text("Viewing as Bill Payer — read-only")
    expect(view.locator(".cp-portal-nav a")).to_have_text(BILLING_NAV)
    expect(view.locator("#home-make-payment")).to_have_count(0)
    shot(view, "100-roles-view-as-home")
    _axe(view, "view as (banner)")
    view.click("#portal-nav-payments")
    expect(view.locator(".cp-read-only-note").first).to_contain_text("Read-only view")
    view.click("#portal-nav-profile")
    view.wait_for_url("**/portal/profile")
    expect(view.get_by_role("heading", name="Profile")).to_be_visible()
    expect(view.locator(".cp-read-only-note")).to_have_count(1)
    expect(view.locator(".cp-read-only-note")).to_contain_text("Read-only view")
    expect(view.locator("#portal-password-save")).to_have_count(0)
    shot(view, "101-roles-view-as-profile")
    # The operator's own tab is still the control panel, with its own session.
    # (A reload closes the dialog: state outlives it, dialogs do not.)
    op.reload()
    expect(op.locator("#customers-table")).to_be_visible()
    expect(op.get_by_role("dialog")).to_have_count(0)
    op.fill("#search", "Roles Live")
    op.click("#apply-filters")
    op.get_by_role("button", name=company).click()
    op.get_by_role("tab", name="Contacts").click()
    expect(op.locator("#contacts-table")).to_contain_text(BILL)
    view.click("#view-as-end")
    view.wait_for_url(re.compile(r".*/portal/login/?(\?.*)?$"))
    for context in (owner_ctx, phone_ctx, operator_ctx):
        context.close()


def test_forged_team_ids_through_the_socket_guard(live_app):
    """Bea, an Owner of Bluebird, names Globex's contact and Bluebird's own colleague."""
    port = live_app.url.rsplit(":", 1)[1]
    team = PortalTeamState.get_full_name()
    with live_app.session() as session:
        bluebird = session.exec(
            select(Customer).where(Customer.name == "Bluebird Call Centre")
        ).one()
        globex = session.exec(select(Customer).where(Customer.name == "Globex Retail")).one()
        gina = session.exec(select(Contact).where(Contact.customer_id == globex.id)).one()
        mate = session.exec(select(Contact).where(Contact.email == "mate@bluebird.example")).first()
        if mate is None:
            mate, _ = contact_create(
                session=session,
                actor=SYSTEM,
                customer_id=bluebird.id,
                data={
                    "name": "Mate Bluebird",
                    "email": "mate@bluebird.example",
                    "password": "mate-pass-12345",
                },
            )
        mate.role = "owner"
        session.add(mate)
        session.commit()
        gina_id, mate_id = gina.id, mate.id

    async def scenario() -> tuple[str, str]:
        bea = BrandClient(
            f"http://127.0.0.1:{port}", f"http://acme.localhost:{port}", "/portal/contacts"
        )
        await bea.connect()
        await bea.login("bea@bluebird.example", "bluebird-pass-1")
        forged = await bea.call(f"{team}.set_role", contact_id=gina_id, role="read_only")
        await bea.call(f"{team}.ask_remove", contact_id=gina_id, name="Gina")
        forged += await bea.call(f"{team}.remove")
        forged += await bea.call(f"{team}.revoke_invite", invite_id=1)
        own = await bea.call(f"{team}.set_role", contact_id=mate_id, role="technical")
        await bea.close()
        return str(forged), str(own)

    with ThreadPoolExecutor(1) as pool:  # the module's Playwright holds this thread's loop
        forged, own = pool.submit(asyncio.run, scenario()).result()
    assert "That contact no longer exists." in forged
    assert "gina@globexretail.example" not in forged and "Globex" not in forged
    assert "Mate Bluebird is now Technical." in own
    with live_app.session() as session:
        assert session.get(Contact, gina_id).role == "owner"
        assert session.get(Contact, mate_id).role == "technical"
        session.get(Contact, mate_id).role = "owner"  # leave the demo as it was
        session.commit()
