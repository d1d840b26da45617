"""Management › Payments: every payment attempt for operators with the Payment area,
the provider events that were refused and why, and recording a refund.

A refund is recorded after it was made at the provider: a correction entry reverses
the payment's credit, and a second ``payment_credit`` row (kind refund) under the same
UNIQUE constraint as the credit makes it happen at most once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, func, select

from portal_app.models import (
    Area,
    AttemptStatus,
    CreditKind,
    Customer,
    PaymentAttempt,
    PaymentCredit,
    PaymentEvent,
)
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .customer_text import contains_pattern
from .dates import formatter
from .errors import Conflict, NotFound, PermissionDenied
from .identity import Actor
from .ledger import ledger_record
from .money import plain_minor
from .payments import attempt_view
from .policy import carrier_check, hidden_kinds


def payment_list(
    *,
    session: Session,
    actor: Actor,
    status: str = "",
    customer_id: int | None = None,
    customer_name: str = "",
    since: datetime | None = None,
    problems_only: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """Management › Payments: every attempt, filtered, newest first, and the count."""
    if not actor.can(Area.PAYMENT):
        raise PermissionDenied()
    where = []
    if status:
        where.append(PaymentAttempt.status == status)
    if customer_id is not None:
        where.append(PaymentAttempt.customer_id == customer_id)
    if customer_name.strip():
        pattern = contains_pattern(customer_name.strip())  # a few rows: no index needed
        where.append(func.lower(Customer.name).like(pattern, escape="\\"))
    if since is not None:
        where.append(PaymentAttempt.created_at >= since)
    if problems_only:
        where.append(PaymentAttempt.problem != "")
    if hidden := hidden_kinds(actor):  # a carrier's payments are carrier data
        where.append(Customer.kind.not_in(hidden))
    rows = session.exec(
        select(PaymentAttempt, Customer.name)
        .join(Customer, Customer.id == PaymentAttempt.customer_id)
        .where(*where)
        .order_by(PaymentAttempt.created_at.desc(), PaymentAttempt.id.desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, 200)))
    ).all()
    total = session.exec(
        select(func.count())
        .select_from(PaymentAttempt)
        .join(Customer, Customer.id == PaymentAttempt.customer_id)
        .where(*where)
    ).one()
    fmt = formatter(session=session)
    views = [{**attempt_view(a, internal=True, fmt=fmt), "customer": n} for a, n in rows]
    return views, total


def payment_refund(*, session: Session, actor: Actor, attempt_id: int, note: str = "") -> None:
    """Record that a payment was refunded (at the provider): a correction entry reverses
    its credit. At most once per payment, by the same UNIQUE constraint as the credit."""
    if not actor.can(Area.PAYMENT):
        raise PermissionDenied()
    attempt = session.get(PaymentAttempt, attempt_id)
    customer = session.get(Customer, attempt.customer_id) if attempt else None
    if attempt is None or customer is None:
        raise NotFound("That payment does not exist.")
    carrier_check(actor, customer.kind)
    credit = session.exec(
        select(PaymentCredit).where(
            PaymentCredit.attempt_id == attempt.id, PaymentCredit.kind == CreditKind.CREDIT.value
        )
    ).first()
    if attempt.status != AttemptStatus.SUCCEEDED or credit is None:
        raise Conflict("Only a credited payment can be refunded.")
    before = snapshot(attempt)
    recorded = ledger_record(
        session=session,
        actor=actor,
        customer_id=attempt.customer_id,
        kind="correction",
        amount=plain_minor(-attempt.amount, attempt.currency),
        reference=(attempt.provider_ref or "")[:120],
        note=(f"Refund of payment #{attempt.id}. {note.strip()}").strip()[:500],
        corrects_id=credit.ledger_entry_id,
    )
    session.add(
        PaymentCredit(
            provider=credit.provider,
            provider_payment_id=credit.provider_payment_id,
            kind=CreditKind.REFUND.value,
            attempt_id=attempt.id,
            ledger_entry_id=recorded.entry.id,
        )
    )
    attempt.status, attempt.updated_at = AttemptStatus.REFUNDED.value, utcnow()
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="payment.refund",
        entity="payment_attempt",
        entity_id=attempt.id,
        before=before,
        after=snapshot(attempt),
    )


def payments_waiting(*, session: Session, actor: Actor) -> tuple[int, int]:
    """For the dashboard: (payments still pending, provider events refused in 24 h)."""
    if not actor.can(Area.PAYMENT):
        raise PermissionDenied()
    where = [PaymentAttempt.status == AttemptStatus.PENDING.value]
    if hidden := hidden_kinds(actor):
        where.append(Customer.kind.not_in(hidden))
    pending = session.exec(
        select(func.count())
        .select_from(PaymentAttempt)
        .join(Customer, Customer.id == PaymentAttempt.customer_id)
        .where(*where)
    ).one()
    refused = session.exec(
        select(func.count())
        .select_from(PaymentEvent)
        .where(
            PaymentEvent.outcome == "refused",
            PaymentEvent.created_at >= utcnow() - timedelta(hours=24),
        )
    ).one()
    return pending, refused


def payment_event_list(*, session: Session, actor: Actor, limit: int = 20) -> list[dict[str, Any]]:
    """The latest provider events we refused, and why (bad signature, mismatch…)."""
    if not actor.can(Area.PAYMENT):
        raise PermissionDenied()
    rows = session.exec(
        select(PaymentEvent)
        .where(PaymentEvent.outcome == "refused")
        .order_by(PaymentEvent.created_at.desc(), PaymentEvent.id.desc())
        .limit(max(1, min(limit, 100)))
    )
    fmt = formatter(session=session)
    return [
        {
            "date": fmt.datetime(r.created_at, with_zone=False),
            "provider": r.provider,
            "event": r.event_type or r.event_id,
            "attempt": f"#{r.attempt_id}" if r.attempt_id else "",
            "message": r.message,
        }
        for r in rows
    ]
