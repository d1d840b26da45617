"""Login alerts: "for security … they'll receive emails, every time they login" (spec 004).

An operator's login is mailed when the account's setting is on (My Account ›
Configuration › General Information); a contact's when the contact turned it on in
the portal's Profile. The mail says when (in the account's date format), from which
address and which browser. The alert after repeated failed logins is
services/login_throttle.py; both go through the outbox, in the login's transaction.
"""

from __future__ import annotations

from sqlmodel import Session

from portal_app.models import AccountConfig, Contact, Customer, OperatorUser, PortalDomain
from portal_app.models.base import utcnow

from .audit import audit_record
from .dates import account_time_text
from .emails import email_compose
from .errors import Conflict, PermissionDenied
from .identity import Actor
from .outbox import outbox_enqueue
from .session_list import describe_agent


def browser_text(user_agent: str) -> str:
    """ "Firefox on Linux", with the raw header after it for the curious."""
    agent = " ".join(str(user_agent or "").split())[:255]
    if not agent:
        return "unknown"
    return f"{describe_agent(agent)} ({agent})"


def _send(
    session: Session,
    row: OperatorUser | Contact,
    place: str,
    domain: PortalDomain | None,
    client: str,
    agent: str,
) -> None:
    mail = email_compose(
        session=session,
        kind="login_alert",
        to=row.email,
        domain=domain,
        name=row.name,
        email=row.email,
        place=place,
        at=account_time_text(session=session),
        client=client or "unknown",
        browser=browser_text(agent),
    )
    outbox_enqueue(session=session, email=mail)


def operator_login_alert(
    *, session: Session, user: OperatorUser, client: str, user_agent: str
) -> bool:
    """Queue the operator's login email when the account's setting is on; True if queued."""
    account = session.get(AccountConfig, 1)
    if account is None or not account.login_alerts:
        return False
    _send(session, user, "control-panel login", None, client, user_agent)
    return True


def contact_login_alert(
    *, session: Session, contact: Contact, client: str, user_agent: str
) -> bool:
    """Queue a contact's login email, under its brand, when the contact asked for it."""
    if not contact.login_alerts:
        return False
    customer = session.get(Customer, contact.customer_id)
    domain = session.get(PortalDomain, customer.domain_id) if customer else None
    _send(session, contact, "portal login", domain, client, user_agent)
    return True


def contact_login_alerts_set(*, session: Session, actor: Actor, on: bool) -> Contact:
    """The contact's own "email me every time I log in" switch (portal Profile)."""
    if not actor.is_contact:
        raise PermissionDenied()
    contact = session.get(Contact, actor.id)
    if contact is None or contact.customer_id != actor.customer_id:
        raise Conflict("Your login no longer exists.")
    before = {"login_alerts": contact.login_alerts}
    contact.login_alerts = bool(on)
    contact.updated_at = utcnow()
    session.add(contact)
    audit_record(
        session=session,
        actor=actor,
        action="contact.login_alerts",
        entity="contact",
        entity_id=contact.id,
        before=before,
        after={"login_alerts": contact.login_alerts},
    )
    return contact
