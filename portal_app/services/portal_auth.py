"""Contact login to the customer portal and password links (the contact's own name,
password and 2FA: services/credentials.py, shared with operators).

The same rules as operator login (services/auth.py): argon2 in a thread, the same
answer for an unknown email and a wrong password, throttling per account and per
client, TOTP codes accepted once, sessions rotated and revocable. A contact logs in
only on its own customer's brand host, and only while the customer is active.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NoReturn

import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.models import Contact, Customer, PasswordLink, PortalDomain
from portal_app.models.base import utcnow

from .audit import audit_record
from .auth import BAD_CODE, BAD_LOGIN, PasswordResult, totp_accept
from .contacts import PRINCIPAL
from .credentials import new_password_errors
from .crypto import hash_password, token_hash, verify_password
from .devices import device_trusted
from .errors import AuthFailed
from .login_alerts import contact_login_alert
from .login_throttle import login_throttle_check, login_throttle_clear, login_throttle_fail
from .portal import STATUS_REFUSALS, contact_actor
from .sessions import session_create, sessions_revoke_for_user
from .validation import normalize_email

BAD_LINK = "This link has expired or was already used. Ask for a new one below."


def _wait(
    session: Session,
    contact: Contact | None,
    email: str,
    client: str,
    device: str,
    pause: Callable[[float], None],
) -> None:
    trusted = contact is not None and device_trusted(
        token=device, principal=PRINCIPAL, user_id=contact.id
    )
    seconds = login_throttle_check(
        session=session, principal=PRINCIPAL, email=email, client=client, trusted=trusted
    )
    if seconds:
        pause(seconds)


def _refuse(
    session: Session, contact: Contact | None, email: str, client: str, message: str = BAD_LOGIN
) -> NoReturn:
    customer = session.get(Customer, contact.customer_id) if contact is not None else None
    login_throttle_fail(
        session=session,
        principal=PRINCIPAL,
        email=email,
        client=client,
        owner=contact.name if contact is not None else None,
        domain=session.get(PortalDomain, customer.domain_id) if customer else None,
    )
    session.commit()  # the failure must count even though we raise
    raise AuthFailed(message)


def _login_allowed(session: Session, contact: Contact, domain_id: int | None) -> str | None:
    """None when the contact may log in here, else why not (after a correct password)."""
    customer = session.get(Customer, contact.customer_id)
    if customer is None or domain_id is None or customer.domain_id != domain_id:
        return BAD_LOGIN  # another brand's login looks like a wrong password
    return STATUS_REFUSALS.get(customer.status) if customer.status != "active" else None


def contact_login_password(
    *,
    session: Session,
    email: str,
    password: str,
    domain_id: int | None,
    client: str = "",
    user_agent: str = "",
    device: str = "",
    pause: Callable[[float], None] = time.sleep,
) -> PasswordResult:
    """Check a contact's email and password on the brand host of ``domain_id``
    (``device`` and ``pause`` as for operators, services/auth.py)."""
    email = normalize_email(email)
    contact = session.exec(select(Contact).where(Contact.email == email)).first()
    _wait(session, contact, email, client, device, pause)
    ok = verify_password(str(password)[:256], contact.password_hash if contact else None)
    if not ok or contact is None:
        _refuse(session, contact, email, client)
    if reason := _login_allowed(session, contact, domain_id):
        _refuse(session, contact, email, client, reason)
    if contact.totp_enabled:
        return PasswordResult(user_id=contact.id, needs_totp=True)
    token = _finish(session, contact, client, user_agent)
    return PasswordResult(user_id=contact.id, needs_totp=False, token=token)


def contact_login_code(
    *,
    session: Session,
    contact_id: int,
    code: str,
    domain_id: int | None,
    client: str = "",
    user_agent: str = "",
    device: str = "",
    pause: Callable[[float], None] = time.sleep,
) -> str:
    contact = session.get(Contact, contact_id)
    if contact is None or not contact.totp_enabled or _login_allowed(session, contact, domain_id):
        raise AuthFailed(BAD_LOGIN)
    _wait(session, contact, contact.email, client, device, pause)
    if not totp_accept(session=session, user=contact, code=code):
        _refuse(session, contact, contact.email, client, BAD_CODE)
    return _finish(session, contact, client, user_agent)


def _finish(session: Session, contact: Contact, client: str, agent: str) -> str:
    login_throttle_clear(session=session, principal=PRINCIPAL, email=contact.email, client=client)
    contact.last_login_at = utcnow()
    session.add(contact)
    contact_login_alert(session=session, contact=contact, client=client, user_agent=agent)
    return session_create(
        session=session, user_id=contact.id, principal=PRINCIPAL, client_ip=client, user_agent=agent
    )


# Password links -------------------------------------------------------------------


def _live_link(session: Session, token: str) -> PasswordLink | None:
    if not token or len(token) > 128:
        return None
    link = session.exec(
        select(PasswordLink).where(PasswordLink.token_hash == token_hash(str(token)))
    ).first()
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link


def _link_contact(
    session: Session, token: str, domain_id: int | None
) -> tuple[PasswordLink, Contact]:
    """The live link and its contact, on the brand it was sent for only: a link mailed
    under one brand does nothing on another brand's host."""
    link = _live_link(session, token)
    contact = session.get(Contact, link.contact_id) if link else None
    customer = session.get(Customer, contact.customer_id) if contact else None
    if customer is None or domain_id is None or customer.domain_id != domain_id:
        raise AuthFailed(BAD_LINK)
    return link, contact


def password_link_check(*, session: Session, token: str, domain_id: int | None) -> Contact:
    """The contact a live link of this brand belongs to (to greet them on the form)."""
    return _link_contact(session, token, domain_id)[1]


def password_link_use(
    *, session: Session, token: str, domain_id: int | None, new: str, confirm: str
) -> Contact:
    """Set the password from a link of this brand. The link is spent and every
    session ends."""
    link, contact = _link_contact(session, token, domain_id)
    new_password_errors(new, confirm, session=session)
    spent = session.execute(  # once, even when the form is sent twice at the same moment
        sa.update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:
        raise AuthFailed(BAD_LINK)
    contact.password_hash = hash_password(new)
    contact.updated_at = utcnow()
    session.add(contact)
    sessions_revoke_for_user(session=session, user_id=contact.id, principal=PRINCIPAL)
    audit_record(
        session=session,
        actor=contact_actor(contact),
        action="contact.password_set",
        entity="contact",
        entity_id=contact.id,
        after={"password": f"set from {link.purpose} link"},
    )
    return contact
