"""PayPal through the same payment services, against the local PayPal (tests/fakes/paypal):
order, approval, server-side capture on return, verified webhooks, exactly one credit."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from sqlmodel import Session, func, select

from portal_app.models import LedgerEntry, PaymentAttempt
from portal_app.services.payment_gateways import gateway_check, gateway_create
from portal_app.services.payment_reconcile import payment_reconcile_one
from portal_app.services.payment_settle import payment_webhook
from portal_app.services.payments import payment_open, payment_returned, payment_start
from tests.fakes.paypal import CLIENT_ID, MERCHANT_EMAIL, SECRET

from .test_payments import CASHIER, make_payer

RETURN = "http://alpha.example.test:3000/portal/payments"


def _gateway(db: Session, webhook_id: str = "") -> dict:
    data = {
        "provider": "paypal",
        "name": "PayPal",
        "mode": "test",
        "public_key": CLIENT_ID,
        "secret_key": SECRET,
        "webhook_secret": webhook_id,
        "account_email": MERCHANT_EMAIL,
        "currencies": "USD",
    }
    view = gateway_create(session=db, actor=CASHIER, data=data)
    db.commit()
    return view


def _approved(db: Session, paypal, gateway_id: int):
    payer = make_payer(db)
    attempt = payment_start(session=db, actor=payer, gateway_id=gateway_id, amount="12.50")
    db.commit()
    opened = payment_open(session=db, actor=payer, attempt_id=attempt.id, return_url=RETURN)
    db.commit()
    assert opened.approve_url.startswith(paypal.url)
    order_id = db.get(PaymentAttempt, attempt.id).provider_ref
    back = httpx.post(
        f"{paypal.url}/checkoutnow", data={"token": order_id, "action": "approve"}
    ).headers["location"]
    assert back.startswith(RETURN) and f"token={order_id}" in back
    return payer, attempt, order_id


def _credits(db: Session) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(LedgerEntry)).one()


def test_refresh_checks_paypal_credentials(db, paypal_api):
    view = _gateway(db)
    assert gateway_check(session=db, actor=CASHIER, gateway_id=view["id"])["check_ok"] is True


def test_return_captures_server_side_and_credits_once(db, engine, paypal_api):
    gateway = _gateway(db)
    payer, attempt, order_id = _approved(db, paypal_api, gateway["id"])
    other = make_payer(db, name="Northwind")
    assert payment_returned(session=db, actor=other, provider_ref=order_id) is None
    found = payment_returned(session=db, actor=payer, provider_ref=order_id)
    assert payment_reconcile_one(found, engine=engine).outcome == "credited"
    assert payment_reconcile_one(found, engine=engine).outcome == "duplicate"
    assert _credits(db) == 1
    db.expire_all()
    assert db.get(PaymentAttempt, attempt.id).status == "succeeded"


def test_duplicate_verified_webhooks_credit_exactly_once(db, engine, paypal_api):
    relay: list[tuple[bytes, dict]] = []
    hook_id = paypal_api.register_webhook("http://127.0.0.1:9/unused")
    paypal_api.drop_webhooks()  # recorded, delivered by hand below
    gateway = _gateway(db, webhook_id=hook_id)
    _payer, _attempt, order_id = _approved(db, paypal_api, gateway["id"])
    # The payer never comes back: the capture (and its webhook) comes from elsewhere.
    with httpx.Client(base_url=paypal_api.url) as http:
        token = http.post(
            "/v1/oauth2/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, SECRET)
        ).json()["access_token"]
        http.post(
            f"/v2/checkout/orders/{order_id}/capture",
            json={},
            headers={"Authorization": f"Bearer {token}"},
        ).raise_for_status()
    paypal_api.drop_webhooks(False)
    (event,) = [e for e in paypal_api.events if e["event_type"] == "PAYMENT.CAPTURE.COMPLETED"]
    for delivery in paypal_api.resend(event["id"]):
        relay.append((delivery.body, delivery.headers))
    payload, headers = relay[0]
    outcomes: list[str] = []
    start = threading.Barrier(10)

    def deliver():
        start.wait()
        outcomes.append(payment_webhook("paypal", payload, headers, engine=engine).outcome)

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["credited"] + ["duplicate"] * 9
    assert _credits(db) == 1
    forged = json.loads(payload)
    forged["resource"]["amount"]["value"] = "1250.00"
    tampered = payment_webhook("paypal", json.dumps(forged).encode(), headers, engine=engine)
    assert tampered.outcome == "refused" and _credits(db) == 1


@pytest.mark.parametrize("mode", ["live"])
def test_gateway_modes_are_sandbox_or_live(db, mode):
    data = {
        "provider": "paypal",
        "name": "PayPal live",
        "mode": mode,
        "public_key": CLIENT_ID,
        "secret_key": SECRET,
        "currencies": "USD",
    }
    assert gateway_create(session=db, actor=CASHIER, data=data)["mode"] == "live"
