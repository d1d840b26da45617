"""Contact roles through the guard, under pytest: the menu and the refusals of a
Billing contact, an Owner's invitation accepted on the brand host (the emailed link),
an Owner's forged ids of another customer, and the operator's read-only "view as"."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from portal_app.models import AuditEvent, Contact, OutboxMessage
from portal_app.services import contact_roles
from portal_app.services.crypto import decrypt_secret
from portal_app.services.identity import SYSTEM
from portal_app.services.policy import VIEW_ONLY
from portal_app.state.contact_access import ContactAccessState
from portal_app.state.portal import PortalState
from portal_app.state.portal_entry import PortalEntryState
from portal_app.state.portal_profile import PortalProfileState
from portal_app.state.portal_team import PortalTeamState
from portal_app.state.reports import PortalReportState

from .helpers import call, make_state
from .portal_seed import seed_tenant

ROLE_REFUSAL = "Your role (Billing) cannot open this section."


@pytest.fixture()
def tenants(db):
    return seed_tenant(db, "ALPHA", "alpha.example.test"), seed_tenant(
        db, "BRAVO", "bravo.example.test"
    )


def _contact(db, email: str) -> Contact:
    return db.exec(select(Contact).where(Contact.email == email)).one()


def test_an_owner_invites_and_the_colleague_gets_the_billing_sections_only(db, tenants):
    alpha, _ = tenants
    team = make_state(PortalTeamState, token=alpha.token, **alpha.router("/portal/contacts"))
    out = call(
        team,
        "invite",
        form_data={"invite_email": "bill@alpha.example.test", "invite_role": "billing"},
    )
    assert (
        "success",
        "Invitation sent to bill@alpha.example.test. The link works for 7 days.",
    ) in out.toasts
    assert [i.email for i in team.invites] == ["bill@alpha.example.test"]
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "contact_invite")).one()
    token = re.search(r"/portal/invite\?token=([\w-]+)", decrypt_secret(mail.text_enc)).group(1)
    # A bad role or email is a message next to the field, and nothing is sent.
    out = call(team, "invite", form_data={"invite_email": "nope", "invite_role": "boss"})
    assert set(team.errors) == {"invite_email", "invite_role"}
    # On the other brand's host the link is refused, saying why.
    elsewhere = make_state(
        PortalEntryState,
        host="bravo.example.test:3000",
        origin="http://bravo.example.test:3000",
        path=f"/portal/invite?token={token}",
    )
    call(elsewhere, "load_invite")
    assert elsewhere.invite_email == "" and "another portal" in elsewhere.invite_problem
    page = make_state(PortalEntryState, **alpha.router(f"/portal/invite?token={token}"))
    call(page, "load_invite")
    assert page.invite_email == "bill@alpha.example.test"
    out = call(
        page,
        "accept_invite",
        form_data={"name": "Bill", "new_password": "short", "confirm_password": "short"},
    )
    assert "new_password" in page.errors and not out.ticket
    good = {"name": "Bill", "new_password": "billing-pass-1", "confirm_password": "billing-pass-1"}
    out = call(page, "accept_invite", form_data=good)
    session_token = out.claim(page)
    assert session_token, "accepting logs the colleague in"
    frame = make_state(PortalState, token=session_token, **alpha.router())
    call(frame, "load_portal")
    assert [m.key for m in frame.menu] == ["balance", "profile"]
    assert frame.role_label == "Billing" and not frame.read_only and not frame.manages_team
    # CDRs: the menu hides them and the server refuses even a forged event.
    cdr = make_state(PortalReportState, token=session_token, **alpha.router("/portal/cdr"))
    out = call(cdr, "load_cdr")
    assert out.toasts == [("error", ROLE_REFUSAL)] and cdr.rows == []
    # Billing cannot manage contacts either.
    bills_team = make_state(PortalTeamState, token=session_token, **alpha.router())
    out = call(bills_team, "set_role", contact_id=alpha.contact_id, role="read_only")
    assert out.toasts and out.toasts[0][0] == "error"
    assert _contact(db, alpha.email).role == "owner"
    # The used link now says so.
    again = make_state(PortalEntryState, **alpha.router(f"/portal/invite?token={token}"))
    call(again, "load_invite")
    assert "already used" in again.invite_problem


def test_an_owner_cannot_touch_another_customers_contacts(db, tenants):
    alpha, bravo = tenants
    team = make_state(PortalTeamState, token=alpha.token, **alpha.router("/portal/contacts"))
    colleague = _contact(db, "colleague-bravo@bravo.example.test")
    out = call(team, "set_role", contact_id=colleague.id, role="read_only")
    assert out.toasts[-1] == ("error", "That contact no longer exists.")
    call(team, "ask_remove", contact_id=bravo.contact_id, name="x")
    out = call(team, "remove")
    assert out.toasts == [("error", "That contact no longer exists.")]
    db.expire_all()
    assert _contact(db, bravo.email).role == "owner"
    assert _contact(db, colleague.email).role == "owner"
    # Its own colleague, though, it manages (the positive control).
    own = _contact(db, "colleague-alpha@alpha.example.test")
    out = call(team, "set_role", contact_id=own.id, role="technical")
    assert ("success", "Colleague ALPHA is now Technical.") in out.toasts
    db.expire_all()
    assert _contact(db, own.email).role == "technical"


def test_view_as_shows_the_contacts_portal_and_refuses_every_write(db, tenants, admin):
    alpha, _ = tenants
    billing = _contact(db, "colleague-alpha@alpha.example.test")
    contact_roles.contact_role_set(session=db, actor=SYSTEM, contact_id=billing.id, role="billing")
    db.commit()
    panel = make_state(ContactAccessState, token=admin.token)
    call(panel, "open_access", customer_id=alpha.customer_id)
    call(panel, "view_as", contact_id=billing.id)
    assert panel.view_url.startswith("http://alpha.example.test:3000/portal/view-as?ticket=")
    assert panel.view_name == "Colleague ALPHA"
    path = panel.view_url.split(":3000", 1)[1]
    # The brand tab posts the ticket (same browser: same address and user agent).
    tab = make_state(PortalEntryState, **alpha.router(path))
    out = call(tab, "enter_view")
    token = out.claim(tab)
    assert token
    frame = make_state(PortalState, token=token, **alpha.router())
    call(frame, "load_portal")
    assert frame.viewer == "admin@example.com" and frame.read_only
    assert frame.contact_name == "Colleague ALPHA"
    assert [m.key for m in frame.menu] == ["balance", "profile"]  # what the contact gets
    profile = make_state(PortalProfileState, token=token, **alpha.router("/portal/profile"))
    out = call(profile, "save_name", form_data={"name": "Hacked"})
    assert out.toasts == [("error", VIEW_ONLY)]
    db.expire_all()
    assert _contact(db, billing.email).name == "Colleague ALPHA"
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "contact.view_as")).all()
    assert [a.actor_id for a in audit] == [admin.id]
    # The operator's own session is untouched: still an operator, not a contact.
    call(panel, "open_access", customer_id=alpha.customer_id)
    assert panel.customer_id == alpha.customer_id
    # A contact's session cannot start a view (operator handler, brand host: silent).
    forged = make_state(ContactAccessState, token=alpha.token, **alpha.router())
    out = call(forged, "view_as", contact_id=billing.id)
    assert forged.view_url == "" and out.events == []
