"""What a logged-in contact sees in the customer portal, and nothing more.

Tenant identity comes from the session (contact -> customer), never from the host or
from arguments: every read here takes the contact's ``Actor`` and derives the customer
from ``actor.customer_id``. The host only has to agree (a session is used on its own
brand's host) and picks the branding.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app.models import (
    AuthSession,
    Contact,
    Customer,
    CustomerStatus,
    DomainStatus,
    PortalDomain,
)

from .contacts import PRINCIPAL
from .customers import customer_get, effective_access
from .errors import PermissionDenied, ServiceError
from .hosts import normalize_host
from .identity import Actor
from .policy import role_sections
from .portal_sections import SECTIONS
from .principals import operator_actor, resolved

# Why a contact of a customer in this status cannot log in (shown after a correct
# password only, so it reveals nothing to someone guessing).
STATUS_REFUSALS = {
    CustomerStatus.PENDING.value: "Your account is waiting for approval. "
    "You can log in as soon as it is approved.",
    CustomerStatus.SUSPENDED.value: "Your account is suspended. Please contact support.",
    CustomerStatus.REJECTED.value: "Your sign-up was not approved, so this login is closed.",
}

# Sections the portal has screens for so far; the menu shows the allowed ones of these.
BUILT_SECTIONS = (
    "balance",
    "payments",
    "cdr",
    "rate_card",
    "breakout",
    "contacts",
    "profile",
    "packages",
    "alerts",
    "carrier_portal",
)


def domain_for_host(*, session: Session, host: str) -> PortalDomain | None:
    """The verified domain a brand host belongs to, or None."""
    key = normalize_host(host)
    if not key:
        return None
    return session.exec(
        select(PortalDomain).where(
            PortalDomain.host == key, PortalDomain.status == DomainStatus.VERIFIED.value
        )
    ).first()


def contact_actor(contact: Contact) -> Actor:
    return Actor(
        kind="contact", id=contact.id, label=contact.email, customer_id=contact.customer_id
    )


@dataclass(frozen=True)
class PortalContext:
    """A live contact session on its own brand host: who, for which customer, the
    sections the domain and the customer's overrides allow (``allowed``) and, of those,
    the ones the contact's role opens (``sections``). ``viewer``: the operator behind a
    read-only "view as this contact" session (services/view_as.py), else ""."""

    actor: Actor
    contact: Contact
    customer: Customer
    domain: PortalDomain
    sections: tuple[str, ...]
    allowed: tuple[str, ...] = ()
    role: str = ""
    viewer: str = ""


def portal_context(*, session: Session | None, token: str, host: str) -> PortalContext | None:
    """Resolve a portal session. None when the session is not live, the contact or
    its customer is gone or not active, or the host is not the customer's brand.

    Cached per process and re-checked against the auth epoch (services/principals.py).
    """
    key = normalize_host(host)
    if not key:
        return None
    return resolved(
        session,
        kind=PRINCIPAL,
        token=token,
        host=key,
        resolve=lambda s, row: _portal_resolve(s, row, key),
    )


def _portal_resolve(session: Session, row: AuthSession, host: str) -> PortalContext | None:
    contact = session.get(Contact, row.user_id)
    if contact is None:
        return None
    customer = session.get(Customer, contact.customer_id)
    if customer is None or customer.status != CustomerStatus.ACTIVE.value:
        return None
    domain = domain_for_host(session=session, host=host)
    if domain is None or customer.domain_id != domain.id:
        return None
    viewer = ""
    if row.viewer_id is not None:
        # A view-as session lives only while its operator may still open this customer.
        who = operator_actor(session, row.viewer_id)
        if who is None or who.totp_required:
            return None
        try:
            customer_get(session=session, actor=who, customer_id=customer.id)
        except ServiceError:
            return None
        viewer = who.label
    allowed = tuple(effective_access(customer, domain))
    sections = role_sections(contact.role, allowed)
    return PortalContext(
        contact_actor(contact), contact, customer, domain, sections, allowed, contact.role, viewer
    )


def menu_sections(sections: tuple[str, ...]) -> list[tuple[str, str]]:
    """(key, label) of the sections to show in the portal menu, in menu order."""
    return [(key, SECTIONS[key]) for key in sections if key in BUILT_SECTIONS]


def require_section(ctx: PortalContext, section: str) -> None:
    if section not in ctx.sections:
        raise PermissionDenied("This section is not available for your account.")


def require_own_customer(actor: Actor, customer_id: int) -> None:
    """For services shared with the control panel: a contact reads only its customer."""
    if actor.is_contact and actor.customer_id != customer_id:
        raise PermissionDenied()


def customer_contacts(*, session: Session, actor: Actor) -> list[Contact]:
    """The Contacts section: the logins of the contact's own customer."""
    if not actor.is_contact or actor.customer_id is None:
        raise PermissionDenied()
    return list(
        session.exec(
            select(Contact).where(Contact.customer_id == actor.customer_id).order_by(Contact.name)
        ).all()
    )
