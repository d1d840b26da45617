"""Operator users and groups (services/users.py) against the real migrated database.

Covers validation per field, the last-administrator and self-protection rules,
permission checks through group grants, audit rows, and session revocation.
"""

from __future__ import annotations

import json
import threading

import pyotp
import pytest
from sqlmodel import Session, select

from portal_app.models import (
    Area,
    AuditEvent,
    AuthSession,
    Grant,
    OperatorGroup,
    OperatorUser,
    RecoveryCode,
    Role,
)
from portal_app.services.audit import snapshot
from portal_app.services.credentials import totp_begin, totp_confirm
from portal_app.services.crypto import verify_password
from portal_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal_app.services.groups import group_create, group_delete, group_list, group_update
from portal_app.services.identity import SYSTEM
from portal_app.services.sessions import session_create, session_user
from portal_app.services.users import (
    user_create,
    user_delete,
    user_list,
    user_update,
    user_upsert_admin,
)

from .conftest import PASSWORD
from .race import together


def _form(user: OperatorUser, **changes) -> dict:
    """The full edit form for a user, as the Users dialog submits it."""
    data = {
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "group_id": user.group_id,
        "enabled": user.enabled,
        "password": "",
    }
    return data | changes


def _audit(db: Session, action: str) -> list[AuditEvent]:
    return list(
        db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
    )


def _fresh(engine, model, pk):
    """Read a row back through a new session: proves what was committed."""
    with Session(engine) as other:
        return other.get(model, pk)


# Validation --------------------------------------------------------------------------


GOOD_USER = {
    "name": "Ann Operator",
    "email": "ann@example.com",
    "password": "long-enough-pw",
    "role": "user",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "Enter a name."),
        ({"email": ""}, "email", "Enter an email address."),
        ({"email": "ann@"}, "email", "Enter a valid email address, like name@example.com."),
        ({"email": "ann example.com"}, "email", "Enter a valid"),
        ({"email": "ann@localhost"}, "email", "Enter a valid"),
        ({"password": "short-pw1"}, "password", "Use at least 10 characters."),
        ({"password": ""}, "password", "Use at least 10 characters."),
        ({"role": "superuser"}, "role", "Choose User or Administrator."),
        ({"role": ""}, "role", "Choose User or Administrator."),
        ({"group_id": 987654}, "group_id", "Choose an existing group."),
        ({"group_id": "not-a-number"}, "group_id", "Choose an existing group."),
    ],
)
def test_user_create_rejects_bad_field(db, changes, field, message):
    with pytest.raises(ValidationError) as exc:
        user_create(session=db, actor=SYSTEM, data=GOOD_USER | changes)
    assert set(exc.value.fields) == {field}
    assert exc.value.fields[field].startswith(message)
    db.rollback()
    assert db.exec(select(OperatorUser)).all() == []
    assert db.exec(select(AuditEvent)).all() == []


def test_user_create_reports_every_bad_field_at_once(db):
    data = {"name": "", "email": "nope", "password": "x", "role": "root", "group_id": 42}
    with pytest.raises(ValidationError) as exc:
        user_create(session=db, actor=SYSTEM, data=data)
    assert set(exc.value.fields) == {"name", "email", "password", "role", "group_id"}


def test_user_create_normalises_email_and_refuses_duplicate_in_any_case(db, make_user):
    make_user(email="  Ann@Example.COM ")
    stored = db.exec(select(OperatorUser.email)).all()
    assert stored == ["ann@example.com"]
    with pytest.raises(ValidationError) as exc:
        user_create(session=db, actor=SYSTEM, data=GOOD_USER | {"email": "ANN@example.com"})
    assert exc.value.fields == {"email": "Another user already has this email address."}


