"""Contacts (Management > Customers > a customer > Contacts): the portal logins.

Operators add, edit and delete contacts, reset their password or second factor, and
see their last login. A contact's password is either set by the operator or, with
"auto-generate password", by the contact from a single-use, expiring emailed link
(services/password_links.py).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, delete, select

from portal_app.models import Contact, ContactRole, Customer, PasswordLink, PortalDomain
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .crypto import hash_password
from .customers import customer_get
from .errors import Conflict, NotFound, ValidationError
from .identity import Actor
from .mail import MailError, smtp_for_domain
from .outbox import mailbox_enabled
from .password_links import NO_DOMAIN, password_link_send
from .policy import ROLE_LABELS
from .security_settings import password_minimum
from .sessions import sessions_revoke_for_user
from .validation import check_email, check_name, check_password, clean_name, normalize_email

PRINCIPAL = "contact"
NOTES_MAX = 4000
AUDIT_FIELDS = ["customer_id", "name", "email", "role", "totp_enabled"]
AUDIT_FIELDS += ["public_notes", "private_notes"]
NO_SMTP_FOR_RESET = (
    "No SMTP server is configured for this brand or the account, so the link could not "
    "reach the contact. Set one up, then use Send password link."
)


def contact_list(*, session: Session, actor: Actor, customer_id: int) -> list[Contact]:
    """The customer's contacts, by name. The customer check applies the permissions."""
    customer_get(session=session, actor=actor, customer_id=customer_id)
    return list(
        session.exec(
            select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.name)
        ).all()
    )


