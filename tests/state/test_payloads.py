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
    _case(AuditState, "apply_filters", {}),
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
    assert out.ticket == ""
    assert _rows(db) == before


@pytest.mark.parametrize(
    "value",
    [
        {"name": "x", "nested": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}},  # too deep
        {"name": "x", "id": 2**63},  # an integer no column can hold
        {"name": "x" * (300 * 1024)},  # a text far over any field
    ],
    ids=["too-deep", "int-2^63", "huge-text"],
)
def test_hostile_json_inside_a_form_is_refused_before_the_body(db, admin, value):
    state = make_state(ConfigState, token=admin.token)
    before = _rows(db)
    out = call(state, "save", form_data=value)
    assert out.toasts == [("error", "That request was malformed.")]
    assert _rows(db) == before


def test_a_failing_handler_answers_plainly_and_logs_one_line_a_minute(db, admin, caplog):
    """A real failure under a handler (here its table is gone): the person gets a plain
    message, and a flood of such calls logs one line, not one traceback per call."""
    state = make_state(ConfigState, token=admin.token)
    db.commit()
    with db.get_bind().begin() as conn:
        conn.exec_driver_sql("ALTER TABLE account_config RENAME TO account_config_away")
    try:
        with caplog.at_level("ERROR", logger="portal.guard"):
            for _ in range(20):
                out = call(state, "load")
    finally:
        with db.get_bind().begin() as conn:
            conn.exec_driver_sql("ALTER TABLE account_config_away RENAME TO account_config")
    assert out.toasts == [
        ("error", "Something went wrong and nothing was changed. Please try again.")
    ]
    logged = [r for r in caplog.records if r.name == "portal.guard"]
    assert len(logged) == 1 and "ConfigState.load" in logged[0].getMessage()


def test_ids_beyond_any_key_are_not_found_rather_than_errors(db, admin):
    from portal_app.state.customers import CustomersState
    from portal_app.state.domains import DomainsState

    customers = make_state(CustomersState, token=admin.token)
    out = call(customers, "open_customer", customer_id=str(2**63))
    assert out.toasts == [("error", "That customer no longer exists.")]
    domains = make_state(DomainsState, token=admin.token)
    out = call(domains, "open_editor", domain_id="9" * 40)
    assert out.toasts == [("error", "That domain no longer exists.")]
