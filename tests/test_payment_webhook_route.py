"""The Stripe webhook route and the reconciliation task, over HTTP and localstripe.

localstripe itself delivers the webhook: it signs ``payment_intent.succeeded`` with the
registered secret and posts it to a loopback relay (aiohttp) that hands body and
headers unchanged to the route, called through Starlette's TestClient.
"""

from __future__ import annotations

import asyncio
import threading
import time
import warnings
from datetime import timedelta

import pytest
from aiohttp import web
from sqlmodel import func, select

from portal_app.api.payments import payment_routes
from portal_app.api.routes import build_api
from portal_app.devserver import free_port
from portal_app.models import LedgerEntry, PaymentAttempt, PaymentEvent
from portal_app.models.base import utcnow
from portal_app.tasks import payments_reconcile
from tests import stripeserver as ls
from tests.services.test_payments import make_gateway, make_payer, opened

ROUTE = "/api/payments/stripe/webhook"


@pytest.fixture()
def client():
    with warnings.catch_warnings():  # it would rather have httpx2; httpx is what we have
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    with TestClient(build_api(*payment_routes())) as test_client:
        yield test_client


@pytest.fixture()
def relay_url(client):
    """A URL localstripe can post to; each post goes to the route as it came."""
    port, ready, stop = free_port(), threading.Event(), threading.Event()

    async def relay(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {"stripe-signature": request.headers.get("Stripe-Signature", "")}
        answer = await asyncio.to_thread(client.post, ROUTE, content=body, headers=headers)
        return web.Response(status=answer.status_code, body=answer.content)

    async def serve() -> None:
        app = web.Application()
        app.router.add_post("/hook", relay)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    ready.wait(10)
    yield f"http://127.0.0.1:{port}/hook"
    stop.set()
    thread.join(timeout=10)


def _credits(db, customer_id: int) -> int:
    db.expire_all()
    return db.exec(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.customer_id == customer_id)
    ).one()


def test_localstripe_webhook_credits_once(db, stripe_api, relay_url):
    ls.register_webhook(stripe_api, relay_url)
    gateway = make_gateway(db)
    payer = make_payer(db)
    attempt, _ = opened(db, payer, gateway["id"])
    ls.pay_intent(stripe_api, attempt.provider_ref)
    deadline = time.monotonic() + 30
    while _credits(db, payer.customer_id) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _credits(db, payer.customer_id) == 1
    db.expire_all()
    assert db.get(PaymentAttempt, attempt.id).status == "succeeded"
    ls.register_webhook(stripe_api, "http://127.0.0.1:9/", name="portal")  # stop sending
    # The reconciliation task asks about it only while pending: nothing more.
    assert payments_reconcile() == []
    assert _credits(db, payer.customer_id) == 1


def test_forged_and_unsigned_posts_get_400_and_are_recorded(db, client):
    make_gateway(db)
    payload, headers = ls.signed({"id": "evt_x", "type": "payment_intent.succeeded"}, secret="x")
    assert client.post(ROUTE, content=payload, headers=headers).status_code == 400
    assert client.post(ROUTE, content=b"{}").status_code == 400
    big = client.post(ROUTE, content=b"x" * (300 * 1024), headers=headers)
    assert big.status_code == 413
    db.expire_all()
    refused = db.exec(select(PaymentEvent).where(PaymentEvent.outcome == "refused")).all()
    assert len(refused) == 2


def test_reconciliation_credits_a_payment_whose_webhook_was_lost(db, stripe_api):
    gateway = make_gateway(db)  # no webhook registered at localstripe: it is "lost"
    payer = make_payer(db)
    attempt, _ = opened(db, payer, gateway["id"])
    ls.pay_intent(stripe_api, attempt.provider_ref)
    assert payments_reconcile() == []  # not pending long enough yet
    row = db.get(PaymentAttempt, attempt.id)
    row.updated_at = utcnow() - timedelta(minutes=5)
    db.commit()
    assert payments_reconcile() == ["credited"]
    assert payments_reconcile() == []
    assert _credits(db, payer.customer_id) == 1


def test_old_provider_events_are_purged(db):
    from portal_app.tasks import PAYMENT_EVENTS_KEEP, purge_expired

    old = PaymentEvent(
        provider="stripe", outcome="refused", created_at=utcnow() - PAYMENT_EVENTS_KEEP
    )
    db.add_all([old, PaymentEvent(provider="stripe", outcome="refused")])
    db.commit()
    purge_expired()
    db.expire_all()
    assert len(db.exec(select(PaymentEvent)).all()) == 1
