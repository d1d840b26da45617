"""Operator users (spec 004, My Account > Users): their identity, the list, and the
create, update and delete operations with their audit rows. Who may manage whom and
what a valid user form is live in ``user_rules``; groups in ``groups``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from portal_app.models import OperatorGroup, OperatorUser, RecoveryCode, Role

from .audit import audit_record, snapshot
from .crypto import hash_password
from .errors import Conflict, NotFound, ValidationError
from .identity import Actor
from .security_settings import password_minimum
from .sessions import sessions_revoke_for_user
from .user_rules import _require_may_manage, _require_user_admin, _validate_user
from .validation import check_password, normalize_email

USER_FIELDS = ["id", "name", "email", "role", "group_id", "enabled", "totp_enabled"]


def actor_for(user: OperatorUser, session: Session) -> Actor:
    """The identity of an operator user, with the grants of their group."""
    grants: dict[str, str] = {}
    if user.group_id is not None:
        group = session.get(OperatorGroup, user.group_id)
        grants = dict(group.grants) if group else {}
    return Actor(kind="operator", id=user.id, label=user.email, role=user.role, grants=grants)


def user_list(*, session: Session, actor: Actor) -> list[OperatorUser]:
    _require_user_admin(actor)
    return list(session.exec(select(OperatorUser).order_by(OperatorUser.name)).all())


def user_get(*, session: Session, actor: Actor, user_id: int) -> OperatorUser:
    if actor.id != user_id:
        _require_user_admin(actor)
    user = session.get(OperatorUser, user_id)
    if user is None:
        raise NotFound("That user no longer exists.")
    return user


def _admins_locked(session: Session) -> int:
    """How many enabled administrators there are, counted so that the answer still holds
    when this transaction commits: two administrators demoting each other at the same
    moment must not both see "two left".

    PostgreSQL: the administrators' rows are locked (FOR UPDATE) until commit; a second
    transaction waits, then re-reads them without the one just demoted. SQLite allows one
    writer at a time, and a transaction's first write takes that lock: a write that
    changes nothing takes it before the count, so the count and the change that follows
    are one write transaction (what BEGIN IMMEDIATE would give).
    """
    admin = (OperatorUser.role == Role.ADMIN.value) & OperatorUser.enabled
    if session.get_bind().dialect.name == "sqlite":
        table = OperatorUser.__table__
        session.execute(sa.update(table).where(sa.false()).values(role=table.c.role))
    return len(session.exec(select(OperatorUser.id).where(admin).with_for_update()).all())


def user_create(*, session: Session, actor: Actor, data: dict[str, Any]) -> OperatorUser:
    _require_user_admin(actor)
    clean = _validate_user(session, data, user_id=None, password_required=True)
    _require_may_manage(
        session, actor, user=None, new_role=clean["role"], new_group_id=clean["group_id"]
    )
    user = OperatorUser(
        name=clean["name"],
        email=clean["email"],
        role=clean["role"],
        group_id=clean["group_id"],
        enabled=clean["enabled"],
        password_hash=hash_password(clean["password"]),
    )
    session.add(user)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="user.create",
        entity="operator_user",
        entity_id=user.id,
        after=snapshot(user, USER_FIELDS),
    )
    return user


def user_update(
    *, session: Session, actor: Actor, user_id: int, data: dict[str, Any]
) -> OperatorUser:
    """Edit a user. A new password or disabling the user ends their sessions."""
    _require_user_admin(actor)
    user = user_get(session=session, actor=actor, user_id=user_id)
    clean = _validate_user(session, data, user_id=user_id, password_required=False)
    _require_may_manage(
        session, actor, user=user, new_role=clean["role"], new_group_id=clean["group_id"]
    )
    before = snapshot(user, USER_FIELDS)
    losing_admin = (
        user.role == Role.ADMIN.value
        and user.enabled
        and (clean["role"] != Role.ADMIN.value or not clean["enabled"])
    )
    if losing_admin and _admins_locked(session) <= 1:
        raise Conflict("This is the last enabled administrator: keep at least one.")
    if user_id == actor.id and not clean["enabled"]:
        raise ValidationError({"enabled": "You cannot disable your own account."})
    user.name, user.email, user.role = clean["name"], clean["email"], clean["role"]
    user.group_id, user.enabled = clean["group_id"], clean["enabled"]
    if clean["password"]:
        user.password_hash = hash_password(clean["password"])
    session.add(user)
    if clean["password"] or not user.enabled:
        sessions_revoke_for_user(session=session, user_id=user.id)
    after = snapshot(user, USER_FIELDS)
    if clean["password"]:
        after["password"] = "changed"
    audit_record(
        session=session,
        actor=actor,
        action="user.update",
        entity="operator_user",
        entity_id=user.id,
        before=before,
        after=after,
    )
    return user


def user_delete(*, session: Session, actor: Actor, user_id: int) -> None:
    _require_user_admin(actor)
    if user_id == actor.id:
        raise Conflict("You cannot delete your own account.")
    user = user_get(session=session, actor=actor, user_id=user_id)
    _require_may_manage(session, actor, user=user, new_role=None, new_group_id=None)
    if user.role == Role.ADMIN.value and user.enabled and _admins_locked(session) <= 1:
        raise Conflict("This is the last enabled administrator: keep at least one.")
    before = snapshot(user, USER_FIELDS)
    sessions_revoke_for_user(session=session, user_id=user.id)
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.delete(user)
    audit_record(
        session=session,
        actor=actor,
        action="user.delete",
        entity="operator_user",
        entity_id=user_id,
        before=before,
    )


def user_upsert_admin(
    *, session: Session, actor: Actor, email: str, password: str, name: str | None = None
) -> tuple[OperatorUser, bool]:
    """Create an administrator or reset an existing user's password (CLI)."""
    email = normalize_email(email)
    existing = session.exec(select(OperatorUser).where(OperatorUser.email == email)).first()
    if existing is None:
        data = {
            "name": name or email.split("@")[0],
            "email": email,
            "password": password,
            "role": Role.ADMIN.value,
            "enabled": True,
        }
        return user_create(session=session, actor=actor, data=data), True
    if msg := check_password(password, password_minimum(session=session)):
        raise ValidationError({"password": msg})
    before = snapshot(existing, USER_FIELDS)
    existing.password_hash = hash_password(password)
    existing.role, existing.enabled = Role.ADMIN.value, True
    if name:
        existing.name = name
    session.add(existing)
    sessions_revoke_for_user(session=session, user_id=existing.id)
    after = snapshot(existing, USER_FIELDS) | {"password": "changed"}
    audit_record(
        session=session,
        actor=actor,
        action="user.update",
        entity="operator_user",
        entity_id=existing.id,
        before=before,
        after=after,
    )
    return existing, False
