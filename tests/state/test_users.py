"""UsersState as an administrator: rows for the browser, validation, create, delete."""

from __future__ import annotations

import dataclasses
import json

from portal_app.models import AuditEvent, OperatorGroup, OperatorUser
from portal_app.state.guard import resolve_actor
from portal_app.state.users import GroupRow, UserRow, UsersState

from .helpers import call, count, fresh, make_state

SECRET_WORDS = ("hash", "secret", "password", "token")


def _users(admin) -> UsersState:
    state = make_state(UsersState, token=admin.token)
    call(state, "load")
    return state


def test_load_fills_row_views_without_secrets(db, admin, clerk):
    state = _users(admin)
    assert [(u.name, u.email, u.role_label) for u in state.users] == [
        ("Admin", "admin@example.com", "Administrator"),
        ("Clerk", "clerk@example.com", "User"),
    ]
    assert all(isinstance(u, UserRow) for u in state.users)
    assert state.users[1].group_name == "Clerks"
    assert state.users[1].last_login == "never"
    (group,) = state.groups
    assert isinstance(group, GroupRow)
    assert (group.name, group.members) == ("Clerks", 1)
    assert group.summary == "Allow: Card, Log · Deny: Setup, User"

    for row_type in (UserRow, GroupRow):
        names = [f.name for f in dataclasses.fields(row_type)]
        assert not [n for n in names if any(word in n for word in SECRET_WORDS)]
    # Nothing in the whole state tree the browser receives carries a password hash.
    sent = json.dumps(state._get_root_state().dict(), default=str)
    assert "$argon2" not in sent and "password_hash" not in sent


def test_save_user_with_bad_input_shows_errors_per_field_and_creates_nothing(db, admin):
    state = _users(admin)
    call(state, "open_user", user_id="new")
    assert state.user_dialog == "new"
    audits = count(db, AuditEvent)
    form = {
        "name": "  ",
        "email": "not-an-email",
        "password": "short",
        "role": "overlord",
        "group_id": "999",
        "enabled": "on",
    }
    out = call(state, "save_user", form_data=form)
    assert set(state.errors) == {"name", "email", "password", "role", "group_id"}
    assert state.errors["password"] == "Use at least 10 characters."
    assert state.user_dialog == "new"  # the dialog stays open with what was typed
    assert state.user_form["email"] == "not-an-email"
    assert "password" not in state.user_form
    assert out.toasts == []
    assert count(db, OperatorUser) == 1
    assert count(db, AuditEvent) == audits


def test_save_user_refuses_an_email_already_taken(db, admin):
    state = _users(admin)
    call(state, "open_user", user_id="new")
    form = {"name": "Twin", "email": "ADMIN@example.com", "password": "long enough pw"}
    call(state, "save_user", form_data=form | {"role": "user"})
    assert state.errors == {"email": "Another user already has this email address."}
    assert count(db, OperatorUser) == 1


def test_save_user_creates_the_user_and_an_audit_row(db, admin, clerk_group):
    state = _users(admin)
    call(state, "open_user", user_id="new")
    form = {
        "name": "New Person",
        "email": "New.Person@Example.com",
        "password": "a long new password",
        "role": "user",
        "group_id": str(clerk_group),
        "enabled": "on",
    }
    out = call(state, "save_user", form_data=form)
    assert out.toasts == [("success", "User added.")]
    assert state.errors == {} and state.user_dialog == ""
    assert "new.person@example.com" in [u.email for u in state.users]

    (user,) = fresh(db, OperatorUser, OperatorUser.email == "new.person@example.com")
    assert (user.name, user.role, user.group_id, user.enabled) == (
        "New Person",
        "user",
        clerk_group,
        True,
    )
    assert user.password_hash.startswith("$argon2id$")
    (audit,) = fresh(db, AuditEvent, AuditEvent.entity_id == str(user.id))
    assert audit.action == "user.create"
    assert (audit.actor_id, audit.actor_label) == (admin.id, admin.email)
    assert "password_hash" not in audit.after


