"""The operator's decision on a confirmed sign-up: approve or reject it exactly once,
and tell the applicant; and the count of those waiting, for live badges."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, func, select

from portal_app.models import Area, Contact, Customer, CustomerStatus, CustomerType, PortalDomain
from portal_app.models.base import utcnow

from .audit import audit_record
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .signup_templates import template_apply
from .signups import _mail


def _area(kind: str) -> Area:
    return Area.CARRIER if kind == CustomerType.CARRIER.value else Area.CUSTOMER


def pending_count(*, session: Session) -> tuple[int, int]:
    """(how many wait for approval, the newest one's id): cheap, for live badges."""
    count, newest = session.exec(
        select(func.count(), func.max(Customer.id)).where(
            Customer.status == CustomerStatus.PENDING.value
        )
    ).one()
    return int(count), int(newest or 0)


def _decide(
    session: Session, actor: Actor, customer_id: int, status: str, reason: str
) -> Customer | None:
    """Move a pending customer to ``status`` once; None when it was not pending any more."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("That sign-up no longer exists.")
    if not actor.can(_area(customer.kind)):
        raise PermissionDenied()
    result = session.execute(
        sa.update(Customer)
        .where(Customer.id == customer_id, Customer.status == CustomerStatus.PENDING.value)
        .values(status=status, decided_at=utcnow(), decided_by=actor.label, reject_reason=reason)
    )
    if result.rowcount != 1:
        return None
    session.refresh(customer)
    return customer


def _tell_applicant(session: Session, customer: Customer, kind: str, reason: str = "") -> None:
    """Queue the decision's email to the contact who signed up."""
    contact = session.exec(select(Contact).where(Contact.customer_id == customer.id)).first()
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    if contact is None or domain is None:
        return
    values = {"name": contact.name, "company": customer.name, "reason": reason}
    _mail(session, kind, contact.email, domain, **values)


def signup_decide(
    *, session: Session, actor: Actor, customer_id: int, approve: bool, reason: str = ""
) -> Customer | None:
    """Approve or reject one pending sign-up, queueing the applicant's email in the same
    transaction; None if someone else decided first."""
    if approve:
        return signup_approve(session=session, actor=actor, customer_id=customer_id)
    return signup_reject(session=session, actor=actor, customer_id=customer_id, reason=reason)


def signup_approve(*, session: Session, actor: Actor, customer_id: int) -> Customer | None:
    """Approve and apply the domain's template; None if someone else decided first."""
    customer = _decide(session, actor, customer_id, CustomerStatus.ACTIVE.value, "")
    if customer is None:
        return None
    copied = template_apply(session=session, actor=actor, customer=customer)
    audit_record(
        session=session,
        actor=actor,
        action="signup.approve",
        entity="customer",
        entity_id=customer.id,
        before={"status": "pending"},
        after={"status": "active", "template": copied},
    )
    _tell_applicant(session, customer, "signup_approved")
    return customer


def signup_reject(
    *, session: Session, actor: Actor, customer_id: int, reason: str
) -> Customer | None:
    reason = str(reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationError(
            {"reason": "Say why (at most 500 characters); the applicant is told."}
        )
    customer = _decide(session, actor, customer_id, CustomerStatus.REJECTED.value, reason)
    if customer is None:
        return None
    audit_record(
        session=session,
        actor=actor,
        action="signup.reject",
        entity="customer",
        entity_id=customer.id,
        before={"status": "pending"},
        after={"status": "rejected", "reason": reason},
    )
    _tell_applicant(session, customer, "signup_rejected", reason)
    return customer
