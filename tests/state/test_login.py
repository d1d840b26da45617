"""LoginState: password step, second factor, throttling and the control-host check."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyotp
import pytest

from portal_app import routes
from portal_app.models import AuthSession, OperatorUser, RateLimit
from portal_app.services import auth
from portal_app.services.credentials import totp_begin, totp_confirm
from portal_app.services.limiter import rate
from portal_app.services.users import actor_for
from portal_app.state.auth import LoginState
from portal_app.state.guard import resolve_actor

from .helpers import PASSWORD, call, count, fresh, make_state, seed_operator

NOT_HERE = "Operator login is not available on this address."


def hits(db) -> int:
    """Every rate-limit hit counted so far (committed)."""
    return sum(r.hits for r in fresh(db, RateLimit))


@pytest.fixture()
def operator(db):
    return seed_operator(db, "ops@example.com", with_session=False)


def _login(state: LoginState, email: str, password: str):
    return call(state, "submit_password", form_data={"email": email, "password": password})


def _enable_totp(db, user_id: int) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol through the services with the current code; returns the app and recovery codes."""
    user = fresh(db, OperatorUser, OperatorUser.id == user_id)[0]
    who = actor_for(user, db)
    app = pyotp.TOTP(totp_begin(session=db, actor=who).secret)
    codes = totp_confirm(session=db, actor=who, code=app.now())
    db.commit()
    return app, codes


def test_wrong_password_and_unknown_email_get_the_same_generic_error(db, operator):
    for email, password in [(operator.email, "not the password"), ("nobody@example.com", PASSWORD)]:
        state = make_state(LoginState)
        out = _login(state, email, password)
        assert state.error == auth.BAD_LOGIN
        assert out.ticket == ""
        assert state.step == "password" and state.busy is False
        assert out.redirects == []
    assert count(db, AuthSession) == 0
    assert hits(db) == 6  # account and client, client, account from anywhere: per attempt


def test_right_password_logs_in_with_a_token_that_resolves(db, operator):
    state = make_state(LoginState, client_ip="192.0.2.7")
    out = _login(state, "  OPS@example.com", PASSWORD)
    assert state.error == ""
    token = out.claim(state)  # the page posts its ticket; the answer sets the cookie
    assert token and token not in json.dumps(out.delta)  # never in a var
    who = resolve_actor(token)
    assert who is not None and who.id == operator.id
    assert out.claim(state) == ""  # the ticket works once
    (row,) = fresh(db, AuthSession)
    assert (row.client_ip, row.user_agent) == ("192.0.2.7", "pytest-state")
    assert fresh(db, OperatorUser)[0].last_login_at is not None


def test_empty_form_is_refused_without_counting_a_failure(db, operator):
    state = make_state(LoginState)
    call(state, "submit_password", form_data={"email": operator.email})
    assert state.error == "Enter your email and password."
    assert hits(db) == 0


def test_five_failures_throttle_even_the_right_password(db, operator):
    for _ in range(rate("login").amount):
        _login(make_state(LoginState), operator.email, "wrong password!")
    state = make_state(LoginState)
    out = _login(state, operator.email, PASSWORD)
    assert state.error.startswith("Too many failed attempts")
    assert out.ticket == "" and out.redirects == []
    assert count(db, AuthSession) == 0


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("https://portal.acme.com.evil.test", "localhost:3000"),  # the page's origin decides
        ("", "brand.example.test"),  # no Origin header: the Host header decides
    ],
)
def test_login_is_refused_off_the_control_hosts(db, operator, origin, host):
    state = make_state(LoginState, origin=origin, host=host)
    out = _login(state, operator.email, PASSWORD)
    assert state.error == NOT_HERE
    assert out.ticket == "" and out.redirects == []
    assert count(db, AuthSession) == 0
    assert hits(db) == 0  # the password was never even checked


def test_totp_user_needs_a_code_and_a_code_works_once(db, operator):
    app, _codes = _enable_totp(db, operator.id)
    state = make_state(LoginState)
    out = _login(state, operator.email, PASSWORD)
    assert state.step == "code" and state.error == ""
    assert out.ticket == "" and out.redirects == []
    assert count(db, AuthSession) == 0

    # The enrolment used the current time-step; the next one is still inside the window.
    code = app.at(datetime.now(UTC), counter_offset=1)
    out = call(state, "submit_code", form_data={"code": code})
    assert resolve_actor(out.claim(state)).id == operator.id
    assert state.step == "password"

    replay = make_state(LoginState)
    _login(replay, operator.email, PASSWORD)
    out = call(replay, "submit_code", form_data={"code": code})
    assert replay.error == auth.BAD_CODE
    assert out.ticket == "" and out.redirects == []
    assert count(db, AuthSession) == 1


def test_recovery_code_works_once(db, operator):
    _app, codes = _enable_totp(db, operator.id)
    first = make_state(LoginState)
    _login(first, operator.email, PASSWORD)
    out = call(first, "submit_code", form_data={"code": codes[0].lower()})
    assert resolve_actor(out.claim(first)).id == operator.id

    again = make_state(LoginState)
    _login(again, operator.email, PASSWORD)
    out = call(again, "submit_code", form_data={"code": codes[0]})
    assert again.error == auth.BAD_CODE and out.ticket == ""


def test_code_step_needs_a_recent_password_step(db, operator):
    app, _codes = _enable_totp(db, operator.id)
    state = make_state(LoginState)
    _login(state, operator.email, PASSWORD)
    state._pending_until = 0.0  # five minutes have passed
    out = call(state, "submit_code", form_data={"code": app.now()})
    assert state.step == "password"
    assert state.error.startswith("That took too long")
    assert out.ticket == ""
    assert count(db, AuthSession) == 0


def test_code_step_without_password_step_is_refused(db):
    state = make_state(LoginState)
    out = call(state, "submit_code", form_data={"code": "123456"})
    assert state.error.startswith("That took too long")
    assert out.ticket == "" and out.redirects == []


def test_login_page_sends_a_logged_in_operator_to_the_dashboard(db):
    op = seed_operator(db, "back@example.com")
    state = make_state(LoginState, token=op.token)
    assert call(state, "load_login").redirects == [routes.DASHBOARD]

    stranger = make_state(LoginState, origin="https://brand.example.test")
    assert call(stranger, "load_login").redirects == []
    assert stranger.control_host is False


def test_restart_forgets_the_pending_second_factor(db, operator):
    app, _codes = _enable_totp(db, operator.id)
    state = make_state(LoginState)
    _login(state, operator.email, PASSWORD)
    call(state, "restart")
    assert state.step == "password"
    out = call(
        state, "submit_code", form_data={"code": app.at(datetime.now(UTC), counter_offset=1)}
    )
    assert out.ticket == "" and state.error.startswith("That took too long")