def test_edit_user_updates_the_row_and_records_before_and_after(db, admin, clerk):
    state = _users(admin)
    call(state, "open_user", user_id=str(clerk.id))
    assert state.user_dialog == str(clerk.id)
    assert state.user_form["email"] == clerk.email
    form = dict(state.user_form, name="Chief Clerk", role="user")
    out = call(state, "save_user", form_data=form)
    assert out.toasts == [("success", "User saved.")]
    assert fresh(db, OperatorUser, OperatorUser.id == clerk.id)[0].name == "Chief Clerk"
    (audit,) = fresh(db, AuditEvent, AuditEvent.action == "user.update")
    assert (audit.before["name"], audit.after["name"]) == ("Clerk", "Chief Clerk")
    assert resolve_actor(clerk.token) is not None  # no new password: sessions survive


def test_ask_then_confirm_deletes_the_user_and_ends_their_sessions(db, admin, clerk):
    state = _users(admin)
    call(state, "ask_delete", kind="user", item_id=str(clerk.id))
    assert state.confirm_delete == f"user:{clerk.id}"
    assert state.confirm_label == "user Clerk"
    out = call(state, "confirm_delete_now")
    assert out.toasts == [("success", "User deleted.")]
    assert state.confirm_delete == ""
    assert [u.email for u in state.users] == [admin.email]
    assert fresh(db, OperatorUser, OperatorUser.id == clerk.id) == []
    assert resolve_actor(clerk.token) is None
    (audit,) = fresh(db, AuditEvent, AuditEvent.action == "user.delete")
    assert audit.actor_id == admin.id and audit.before["email"] == clerk.email


def test_ask_delete_ignores_unknown_kinds_and_ids(db, admin):
    state = _users(admin)
    for kind, item_id in [("user", "999"), ("customer", str(admin.id)), ("user", "-1")]:
        call(state, "ask_delete", kind=kind, item_id=item_id)
        assert state.confirm_delete == ""
    out = call(state, "confirm_delete_now")
    assert out.events == []
    assert count(db, OperatorUser) == 1


def test_deleting_yourself_is_refused_and_changes_nothing(db, admin):
    state = _users(admin)
    audits = count(db, AuditEvent)
    call(state, "ask_delete", kind="user", item_id=str(admin.id))
    out = call(state, "confirm_delete_now")
    assert out.toasts == [("error", "You cannot delete your own account.")]
    assert [u.id for u in state.users] == [admin.id]
    assert count(db, OperatorUser) == 1
    assert count(db, AuditEvent) == audits
    assert resolve_actor(admin.token).id == admin.id


def test_save_group_validates_grants_then_creates(db, admin):
    state = _users(admin)
    call(state, "open_group", group_id="new")
    assert state.group_form["user"] == "select"
    call(state, "save_group", form_data={"name": "Billing", "grant_payment": "maybe"})
    assert state.errors == {"grant_payment": "Choose Select, Allow or Deny."}
    assert count(db, OperatorGroup) == 0

    out = call(state, "save_group", form_data={"name": "Billing", "grant_payment": "allow"})
    assert out.toasts == [("success", "Group added.")]
    (group,) = fresh(db, OperatorGroup)
    assert group.grants["payment"] == "allow" and group.grants["user"] == "select"
    assert [g.name for g in state.groups] == ["Billing"]


def test_deleting_a_group_keeps_its_members_without_its_permissions(db, admin, clerk, clerk_group):
    state = _users(admin)
    call(state, "ask_delete", kind="group", item_id=str(clerk_group))
    assert state.confirm_label == "group Clerks"
    out = call(state, "confirm_delete_now")
    assert out.toasts == [("success", "Group deleted.")]
    assert state.groups == []
    assert [u.group_name for u in state.users if u.id == clerk.id] == ["—"]
    assert count(db, OperatorGroup) == 0
    who = resolve_actor(clerk.token)
    assert who is not None and who.grants == {}  # still logged in, no areas left


def test_new_password_ends_the_users_sessions_and_the_last_admin_stays(db, admin, clerk):
    state = _users(admin)
    call(state, "open_user", user_id=str(clerk.id))
    form = dict(state.user_form, password="another long password")
    assert call(state, "save_user", form_data=form).toasts == [("success", "User saved.")]
    assert resolve_actor(clerk.token) is None

    call(state, "open_user", user_id=str(admin.id))
    out = call(state, "save_user", form_data=dict(state.user_form, enabled=""))
    assert out.toasts == [("error", "This is the last enabled administrator: keep at least one.")]
    assert state.user_dialog == str(admin.id)  # still open: nothing was saved
    assert fresh(db, OperatorUser, OperatorUser.id == admin.id)[0].enabled
    assert resolve_actor(admin.token) is not None