def contact_get(*, session: Session, actor: Actor, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("That contact no longer exists.")
    customer_get(session=session, actor=actor, customer_id=contact.customer_id)
    return contact


def _validate(
    session: Session, data: dict[str, Any], contact_id: int | None, password_needed: bool
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = clean_name(data.get("name"))
    if msg := check_name(name):
        errors["name"] = msg
    email = normalize_email(data.get("email"))
    if msg := check_email(email):
        errors["email"] = msg
    else:
        taken = session.exec(select(Contact.id).where(Contact.email == email)).first()
        if taken is not None and taken != contact_id:
            errors["email"] = "Another contact already logs in with this email."
    notes = {}
    for key in ("public_notes", "private_notes"):
        notes[key] = str(data.get(key) or "").strip()
        if len(notes[key]) > NOTES_MAX:
            errors[key] = f"Notes can be at most {NOTES_MAX} characters."
    password = str(data.get("password") or "")
    if (password_needed or password) and (
        msg := check_password(password, password_minimum(session=session))
    ):
        errors["password"] = msg
    if errors:
        raise ValidationError(errors)
    return {"name": name, "email": email, "password": password, **notes}


def role_check(role: object) -> str:
    """A valid role value, or a ValidationError on the ``role`` field."""
    value = str(role or "")
    if value not in ROLE_LABELS:
        raise ValidationError({"role": "Choose one of: " + ", ".join(ROLE_LABELS.values()) + "."})
    return value


def contact_create(
    *, session: Session, actor: Actor, customer_id: int, data: dict[str, Any]
) -> tuple[Contact, str | None]:
    """Add a contact with its ``role`` (Owner when none is given). With ``auto_password``
    the contact has no password yet and gets a welcome link by email (queued here; the
    token is returned too); otherwise the operator's password is set."""
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    auto = bool(data.get("auto_password"))
    try:
        role = role_check(data.get("role") or ContactRole.OWNER.value)
    except ValidationError as exc:
        role_error = exc.fields
    else:
        role_error = {}
    try:
        clean = _validate(session, data, None, password_needed=not auto)
    except ValidationError as exc:
        raise ValidationError(exc.fields | role_error) from None
    if role_error:
        raise ValidationError(role_error)
    if auto and not customer.domain_id:
        raise ValidationError({"auto_password": NO_DOMAIN + " Set a password instead."})
    contact = Contact(
        customer_id=customer_id,
        name=clean["name"],
        email=clean["email"],
        password_hash=None if auto else hash_password(clean["password"]),
        role=role,
        public_notes=clean["public_notes"],
        private_notes=clean["private_notes"],
    )
    session.add(contact)
    session.flush()
    token = (
        password_link_send(session=session, contact=contact, purpose="welcome") if auto else None
    )
    audit_record(
        session=session,
        actor=actor,
        action="contact.create",
        entity="contact",
        entity_id=contact.id,
        after=snapshot(contact, AUDIT_FIELDS) | {"password": "link" if auto else "set"},
    )
    return contact, token


def contact_update(
    *, session: Session, actor: Actor, contact_id: int, data: dict[str, Any]
) -> Contact:
    """Edit name, email and notes; a non-empty password replaces the current one.
    A new email or password ends the contact's portal sessions."""
    contact = contact_get(session=session, actor=actor, contact_id=contact_id)
    clean = _validate(session, data, contact.id, password_needed=False)
    before = snapshot(contact, AUDIT_FIELDS)
    credentials_changed = clean["email"] != contact.email or bool(clean["password"])
    contact.name, contact.email = clean["name"], clean["email"]
    contact.public_notes, contact.private_notes = clean["public_notes"], clean["private_notes"]
    after = snapshot(contact, AUDIT_FIELDS)
    if clean["password"]:
        contact.password_hash = hash_password(clean["password"])
        after["password"] = "changed"
    contact.updated_at = utcnow()
    session.add(contact)
    if credentials_changed:
        sessions_revoke_for_user(session=session, user_id=contact.id, principal=PRINCIPAL)
    audit_record(
        session=session,
        actor=actor,
        action="contact.update",
        entity="contact",
        entity_id=contact.id,
        before=before,
        after=after,
    )
    return contact


def contact_delete(*, session: Session, actor: Actor, contact_id: int) -> None:
    contact_delete_row(
        session=session,
        actor=actor,
        contact=contact_get(session=session, actor=actor, contact_id=contact_id),
    )


def contact_delete_row(*, session: Session, actor: Actor, contact: Contact) -> None:
    """Delete a contact the caller has already checked ``actor`` may remove: its
    sessions end, its links die, an audit row keeps what it was."""
    sessions_revoke_for_user(session=session, user_id=contact.id, principal=PRINCIPAL)
    session.exec(delete(PasswordLink).where(PasswordLink.contact_id == contact.id))
    audit_record(
        session=session,
        actor=actor,
        action="contact.delete",
        entity="contact",
        entity_id=contact.id,
        before=snapshot(contact, AUDIT_FIELDS),
    )
    session.delete(contact)


def contact_reset_2fa(*, session: Session, actor: Actor, contact_id: int) -> Contact:
    """Turn a contact's second factor off (lost phone); they may enrol again."""
    contact = contact_get(session=session, actor=actor, contact_id=contact_id)
    if not contact.totp_enabled:
        raise Conflict("This contact does not use two-factor authentication.")
    contact.totp_enabled, contact.totp_secret_enc, contact.totp_last_step = False, None, 0
    contact.updated_at = utcnow()
    session.add(contact)
    audit_record(
        session=session,
        actor=actor,
        action="contact.reset_2fa",
        entity="contact",
        entity_id=contact.id,
        before={"totp_enabled": True},
        after={"totp_enabled": False},
    )
    return contact


def contact_reset_password(
    *, session: Session, actor: Actor, contact_id: int
) -> tuple[Contact, str]:
    """The old password stops working at once and every portal session ends; the
    contact is emailed a reset link (its token is returned). Refused, changing nothing,
    when no email could reach the contact: no portal domain, or (outside development,
    which has the built-in mailbox) no SMTP."""
    contact = contact_get(session=session, actor=actor, contact_id=contact_id)
    customer = session.get(Customer, contact.customer_id)
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    if domain is None:
        raise MailError(NO_DOMAIN)
    if smtp_for_domain(session=session, domain=domain) is None and not mailbox_enabled():
        raise MailError(NO_SMTP_FOR_RESET)
    contact.password_hash = None
    contact.updated_at = utcnow()
    session.add(contact)
    sessions_revoke_for_user(session=session, user_id=contact.id, principal=PRINCIPAL)
    token = password_link_send(session=session, contact=contact, purpose="reset")
    audit_record(
        session=session,
        actor=actor,
        action="contact.reset_password",
        entity="contact",
        entity_id=contact.id,
        after={"password": "reset link sent"},
    )
    return contact, token