def test_user_update_may_keep_own_email_but_not_take_another(db, make_user):
    ann = make_user(email="ann@example.com")
    make_user(email="bob@example.com")
    renamed = user_update(
        session=db,
        actor=SYSTEM,
        user_id=ann.id,
        data=_form(ann, name="Ann B", email="ANN@example.com"),
    )
    assert (renamed.name, renamed.email) == ("Ann B", "ann@example.com")
    with pytest.raises(ValidationError) as exc:
        user_update(
            session=db, actor=SYSTEM, user_id=ann.id, data=_form(ann, email="Bob@Example.com")
        )
    assert exc.value.fields == {"email": "Another user already has this email address."}


def test_user_update_with_short_password_is_refused_and_keeps_old_hash(db, engine, make_user):
    ann = make_user()
    old_hash = ann.password_hash
    with pytest.raises(ValidationError) as exc:
        user_update(session=db, actor=SYSTEM, user_id=ann.id, data=_form(ann, password="tiny"))
    assert exc.value.fields == {"password": "Use at least 10 characters."}
    db.rollback()
    assert _fresh(engine, OperatorUser, ann.id).password_hash == old_hash


GOOD_GROUP = {"name": "Support", "grants": {"cdr": "allow"}}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name."),
        ({"name": "x" * 81}, "name", "Name must be at most 80 characters."),
        ({"grants": {"cdr": "maybe"}}, "grant_cdr", "Choose Select, Allow or Deny."),
        ({"grants": {"log": "ALLOW"}}, "grant_log", "Choose Select, Allow or Deny."),
        ({"grants": {"billing": "allow"}}, "grants", "Unknown area: billing."),
        ({"grants": ["cdr"]}, "grants", "Permissions are malformed."),
    ],
)
def test_group_create_rejects_bad_field(db, changes, field, message):
    with pytest.raises(ValidationError) as exc:
        group_create(session=db, actor=SYSTEM, data=GOOD_GROUP | changes)
    assert exc.value.fields == {field: message}
    db.rollback()
    assert db.exec(select(OperatorGroup)).all() == []


def test_group_name_must_be_unique(db, make_group):
    make_group(name="Support")
    other = make_group(name="Billing")
    with pytest.raises(ValidationError) as exc:
        group_create(session=db, actor=SYSTEM, data={"name": " Support ", "grants": {}})
    assert exc.value.fields == {"name": "Another group already has this name."}
    with pytest.raises(ValidationError) as exc:
        group_update(session=db, actor=SYSTEM, group_id=other.id, data={"name": "Support"})
    assert exc.value.fields == {"name": "Another group already has this name."}
    # Saving a group under its own name is not a clash.
    same = group_update(session=db, actor=SYSTEM, group_id=other.id, data={"name": "Billing"})
    assert same.name == "Billing"


def test_group_create_stores_every_area_with_select_as_default(db):
    group = group_create(session=db, actor=SYSTEM, data=GOOD_GROUP)
    db.commit()
    assert set(group.grants) == {a.value for a in Area}
    assert group.grants["cdr"] == Grant.ALLOW.value
    assert {v for k, v in group.grants.items() if k != "cdr"} == {Grant.SELECT.value}


# Self-protection and the last administrator ----------------------------------------


def test_cannot_delete_yourself(db, make_user, as_actor):
    me = make_user(role="admin")
    make_user(role="admin")  # not the last administrator: only "yourself" applies
    with pytest.raises(Conflict, match="cannot delete your own account"):
        user_delete(session=db, actor=as_actor(me), user_id=me.id)
    assert db.get(OperatorUser, me.id) is not None


def test_cannot_disable_yourself(db, make_user, as_actor):
    me = make_user(role="admin")
    make_user(role="admin")
    with pytest.raises(ValidationError) as exc:
        user_update(session=db, actor=as_actor(me), user_id=me.id, data=_form(me, enabled=False))
    assert exc.value.fields == {"enabled": "You cannot disable your own account."}


@pytest.mark.parametrize(
    "change",
    [{"role": "user"}, {"enabled": False}],
    ids=["demote", "disable"],
)
def test_last_enabled_admin_cannot_be_demoted_or_disabled(db, engine, make_user, change):
    admin = make_user(role="admin")
    make_user(role="admin", enabled=False)  # a disabled administrator does not count
    with pytest.raises(Conflict, match="last enabled administrator"):
        user_update(session=db, actor=SYSTEM, user_id=admin.id, data=_form(admin, **change))
    db.rollback()
    stored = _fresh(engine, OperatorUser, admin.id)
    assert (stored.role, stored.enabled) == ("admin", True)


