"""A crash between the provider's "paid" and our write: the served app is SIGKILLed after
Stripe (localstripe) confirmed a payment and before any webhook or return reached us. The
restarted app's reconciliation asks Stripe and credits exactly once; the webhook that
arrives late is a duplicate. On PostgreSQL every worker reconciles at start, so the one
credit also holds against several workers asking at once."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import httpx
import pytest
from sqlmodel import func, select

from portal_app.models import Contact, LedgerEntry, PaymentAttempt, PaymentCredit, PaymentGateway
from portal_app.models.base import utcnow
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.payment_gateways import gateway_create
from portal_app.services.payments import payment_open, payment_start
from tests import stripeserver as ls

pytestmark = pytest.mark.live


def _credits(live_app, attempt_id: int) -> tuple[int, int]:
    """(ledger rows of this payment, PaymentCredit rows of this payment)."""
    with live_app.session() as session:
        attempt = session.get(PaymentAttempt, attempt_id)
        ledger = session.exec(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.customer_id == attempt.customer_id)
            .where(LedgerEntry.reference == attempt.provider_ref)
        ).one()
        credit = session.exec(
            select(func.count())
            .select_from(PaymentCredit)
            .where(PaymentCredit.attempt_id == attempt_id)
        ).one()
        return ledger, credit


def _paid_attempt(live_app, stripe_api) -> PaymentAttempt:
    """What the portal does before the customer pays (the attempt row, then the
    PaymentIntent), then what Stripe.js does in the browser: the card is confirmed."""
    with live_app.session() as session:
        for row in session.exec(select(PaymentGateway)).all():
            row.enabled = False
        gateway = gateway_create(
            session=session,
            actor=SYSTEM,
            data={
                "provider": "stripe",
                "name": "Cards after a crash",
                "mode": "test",
                "public_key": ls.PUBLIC_KEY,
                "secret_key": ls.SECRET_KEY,
                "webhook_secret": ls.WEBHOOK_SECRET,
                "currencies": "USD",
            },
        )
        session.commit()
        bea = session.exec(select(Contact).where(Contact.email == "bea@bluebird.example")).one()
        payer = Actor(kind="contact", id=bea.id, label=bea.email, customer_id=bea.customer_id)
        attempt = payment_start(session=session, actor=payer, gateway_id=gateway["id"], amount="42")
        session.commit()
        payment_open(session=session, actor=payer, attempt_id=attempt.id)
        session.commit()
        attempt = session.get(PaymentAttempt, attempt.id)
    ls.pay_intent(stripe_api, attempt.provider_ref)
    return attempt


def test_a_payment_confirmed_before_a_kill_9_is_credited_once_after_restart(live_app, stripe_api):
    attempt = _paid_attempt(live_app, stripe_api)
    os.killpg(live_app.served.proc.pid, signal.SIGKILL)
    live_app.served.proc.wait()
    try:
        with live_app.session() as session:
            row = session.get(PaymentAttempt, attempt.id)
            assert row.status == "pending"  # Stripe has the money; we wrote nothing
            # The crash was a while ago: the attempt is due for a question to Stripe.
            row.updated_at = utcnow() - timedelta(minutes=10)
            session.add(row)
            session.commit()
        assert _credits(live_app, attempt.id) == (0, 0)
    finally:  # started again even when these fail: a rerun, and the tests after, need it
        live_app.restart()
    deadline = time.monotonic() + 90  # the reconciliation runs beside the server's start
    with live_app.session() as session:
        while session.get(PaymentAttempt, attempt.id).status != "succeeded":
            assert time.monotonic() < deadline, "the restarted app did not reconcile"
            time.sleep(0.5)
            session.expire_all()
    assert _credits(live_app, attempt.id) == (1, 1)

    # Stripe's retry of the webhook arrives after the repair: a duplicate, no 2nd credit.
    intent = httpx.get(
        f"{stripe_api}/v1/payment_intents/{attempt.provider_ref}", auth=(ls.SECRET_KEY, "")
    ).json()
    payload, headers = ls.signed(ls.intent_event(intent))
    for _ in range(3):
        answer = httpx.post(
            f"{live_app.url}/api/payments/stripe/webhook",
            content=payload,
            headers=headers | {"content-type": "application/json"},
        )
        assert answer.json() == {"outcome": "duplicate"}
    assert _credits(live_app, attempt.id) == (1, 1)
