"""The portal's "Forgot your password?": a reset link by email, the same answer for all.

Whether an email belongs to a login must not show, neither in the answer nor in the
time it takes. Both paths here do the same kind of work (a counted request, a composed
email, a commit), and the portal's form answers no sooner than FORGOT_ANSWER_SECONDS
after it was sent (state/portal_auth.py), which hides what difference remains.
"""

from __future__ import annotations

from sqlmodel import Session, select, update

from portal_app.models import Contact, Customer, CustomerStatus, PasswordLink, PortalDomain
from portal_app.models.base import utcnow

from .crypto import encrypt_secret, new_token, token_hash
from .emails import duration_words, email_compose, portal_url
from .limiter import limit_hit
from .password_links import LINK_TTL, password_link_send
from .validation import normalize_email

# Far above either path's own time (a few ms; tens on a busy machine), so both answer
# at this floor.
FORGOT_ANSWER_SECONDS = 0.3


def password_forgot(
    *, session: Session, email: str, domain_id: int | None, client: str = ""
) -> tuple[Contact, str] | None:
    """Queue a reset link for the contact with this email on this brand; None when
    there is none (or too many were asked for).

    The caller gives the same answer either way, no sooner than FORGOT_ANSWER_SECONDS.
    Both paths count the request against the client's limit (``forgot_client``) and the
    email's on this brand (``forgot_login``: links for one login), whether or not the
    email is known, and compose the reset email, for nobody when the email is unknown.
    So the form can flood no inbox, and the work done does not tell a known email from
    an unknown one.
    """
    email = normalize_email(email)
    client_ok = limit_hit(session=session, name="forgot_client", key=client[:64]) is not None
    login_key = f"{domain_id}|{email}"  # one brand's requests use up no other's
    login_ok = limit_hit(session=session, name="forgot_login", key=login_key) is not None
    contact = session.exec(select(Contact).where(Contact.email == email)).first()
    if contact is not None and client_ok and login_ok and _may_reset(session, contact, domain_id):
        return contact, password_link_send(session=session, contact=contact, purpose="reset")
    _compose_for_nobody(session, email, domain_id)
    return None


def _may_reset(session: Session, contact: Contact, domain_id: int | None) -> bool:
    customer = session.get(Customer, contact.customer_id)
    if customer is None or domain_id is None or customer.domain_id != domain_id:
        return False
    return customer.status == CustomerStatus.ACTIVE.value


def _compose_for_nobody(session: Session, email: str, domain_id: int | None) -> None:
    """The work of a reset email, thrown away: an unknown email costs what a known one
    does (the same statements on the links, the email composed and encrypted as the
    outbox would, a token and its hash)."""
    session.exec(
        update(PasswordLink)
        .where(PasswordLink.contact_id == -1, PasswordLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    domain = session.get(PortalDomain, domain_id) if domain_id else None
    token = new_token()
    token_hash(token)
    if domain is not None:
        mail = email_compose(
            session=session,
            kind="password_reset",
            to=email,
            domain=domain,
            name="",
            email=email,
            link=portal_url(domain.host, f"/?token={token}"),
            expires=duration_words(LINK_TTL["reset"]),
        )
        encrypt_secret(mail.text), encrypt_secret(mail.html)
    session.flush()
