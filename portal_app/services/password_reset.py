"""The portal's "Forgot your password?": a reset link by email, the same answer for all.

Whether an email belongs to a login must not show, neither in the answer nor in the
time it takes. Both paths here do the same kind of work (a counted request, a composed
email, a commit), and the portal's form answers no sooner than FORGOT_ANSWER_SECONDS
after it was sent (state/portal_auth.py), which hides what difference remains.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from portal_app.models import Contact, Customer, CustomerStatus, LoginFailure, PortalDomain
from portal_app.models.base import utcnow

from .auth import THROTTLE_WINDOW
from .contacts import LINK_TTL, links_sent_since, password_link_send
from .crypto import new_token
from .emails import duration_words, email_compose, portal_url
from .validation import normalize_email

MAX_LINKS_PER_HOUR = 3
FORGOT_PER_CLIENT = 20  # reset requests per client address in the throttle window
# Far above either path's own time (a few ms; tens on a busy machine), so both answer
# at this floor.
FORGOT_ANSWER_SECONDS = 0.3


def password_forgot(
    *, session: Session, email: str, domain_id: int | None, client: str = ""
) -> tuple[Contact, str] | None:
    """Queue a reset link for the contact with this email on this brand; None when
    there is none (or too many were asked for).

    The caller gives the same answer either way, no sooner than FORGOT_ANSWER_SECONDS.
    Each request is counted (a row, like a login failure) and the reset email is
    composed, for nobody when the email is unknown. At most three links an hour per contact and
    FORGOT_PER_CLIENT requests per client in the throttle window, so the form cannot be
    used to flood someone's inbox.
    """
    email = normalize_email(email)
    key = f"forgot-ip:{client[:64]}"
    since = utcnow() - THROTTLE_WINDOW
    asked = session.exec(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == key, LoginFailure.at >= since)
    ).one()
    session.add(LoginFailure(key=key))
    contact = session.exec(select(Contact).where(Contact.email == email)).first()
    if (
        contact is not None
        and asked < FORGOT_PER_CLIENT
        and _may_reset(session, contact, domain_id)
    ):
        return contact, password_link_send(session=session, contact=contact, purpose="reset")
    _compose_for_nobody(session, email, domain_id)
    return None


def _may_reset(session: Session, contact: Contact, domain_id: int | None) -> bool:
    customer = session.get(Customer, contact.customer_id)
    if customer is None or domain_id is None or customer.domain_id != domain_id:
        return False
    if customer.status != CustomerStatus.ACTIVE.value:
        return False
    return links_sent_since(session=session, contact_id=contact.id) < MAX_LINKS_PER_HOUR


def _compose_for_nobody(session: Session, email: str, domain_id: int | None) -> None:
    """The work of a reset email, thrown away: an unknown email costs what a known one does."""
    domain = session.get(PortalDomain, domain_id) if domain_id else None
    if domain is not None:
        email_compose(
            session=session,
            kind="password_reset",
            to=email,
            domain=domain,
            name="",
            email=email,
            link=portal_url(domain.host, f"/?token={new_token()}"),
            expires=duration_words(LINK_TTL["reset"]),
        )
