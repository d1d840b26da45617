"""Invitations: an Owner asks a colleague to join its customer's portal.

The colleague gets a single-use link, valid 7 days, through the outbox under the
customer's brand. The token is made and stored like a password link's (only its hash,
``crypto.new_token`` / ``token_hash``). Accepting it on the brand's own host sets a
name and a password (the account's minimum length), creates the contact with the
invited role and logs it in. An Owner or an operator may revoke a pending invitation;
inviting the same email again replaces the older link.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from portal_app.models import Contact, ContactInvite, Customer, CustomerStatus, PortalDomain
from portal_app.models.base import utcnow

from .audit import audit_record
from .contact_roles import require_owner, role_check, role_label
from .contacts import PRINCIPAL
from .credentials import new_password_errors
from .crypto import hash_password, new_token, token_hash
from .customers import customer_get
from .emails import duration_words, email_compose, portal_url
from .errors import AuthFailed, Conflict, NotFound, ValidationError
from .identity import Actor
from .outbox import outbox_enqueue
from .password_links import NO_DOMAIN
from .portal import contact_actor
from .sessions import session_create
from .validation import check_email, check_name, clean_name, normalize_email

INVITE_TTL = timedelta(days=7)
PENDING_MAX = 20  # pending invitations per customer: an Owner cannot flood inboxes
TAKEN = "This email already has a portal login."
EXPIRED = "This invitation has expired. Ask the person who invited you for a new one."
USED = "This invitation was already used. Log in with the email and password you chose."
REVOKED = "This invitation was withdrawn. Ask the person who invited you for a new one."
WRONG_BRAND = "This invitation is for another portal. Open the link exactly as it is in the email."
UNKNOWN = "This invitation link is not valid. Check that the whole link was copied."


def _pending(now):
    return (
        ContactInvite.used_at.is_(None),
        ContactInvite.revoked_at.is_(None),
        ContactInvite.expires_at > now,
    )


def invite_list(*, session: Session, actor: Actor, customer_id: int) -> list[ContactInvite]:
    """The customer's pending invitations, newest first (an operator's check, or the
    contact's own customer)."""
    if actor.is_contact:
        if actor.customer_id != customer_id:
            raise NotFound("That customer no longer exists.")
    else:
        customer_get(session=session, actor=actor, customer_id=customer_id)
    return list(
        session.exec(
            select(ContactInvite)
            .where(ContactInvite.customer_id == customer_id, *_pending(utcnow()))
            .order_by(ContactInvite.created_at.desc(), ContactInvite.id.desc())
        ).all()
    )


def invite_create(
    *, session: Session, actor: Actor, email: str, role: str
) -> tuple[ContactInvite, str]:
    """An Owner invites ``email`` as ``role`` to its own customer; the email is queued
    in this transaction. Returns the invitation and its token (tests read the link)."""
    me = require_owner(session=session, actor=actor)
    customer = session.get(Customer, me.customer_id)
    address = normalize_email(email)
    errors: dict[str, str] = {}
    if msg := check_email(address):
        errors["email"] = msg
    elif session.exec(select(Contact.id).where(Contact.email == address)).first() is not None:
        errors["email"] = TAKEN
    try:
        role = role_check(role)
    except ValidationError as exc:
        errors |= exc.fields
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    if domain is None:
        errors["email"] = NO_DOMAIN
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    older = sa.update(ContactInvite).where(
        ContactInvite.customer_id == customer.id, ContactInvite.email == address, *_pending(now)
    )
    session.exec(older.values(revoked_at=now))  # the newest link is the one that works
    count = select(func.count()).select_from(ContactInvite)
    if (
        session.exec(count.where(ContactInvite.customer_id == customer.id, *_pending(now))).one()
        >= PENDING_MAX
    ):
        raise Conflict(f"At most {PENDING_MAX} invitations can wait at once. Revoke some first.")
    token = new_token()
    invite = ContactInvite(
        token_hash=token_hash(token),
        customer_id=customer.id,
        email=address,
        role=role,
        invited_by=me.email,
        created_at=now,
        expires_at=now + INVITE_TTL,
    )
    session.add(invite)
    session.flush()
    outbox_enqueue(
        session=session,
        email=email_compose(
            session=session,
            kind="contact_invite",
            to=address,
            domain=domain,
            name=me.name,
            email=address,
            customer=customer.name,
            role=role_label(role),
            link=portal_url(domain.host, f"{_accept_path()}?token={token}"),
            expires=duration_words(INVITE_TTL),
        ),
    )
    _audit(session, actor, "contact.invite", invite, after={"role": role_label(role)})
    return invite, token


