"""Raw Socket.IO against the served app: a contact sends another customer's ids to every
payment handler (refused, nothing created or credited for them), and neither the
contact's nor the operator's traffic ever carries a gateway secret.

Demo data: Bea pays for Bluebird Call Centre on acme.localhost; Globex Retail is the
other customer, with a payment of its own already paid at localstripe.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlmodel import func, select

from portal_app.models import AutoTopup, Customer, LedgerEntry, PaymentAttempt, PaymentGateway
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.payment_gateways import gateway_create
from portal_app.services.payments import payment_open
from portal_app.state.gateways import GatewaysState
from portal_app.state.payments_admin import PaymentsState
from portal_app.state.portal_autotopup import PortalAutoTopupState
from portal_app.state.portal_payments import PortalPaymentsState
from tests import stripeserver as ls

from .test_socketio_guard import Client
from .test_socketio_portal import BrandClient

pytestmark = pytest.mark.live
PAY = PortalPaymentsState.get_full_name()
GW = GatewaysState.get_full_name()
ADMIN = PaymentsState.get_full_name()
TOP = PortalAutoTopupState.get_full_name()
SECRETS = (ls.SECRET_KEY, ls.WEBHOOK_SECRET)


def _seed(live_app, stripe_api) -> tuple[int, int, int]:
    """A Stripe gateway for USD, and Globex's attempt, paid at localstripe (not yet
    credited): (gateway id, Globex's customer id, its attempt id)."""
    with live_app.session() as session:
        for row in session.exec(select(PaymentGateway)).all():
            row.enabled = False
        gateway = gateway_create(
            session=session,
            actor=SYSTEM,
            data={
                "provider": "stripe",
                "name": f"Cards {uuid.uuid4().hex[:6]}",
                "mode": "test",
                "public_key": ls.PUBLIC_KEY,
                "secret_key": ls.SECRET_KEY,
                "webhook_secret": ls.WEBHOOK_SECRET,
                "currencies": "USD",
            },
        )
        other = session.exec(select(Customer).where(Customer.name == "Globex Retail")).one()
        attempt = PaymentAttempt(
            customer_id=other.id,
            gateway_id=gateway["id"],
            gateway_name="Cards",
            provider="stripe",
            amount=5000,
            currency=other.currency,
            idempotency_key=uuid.uuid4().hex,
        )
        session.add(attempt)
        session.commit()
        gina = Actor(kind="contact", id=None, label="gina", customer_id=other.id)
        payment_open(session=session, actor=gina, attempt_id=attempt.id)
        session.commit()
        ls.pay_intent(stripe_api, attempt.provider_ref)
        return gateway["id"], other.id, attempt.id


def _counts(live_app, customer_id: int) -> tuple[int, int, int]:
    with live_app.session() as session:
        entries = session.exec(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.customer_id == customer_id)
        ).one()
        attempts = session.exec(
            select(func.count())
            .select_from(PaymentAttempt)
            .where(PaymentAttempt.customer_id == customer_id)
        ).one()
        topups = session.exec(
            select(func.count()).select_from(AutoTopup).where(AutoTopup.customer_id == customer_id)
        ).one()
        return entries, attempts, topups


def test_forged_payment_ids_and_secrets_over_raw_socketio(live_app, stripe_api):
    port = live_app.url.rsplit(":", 1)[1]
    base = f"http://127.0.0.1:{port}"
    gateway_id, other_id, other_attempt = _seed(live_app, stripe_api)
    before = _counts(live_app, other_id)

    async def scenario():
        bea = BrandClient(base, f"http://acme.localhost:{port}", path="/portal/payments")
        await bea.connect()
        await bea.login("bea@bluebird.example", "bluebird-pass-1")
        forged = [
            (f"{PAY}.load", {"customer_id": other_id}),
            (f"{PAY}.load", {}),
            (f"{PAY}.choose", {"gateway_id": str(gateway_id + 1000)}),
            (f"{PAY}.set_amount", {"amount": "25"}),
            (
                f"{PAY}.submit",
                {
                    "form_data": {
                        "amount": "25",
                        "customer_id": other_id,
                        "attempt_id": other_attempt,
                    }
                },
            ),
            (f"{PAY}.pay", {}),
            (f"{PAY}.confirmed", {"result": {"ok": True, "attempt_id": other_attempt}}),
            (f"{PAY}.cancel", {}),
            (f"{TOP}.load", {"customer_id": other_id}),
            (f"{TOP}.start_card", {}),
            (f"{TOP}.confirm_card", {}),
            (f"{TOP}.card_confirmed", {"result": {"ok": True, "customer_id": other_id}}),
            (
                f"{TOP}.save",
                {
                    "form_data": {
                        "threshold": "1",
                        "topup_amount": "9",
                        "topup_enabled": "on",
                        "customer_id": other_id,
                    }
                },
            ),
            (f"{TOP}.forget_card", {}),
            (f"{ADMIN}.load", {}),
            (f"{ADMIN}.ask_refund", {"attempt_id": str(other_attempt)}),
            (f"{ADMIN}.refund", {"form_data": {"note": "x"}}),
            (f"{GW}.open_edit", {"gateway_id": str(gateway_id)}),
            (f"{GW}.refresh", {"gateway_id": str(gateway_id)}),
            (f"{GW}.delete", {}),
        ]
        # A refusal may send nothing: each call waits 0.5 s, and every reply, however late,
        # is kept in bea.messages; the last call's has 2 s more, as each call had before.
        for handler, payload in forged:
            await bea.call(handler, timeout=0.5, **payload)
        await asyncio.sleep(2.0)
        text = str(bea.messages)
        assert "malformed" in text  # the extra customer_id argument
        assert "Globex" not in text
        await bea.close()

        admin = Client(base)
        await admin.connect()
        await admin.login("admin@example.com", "admin-password-1")
        await admin.call(f"{GW}.load")
        await admin.call(f"{GW}.open_edit", gateway_id=str(gateway_id))
        await admin.call(f"{GW}.refresh", gateway_id=str(gateway_id))
        await admin.call(f"{ADMIN}.load")
        seen = str(admin.messages)
        assert "Cards" in seen and "Stripe accepted" in seen  # so the search could fail
        await admin.close()
        return text + seen

    traffic = asyncio.run(scenario())
    for secret in SECRETS:
        assert secret not in traffic
    assert _counts(live_app, other_id) == before  # nothing created or credited for Globex
    with live_app.session() as session:
        assert session.get(PaymentAttempt, other_attempt).status == "pending"
