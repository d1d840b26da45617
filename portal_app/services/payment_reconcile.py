"""Reconciliation: asking the provider about payments that stay pending (a lost webhook,
or a crash between the provider's success and our write) and settling each from the
provider's own answer, through the same exactly-once path as a webhook
(``payment_settle.settle_once``). ``tasks.payment_reconcile_loop`` runs it at start and
every minute; several workers may ask at once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.models import AttemptStatus, PaymentAttempt, PaymentGateway
from portal_app.models.base import utcnow

from .db import session_scope
from .payment_gateways import credentials
from .payment_providers import ProviderError, provider_for
from .payment_settle import Outcome, settle_once

PENDING_TOO_LONG = timedelta(minutes=2)  # then the provider is asked (lost webhook, crash)
ABANDONED_AFTER = timedelta(days=1)  # an unpaid attempt this old is canceled
RECONCILE_BATCH = 50


def payment_reconcile_one(attempt_id: int, *, engine: sa.Engine | None = None) -> Outcome:
    """Ask the provider about one attempt and settle it from the answer. Blocking."""
    with session_scope(engine) as session:
        attempt = session.get(PaymentAttempt, attempt_id)
        gateway = session.get(PaymentGateway, attempt.gateway_id) if attempt else None
        if attempt is None or gateway is None or not attempt.provider_ref:
            return Outcome("ignored", "Nothing to ask the provider about.", attempt_id)
        provider, ref, creds = attempt.provider, attempt.provider_ref, credentials(gateway)
        gateway_id = gateway.id
    try:
        payment = provider_for(provider).retrieve(creds, ref)
    except ProviderError as exc:
        return Outcome("ignored", exc.message, attempt_id)
    outcome = settle_once(
        provider, payment, gateway_id=gateway_id, event_type="retrieve", engine=engine
    )
    if outcome.outcome == "ignored":
        with session_scope(engine) as session:
            attempt = session.get(PaymentAttempt, attempt_id)
            old = utcnow() - ABANDONED_AFTER
            if attempt and attempt.status == AttemptStatus.PENDING and attempt.created_at < old:
                attempt.status, attempt.problem = AttemptStatus.CANCELED.value, "Not paid in a day."
    return outcome


def payments_due(*, session: Session, now=None) -> tuple[list[int], int]:
    """Attempts pending too long (to ask the provider about), and how many that never
    reached the provider were canceled. Unpaid ones are canceled after ABANDONED_AFTER
    by ``payment_reconcile_one``, once the provider has said they are not paid."""
    now = now or utcnow()
    rows = session.exec(
        select(PaymentAttempt)
        .where(
            PaymentAttempt.status == AttemptStatus.PENDING.value,
            PaymentAttempt.problem == "",
            PaymentAttempt.updated_at < now - PENDING_TOO_LONG,
        )
        .order_by(PaymentAttempt.updated_at)
        .limit(RECONCILE_BATCH)
    ).all()
    due, canceled = [], 0
    for row in rows:
        if row.provider_ref is None and row.created_at < now - PENDING_TOO_LONG * 5:
            # Never reached the provider (or we crashed before noting its reference:
            # its webhook still finds the attempt by the metadata's id).
            row.status, canceled = AttemptStatus.CANCELED.value, canceled + 1
        elif row.provider_ref is not None:
            due.append(row.id)
        row.updated_at = now  # asked again after PENDING_TOO_LONG
    return due, canceled
