"""Paying an automatic top-up: a charge marks it due, a lifespan task pays it.

``autotopup_charge`` runs inside every ledger write (``ledger_record``): when a charge
leaves the available balance below the customer's threshold, one conditional UPDATE
moves the customer's row from idle to due (models/autotopup.py says why that, not a
check in Python, keeps it to one at a time). ``autotopup_run_one`` then claims the row,
writes the payment attempt (committed before Stripe is asked), charges the saved card
off-session and credits through the one exactly-once path (``settle_once``). A decline
is retried after BACKOFF; the MAX_FAILURES-th turns the top-up off. Each outcome is
emailed to the customer's contacts through the outbox. Blocking: tasks.py runs it in
a thread.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select, update

from portal_app.models import (
    AttemptStatus,
    AutoTopup,
    Contact,
    Customer,
    PaymentAttempt,
    PaymentGateway,
    PortalDomain,
    TopupState,
)
from portal_app.models.autotopup import MAX_FAILURES
from portal_app.models.base import utcnow

from .autotopup_trigger import domain_allows
from .dates import formatter
from .db import session_scope
from .emails import email_compose
from .money import format_minor
from .outbox import outbox_enqueue, wake_after_commit
from .payment_gateways import credentials, surcharge_for
from .payment_providers import ProviderError
from .payment_settle import settle_once
from .stripe_cards import CardDeclined, stripe_cards

log = logging.getLogger("portal.autotopup")
BACKOFF = (timedelta(minutes=15), timedelta(hours=2))  # after the 1st and 2nd failure
STUCK_AFTER = timedelta(minutes=10)  # a worker died while running: look at its attempt
DUE_BATCH = 50


def autotopup_due(*, session: Session, now: datetime | None = None) -> list[int]:
    """Customers whose top-up should be tried now; rows a dead worker left running are
    put back from what their attempt says."""
    now = now or utcnow()
    stuck = session.exec(
        select(AutoTopup).where(
            AutoTopup.state == TopupState.RUNNING.value, AutoTopup.updated_at < now - STUCK_AFTER
        )
    ).all()
    for row in stuck:
        attempt = session.get(PaymentAttempt, row.last_attempt_id) if row.last_attempt_id else None
        if attempt is None or attempt.status != AttemptStatus.PENDING:
            paid = attempt is not None and attempt.status == AttemptStatus.SUCCEEDED
            row.state = TopupState.IDLE.value if paid else TopupState.RETRY.value
            row.next_try_at, row.updated_at = now, now
    ready = (AutoTopup.state == TopupState.DUE.value) | (
        (AutoTopup.state == TopupState.RETRY.value) & (AutoTopup.next_try_at <= now)
    )
    rows = session.exec(
        select(AutoTopup.customer_id).where(AutoTopup.enabled, ready).limit(DUE_BATCH)
    ).all()
    return list(rows)


def _claim(session: Session, customer_id: int, now: datetime) -> AutoTopup | None:
    ready = (AutoTopup.state == TopupState.DUE.value) | (
        (AutoTopup.state == TopupState.RETRY.value) & (AutoTopup.next_try_at <= now)
    )
    won = session.exec(
        update(AutoTopup)
        .where(AutoTopup.customer_id == customer_id, AutoTopup.enabled, ready)
        .values(state=TopupState.RUNNING.value, updated_at=now)
    ).rowcount
    if won != 1:
        return None
    return session.exec(select(AutoTopup).where(AutoTopup.customer_id == customer_id)).one()


def _notify(session: Session, row: AutoTopup, kind: str, **values) -> None:
    customer = session.get(Customer, row.customer_id)
    assert customer is not None
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    contacts = session.exec(select(Contact).where(Contact.customer_id == customer.id)).all()
    for contact in contacts:
        email = email_compose(
            session=session,
            kind=kind,
            to=contact.email,
            domain=domain,
            customer=customer.name,
            card=row.card_label,
            amount=format_minor(row.amount, row.currency),
            threshold=format_minor(row.threshold, row.currency),
            failures=row.failures,
            **values,
        )
        outbox_enqueue(session=session, email=email)
    wake_after_commit(session)


def _start(session: Session, row: AutoTopup, now: datetime) -> PaymentAttempt | None:
    """The attempt for this try, or None (and the row back to idle) when the top-up
    can no longer be paid (domain switched off, gateway gone, currency changed)."""
    customer = session.get(Customer, row.customer_id)
    gateway = session.get(PaymentGateway, row.gateway_id) if row.gateway_id else None
    usable = (
        customer is not None
        and gateway is not None
        and gateway.enabled
        and customer.currency == row.currency
        and customer.currency in (gateway.currencies or [])
        and domain_allows(session, customer)
    )
    if not usable:
        row.state, row.updated_at = TopupState.IDLE.value, now
        row.last_message = "Not available any more: nothing was charged."
        return None
    attempt = PaymentAttempt(
        customer_id=row.customer_id,
        contact_id=None,  # the top-up's own email says it was paid, not a receipt too
        gateway_id=gateway.id,
        gateway_name=f"{gateway.name} (automatic top-up)"[:120],
        provider="stripe",
        amount=row.amount,
        surcharge=surcharge_for(gateway, row.amount, row.currency),
        currency=row.currency,
        # Unique on payment_attempt: one attempt per run and try, whoever writes it.
        idempotency_key=f"autotopup-{row.id}-{row.run}-{row.failures}",
    )
    session.add(attempt)
    session.flush()
    row.last_attempt_id, row.last_try_at = attempt.id, now
    return attempt


def _failed(session: Session, row: AutoTopup, message: str, now: datetime) -> str:
    row.failures += 1
    row.last_message, row.updated_at = message[:300], now
    if row.failures >= MAX_FAILURES:
        row.enabled, row.state, row.next_try_at = False, TopupState.IDLE.value, None
        _notify(session, row, "auto_topup_off", reason=message)
        return "off"
    row.state, row.next_try_at = TopupState.RETRY.value, now + BACKOFF[row.failures - 1]
    when = formatter(session=session).datetime(row.next_try_at)

    _notify(session, row, "auto_topup_failed", reason=message, retry_at=when)
    return "failed"


def autotopup_run_one(
    customer_id: int, *, now: datetime | None = None, engine: sa.Engine | None = None
) -> str:
    """Try the customer's due top-up once: "paid", "failed", "off", "pending" or
    "skipped" (another worker has it, or nothing is due)."""
    now = now or utcnow()
    with session_scope(engine) as session:
        row = _claim(session, customer_id, now)
        attempt = _start(session, row, now) if row is not None else None
        if row is None or attempt is None:
            return "skipped"
        gateway = session.get(PaymentGateway, attempt.gateway_id)
        creds, charge = (
            credentials(gateway),
            {
                "stripe_customer": row.stripe_customer,
                "payment_method": row.payment_method,
                "amount": attempt.amount + attempt.surcharge,
                "currency": attempt.currency,
                "attempt_id": attempt.id,
                "customer_id": customer_id,
                "idempotency_key": attempt.idempotency_key,
            },
        )
        attempt_id, gateway_id = attempt.id, gateway.id
    try:
        payment = stripe_cards.charge_saved(creds, **charge)
    except CardDeclined as exc:
        with session_scope(engine) as session:
            attempt = session.get(PaymentAttempt, attempt_id)
            attempt.status, attempt.problem = AttemptStatus.FAILED.value, exc.message[:500]
            attempt.updated_at = now
            row = _own_row(session, customer_id)
            return _failed(session, row, exc.message, now)
    except ProviderError as exc:
        # Stripe's answer is unknown: the attempt stays pending (its webhook still
        # credits it) and the row running, so no second payment starts; once the
        # attempt is settled or canceled, ``autotopup_due`` moves the row on.
        with session_scope(engine) as session:
            row = _own_row(session, customer_id)
            row.last_message = exc.message[:300]
            return "pending"
    with session_scope(engine) as session:  # the reconciliation can ask about it now
        attempt = session.get(PaymentAttempt, attempt_id)
        attempt.provider_ref = attempt.provider_ref or payment.ref
    outcome = settle_once(
        "stripe", payment, gateway_id=gateway_id, event_type="autotopup", engine=engine
    )
    with session_scope(engine) as session:
        row = _own_row(session, customer_id)
        if outcome.outcome in ("credited", "duplicate"):
            row.state, row.next_try_at, row.updated_at = TopupState.IDLE.value, None, now
            row.failures, row.last_message = 0, "Paid."
            _notify(session, row, "auto_topup_paid", reference=payment.ref)
            return "paid"
        row.last_message = "Waiting for the bank to confirm."  # still running: one at a time
        return "pending"


def _own_row(session: Session, customer_id: int) -> AutoTopup:
    return session.exec(select(AutoTopup).where(AutoTopup.customer_id == customer_id)).one()
