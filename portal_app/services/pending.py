"""Management › Pending Approval: the queue of confirmed sign-ups, as operators read it.

Reads only: deciding is ``signup_decisions.signup_approve`` / ``signup_reject``. An
operator sees the sign-ups of the kinds they may decide (Customer area: customers,
Carrier area: carriers); anyone else is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from portal_app.models import Area, Contact, Customer, CustomerStatus, CustomerType, PortalDomain

from .dates import formatter
from .errors import PermissionDenied
from .identity import Actor
from .validation import format_phone

QUEUE_LIMIT = 200
_KIND_AREAS = (
    (CustomerType.CUSTOMER.value, Area.CUSTOMER),
    (CustomerType.CARRIER.value, Area.CARRIER),
)


@dataclass(frozen=True)
class PendingItem:
    id: int
    name: str
    kind: str
    contact: str
    email: str
    phone: str
    country: str
    currency: str
    domain: str
    since: str


def pending_kinds(actor: Actor) -> list[str]:
    """The kinds of sign-up this operator may see and decide."""
    return [kind for kind, area in _KIND_AREAS if actor.can(area)]


def pending_may_decide(actor: Actor) -> bool:
    return bool(pending_kinds(actor))


def pending_stamp(*, session: Session) -> tuple[int, int]:
    """(how many wait, the newest one's id): an indexed read, for the live badge."""
    count, newest = session.exec(
        select(func.count(), func.max(Customer.id)).where(
            Customer.status == CustomerStatus.PENDING.value
        )
    ).one()
    return int(count), int(newest or 0)


def pending_list(*, session: Session, actor: Actor) -> list[PendingItem]:
    """The newest waiting sign-ups of the kinds ``actor`` may decide."""
    kinds = pending_kinds(actor)
    if not kinds:
        raise PermissionDenied()
    rows = session.exec(
        select(Customer, PortalDomain.host)
        .join(PortalDomain, PortalDomain.id == Customer.domain_id, isouter=True)
        .where(Customer.status == CustomerStatus.PENDING.value, Customer.kind.in_(kinds))
        .order_by(Customer.created_at.desc(), Customer.id.desc())
        .limit(QUEUE_LIMIT)
    ).all()
    ids = [c.id for c, _ in rows]
    contacts = {
        c.customer_id: c
        for c in session.exec(select(Contact).where(Contact.customer_id.in_(ids))).all()
    }
    fmt = formatter(session=session)
    return [
        PendingItem(
            id=c.id,
            name=c.name,
            kind=c.kind,
            contact=contacts[c.id].name if c.id in contacts else "",
            email=contacts[c.id].email if c.id in contacts else "",
            phone=format_phone(c.phone),
            country=c.country,
            currency=c.currency,
            domain=host or "",
            since=fmt.datetime(c.created_at),
        )
        for c, host in rows
    ]
