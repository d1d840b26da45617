"""The operator's "View as this contact": the portal exactly as one contact gets it,
read-only.

The operator's own session never changes. A separate, short-lived contact session is
made on the server, marked with the operator's id (``AuthSession.viewer_id``), and
handed to a new tab on the customer's brand host through a single-use session ticket
bound to that host and the operator's browser (services/tickets.py). The portal
resolves it like the contact's own login (same sections, same role limits), and the
policy refuses every handler that writes anything, the contact's profile included
(services/policy.py, ``contact_refusal``). The session lives while the operator may
still open the customer, at most VIEW_MINUTES, and is audited when it starts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from portal_app.models import AuthSession, Customer, CustomerStatus, DomainStatus, PortalDomain
from portal_app.models.base import utcnow

from .audit import audit_record
from .contacts import PRINCIPAL, contact_get
from .crypto import new_token, token_hash
from .emails import portal_url
from .errors import Conflict, PermissionDenied
from .identity import Actor
from .tickets import ticket_issue

VIEW_MINUTES = 30


def view_as_start(
    *, session: Session, actor: Actor, contact_id: int, client_ip: str = "", user_agent: str = ""
) -> str:
    """Start a read-only session as the contact; returns the brand-host URL that takes
    the operator's browser (in a new tab) into it."""
    from portal_app.routes import PORTAL_VIEW_AS

    if actor.kind != "operator" or actor.id is None:
        raise PermissionDenied()
    contact = contact_get(session=session, actor=actor, contact_id=contact_id)
    customer = session.get(Customer, contact.customer_id)
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    if domain is None or domain.status != DomainStatus.VERIFIED.value:
        raise Conflict(
            "This customer has no verified portal domain, so there is no portal to show."
        )
    if customer.status != CustomerStatus.ACTIVE.value:
        raise Conflict(
            "This customer is not active: its contacts cannot log in, so there is nothing to show."
        )
    token, now = new_token(), utcnow()
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            principal=PRINCIPAL,
            user_id=contact.id,
            viewer_id=actor.id,
            created_at=now,
            expires_at=now + timedelta(minutes=VIEW_MINUTES),
            client_ip=client_ip[:64],
            user_agent=user_agent[:255],
        )
    )
    ticket = ticket_issue(
        session=session,
        token=token,
        principal=PRINCIPAL,
        host=domain.host,
        client_ip=client_ip,
        user_agent=user_agent,
    )
    audit_record(
        session=session,
        actor=actor,
        action="contact.view_as",
        entity="contact",
        entity_id=contact.id,
        after={"email": contact.email, "host": domain.host, "minutes": VIEW_MINUTES},
    )
    return portal_url(domain.host, f"{PORTAL_VIEW_AS}?ticket={ticket}")
