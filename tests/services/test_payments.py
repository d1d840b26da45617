"""Payments against localstripe, on SQLite and PostgreSQL: gateways keep their keys
secret, attempts are credited exactly once whatever the webhooks do, refusals credit
nothing and are visible, refunds reverse the credit once."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlmodel import Session, func, select

from portal_app.models import (
    AuditEvent,
    Contact,
    Customer,
    LedgerEntry,
    OutboxMessage,
    PaymentAttempt,
    PaymentCredit,
    PaymentEvent,
)
from portal_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal_app.services.identity import Actor
from portal_app.services.ledger import balance
from portal_app.services.payment_admin import payment_event_list, payment_list, payment_refund
from portal_app.services.payment_gateways import (
    gateway_check,
    gateway_create,
    gateway_delete,
    gateway_list,
    gateway_update,
)
from portal_app.services.payment_reconcile import payment_reconcile_one
from portal_app.services.payment_settle import payment_webhook
from portal_app.services.payments import (
    payment_history,
    payment_open,
    payment_options,
    payment_quote,
    payment_start,
)
from tests import stripeserver as ls

CASHIER = Actor(kind="operator", id=1, label="cashier@example.com", grants={"payment": "allow"})
SUPPORT = Actor(kind="operator", id=2, label="support@example.com", grants={"customer": "allow"})
STRIPE_FORM = {
    "provider": "stripe",
    "name": "Cards",
    "mode": "test",
    "public_key": ls.PUBLIC_KEY,
    "secret_key": ls.SECRET_KEY,
    "webhook_secret": ls.WEBHOOK_SECRET,
    "currencies": "USD, EUR",
    "min_amount": "5",
    "max_amount": "500",
    "surcharge_percent": "2.5",
    "surcharge_fixed": "0.30",
    "presets": "10, 25, 50",
}


def make_gateway(db: Session, **changes) -> dict:
    view = gateway_create(session=db, actor=CASHIER, data={**STRIPE_FORM, **changes})
    db.commit()
    return view


def make_payer(db: Session, currency: str = "USD", name: str = "Bluebird") -> Actor:
    customer = Customer(name=name, currency=currency)
    db.add(customer)
    db.flush()
    contact = Contact(customer_id=customer.id, name="Bea", email=f"bea@{name.lower()}.example")
    db.add(contact)
    db.commit()
    return Actor(kind="contact", id=contact.id, label=contact.email, customer_id=customer.id)


def opened(db: Session, payer: Actor, gateway_id: int, amount: str = "10.00"):
    attempt = payment_start(session=db, actor=payer, gateway_id=gateway_id, amount=amount)
    db.commit()
    result = payment_open(session=db, actor=payer, attempt_id=attempt.id)
    db.commit()
    return db.get(PaymentAttempt, attempt.id), result


def credits(db: Session, customer_id: int) -> int:
    db.expire_all()
    return db.exec(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.customer_id == customer_id)
    ).one()


def test_gateway_keys_never_leave_and_unchanged_means_unchanged(db):
    view = make_gateway(db)
    text = json.dumps(gateway_list(session=db, actor=CASHIER))
    audits = json.dumps([a.after for a in db.exec(select(AuditEvent)).all()])
    for secret in (ls.SECRET_KEY, ls.WEBHOOK_SECRET):
        assert secret not in text and secret not in audits
    assert view["has_secret_key"] and view["has_webhook_secret"]
    assert view["surcharge_percent"] == "2.50" and view["presets"] == "10, 25, 50"
    data = {**STRIPE_FORM, "secret_key": "", "webhook_secret": "", "name": "Cards 2"}
    after = gateway_update(session=db, actor=CASHIER, gateway_id=view["id"], data=data)
    db.commit()
    assert after["name"] == "Cards 2" and after["has_secret_key"] and after["has_webhook_secret"]
    assert "sk_test" not in json.dumps(
        db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()[-1].after
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mode": "test", "secret_key": "sk_live_abcdef0123"}, "secret_key"),
        ({"mode": "live"}, "public_key"),  # test keys in a live gateway
        ({"public_key": "sk_test_oops"}, "public_key"),
        ({"webhook_secret": "nope"}, "webhook_secret"),
        ({"currencies": "USD, XYZ"}, "currencies"),
        ({"currencies": "JPY", "min_amount": "5.50"}, "min_amount"),
        ({"min_amount": "50", "max_amount": "10"}, "max_amount"),
        ({"presets": "1000"}, "presets"),
        ({"surcharge_percent": "25"}, "surcharge_percent"),
        ({"provider": "bitcoin"}, "provider"),
    ],
)
def test_gateway_bad_input_saves_nothing(db, changes, field):
    with pytest.raises(ValidationError) as info:
        gateway_create(session=db, actor=CASHIER, data={**STRIPE_FORM, **changes})
    db.rollback()
    assert field in info.value.fields
    assert gateway_list(session=db, actor=CASHIER) == []


def test_switching_mode_needs_a_key_of_that_mode(db):
    view = make_gateway(db)
    data = {**STRIPE_FORM, "mode": "live", "public_key": "pk_live_x1", "secret_key": ""}
    with pytest.raises(ValidationError) as info:
        gateway_update(session=db, actor=CASHIER, gateway_id=view["id"], data=data)
    assert "secret_key" in info.value.fields


def test_only_the_payment_area_sees_gateways(db):
    make_gateway(db)
    with pytest.raises(PermissionDenied):
        gateway_list(session=db, actor=SUPPORT)
    with pytest.raises(PermissionDenied):
        gateway_create(session=db, actor=SUPPORT, data=STRIPE_FORM)


def test_refresh_asks_stripe(db, stripe_api):
    view = make_gateway(db)
    checked = gateway_check(session=db, actor=CASHIER, gateway_id=view["id"])
    assert checked["check_ok"] is True and "accepted" in checked["check_message"]


def test_options_and_quote_follow_currency_limits_and_surcharge(db):
    usd = make_gateway(db)
    make_gateway(db, name="Euro only", currencies="EUR")
    payer = make_payer(db)
    options = payment_options(session=db, actor=payer)
    assert [o["name"] for o in options] == ["Cards"]
    assert options[0]["presets"] == ["10.00", "25.00", "50.00"]
    quote = payment_quote(session=db, actor=payer, gateway_id=usd["id"], amount="100")
    assert (quote.amount, quote.surcharge, quote.total) == (10000, 280, 10280)
    for amount, field in (("4.99", "amount"), ("500.01", "amount"), ("1e3", "amount")):
        with pytest.raises(ValidationError) as info:
            payment_quote(session=db, actor=payer, gateway_id=usd["id"], amount=amount)
        assert field in info.value.fields
    with pytest.raises(PermissionDenied):
        payment_options(session=db, actor=CASHIER)


def test_pay_then_reconcile_credits_once_and_mails_a_receipt(db, engine, stripe_api):
    gateway = make_gateway(db)
    payer = make_payer(db)
    attempt, result = opened(db, payer, gateway["id"])
    assert attempt.provider_ref.startswith("pi_") and result.client_secret
    assert attempt.status == "pending" and (attempt.amount, attempt.surcharge) == (1000, 55)
    ls.pay_intent(stripe_api, attempt.provider_ref)
    assert payment_reconcile_one(attempt.id, engine=engine).outcome == "credited"
    assert payment_reconcile_one(attempt.id, engine=engine).outcome == "duplicate"
    db.expire_all()
    assert balance(session=db, actor=payer, customer_id=payer.customer_id) == 1000
    assert credits(db, payer.customer_id) == 1
    assert payment_history(session=db, actor=payer)[0]["status"] == "succeeded"
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "payment_receipt")).all()
    assert [m.recipient for m in mail] == [payer.label]


def test_another_customers_attempt_is_not_found(db, stripe_api):
    gateway = make_gateway(db)
    payer, other = make_payer(db), make_payer(db, name="Northwind")
    attempt = payment_start(session=db, actor=payer, gateway_id=gateway["id"], amount="10")
    db.commit()
    with pytest.raises(NotFound):
        payment_open(session=db, actor=other, attempt_id=attempt.id)
    assert db.get(PaymentAttempt, attempt.id).provider_ref is None


def _succeeded_intent(db, stripe_api, **over) -> tuple[PaymentAttempt, dict]:
    gateway = make_gateway(db)
    payer = make_payer(db)
    attempt, _ = opened(db, payer, gateway["id"])
    intent = ls.pay_intent(stripe_api, attempt.provider_ref)
    return attempt, {**intent, **over}


def test_ten_concurrent_duplicate_webhooks_credit_exactly_once(db, engine, stripe_api):
    attempt, intent = _succeeded_intent(db, stripe_api)
    payload, headers = ls.signed(ls.intent_event(intent))
    outcomes: list[str] = []
    start = threading.Barrier(10)

    def deliver():
        start.wait()
        outcomes.append(payment_webhook("stripe", payload, headers, engine=engine).outcome)

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["credited"] + ["duplicate"] * 9
    assert credits(db, attempt.customer_id) == 1
    assert db.exec(select(func.count()).select_from(PaymentCredit)).one() == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("bad_signature", "does not match"),
        ("stale", "too old"),
        ("unknown", "No payment attempt"),
        ("amount", "Amount"),
        ("currency", "Currency"),
        ("customer", "another customer"),
    ],
)
def test_refused_webhooks_credit_nothing_and_say_why(db, engine, stripe_api, case, message):
    attempt, intent = _succeeded_intent(db, stripe_api)
    secret, at = ls.WEBHOOK_SECRET, None
    if case == "bad_signature":
        secret = "whsec_somebody_else"
    elif case == "stale":
        at = int(time.time()) - 3600
    elif case == "unknown":
        intent = {**intent, "id": "pi_unknown", "metadata": {}}
    elif case == "amount":
        intent = {**intent, "amount": 1, "amount_received": 1}
    elif case == "currency":
        intent = {**intent, "currency": "eur"}
    elif case == "customer":
        intent = {**intent, "metadata": {**intent["metadata"], "customer_id": "999999"}}
    payload, headers = ls.signed(ls.intent_event(intent), secret=secret, at=at)
    outcome = payment_webhook("stripe", payload, headers, engine=engine)
    assert outcome.outcome == "refused" and message in outcome.message
    assert credits(db, attempt.customer_id) == 0
    events = db.exec(select(PaymentEvent).where(PaymentEvent.outcome == "refused")).all()
    assert [message in e.message for e in events] == [True]
    if case in ("amount", "currency", "customer"):
        assert message in db.get(PaymentAttempt, attempt.id).problem
        rows, _ = payment_list(session=db, actor=CASHIER, problems_only=True)
        assert [r["id"] for r in rows] == [attempt.id]
    assert message in payment_event_list(session=db, actor=CASHIER)[0]["message"]


def test_refund_reverses_the_credit_once(db, engine, stripe_api):
    attempt, intent = _succeeded_intent(db, stripe_api)
    payload, headers = ls.signed(ls.intent_event(intent))
    assert payment_webhook("stripe", payload, headers, engine=engine).outcome == "credited"
    db.expire_all()
    payment_refund(session=db, actor=CASHIER, attempt_id=attempt.id, note="asked by phone")
    db.commit()
    assert balance(session=db, actor=CASHIER, customer_id=attempt.customer_id) == 0
    with pytest.raises(Conflict):
        payment_refund(session=db, actor=CASHIER, attempt_id=attempt.id)
    db.rollback()
    # A late duplicate of the success webhook does not credit the refunded payment again.
    assert payment_webhook("stripe", payload, headers, engine=engine).outcome == "duplicate"
    assert balance(session=db, actor=CASHIER, customer_id=attempt.customer_id) == 0
    rows, total = payment_list(session=db, actor=CASHIER, status="refunded")
    assert total == 1 and rows[0]["customer"] == "Bluebird"
    assert payment_list(session=db, actor=CASHIER, status="pending") == ([], 0)
    with pytest.raises(PermissionDenied):
        payment_list(session=db, actor=SUPPORT)


def test_delete_refused_while_a_payment_is_pending(db, stripe_api):
    gateway = make_gateway(db)
    payer = make_payer(db)
    attempt, _ = opened(db, payer, gateway["id"])
    with pytest.raises(Conflict):
        gateway_delete(session=db, actor=CASHIER, gateway_id=gateway["id"])
    db.rollback()
    attempt = db.get(PaymentAttempt, attempt.id)
    attempt.status = "canceled"
    db.commit()
    gateway_delete(session=db, actor=CASHIER, gateway_id=gateway["id"])
    db.commit()
    assert gateway_list(session=db, actor=CASHIER) == []
    assert db.get(PaymentAttempt, attempt.id).gateway_name == "Cards"


def test_gateways_sharing_a_signing_secret_settle_through_the_attempts_own(db, engine, stripe_api):
    """Two gateways on one Stripe account (same webhook secret): an event verified by the
    first is the second's too, so a payment through the second is credited."""
    first = make_gateway(db, name="Cards A")
    second = make_gateway(db, name="Cards B")
    payer = make_payer(db)
    attempt, _ = opened(db, payer, second["id"])
    assert attempt.gateway_id == second["id"] != first["id"]
    intent = ls.pay_intent(stripe_api, attempt.provider_ref)
    payload, headers = ls.signed(ls.intent_event(intent))
    assert payment_webhook("stripe", payload, headers, engine=engine).outcome == "credited"
    assert credits(db, payer.customer_id) == 1
