"""Settling a payment attempt from the provider's word, exactly once.

The provider's word is a verified webhook (``payment_webhook``) or our own server-side
retrieve (``payment_reconcile_one``, after the browser says it is done and from the
reconciliation task). Either way ``payment_settle`` checks that amount, currency and
customer agree with the attempt, then adds the ledger credit and a ``payment_credit``
row in one transaction. That row is UNIQUE per provider payment: of any number of
duplicate, concurrent or replayed events, one transaction inserts it and every other
one fails on the constraint and rolls back with its ledger entry (``settle_once``).
Nothing here trusts a check in Python to keep money from being credited twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.models import (
    AttemptStatus,
    Contact,
    CreditKind,
    Customer,
    PaymentAttempt,
    PaymentCredit,
    PaymentEvent,
    PaymentGateway,
    PortalDomain,
)
from portal_app.models.base import utcnow

from .db import session_scope
from .emails import email_compose
from .identity import SYSTEM
from .ledger import balance, ledger_record
from .money import format_minor, plain_minor
from .outbox import outbox_enqueue, wake_after_commit
from .payment_gateways import credentials
from .payment_providers import (
    ProviderPayment,
    WebhookRefused,
    provider_for,
)

log = logging.getLogger("portal.payments")


@dataclass(frozen=True)
class Outcome:
    outcome: str  # credited, duplicate, updated, ignored, refused
    message: str = ""
    attempt_id: int | None = None


def _event(session: Session, provider: str, outcome: Outcome, event_id="", event_type=""):
    session.add(
        PaymentEvent(
            provider=provider,
            event_id=event_id[:120],
            event_type=event_type[:80],
            attempt_id=outcome.attempt_id,
            outcome=outcome.outcome,
            message=outcome.message[:500],
        )
    )


def _find(session: Session, provider: str, payment: ProviderPayment) -> PaymentAttempt | None:
    found = session.exec(
        select(PaymentAttempt).where(
            PaymentAttempt.provider == provider, PaymentAttempt.provider_ref == payment.ref
        )
    ).first()
    if found is None and payment.attempt_id is not None:
        # Created at the provider, but we crashed before noting its reference.
        found = session.get(PaymentAttempt, payment.attempt_id)
        if found is not None and (found.provider != provider or found.provider_ref is not None):
            found = None
    return found


def _mismatch(attempt: PaymentAttempt, payment: ProviderPayment, customer: Customer | None):
    if payment.customer_id is not None and payment.customer_id != attempt.customer_id:
        return "The provider names another customer than the payment attempt."
    if payment.currency != attempt.currency:
        return f"Currency {payment.currency[:3]} does not match {attempt.currency}."
    total = attempt.amount + attempt.surcharge
    if payment.amount != total:
        return (
            f"Amount {payment.amount} does not match the attempt's {total} "
            f"(minor units of {attempt.currency})."
        )
    if customer is None or customer.currency != attempt.currency:
        return "The customer's currency changed since the payment started."
    return None


def _receipt(session: Session, attempt: PaymentAttempt, customer: Customer) -> None:
    contact = session.get(Contact, attempt.contact_id) if attempt.contact_id else None
    if contact is None:
        return
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    code = attempt.currency
    email = email_compose(
        session=session,
        kind="payment_receipt",
        to=contact.email,
        domain=domain,
        customer=customer.name,
        gateway=attempt.gateway_name,
        total=format_minor(attempt.amount + attempt.surcharge, code),
        amount=format_minor(attempt.amount, code),
        surcharge=format_minor(attempt.surcharge, code) if attempt.surcharge else "",
        reference=attempt.provider_ref or "",
        balance=format_minor(balance(session=session, actor=SYSTEM, customer_id=customer.id), code),
    )
    outbox_enqueue(session=session, email=email)
    wake_after_commit(session)


def payment_settle(
    *, session: Session, provider: str, payment: ProviderPayment, gateway_id: int | None = None
) -> Outcome:
    """Apply what the provider says to its attempt, in the caller's transaction.

    A success credits the ledger; the caller's commit raises IntegrityError if another
    transaction already credited this payment (``settle_once`` maps that). ``gateway_id``
    is the gateway whose secret verified the event: it must be the attempt's.
    """
    attempt = _find(session, provider, payment)
    if attempt is None:
        return Outcome("refused", f"No payment attempt is known for {payment.ref[:60]}.")
    if gateway_id is not None and attempt.gateway_id != gateway_id:
        return Outcome("refused", "The event came through another gateway.", attempt.id)
    if payment.status != AttemptStatus.SUCCEEDED:
        if payment.status in ("failed", "canceled") and attempt.status == "pending":
            attempt.status, attempt.updated_at = payment.status, utcnow()
            attempt.provider_ref = attempt.provider_ref or payment.ref
            return Outcome("updated", f"The provider says {payment.status}.", attempt.id)
        return Outcome("ignored", f"The provider says {payment.status}.", attempt.id)
    if attempt.status in (AttemptStatus.SUCCEEDED, AttemptStatus.REFUNDED):
        return Outcome("duplicate", "Already credited.", attempt.id)
    customer = session.get(Customer, attempt.customer_id)
    problem = _mismatch(attempt, payment, customer)
    if problem is not None:
        attempt.problem, attempt.updated_at = problem, utcnow()
        return Outcome("refused", problem, attempt.id)
    assert customer is not None
    attempt.provider_ref = attempt.provider_ref or payment.ref
    recorded = ledger_record(
        session=session,
        actor=SYSTEM,
        customer_id=customer.id,
        kind="payment",
        amount=plain_minor(attempt.amount, attempt.currency),
        reference=payment.ref[:120],
        note=f"{attempt.gateway_name} payment #{attempt.id}",
    )
    session.add(
        PaymentCredit(
            provider=provider,
            provider_payment_id=payment.ref,
            kind=CreditKind.CREDIT.value,
            attempt_id=attempt.id,
            ledger_entry_id=recorded.entry.id,
        )
    )
    session.flush()  # the UNIQUE constraint speaks here (or at commit)
    attempt.status, attempt.problem = AttemptStatus.SUCCEEDED.value, ""
    attempt.settled_at = attempt.updated_at = utcnow()
    _receipt(session, attempt, customer)
    return Outcome("credited", "Credited.", attempt.id)


def settle_once(
    provider: str,
    payment: ProviderPayment,
    *,
    gateway_id: int | None = None,
    event_id: str = "",
    event_type: str = "",
    engine: sa.Engine | None = None,
) -> Outcome:
    """``payment_settle`` in its own transaction; a lost race on the constraint is a
    duplicate, recorded as such with nothing credited. Blocking."""
    try:
        with session_scope(engine) as session:
            outcome = payment_settle(
                session=session, provider=provider, payment=payment, gateway_id=gateway_id
            )
            if outcome.outcome != "ignored" or event_type != "retrieve":
                _event(session, provider, outcome, event_id, event_type)
            return outcome
    except sa.exc.IntegrityError:
        outcome = Outcome("duplicate", "Already credited (concurrent event).")
        with session_scope(engine) as session:
            found = _find(session, provider, payment)
            outcome = replace(outcome, attempt_id=found.id if found else None)
            _event(session, provider, outcome, event_id, event_type)
        return outcome


def _gateways(session: Session, provider: str) -> list[PaymentGateway]:
    return list(session.exec(select(PaymentGateway).where(PaymentGateway.provider == provider)))


def payment_webhook(
    provider: str, payload: bytes, headers: Mapping[str, str], *, engine: sa.Engine | None = None
) -> Outcome:
    """Verify a webhook with each gateway's secret of that provider, then settle. Blocking.

    Unverified bodies are refused before anything is read from them; the refusal is
    recorded (without the body) so the operator sees that someone tried."""
    impl = provider_for(provider)
    with session_scope(engine) as session:
        keys = [(g.id, credentials(g)) for g in _gateways(session, provider)]
    reason = "No gateway of this provider has a webhook signing secret."
    for gateway_id, creds in keys:
        if not creds.webhook_secret:
            continue
        try:
            event = impl.read_webhook(creds, payload, headers)
        except WebhookRefused as exc:
            reason = exc.message
            continue
        if event.payment is None:
            return Outcome("ignored", f"Event {event.type} needs nothing.")
        # Gateways may share one signing secret (one Stripe account, two names): the
        # event is verified for each of them, so it is the attempt's if it is among them.
        verified = {gid for gid, c in keys if c.webhook_secret == creds.webhook_secret}
        return settle_once(
            provider,
            event.payment,
            gateway_id=_attempt_gateway(provider, event.payment, verified, engine) or gateway_id,
            event_id=event.id,
            event_type=event.type,
            engine=engine,
        )
    outcome = Outcome("refused", reason)
    with session_scope(engine) as session:
        _event(session, provider, outcome, event_type="unverified")
    return outcome


def _attempt_gateway(
    provider: str, payment: ProviderPayment, verified: set[int], engine: sa.Engine | None
) -> int | None:
    with session_scope(engine) as session:
        attempt = _find(session, provider, payment)
        return attempt.gateway_id if attempt and attempt.gateway_id in verified else None
