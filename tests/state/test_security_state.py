"""SecurityState (My Account › Settings) and what "require two-factor authentication
for all operators" does to an operator without it: every page sends them to Personal
Information, where only the 2FA setup runs, until it is on."""

from __future__ import annotations

import pyotp

from portal_app import routes
from portal_app.models import AccountConfig, AuditEvent
from portal_app.state.base import AppState
from portal_app.state.profile import ProfileState
from portal_app.state.security import SecurityState
from portal_app.state.users import UsersState

from .helpers import call, count, fresh, make_state, seed_operator


def test_settings_are_for_administrators_and_bad_input_stays_in_the_form(db):
    clerk = seed_operator(db, "clerk@example.com")
    boss = seed_operator(db, "boss@example.com", role="admin")
    refused = make_state(SecurityState, token=clerk.token)
    out = call(refused, "save", form_data={"min_password_length": "20", "require_totp": "on"})
    assert out.toasts and fresh(db, AccountConfig) == []
    state = make_state(SecurityState, token=boss.token)
    call(state, "load")
    assert state.values["min_password_length"] == "10" and state.env_days > 0
    form = {"session_idle_minutes": "0", "session_days": "", "min_password_length": "12"}
    call(state, "save", form_data=form)
    assert "session_idle_minutes" in state.errors and state.values["session_idle_minutes"] == "0"
    assert fresh(db, AccountConfig) == []
    out = call(state, "save", form_data=form | {"session_idle_minutes": "30"})
    assert state.errors == {} and out.toasts == [("success", "Security settings saved.")]
    (row,) = fresh(db, AccountConfig)
    assert (row.session_idle_minutes, row.session_days, row.min_password_length) == (30, None, 12)
    assert count(db, AuditEvent, AuditEvent.action == "config.security") == 1


def test_an_operator_without_2fa_can_only_set_it_up_once_the_account_requires_it(db):
    boss = seed_operator(db, "boss@example.com", role="admin")
    settings = make_state(SecurityState, token=boss.token)
    form = {"min_password_length": "10", "require_totp": "on"}
    call(settings, "save", form_data=form)

    page = make_state(AppState, token=boss.token, path=routes.USERS)
    out = call(page, "sync_identity")
    assert out.redirects == [routes.PERSONAL]
    users = make_state(UsersState, token=boss.token, path=routes.USERS)
    out = call(users, "load")
    assert out.redirects == [routes.PERSONAL]  # refused, and sent to set it up

    me = make_state(ProfileState, token=boss.token, path=routes.PERSONAL)
    there = call(make_state(AppState, token=boss.token, path=routes.PERSONAL), "sync_identity")
    assert there.redirects == []  # no loop on the page itself
    call(me, "load")
    call(me, "start_totp")
    call(me, "confirm_totp", form_data={"totp_code": pyotp.TOTP(me.manual_secret).now()})
    assert me.totp_enabled
    assert call(make_state(UsersState, token=boss.token, path=routes.USERS), "load").toasts == []
    assert (
        call(make_state(AppState, token=boss.token, path=routes.USERS), "sync_identity").redirects
        == []
    )