def test_last_enabled_admin_cannot_be_deleted(db, make_user):
    admin = make_user(role="admin")
    make_user(role="admin", enabled=False)  # a disabled administrator does not count
    with pytest.raises(Conflict, match="last enabled administrator"):
        user_delete(session=db, actor=SYSTEM, user_id=admin.id)
    db.commit()
    assert db.get(OperatorUser, admin.id) is not None


@pytest.mark.parametrize(
    "change", [{"role": "user"}, {"enabled": False}], ids=["demote", "disable"]
)
def test_two_admins_demoting_each_other_at_once_leave_one(engine, make_user, as_actor, change):
    first, second = make_user(role="admin"), make_user(role="admin")
    pairs = [(first, second), (second, first)]
    results = together(
        engine,
        [
            lambda s, me=me, other=other: user_update(
                session=s, actor=as_actor(me), user_id=other.id, data=_form(other, **change)
            )
            for me, other in pairs
        ],
    )
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == 1 and "last enabled administrator" in refused[0].message
    stored = [_fresh(engine, OperatorUser, u.id) for u in (first, second)]
    assert sum(u.role == "admin" and u.enabled for u in stored) == 1


def test_a_demotion_waits_for_one_in_flight_and_then_sees_it(engine, make_user, as_actor):
    """The second transaction starts while the first has demoted but not committed: it
    must wait for it and count again, not act on the old count of two."""
    first, second = make_user(role="admin"), make_user(role="admin")
    with Session(engine, expire_on_commit=False) as open_tx:
        user_update(
            session=open_tx,
            actor=as_actor(first),
            user_id=second.id,
            data=_form(second, role="user"),
        )
        open_tx.flush()
        later: list = []
        thread = threading.Thread(
            target=lambda: later.extend(
                together(
                    engine,
                    [lambda s: user_delete(session=s, actor=as_actor(second), user_id=first.id)],
                )
            )
        )
        thread.start()
        thread.join(timeout=0.5)  # it is waiting on our lock (or finished wrongly)
        open_tx.commit()
    thread.join(timeout=60)
    assert isinstance(later[0], Conflict)
    assert _fresh(engine, OperatorUser, first.id).role == "admin"


def test_an_admin_can_be_demoted_or_deleted_while_another_remains(db, make_user, as_actor):
    first = make_user(role="admin")
    second = make_user(role="admin")
    third = make_user(role="admin")
    demoted = user_update(
        session=db, actor=as_actor(first), user_id=second.id, data=_form(second, role="user")
    )
    assert demoted.role == "user"
    user_delete(session=db, actor=as_actor(first), user_id=third.id)
    db.commit()
    assert db.get(OperatorUser, third.id) is None
    # Now `first` is the only enabled administrator left.
    with pytest.raises(Conflict):
        user_update(session=db, actor=SYSTEM, user_id=first.id, data=_form(first, role="user"))


def test_missing_user_or_group_is_not_found(db):
    missing = 424242
    with pytest.raises(NotFound):
        user_update(session=db, actor=SYSTEM, user_id=missing, data=GOOD_USER)
    with pytest.raises(NotFound):
        user_delete(session=db, actor=SYSTEM, user_id=missing)
    with pytest.raises(NotFound):
        group_update(session=db, actor=SYSTEM, group_id=missing, data=GOOD_GROUP)
    with pytest.raises(NotFound):
        group_delete(session=db, actor=SYSTEM, group_id=missing)


# Permissions through groups ----------------------------------------------------------


