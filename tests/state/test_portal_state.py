"""The customer portal's states under pytest: login under the brand, sections per
effective access, balance paging and CSV, profile, links, and the operator's
Contacts tab sending a real email whose link sets the password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal_app.models import (
    AuditEvent,
    AuthSession,
    Cdr,
    Contact,
    Customer,
    OutboxMessage,
    PortalDomain,
)
from portal_app.models.base import utcnow
from portal_app.services.auth import BAD_LOGIN
from portal_app.services.outbox import outbox_send_due
from portal_app.state.contacts import ContactsState
from portal_app.state.portal import PortalState
from portal_app.state.portal_auth import FORGOT_ANSWER, PortalLoginState
from portal_app.state.portal_balance import PAGE_SIZE, PortalBalanceState
from portal_app.state.portal_profile import PortalProfileState
from tests.smtpserver import PASSWORD as SMTP_PASSWORD
from tests.smtpserver import QUIET, USERNAME, smtp_server

from .helpers import call, count, fresh, make_state, preset
from .portal_seed import PASSWORD, seed_tenant, sent_text

pytestmark = [pytest.mark.filterwarnings(w) for w in QUIET]


@pytest.fixture()
def tenants(db):
    return seed_tenant(db, "ALPHA", "alpha.example.test", entries=25), seed_tenant(
        db, "BRAVO", "bravo.example.test"
    )


def test_portal_frame_comes_from_the_session_on_its_own_brand_only(db, tenants):
    alpha, bravo = tenants
    state = make_state(PortalState, token=alpha.token, **alpha.router())
    call(state, "load_portal")
    assert state.customer_name == "Customer ALPHA" and state.public_notes == "Public note ALPHA"
    assert [m.key for m in state.menu] == ["balance", "cdr", "contacts", "profile"]
    # The same token on the other brand's host, or no token: off to the portal login.
    for token, router in ((alpha.token, bravo.router()), ("", alpha.router())):
        other = make_state(PortalState, token=token, **router)
        out = call(other, "load_portal")
        assert out.redirects == ["/portal/login"] and other.customer_name == ""
    # On a control-panel host portal handlers do nothing at all.
    panel = make_state(PortalState, token=alpha.token)
    assert call(panel, "load_portal").events == [] and panel.customer_name == ""


def test_a_hidden_section_leaves_the_menu_and_its_handlers_refuse(db, tenants):
    alpha, _ = tenants
    customer = db.get(Customer, alpha.customer_id)
    customer.portal_access = {"balance": "hide", "breakout": "show"}
    db.add(customer)
    db.commit()
    state = make_state(PortalState, token=alpha.token, **alpha.router())
    call(state, "load_portal")
    assert "balance" not in state.sections and "breakout" in state.sections
    assert [m.key for m in state.menu] == ["cdr", "breakout", "contacts", "profile"]
    balance = make_state(PortalBalanceState, token=alpha.token, **alpha.router("/portal/balance"))
    out = call(balance, "load")
    assert out.toasts == [("error", "This section is not available for your account.")]
    assert balance.rows == [] and balance.balance == ""
    # The domain hiding it works the same way; showing it again restores it.
    customer.portal_access = {}
    db.add(customer)
    domain = db.get(PortalDomain, alpha.domain_id)
    domain.access = ["profile"]
    db.add(domain)
    db.commit()
    assert call(balance, "download_csv").toasts[0][0] == "error"
    domain.access = ["balance"]
    db.add(domain)
    db.commit()
    call(balance, "load")
    assert balance.total == 25


def test_balance_pages_and_csv_are_the_contacts_own(db, tenants):
    alpha, _ = tenants
    state = make_state(PortalBalanceState, token=alpha.token, **alpha.router("/portal/balance"))
    call(state, "load")
    assert state.balance == "€331.25" and state.available == "€331.25"
    assert state.total == 25 and len(state.rows) == PAGE_SIZE
    assert state.rows[0].reference == "Ref ALPHA 24" and state.page_label == "1–20 of 25"
    call(state, "go_page", delta=1)
    assert len(state.rows) == 5 and not state.has_next
    out = call(state, "go_page", delta=99)  # clamped
    assert state.page == 1 and len(state.rows) == 5 and out.toasts == []
    csv_text = sent_text(call(state, "download_csv"))
    assert "Ref ALPHA 0" in csv_text and "Internal ALPHA" not in csv_text


def test_overview_money_line_follows_the_balance_section(db, tenants):
    alpha, _ = tenants
    db.add(
        Cdr(
            customer_id=alpha.customer_id,
            call_start=utcnow() - timedelta(days=1),
            dialled="+442079460000",
            cost=70_000_000,  # €70 in the last week: €10 a day
            currency="EUR",
            sip_call_id="overview-runway-1",
        )
    )
    db.commit()
    home = make_state(PortalBalanceState, token=alpha.token, **alpha.router("/portal"))
    assert call(home, "load_summary").toasts == []
    assert home.available == "€331.25"
    assert home.runway == "About 33 days at the last 7 days' spend (€10.00 a day)."
    # Balance hidden for this customer: the overview shows no money and says nothing.
    customer = db.get(Customer, alpha.customer_id)
    customer.portal_access = {"balance": "hide"}
    db.add(customer)
    db.commit()
    hidden = make_state(PortalBalanceState, token=alpha.token, **alpha.router("/portal"))
    assert call(hidden, "load_summary").toasts == []
    assert hidden.available == "" and hidden.runway == ""


def test_portal_login_on_the_right_brand_rotates_the_session(db, tenants):
    alpha, bravo = tenants
    state = make_state(PortalLoginState, token="stale-token", **alpha.router("/portal/login"))
    form = {"email": alpha.email.upper(), "password": PASSWORD}
    out = call(state, "submit_password", form_data=form)
    assert out.claim(state) not in ("", "stale-token")
    wrong_brand = make_state(PortalLoginState, **bravo.router("/portal/login"))
    out = call(wrong_brand, "submit_password", form_data=form)
    assert wrong_brand.error == BAD_LOGIN and out.ticket == ""
    contact = fresh(db, Contact, Contact.id == alpha.contact_id)[0]
    assert contact.last_login_at is not None


def test_pending_customer_is_told_why(db, tenants):
    alpha, _ = tenants
    customer = db.get(Customer, alpha.customer_id)
    customer.status = "pending"
    db.add(customer)
    db.commit()
    state = make_state(PortalLoginState, **alpha.router("/portal/login"))
    out = call(state, "submit_password", form_data={"email": alpha.email, "password": PASSWORD})
    assert "waiting for approval" in state.error and out.ticket == ""


def test_logout_revokes_the_portal_session(db, tenants):
    alpha, _ = tenants
    state = make_state(PortalState, token=alpha.token, **alpha.router())
    out = call(state, "logout_portal")
    assert out.ended_session
    assert count(db, AuthSession, AuthSession.revoked_at.is_not(None)) == 1
    again = make_state(PortalState, token=alpha.token, **alpha.router())
    assert call(again, "load_portal").redirects == ["/portal/login"]


def test_profile_rename_and_password_change(db, tenants):
    alpha, _ = tenants
    state = make_state(PortalProfileState, token=alpha.token, **alpha.router("/portal/profile"))
    call(state, "load")
    assert state.email == alpha.email
    call(state, "save_name", form_data={"name": "  "})
    assert "name" in state.errors
    call(state, "save_name", form_data={"name": "Alpha Renamed"})
    assert fresh(db, Contact, Contact.id == alpha.contact_id)[0].name == "Alpha Renamed"
    form = {"current_password": PASSWORD, "new_password": "brand-new-pass", "confirm_password": "x"}
    out = call(state, "change_password", form_data=form)
    assert "confirm_password" in state.errors and out.ticket == ""
    form["confirm_password"] = "brand-new-pass"
    out = call(state, "change_password", form_data=form)
    assert state.errors == {} and out.claim(state) not in ("", alpha.token)
    assert count(db, AuditEvent, AuditEvent.action == "contact.password_change") == 1


def test_forgot_password_gives_one_answer_and_mails_only_real_logins(db, tenants):
    alpha, _ = tenants
    domain = db.get(PortalDomain, alpha.domain_id)
    with smtp_server() as server:
        domain.smtp_server, domain.smtp_from = server.address, "noreply@alpha.example.test"
        domain.smtp_username = USERNAME
        from portal_app.services.crypto import encrypt_secret

        domain.smtp_password_enc = encrypt_secret(SMTP_PASSWORD)
        db.add(domain)
        db.commit()
        answers = []
        for email in ("nobody@alpha.example.test", alpha.email):
            state = make_state(PortalLoginState, **alpha.router("/portal/forgot"))
            call(state, "submit_forgot", form_data={"email": email})
            answers.append(state.notice)
        assert answers == [FORGOT_ANSWER, FORGOT_ANSWER]
        assert outbox_send_due() == 1
        assert [m.rcpt_tos for m in server.messages] == [[alpha.email]]
        body = server.messages[0].message.get_body(("plain",)).get_content()
    token = re.search(r"set-password\?token=([\w-]+)", body).group(1)
    page = make_state(PortalLoginState, **alpha.router(f"/portal/set-password?token={token}"))
    call(page, "load_link")
    assert page.link_email == alpha.email
    out = call(
        page,
        "submit_new_password",
        form_data={"new_password": "reset-pass-123", "confirm_password": "reset-pass-123"},
    )
    assert out.redirects == ["/portal/login?welcome=1"]
    call(page, "load_link")  # the link is spent
    assert page.link_email == "" and page.link_checked


def test_operator_adds_a_contact_and_the_emailed_link_sets_its_password(db, admin, tenants):
    alpha, _ = tenants
    domain = db.get(PortalDomain, alpha.domain_id)
    with smtp_server() as server:
        domain.smtp_server, domain.smtp_from = server.address, "noreply@alpha.example.test"
        domain.smtp_username = USERNAME
        from portal_app.services.crypto import encrypt_secret

        domain.smtp_password_enc = encrypt_secret(SMTP_PASSWORD)
        db.add(domain)
        db.commit()
        state = make_state(ContactsState, token=admin.token)
        call(state, "open_contacts", customer_id=alpha.customer_id)
        assert {r.email for r in state.rows} == {alpha.email, "colleague-alpha@alpha.example.test"}
        call(state, "open_contact", contact_id=0)
        # As the browser sends it: the hidden password field comes as null.
        bad = {
            "contact_name": "New",
            "contact_email": alpha.email,
            "auto_password": True,
            "contact_password": None,
        }
        call(state, "save_contact", form_data=bad)
        assert state.errors == {"contact_email": "Another contact already logs in with this email."}
        good = bad | {"contact_email": "new.person@alpha.example.test", "public_notes": "Hi"}
        out = call(state, "save_contact", form_data=good)
        assert (
            "success",
            "A link to set the password is on its way to new.person@alpha.example.test.",
        ) in out.toasts
        assert outbox_send_due() == 1
        message = server.messages[0].message
    assert message["To"] == "new.person@alpha.example.test"
    assert "Brand ALPHA" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    token = re.search(r"set-password\?token=([\w-]+)", text).group(1)
    page = make_state(PortalLoginState, **alpha.router(f"/portal/set-password?token={token}"))
    call(page, "load_link")
    call(
        page,
        "submit_new_password",
        form_data={"new_password": "x" * 12, "confirm_password": "x" * 12},
    )
    login = make_state(PortalLoginState, **alpha.router("/portal/login"))
    out = call(
        login,
        "submit_password",
        form_data={"email": "new.person@alpha.example.test", "password": "x" * 12},
    )
    assert out.claim(login)


def test_contacts_tab_refuses_operators_without_the_customer_area(db, clerk, tenants):
    alpha, _ = tenants
    state = make_state(ContactsState, token=clerk.token)
    out = call(state, "open_contacts", customer_id=alpha.customer_id)
    assert out.toasts and state.rows == []
    preset(state, customer_id=alpha.customer_id, confirm_delete=alpha.contact_id)
    call(state, "delete_contact")
    assert count(db, Contact, Contact.id == alpha.contact_id) == 1


def test_contact_turns_on_two_factor_then_logs_in_with_a_code(db, admin, tenants):
    import pyotp

    alpha, _ = tenants
    state = make_state(PortalProfileState, token=alpha.token, **alpha.router("/portal/profile"))
    call(state, "load")
    call(state, "start_totp")
    assert state.enrolling and state.qr_data_uri.startswith("data:image/svg+xml")
    totp = pyotp.TOTP(state.manual_secret)
    call(state, "confirm_totp", form_data={"totp_code": "000000"})
    assert "totp_code" in state.errors and not state.totp_enabled
    confirmed = totp.now()  # kept: a second now() may fall in the next 30 s step
    call(state, "confirm_totp", form_data={"totp_code": confirmed})
    assert state.totp_enabled and state.manual_secret == ""

    login = make_state(PortalLoginState, **alpha.router("/portal/login"))
    out = call(login, "submit_password", form_data={"email": alpha.email, "password": PASSWORD})
    assert login.step == "code" and out.ticket == ""
    out = call(login, "submit_code", form_data={"code": confirmed})  # used at confirmation
    assert login.error and out.ticket == ""
    import time

    later = totp.at(time.time() + 30)
    out = call(login, "submit_code", form_data={"code": later})
    assert out.claim(login)

    operator = make_state(ContactsState, token=admin.token)
    call(operator, "open_contacts", customer_id=alpha.customer_id)
    assert next(r for r in operator.rows if r.id == alpha.contact_id).totp
    call(operator, "reset_2fa", contact_id=alpha.contact_id)
    assert not next(r for r in operator.rows if r.id == alpha.contact_id).totp
    again = make_state(PortalLoginState, **alpha.router("/portal/login"))
    out = call(again, "submit_password", form_data={"email": alpha.email, "password": PASSWORD})
    assert out.claim(again)


def test_the_login_alerts_switch_is_the_contacts_own_and_mails_its_next_login(db, tenants):
    alpha, bravo = tenants
    state = make_state(PortalProfileState, token=alpha.token, **alpha.router("/portal/profile"))
    call(state, "load")
    assert state.login_alerts is False
    out = call(state, "set_login_alerts", on=True)
    assert state.login_alerts is True and out.toasts
    assert fresh(db, Contact, Contact.id == alpha.contact_id)[0].login_alerts is True
    assert fresh(db, Contact, Contact.id == bravo.contact_id)[0].login_alerts is False
    login = make_state(PortalLoginState, **alpha.router("/portal/login"))
    call(login, "submit_password", form_data={"email": alpha.email, "password": PASSWORD})
    mails = fresh(db, OutboxMessage, OutboxMessage.kind == "login_alert")
    assert [(m.recipient, m.domain_id) for m in mails] == [(alpha.email, alpha.domain_id)]
