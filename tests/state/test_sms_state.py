"""SmsState (SMTP Details' SMS part) against the real local gateway: the secret never
reaches the browser, bad input stays in the form with its message, Test Mobile shows
the gateway's answer and runs off the event loop."""

from __future__ import annotations

from portal_app.models import AccountConfig
from portal_app.state.sms import SmsState
from tests.smsserver import SECRET, USERNAME, sms_gateway

from .helpers import call, fresh, make_state, seed_operator


def test_sms_details_save_and_test_mobile_through_the_gateway(db):
    boss = seed_operator(db, "boss@example.com", role="admin")
    state = make_state(SmsState, token=boss.token)
    call(state, "load")
    assert state.can_edit and not state.has_secret
    with sms_gateway() as gateway:
        form = {"sms_from_mobile": "+447911123456", "sms_url": gateway.url}
        form |= {"sms_username": USERNAME, "sms_secret": SECRET}
        out = call(state, "save", form_data=form | {"sms_from_mobile": "07911"})
        assert "sms_from_mobile" in state.errors and fresh(db, AccountConfig) == []
        out = call(state, "save", form_data=form)
        assert state.errors == {} and state.has_secret
        assert SECRET not in repr(out.delta)
        out = call(state, "send_test", form_data={"sms_to": "+1 202 456 1111"})
        assert state.test_ok and "HTTP 200" in state.test_answer
        assert [r.fields["to"] for r in gateway.received] == ["+12024561111"]
        call(state, "send_test", form_data={"sms_to": "12"})
        assert "sms_to" in state.errors and len(gateway.received) == 1


def test_a_clerk_without_setup_cannot_send_or_read_the_gateway(db):
    clerk = seed_operator(db, "clerk@example.com")
    state = make_state(SmsState, token=clerk.token)
    call(state, "load")
    assert not state.can_edit and state.values == {}
    out = call(state, "send_test", form_data={"sms_to": "+12024561111"})
    assert out.toasts and state.test_answer == ""
