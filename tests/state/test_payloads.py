"""Handlers get whatever a client sends: a form handler given a non-form must not crash.

Reflex coerces payloads only on a best-effort basis (RECIPES.md): when the value does not
match the ``form_data: dict`` annotation, the raw JSON value reaches the handler. The guard
checks every argument against its annotation and refuses the event before the body runs.
"""

from __future__ import annotations

import time

import pytest

from portal_app.models import AccountConfig, AuditEvent, AuthSession, OperatorGroup, OperatorUser
from portal_app.state.audit import AuditState
from portal_app.state.auth import LoginState
from portal_app.state.config import ConfigState
from portal_app.state.profile import ProfileState
from portal_app.state.users import UsersState

from .helpers import call, count, make_state, preset

NOT_A_FORM = ["not", "a", "form"]


def _case(state_cls, handler: str, setup: dict | str, *marks):
    name = f"{state_cls.__name__}.{handler}"
    return pytest.param(state_cls, handler, setup, marks=marks, id=name)


FORM_HANDLERS = [
    _case(UsersState, "save_user", {"user_dialog": "new"}),
    _case(UsersState, "save_group", {"group_dialog": "new"}),
    _case(ConfigState, "save", {}),
    _case(AuditState, "apply_search", {}),
    _case(ProfileState, "change_password", {}),
    _case(ProfileState, "save_name", {}),
    _case(ProfileState, "confirm_totp", {}),
    _case(ProfileState, "disable_totp", {}),
    _case(ProfileState, "regenerate_codes", {}),
    _case(LoginState, "submit_password", {}),
    _case(LoginState, "submit_code", "pending"),
]


def _rows(db) -> tuple[int, ...]:
    models = (OperatorUser, OperatorGroup, AccountConfig, AuditEvent, AuthSession)
    return tuple(count(db, m) for m in models)


@pytest.mark.parametrize(("state_cls", "handler", "setup"), FORM_HANDLERS)
def test_a_non_form_payload_is_ignored(db, admin, state_cls, handler, setup):
    state = make_state(state_cls, token=admin.token)
    if setup == "pending":  # the password step was passed a moment ago
        setup = {"_pending_user_id": admin.id, "_pending_until": time.time() + 60}
    preset(state, **setup)
    before = _rows(db)
    out = call(state, handler, form_data=NOT_A_FORM)
    assert out.toasts == [("error", "That request was malformed.")]
    assert state.session_token == admin.token
    assert _rows(db) == before
