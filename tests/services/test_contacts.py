"""Contacts and the portal login, on SQLite and PostgreSQL: create/edit/delete, password
links, login on the right brand only, customer status, throttling, TOTP, resets,
forgot password, what a portal session resolves to, and what a contact may read."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pyotp
import pytest
from sqlmodel import Session, func, select

from portal_app.models import (
    AuditEvent,
    AuthSession,
    Contact,
    Customer,
    OutboxMessage,
    PasswordLink,
    PortalDomain,
)
from portal_app.models.base import utcnow
from portal_app.services import contacts as cs
from portal_app.services import credentials
from portal_app.services import portal_auth as pa
from portal_app.services.crypto import decrypt_secret
from portal_app.services.errors import (
    AuthFailed,
    Conflict,
    PermissionDenied,
    Throttled,
    ValidationError,
)
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.ledger import ledger_add, ledger_csv, ledger_page
from portal_app.services.limiter import rate
from portal_app.services.mail import MailError
from portal_app.services.password_links import password_link_create
from portal_app.services.password_reset import password_forgot
from portal_app.services.portal import portal_context

from .race import together

PW = "contact-password-1"


def brand(db: Session, host: str, **kw) -> PortalDomain:
    domain = PortalDomain(host=host, brand_name=host.split(".")[0].title(), status="verified", **kw)
    db.add(domain)
    db.commit()
    return domain


def customer(db: Session, domain: PortalDomain | None, name: str = "Acme", **kw) -> Customer:
    row = Customer(name=name, domain_id=domain.id if domain else None, **kw)
    db.add(row)
    db.commit()
    return row


def contact(db: Session, cust: Customer, email: str, auto: bool = False, **kw):
    data = {"name": "Pat Contact", "email": email, "password": "" if auto else PW}
    data |= {"auto_password": auto} | kw
    row, token = cs.contact_create(session=db, actor=SYSTEM, customer_id=cust.id, data=data)
    db.commit()
    return row, token


def login(db: Session, email: str, domain: PortalDomain | None, password: str = PW, **kw):
    result = pa.contact_login_password(
        session=db,
        email=email,
        password=password,
        domain_id=domain.id if domain else None,
        client="10.0.0.1",
        **kw,
    )
    db.commit()
    return result


@pytest.fixture()
def world(db):
    acme, globex = brand(db, "acme.example.test"), brand(db, "globex.example.test")
    a = customer(db, acme, "Acme Customer")
    g = customer(db, globex, "Globex Customer")
    return acme, globex, a, g


def test_auto_password_contact_gets_a_single_use_link(db, world):
    acme, _, a, _ = world
    row, token = contact(db, a, "Pat@Example.com", auto=True)
    assert row.email == "pat@example.com" and row.password_hash is None and token
    assert pa.password_link_check(session=db, token=token, domain_id=acme.id).id == row.id
    with pytest.raises(ValidationError) as info:
        use_link(db, token, acme, "short")
    assert "new_password" in info.value.fields
    db.rollback()
    use_link(db, token, acme, "a-new-password")
    db.commit()
    with pytest.raises(AuthFailed):  # spent
        use_link(db, token, acme, "another-pass-1")
    assert login(db, "pat@example.com", acme, "a-new-password").token


def use_link(db, token: str, domain: PortalDomain, password: str) -> Contact:
    return pa.password_link_use(
        session=db, token=token, domain_id=domain.id, new=password, confirm=password
    )


def test_a_link_works_only_on_the_brand_it_was_sent_for(db, world):
    acme, globex, a, _ = world
    row, token = contact(db, a, "pat@example.com", auto=True)
    for elsewhere in (globex.id, None):
        with pytest.raises(AuthFailed):
            pa.password_link_check(session=db, token=token, domain_id=elsewhere)
        with pytest.raises(AuthFailed):
            pa.password_link_use(
                session=db, token=token, domain_id=elsewhere, new="pw-123456", confirm="pw-123456"
            )
    db.rollback()
    assert db.get(Contact, row.id).password_hash is None  # nothing changed
    assert use_link(db, token, acme, "a-new-password").id == row.id


def test_a_link_sent_twice_at_once_sets_the_password_once(db, engine, world):
    acme, _, a, _ = world
    row, token = contact(db, a, "pat@example.com", auto=True)
    results = together(
        engine,
        [lambda s, pw=pw: use_link(s, token, acme, pw) for pw in ("first-pw-1", "second-pw-2")],
    )
    assert sorted(type(r).__name__ for r in results) == ["AuthFailed", "Contact"], results
    db.expire_all()
    audits = db.exec(select(AuditEvent).where(AuditEvent.action == "contact.password_set")).all()
    assert len(audits) == 1


def test_links_expire_and_a_newer_link_replaces_older_ones(db, world):
    acme, _, a, _ = world
    row, first = contact(db, a, "pat@example.com", auto=True)
    second = password_link_create(session=db, contact=row, purpose="reset")
    db.commit()
    with pytest.raises(AuthFailed):
        pa.password_link_check(session=db, token=first, domain_id=acme.id)
    link = db.exec(
        select(PasswordLink).where(
            PasswordLink.contact_id == row.id, PasswordLink.used_at.is_(None)
        )
    ).one()
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.add(link)
    db.commit()
    with pytest.raises(AuthFailed):
        pa.password_link_check(session=db, token=second, domain_id=acme.id)


def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(db, world):
    _, _, a, g = world
    contact(db, a, "taken@example.com")
    cases = [
        ({"name": "", "email": "x@example.com", "password": PW}, "name"),
        ({"name": "X", "email": "not-an-email", "password": PW}, "email"),
        ({"name": "X", "email": "TAKEN@example.com", "password": PW}, "email"),
        ({"name": "X", "email": "x@example.com", "password": "short"}, "password"),
        (
            {"name": "X", "email": "x@example.com", "password": PW, "public_notes": "n" * 4001},
            "public_notes",
        ),
        ({"name": "X", "email": "x@example.com", "password": PW, "role": "admin"}, "role"),
    ]
    for data, key in cases:
        with pytest.raises(ValidationError) as info:
            cs.contact_create(session=db, actor=SYSTEM, customer_id=g.id, data=data)
        db.rollback()
        assert key in info.value.fields
    assert len(db.exec(select(Contact)).all()) == 1


def test_the_operator_chooses_a_new_contacts_role_owner_by_default(db, world):
    _, _, a, _ = world
    billing, _ = contact(db, a, "billing@example.com", role="billing")
    owner, _ = contact(db, a, "owner@example.com")
    assert (billing.role, owner.role) == ("billing", "owner")
    # A bad role is reported with the other fields' errors, all at once.
    with pytest.raises(ValidationError) as info:
        cs.contact_create(
            session=db, actor=SYSTEM, customer_id=a.id, data={"name": "", "role": "root"}
        )
    assert {"name", "role"} <= set(info.value.fields)


def test_login_only_on_the_customers_own_brand_and_while_active(db, world):
    acme, globex, a, _ = world
    contact(db, a, "pat@example.com")
    result = login(db, "pat@example.com", acme)
    ctx = portal_context(session=db, token=result.token, host="ACME.example.test:443")
    assert ctx.customer.id == a.id and ctx.actor.is_contact and ctx.actor.customer_id == a.id
    # The same session is nothing on another brand's host or the control panel.
    assert portal_context(session=db, token=result.token, host="globex.example.test") is None
    assert portal_context(session=db, token=result.token, host="localhost") is None
    with pytest.raises(AuthFailed) as info:
        login(db, "pat@example.com", globex)
    assert info.value.message == pa.BAD_LOGIN  # no hint that the account exists
    with pytest.raises(AuthFailed) as info:
        login(db, "pat@example.com", acme, "wrong-password-1")
    assert info.value.message == pa.BAD_LOGIN
    for status, words in [("pending", "waiting for approval"), ("suspended", "suspended")]:
        a.status = status
        db.add(a)
        db.commit()
        with pytest.raises(AuthFailed) as info:
            login(db, "pat@example.com", acme)
        assert words in info.value.message
        assert portal_context(session=db, token=result.token, host="acme.example.test") is None


def test_failed_logins_are_throttled_per_contact(db, world):
    acme, _, a, _ = world
    contact(db, a, "pat@example.com")
    for _ in range(5):
        with pytest.raises(AuthFailed):
            login(db, "pat@example.com", acme, "wrong-password-1")
    with pytest.raises(Throttled):
        login(db, "pat@example.com", acme)


def test_totp_for_contacts_and_the_operators_reset(db, world):
    acme, _, a, _ = world
    row, _ = contact(db, a, "pat@example.com")
    me = Actor(kind="contact", id=row.id, label=row.email, customer_id=a.id)
    enrolment = credentials.totp_begin(session=db, actor=me)
    db.commit()
    totp = pyotp.TOTP(enrolment.secret)
    credentials.totp_confirm(session=db, actor=me, code=totp.now())
    db.commit()
    first = login(db, "pat@example.com", acme)
    assert first.needs_totp and first.token is None
    secret = decrypt_secret(db.get(Contact, row.id).totp_secret_enc)
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    token = pa.contact_login_code(session=db, contact_id=row.id, code=code, domain_id=acme.id)
    db.commit()
    assert token
    with pytest.raises(AuthFailed):  # the same code twice
        pa.contact_login_code(session=db, contact_id=row.id, code=code, domain_id=acme.id)
    db.rollback()
    operator = Actor(kind="operator", id=7, label="ops@example.com", grants={"customer": "allow"})
    cs.contact_reset_2fa(session=db, actor=operator, contact_id=row.id)
    db.commit()
    assert not login(db, "pat@example.com", acme).needs_totp
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.entity == "contact")).all()
    assert "contact.reset_2fa" in actions and "contact.totp_enable" in actions
    with pytest.raises(Conflict):
        cs.contact_reset_2fa(session=db, actor=operator, contact_id=row.id)


def test_reset_password_ends_sessions_and_the_old_password(db, world):
    acme, _, a, _ = world
    row, _ = contact(db, a, "pat@example.com")
    token = login(db, "pat@example.com", acme).token
    _, link = cs.contact_reset_password(session=db, actor=SYSTEM, contact_id=row.id)
    db.commit()
    assert portal_context(session=db, token=token, host="acme.example.test") is None
    with pytest.raises(AuthFailed):
        login(db, "pat@example.com", acme)
    use_link(db, link, acme, "fresh-password-1")
    db.commit()
    assert login(db, "pat@example.com", acme, "fresh-password-1").token


def test_forgot_password_answers_only_for_this_brand_and_is_rate_limited(db, world):
    acme, globex, a, _ = world
    contact(db, a, "pat@example.com")

    def forgot(email: str, domain: PortalDomain, client: str = "10.0.0.1"):
        return password_forgot(session=db, email=email, domain_id=domain.id, client=client)

    assert forgot("nobody@example.com", acme) is None
    assert forgot("pat@example.com", globex) is None
    sent = [forgot("PAT@example.com", acme) for _ in range(4)]
    db.commit()
    assert all(sent[:3]) and sent[3] is None
    assert [m.kind for m in db.exec(select(OutboxMessage)).all()] == ["password_reset"] * 3
    # One client asking for many addresses is held back too, with the same answer.
    other, _ = contact(db, a, "other@example.com")
    for n in range(rate("forgot_client").amount - 1):
        forgot(f"n{n}@example.com", acme, client="10.0.0.9")
    assert forgot("other@example.com", acme, client="10.0.0.9") is not None
    assert forgot("other@example.com", acme, client="10.0.0.9") is None


def test_password_change_rotates_sessions(db, world):
    acme, _, a, _ = world
    row, _ = contact(db, a, "pat@example.com")
    old = login(db, "pat@example.com", acme).token
    me = Actor(kind="contact", id=row.id, label=row.email, customer_id=a.id)
    with pytest.raises(ValidationError) as info:
        credentials.password_change(session=db, actor=me, current="wrong", new="x", confirm="x")
    assert set(info.value.fields) == {"current_password", "new_password"}
    db.rollback()
    new = credentials.password_change(
        session=db, actor=me, current=PW, new="changed-pass-12", confirm="changed-pass-12"
    )
    db.commit()
    assert portal_context(session=db, token=old, host="acme.example.test") is None
    assert portal_context(session=db, token=new, host="acme.example.test") is not None


def test_edit_and_delete_end_the_contacts_sessions(db, world):
    acme, _, a, _ = world
    row, _ = contact(db, a, "pat@example.com", public_notes="Hello", private_notes="Secret")
    token = login(db, "pat@example.com", acme).token
    cs.contact_update(
        session=db,
        actor=SYSTEM,
        contact_id=row.id,
        data={"name": "Pat", "email": "pat@example.com", "public_notes": "Hi", "private_notes": ""},
    )
    db.commit()
    assert portal_context(session=db, token=token, host="acme.example.test") is not None
    cs.contact_update(
        session=db, actor=SYSTEM, contact_id=row.id, data={"name": "Pat", "email": "p2@example.com"}
    )
    db.commit()
    assert portal_context(session=db, token=token, host="acme.example.test") is None
    token = login(db, "p2@example.com", acme).token
    cs.contact_delete(session=db, actor=SYSTEM, contact_id=row.id)
    db.commit()
    assert db.get(Contact, row.id) is None
    assert db.exec(select(AuthSession).where(AuthSession.revoked_at.is_(None))).all() == []


def test_operator_permissions_and_contacts_cannot_use_operator_services(db, world):
    _, _, a, _ = world
    row, _ = contact(db, a, "pat@example.com")
    nobody = Actor(kind="operator", id=9, label="n@example.com", grants={"cdr": "allow"})
    me = Actor(kind="contact", id=row.id, label=row.email, customer_id=a.id)
    for who in (nobody, me):
        with pytest.raises(PermissionDenied):
            cs.contact_list(session=db, actor=who, customer_id=a.id)
        with pytest.raises(PermissionDenied):
            cs.contact_reset_password(session=db, actor=who, contact_id=row.id)


def test_a_contact_reads_only_its_own_ledger_without_internal_notes(db, world):
    _, _, a, g = world
    row, _ = contact(db, a, "pat@example.com")
    for cust, ref in ((a, "A-REF"), (g, "G-REF")):
        ledger_add(
            session=db,
            actor=SYSTEM,
            customer_id=cust.id,
            kind="payment",
            amount="5",
            reference=ref,
            note="internal note",
        )
    db.commit()
    me = Actor(kind="contact", id=row.id, label=row.email, customer_id=a.id)
    rows, total = ledger_page(session=db, actor=me, customer_id=a.id)
    assert total == 1 and rows[0].reference == "A-REF"
    with pytest.raises(PermissionDenied):
        ledger_page(session=db, actor=me, customer_id=g.id)
    with pytest.raises(PermissionDenied):
        ledger_csv(session=db, actor=me, customer_id=g.id)
    table = list(csv.reader(io.StringIO(ledger_csv(session=db, actor=me, customer_id=a.id))))
    assert table[0] == ["date (UTC)", "kind", "amount", "currency", "reference"]
    assert "internal note" not in str(table) and "system" not in str(table)


def test_the_welcome_link_is_queued_under_the_brand_and_needs_a_portal_domain(db, world):
    acme, _, a, _ = world
    row, token = contact(db, a, "pat@example.com", auto=True)
    queued = db.exec(select(OutboxMessage)).one()
    assert (queued.recipient, queued.kind, queued.domain_id) == (
        "pat@example.com",
        "password_welcome",
        acme.id,
    )
    assert queued.subject == "Your Acme portal login"
    text = decrypt_secret(queued.text_enc)
    assert f"http://acme.example.test:3000/portal/set-password?token={token}" in text
    assert "expires in 3 days" in text
    orphan = customer(db, None, "No Domain")
    with pytest.raises(ValidationError) as exc:
        contact(db, orphan, "lone@example.com", auto=True)
    assert "no portal domain" in exc.value.fields["auto_password"]
    db.rollback()
    lone, _ = contact(db, orphan, "lone@example.com")
    with pytest.raises(MailError, match="no portal domain"):
        cs.contact_reset_password(session=db, actor=SYSTEM, contact_id=lone.id)
    db.rollback()
    assert db.get(Contact, lone.id).password_hash is not None
    assert db.exec(select(func.count()).select_from(OutboxMessage)).one() == 1
