"""The guard: every handler checks who is asking, from the database, before its body runs."""

from __future__ import annotations

import asyncio

import pytest

from portal_app import routes
from portal_app.models import AuditEvent, Grant, OperatorUser
from portal_app.services.groups import group_update
from portal_app.services.identity import SYSTEM
from portal_app.services.sessions import session_revoke
from portal_app.state.base import AppState
from portal_app.state.guard import NEED_ATTR, Need, NotGuarded, actor
from portal_app.state.users import UsersState
from tests.permissions import app_states

from .helpers import call, count, make_state, preset, seed_group, seed_operator

NO_PERMISSION = ("error", "You do not have permission to do that.")
NEW_USER = {
    "name": "Intruder",
    "email": "intruder@example.com",
    "password": "a long enough password",
    "role": "admin",
    "enabled": "on",
}


@pytest.fixture(params=["anonymous", "clerk"])
def outsider(request, db, admin, clerk):
    """A browser that must not manage users: no session, or a User without Area.USER."""
    return request.param, ("" if request.param == "anonymous" else clerk.token)


def _assert_refused(kind: str, out) -> None:
    if kind == "anonymous":
        assert out.redirects == [routes.LOGIN] and out.toasts == []
    else:
        assert out.toasts == [NO_PERMISSION] and out.redirects == []
    assert out.changed == set()  # the browser gets no new state at all


def test_save_user_is_refused_and_creates_nothing(db, outsider):
    kind, token = outsider
    state = make_state(UsersState, token=token)
    preset(state, user_dialog="new")  # the dialog is open: only the guard stands in the way
    users, audits = count(db, OperatorUser), count(db, AuditEvent)
    out = call(state, "save_user", form_data=NEW_USER)
    _assert_refused(kind, out)
    assert count(db, OperatorUser) == users
    assert count(db, AuditEvent) == audits
    assert state.user_dialog == "new" and state.errors == {}


def test_confirm_delete_is_refused_and_deletes_nothing(db, outsider, admin):
    kind, token = outsider
    state = make_state(UsersState, token=token)
    preset(state, confirm_delete=f"user:{admin.id}")
    out = call(state, "confirm_delete_now")
    _assert_refused(kind, out)
    assert count(db, OperatorUser, OperatorUser.id == admin.id) == 1
    assert state.confirm_delete == f"user:{admin.id}"  # the handler body never ran


def test_load_is_refused_and_shows_no_rows(db, outsider):
    kind, token = outsider
    state = make_state(UsersState, token=token)
    out = call(state, "load")
    _assert_refused(kind, out)
    assert state.users == [] and state.groups == []


@pytest.mark.parametrize("token", ["forged-token", "x" * 500])
def test_unknown_token_counts_as_logged_out(db, admin, token):
    state = make_state(UsersState, token=token)
    out = call(state, "load")
    assert out.redirects == [routes.LOGIN] and state.users == []


def test_revoked_session_counts_as_logged_out(db, admin):
    session_revoke(session=db, token=admin.token)
    db.commit()
    state = make_state(UsersState, token=admin.token)
    out = call(state, "load")
    assert out.redirects == [routes.LOGIN] and state.users == []


def test_permission_follows_the_group_on_every_event(db):
    """The actor is read from the database per event: a changed group applies at once."""
    group_id = seed_group(db, "Managers", user=Grant.ALLOW)
    manager = seed_operator(db, "manager@example.com", group_id=group_id)
    state = make_state(UsersState, token=manager.token)
    assert call(state, "load").toasts == []
    assert [u.email for u in state.users] == [manager.email]

    group_update(session=db, actor=SYSTEM, group_id=group_id, data={"name": "Managers"})
    db.commit()
    state.confirm_delete = f"user:{manager.id}"
    out = call(state, "confirm_delete_now")
    assert out.toasts == [NO_PERMISSION]
    assert count(db, OperatorUser) == 1


def test_actor_outside_a_handler_raises():
    with pytest.raises(NotGuarded):
        actor()


def test_a_handler_body_called_around_the_guard_cannot_reach_the_services(db, admin):
    state = make_state(UsersState, token=admin.token)
    body = UsersState.event_handlers["load"].fn.__wrapped__
    with pytest.raises(NotGuarded):
        body(state)
    assert state.users == []


def test_actor_is_cleared_after_a_guarded_handler(db, admin):
    state = make_state(UsersState, token=admin.token)

    async def load_then_ask_who():
        # Same task, same context as the handler ran in: nothing may be left behind.
        _ = [event async for event in UsersState.event_handlers["load"].fn(state)]
        with pytest.raises(NotGuarded):
            actor()

    asyncio.run(load_then_ask_who())
    assert [u.id for u in state.users] == [admin.id]  # the handler did see the actor


@pytest.mark.parametrize("state_cls", app_states(), ids=lambda c: c.__name__)
def test_every_event_handler_declares_what_it_needs(state_cls):
    unguarded = [
        name for name, h in state_cls.event_handlers.items() if not hasattr(h.fn, NEED_ATTR)
    ]
    assert unguarded == []
    assert getattr(state_cls.event_handlers["setvar"].fn, NEED_ATTR) == (Need.NOBODY, None)


def test_setvar_is_refused_even_for_an_administrator(db, admin):
    state = make_state(UsersState, token=admin.token)
    call(state, "load")
    before = list(state.users)
    out = call(state, "setvar", var_name="users", value=[])
    assert out.toasts == [("error", "That request was malformed.")]
    assert out.changed == set()
    out = call(state, "setvar", var_name="confirm_delete", value="user:1")
    assert out.toasts == [("error", "This action is not available.")]
    assert out.changed == set()
    assert state.users == before
    assert state.confirm_delete == ""


@pytest.mark.parametrize(
    ("state_cls", "var_name", "value"),
    [
        (AppState, "me_is_admin", True),
        (UsersState, "confirm_delete", "user:1"),
        (UsersState, "user_dialog", "new"),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_setvar_from_a_logged_out_browser_changes_nothing(db, state_cls, var_name, value):
    state = make_state(state_cls)
    before = getattr(state, var_name)
    out = call(state, "setvar", var_name=var_name, value=value)
    # A string value reaches the session check (no session: off to log in); any other
    # value is refused before that, as malformed.
    if isinstance(value, str):
        assert out.redirects == [routes.LOGIN]
    else:
        assert out.toasts == [("error", "That request was malformed.")]
    assert out.changed == set()
    assert getattr(state, var_name) == before
