"""Operator users and groups (spec 004, My Account > Users)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, delete, func, select

from portal_app.models import (
    Area,
    Grant,
    OperatorGroup,
    OperatorUser,
    RecoveryCode,
    Role,
)

from .audit import audit_record, snapshot
from .crypto import hash_password
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .policy import areas_granted, areas_of
from .security_settings import password_minimum
from .sessions import sessions_revoke_for_user
from .validation import check_email, check_name, check_password, clean_name, normalize_email

USER_FIELDS = ["id", "name", "email", "role", "group_id", "enabled", "totp_enabled"]


def _require_user_admin(actor: Actor) -> None:
    if not actor.can(Area.USER):
        raise PermissionDenied()


def _group_grants(session: Session, group_id: int | None) -> dict[str, str]:
    group = session.get(OperatorGroup, group_id) if group_id is not None else None
    return dict(group.grants) if group else {}


def _require_may_manage(
    session: Session,
    actor: Actor,
    *,
    user: OperatorUser | None,
    new_role: str | None,
    new_group_id: int | None,
) -> None:
    """The User area lets a non-administrator manage other users only as far as their
    own permissions reach: nobody grants, directly or through a group, an area they do
    not hold, and only an administrator changes (or resets the password of) a user
    whose permissions exceed the actor's. Without this, a User allowed only the User
    area could put an accomplice, or themselves through a peer's password, in any group.
    """
    if actor.is_admin:
        return
    current_role = user.role if user is not None else None
    if Role.ADMIN.value in (current_role, new_role):
        raise PermissionDenied("Only administrators can add or change administrators.")
    if user is not None and user.id == actor.id:
        raise PermissionDenied("Ask an administrator to change your own role or group.")
    mine = areas_of(actor)
    if (
        user is not None
        and not areas_granted(user.role, _group_grants(session, user.group_id)) <= mine
    ):
        raise PermissionDenied(
            "Only an administrator can change a user who has permissions you do not have."
        )
    if (
        new_role is not None
        and not areas_granted(new_role, _group_grants(session, new_group_id)) <= mine
    ):
        raise ValidationError(
            {"group_id": "That group allows areas you do not have yourself: choose another."}
        )


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can change groups.")


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


def _validate_user(
    session: Session, data: dict[str, Any], *, user_id: int | None, password_required: bool
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean = {
        "name": clean_name(data.get("name")),
        "email": normalize_email(data.get("email")),
        "role": str(data.get("role") or ""),
        "enabled": bool(data.get("enabled", True)),
        "group_id": None,
    }
    if msg := check_name(clean["name"]):
        errors["name"] = msg
    if msg := check_email(clean["email"]):
        errors["email"] = msg
    else:
        clash = session.exec(
            select(OperatorUser.id).where(OperatorUser.email == clean["email"])
        ).first()
        if clash is not None and clash != user_id:
            errors["email"] = "Another user already has this email address."
    if clean["role"] not in {r.value for r in Role}:
        errors["role"] = "Choose User or Administrator."
    group_raw = data.get("group_id")
    if group_raw not in (None, "", "none"):
        try:
            group_id = int(group_raw)
        except (TypeError, ValueError):
            group_id = -1
        if session.get(OperatorGroup, group_id) is None:
            errors["group_id"] = "Choose an existing group."
        clean["group_id"] = group_id
    password = str(data.get("password") or "")
    if (password or password_required) and (
        msg := check_password(password, password_minimum(session=session))
    ):
        errors["password"] = msg
    if errors:
        raise ValidationError(errors)
    clean["password"] = password
    return clean


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


# Groups ---------------------------------------------------------------------------


def group_list(*, session: Session, actor: Actor) -> list[OperatorGroup]:
    _require_user_admin(actor)
    return list(session.exec(select(OperatorGroup).order_by(OperatorGroup.name)).all())


def _validate_group(session: Session, data: dict[str, Any], group_id: int | None):
    errors: dict[str, str] = {}
    name = clean_name(data.get("name"))
    if msg := check_name(name, max_len=80):
        errors["name"] = msg
    else:
        clash = session.exec(
            select(OperatorGroup.id).where(func.lower(OperatorGroup.name) == name.lower())
        ).first()
        if clash is not None and clash != group_id:
            errors["name"] = "Another group already has this name."
    raw = data.get("grants") or {}
    grants: dict[str, str] = {}
    if not isinstance(raw, dict):
        errors["grants"] = "Permissions are malformed."
    else:
        valid = {g.value for g in Grant}
        for area in Area:
            value = str(raw.get(area.value, Grant.SELECT.value))
            if value not in valid:
                errors[f"grant_{area.value}"] = "Choose Select, Allow or Deny."
            grants[area.value] = value
        unknown = set(raw) - {a.value for a in Area}
        if unknown:
            errors["grants"] = f"Unknown area: {', '.join(sorted(map(str, unknown)))}."
    if errors:
        raise ValidationError(errors)
    return name, grants


def group_create(*, session: Session, actor: Actor, data: dict[str, Any]) -> OperatorGroup:
    _require_admin(actor)
    name, grants = _validate_group(session, data, None)
    group = OperatorGroup(name=name, grants=grants)
    session.add(group)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="group.create",
        entity="operator_group",
        entity_id=group.id,
        after=snapshot(group, ["id", "name", "grants"]),
    )
    return group


def group_update(
    *, session: Session, actor: Actor, group_id: int, data: dict[str, Any]
) -> OperatorGroup:
    _require_admin(actor)
    group = session.get(OperatorGroup, group_id)
    if group is None:
        raise NotFound("That group no longer exists.")
    before = snapshot(group, ["id", "name", "grants"])
    group.name, group.grants = _validate_group(session, data, group_id)
    session.add(group)
    audit_record(
        session=session,
        actor=actor,
        action="group.update",
        entity="operator_group",
        entity_id=group.id,
        before=before,
        after=snapshot(group, ["id", "name", "grants"]),
    )
    return group


def group_delete(*, session: Session, actor: Actor, group_id: int) -> None:
    """Delete a group; its members keep their accounts and lose its permissions."""
    _require_admin(actor)
    group = session.get(OperatorGroup, group_id)
    if group is None:
        raise NotFound("That group no longer exists.")
    before = snapshot(group, ["id", "name", "grants"])
    for member in session.exec(select(OperatorUser).where(OperatorUser.group_id == group_id)):
        member.group_id = None
        session.add(member)
    session.delete(group)
    audit_record(
        session=session,
        actor=actor,
        action="group.delete",
        entity="operator_group",
        entity_id=group_id,
        before=before,
    )


def group_member_counts(*, session: Session) -> dict[int, int]:
    rows = session.exec(
        select(OperatorUser.group_id, func.count()).group_by(OperatorUser.group_id)
    ).all()
    return {gid: n for gid, n in rows if gid is not None}