@pytest.mark.parametrize("grant", [None, Grant.SELECT.value, Grant.DENY.value])
def test_user_without_user_area_is_refused_every_user_and_group_operation(
    db, make_user, make_group, as_actor, grant
):
    group = make_group(grants={"user": grant, "cdr": "allow"} if grant else {"cdr": "allow"})
    clerk = as_actor(make_user(group=group))
    other = make_user()
    calls = [
        lambda: user_list(session=db, actor=clerk),
        lambda: user_create(session=db, actor=clerk, data=GOOD_USER),
        lambda: user_update(session=db, actor=clerk, user_id=other.id, data=_form(other)),
        lambda: user_delete(session=db, actor=clerk, user_id=other.id),
        lambda: group_list(session=db, actor=clerk),
        lambda: group_create(session=db, actor=clerk, data=GOOD_GROUP),
        lambda: group_update(session=db, actor=clerk, group_id=group.id, data=GOOD_GROUP),
        lambda: group_delete(session=db, actor=clerk, group_id=group.id),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    db.rollback()
    assert len(db.exec(select(OperatorUser)).all()) == 2
    assert db.get(OperatorGroup, group.id) is not None


def test_user_whose_group_allows_user_area_may_manage_users(db, make_user, make_group, as_actor):
    managers = make_group(grants={"user": "allow"})
    manager = as_actor(make_user(group=managers))
    created = user_create(session=db, actor=manager, data=GOOD_USER)
    db.commit()
    assert created.email in {u.email for u in user_list(session=db, actor=manager)}
    user_delete(session=db, actor=manager, user_id=created.id)
    db.commit()
    assert db.get(OperatorUser, created.id) is None


def test_user_area_does_not_reach_administrators_or_oneself(db, make_user, make_group, as_actor):
    """A non-administrator allowed the User area manages other Users only: otherwise
    they could make themselves an Administrator or take over an administrator."""
    managers = make_group(grants={"user": "allow"})
    me = make_user(group=managers)
    manager = as_actor(me)
    admin = make_user(role="admin")
    clerk = make_user()
    refused = [
        lambda: user_create(session=db, actor=manager, data=GOOD_USER | {"role": "admin"}),
        lambda: user_update(
            session=db, actor=manager, user_id=clerk.id, data=_form(clerk, role="admin")
        ),
        lambda: user_update(
            session=db, actor=manager, user_id=admin.id, data=_form(admin, password="taken-over!")
        ),
        lambda: user_delete(session=db, actor=manager, user_id=admin.id),
        lambda: user_update(session=db, actor=manager, user_id=me.id, data=_form(me, role="admin")),
        lambda: user_update(
            session=db, actor=manager, user_id=me.id, data=_form(me, group_id=None)
        ),
        lambda: group_create(session=db, actor=manager, data=GOOD_GROUP),
        lambda: group_update(
            session=db,
            actor=manager,
            group_id=managers.id,
            data={"name": managers.name, "grants": {area.value: "allow" for area in Area}},
        ),
        lambda: group_delete(session=db, actor=manager, group_id=managers.id),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    db.rollback()
    assert db.exec(select(OperatorUser.email).where(OperatorUser.role == "admin")).all() == [
        admin.email
    ]
    assert verify_password(PASSWORD, db.get(OperatorUser, admin.id).password_hash)
    assert db.get(OperatorUser, me.id).group_id == managers.id
    assert db.get(OperatorGroup, managers.id).grants["setup"] == "select"
    # Other Users remain theirs to manage.
    edited = user_update(
        session=db, actor=manager, user_id=clerk.id, data=_form(clerk, name="Clerk Renamed")
    )
    assert edited.name == "Clerk Renamed"


def test_nobody_grants_an_area_they_do_not_hold(db, make_user, make_group, as_actor):
    """A User allowed the User area (and Customer) cannot place anyone, new or existing,
    in a group that allows more, nor change or reset the password of a peer whose
    group allows more: the paths to any group's permissions."""
    managers = make_group(grants={"user": "allow", "customer": "allow"})
    powerful = make_group(grants={"user": "allow", "payment": "allow", "setup": "allow"})
    same = make_group(grants={"customer": "allow"})
    manager = as_actor(make_user(group=managers))
    peer = make_user(group=powerful)
    clerk = make_user()
    with pytest.raises(ValidationError) as refused:
        user_create(session=db, actor=manager, data=GOOD_USER | {"group_id": powerful.id})
    assert "group_id" in refused.value.fields
    with pytest.raises(ValidationError):
        user_update(
            session=db, actor=manager, user_id=clerk.id, data=_form(clerk, group_id=powerful.id)
        )
    for data in (_form(peer, password="taken-over-now!"), _form(peer, name="Renamed")):
        with pytest.raises(PermissionDenied):
            user_update(session=db, actor=manager, user_id=peer.id, data=data)
    with pytest.raises(PermissionDenied):
        user_delete(session=db, actor=manager, user_id=peer.id)
    db.rollback()
    assert verify_password(PASSWORD, db.get(OperatorUser, peer.id).password_hash)
    assert db.get(OperatorUser, clerk.id).group_id is None
    assert db.exec(select(OperatorUser).where(OperatorUser.email == GOOD_USER["email"])).all() == []
    # Control: within the manager's own permissions the same paths work.
    created = user_create(session=db, actor=manager, data=GOOD_USER | {"group_id": same.id})
    moved = user_update(
        session=db, actor=manager, user_id=clerk.id, data=_form(clerk, group_id=managers.id)
    )
    assert created.group_id == same.id and moved.group_id == managers.id
    reset = user_update(
        session=db, actor=manager, user_id=clerk.id, data=_form(clerk, password="new-password-1")
    )
    assert verify_password("new-password-1", reset.password_hash)


def test_actor_can_follows_allow_deny_and_select(db, make_user, make_group, as_actor):
    group = make_group(grants={"cdr": "allow", "carrier": "deny", "report": "select"})
    member = as_actor(make_user(group=group))
    assert member.can(Area.CDR)
    assert member.can("cdr")
    assert not member.can(Area.CARRIER)  # Deny
    assert not member.can(Area.REPORT)  # explicit Select: the default, which is deny
    assert not member.can(Area.CUSTOMER)  # Select by omission
    loner = as_actor(make_user())
    assert not any(loner.can(area) for area in Area)
    admin_in_group = as_actor(make_user(role="admin", group=group))
    assert all(admin_in_group.can(area) for area in Area)  # Deny does not bind admins
    assert all(SYSTEM.can(area) for area in Area)


def test_group_update_changes_what_members_can_do(db, make_user, make_group, as_actor):
    group = make_group(grants={"cdr": "allow"})
    member = make_user(group=group)
    assert as_actor(member).can(Area.CDR)
    group_update(
        session=db, actor=SYSTEM, group_id=group.id, data={"name": group.name, "grants": {}}
    )
    db.commit()
    assert not as_actor(member).can(Area.CDR)


def test_group_delete_detaches_members_and_keeps_their_accounts(
    db, engine, make_user, make_group, as_actor
):
    group = make_group(grants={"cdr": "allow"})
    kept = make_group(name="Kept")
    members = [make_user(group=group), make_user(group=group)]
    outsider = make_user(group=kept)
    group_delete(session=db, actor=SYSTEM, group_id=group.id)
    db.commit()
    assert _fresh(engine, OperatorGroup, group.id) is None
    for member in members:
        stored = _fresh(engine, OperatorUser, member.id)
        assert stored is not None and stored.group_id is None
        assert as_actor(stored).grants == {}
        assert not as_actor(stored).can(Area.CDR)
    assert _fresh(engine, OperatorUser, outsider.id).group_id == kept.id


# Audit rows --------------------------------------------------------------------------


def test_user_changes_are_audited_with_actor_and_without_password_hash(db, make_user, as_actor):
    boss = make_user(role="admin", email="boss@example.com")
    actor = as_actor(boss)
    ann = user_create(session=db, actor=actor, data=GOOD_USER)
    db.commit()
    user_update(
        session=db,
        actor=actor,
        user_id=ann.id,
        data=_form(ann, name="Ann Renamed", password="another-long-pw"),
    )
    db.commit()
    hashes = [ann.password_hash, boss.password_hash]
    user_delete(session=db, actor=actor, user_id=ann.id)
    db.commit()

    (created,) = _audit(db, "user.create")[1:]  # [0] is boss, made by the system
    (updated,) = _audit(db, "user.update")
    (deleted,) = _audit(db, "user.delete")
    for row in (created, updated, deleted):
        assert (row.actor_kind, row.actor_id, row.actor_label) == (
            "operator",
            boss.id,
            "boss@example.com",
        )
        assert (row.entity, row.entity_id) == ("operator_user", str(ann.id))
        text = json.dumps([row.before, row.after])
        assert "password_hash" not in text
        assert not any(h in text for h in hashes)
    assert created.before is None
    assert created.after["email"] == "ann@example.com"
    assert updated.before["name"] == "Ann Operator"
    assert updated.after["name"] == "Ann Renamed"
    assert updated.after["password"] == "changed"
    assert deleted.before["email"] == "ann@example.com"
    assert deleted.after is None


def test_group_changes_are_audited_with_before_and_after(db):
    group = group_create(session=db, actor=SYSTEM, data=GOOD_GROUP)
    db.commit()
    group_update(
        session=db,
        actor=SYSTEM,
        group_id=group.id,
        data={"name": "Support 2", "grants": {"cdr": "deny"}},
    )
    db.commit()
    group_delete(session=db, actor=SYSTEM, group_id=group.id)
    db.commit()
    (created,) = _audit(db, "group.create")
    (updated,) = _audit(db, "group.update")
    (deleted,) = _audit(db, "group.delete")
    for row in (created, updated, deleted):
        assert (row.actor_kind, row.actor_id, row.actor_label) == ("system", None, "system")
        assert (row.entity, row.entity_id) == ("operator_group", str(group.id))
    assert created.after["name"] == "Support"
    assert (updated.before["name"], updated.after["name"]) == ("Support", "Support 2")
    assert (updated.before["grants"]["cdr"], updated.after["grants"]["cdr"]) == ("allow", "deny")
    assert deleted.before["name"] == "Support 2" and deleted.after is None


def test_refused_change_writes_no_audit_row(db, make_user):
    admin = make_user(role="admin")
    before = len(db.exec(select(AuditEvent)).all())
    with pytest.raises(Conflict):
        user_delete(session=db, actor=SYSTEM, user_id=admin.id)
    with pytest.raises(ValidationError):
        group_create(session=db, actor=SYSTEM, data={"name": ""})
    db.rollback()
    assert len(db.exec(select(AuditEvent)).all()) == before


def test_snapshot_never_copies_secrets_even_without_a_field_list(db, make_user, as_actor):
    ann = make_user()
    totp_begin(session=db, actor=as_actor(ann))
    db.commit()
    assert ann.password_hash and ann.totp_secret_enc
    data = snapshot(ann)
    assert "password_hash" not in data and "totp_secret_enc" not in data
    assert data["email"] == ann.email
    assert isinstance(data["created_at"], str)  # datetimes become JSON-safe text


# user_upsert_admin -------------------------------------------------------------------


def test_user_upsert_admin_is_idempotent_and_resets_the_password(db, engine):
    user, created = user_upsert_admin(
        session=db, actor=SYSTEM, email="Root@Example.com", password="first-password-1"
    )
    db.commit()
    assert created and user.role == "admin" and user.email == "root@example.com"
    assert user.name == "root"

    again, created_again = user_upsert_admin(
        session=db, actor=SYSTEM, email="root@example.COM", password="second-password-2"
    )
    db.commit()
    assert not created_again
    assert again.id == user.id
    with Session(engine) as other:
        rows = other.exec(select(OperatorUser)).all()
    assert len(rows) == 1
    assert verify_password("second-password-2", rows[0].password_hash)
    assert not verify_password("first-password-1", rows[0].password_hash)
    audit = _audit(db, "user.update")
    assert len(audit) == 1 and audit[0].after["password"] == "changed"
    assert "password_hash" not in json.dumps([audit[0].before, audit[0].after])


def test_user_upsert_admin_promotes_and_enables_an_existing_user(db, make_user):
    clerk = make_user(email="clerk@example.com", enabled=False)
    user, created = user_upsert_admin(
        session=db, actor=SYSTEM, email="clerk@example.com", password="brand-new-password"
    )
    db.commit()
    assert not created and user.id == clerk.id
    assert (user.role, user.enabled) == (Role.ADMIN.value, True)
    with pytest.raises(ValidationError) as exc:
        user_upsert_admin(session=db, actor=SYSTEM, email="clerk@example.com", password="short")
    assert exc.value.fields == {"password": "Use at least 10 characters."}


def test_user_upsert_admin_on_an_existing_user_revokes_their_sessions(db, make_user):
    ann = make_user(email="ann@example.com")
    token = session_create(session=db, user_id=ann.id)
    db.commit()
    user_upsert_admin(session=db, actor=SYSTEM, email="ann@example.com", password="reset-password")
    db.commit()
    assert session_user(session=db, token=token) is None


# Sessions end when the password changes or the user is disabled ---------------------


def _live_rows(db: Session, user_id: int) -> list[AuthSession]:
    return list(
        db.exec(
            select(AuthSession).where(
                AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
            )
        ).all()
    )


def test_new_password_revokes_the_users_sessions(db, make_user):
    ann = make_user()
    bystander = make_user()
    tokens = [session_create(session=db, user_id=ann.id) for _ in range(2)]
    other_token = session_create(session=db, user_id=bystander.id)
    db.commit()
    assert all(session_user(session=db, token=t).id == ann.id for t in tokens)

    user_update(
        session=db, actor=SYSTEM, user_id=ann.id, data=_form(ann, password="a-new-password")
    )
    db.commit()
    assert [session_user(session=db, token=t) for t in tokens] == [None, None]
    assert _live_rows(db, ann.id) == []
    assert session_user(session=db, token=other_token).id == bystander.id


def test_edit_without_password_keeps_sessions(db, make_user):
    ann = make_user()
    token = session_create(session=db, user_id=ann.id)
    db.commit()
    user_update(session=db, actor=SYSTEM, user_id=ann.id, data=_form(ann, name="Ann Two"))
    db.commit()
    assert session_user(session=db, token=token).id == ann.id
    assert verify_password(PASSWORD, db.get(OperatorUser, ann.id).password_hash)


def test_disabling_revokes_sessions_for_good(db, make_user):
    ann = make_user()
    token = session_create(session=db, user_id=ann.id)
    db.commit()
    user_update(session=db, actor=SYSTEM, user_id=ann.id, data=_form(ann, enabled=False))
    db.commit()
    assert session_user(session=db, token=token) is None
    assert _live_rows(db, ann.id) == []
    # Enabling the account again does not bring the old session back.
    user_update(session=db, actor=SYSTEM, user_id=ann.id, data=_form(ann, enabled=True))
    db.commit()
    assert session_user(session=db, token=token) is None


def test_deleting_a_user_revokes_sessions(db, make_user):
    ann = make_user()
    token = session_create(session=db, user_id=ann.id)
    db.commit()
    user_delete(session=db, actor=SYSTEM, user_id=ann.id)
    db.commit()
    assert session_user(session=db, token=token) is None
    assert _live_rows(db, ann.id) == []


def test_deleting_a_user_with_2fa_removes_their_recovery_codes(db, engine, make_user, as_actor):
    ann = make_user()
    bob = make_user()
    for user in (ann, bob):
        totp = pyotp.TOTP(totp_begin(session=db, actor=as_actor(user)).secret)
        totp_confirm(session=db, actor=as_actor(user), code=totp.now())
    db.commit()
    user_delete(session=db, actor=SYSTEM, user_id=ann.id)
    db.commit()
    with Session(engine) as other:
        owners = other.exec(select(RecoveryCode.user_id)).all()
    assert set(owners) == {bob.id} and len(owners) == 10
