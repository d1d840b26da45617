"""PortalPaymentsState: a contact pays its own customer's balance through localstripe;
the browser's word credits nothing, forged ids reach nothing, no secret reaches it."""

from __future__ import annotations

import json

import httpx
from sqlmodel import select

from portal_app.models import LedgerEntry, PaymentAttempt, PortalDomain
from portal_app.services.identity import SYSTEM
from portal_app.services.payment_gateways import gateway_create
from portal_app.state.portal_payments import PortalPaymentsState
from tests import stripeserver as ls

from .helpers import call, count, fresh, make_state
from .portal_seed import seed_tenant, sent_text

GATEWAY = {
    "provider": "stripe",
    "name": "Cards",
    "mode": "test",
    "public_key": ls.PUBLIC_KEY,
    "secret_key": ls.SECRET_KEY,
    "webhook_secret": ls.WEBHOOK_SECRET,
    "currencies": "EUR",
    "surcharge_percent": "2",
    "presets": "10, 20",
}


def _world(db, payments_allowed: bool = True):
    me = seed_tenant(db, "Alpha", "alpha.example.test", entries=0)
    other = seed_tenant(db, "Beta", "beta.example.test", entries=0)
    if payments_allowed:
        for tenant in (me, other):
            domain = db.get(PortalDomain, tenant.domain_id)
            domain.access = [*domain.access, "payments"]
    gateway_create(session=db, actor=SYSTEM, data=GATEWAY)
    db.commit()
    return me, other


def _state(tenant) -> PortalPaymentsState:
    return make_state(PortalPaymentsState, token=tenant.token, **tenant.router("/portal/payments"))


def test_pay_by_card_then_the_balance_shows_without_reload(db, stripe_api):
    me, _other = _world(db)
    state = _state(me)
    sent = [sent_text(call(state, "load"))]
    assert [o.name for o in state.options] == ["Cards"] and state.options[0].presets[0] == "10.00"
    sent.append(sent_text(call(state, "set_amount", amount="10")))
    assert state.quote == "Surcharge €0.20 · you pay €10.20"
    out = call(state, "submit", form_data={"amount": "10"})
    assert state.step == "card"
    (attempt,) = fresh(db, PaymentAttempt)
    assert (attempt.customer_id, attempt.amount, attempt.surcharge) == (me.customer_id, 1000, 20)
    # The client secret reaches the page only inside the confirming script, never a var.
    assert "_secret_" not in json.dumps(out.delta, default=str)
    sent.append(json.dumps(out.delta, default=str))
    call(state, "pay")
    # The browser says "paid" before it is: nothing is credited on its word.
    call(state, "confirmed", result={"ok": True, "status": "succeeded"})
    assert count(db, LedgerEntry) == 0 and "pending" in state.message
    ls.pay_intent(stripe_api, attempt.provider_ref)
    out = call(state, "confirmed", result={"ok": True, "status": "succeeded"})
    assert out.toasts == [("success", "Thank you: your balance is now €10.00.")]
    assert state.balance == "€10.00" and state.history[0].status == "succeeded"
    sent.append(sent_text(out))
    text = " ".join(sent)
    assert ls.SECRET_KEY not in text and ls.WEBHOOK_SECRET not in text
    assert count(db, LedgerEntry) == 1


def test_forged_customer_and_attempt_ids_reach_nothing(db, stripe_api):
    me, other = _world(db)
    theirs = _state(other)
    call(theirs, "load")
    call(theirs, "submit", form_data={"amount": "10"})
    (their_attempt,) = fresh(db, PaymentAttempt)
    ls.pay_intent(stripe_api, their_attempt.provider_ref)
    state = _state(me)
    call(state, "load")
    forged = {"amount": "10", "customer_id": other.customer_id, "attempt_id": their_attempt.id}
    call(state, "submit", form_data=forged)
    mine = fresh(db, PaymentAttempt, PaymentAttempt.customer_id == me.customer_id)
    assert len(mine) == 1
    call(state, "pay")
    call(state, "confirmed", result={"ok": True, "attempt_id": their_attempt.id})
    assert count(db, LedgerEntry) == 0  # neither theirs (paid) nor mine (unpaid) credited
    out = call(state, "choose", gateway_id="999")
    assert state.gateway_id == state.options[0].id and "Beta" not in sent_text(out)
    assert db.exec(select(LedgerEntry)).all() == []


def test_without_the_payments_section_nothing_loads(db):
    me, _other = _world(db, payments_allowed=False)
    state = _state(me)
    out = call(state, "load")
    assert out.toasts == [("error", "This section is not available for your account.")]
    call(state, "submit", form_data={"amount": "10"})
    assert count(db, PaymentAttempt) == 0


def test_paypal_redirects_to_approval_and_the_return_credits(db, paypal_api):
    from tests.fakes.paypal import CLIENT_ID, SECRET

    me, other = _world(db)
    paypal = {**GATEWAY, "provider": "paypal", "name": "PayPal", "public_key": CLIENT_ID}
    gateway_create(
        session=db, actor=SYSTEM, data=paypal | {"secret_key": SECRET, "webhook_secret": ""}
    )
    db.commit()
    state = _state(me)
    call(state, "load")
    call(state, "choose", gateway_id=next(o.id for o in state.options if o.name == "PayPal"))
    out = call(state, "submit", form_data={"amount": "10"})
    (approve,) = out.redirects
    (attempt,) = fresh(db, PaymentAttempt)
    assert approve.startswith(paypal_api.url) and attempt.provider_ref in approve
    back = httpx.post(
        f"{paypal_api.url}/checkoutnow", data={"token": attempt.provider_ref, "action": "approve"}
    ).headers["location"]
    query = back.split("?", 1)[1]
    # Another customer's contact arriving with this order id gets nothing credited.
    call(_state_at(other, query), "load")
    assert count(db, LedgerEntry) == 0
    out = call(_state_at(me, query), "load")
    assert out.toasts == [("success", "Thank you: your balance is now €10.00.")]
    assert count(db, LedgerEntry) == 1


def _state_at(tenant, query: str) -> PortalPaymentsState:
    return make_state(
        PortalPaymentsState, token=tenant.token, **tenant.router(f"/portal/payments?{query}")
    )
