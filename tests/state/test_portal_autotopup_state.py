"""PortalAutoTopupState: a contact saves a card through localstripe and sets its top-up;
bad amounts are refused next to their fields; the card is offered only when the brand
allows it; the client secret never lands in a var; a forged result saves nothing."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from portal_app.models import AutoTopup, PortalDomain
from portal_app.services.identity import SYSTEM
from portal_app.services.payment_gateways import gateway_create
from portal_app.state.portal_autotopup import PortalAutoTopupState
from tests import stripeserver as ls
from tests.services.test_autotopup import browser_confirms

from .helpers import call, count, make_state
from .portal_seed import seed_tenant, sent_text
from .test_portal_payments_state import GATEWAY

SECRET = re.compile(r"seti_\w+?_secret_\w+")


def _world(db, allowed: bool = True):
    me = seed_tenant(db, "Alpha", "alpha.example.test", entries=0)
    other = seed_tenant(db, "Beta", "beta.example.test", entries=0)
    for tenant in (me, other):
        domain = db.get(PortalDomain, tenant.domain_id)
        domain.access, domain.auto_topup = [*domain.access, "payments"], allowed
    gateway_create(session=db, actor=SYSTEM, data={**GATEWAY, "min_amount": "5"})
    db.commit()
    return me, other


def _state(tenant) -> PortalAutoTopupState:
    return make_state(PortalAutoTopupState, token=tenant.token, **tenant.router("/portal/payments"))


def _client_secret(out) -> str:
    scripts = [str(e.payload) for e in out.events if e.name == "_call_script"]
    (found,) = {m for s in scripts for m in SECRET.findall(s)}
    return found


def test_save_a_card_then_set_the_top_up(db, stripe_api):
    me, _other = _world(db)
    state = _state(me)
    call(state, "load")
    assert state.offered and state.card == "" and state.currency == "EUR"
    out = call(state, "start_card")
    assert state.step == "card"
    assert "_secret_" not in json.dumps(out.delta, default=str)
    browser_confirms(stripe_api, _client_secret(out), "4242424242424242")
    call(state, "confirm_card")
    assert state.step == "saving"
    out = call(state, "card_confirmed", result={"ok": True})
    assert out.toasts == [("success", "Card saved: visa •••• 4242.")]
    assert state.card == "visa •••• 4242" and state.step == "view"
    out = call(
        state, "save", form_data={"threshold": "-3", "topup_amount": "2", "topup_enabled": "on"}
    )
    assert set(state.errors) == {"threshold", "topup_amount"}
    assert "minimum" in state.errors["topup_amount"]
    assert db.exec(select(AutoTopup.amount, AutoTopup.enabled)).one() == (0, False)  # unchanged
    out = call(
        state, "save", form_data={"threshold": "10", "topup_amount": "25", "topup_enabled": "on"}
    )
    assert out.toasts == [("success", "Automatic top-up saved.")]
    assert (state.enabled, state.threshold, state.amount, state.errors) == (
        True,
        "10.00",
        "25.00",
        {},
    )
    text = sent_text(out)
    assert ls.SECRET_KEY not in text and "pm_" not in text


def test_not_offered_when_the_brand_does_not_allow_it(db, stripe_api):
    me, _other = _world(db, allowed=False)
    state = _state(me)
    call(state, "load")
    assert not state.offered
    out = call(state, "start_card")
    assert out.toasts == [("error", "Automatic top-up is not available for your account.")]
    assert count(db, AutoTopup) == 0


def test_a_forged_browser_result_saves_no_card(db, stripe_api):
    me, other = _world(db)
    mine, theirs = _state(me), _state(other)
    out = call(mine, "start_card")
    browser_confirms(stripe_api, _client_secret(out), "4242424242424242")
    call(theirs, "start_card")  # theirs is never confirmed in Stripe
    call(theirs, "confirm_card")
    seti = _client_secret(out).split("_secret_")[0]
    call(theirs, "card_confirmed", result={"ok": True, "setupIntent": {"id": seti}})
    assert theirs.card == "" and theirs.step == "card"
    assert "not saved" in theirs.message
    rows = {r.customer_id: r.payment_method for r in db.exec(select(AutoTopup)).all()}
    assert rows[other.customer_id] == "" and rows[me.customer_id] == ""
