"""GatewaysState (My Account › API): only the Payment area; keys never reach the browser."""

from __future__ import annotations

import json

from portal_app.models import Grant, PaymentGateway
from portal_app.state.gateways import GatewaysState
from tests import stripeserver as ls

from .helpers import call, count, make_state, seed_group, seed_operator

FORM = {
    "name": "Cards",
    "mode": "test",
    "public_key": ls.PUBLIC_KEY,
    "secret_key": ls.SECRET_KEY,
    "webhook_secret": ls.WEBHOOK_SECRET,
    "currencies": "USD",
    "enabled": "on",
}


def _saved(state) -> GatewaysState:
    call(state, "load")
    call(state, "open_new", provider="stripe")
    out = call(state, "save", form_data=FORM)
    assert out.toasts == [("success", "Gateway saved.")]
    return out


def test_keys_never_in_any_delta_and_empty_means_unchanged(db, admin, stripe_api):
    state = make_state(GatewaysState, token=admin.token)
    deltas = [_saved(state).delta]
    deltas.append(call(state, "open_edit", gateway_id=str(state.gateways[0].id)).delta)
    assert state.has_secret_key and state.form["public_key"] == ls.PUBLIC_KEY
    deltas.append(call(state, "save", form_data=FORM | {"secret_key": "", "name": "Visa"}).delta)
    deltas.append(call(state, "refresh", gateway_id=str(state.gateways[0].id)).delta)
    text = json.dumps(deltas, default=str)
    assert ls.SECRET_KEY not in text and ls.WEBHOOK_SECRET not in text
    assert [g.name for g in state.gateways] == ["Visa"]
    assert state.gateways[0].check_ok is True


def test_live_key_in_test_mode_is_refused_next_to_the_field(db, admin):
    state = make_state(GatewaysState, token=admin.token)
    call(state, "load")
    call(state, "open_new", provider="stripe")
    call(state, "save", form_data=FORM | {"secret_key": "sk_live_0123456789"})
    assert "secret_key" in state.errors and state.dialog == "new"
    assert count(db, PaymentGateway) == 0


def test_without_the_payment_area_nothing_is_listed_or_saved(db, admin):
    group = seed_group(db, "Support", customer=Grant.ALLOW)
    support = seed_operator(db, "support@example.com", group_id=group)
    _saved(make_state(GatewaysState, token=admin.token))
    state = make_state(GatewaysState, token=support.token)
    out = call(state, "load")
    assert out.toasts == [("error", "You do not have permission to do that.")]
    assert state.gateways == []
    call(state, "open_new", provider="stripe")
    out = call(state, "save", form_data=FORM)
    assert ("error", "You do not have permission to do that.") in out.toasts
    assert count(db, PaymentGateway) == 1
