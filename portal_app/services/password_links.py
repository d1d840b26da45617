"""Password links for contacts: a single-use, expiring link, sent by email under the
contact's brand, with which a contact sets a password: "welcome" for a contact added
with an auto-generated password, "reset" after an operator's reset or the portal's
"Forgot your password?". Only the token's hash is stored.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, update

from portal_app.models import Contact, Customer, PasswordLink, PortalDomain
from portal_app.models.base import utcnow

from .crypto import new_token, token_hash
from .emails import Email, duration_words, email_compose, portal_url
from .mail import MailError
from .outbox import outbox_enqueue

LINK_TTL = {"welcome": timedelta(days=3), "reset": timedelta(hours=1)}
NO_DOMAIN = (
    "This customer has no portal domain (Edit > Config > Domain), so there is no portal "
    "to send a link to."
)


def password_link_create(*, session: Session, contact: Contact, purpose: str) -> str:
    """A new link for the contact; earlier unused links stop working (they are kept,
    spent, so the links sent in the last hour can be counted)."""
    now = utcnow()
    session.exec(
        update(PasswordLink)
        .where(PasswordLink.contact_id == contact.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = new_token()
    session.add(
        PasswordLink(
            token_hash=token_hash(token),
            contact_id=contact.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + LINK_TTL[purpose],
        )
    )
    return token


def password_mail(*, session: Session, contact: Contact, token: str, purpose: str) -> Email:
    """The email with the set-password link, under the contact's brand."""
    from portal_app.routes import PORTAL_SET_PASSWORD

    customer = session.get(Customer, contact.customer_id)
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    if domain is None:
        raise MailError(NO_DOMAIN)
    return email_compose(
        session=session,
        kind=f"password_{purpose}",
        to=contact.email,
        domain=domain,
        name=contact.name,
        email=contact.email,
        link=portal_url(domain.host, f"{PORTAL_SET_PASSWORD}?token={token}"),
        expires=duration_words(LINK_TTL[purpose]),
    )


def password_link_send(*, session: Session, contact: Contact, purpose: str) -> str:
    """A new link for the contact, queued in its email in the caller's transaction."""
    token = password_link_create(session=session, contact=contact, purpose=purpose)
    outbox_enqueue(
        session=session,
        email=password_mail(session=session, contact=contact, token=token, purpose=purpose),
    )
    return token