def _accept_path() -> str:
    from portal_app.routes import PORTAL_INVITE

    return PORTAL_INVITE


def _audit(session: Session, actor: Actor, action: str, invite: ContactInvite, **kw) -> None:
    audit_record(
        session=session,
        actor=actor,
        action=action,
        entity="contact_invite",
        entity_id=invite.id,
        **{k: {"email": invite.email, **v} for k, v in kw.items()},
    )


def invite_revoke(*, session: Session, actor: Actor, invite_id: int) -> ContactInvite:
    """Withdraw a pending invitation: an Owner of its customer, or an operator."""
    invite = session.get(ContactInvite, invite_id) if invite_id else None
    if invite is None:
        raise NotFound("That invitation no longer exists.")
    if actor.is_contact:
        require_owner(session=session, actor=actor)
        if invite.customer_id != actor.customer_id:
            raise NotFound("That invitation no longer exists.")
    else:
        customer_get(session=session, actor=actor, customer_id=invite.customer_id)
    if invite.used_at is not None or invite.revoked_at is not None:
        raise Conflict("That invitation was already used or withdrawn.")
    invite.revoked_at = utcnow()
    session.add(invite)
    _audit(session, actor, "contact.invite_revoke", invite, before={"status": "pending"})
    return invite


def invite_check(*, session: Session, token: str, domain_id: int | None) -> ContactInvite:
    """The pending invitation behind ``token`` on this brand, or AuthFailed saying
    plainly why not (expired, used, withdrawn, another brand's, unknown)."""
    row = None
    if token and len(token) <= 128:
        row = session.exec(
            select(ContactInvite).where(ContactInvite.token_hash == token_hash(str(token)))
        ).first()
    if row is None:
        raise AuthFailed(UNKNOWN)
    customer = session.get(Customer, row.customer_id)
    if customer is None or domain_id is None or customer.domain_id != domain_id:
        raise AuthFailed(WRONG_BRAND)
    if row.used_at is not None:
        raise AuthFailed(USED)
    if row.revoked_at is not None or customer.status != CustomerStatus.ACTIVE.value:
        raise AuthFailed(REVOKED)
    if row.expires_at <= utcnow():
        raise AuthFailed(EXPIRED)
    return row


def invite_accept(
    *,
    session: Session,
    token: str,
    domain_id: int | None,
    data: dict,
    client: str = "",
    user_agent: str = "",
) -> tuple[Contact, str]:
    """Accept: the contact is created with the invited role and a session starts.
    Returns the contact and the new session token (for the cookie hand-over)."""
    invite = invite_check(session=session, token=token, domain_id=domain_id)
    name = clean_name(data.get("name"))
    errors = {"name": msg} if (msg := check_name(name)) else {}
    new_password_errors(
        str(data.get("new_password") or ""),
        str(data.get("confirm_password") or ""),
        errors,
        session=session,
    )
    if session.exec(select(Contact.id).where(Contact.email == invite.email)).first():
        raise AuthFailed(TAKEN + " Log in with it instead.")
    now = utcnow()
    spent = session.execute(  # once, even when the form is sent twice at the same moment
        sa.update(ContactInvite)
        .where(ContactInvite.id == invite.id, *_pending(now))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        raise AuthFailed(USED)
    contact = Contact(
        customer_id=invite.customer_id,
        name=name,
        email=invite.email,
        role=invite.role,
        password_hash=hash_password(str(data["new_password"])),
        last_login_at=now,
    )
    session.add(contact)
    session.flush()
    invite.contact_id, invite.used_at = contact.id, now
    session.add(invite)
    _audit(
        session,
        contact_actor(contact),
        "contact.invite_accept",
        invite,
        after={"role": role_label(invite.role), "contact_id": contact.id},
    )
    return contact, session_create(
        session=session,
        user_id=contact.id,
        principal=PRINCIPAL,
        client_ip=client,
        user_agent=user_agent,
    )
