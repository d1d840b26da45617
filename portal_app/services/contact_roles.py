"""Contact roles: who of a customer's contacts may do what in its portal.

The sections each role opens, and what a role may change, are the policy's
(services/policy.py, ``ROLE_SECTIONS`` and ``contact_refusal``). Here are the writes:
an Owner (in the portal) or an operator (the customer dialog's Contacts tab) sets a
contact's role, and an Owner removes a colleague. A customer with contacts always keeps
at least one Owner, so nobody locks the customer out of managing its own team.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from portal_app.models import Contact, ContactRole, Customer
from portal_app.models.base import utcnow

from .audit import audit_record
from .contacts import contact_delete_row, contact_get, role_check
from .errors import Conflict, NotFound, PermissionDenied
from .identity import Actor
from .policy import OWNERS_ONLY, ROLE_LABELS

ROLES = tuple(ROLE_LABELS)
LAST_OWNER = (
    "{name} is the last Owner of this account: make another contact an Owner first, "
    "so someone can still manage the contacts."
)
NOT_YOURS = "That contact no longer exists."


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def require_owner(*, session: Session, actor: Actor) -> Contact:
    """The acting contact, read afresh, when it is an Owner; else PermissionDenied.
    (The guard checked the role of the session already; this closes the gap to a role
    changed a moment ago by another Owner.)"""
    me = session.get(Contact, actor.id) if actor.is_contact and actor.id else None
    if me is None or me.customer_id != actor.customer_id:
        raise PermissionDenied()
    if me.role != ContactRole.OWNER.value:
        raise PermissionDenied(OWNERS_ONLY)
    return me


def team_member(*, session: Session, actor: Actor, contact_id: int) -> Contact:
    """A contact ``actor`` may manage: for a contact, an Owner acting on its own
    customer's contacts only (another customer's id is "no longer exists", the same as
    a missing one); for an operator, any contact of a customer they may open."""
    if not actor.is_contact:
        return contact_get(session=session, actor=actor, contact_id=contact_id)
    require_owner(session=session, actor=actor)
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact is None or contact.customer_id != actor.customer_id:
        raise NotFound(NOT_YOURS)
    return contact


def _owners(session: Session, customer_id: int) -> int:
    # Lock the customer first: two Owners demoting each other at the same moment on
    # PostgreSQL must not both see the other one still there (SQLite has one writer).
    session.exec(select(Customer.id).where(Customer.id == customer_id).with_for_update()).one()
    return session.exec(
        select(func.count())
        .select_from(Contact)
        .where(Contact.customer_id == customer_id, Contact.role == ContactRole.OWNER.value)
    ).one()


def contact_role_set(*, session: Session, actor: Actor, contact_id: int, role: str) -> Contact:
    """Give a contact another role; it applies from the contact's next event (a change
    to the contact raises the auth epoch, services/auth_epoch.py)."""
    role = role_check(role)
    contact = team_member(session=session, actor=actor, contact_id=contact_id)
    before = contact.role
    if before == role:
        return contact
    if before == ContactRole.OWNER.value and _owners(session, contact.customer_id) <= 1:
        raise Conflict(LAST_OWNER.format(name=contact.name))
    contact.role = role
    contact.updated_at = utcnow()
    session.add(contact)
    audit_record(
        session=session,
        actor=actor,
        action="contact.role",
        entity="contact",
        entity_id=contact.id,
        before={"role": role_label(before)},
        after={"role": role_label(role), "email": contact.email},
    )
    return contact


def contact_remove(*, session: Session, actor: Actor, contact_id: int) -> Contact:
    """An Owner removes a colleague's login (never its own: another Owner does that)."""
    contact = team_member(session=session, actor=actor, contact_id=contact_id)
    if actor.is_contact and contact.id == actor.id:
        raise Conflict("You cannot remove your own login. Another Owner can.")
    if contact.role == ContactRole.OWNER.value and _owners(session, contact.customer_id) <= 1:
        raise Conflict(LAST_OWNER.format(name=contact.name))
    contact_delete_row(session=session, actor=actor, contact=contact)
    return contact
