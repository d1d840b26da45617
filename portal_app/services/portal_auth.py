"""Contact login to the customer portal, password links, and the contact's own profile.

The same rules as operator login (services/auth.py): argon2 in a thread, the same
answer for an unknown email and a wrong password, throttling per account and per
client, TOTP codes accepted once, sessions rotated and revocable. A contact logs in
only on its own customer's brand host, and only while the customer is active.
"""

from __future__ import annotations

import pyotp
from sqlmodel import Session, select

from portal_app.models import Contact, Customer, PasswordLink
from portal_app.models.base import utcnow

from .audit import audit_record
from .auth import BAD_CODE, BAD_LOGIN, PasswordResult, throttle_check, throttle_clear, totp_accept
from .auth import throttle_fail as _throttle_fail
from .contacts import PRINCIPAL
from .crypto import encrypt_secret, hash_password, token_hash, verify_password
from .errors import AuthFailed, Conflict, ValidationError
from .identity import Actor
from .portal import STATUS_REFUSALS, contact_actor
from .sessions import session_create, sessions_revoke_for_user
from .totp import Enrolment, enrolment_for
from .validation import check_name, check_password, clean_name, normalize_email

BAD_LINK = "This link has expired or was already used. Ask for a new one below."


def _key(email: str) -> str:
    # Contacts and operators are throttled separately: the same address may be both.
    return f"contact:{email}"


def _refuse(session: Session, email: str, client: str, message: str = BAD_LOGIN):
    _throttle_fail(session=session, email=_key(email), client=client)
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
) -> PasswordResult:
    """Check a contact's email and password on the brand host of ``domain_id``."""
    email = normalize_email(email)
    throttle_check(session=session, email=_key(email), client=client)
    contact = session.exec(select(Contact).where(Contact.email == email)).first()
    ok = verify_password(str(password)[:256], contact.password_hash if contact else None)
    if not ok or contact is None:
        _refuse(session, email, client)
    if reason := _login_allowed(session, contact, domain_id):
        _refuse(session, email, client, reason)
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
) -> str:
    contact = session.get(Contact, contact_id)
    if contact is None or not contact.totp_enabled or _login_allowed(session, contact, domain_id):
        raise AuthFailed(BAD_LOGIN)
    throttle_check(session=session, email=_key(contact.email), client=client)
    if not totp_accept(session=session, user=contact, code=code):
        _refuse(session, contact.email, client, BAD_CODE)
    return _finish(session, contact, client, user_agent)


def _finish(session: Session, contact: Contact, client: str, agent: str) -> str:
    throttle_clear(session=session, email=_key(contact.email))
    contact.last_login_at = utcnow()
    session.add(contact)
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


def password_link_check(*, session: Session, token: str) -> Contact:
    """The contact a live link belongs to (to greet them on the form)."""
    link = _live_link(session, token)
    contact = session.get(Contact, link.contact_id) if link else None
    if contact is None:
        raise AuthFailed(BAD_LINK)
    return contact


def password_link_use(*, session: Session, token: str, new: str, confirm: str) -> Contact:
    """Set the password from a link. The link is spent and every session ends."""
    link = _live_link(session, token)
    contact = session.get(Contact, link.contact_id) if link else None
    if contact is None:
        raise AuthFailed(BAD_LINK)
    _check_new(new, confirm)
    link.used_at = utcnow()
    contact.password_hash = hash_password(new)
    contact.updated_at = utcnow()
    session.add_all([link, contact])
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


# The contact's own profile ------------------------------------------------------------


def _me(session: Session, actor: Actor) -> Contact:
    contact = session.get(Contact, actor.id) if actor.is_contact else None
    if contact is None or contact.customer_id != actor.customer_id:
        raise Conflict("Your login no longer exists.")
    return contact


def _check_new(new: str, confirm: str, errors: dict[str, str] | None = None) -> None:
    errors = errors if errors is not None else {}
    if msg := check_password(str(new)):
        errors["new_password"] = msg
    elif new != confirm:
        errors["confirm_password"] = "The two new passwords do not match."
    if errors:
        raise ValidationError(errors)


def contact_rename(*, session: Session, actor: Actor, name: str) -> Contact:
    contact = _me(session, actor)
    name = clean_name(name)
    if msg := check_name(name):
        raise ValidationError({"name": msg})
    before = {"name": contact.name}
    contact.name, contact.updated_at = name, utcnow()
    session.add(contact)
    audit_record(
        session=session,
        actor=actor,
        action="contact.rename",
        entity="contact",
        entity_id=contact.id,
        before=before,
        after={"name": name},
    )
    return contact


def contact_password_change(
    *,
    session: Session,
    actor: Actor,
    current: str,
    new: str,
    confirm: str,
    client: str = "",
    user_agent: str = "",
) -> str:
    """Change one's own password: every session ends, this browser gets a new one."""
    contact = _me(session, actor)
    errors: dict[str, str] = {}
    if not verify_password(str(current)[:256], contact.password_hash):
        errors["current_password"] = "Your current password is not correct."
    _check_new(new, confirm, errors)
    contact.password_hash = hash_password(new)
    session.add(contact)
    sessions_revoke_for_user(session=session, user_id=contact.id, principal=PRINCIPAL)
    audit_record(
        session=session,
        actor=actor,
        action="contact.password_change",
        entity="contact",
        entity_id=contact.id,
        after={"password": "changed"},
    )
    return session_create(
        session=session,
        user_id=contact.id,
        principal=PRINCIPAL,
        client_ip=client,
        user_agent=user_agent,
    )


def contact_totp_begin(*, session: Session, actor: Actor) -> Enrolment:
    contact = _me(session, actor)
    if contact.totp_enabled:
        raise Conflict("Two-factor authentication is already on.")
    secret = pyotp.random_base32()
    contact.totp_secret_enc, contact.totp_last_step = encrypt_secret(secret), 0
    session.add(contact)
    return enrolment_for(contact.email, secret)


def contact_totp_confirm(*, session: Session, actor: Actor, code: str) -> None:
    contact = _me(session, actor)
    if contact.totp_enabled or not contact.totp_secret_enc:
        raise Conflict("Start the set-up again.")
    if not totp_accept(session=session, user=contact, code=code):
        raise ValidationError(
            {
                "totp_code": "That code does not match. Check the time on your phone and "
                "enter the newest code."
            }
        )
    contact.totp_enabled = True
    session.add(contact)
    audit_record(
        session=session,
        actor=actor,
        action="contact.totp_enable",
        entity="contact",
        entity_id=contact.id,
        after={"totp_enabled": True},
    )


def contact_totp_disable(*, session: Session, actor: Actor, password: str) -> None:
    contact = _me(session, actor)
    if not verify_password(str(password)[:256], contact.password_hash):
        raise ValidationError({"totp_password": "Your password is not correct."})
    contact.totp_enabled, contact.totp_secret_enc, contact.totp_last_step = False, None, 0
    session.add(contact)
    audit_record(
        session=session,
        actor=actor,
        action="contact.totp_disable",
        entity="contact",
        entity_id=contact.id,
        after={"totp_enabled": False},
    )
