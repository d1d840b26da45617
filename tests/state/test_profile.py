"""ProfileState: one's own name, password and two-factor enrolment."""

from __future__ import annotations

import pyotp
import pytest

from portal_app import routes
from portal_app.models import AuditEvent, OperatorUser
from portal_app.services.sessions import session_create
from portal_app.state.auth import LoginState
from portal_app.state.guard import resolve_actor
from portal_app.state.profile import ProfileState

from .helpers import PASSWORD, call, count, fresh, make_state, seed_operator

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture()
def me(db):
    return seed_operator(db, "me@example.com")


def _password_hash(db, user_id: int) -> str:
    return fresh(db, OperatorUser, OperatorUser.id == user_id)[0].password_hash


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        (
            {"current_password": PASSWORD, "confirm_password": NEW_PASSWORD + "!"},
            {"confirm_password": "The two new passwords do not match."},
        ),
        (
            {"current_password": "not mine at all", "confirm_password": NEW_PASSWORD},
            {"current_password": "Your current password is not correct."},
        ),
    ],
    ids=["mismatch", "wrong-current"],
)
def test_change_password_with_bad_input_sets_errors_and_keeps_the_session(db, me, form, errors):
    form = {"new_password": NEW_PASSWORD} | form
    before = _password_hash(db, me.id)
    state = make_state(ProfileState, token=me.token)
    out = call(state, "change_password", form_data=form)
    assert state.errors == errors
    assert out.ticket == "" and out.toasts == []
    assert resolve_actor(me.token).id == me.id
    assert _password_hash(db, me.id) == before
    assert count(db, AuditEvent, AuditEvent.action == "user.password_change") == 0


def test_change_password_rotates_the_session_token(db, me):
    other_browser = session_create(session=db, user_id=me.id)
    db.commit()
    state = make_state(ProfileState, token=me.token)
    form = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    out = call(state, "change_password", form_data=form)
    assert out.toasts == [("success", "Password changed. Your other sessions were logged out.")]
    assert state.errors == {} and state.password_form_key == 1
    new_token = out.claim(state)  # the browser's cookie is replaced
    assert new_token and new_token != me.token
    assert resolve_actor(me.token) is None
    assert resolve_actor(other_browser) is None
    assert resolve_actor(new_token).id == me.id
    assert count(db, AuditEvent, AuditEvent.action == "user.password_change") == 1

    login = make_state(LoginState)
    out = call(login, "submit_password", form_data={"email": me.email, "password": NEW_PASSWORD})
    assert out.claim(login)


def test_load_and_save_name(db, me):
    state = make_state(ProfileState, token=me.token)
    call(state, "load")
    assert (state.name, state.email, state.totp_enabled) == ("Me", me.email, False)

    call(state, "save_name", form_data={"name": "   "})
    assert state.errors == {"name": "Enter a name."}
    out = call(state, "save_name", form_data={"name": "Mary Example"})
    assert out.toasts == [("success", "Personal information saved.")]
    assert state.name == state.me_name == "Mary Example"
    assert fresh(db, OperatorUser, OperatorUser.id == me.id)[0].name == "Mary Example"


def test_a_mobile_number_is_saved_in_e164_shown_formatted_and_a_bad_one_is_refused(db, me):
    state = make_state(ProfileState, token=me.token)
    call(state, "save_name", form_data={"name": "Me", "mobile": "+1 (202) 555"})
    assert "mobile" in state.errors and "international format" in state.errors["mobile"]
    assert fresh(db, OperatorUser, OperatorUser.id == me.id)[0].mobile == ""
    call(state, "save_name", form_data={"name": "Me", "mobile": "+1 202-456-1111"})
    assert state.errors == {} and state.mobile == "+1 202-456-1111"
    assert fresh(db, OperatorUser, OperatorUser.id == me.id)[0].mobile == "+12024561111"


def test_totp_enrolment_shows_the_secret_until_a_code_confirms_it(db, me):
    state = make_state(ProfileState, token=me.token)
    call(state, "start_totp")
    assert state.enrolling and state.qr_data_uri.startswith("data:image/svg+xml")
    app = pyotp.TOTP(state.manual_secret)

    wrong = str((int(app.now()) + 500_000) % 1_000_000).zfill(6)
    call(state, "confirm_totp", form_data={"totp_code": wrong})
    assert set(state.errors) == {"totp_code"} and state.enrolling

    out = call(state, "confirm_totp", form_data={"totp_code": app.now()})
    assert out.toasts == [("success", "Two-factor authentication is on.")]
    assert state.totp_enabled and not state.enrolling
    assert state.manual_secret == "" and state.qr_data_uri == ""
    assert len(state.recovery_codes) == 10
    assert fresh(db, OperatorUser, OperatorUser.id == me.id)[0].totp_enabled

    out = call(state, "start_totp")  # a second enrolment would replace a working secret
    assert out.toasts == [("error", "Two-factor authentication is already on.")]
    assert not state.enrolling


def test_profile_handlers_need_a_session(db):
    state = make_state(ProfileState)
    out = call(state, "save_name", form_data={"name": "Anyone"})
    assert out.redirects == [routes.LOGIN]
    assert out.changed == set()


def test_turning_totp_off_and_new_codes_need_the_password(db, me):
    state = make_state(ProfileState, token=me.token)
    call(state, "start_totp")
    call(state, "confirm_totp", form_data={"totp_code": pyotp.TOTP(state.manual_secret).now()})
    first_codes = list(state.recovery_codes)
    call(state, "hide_recovery_codes")
    assert state.recovery_codes == []

    call(state, "regenerate_codes", form_data={"codes_password": "not my password"})
    assert state.errors == {"codes_password": "Your password is not correct."}
    call(state, "regenerate_codes", form_data={"codes_password": PASSWORD})
    assert len(state.recovery_codes) == 10 and set(state.recovery_codes) != set(first_codes)

    call(state, "disable_totp", form_data={"totp_password": "not my password"})
    assert state.errors == {"totp_password": "Your password is not correct."}
    assert state.totp_enabled is True
    out = call(state, "disable_totp", form_data={"totp_password": PASSWORD})
    assert out.toasts == [("success", "Two-factor authentication is off.")]
    assert state.totp_enabled is False
    user = fresh(db, OperatorUser, OperatorUser.id == me.id)[0]
    assert not user.totp_enabled and user.totp_secret_enc is None
