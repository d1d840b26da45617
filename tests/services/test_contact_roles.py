"""Contact roles, invitations and the operator's read-only "view as", on SQLite and
PostgreSQL: what each role opens and may change (asked through the one policy), the
last-Owner rule, another customer's ids, the invitation's single use, expiry, brand and
password rules, and a view-as session that reads like the contact and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal_app.models import AccountConfig, AuditEvent, Contact, ContactInvite, OutboxMessage
from portal_app.models.base import utcnow
from portal_app.services import contact_roles as cr
from portal_app.services import invites as inv
from portal_app.services.crypto import decrypt_secret
from portal_app.services.errors import (
    AuthFailed,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from portal_app.services.identity import SYSTEM
from portal_app.services.policy import Need, Rule, Writes, authorize
from portal_app.services.portal import contact_actor, portal_context
from portal_app.services.tickets import ticket_claim
from portal_app.services.users import actor_for
from portal_app.services.view_as import view_as_start

from .test_contacts import brand, contact, customer, login

ACCESS = ["balance", "cdr", "rate_card", "breakout", "payments", "contacts", "profile"]
HOST = "acme.example.test"
NEW_PW = "colleague-password-1"


@pytest.fixture()
def team(db: Session):
    acme = brand(db, HOST, access=ACCESS)
    globex = brand(db, "globex.example.test", access=ACCESS)
    a = customer(db, acme, "Acme Customer")
    g = customer(db, globex, "Globex Customer")
    owner, _ = contact(db, a, "owner@acme.example")
    other, _ = contact(db, g, "gina@globex.example")
    return acme, globex, a, g, owner, other


def _ask(db, token: str, rule: Rule):
    return authorize(rule, token=token, host=HOST, session=db)


def _invite(db, owner: Contact, email: str, role: str) -> str:
    _, token = inv.invite_create(session=db, actor=contact_actor(owner), email=email, role=role)
    db.commit()
    return token


def _accept(db, token: str, domain_id, password: str = NEW_PW, name: str = "Bill Payer"):
    data = {"name": name, "new_password": password, "confirm_password": password}
    contact_row, session_token = inv.invite_accept(
        session=db, token=token, domain_id=domain_id, data=data, client="10.0.0.9"
    )
    db.commit()
    return contact_row, session_token


def _actions(db) -> list[str]:
    return [a.action for a in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_a_contact_is_an_owner_until_given_another_role_and_the_role_narrows_sections(db, team):
    acme, _, a, _, owner, _ = team
    assert owner.role == "owner"
    token = login(db, owner.email, acme).token
    ctx = portal_context(session=db, token=token, host=HOST)
    assert ctx.sections == tuple(ACCESS) and ctx.role == "owner" and ctx.viewer == ""
    cr.contact_role_set(session=db, actor=SYSTEM, contact_id=owner.id, role="owner")  # no-op
    colleague, _ = contact(db, a, "tech@acme.example")
    cr.contact_role_set(session=db, actor=SYSTEM, contact_id=colleague.id, role="technical")
    db.commit()
    tech = login(db, colleague.email, acme).token
    ctx = portal_context(session=db, token=tech, host=HOST)
    assert ctx.sections == ("cdr", "rate_card", "breakout", "profile")
    assert ctx.allowed == tuple(ACCESS)
    refused = _ask(db, tech, Rule(Need.CONTACT, section="balance"))
    assert (
        not refused.allowed and refused.reason == "Your role (Technical) cannot open this section."
    )
    assert _ask(db, tech, Rule(Need.CONTACT, section="cdr")).allowed
    # A section the customer does not have stays the customer's refusal, whatever the role.
    nope = _ask(db, token, Rule(Need.CONTACT, section="packages"))
    assert not nope.allowed and nope.reason == "This section is not available for your account."
    with pytest.raises(ValidationError) as info:
        cr.contact_role_set(session=db, actor=SYSTEM, contact_id=colleague.id, role="admin")
    assert "Choose one of" in info.value.fields["role"]


def test_what_each_role_may_change(db, team):
    acme, _, a, _, owner, _ = team
    tokens = {"owner": login(db, owner.email, acme).token}
    for role in ("billing", "read_only"):
        row, _ = contact(db, a, f"{role}@acme.example")
        cr.contact_role_set(session=db, actor=SYSTEM, contact_id=row.id, role=role)
        db.commit()
        tokens[role] = login(db, row.email, acme).token
    pay = Rule(Need.CONTACT, section="payments", writes=Writes.ACCOUNT)
    own = Rule(Need.CONTACT, section="profile", writes=Writes.SELF)
    team_rule = Rule(Need.CONTACT, section="contacts", writes=Writes.TEAM)
    read = Rule(Need.CONTACT, section="payments")
    expect = {
        "owner": (True, True, True, True),
        "billing": (True, True, False, True),  # Billing has no Contacts section at all
        "read_only": (False, True, False, True),
    }
    for role, wanted in expect.items():
        got = tuple(_ask(db, tokens[role], r).allowed for r in (pay, own, team_rule, read))
        assert got == wanted, role
    assert (
        _ask(db, tokens["read_only"], pay).reason
        == "Your role is Read-only: you can look, not change anything."
    )
    assert _ask(db, tokens["read_only"], team_rule).reason.startswith("Only an Owner")
    # A role change applies at the contact's next event (the auth epoch), no new login.
    billing = db.exec(select(Contact).where(Contact.email == "billing@acme.example")).one()
    cr.contact_role_set(session=db, actor=SYSTEM, contact_id=billing.id, role="read_only")
    db.commit()
    assert not _ask(db, tokens["billing"], pay).allowed


def test_the_last_owner_stays_and_an_owner_manages_only_its_own_customer(db, team):
    acme, _, a, _, owner, other = team
    me = contact_actor(owner)
    with pytest.raises(Conflict, match="last Owner"):
        cr.contact_role_set(session=db, actor=me, contact_id=owner.id, role="billing")
    db.rollback()
    with pytest.raises(Conflict, match="last Owner"):
        cr.contact_role_set(session=db, actor=SYSTEM, contact_id=owner.id, role="read_only")
    db.rollback()
    # Another customer's contact is "no longer exists", exactly like a missing id.
    for forged in (other.id, 999_999):
        with pytest.raises(NotFound):
            cr.contact_role_set(session=db, actor=me, contact_id=forged, role="read_only")
        with pytest.raises(NotFound):
            cr.contact_remove(session=db, actor=me, contact_id=forged)
        db.rollback()
    assert db.get(Contact, other.id).role == "owner"
    colleague, _ = contact(db, a, "second@acme.example")
    cr.contact_role_set(session=db, actor=me, contact_id=colleague.id, role="owner")
    db.commit()
    cr.contact_role_set(session=db, actor=me, contact_id=owner.id, role="billing")  # 2 owners
    db.commit()
    # Now a Billing contact: no more managing (read afresh, not from the session).
    with pytest.raises(PermissionDenied):
        cr.contact_role_set(session=db, actor=me, contact_id=colleague.id, role="billing")
    db.rollback()
    boss = contact_actor(db.get(Contact, colleague.id))
    with pytest.raises(Conflict, match="your own login"):
        cr.contact_remove(session=db, actor=boss, contact_id=colleague.id)
    db.rollback()
    cr.contact_remove(session=db, actor=boss, contact_id=owner.id)
    db.commit()
    assert db.get(Contact, owner.id) is None
    roles = [e for e in db.exec(select(AuditEvent)).all() if e.action == "contact.role"]
    assert [(r.before["role"], r.after["role"]) for r in roles] == [("Owner", "Billing")]
    assert "contact.delete" in _actions(db)


def test_an_invitation_is_emailed_used_once_and_logs_the_colleague_in(db, team):
    acme, globex, a, _, owner, _ = team
    token = _invite(db, owner, "Bill@Acme.example", "billing")
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "contact_invite")).one()
    text = decrypt_secret(mail.text_enc)
    assert mail.recipient == "bill@acme.example" and mail.domain_id == acme.id
    assert f"http://{HOST}:3000/portal/invite?token={token}" in text
    assert "as Billing" in text and "expires in 7 days" in text
    stored = db.exec(select(ContactInvite)).one()
    assert stored.token_hash != token and token not in stored.token_hash  # only the hash
    with pytest.raises(AuthFailed) as info:
        inv.invite_check(session=db, token=token, domain_id=globex.id)
    assert info.value.message == inv.WRONG_BRAND
    with pytest.raises(AuthFailed) as info:
        inv.invite_check(session=db, token=token + "x", domain_id=acme.id)
    assert info.value.message == inv.UNKNOWN
    # The account's minimum password length applies (raised to 16 here).
    db.add(AccountConfig(id=1, min_password_length=16))
    db.commit()
    with pytest.raises(ValidationError) as info:
        _accept(db, token, acme.id, password="fifteen-chars-1")
    assert "16" in info.value.fields["new_password"]
    db.rollback()
    row, session_token = _accept(db, token, acme.id, password="sixteen-chars-ok")
    assert (row.email, row.role, row.customer_id, row.name) == (
        "bill@acme.example",
        "billing",
        a.id,
        "Bill Payer",
    )
    ctx = portal_context(session=db, token=session_token, host=HOST)
    assert ctx.contact.id == row.id and ctx.sections == ("balance", "payments", "profile")
    with pytest.raises(AuthFailed) as info:
        _accept(db, token, acme.id)
    assert info.value.message == inv.USED
    db.rollback()
    assert [x for x in _actions(db) if x.startswith("contact.invite")] == [
        "contact.invite",
        "contact.invite_accept",
    ]
    # An email that already logs in cannot be invited again.
    with pytest.raises(ValidationError) as info:
        _invite(db, owner, "bill@acme.example", "technical")
    assert info.value.fields["email"] == inv.TAKEN


def test_expired_withdrawn_and_replaced_invitations_say_why(db, team):
    acme, _, a, g, owner, other = team
    first = _invite(db, owner, "pat@acme.example", "technical")
    second = _invite(db, owner, "pat@acme.example", "read_only")  # replaces the first
    with pytest.raises(AuthFailed) as info:
        inv.invite_check(session=db, token=first, domain_id=acme.id)
    assert info.value.message == inv.REVOKED
    pending = inv.invite_list(session=db, actor=SYSTEM, customer_id=a.id)
    assert [(p.email, p.role) for p in pending] == [("pat@acme.example", "read_only")]
    row = pending[0]
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    with pytest.raises(AuthFailed) as info:
        _accept(db, second, acme.id)
    assert info.value.message == inv.EXPIRED
    db.rollback()
    third = _invite(db, owner, "sam@acme.example", "technical")
    sam = inv.invite_check(session=db, token=third, domain_id=acme.id)
    # Another customer's Owner cannot withdraw it; this customer's operator can.
    with pytest.raises(NotFound):
        inv.invite_revoke(session=db, actor=contact_actor(other), invite_id=sam.id)
    db.rollback()
    inv.invite_revoke(session=db, actor=SYSTEM, invite_id=sam.id)
    db.commit()
    with pytest.raises(AuthFailed) as info:
        _accept(db, third, acme.id)
    assert info.value.message == inv.REVOKED
    db.rollback()
    assert "contact.invite_revoke" in _actions(db)
    # Only an Owner invites.
    reader, _ = contact(db, a, "reader@acme.example")
    cr.contact_role_set(session=db, actor=SYSTEM, contact_id=reader.id, role="read_only")
    db.commit()
    with pytest.raises(PermissionDenied):
        _invite(db, db.get(Contact, reader.id), "x@acme.example", "owner")


def test_view_as_reads_like_the_contact_and_writes_nothing(db, team, make_user):
    acme, _, a, _, owner, _ = team
    cr.contact_role_set(session=db, actor=SYSTEM, contact_id=owner.id, role="owner")
    billing, _ = contact(db, a, "billing@acme.example")
    cr.contact_role_set(session=db, actor=SYSTEM, contact_id=billing.id, role="billing")
    db.commit()
    admin = make_user(role="admin")
    operator = actor_for(admin, db)
    url = view_as_start(
        session=db, actor=operator, contact_id=billing.id, client_ip="10.0.0.5", user_agent="UA"
    )
    db.commit()
    assert url.startswith(f"http://{HOST}:3000/portal/view-as?ticket=")
    ticket = url.split("ticket=", 1)[1]
    # The ticket works only on the brand host, for the operator's own browser, once.
    assert (
        ticket_claim(session=db, ticket=ticket, host=HOST, client_ip="10.9.9.9", user_agent="UA")
        is None
    )
    token, principal = ticket_claim(
        session=db, ticket=ticket, host=HOST, client_ip="10.0.0.5", user_agent="UA"
    )
    db.commit()
    assert principal == "contact"
    assert (
        ticket_claim(session=db, ticket=ticket, host=HOST, client_ip="10.0.0.5", user_agent="UA")
        is None
    )
    ctx = portal_context(session=db, token=token, host=HOST)
    assert ctx.contact.id == billing.id and ctx.viewer == admin.email
    assert ctx.sections == ("balance", "payments", "profile")  # the contact's own portal
    assert _ask(db, token, Rule(Need.CONTACT, section="balance")).allowed
    for rule in (
        Rule(Need.CONTACT, section="payments", writes=Writes.ACCOUNT),
        Rule(Need.CONTACT, section="profile", writes=Writes.SELF),
    ):
        decision = _ask(db, token, rule)
        assert not decision.allowed and "read-only" in decision.reason
    assert not _ask(db, token, Rule(Need.CONTACT, section="cdr")).allowed
    view = [e for e in db.exec(select(AuditEvent)).all() if e.action == "contact.view_as"]
    assert len(view) == 1 and view[0].actor_id == admin.id and view[0].entity_id == str(billing.id)
    # The view ends when its operator may no longer open customers.
    admin.enabled = False
    db.add(admin)
    db.commit()
    assert portal_context(session=db, token=token, host=HOST) is None
    # A contact is never an operator: it cannot start a view.
    with pytest.raises(PermissionDenied):
        view_as_start(session=db, actor=contact_actor(owner), contact_id=billing.id)
