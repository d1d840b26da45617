"""PaymentsState (Management › Payments): filters, refused events, refund reverses."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from portal_app.models import Grant, LedgerEntry, PaymentAttempt
from portal_app.services.payment_settle import payment_webhook
from portal_app.state.payments_admin import PaymentsState
from tests import stripeserver as ls
from tests.services.test_payments import make_gateway, make_payer, opened

from .helpers import call, fresh, make_state, seed_group, seed_operator


def _credited(db, stripe_api) -> PaymentAttempt:
    gateway = make_gateway(db)
    attempt, _ = opened(db, make_payer(db), gateway["id"])
    intent = ls.pay_intent(stripe_api, attempt.provider_ref)
    payload, headers = ls.signed(ls.intent_event(intent))
    assert payment_webhook("stripe", payload, headers).outcome == "credited"
    forged, headers = ls.signed(ls.intent_event(intent), secret="whsec_forged")
    assert payment_webhook("stripe", forged, headers).outcome == "refused"
    return attempt


def test_operator_filters_and_records_a_refund(db, admin, stripe_api):
    attempt = _credited(db, stripe_api)
    state = make_state(PaymentsState, token=admin.token)
    call(state, "load")
    assert [r.status for r in state.rows] == ["succeeded"]
    assert "does not match" in state.events[0].message
    call(state, "set_status", status="pending")
    assert state.rows == []
    call(state, "set_status", status="all")
    call(state, "set_customer_name", text="BLUE")  # part of "Bluebird", any case
    assert [r.customer for r in state.rows] == ["Bluebird"]
    call(state, "set_customer_name", text="north")
    assert state.rows == [] and state.total == 0
    call(state, "set_customer_name", text="")
    call(state, "set_period", period="1d")
    assert [r.status for r in state.rows] == ["succeeded"]  # paid just now
    call(state, "set_period", period="forever")  # not a period: any time
    assert state.period == "any" and len(state.rows) == 1
    with Session(db.get_bind()) as other:
        row = other.get(PaymentAttempt, attempt.id)
        row.created_at = row.created_at - timedelta(days=2)
        other.add(row)
        other.commit()
    call(state, "set_period", period="1d")
    assert state.rows == []
    call(state, "set_period", period="7d")
    assert len(state.rows) == 1
    call(state, "ask_refund", attempt_id=str(attempt.id))
    out = call(state, "refund", form_data={"note": "customer asked"})
    assert out.toasts == [("success", "Refund recorded: the credit is reversed.")]
    assert state.rows[0].status == "refunded"
    amounts = [e.amount for e in fresh(db, LedgerEntry)]
    assert sorted(amounts) == [-1000, 1000]
    call(state, "ask_refund", attempt_id=str(attempt.id))  # refunded: no second dialog
    assert state.refund_id == 0


def test_without_the_payment_area_nothing_is_shown(db, stripe_api):
    _credited(db, stripe_api)
    group = seed_group(db, "Support", customer=Grant.ALLOW)
    support = seed_operator(db, "support@example.com", group_id=group)
    state = make_state(PaymentsState, token=support.token)
    out = call(state, "load")
    assert out.toasts == [("error", "You do not have permission to do that.")]
    assert state.rows == [] and state.events == []
    assert len(db.exec(select(LedgerEntry)).all()) == 1
